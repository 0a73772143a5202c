//! The details pane of one operation: a pager that can also cancel what it shows.

use super::pager::{self, Page};
use crate::app::Mode;
use crate::app::bulk;
use crate::app::keys::{Binding, Key, lookup};
use crate::app::{App, Effect};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Details {
    Page(Page),
    Cancel,
    Open,
}

pub const KEYS: &[Binding<Details>] = &[
    Binding::new(
        &[Key::Char('j'), Key::Down],
        Details::Page(Page::Down),
        "scroll down",
    )
    .hint("scroll"),
    Binding::new(
        &[Key::Char('k'), Key::Up],
        Details::Page(Page::Up),
        "scroll up",
    )
    .hint("scroll"),
    Binding::new(
        &[Key::PageDown, Key::Char(' ')],
        Details::Page(Page::PageDown),
        "a page down",
    ),
    Binding::new(&[Key::PageUp], Details::Page(Page::PageUp), "a page up"),
    Binding::new(
        &[Key::Char('g'), Key::Home],
        Details::Page(Page::Top),
        "back to the top",
    ),
    Binding::new(
        &[Key::Char('G'), Key::End],
        Details::Page(Page::Bottom),
        "to the last line",
    ),
    Binding::new(
        &[Key::Char('c')],
        Details::Cancel,
        "cancel this operation (asks first)",
    )
    .hint("cancel")
    .mutating(),
    Binding::new(
        &[Key::Char('o')],
        Details::Open,
        "its console link: shown, copied",
    )
    .hint("console"),
    Binding::new(pager::CLOSE, Details::Page(Page::Close), "close").hint("close"),
    Binding::new(&[Key::Ctrl('c')], Details::Page(Page::Quit), "quit lrotop"),
];

pub const HINTS: &[&[Details]] = &[
    &[Details::Page(Page::Down), Details::Page(Page::Up)],
    &[Details::Cancel],
    &[Details::Open],
    &[Details::Page(Page::Close)],
];

pub(super) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    match lookup(KEYS, key) {
        Some(Details::Page(p)) => pager::page(app, p),
        Some(Details::Cancel) => {
            app.mode = Mode::Normal;
            bulk::start_cancel(app);
        }
        Some(Details::Open) => crate::app::link::open(app, fx),
        None => {}
    }
}
