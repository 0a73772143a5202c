//! `update`: the one place state changes.

use super::bulk::{self, MutationKind, short};
use super::keys::{Command, Key, command_for};
use super::policy::Skip;
use super::quit;
use super::row::{CancelTrack, Row, RowState};
use super::schedule::{backoff, schedule, settle};
use super::{
    Action, App, CANCEL_HURRY, CANCEL_POLL, Confirm, Confirmed, Effect, Level, MIN_INTERVAL, Mode,
    Pane, TargetError,
};
use crate::api::time::Stamp;
use crate::api::{ApiError, Code, Operation, OperationName};
use crate::app::filter::Filter;
use std::time::Duration;

/// Refresh intervals `+` and `-` step through.
const INTERVALS: [u64; 10] = [1, 2, 3, 5, 10, 15, 30, 60, 120, 300];

/// Applies a burst of actions (forty locations answering at once), rebuilding the view
/// once at the end instead of after each.
pub fn update_batch(app: &mut App, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    app.batching = true;
    let mut fx = Vec::new();
    for a in actions {
        fx.extend(update(app, a));
    }
    app.batching = false;
    if app.view_stale {
        app.rebuild();
    }
    fx
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    // Keys act on what is on screen: bring a view a batch left stale up to date first.
    if app.view_stale && matches!(action, Action::Key(_) | Action::Resize { .. }) {
        let batching = std::mem::replace(&mut app.batching, false);
        app.rebuild();
        app.batching = batching;
    }
    match action {
        Action::Tick(now) => {
            app.now = now;
            if app.status.as_ref().is_some_and(|s| s.until <= now) {
                app.status = None;
            }
            schedule(app, &mut fx, false);
        }
        Action::Resize { table_rows } => {
            app.table_rows = table_rows.max(1);
            app.keep_selection_visible();
        }
        Action::Key(k) => on_key(app, k, &mut fx),
        Action::Discovered { project, result } => {
            app.discovering.retain(|(p, _)| *p != project);
            match result {
                Ok(locations) if locations.is_empty() => {
                    app.say(
                        Level::Warn,
                        format!("{project}: locations.list returned no locations; pass --location"),
                    );
                }
                Ok(locations) => {
                    app.add_targets(&project, &locations);
                    app.rebuild();
                    schedule(app, &mut fx, false);
                }
                // An API without locations.list (or without the permission): the
                // configured defaults stand in, and the user is told once.
                Err(e)
                    if !app.settings.fallback_locations.is_empty()
                        && matches!(e.code(), Some(Code::NotFound | Code::Unimplemented | Code::PermissionDenied)) =>
                {
                    let fallback = app.settings.fallback_locations.clone();
                    app.say(
                        Level::Warn,
                        format!("{project}: locations.list is not available ({}); using the [defaults] locations", e.badge()),
                    );
                    app.add_targets(&project, &fallback);
                    app.rebuild();
                    schedule(app, &mut fx, false);
                }
                Err(e) => app.say(
                    Level::Error,
                    format!("{project}: cannot discover locations ({e}); pass --location or set them in the config"),
                ),
            }
        }
        Action::Loaded { location, result } => {
            if let Some(target) = app.target_index(&location) {
                match result {
                    Ok(ops) => on_page(app, target, ops, 0, true, true),
                    Err(e) => on_failed(app, target, e),
                }
            }
        }
        Action::Page {
            location,
            ops,
            skipped,
            first,
            last,
        } => {
            if let Some(target) = app.target_index(&location) {
                on_page(app, target, ops, skipped, first, last);
            }
        }
        Action::Got { name, result } => on_got(app, &name, result),
        // The row's own news first, so a finished bulk's summary is what stays on screen.
        Action::CancelSent { name, result } => {
            let outcome = result.as_ref().map(|_| ()).map_err(Clone::clone);
            on_cancel_sent(app, &name, result, &mut fx);
            bulk::record(app, MutationKind::Cancel, &name, &outcome);
        }
        Action::DeleteSent { name, result } => {
            let outcome = result.as_ref().map(|_| ()).map_err(Clone::clone);
            on_delete_sent(app, &name, result);
            bulk::record(app, MutationKind::Delete, &name, &outcome);
        }
        Action::Signal(signal) => quit::signalled(app, signal, &mut fx),
    }
    fx
}

