//! The main screen: the locations and operations panes.

use crate::api::OperationName;
use crate::app::bulk;
use crate::app::keys::{Binding, Key, lookup};
use crate::app::quit;
use crate::app::schedule::schedule;
use crate::app::{App, Effect, Level, MIN_INTERVAL, Mode, Pane};
use std::time::Duration;

/// Refresh intervals `+` and `-` step through.
const INTERVALS: [u64; 10] = [1, 2, 3, 5, 10, 15, 30, 60, 120, 300];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    SwitchPane,
    ToggleLocations,
    Details,
    Cancel,
    Filter,
    ClearFilter,
    SortNext,
    SortReverse,
    ActiveOnly,
    Refresh,
    Pause,
    Faster,
    Slower,
    Help,
    Mark,
    MarkRange,
    MarkAll,
    ClearMarks,
    CancelMarked,
    Delete,
    Copy,
    Open,
    Watch,
    NextView,
    ErrorLog,
    SwitchProject,
    Quit,
}

use Command as C;

pub const KEYS: &[Binding<Command>] = &[
    Binding::new(&[Key::Char('j'), Key::Down], C::Down, "move down"),
    Binding::new(&[Key::Char('k'), Key::Up], C::Up, "move up"),
    Binding::new(&[Key::Char('g'), Key::Home], C::Top, "go to the first row"),
    Binding::new(&[Key::Char('G'), Key::End], C::Bottom, "go to the last row"),
    Binding::new(&[Key::PageDown, Key::Ctrl('f')], C::PageDown, "page down"),
    Binding::new(&[Key::PageUp, Key::Ctrl('b')], C::PageUp, "page up"),
    Binding::new(
        &[Key::Tab, Key::BackTab],
        C::SwitchPane,
        "switch between locations and operations",
    )
    .hint("pane"),
    Binding::new(
        &[Key::Char('L')],
        C::ToggleLocations,
        "show or hide the locations pane (narrow terminals hide it)",
    )
    .hint("locations"),
    Binding::new(
        &[Key::Enter],
        C::Details,
        "details of the selected operation",
    )
    .hint("details"),
    Binding::new(
        &[Key::Char('c')],
        C::Cancel,
        "cancel the selected operation (asks first)",
    )
    .hint("cancel")
    .mutating(),
    Binding::new(
        &[Key::Char(' ')],
        C::Mark,
        "mark or unmark the selected operation",
    )
    .hint("mark"),
    Binding::new(
        &[Key::Char('V')],
        C::MarkRange,
        "mark the range from the last marked row to here",
    ),
    Binding::new(
        &[Key::Char('*')],
        C::MarkAll,
        "mark every visible operation (C cancels only the running ones)",
    ),
    Binding::new(&[Key::Char('u')], C::ClearMarks, "clear all marks").hint("clear marks"),
    Binding::new(
        &[Key::Char('C')],
        C::CancelMarked,
        "cancel the marked operations (asks first)",
    )
    .hint("cancel marked")
    .mutating(),
    Binding::new(
        &[Key::Char('D')],
        C::Delete,
        "delete the records of the marked (or selected) operations; does not cancel",
    )
    .hint("delete records")
    .mutating(),
    Binding::new(
        &[Key::Char('y')],
        C::Copy,
        "copy the selected operation's name (OSC 52, works over SSH)",
    ),
    Binding::new(
        &[Key::Char('o')],
        C::Open,
        "the console link of the selected operation: shown, copied",
    ),
    Binding::new(
        &[Key::Char('w')],
        C::Watch,
        "watch the marked (or selected): bell and notification when done",
    ),
    Binding::new(
        &[Key::Char('v')],
        C::NextView,
        "the next saved view ([[view]]s of the config), then none",
    ),
    Binding::new(
        &[Key::Char('e')],
        C::ErrorLog,
        "error log: the last 100 errors and bulk summaries",
    ),
    Binding::new(
        &[Key::Char('P'), Key::Char(':')],
        C::SwitchProject,
        "switch project (fuzzy: type part of an alias or id)",
    ),
    Binding::new(
        &[Key::Char('/')],
        C::Filter,
        "filter: text, state=, verb=, location=, project=, service=",
    )
    .hint("filter"),
    Binding::new(&[Key::Esc], C::ClearFilter, "clear the filter"),
    Binding::new(&[Key::Char('s')], C::SortNext, "sort by the next column").hint("sort"),
    Binding::new(&[Key::Char('S')], C::SortReverse, "reverse the sort"),
    Binding::new(
        &[Key::Char('f')],
        C::ActiveOnly,
        "show only active operations",
    )
    .hint("active"),
    Binding::new(&[Key::Char('r')], C::Refresh, "refresh now"),
    Binding::new(&[Key::Char('p')], C::Pause, "pause or resume refreshing"),
    Binding::new(
        &[Key::Char('+'), Key::Char('=')],
        C::Slower,
        "refresh less often",
    ),
    Binding::new(
        &[Key::Char('-')],
        C::Faster,
        "refresh more often (at least every 1s)",
    ),
    Binding::new(&[Key::Char('?')], C::Help, "this help").hint("help"),
    Binding::new(
        &[Key::Char('q'), Key::Ctrl('c')],
        C::Quit,
        "quit (asks first while a bulk action waits for answers)",
    )
    .hint("quit"),
];

