//! The console link overlay (`o`): close it, or copy the address again.

use crate::app::keys::{Binding, Key, lookup};
use crate::app::{App, Effect, Mode, link, quit};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKey {
    Copy,
    Close,
    Quit,
}

pub const KEYS: &[Binding<LinkKey>] = &[
    Binding::new(
        &[Key::Char('y')],
        LinkKey::Copy,
        "copy the address again (OSC 52)",
    )
    .hint("copy"),
    Binding::new(
        &[Key::Esc, Key::Enter, Key::Char('q'), Key::Char('o')],
        LinkKey::Close,
        "close",
    )
    .hint("close"),
    Binding::new(&[Key::Ctrl('c')], LinkKey::Quit, "quit lrotop"),
];

pub const HINTS: &[&[LinkKey]] = &[&[LinkKey::Copy], &[LinkKey::Close]];

pub(super) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    match lookup(KEYS, key) {
        Some(LinkKey::Copy) => link::copy_again(app, fx),
        Some(LinkKey::Close) => link::close(app),
        Some(LinkKey::Quit) => {
            app.mode = Mode::Normal;
            quit::request(app);
        }
        None => {}
    }
}