/// A refresh that ended in an error: the rows stay as they were (stale, and marked so),
/// and the location is tried again after a backoff.
fn on_failed(app: &mut App, target: usize, e: ApiError) {
    let now = app.now;
    let interval = app.settings.interval;
    let Some(t) = app.targets.get_mut(target) else {
        return;
    };
    t.in_flight = false;
    t.failures += 1;
    // The request that failed was sent too.
    t.pages_now += 1;
    settle(app, target);
    let Some(t) = app.targets.get_mut(target) else {
        return;
    };
    let wait = backoff(interval, t.failures, target)
        .max(e.status().and_then(|s| s.retry_delay).unwrap_or_default());
    t.next_due = Some(now + wait);
    let fresh = TargetError {
        badge: e.badge(),
        message: e.to_string(),
    };
    let label = t.label.clone();
    let repeated = t.error.as_ref() == Some(&fresh);
    t.error = Some(fresh);
    if !repeated {
        app.say(
            Level::Error,
            format!("{label}: {e} (retrying in {}s)", wait.as_secs()),
        );
    }
    app.rebuild();
}

/// Applies one page of a location's answer, in time proportional to the page: rows are
/// found through the index, and a page that changes nothing leaves the view alone. The
/// last page removes what this refresh did not see.
fn on_page(
    app: &mut App,
    target: usize,
    ops: Vec<Operation>,
    skipped: usize,
    first: bool,
    last: bool,
) {
    let now = app.now;
    let Some(t) = app.targets.get_mut(target) else {
        return;
    };
    if first {
        t.epoch = t.epoch.wrapping_add(1);
        t.seen_now = 0;
        t.foreign_now = 0;
        t.skipped_now = 0;
        t.pages_now = 0;
    }
    t.skipped_now += skipped;
    t.pages_now += 1;
    // Shown, never acted on (the policy checks each name against this parent), and told.
    t.foreign_now += ops.iter().filter(|o| !t.name.holds(&o.name)).count();
    let epoch = t.epoch;
    let mut seen = 0;
    let first_load = !t.loaded;
    let mut changed = false;
    if first_load {
        // Nearly all of a first load is new: room for the whole page at once.
        app.rows.reserve(ops.len());
    }
    for op in ops {
        match app.row_index(&op.name) {
            Some(i) if app.rows[i].target != target => {} // another location's name: ignored
            Some(i) if app.rows[i].seen == epoch => {}    // twice in one answer: the first wins
            Some(i) => {
                let Some(r) = app.rows.get_mut(i) else {
                    continue;
                };
                r.seen = epoch;
                seen += 1;
                if r.op != op {
                    r.replace(op, now);
                    if first_load {
                        r.changed_at = Stamp::NONE;
                    }
                    changed = true;
                }
            }
            None => {
                let mut r = Row::new(op, target);
                r.seen = epoch;
                seen += 1;
                if !first_load {
                    r.new_at = now.into();
                }
                app.push_row(r);
                changed = true;
            }
        }
    }
    if let Some(t) = app.targets.get_mut(target) {
        t.seen_now += seen;
    }
    if !last {
        // A first load shows its location once complete; later pages that change
        // something show at once.
        if changed && !first_load {
            app.rebuild();
        }
        return;
    }
    settle(app, target);
    let interval = app.settings.interval;
    if let Some(t) = app.targets.get_mut(target) {
        // Said when it changes, not at every refresh: the location keeps the count.
        if t.skipped_now != t.unreadable {
            t.unreadable = t.skipped_now;
            let text = match t.unreadable {
                0 => format!("{}: every operation readable again", t.label),
                n => format!(
                    "{}: {n} unreadable operation(s) skipped (the server's JSON for them is not an Operation)",
                    t.label
                ),
            };
            let level = if t.unreadable == 0 {
                Level::Info
            } else {
                Level::Warn
            };
            app.say(level, text);
        }
    }
    if let Some(t) = app.targets.get_mut(target) {
        t.in_flight = false;
        t.loaded = true;
        t.failures = 0;
        t.next_due = Some(now + interval);
        t.last_ok = Some(now);
        if t.error.take().is_some() {
            let label = t.label.clone();
            app.say(Level::Success, format!("{label}: reachable again"));
        }
    }
    if let Some(t) = app.targets.get_mut(target)
        && std::mem::replace(&mut t.foreign, t.foreign_now) != t.foreign_now
        && t.foreign > 0
    {
        let text = format!(
            "{}: the server listed {} operation(s) named outside {}; shown as foreign, never acted on",
            t.label, t.foreign, t.name
        );
        app.say(Level::Warn, text);
    }
    // Gone from the server: the row goes, and with it any cancel bookkeeping. When the
    // refresh saw as many rows as the location holds, none is gone, and the scan over
    // every row (of every location) is skipped.
    let unseen = app.targets.get(target).is_some_and(|t| t.seen_now < t.held);
    if unseen {
        app.remove_rows(|r| r.target == target && r.seen != epoch);
        changed = true;
    }
    if changed || first_load {
        app.rebuild();
    }
}

