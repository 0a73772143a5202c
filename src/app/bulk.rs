//! Marks and bulk actions: what gets marked, what a confirmation counts, how results add up.
//!
//! Marks are keyed by operation name, never by row position, so sorting, filtering and
//! refreshing cannot move a mark onto another operation. Only what is visible is acted on:
//! marked rows hidden by the filter are counted in the dialog and left alone.

use super::row::CancelTrack;
use super::{App, Confirm, Confirmed, Effect, Level, Mode, Typed};
use crate::api::{ApiError, OperationName};
use std::collections::{BTreeSet, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MutationKind {
    Cancel,
    Delete,
}

impl MutationKind {
    pub fn verb(self) -> &'static str {
        match self {
            MutationKind::Cancel => "cancel",
            MutationKind::Delete => "delete",
        }
    }
}

/// A confirmed bulk action under way.
#[derive(Clone, Debug, PartialEq)]
pub struct Bulk {
    pub kind: MutationKind,
    pub total: usize,
    pub pending: HashSet<String>,
    pub accepted: usize,
    pub refused: usize,
    pub failed: usize,
}

impl Bulk {
    pub fn progress(&self) -> String {
        format!(
            "{} {}: {} sent · {} accepted · {} refused · {} failed",
            self.kind.verb(),
            self.total,
            self.total - self.pending.len(),
            self.accepted,
            self.refused,
            self.failed
        )
    }
}

const LISTED: usize = 5;

fn listing(names: &[OperationName]) -> Vec<String> {
    let mut lines: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|n| format!("  {n}"))
        .collect();
    if names.len() > LISTED {
        lines.push(format!("  … and {} more", names.len() - LISTED));
    }
    lines
}

pub(crate) fn toggle_mark(app: &mut App) {
    let Some((name, state)) = app.selected_row().map(|r| (r.op.name.clone(), r.state)) else {
        return;
    };
    if app.marks.remove(&name) {
        app.mark_anchor = Some(name);
    } else if state.is_active() {
        app.marks.insert(name.clone());
        app.mark_anchor = Some(name);
    } else {
        let text = format!(
            "{} is {}: only running operations can be marked",
            short(&name),
            state.word()
        );
        app.say(Level::Info, text);
        return;
    }
    // Like most pickers: mark, then move on to the next row.
    if app.selected + 1 < app.view.len() {
        app.selected += 1;
        app.keep_selection_visible();
    }
}

/// Marks every active row between the anchor (the last row toggled) and the selection.
pub(crate) fn mark_range(app: &mut App) {
    let Some(sel) = app.selected_row().map(|r| r.op.name.clone()) else {
        return;
    };
    let from = app
        .mark_anchor
        .as_ref()
        .and_then(|a| app.view.iter().position(|i| app.rows[*i].op.name == *a))
        .unwrap_or(app.selected);
    let (lo, hi) = (from.min(app.selected), from.max(app.selected));
    let mut added = 0;
    for i in &app.view[lo..=hi] {
        let r = &app.rows[*i];
        if r.state.is_active() && app.marks.insert(r.op.name.clone()) {
            added += 1;
        }
    }
    app.mark_anchor = Some(sel);
    app.say(
        Level::Info,
        format!("marked {added} more ({} marked)", app.marks.len()),
    );
}

pub(crate) fn mark_all_visible(app: &mut App) {
    let before = app.marks.len();
    for i in &app.view {
        let r = &app.rows[*i];
        if r.state.is_active() {
            app.marks.insert(r.op.name.clone());
        }
    }
    let text = format!(
        "marked {} visible running operations ({} marked)",
        app.marks.len() - before,
        app.marks.len()
    );
    app.say(Level::Info, text);
}

pub(crate) fn clear_marks(app: &mut App) {
    let n = app.marks.len();
    app.marks.clear();
    app.mark_anchor = None;
    app.say(Level::Info, format!("cleared {n} marks"));
}

