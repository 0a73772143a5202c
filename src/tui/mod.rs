//! The terminal: crossterm events, the app's actions and a one-second clock under one
//! `select!`. It draws only when the rendered screen differs from the last one drawn, so an
//! idle dashboard writes nothing.

mod clipboard;
mod hyperlink;
pub mod notify;

use crate::app::keys::Key;
use crate::app::{Action, App, Effect, Signal, update_batch};
use crate::sync::Runner;
use crate::ui::{self, Theme};
use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::time::Duration;
use tokio::signal::unix::SignalKind;
use tokio::sync::mpsc;

/// Actions handled before the screen is looked at again, so a burst of answers (forty
/// locations refreshing) costs one frame, not forty.
const BATCH: usize = 256;

/// How long a terminal that went away waits for the SIGHUP that usually comes with it.
const HANGUP_GRACE: Duration = Duration::from_millis(250);

pub fn key_of(k: KeyEvent) -> Option<Key> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Backspace => Key::Backspace,
        _ => return None,
    })
}

/// Owns the terminal from start to finish; it is restored on every way out, signals and
/// panics included (ratatui's hook, installed by `try_init`, restores before the panic is
/// reported). `Some(signal)` when a signal ended it, for the exit status.
pub async fn run(
    app: App,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Action>,
    theme: Theme,
) -> std::io::Result<Option<Signal>> {
    let mut terminal = ratatui::try_init()?;
    if app.settings.mouse {
        // Mouse reporting must end on every way out, a panic's included: ratatui's hook
        // knows nothing of it.
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            report(info);
        }));
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let result = match Signals::listen() {
        Ok(signals) => event_loop(&mut terminal, app, &runner, rx, theme, signals).await,
        Err(e) => Err(e),
    };
    restore();
    // Terminal's Drop retries a failed show-cursor and reports it on stderr, and printing to
    // a hung-up tty panics; so the cursor is shown here, and on failure Drop does not run.
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
    result
}

/// The PTY test that proves the terminal is restored after a panic needs the real binary to
/// panic with the terminal taken. Only debug builds (which the tests run) listen for it: a
/// release binary has no such switch at all.
mod test_hook {
    #[cfg(debug_assertions)]
    pub fn panic_after_first_frame() -> bool {
        std::env::var_os("LROTOP_TEST_PANIC").is_some()
    }

    #[cfg(not(debug_assertions))]
    pub const fn panic_after_first_frame() -> bool {
        false
    }
}

/// Every step on its own, errors ignored: after a hangup the tty refuses writes, and
/// ratatui's restore stops at the first failure and reports it on stderr (the same dead
/// tty).
fn restore() {
    use crossterm::execute;
    use crossterm::terminal::{LeaveAlternateScreen, disable_raw_mode};
    let _ = execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), LeaveAlternateScreen);
}

/// The signals that end the dashboard. Once listened for, their default action (die with
/// the terminal left raw) no longer happens: the event loop gets to restore it.
struct Signals([(Signal, tokio::signal::unix::Signal); 4]);

impl Signals {
    fn listen() -> std::io::Result<Signals> {
        let on = |s: Signal| {
            let kind = match s {
                Signal::Term => SignalKind::terminate(),
                Signal::Hup => SignalKind::hangup(),
                Signal::Int => SignalKind::interrupt(),
                Signal::Quit => SignalKind::quit(),
            };
            tokio::signal::unix::signal(kind).map(|l| (s, l))
        };
        let [a, b, c, d] = Signal::ALL;
        Ok(Signals([on(a)?, on(b)?, on(c)?, on(d)?]))
    }

    async fn next(&mut self) -> Signal {
        let [(a, la), (b, lb), (c, lc), (d, ld)] = &mut self.0;
        tokio::select! {
            Some(()) = la.recv() => *a,
            Some(()) = lb.recv() => *b,
            Some(()) = lc.recv() => *c,
            Some(()) = ld.recv() => *d,
            // Only a runtime shutting down closes them; nothing more will arrive.
            else => std::future::pending().await,
        }
    }

    /// A dropped SSH session hangs up the tty and sends SIGHUP at about the same moment.
    /// Which one the loop sees first is luck; the signal is what says why, in the log and
    /// the exit status.
    async fn soon(&mut self) -> Option<Signal> {
        tokio::time::timeout(HANGUP_GRACE, self.next()).await.ok()
    }
}

fn apply(app: &mut App, runner: &Runner, actions: Vec<Action>) {
    for effect in update_batch(app, actions) {
        match effect {
            Effect::Copy { name } => {
                use std::io::Write;
                let seq = clipboard::osc52(&name, std::env::var_os("TMUX").is_some());
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(seq.as_bytes()).and_then(|_| out.flush());
            }
            Effect::CopyLink { url } => {
                use std::io::Write;
                let seq = clipboard::osc52_link(&url, std::env::var_os("TMUX").is_some());
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(seq.as_bytes()).and_then(|_| out.flush());
            }
            Effect::Notify { title, body } => {
                use std::io::Write;
                let seq = notify::sequence(
                    &title,
                    &body,
                    app.settings.notify,
                    std::env::var_os("TMUX").is_some(),
                );
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(seq.as_bytes()).and_then(|_| out.flush());
            }
            other => runner.run(other),
        }
    }
}

