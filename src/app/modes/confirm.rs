//! A yes/no question. No has the focus until moved, so enter alone never says yes.

use crate::app::bulk::{self, MutationKind};
use crate::app::keys::{Binding, Key, lookup};
use crate::app::quit;
use crate::app::{App, Confirmed, Effect, Level, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Switch,
    Focused,
}

pub const KEYS: &[Binding<Answer>] = &[
    Binding::new(&[Key::Char('y'), Key::Char('Y')], Answer::Yes, "yes: do it").hint("yes"),
    Binding::new(
        &[
            Key::Char('n'),
            Key::Esc,
            Key::Char('N'),
            Key::Char('q'),
            Key::Ctrl('c'),
        ],
        Answer::No,
        "no: close, nothing is done",
    )
    .hint_keys(2, "no"),
    Binding::new(
        &[
            Key::Tab,
            Key::BackTab,
            Key::Left,
            Key::Right,
            Key::Char('h'),
            Key::Char('l'),
        ],
        Answer::Switch,
        "move the focus between the buttons",
    )
    .hint("switch"),
    Binding::new(
        &[Key::Enter],
        Answer::Focused,
        "the button with the focus (No until moved)",
    ),
];

/// The footer.
pub const HINTS: &[&[Answer]] = &[&[Answer::Yes], &[Answer::No], &[Answer::Switch]];

/// The dialog's border: only the answers, the footer has the rest.
pub const BORDER: &[&[Answer]] = &[&[Answer::Yes], &[Answer::No]];

pub(super) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    let Mode::Confirm(c) = &mut app.mode else {
        return;
    };
    let yes = match lookup(KEYS, key) {
        Some(Answer::Yes) => true,
        Some(Answer::Focused) => c.yes_focused,
        Some(Answer::No) => false,
        Some(Answer::Switch) => {
            c.yes_focused = !c.yes_focused;
            return;
        }
        None => return,
    };
    let on_yes = c.on_yes.clone();
    app.mode = Mode::Normal;
    if yes {
        accept(app, on_yes, fx);
    } else {
        let declined = if on_yes == Confirmed::Quit {
            "not quitting: the bulk action carries on"
        } else {
            "nothing sent"
        };
        app.say(Level::Info, declined);
    }
}

/// What a yes (or the right text typed) sets going.
pub(super) fn accept(app: &mut App, what: Confirmed, fx: &mut Vec<Effect>) {
    match what {
        Confirmed::CancelOne(name) => bulk::confirmed_one(app, name, fx),
        Confirmed::CancelMany(names) => bulk::confirmed_bulk(app, MutationKind::Cancel, names, fx),
        Confirmed::Delete(names) => bulk::confirmed_bulk(app, MutationKind::Delete, names, fx),
        Confirmed::Quit => quit::confirmed(app),
    }
}