/// Marked rows in the view, in view order, and how many marks the filter hides.
fn visible_marked(app: &App) -> (Vec<usize>, usize) {
    let visible: Vec<usize> = app
        .view
        .iter()
        .copied()
        .filter(|i| app.marks.contains(&app.rows[*i].op.name))
        .collect();
    let hidden = app.marks.len() - visible.len();
    (visible, hidden)
}

/// Typed confirmation for large or protected actions: a protected project's alias when one
/// is involved, otherwise the count when it passes the threshold.
pub(crate) fn typed_for(app: &App, names: &[OperationName]) -> Option<Typed> {
    let protected: BTreeSet<&str> = names
        .iter()
        .map(|n| n.project())
        .filter(|p| app.settings.protected(p))
        .collect();
    let expected = match protected.iter().next() {
        Some(p) if protected.len() == 1 => app.settings.protect_word(p),
        _ if !protected.is_empty() || names.len() > app.settings.bulk_confirm_threshold => {
            names.len().to_string()
        }
        _ => return None,
    };
    Some(Typed {
        expected,
        input: String::new(),
    })
}

fn busy(app: &mut App) -> bool {
    if app.bulk.is_some() {
        app.say(
            Level::Warn,
            "a bulk action is still under way; wait for it to finish",
        );
        return true;
    }
    false
}

pub(crate) fn start_bulk_cancel(app: &mut App) {
    if app.settings.read_only {
        app.say(Level::Warn, "read-only mode: cancel is disabled");
        return;
    }
    if app.marks.is_empty() {
        app.say(
            Level::Info,
            "nothing marked: space marks a row, * marks every visible one",
        );
        return;
    }
    if busy(app) {
        return;
    }
    let (visible, hidden) = visible_marked(app);
    let (mut send, mut skipped, mut read_only) = (Vec::new(), 0, 0);
    for i in visible {
        let r = &app.rows[i];
        let under_way = matches!(r.cancel, CancelTrack::Sending | CancelTrack::Pending(_));
        if !r.state.is_active() || under_way {
            skipped += 1;
        } else if app.settings.project_read_only(r.op.project()) {
            read_only += 1;
        } else if let Ok(n) = OperationName::parse(&r.op.name) {
            send.push(n);
        }
    }
    let mut lines = vec![format!("{} will be sent a cancel request.", send.len())];
    if hidden > 0 {
        lines.push(format!("{hidden} marked are hidden by the filter and will not be sent (clear the filter to include them)."));
    }
    if skipped > 0 {
        lines.push(format!(
            "{skipped} skipped: already done, or a cancel is already under way."
        ));
    }
    if read_only > 0 {
        lines.push(format!(
            "{read_only} in read-only projects will not be sent."
        ));
    }
    if send.is_empty() {
        app.say(Level::Info, lines.join(" "));
        return;
    }
    lines.push(String::new());
    lines.extend(listing(&send));
    lines.push(String::new());
    lines.push(
        "Cancel is best effort: the server may refuse it, or an operation may finish anyway."
            .into(),
    );
    let typed = typed_for(app, &send);
    app.mode = Mode::Confirm(Confirm {
        title: format!("Cancel {} operations?", send.len()),
        lines,
        yes_label: format!("Cancel {}", send.len()),
        typed,
        on_yes: Confirmed::CancelMany(send),
        yes_focused: false,
    });
}

