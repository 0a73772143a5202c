//! Modes: what the keys mean depends on what is open. Each mode owns a key table, the
//! handler that dispatches through it, and the groups its hint line shows; the help screen
//! and every hint line are generated from those tables (as gitui's popups own both their
//! `event` and their `commands`), so a key cannot do one thing and be shown as another.

pub mod confirm;
pub mod details;
pub mod filter;
pub mod link;
pub mod pager;
pub mod picker;
pub mod table;
pub mod typed;

use super::keys::{Binding, HelpRow, HintItem, Key, help_rows, hints_where};
use super::{App, Effect, Mode};

/// A mode by its keys: the help and error log screens scroll and close alike, so they share
/// one table; a confirmation is plain or typed by whether it asks for a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModeKind {
    Table,
    Details,
    Filter,
    Picker,
    Confirm,
    TypedConfirm,
    Pager,
    Link,
}

impl ModeKind {
    /// In the order the help screen lists them.
    pub const ALL: [ModeKind; 8] = [
        ModeKind::Table,
        ModeKind::Details,
        ModeKind::Filter,
        ModeKind::Picker,
        ModeKind::Confirm,
        ModeKind::TypedConfirm,
        ModeKind::Pager,
        ModeKind::Link,
    ];

    /// The help screen's heading for the mode's keys.
    pub fn title(self) -> &'static str {
        match self {
            ModeKind::Table => "Keys",
            ModeKind::Details => "Details (enter)",
            ModeKind::Filter => "Filter prompt (/): other keys type",
            ModeKind::Picker => "Project picker (P or :): other keys narrow",
            ModeKind::Confirm => "Confirmation",
            ModeKind::TypedConfirm => "Typed confirmation: other keys type, y included",
            ModeKind::Pager => "Help (?) and error log (e)",
            ModeKind::Link => "Console link (o)",
        }
    }

    /// Every binding of the mode, for the help screen.
    pub fn help(self) -> Vec<HelpRow> {
        match self {
            ModeKind::Table => help_rows(table::KEYS),
            ModeKind::Details => help_rows(details::KEYS),
            ModeKind::Filter => help_rows(filter::KEYS),
            ModeKind::Picker => help_rows(picker::KEYS),
            ModeKind::Confirm => help_rows(confirm::KEYS),
            ModeKind::TypedConfirm => help_rows(typed::KEYS),
            ModeKind::Pager => help_rows(pager::KEYS),
            ModeKind::Link => help_rows(link::KEYS),
        }
    }

    /// The footer's hint line; the main screen's depends on whether rows are marked.
    pub fn hints(self, marked: bool) -> Vec<HintItem> {
        self.hints_in(&Context {
            marked,
            ..Context::default()
        })
    }

    /// The footer's hint line in `cx`: what is marked, whether anything may be changed and
    /// whether the locations pane is hidden (then `L` brings it back).
    pub fn hints_in(self, cx: &Context) -> Vec<HintItem> {
        fn keep<C>(cx: &Context) -> impl Fn(&Binding<C>) -> bool + '_ {
            move |b| !(cx.read_only && b.mutates)
        }
        match self {
            ModeKind::Table => {
                let groups = table::hint_groups(cx.marked, cx.locations_hidden);
                let keep = keep(cx);
                hints_where(table::KEYS, &groups, |b| {
                    keep(b) && !(cx.no_cancel && b.command == table::Command::Cancel)
                })
            }
            ModeKind::Details => hints_where(details::KEYS, details::HINTS, keep(cx)),
            ModeKind::Filter => hints_where(filter::KEYS, filter::HINTS, keep(cx)),
            ModeKind::Picker => hints_where(picker::KEYS, picker::HINTS, keep(cx)),
            ModeKind::Confirm => hints_where(confirm::KEYS, confirm::HINTS, keep(cx)),
            ModeKind::TypedConfirm => hints_where(typed::KEYS, typed::HINTS, keep(cx)),
            ModeKind::Pager => hints_where(pager::KEYS, pager::HINTS, keep(cx)),
            ModeKind::Link => hints_where(link::KEYS, link::HINTS, keep(cx)),
        }
    }

    /// The hint an overlay wears in its border: the footer's, but for a plain confirmation
    /// only its answers.
    pub fn border_hints(self, cx: &Context) -> Vec<HintItem> {
        match self {
            ModeKind::Confirm => hints_where(confirm::KEYS, confirm::BORDER, |_| true),
            other => other.hints_in(cx),
        }
    }
}