fn on_got(app: &mut App, name: &str, result: Result<Operation, ApiError>) {
    let now = app.now;
    match result {
        Ok(op) => {
            let Some(r) = app.row_mut(name) else {
                return;
            };
            let was_cancelling = matches!(r.cancel, CancelTrack::Pending(_) | CancelTrack::Sending);
            if r.replace(op, now) && was_cancelling {
                let (level, text) = match r.state {
                    RowState::Cancelled => (Level::Success, format!("✔ cancelled {}", short(name))),
                    RowState::DoneCancelIgnored => (
                        Level::Warn,
                        format!("cancel ignored: {} finished anyway", short(name)),
                    ),
                    RowState::Failed => (
                        Level::Warn,
                        format!("{} failed before the cancel took effect", short(name)),
                    ),
                    _ => (
                        Level::Info,
                        format!("{} is {}", short(name), r.state.word()),
                    ),
                };
                app.say(level, text);
            }
            app.rebuild();
        }
        Err(e) if e.code() == Some(Code::NotFound) => {
            app.remove_rows(|r| r.op.name == name);
            app.say(
                Level::Info,
                format!("{} is gone (deleted on the server)", short(name)),
            );
            app.rebuild();
        }
        // Transient: the next poll or refresh tries again.
        Err(e) => tracing::debug!(%name, error = %e, "poll failed"),
    }
}

fn on_cancel_sent(app: &mut App, name: &str, result: Result<(), ApiError>, fx: &mut Vec<Effect>) {
    let now = app.now;
    let Some(r) = app.row_mut(name) else {
        return;
    };
    match result {
        Ok(()) => {
            r.cancel = CancelTrack::pending(now + CANCEL_POLL, now + CANCEL_HURRY);
            r.restate(now);
            if let Ok(n) = OperationName::parse(name) {
                fx.push(Effect::Get { name: n });
            }
            app.say(
                Level::Info,
                format!(
                    "cancel accepted for {}; waiting for it to stop",
                    short(name)
                ),
            );
        }
        Err(e @ (ApiError::Refused(_) | ApiError::InvalidName(_) | ApiError::Auth(_))) => {
            r.cancel = CancelTrack::None;
            r.restate(now);
            app.say(
                Level::Warn,
                format!("cancel of {} not sent: {e}", short(name)),
            );
        }
        // Unavailable, overloaded or timed out after the client's retries: no decision was
        // had, so the row is not marked refused and `c` may try again.
        Err(e) => match e.status().filter(|_| e.is_refusal()) {
            Some(s) => {
                r.cancel = CancelTrack::refused(s.code.name(), s.message.clone());
                r.restate(now);
                app.say(
                    Level::Error,
                    format!("cancel refused for {}: {e}", short(name)),
                );
            }
            None => {
                r.cancel = CancelTrack::None;
                r.restate(now);
                app.say(
                        Level::Error,
                        format!("cancel of {} not confirmed: {e}; it may not have reached the server (c to try again)", short(name)),
                    );
            }
        },
    }
    app.rebuild();
}