pub(crate) fn start_delete(app: &mut App) {
    if app.settings.read_only {
        app.say(Level::Warn, "read-only mode: delete is disabled");
        return;
    }
    if busy(app) {
        return;
    }
    let (rows, hidden) = if app.marks.is_empty() {
        (app.view.get(app.selected).copied().into_iter().collect(), 0)
    } else {
        visible_marked(app)
    };
    let mut names = Vec::new();
    let mut read_only = 0;
    for i in rows {
        let r = &app.rows[i];
        if app.settings.project_read_only(r.op.project()) {
            read_only += 1;
        } else if let Ok(n) = OperationName::parse(&r.op.name) {
            names.push(n);
        }
    }
    if names.is_empty() {
        let text = if read_only > 0 {
            "read-only project: delete is disabled"
        } else {
            "nothing to delete"
        };
        app.say(Level::Info, text);
        return;
    }
    let running = names
        .iter()
        .filter(|n| app.row(&n.to_string()).is_some_and(|r| r.state.is_active()))
        .count();
    let mut lines = vec![
        format!("{} operation record(s) will be deleted.", names.len()),
        "Delete removes the record only. It does NOT cancel: a running operation keeps running."
            .into(),
    ];
    if running > 0 {
        lines.push(format!(
            "{running} of them are still running (use C or c to cancel instead)."
        ));
    }
    if hidden > 0 {
        lines.push(format!(
            "{hidden} marked are hidden by the filter and will not be deleted."
        ));
    }
    if read_only > 0 {
        lines.push(format!(
            "{read_only} in read-only projects will not be deleted."
        ));
    }
    lines.push(String::new());
    lines.extend(listing(&names));
    let typed = typed_for(app, &names);
    app.mode = Mode::Confirm(Confirm {
        title: format!("Delete {} operation record(s)?", names.len()),
        lines,
        yes_label: format!("Delete {}", names.len()),
        typed,
        on_yes: Confirmed::Delete(names),
        yes_focused: false,
    });
}

/// Sends what was confirmed, re-checking each row: one may have finished while the dialog
/// was open.
pub(crate) fn confirmed_bulk(
    app: &mut App,
    kind: MutationKind,
    names: Vec<OperationName>,
    fx: &mut Vec<Effect>,
) {
    let now = app.now;
    let mut send = Vec::new();
    let mut skipped = 0;
    for n in names {
        let key = n.to_string();
        match app.row_mut(&key) {
            Some(r) if kind == MutationKind::Delete || r.state.is_active() => {
                if kind == MutationKind::Cancel {
                    r.cancel = CancelTrack::Sending;
                    r.restate(now);
                }
                send.push(n);
            }
            _ => skipped += 1,
        }
    }
    for n in &send {
        app.marks.remove(&n.to_string());
    }
    if skipped > 0 {
        app.log_line(format!(
            "{}: {skipped} skipped, finished or gone since confirming",
            kind.verb()
        ));
    }
    if send.is_empty() {
        app.say(Level::Info, "nothing left to send: they finished meanwhile");
        return;
    }
    app.bulk = Some(Bulk {
        kind,
        total: send.len(),
        pending: send.iter().map(|n| n.to_string()).collect(),
        accepted: 0,
        refused: 0,
        failed: 0,
    });
    fx.push(match kind {
        MutationKind::Cancel => Effect::CancelMany { names: send },
        MutationKind::Delete => Effect::Delete { names: send },
    });
    app.rebuild();
}

/// Counts one answer of a bulk action; the last one leaves a summary in the log.
pub(crate) fn record(app: &mut App, kind: MutationKind, name: &str, result: &Result<(), ApiError>) {
    let Some(b) = app.bulk.as_mut().filter(|b| b.kind == kind) else {
        return;
    };
    if !b.pending.remove(name) {
        return;
    }
    match result {
        Ok(()) => b.accepted += 1,
        Err(e) if e.is_refusal() => b.refused += 1,
        Err(_) => b.failed += 1,
    }
    if b.pending.is_empty() {
        let summary = format!(
            "bulk {}: {} sent, {} accepted, {} refused, {} failed",
            b.kind.verb(),
            b.total,
            b.accepted,
            b.refused,
            b.failed
        );
        let level = if b.refused + b.failed == 0 {
            Level::Success
        } else {
            Level::Warn
        };
        app.bulk = None;
        // Warnings reach the log through `say`; a clean run is logged here.
        if level == Level::Success {
            app.log_line(summary.clone());
        }
        app.say_sticky(level, summary);
    }
}

pub(crate) fn short(name: &str) -> String {
    let id = name.rsplit('/').next().unwrap_or(name);
    let n = id.chars().count();
    if n <= 12 {
        return id.to_string();
    }
    let tail: String = id.chars().skip(n - 12).collect();
    format!("…{tail}")
}