/// The footer, nothing marked: the keys for one operation.
pub const HINTS: &[&[Command]] = &[
    &[C::Cancel],
    &[C::Mark],
    &[C::Details],
    &[C::Filter],
    &[C::SortNext],
    &[C::ActiveOnly],
    &[C::SwitchPane],
    &[C::Help],
    &[C::Quit],
];

/// The footer while rows are marked: the keys that act on the marks.
pub const HINTS_MARKED: &[&[Command]] = &[
    &[C::CancelMarked],
    &[C::Mark],
    &[C::ClearMarks],
    &[C::Delete],
    &[C::Filter],
    &[C::Help],
    &[C::Quit],
];

/// The footer's groups: while the locations pane is hidden, the key that brings it back
/// comes first (a narrow terminal, where it hides, cuts the footer's end) in place of tab's.
pub fn hint_groups(marked: bool, locations_hidden: bool) -> Vec<&'static [Command]> {
    let mut groups: Vec<&'static [Command]> = if marked {
        HINTS_MARKED.to_vec()
    } else {
        HINTS.to_vec()
    };
    if locations_hidden {
        groups.retain(|g| *g != [C::SwitchPane]);
        groups.insert(0, &[C::ToggleLocations]);
    }
    groups
}

/// The first key bound to `cmd`: what a sentence names when it points the user to it.
pub fn key_for(cmd: Command) -> Option<Key> {
    KEYS.iter()
        .find(|b| b.command == cmd)
        .and_then(|b| b.keys.first().copied())
}

pub(super) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    if let Some(cmd) = lookup(KEYS, key) {
        run(app, cmd, fx);
    }
}

