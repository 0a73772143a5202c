//! A confirmation that wants a word typed (the count, or a protected project's alias): every
//! printable key is text here, `y` included, so only enter can say yes.

use super::confirm::accept;
use crate::app::keys::{Binding, Key, lookup};
use crate::app::{App, Effect, Level, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typing {
    Confirm,
    Cancel,
    Erase,
}

pub const KEYS: &[Binding<Typing>] = &[
    Binding::new(
        &[Key::Enter],
        Typing::Confirm,
        "confirm, when what is typed is the word asked for",
    )
    .hint("confirm"),
    Binding::new(
        &[Key::Esc, Key::Ctrl('c')],
        Typing::Cancel,
        "close, nothing is sent",
    )
    .hint("cancel"),
    Binding::new(&[Key::Backspace], Typing::Erase, "erase the last character"),
];

pub const HINTS: &[&[Typing]] = &[&[Typing::Confirm], &[Typing::Cancel]];

pub(super) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    let Mode::Confirm(c) = &mut app.mode else {
        return;
    };
    let Some(t) = c.typed.as_mut() else {
        return;
    };
    match (lookup(KEYS, key), key) {
        (None, Key::Char(ch)) => t.input.push(ch),
        (None, _) => {}
        (Some(Typing::Erase), _) => {
            t.input.pop();
        }
        (Some(Typing::Confirm), _) if t.accepts() => {
            let on_yes = c.on_yes.clone();
            app.mode = Mode::Normal;
            accept(app, on_yes, fx);
        }
        (Some(Typing::Confirm), _) => {
            let want = t.expected.clone();
            app.say(
                Level::Warn,
                format!("type {want} and press enter to confirm, or esc"),
            );
        }
        (Some(Typing::Cancel), _) => {
            app.mode = Mode::Normal;
            app.say(Level::Info, "nothing sent");
        }
    }
}
