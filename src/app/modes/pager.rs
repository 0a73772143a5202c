//! The help screen and the error log: text to scroll through and close. Details scrolls the
//! same way, with keys of its own on top (see `details`).

use crate::app::keys::{Binding, Key, lookup};
use crate::app::quit;
use crate::app::{App, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Close,
    Quit,
}

/// How far a page key moves: overlays are at least this tall on any usable terminal.
const PAGE: u16 = 10;

/// Keys that close a pager: each opening key closes what it opened, and enter, esc and q
/// close anything, so a user never needs to know which one is open.
pub(super) const CLOSE: &[Key] = &[
    Key::Esc,
    Key::Enter,
    Key::Char('q'),
    Key::Char('?'),
    Key::Char('e'),
];

pub const KEYS: &[Binding<Page>] = &[
    Binding::new(&[Key::Char('j'), Key::Down], Page::Down, "scroll down").hint("scroll"),
    Binding::new(&[Key::Char('k'), Key::Up], Page::Up, "scroll up").hint("scroll"),
    Binding::new(
        &[Key::PageDown, Key::Char(' ')],
        Page::PageDown,
        "a page down",
    ),
    Binding::new(&[Key::PageUp], Page::PageUp, "a page up"),
    Binding::new(&[Key::Char('g'), Key::Home], Page::Top, "back to the top"),
    Binding::new(
        &[Key::Char('G'), Key::End],
        Page::Bottom,
        "to the last line",
    ),
    Binding::new(CLOSE, Page::Close, "close").hint("close"),
    Binding::new(&[Key::Ctrl('c')], Page::Quit, "quit lrotop"),
];

pub const HINTS: &[&[Page]] = &[&[Page::Down, Page::Up], &[Page::Close]];

pub(super) fn on_key(app: &mut App, key: Key) {
    if let Some(p) = lookup(KEYS, key) {
        page(app, p);
    }
}

/// One pager command on whichever of help, the error log or details is open.
pub(super) fn page(app: &mut App, p: Page) {
    let (Mode::Details { scroll } | Mode::Help { scroll } | Mode::ErrorLog { scroll }) =
        &mut app.mode
    else {
        return;
    };
    match p {
        Page::Down => *scroll = scroll.saturating_add(1),
        Page::Up => *scroll = scroll.saturating_sub(1),
        Page::PageDown => *scroll = scroll.saturating_add(PAGE),
        Page::PageUp => *scroll = scroll.saturating_sub(PAGE),
        Page::Top => *scroll = 0,
        // As far as it goes: the drawing stops at the last line, and the runtime's
        // `ScrollLimit` brings the number back to it.
        Page::Bottom => *scroll = u16::MAX,
        Page::Close => app.mode = Mode::Normal,
        Page::Quit => {
            app.mode = Mode::Normal;
            quit::request(app);
        }
    }
}