impl Mode {
    pub fn kind(&self) -> ModeKind {
        match self {
            Mode::Normal => ModeKind::Table,
            Mode::Details { .. } => ModeKind::Details,
            Mode::Help { .. } | Mode::ErrorLog { .. } => ModeKind::Pager,
            Mode::Confirm(c) if c.typed.is_some() => ModeKind::TypedConfirm,
            Mode::Confirm(_) => ModeKind::Confirm,
            Mode::FilterInput { .. } => ModeKind::Filter,
            Mode::ProjectPicker { .. } => ModeKind::Picker,
            Mode::Link(_) => ModeKind::Link,
        }
    }
}

/// What the hint lines depend on besides the mode.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    pub marked: bool,
    /// Nothing may be changed (`--read-only`, or the project in view is read-only): the
    /// keys that would be refused are not offered.
    pub read_only: bool,
    pub locations_hidden: bool,
    /// The selected operation's API has no Cancel (Cloud Run, Workflows): `c` is not offered.
    pub no_cancel: bool,
}

impl Context {
    pub fn of(app: &App) -> Context {
        Context {
            marked: !app.marks.is_empty(),
            read_only: app.mutations_off(),
            locations_hidden: !app.locations_shown(),
            no_cancel: app
                .selected_row()
                .and_then(|r| app.targets.get(r.target))
                .and_then(|t| t.service.as_ref())
                .is_some_and(|s| !s.has(crate::api::Method::Cancel)),
        }
    }
}

/// The footer of the screen as it is now.
pub fn current_hints(app: &App) -> Vec<HintItem> {
    app.mode.kind().hints_in(&Context::of(app))
}

pub(crate) fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    match app.mode.kind() {
        ModeKind::Table => table::on_key(app, key, fx),
        ModeKind::Details => details::on_key(app, key, fx),
        ModeKind::Filter => filter::on_key(app, key),
        ModeKind::Picker => picker::on_key(app, key, fx),
        ModeKind::Confirm => confirm::on_key(app, key, fx),
        ModeKind::TypedConfirm => typed::on_key(app, key, fx),
        ModeKind::Pager => pager::on_key(app, key),
        ModeKind::Link => link::on_key(app, key, fx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keys::Binding;
    use std::collections::HashSet;

    fn unique<C>(table: &[Binding<C>]) {
        let mut seen = HashSet::new();
        for b in table {
            assert!(!b.keys.is_empty() && b.shown >= 1 && b.shown <= b.keys.len());
            for k in b.keys {
                assert!(seen.insert(*k), "{k:?} bound twice");
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        unique(table::KEYS);
        unique(details::KEYS);
        unique(filter::KEYS);
        unique(picker::KEYS);
        unique(confirm::KEYS);
        unique(typed::KEYS);
        unique(pager::KEYS);
        unique(link::KEYS);
    }

    #[test]
    fn every_hint_names_a_bound_command_with_a_word() {
        for kind in ModeKind::ALL {
            for marked in [false, true] {
                let items = kind.hints(marked);
                assert!(!items.is_empty(), "{kind:?}");
                assert!(items.iter().all(|h| !h.word.is_empty()), "{kind:?}");
            }
        }
        // Quitting is named where it works: ctrl-c is in help, `q` in the footer.
        let quit = table::KEYS
            .iter()
            .find(|b| b.command == table::Command::Quit)
            .map(|b| b.label());
        assert_eq!(quit.as_deref(), Some("q/ctrl-c"));
    }

    #[test]
    fn text_modes_bind_no_printable_key() {
        // A printable key bound in a mode that types would be untypeable there.
        for keys in [
            filter::KEYS.iter().map(|b| b.keys).collect::<Vec<_>>(),
            typed::KEYS.iter().map(|b| b.keys).collect(),
            picker::KEYS.iter().map(|b| b.keys).collect(),
        ] {
            assert!(keys.concat().iter().all(|k| !matches!(k, Key::Char(_))));
        }
    }
}