fn on_delete_sent(app: &mut App, name: &str, result: Result<(), ApiError>) {
    match result {
        Ok(()) => {
            app.remove_rows(|r| r.op.name == name);
            app.marks.remove(name);
            if app.bulk.is_none() {
                app.say(
                    Level::Info,
                    format!("deleted the record of {}", short(name)),
                );
            }
        }
        Err(e) => {
            let text = format!("delete of {} failed: {e}", short(name));
            if app.bulk.is_some() {
                app.log_line(text);
            } else {
                app.say(Level::Error, text);
            }
        }
    }
    app.rebuild();
}

fn on_key(app: &mut App, key: Key, fx: &mut Vec<Effect>) {
    match &mut app.mode {
        Mode::FilterInput { text, previous } => {
            match key {
                Key::Char(c) => text.push(c),
                Key::Backspace => {
                    text.pop();
                }
                Key::Enter => {
                    let t = text.clone();
                    app.mode = Mode::Normal;
                    if let Err(e) = Filter::parse(&t) {
                        app.say(Level::Error, format!("filter: {e}"));
                    }
                    return;
                }
                Key::Esc | Key::Ctrl('c') => {
                    let p = previous.clone();
                    app.mode = Mode::Normal;
                    app.filter = Filter::parse(&p).unwrap_or_default();
                    app.rebuild();
                    return;
                }
                _ => return,
            }
            // Filters apply as they are typed; a half-typed predicate keeps the last good one.
            if let Ok(f) = Filter::parse(text) {
                app.filter = f;
                app.selected = 0;
                app.rebuild();
            }
        }
        Mode::Confirm(c) if c.typed.is_some() => {
            let Some(t) = c.typed.as_mut() else { return };
            match key {
                Key::Char(ch) => t.input.push(ch),
                Key::Backspace => {
                    t.input.pop();
                }
                Key::Enter
                    if t.input.trim() == t.expected
                        || t.also.as_deref() == Some(t.input.trim()) =>
                {
                    let on_yes = c.on_yes.clone();
                    app.mode = Mode::Normal;
                    confirmed(app, on_yes, fx);
                }
                Key::Enter => {
                    let want = t.expected.clone();
                    app.say(
                        Level::Warn,
                        format!("type {want} and press enter to confirm, or esc"),
                    );
                }
                Key::Esc | Key::Ctrl('c') => {
                    app.mode = Mode::Normal;
                    app.say(Level::Info, "nothing sent");
                }
                _ => {}
            }
        }
        Mode::Confirm(c) => match key {
            Key::Char('y') | Key::Char('Y') => {
                let on_yes = c.on_yes.clone();
                app.mode = Mode::Normal;
                confirmed(app, on_yes, fx);
            }
            Key::Enter if c.yes_focused => {
                let on_yes = c.on_yes.clone();
                app.mode = Mode::Normal;
                confirmed(app, on_yes, fx);
            }
            Key::Tab | Key::BackTab | Key::Left | Key::Right | Key::Char('h') | Key::Char('l') => {
                c.yes_focused = !c.yes_focused;
            }
            Key::Enter
            | Key::Esc
            | Key::Char('n')
            | Key::Char('N')
            | Key::Char('q')
            | Key::Ctrl('c') => {
                let declined = if c.on_yes == Confirmed::Quit {
                    "not quitting: the bulk action carries on"
                } else {
                    "nothing sent"
                };
                app.mode = Mode::Normal;
                app.say(Level::Info, declined);
            }
            _ => {}
        },
        Mode::Details { scroll } | Mode::Help { scroll } | Mode::ErrorLog { scroll } => match key {
            Key::Char('j') | Key::Down => *scroll = scroll.saturating_add(1),
            Key::Char('k') | Key::Up => *scroll = scroll.saturating_sub(1),
            Key::PageDown | Key::Char(' ') => *scroll = scroll.saturating_add(10),
            Key::PageUp => *scroll = scroll.saturating_sub(10),
            Key::Char('g') | Key::Home => *scroll = 0,
            Key::Char('c') if matches!(app.mode, Mode::Details { .. }) => {
                app.mode = Mode::Normal;
                start_cancel(app);
            }
            Key::Ctrl('c') => {
                app.mode = Mode::Normal;
                quit::request(app, fx);
            }
            Key::Esc | Key::Enter | Key::Char('q') | Key::Char('?') | Key::Char('e') => {
                app.mode = Mode::Normal
            }
            _ => {}
        },
        Mode::ProjectPicker { query, selected } => match key {
            Key::Char(c) => {
                query.push(c);
                *selected = 0;
            }
            Key::Backspace => {
                query.pop();
                *selected = 0;
            }
            Key::Down | Key::Tab | Key::Ctrl('n') => *selected += 1,
            Key::Up | Key::BackTab | Key::Ctrl('p') => *selected = selected.saturating_sub(1),
            Key::Enter => {
                let (query, selected) = (query.clone(), *selected);
                let matches = app.picker_matches(&query);
                let pick = matches
                    .get(selected.min(matches.len().saturating_sub(1)))
                    .copied();
                app.mode = Mode::Normal;
                if let Some(scope) = pick {
                    switch_project(app, scope, fx);
                }
            }
            Key::Esc | Key::Ctrl('c') => app.mode = Mode::Normal,
            _ => {}
        },
        Mode::Normal => {
            if let Some(cmd) = command_for(key) {
                run_command(app, cmd, fx);
            }
        }
    }
}

