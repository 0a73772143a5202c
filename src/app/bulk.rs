//! Marks and bulk actions: what gets marked, what a confirmation counts, how results add up.
//!
//! Marks are keyed by operation name, never by row position, so sorting, filtering and
//! refreshing cannot move a mark onto another operation. Only what is visible is acted on:
//! marked rows hidden by the filter are counted in the dialog and left alone.

use super::policy::{self, Consent, Decision, Skip};
use super::row::CancelTrack;
use super::{App, Confirm, Confirmed, Effect, Facts, Level, Many, Mode, OneOp, Typed};
use crate::api::{ApiError, OperationName};
use std::collections::HashSet;

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

    /// The Operations method it sends.
    pub fn method(self) -> crate::api::Method {
        match self {
            MutationKind::Cancel => crate::api::Method::Cancel,
            MutationKind::Delete => crate::api::Method::Delete,
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

pub(crate) fn toggle_mark(app: &mut App) {
    let Some((name, foreign)) = app
        .selected_row()
        .map(|r| (r.op.name.clone(), app.is_foreign(r)))
    else {
        return;
    };
    if app.marks.remove(&name) {
        app.mark_anchor = Some(name);
    } else if foreign {
        let text = format!(
            "{} is named outside the location that listed it: it is shown, never acted on",
            short(&name)
        );
        app.say(Level::Warn, text);
        return;
    } else {
        // Finished rows too: `D` cleans up their records; `C` skips them, and says so.
        app.marks.insert(name.clone());
        app.mark_anchor = Some(name);
    }
    // Like most pickers: mark, then move on to the next row.
    if app.selected + 1 < app.view.len() {
        app.selected += 1;
        app.keep_selection_visible();
    }
}

/// Marks every row between the anchor (the last row toggled) and the selection, but the
/// foreign ones.
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
        if !app.is_foreign(r) && app.marks.insert(r.op.name.clone()) {
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
        if !app.is_foreign(r) {
            app.marks.insert(r.op.name.clone());
        }
    }
    let text = format!(
        "marked {} visible operations ({} marked)",
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

/// What the dialog asks to be typed, from what the policy requires: a protected project's
/// word when one is involved, the count when several are or the threshold is passed.
pub(crate) fn typed_for(consent: &Consent) -> Option<Typed> {
    let (expected, also) = match consent {
        Consent::Protected { guards, .. } if guards.len() == 1 => {
            (guards[0].word.clone(), Some(guards[0].project.clone()))
        }
        Consent::Protected { count, .. } | Consent::Count(count) => (count.to_string(), None),
        Consent::Yes | Consent::Nothing => return None,
    };
    Some(Typed {
        expected,
        also,
        input: String::new(),
    })
}

/// The policy's verdict on these rows.
pub(crate) fn decide_rows(
    app: &App,
    kind: MutationKind,
    rows: impl IntoIterator<Item = usize>,
) -> Decision {
    let rules = app.settings.rules();
    policy::decide(
        &rules,
        kind,
        rows.into_iter()
            .filter_map(|i| app.rows.get(i))
            .map(|r| app.candidate(r)),
    )
}

/// The status line when the policy leaves nothing to send: why, in short. (A dialog that
/// opens says it in full; this is the line instead of a dialog.)
fn nothing_to_send(kind: MutationKind, hidden: usize, d: &Decision) -> String {
    let mut why: Vec<String> = Vec::new();
    if hidden > 0 {
        why.push(format!("{hidden} marked are hidden by the filter"));
    }
    for (skip, n) in d.skip_counts() {
        let reason = match skip {
            Skip::Foreign => "listed under another location than their names say (foreign)",
            Skip::BadName => "with unusable names",
            Skip::Done => "already done",
            Skip::UnderWay => "with a cancel already under way",
            Skip::ReadOnly => "in read-only projects",
            Skip::Unsupported => "that their API cannot do",
        };
        why.push(format!("{n} {reason}"));
    }
    format!("nothing to {}: {}", kind.verb(), why.join(", "))
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
    let d = decide_rows(app, MutationKind::Cancel, visible);
    if d.send.is_empty() {
        app.say(
            Level::Info,
            nothing_to_send(MutationKind::Cancel, hidden, &d),
        );
        return;
    }
    app.mode = Mode::Confirm(Confirm {
        facts: Facts::Many(Many {
            kind: MutationKind::Cancel,
            hidden,
            skipped: d.skip_counts(),
            running: 0,
        }),
        typed: typed_for(&d.consent),
        on_yes: Confirmed::CancelMany(d.send),
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
    let d = decide_rows(app, MutationKind::Delete, rows);
    if d.send.is_empty() {
        let text = match d.skipped.first().map(|(_, why)| *why) {
            Some(Skip::ReadOnly) => "read-only project: delete is disabled".to_string(),
            Some(Skip::Foreign) => {
                "a foreign name (listed under another location than it says): never deleted"
                    .to_string()
            }
            _ if d.skipped.is_empty() => "nothing to delete".to_string(),
            _ => nothing_to_send(MutationKind::Delete, hidden, &d),
        };
        app.say(Level::Info, text);
        return;
    }
    let running = d
        .send
        .iter()
        .filter(|n| app.row(&n.to_string()).is_some_and(|r| r.state.is_active()))
        .count();
    app.mode = Mode::Confirm(Confirm {
        facts: Facts::Many(Many {
            kind: MutationKind::Delete,
            hidden,
            skipped: d.skip_counts(),
            running,
        }),
        typed: typed_for(&d.consent),
        on_yes: Confirmed::Delete(d.send),
        yes_focused: false,
    });
}

/// `c`: asks before cancelling the selected operation, or says why it will not.
pub(crate) fn start_cancel(app: &mut App) {
    let Some(r) = app.selected_row() else {
        app.say(Level::Info, "no operation selected");
        return;
    };
    let id = short(&r.op.name);
    let d = decide_rows(
        app,
        MutationKind::Cancel,
        app.view.get(app.selected).copied(),
    );
    let name = match (d.send.first(), d.skipped.first()) {
        (Some(n), _) => n.clone(),
        (None, Some((_, why))) => {
            let (level, text) = match why {
                Skip::ReadOnly if app.settings.read_only => (
                    Level::Warn,
                    "read-only mode: cancel is disabled".to_string(),
                ),
                Skip::ReadOnly => (
                    Level::Warn,
                    format!(
                        "read-only mode for {}: cancel is disabled",
                        app.settings.project_label(r.op.project())
                    ),
                ),
                Skip::Done => (
                    Level::Info,
                    format!("{id} is already {}: nothing sent", r.state.word()),
                ),
                Skip::UnderWay => (
                    Level::Info,
                    format!("a cancel of {id} is already under way"),
                ),
                Skip::Foreign => (
                    Level::Warn,
                    format!("{id} is named outside the location that listed it: never cancelled"),
                ),
                Skip::BadName => (
                    Level::Error,
                    format!("cannot cancel {id}: not a valid operation name"),
                ),
                Skip::Unsupported => (
                    Level::Warn,
                    d.reason(&r.op.name)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{id}: its API cannot cancel it")),
                ),
            };
            app.say(level, text);
            return;
        }
        (None, None) => return,
    };
    let refused = match &r.cancel {
        CancelTrack::Refused(refusal) => Some(refusal.code.clone()),
        _ => None,
    };
    let facts = Facts::One(Box::new(OneOp {
        name: r.op.name.clone(),
        target: r.op.target().to_string(),
        verb: r.op.verb().to_string(),
        state: r.state,
        created: r.op.create_time(),
        refused,
    }));
    app.mode = Mode::Confirm(Confirm {
        facts,
        typed: typed_for(&d.consent),
        on_yes: Confirmed::CancelOne(name),
        yes_focused: false,
    });
}

/// The yes to one cancel: sent, unless the operation finished or went while the dialog was
/// open.
pub(crate) fn confirmed_one(app: &mut App, name: OperationName, fx: &mut Vec<Effect>) {
    let now = app.now;
    let key = name.to_string();
    let Some(i) = app.row_index(&key) else {
        app.say(
            Level::Info,
            format!("{} is gone: nothing sent", short(&key)),
        );
        return;
    };
    // It may have finished while the dialog was open: the policy again, as it is now.
    if decide_rows(app, MutationKind::Cancel, [i]).send.is_empty() {
        let text = format!(
            "{} finished ({}) meanwhile: nothing sent",
            short(&key),
            app.rows[i].state.word()
        );
        app.say(Level::Info, text);
        return;
    }
    let Some(r) = app.rows.get_mut(i) else {
        return;
    };
    r.cancel = CancelTrack::Sending;
    r.restate(now);
    app.marks.remove(&key);
    fx.push(Effect::Cancel { name });
    app.rebuild();
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
    // The policy again, on the rows as they are now: the dialog's answer consents to what it
    // showed, never to more.
    let asked = names.len();
    let rows: Vec<usize> = names
        .iter()
        .filter_map(|n| app.row_index(&n.to_string()))
        .collect();
    let send = decide_rows(app, kind, rows).send;
    let skipped = asked - send.len();
    for n in &send {
        if kind == MutationKind::Cancel
            && let Some(r) = app.row_mut(&n.to_string())
        {
            r.cancel = CancelTrack::Sending;
            r.restate(now);
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
