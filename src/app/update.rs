//! `update`: the one place state changes.

use super::bulk::{self, MutationKind, short};
use super::quit;
use super::row::{CancelTrack, Row, RowState};
use super::schedule::{backoff, schedule, settle};
use super::{Action, App, CANCEL_HURRY, CANCEL_POLL, Effect, Level, TargetError};
use crate::api::time::Stamp;
use crate::api::{ApiError, Code, Operation, OperationName};

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
    fx.append(&mut app.notices);
    fx
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx: Vec<Effect> = Vec::new();
    // Keys act on what is on screen: bring a view a batch left stale up to date first.
    if app.view_stale && matches!(action, Action::Key(_) | Action::Resize { .. }) {
        let batching = std::mem::replace(&mut app.batching, false);
        app.rebuild();
        app.batching = batching;
    }
    match action {
        Action::Tick(now) => {
            app.now = now;
            // Operations cross an age line as the clock runs, not only when a refresh says.
            if app.filter.uses_age() {
                app.rebuild();
            }
            if app.status.as_ref().is_some_and(|s| s.until <= now) {
                app.status = None;
            }
            schedule(app, &mut fx, false);
        }
        Action::Click { row } => {
            // Only the table answers a click; a dialog or a prompt waits for its keys.
            if app.mode == super::Mode::Normal && !app.view.is_empty() {
                app.focus = super::Pane::Operations;
                app.selected = (app.offset + row).min(app.view.len() - 1);
                app.keep_selection_visible();
            }
        }
        Action::Resize {
            table_rows,
            locations_fit,
        } => {
            app.table_rows = table_rows.max(1);
            app.locations_fit = locations_fit;
            // Keys go to what is on screen.
            if !app.locations_shown() {
                app.focus = super::Pane::Operations;
            }
            app.keep_selection_visible();
        }
        Action::Key(k) => super::modes::on_key(app, k, &mut fx),
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
        a @ (Action::Loaded { .. } | Action::Page { .. }) => on_listing(app, None, a),
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
        Action::ScrollLimit(max) => {
            if let super::Mode::Details { scroll }
            | super::Mode::Help { scroll }
            | super::Mode::ErrorLog { scroll } = &mut app.mode
            {
                *scroll = (*scroll).min(max);
            }
        }
        Action::Signal(signal) => quit::signalled(app, signal),
        // Only an API's answer, inside `FromService`, says which targets it is for.
        Action::CrossPage { .. } => {}
        Action::FromService { service, action } => match *action {
            Action::CrossPage {
                location,
                ops,
                skipped,
                unreachable,
                first,
                last,
            } => on_cross_page(
                app,
                &service,
                &location,
                ops,
                skipped,
                &unreachable,
                (first, last),
            ),
            Action::Loaded {
                location,
                result: Err(e),
            } if location.location() == "-" => on_cross_failed(app, &service, &location, e),
            a @ (Action::Loaded { .. } | Action::Page { .. }) => on_listing(app, Some(&service), a),
            // Nothing else is answered per service: the rest is found by name.
            other => fx.extend(update(app, other)),
        },
    }
    let mut fx = route(app, fx);
    if !app.batching {
        fx.append(&mut app.notices);
    }
    fx
}

/// Sends what acts on rows by their API's client: polls, cancels and deletes of a row
/// whose target has a service go out as [`Effect::ForService`], split by service (a bulk
/// cancel may span several). Rows of the old setup, and names no row holds, go as they are.
fn route(app: &App, fx: Vec<Effect>) -> Vec<Effect> {
    if app.targets.iter().all(|t| t.service.is_none()) {
        return fx;
    }
    let service_of = |name: &OperationName| -> Option<String> {
        let r = app.row(&name.to_string())?;
        app.targets
            .get(r.target)?
            .service_name()
            .map(str::to_string)
    };
    let wrap = |service: Option<String>, effect: Effect| match service {
        Some(service) => Effect::ForService {
            service,
            effect: Box::new(effect),
        },
        None => effect,
    };
    // Names split by service, in the order each service first appears.
    let split = |names: Vec<OperationName>| -> Vec<(Option<String>, Vec<OperationName>)> {
        let mut groups: Vec<(Option<String>, Vec<OperationName>)> = Vec::new();
        for n in names {
            let s = service_of(&n);
            match groups.iter_mut().find(|(g, _)| *g == s) {
                Some((_, v)) => v.push(n),
                None => groups.push((s, vec![n])),
            }
        }
        groups
    };
    let mut out = Vec::with_capacity(fx.len());
    for e in fx {
        match e {
            Effect::Get { name } => out.push(wrap(service_of(&name), Effect::Get { name })),
            Effect::Cancel { name } => out.push(wrap(service_of(&name), Effect::Cancel { name })),
            Effect::CancelMany { names } => out.extend(
                split(names)
                    .into_iter()
                    .map(|(s, names)| wrap(s, Effect::CancelMany { names })),
            ),
            Effect::Delete { names } => out.extend(
                split(names)
                    .into_iter()
                    .map(|(s, names)| wrap(s, Effect::Delete { names })),
            ),
            other => out.push(other),
        }
    }
    out
}