fn run_command(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    let page = app.table_rows.max(1);
    match cmd {
        Command::Down
        | Command::Up
        | Command::Top
        | Command::Bottom
        | Command::PageDown
        | Command::PageUp => {
            let entries = app.location_entries();
            let (pos, len) = match app.focus {
                Pane::Locations => (
                    entries
                        .iter()
                        .position(|e| *e == app.location_sel)
                        .unwrap_or(0),
                    entries.len(),
                ),
                Pane::Operations => (app.selected, app.view.len()),
            };
            let last = len.saturating_sub(1);
            let to = match cmd {
                Command::Down => (pos + 1).min(last),
                Command::Up => pos.saturating_sub(1),
                Command::Top => 0,
                Command::Bottom => last,
                Command::PageDown => (pos + page).min(last),
                _ => pos.saturating_sub(page),
            };
            match app.focus {
                Pane::Locations => {
                    let to = entries.get(to).copied().unwrap_or(0);
                    if to != app.location_sel {
                        app.location_sel = to;
                        app.selected = 0;
                        app.offset = 0;
                        app.rebuild();
                    }
                }
                Pane::Operations => {
                    app.selected = to;
                    app.keep_selection_visible();
                }
            }
        }
        Command::SwitchPane => {
            app.focus = match app.focus {
                Pane::Locations => Pane::Operations,
                Pane::Operations => Pane::Locations,
            }
        }
        Command::Details => match app.focus {
            Pane::Locations => app.focus = Pane::Operations,
            Pane::Operations => {
                if app.selected_row().is_some() {
                    app.mode = Mode::Details { scroll: 0 };
                }
            }
        },
        Command::Cancel => start_cancel(app),
        Command::Filter => {
            let current = app.filter.as_str().to_string();
            app.mode = Mode::FilterInput {
                text: current.clone(),
                previous: current,
            };
        }
        Command::SortNext => {
            app.sort = app.sort.next();
            app.rebuild();
            app.say(Level::Info, format!("sorted by {}", app.sort.title()));
        }
        Command::SortReverse => {
            app.reverse = !app.reverse;
            app.rebuild();
        }
        Command::ActiveOnly => {
            app.active_only = !app.active_only;
            app.selected = 0;
            app.rebuild();
            let text = if app.active_only {
                "showing active operations only"
            } else {
                "showing all operations"
            };
            app.say(Level::Info, text);
        }
        Command::Refresh => {
            schedule(app, fx, true);
            app.say(Level::Info, "refreshing");
        }
        Command::Pause => {
            app.paused = !app.paused;
            let text = if app.paused {
                "paused: press p to resume"
            } else {
                "resumed"
            };
            app.say(Level::Info, text);
            if !app.paused {
                schedule(app, fx, false);
            }
        }
        Command::Faster | Command::Slower => {
            let cur = app.settings.interval.as_secs();
            let next = if cmd == Command::Faster {
                INTERVALS
                    .iter()
                    .rev()
                    .find(|s| **s < cur)
                    .copied()
                    .unwrap_or(INTERVALS[0])
            } else {
                INTERVALS.iter().find(|s| **s > cur).copied().unwrap_or(cur)
            };
            app.settings.interval = Duration::from_secs(next).max(MIN_INTERVAL);
            let soonest = app.now + app.settings.interval;
            for t in &mut app.targets {
                if t.failures == 0 {
                    t.next_due = t.next_due.map(|d| d.min(soonest));
                }
            }
            app.say(Level::Info, format!("refreshing every {next}s"));
        }
        Command::Help => app.mode = Mode::Help { scroll: 0 },
        Command::Mark => bulk::toggle_mark(app),
        Command::MarkRange => bulk::mark_range(app),
        Command::MarkAll => bulk::mark_all_visible(app),
        Command::ClearMarks => bulk::clear_marks(app),
        Command::CancelMarked => bulk::start_bulk_cancel(app),
        Command::Delete => bulk::start_delete(app),
        Command::Copy => match app.selected_row().map(|r| OperationName::parse(&r.op.name)) {
            Some(Ok(name)) => {
                app.say(Level::Info, format!("copied {name}"));
                fx.push(Effect::Copy { name });
            }
            Some(Err(e)) => app.say(Level::Warn, format!("not copied: {e}")),
            None => app.say(Level::Info, "no operation selected"),
        },
        Command::ErrorLog => app.mode = Mode::ErrorLog { scroll: 0 },
        Command::SwitchProject => {
            app.mode = Mode::ProjectPicker {
                query: String::new(),
                selected: 0,
            }
        }
        Command::Quit => quit::request(app, fx),
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

fn start_cancel(app: &mut App) {
    let Some(r) = app.selected_row() else {
        app.say(Level::Info, "no operation selected");
        return;
    };
    let id = short(&r.op.name);
    let d = bulk::decide_rows(
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
                        .unwrap_or("this API has no cancel")
                        .to_string(),
                ),
            };
            app.say(level, text);
            return;
        }
        (None, None) => return,
    };
    let age =
        r.op.create_time()
            .map(|t| crate::api::time::coarse_age(app.now.duration_since(t).unsigned_abs()))
            .unwrap_or_else(|| "-".into());
    let mut lines = vec![
        r.op.name.clone(),
        String::new(),
        format!("target  {}", r.op.target()),
        format!(
            "verb    {}    state {}    age {age}",
            r.op.verb(),
            r.state.word()
        ),
        String::new(),
        "Cancel is best effort: the server may refuse it, or the operation may finish anyway."
            .to_string(),
    ];
    if let CancelTrack::Refused(refusal) = &r.cancel {
        lines.push(format!("The last cancel was refused ({}).", refusal.code));
    }
    app.mode = Mode::Confirm(Confirm {
        title: "Cancel 1 operation?".into(),
        lines,
        yes_label: "Cancel it".into(),
        typed: bulk::typed_for(&d.consent),
        on_yes: Confirmed::CancelOne(name),
        yes_focused: false,
    });
}

fn confirmed(app: &mut App, what: Confirmed, fx: &mut Vec<Effect>) {
    let now = app.now;
    match what {
        Confirmed::CancelOne(name) => {
            let key = name.to_string();
            let Some(i) = app.row_index(&key) else {
                app.say(
                    Level::Info,
                    format!("{} is gone: nothing sent", short(&key)),
                );
                return;
            };
            // It may have finished while the dialog was open: the policy again, as it is now.
            if bulk::decide_rows(app, MutationKind::Cancel, [i])
                .send
                .is_empty()
            {
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
        Confirmed::CancelMany(names) => bulk::confirmed_bulk(app, MutationKind::Cancel, names, fx),
        Confirmed::Delete(names) => bulk::confirmed_bulk(app, MutationKind::Delete, names, fx),
        Confirmed::Quit => quit::confirmed(app, fx),
    }
}
