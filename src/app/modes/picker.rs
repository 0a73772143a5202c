//! The project picker (`P`, `:`): every other key narrows the list.

use crate::app::keys::{Binding, Key, lookup};
use crate::app::schedule::schedule;
use crate::app::{App, Effect, Level, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Previous,
    Next,
    Choose,
    Close,
    Erase,
}

pub const KEYS: &[Binding<Pick>] = &[
    Binding::new(
        &[Key::Up, Key::BackTab, Key::Ctrl('p')],
        Pick::Previous,
        "the match above",
    )
    .hint("move"),
    Binding::new(
        &[Key::Down, Key::Tab, Key::Ctrl('n')],
        Pick::Next,
        "the match below",
    )
    .hint("move"),
    Binding::new(&[Key::Enter], Pick::Choose, "show the chosen project").hint("switch"),
    Binding::new(
        &[Key::Esc, Key::Ctrl('c')],
        Pick::Close,
        "close, keeping the project in view",
    )
    .hint("close"),
    Binding::new(&[Key::Backspace], Pick::Erase, "erase the last character"),
];

pub const HINTS: &[&[Pick]] = &[
    &[Pick::Previous, Pick::Next],
    &[Pick::Choose],
    &[Pick::Close],
];

pub(super) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    let Mode::ProjectPicker { query, selected } = &mut app.mode else {
        return;
    };
    match (lookup(KEYS, key), key) {
        (Some(Pick::Previous), _) => *selected = selected.saturating_sub(1),
        (Some(Pick::Next), _) => *selected += 1,
        (Some(Pick::Erase), _) => {
            query.pop();
            *selected = 0;
        }
        (None, Key::Char(c)) => {
            query.push(c);
            *selected = 0;
        }
        (Some(Pick::Choose), _) => {
            let (query, selected) = (std::mem::take(query), *selected);
            let matches = app.picker_matches(&query);
            // The drawing clamps the selection the same way, so this is the row shown.
            let pick = matches
                .get(selected.min(matches.len().saturating_sub(1)))
                .copied();
            app.mode = Mode::Normal;
            if let Some(scope) = pick {
                switch_project(app, scope, fx);
            }
        }
        (Some(Pick::Close), _) => app.mode = Mode::Normal,
        (None, _) => {}
    }
}

fn switch_project(app: &mut App, scope: Option<usize>, fx: &mut Vec<Effect>) {
    app.project_scope = scope;
    app.location_sel = 0;
    app.selected = 0;
    app.offset = 0;
    app.rebuild();
    let label = match app.scope_project() {
        Some(p) => app.settings.project_label(p),
        None => format!("all {} projects", app.projects.len()),
    };
    app.say(Level::Info, format!("showing {label}"));
    schedule(app, fx, false);
}