/// The wheel scrolls what has the keys (three lines a notch); a left click on a row of the
/// operations table selects it.
fn mouse(app: &App, m: MouseEvent, size: Option<ratatui::layout::Size>) -> Option<Action> {
    match m.kind {
        MouseEventKind::ScrollDown => Some(Action::Key(Key::Down)),
        MouseEventKind::ScrollUp => Some(Action::Key(Key::Up)),
        MouseEventKind::Down(MouseButton::Left) => {
            let size = size?;
            let ops = ui::areas(Rect::new(0, 0, size.width, size.height), app).operations;
            // The border, then the column titles, then the rows.
            let first = ops.y + 2;
            let inside = m.column > ops.x && m.column < ops.x + ops.width.saturating_sub(1);
            (inside && m.row >= first && m.row < ops.y + ops.height.saturating_sub(1)).then(|| {
                Action::Click {
                    row: usize::from(m.row - first),
                }
            })
        }
        _ => None,
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    runner: &Runner,
    mut rx: mpsc::UnboundedReceiver<Action>,
    theme: Theme,
    mut signals: Signals,
) -> std::io::Result<Option<Signal>> {
    let mut events = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let size = terminal.size()?;
    let resize = ui::resize(Rect::new(0, 0, size.width, size.height), &app);
    apply(&mut app, runner, vec![resize]);
    let mut last: Option<Buffer> = None;
    let screen = ui::Screen::default();
    let panic_after_first_frame = test_hook::panic_after_first_frame();
    let mut ended_by = None;
    loop {
        // Before drawing: after a hangup there is no terminal to draw on.
        if app.quit {
            return Ok(ended_by);
        }
        let drawn = terminal.size().and_then(|size| {
            let area = Rect::new(0, 0, size.width, size.height);
            // The pane's room changes with the data too (a count that grows a digit), not
            // only with the terminal: the app hears of it before the frame.
            if ui::locations_fit(area, &app) != app.locations_fit {
                let resize = ui::resize(area, &app);
                apply(&mut app, runner, vec![resize]);
            }
            // A pager scrolled past its end (G, or a page key near it) is brought back
            // to its last line before the frame, so the next key up moves at once.
            if let Some(max) = screen.scroll_limit(&app, theme, area) {
                apply(&mut app, runner, vec![Action::ScrollLimit(max)]);
            }
            let mut frame = Buffer::empty(area);
            screen.render(&app, theme, area, &mut frame);
            if last.as_ref() != Some(&frame) {
                terminal.draw(|f| screen.draw(f, &app, theme))?;
                last = Some(frame);
                if let crate::app::Mode::Link(link) = &app.mode {
                    use std::io::Write;
                    let pieces = ui::link_layout(link, area).pieces;
                    let seq = hyperlink::sequence(&link.url, &pieces);
                    let out = terminal.backend_mut();
                    out.write_all(seq.as_bytes())?;
                    out.flush()?;
                }
            }
            Ok(())
        });
        if panic_after_first_frame {
            panic!("LROTOP_TEST_PANIC is set");
        }
        let action = if let Err(e) = drawn {
            // A hung-up tty fails the next write before its SIGHUP has been seen.
            Some(Action::Signal(signals.soon().await.ok_or(e)?))
        } else {
            tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => key_of(k).map(Action::Key),
                Some(Ok(Event::Mouse(m))) => mouse(&app, m, terminal.size().ok()),
                Some(Ok(Event::Resize(w, h))) => {
                    last = None;
                    Some(ui::resize(Rect::new(0, 0, w, h), &app))
                }
                Some(Ok(_)) => None,
                Some(Err(e)) => Some(Action::Signal(signals.soon().await.ok_or(e)?)),
                // The terminal went away (SSH dropped): nothing left to show.
                None => match signals.soon().await {
                    Some(s) => Some(Action::Signal(s)),
                    None => return Ok(None),
                },
            },
            s = signals.next() => Some(Action::Signal(s)),
            Some(a) = rx.recv() => Some(a),
            _ = clock.tick() => Some(Action::Tick(jiff::Timestamp::now())),
            }
        };
        if let Some(Action::Signal(s)) = &action {
            ended_by = Some(*s);
        }
        let mut batch: Vec<Action> = action.into_iter().collect();
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(a) => batch.push(a),
                Err(_) => break,
            }
        }
        apply(&mut app, runner, batch);
    }
}