fn run(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    let page = app.table_rows.max(1);
    match cmd {
        Command::Down
        | Command::Up
        | Command::Top
        | Command::Bottom
        | Command::PageDown
        | Command::PageUp => {
            let entries = app.location_entries();
            let (pos, len) = match app.focus {
                Pane::Locations => (
                    entries
                        .iter()
                        .position(|e| *e == app.location_sel)
                        .unwrap_or(0),
                    entries.len(),
                ),
                Pane::Operations => (app.selected, app.view.len()),
            };
            let last = len.saturating_sub(1);
            let to = match cmd {
                Command::Down => (pos + 1).min(last),
                Command::Up => pos.saturating_sub(1),
                Command::Top => 0,
                Command::Bottom => last,
                Command::PageDown => (pos + page).min(last),
                _ => pos.saturating_sub(page),
            };
            match app.focus {
                Pane::Locations => {
                    let to = entries.get(to).copied().unwrap_or(0);
                    if to != app.location_sel {
                        app.location_sel = to;
                        app.selected = 0;
                        app.offset = 0;
                        app.rebuild();
                    }
                }
                Pane::Operations => {
                    app.selected = to;
                    app.keep_selection_visible();
                }
            }
        }
        Command::SwitchPane => {
            app.focus = match app.focus {
                Pane::Locations => Pane::Operations,
                // A hidden pane comes back to be used.
                Pane::Operations => {
                    if !app.locations_shown() {
                        app.locations_pane = Some(true);
                    }
                    Pane::Locations
                }
            }
        }
        Command::ToggleLocations => {
            let shown = !app.locations_shown();
            app.locations_pane = Some(shown);
            if !shown {
                app.focus = Pane::Operations;
            }
            let text = if shown {
                "locations pane shown (L hides it)"
            } else {
                "locations pane hidden (L shows it)"
            };
            app.say(Level::Info, text);
        }
        Command::Details => match app.focus {
            Pane::Locations => app.focus = Pane::Operations,
            Pane::Operations => {
                if app.selected_row().is_some() {
                    app.mode = Mode::Details { scroll: 0 };
                }
            }
        },
        Command::Cancel => bulk::start_cancel(app),
        Command::Filter => {
            let current = app.filter.as_str().to_string();
            app.mode = Mode::FilterInput {
                cursor: current.chars().count(),
                text: current.clone(),
                previous: current,
            };
        }
        Command::ClearFilter => {
            if !app.filter.is_empty() {
                app.filter = crate::app::filter::Filter::default();
                app.rebuild();
                app.say(Level::Info, "filter cleared (/ sets one)");
            }
        }
        Command::SortNext => {
            app.sort = app.next_sort();
            app.rebuild();
            app.say(Level::Info, format!("sorted by {}", app.sort.title()));
        }
        Command::SortReverse => {
            app.reverse = !app.reverse;
            app.rebuild();
        }
        Command::ActiveOnly => {
            app.active_only = !app.active_only;
            app.selected = 0;
            app.rebuild();
            let text = if app.active_only {
                "showing active operations only"
            } else {
                "showing all operations"
            };
            app.say(Level::Info, text);
        }
        Command::Refresh => {
            schedule(app, fx, true);
            app.say(Level::Info, "refreshing");
        }
        Command::Pause => {
            app.paused = !app.paused;
            let text = if app.paused {
                "paused: press p to resume"
            } else {
                "resumed"
            };
            app.say(Level::Info, text);
            if !app.paused {
                schedule(app, fx, false);
            }
        }
        Command::Faster | Command::Slower => {
            let cur = app.settings.interval.as_secs();
            let next = if cmd == Command::Faster {
                INTERVALS
                    .iter()
                    .rev()
                    .find(|s| **s < cur)
                    .copied()
                    .unwrap_or(INTERVALS[0])
            } else {
                INTERVALS.iter().find(|s| **s > cur).copied().unwrap_or(cur)
            };
            app.settings.interval = Duration::from_secs(next).max(MIN_INTERVAL);
            let soonest = app.now + app.settings.interval;
            for t in &mut app.targets {
                if t.failures == 0 {
                    t.next_due = t.next_due.map(|d| d.min(soonest));
                }
            }
            app.say(Level::Info, format!("refreshing every {next}s"));
        }
        Command::Help => app.mode = Mode::Help { scroll: 0 },
        Command::Mark => bulk::toggle_mark(app),
        Command::MarkRange => bulk::mark_range(app),
        Command::MarkAll => bulk::mark_all_visible(app),
        Command::ClearMarks => bulk::clear_marks(app),
        Command::CancelMarked => bulk::start_bulk_cancel(app),
        Command::Delete => bulk::start_delete(app),
        Command::Copy => match app.selected_row().map(|r| OperationName::parse(&r.op.name)) {
            Some(Ok(name)) => {
                app.say(Level::Info, format!("copied {name}"));
                fx.push(Effect::Copy { name });
            }
            Some(Err(e)) => app.say(Level::Warn, format!("not copied: {e}")),
            None => app.say(Level::Info, "no operation selected"),
        },
        Command::Open => crate::app::link::open(app, fx),
        Command::Watch => crate::app::watch::toggle(app),
        Command::NextView => crate::app::saved::next(app),
        Command::ErrorLog => app.mode = Mode::ErrorLog { scroll: 0 },
        Command::SwitchProject => {
            app.mode = Mode::ProjectPicker {
                query: String::new(),
                selected: 0,
            }
        }
        Command::Quit => quit::request(app),
    }
}
