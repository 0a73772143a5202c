//! The terminal: crossterm events, the app's actions and a one-second clock under one
//! `select!`. It draws only when the rendered screen differs from the last one drawn, so an
//! idle dashboard writes nothing.

mod clipboard;

use crate::app::keys::Key;
use crate::app::{Action, App, Effect, update_batch};
use crate::sync::Runner;
use crate::ui::{self, Theme};
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::time::Duration;
use tokio::sync::mpsc;

/// Actions handled before the screen is looked at again, so a burst of answers (forty
/// locations refreshing) costs one frame, not forty.
const BATCH: usize = 256;

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

/// Owns the terminal from start to finish; it is restored on every way out, panics included
/// (ratatui's hook, installed by `try_init`, restores before the panic is reported).
pub async fn run(
    app: App,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Action>,
    theme: Theme,
) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, app, &runner, rx, theme).await;
    ratatui::restore();
    result
}

fn apply(app: &mut App, runner: &Runner, actions: Vec<Action>) {
    for effect in update_batch(app, actions) {
        match effect {
            Effect::Quit => {}
            Effect::Copy { name } => {
                use std::io::Write;
                let seq = clipboard::osc52(&name, std::env::var_os("TMUX").is_some());
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(seq.as_bytes()).and_then(|_| out.flush());
            }
            other => runner.run(other),
        }
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    runner: &Runner,
    mut rx: mpsc::UnboundedReceiver<Action>,
    theme: Theme,
) -> std::io::Result<()> {
    let mut events = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let size = terminal.size()?;
    let table_rows = ui::table_rows(Rect::new(0, 0, size.width, size.height), &app);
    apply(&mut app, runner, vec![Action::Resize { table_rows }]);
    let mut last: Option<Buffer> = None;
    let screen = ui::Screen::default();
    // For the test that proves the terminal is restored after a panic.
    let panic_after_first_frame = std::env::var_os("LROTOP_TEST_PANIC").is_some();
    loop {
        let size = terminal.size()?;
        let area = Rect::new(0, 0, size.width, size.height);
        let mut frame = Buffer::empty(area);
        screen.render(&app, theme, area, &mut frame);
        if last.as_ref() != Some(&frame) {
            terminal.draw(|f| screen.draw(f, &app, theme))?;
            last = Some(frame);
        }
        if panic_after_first_frame {
            panic!("LROTOP_TEST_PANIC is set");
        }
        if app.quit {
            return Ok(());
        }
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => key_of(k).map(Action::Key),
                Some(Ok(Event::Resize(w, h))) => {
                    last = None;
                    Some(Action::Resize { table_rows: ui::table_rows(Rect::new(0, 0, w, h), &app) })
                }
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                // The terminal went away (SSH dropped): nothing left to show.
                None => return Ok(()),
            },
            Some(a) = rx.recv() => Some(a),
            _ = clock.tick() => Some(Action::Tick(jiff::Timestamp::now())),
        };
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
