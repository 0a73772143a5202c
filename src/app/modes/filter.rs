//! The filter prompt (`/`): every other key is typed into the filter.

use crate::app::filter::Filter;
use crate::app::keys::{Binding, Key, lookup};
use crate::app::{App, Level, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    Keep,
    Undo,
    Erase,
}

pub const KEYS: &[Binding<Prompt>] = &[
    Binding::new(
        &[Key::Enter],
        Prompt::Keep,
        "keep the filter and close the prompt",
    )
    .hint("keep"),
    Binding::new(
        &[Key::Esc, Key::Ctrl('c')],
        Prompt::Undo,
        "back to the filter there was before",
    )
    .hint("undo"),
    Binding::new(&[Key::Backspace], Prompt::Erase, "erase the last character"),
];

pub const HINTS: &[&[Prompt]] = &[&[Prompt::Keep], &[Prompt::Undo]];

pub(super) fn on_key(app: &mut App, key: Key) {
    let Mode::FilterInput { text, previous } = &mut app.mode else {
        return;
    };
    match (lookup(KEYS, key), key) {
        (Some(Prompt::Keep), _) => {
            let t = std::mem::take(text);
            app.mode = Mode::Normal;
            // What is applied is the last text that parsed; say why the rest did not.
            if let Err(e) = Filter::parse(&t) {
                app.say(Level::Error, format!("filter: {e}"));
            }
            return;
        }
        (Some(Prompt::Undo), _) => {
            let p = std::mem::take(previous);
            app.mode = Mode::Normal;
            app.filter = Filter::parse(&p).unwrap_or_default();
            app.rebuild();
            return;
        }
        (Some(Prompt::Erase), _) => {
            text.pop();
        }
        (None, Key::Char(c)) => text.push(c),
        (None, _) => return,
    }
    // Filters apply as they are typed; a half-typed predicate keeps the last good one.
    if let Ok(f) = Filter::parse(text) {
        app.filter = f;
        app.selected = 0;
        app.rebuild();
    }
}