/// The targets a `locations/-` listing of `service` in `every`'s project is refreshing.
fn cross_targets(app: &App, service: &str, every: &crate::api::LocationName) -> Vec<usize> {
    (0..app.targets.len())
        .filter(|i| {
            let t = &app.targets[*i];
            t.in_flight
                && t.name.project() == every.project()
                && t.name.collection() == every.collection()
                && t.service_name() == Some(service)
        })
        .collect()
}

/// One page of a project's `locations/-` listing, spread over its locations' targets as
/// if each had been listed alone: a watched location's rows under it, an unwatched
/// location's left out, and names outside the project under the first, where they show
/// as foreign. On the last page, the locations the server could not reach fail
/// as their own refresh would have, and keep their rows (stale).
fn on_cross_page(
    app: &mut App,
    service: &str,
    every: &crate::api::LocationName,
    ops: Vec<Operation>,
    skipped: usize,
    unreachable: &[String],
    (first, last): (bool, bool),
) {
    let members = cross_targets(app, service, every);
    let Some(&home) = members.first() else {
        return;
    };
    let mut buckets: Vec<Vec<Operation>> = vec![Vec::new(); members.len()];
    for op in ops {
        let parsed = OperationName::parse(&op.name).ok();
        let at = parsed.as_ref().and_then(|n| {
            members
                .iter()
                .position(|m| app.targets[*m].name == *n.parent())
        });
        match (at, parsed) {
            (Some(k), _) => buckets[k].push(op),
            // Another location of the project, one not watched: a listing of the watched
            // ones alone would not have shown it either.
            (None, Some(n))
                if n.project() == every.project() && n.collection() == every.collection() => {}
            // Named outside the project (or not a name): shown as foreign, never acted on.
            (None, _) => buckets[0].push(op),
        }
    }
    for (m, ops) in members.iter().zip(buckets) {
        let name = app.targets[*m].name.clone();
        let lost = last
            && unreachable
                .iter()
                .any(|u| *u == name.to_string() || u == name.location());
        if lost {
            on_failed(app, *m, ApiError::Unreachable(name.to_string()));
            continue;
        }
        let skipped = if *m == home { skipped } else { 0 };
        on_page(app, *m, ops, skipped, first, last);
    }
}

/// A `locations/-` listing that failed. A server that does not know it (UNIMPLEMENTED,
/// INVALID_ARGUMENT, NOT_FOUND, as `OperationsClient::list_project` falls back on) is not
/// asked again: its locations are listed one by one from the next tick on. Any other error
/// is each location's.
fn on_cross_failed(app: &mut App, service: &str, every: &crate::api::LocationName, e: ApiError) {
    let members = cross_targets(app, service, every);
    let unknown = matches!(
        e.code(),
        Some(Code::Unimplemented | Code::InvalidArgument | Code::NotFound)
    );
    if !unknown {
        for m in members {
            on_failed(app, m, e.clone());
        }
        return;
    }
    app.no_cross
        .insert((every.project().to_string(), service.to_string()));
    for m in &members {
        if let Some(t) = app.targets.get_mut(*m) {
            t.in_flight = false;
            t.paid = None;
            t.next_due = None;
        }
    }
    app.say(
        Level::Warn,
        format!(
            "{every} ({service}): the server does not list across locations ({}); listing each location",
            e.badge()
        ),
    );
}

/// A location's answer to a refresh (whole, or one page of it), applied to the target
/// that asked: the one listing that location for `service` (`None`: the old setup's). An
/// answer no target asked for is dropped.
fn on_listing(app: &mut App, service: Option<&str>, answer: Action) {
    match answer {
        Action::Loaded { location, result } => {
            if let Some(target) = app.target_of(&location, service) {
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
            if let Some(target) = app.target_of(&location, service) {
                on_page(app, target, ops, skipped, first, last);
            }
        }
        _ => {}
    }
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
    let cap = if t.loaded {
        super::STALE_BACKOFF
    } else {
        super::MAX_BACKOFF
    };
    let wait = backoff(interval, t.failures, target)
        .min(cap)
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
            r.cancel = CancelTrack::pending(now, now + CANCEL_POLL, now + CANCEL_HURRY);
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
