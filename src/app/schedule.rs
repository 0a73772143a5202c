//! What to fetch, and when: discovery, refreshes under a per-endpoint request budget, and
//! the fast follow-up polls of pending cancels.
//!
//! The budget governs background refresh only. What the user asked for goes out at once:
//! the first load of a location, `r`, switching project, and the polls that follow a
//! cancel. Background refreshes that are due wait for budget, stalest first, so with many
//! projects every location still comes round (none is starved); the price is staleness,
//! roughly `locations × pages ÷ budget` seconds for the oldest.

use super::row::CancelTrack;
use super::{App, CANCEL_POLL, Effect, MAX_BACKOFF};
use crate::api::OperationName;
use std::time::Duration;

const TICK_SLACK: Duration = Duration::from_millis(500);
/// Tokens an endpoint may save up: this many seconds of budget.
const BURST_SECONDS: f64 = 2.0;
/// What a refresh is assumed to cost before its size is known: one page per this many rows.
const ROWS_PER_PAGE: usize = 1000;

/// Emits what is due: discovery, refreshes (all in view when `force`), cancel follow-ups.
pub(crate) fn schedule(app: &mut App, fx: &mut Vec<Effect>, force: bool) {
    for (p, sent) in &mut app.discovering {
        if !*sent {
            *sent = true;
            fx.push(Effect::Discover { project: p.clone() });
        }
    }
    let now = app.now;
    refill(app);

    // Locations in view that want fetching: never loaded (and not failing) first, then
    // the stalest; only the projects in view are kept fresh.
    let mut wanted: Vec<(usize, bool)> = Vec::new();
    for (i, t) in app.targets.iter().enumerate() {
        if t.in_flight || !app.in_scope(i) {
            continue;
        }
        let first = !t.loaded && t.failures == 0;
        // Due within half a tick counts as due: the clock ticks once a second, and a
        // refresh that waited for the next tick would run every interval + 1 s.
        let due = !app.paused && t.next_due.is_none_or(|d| d <= now + TICK_SLACK);
        if force || first || due {
            wanted.push((i, force || first));
        }
    }
    wanted.sort_by_key(|(i, urgent)| (!urgent, app.targets[*i].last_ok));
    let burst = app
        .settings
        .budget_rate()
        .map(burst_of)
        .unwrap_or(f64::INFINITY);
    for (i, urgent) in wanted {
        // An API listing every location at once: one request for all of the project's
        // locations of it, sent when the first of them is due.
        let members = cross_members(app, i);
        if members.iter().any(|m| app.targets[*m].in_flight) {
            continue;
        }
        let pages = if members.is_empty() {
            app.targets[i].total.div_ceil(ROWS_PER_PAGE).max(1)
        } else {
            let rows: usize = members.iter().map(|m| app.targets[*m].total).sum();
            rows.div_ceil(ROWS_PER_PAGE).max(1)
        };
        let cost = pages as f64;
        let key = endpoint_of(app, i);
        let mut paid = None;
        if !urgent && let Some(tokens) = app.budget.get_mut(&key) {
            // A location bigger than the bucket goes when the bucket is full, and leaves it
            // in debt: it is paid back before anything else refreshes.
            if *tokens < cost.min(burst) {
                continue;
            }
            *tokens -= cost;
            paid = Some(pages);
        }
        for m in &members {
            let t = &mut app.targets[*m];
            t.paid = None;
            t.pages_now = 0;
            t.in_flight = true;
        }
        let t = &mut app.targets[i];
        // The pages the one listing takes are counted on the target that sent it.
        t.paid = paid;
        t.pages_now = 0;
        t.in_flight = true;
        let refresh = Effect::Refresh {
            location: if members.is_empty() {
                t.name.clone()
            } else {
                t.name.every_location()
            },
        };
        fx.push(match t.service_name() {
            Some(service) => Effect::ForService {
                service: service.to_string(),
                effect: Box::new(refresh),
            },
            None => refresh,
        });
    }

    for r in app.rows.iter_mut() {
        if let CancelTrack::Pending(p) = &mut r.cancel
            && p.next_poll <= now
            && now < p.until
        {
            p.next_poll = now + CANCEL_POLL;
            if let Ok(name) = OperationName::parse(&r.op.name) {
                fx.push(Effect::Get { name });
            }
        }
    }
}

/// The targets one `locations/-` listing refreshes with target `i`: every target in view
/// of its API in its project, when the API lists across locations at one host (a regional
/// host serves its own region only), the server has not refused it, and there are two or
/// more; else none, and `i` is listed alone.
pub(crate) fn cross_members(app: &App, i: usize) -> Vec<usize> {
    let t = &app.targets[i];
    let Some(s) = t.service.as_deref() else {
        return Vec::new();
    };
    let project = t.name.project();
    if !s.cross_location
        || s.is_regional()
        || app
            .no_cross
            .contains(&(project.to_string(), s.name.clone()))
    {
        return Vec::new();
    }
    let members: Vec<usize> = (0..app.targets.len())
        .filter(|m| {
            let o = &app.targets[*m];
            app.in_scope(*m)
                && o.name.project() == project
                && o.name.collection() == t.name.collection()
                && o.service_name() == Some(s.name.as_str())
        })
        .collect();
    if members.len() < 2 {
        return Vec::new();
    }
    members
}

/// A budgeted refresh is charged its expected pages when sent; the pages it really took
/// beyond those (a server with small or empty pages) are charged when it ends, as debt, so
/// the endpoint's next refreshes wait for them. The refresh itself is bounded by the call
/// deadline and the client's page caps.
pub(crate) fn settle(app: &mut App, target: usize) {
    let Some(t) = app.targets.get_mut(target) else {
        return;
    };
    let Some(paid) = t.paid.take() else {
        return;
    };
    let extra = t.pages_now.saturating_sub(paid);
    if extra == 0 {
        return;
    }
    let key = endpoint_of(app, target);
    if let Some(tokens) = app.budget.get_mut(&key) {
        *tokens -= extra as f64;
    }
}

impl App {
    /// How often each location in view is really refreshed: the interval, or longer when
    /// the request budget cannot pay for every location's pages that often (the slowest
    /// endpoint decides). What the header shows, so `⟳ 1s` never claims what the budget
    /// does not allow.
    pub fn effective_interval(&self) -> Duration {
        let interval = self.settings.interval;
        let Some(rate) = self.settings.budget_rate() else {
            return interval;
        };
        let mut pages: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        // A `locations/-` group is one listing for all its locations: its pages are those
        // of its rows together, counted once, as `schedule` charges them.
        let mut counted = vec![false; self.targets.len()];
        for i in 0..self.targets.len() {
            if counted[i] || !self.in_scope(i) {
                continue;
            }
            let members = cross_members(self, i);
            let rows = if members.is_empty() {
                self.targets[i].total
            } else {
                members.iter().map(|m| self.targets[*m].total).sum()
            };
            for m in members {
                counted[m] = true;
            }
            *pages.entry(endpoint_of(self, i)).or_default() += rows.div_ceil(ROWS_PER_PAGE).max(1);
        }
        let slowest = pages.values().copied().max().unwrap_or(0) as f64 / rate;
        interval.max(Duration::from_secs_f64(slowest))
    }
}

/// The budget a target spends: the host its requests go to (each regional host its own),
/// else, in the old setup, its project's endpoint.
fn endpoint_of(app: &App, target: usize) -> String {
    let t = &app.targets[target];
    if let Some(host) = &t.host {
        return host.clone();
    }
    let project = t.name.project();
    app.settings
        .project_endpoints
        .get(project)
        .cloned()
        .unwrap_or_default()
}

/// Adds each endpoint's share of budget for the time since the last tick.
fn refill(app: &mut App) {
    let Some(rate) = app.settings.budget_rate() else {
        app.budget.clear();
        return;
    };
    let burst = burst_of(rate);
    let elapsed = app
        .budget_at
        .map(|t| app.now.duration_since(t).as_secs_f64().max(0.0))
        .unwrap_or(BURST_SECONDS);
    app.budget_at = Some(app.now);
    let endpoints: std::collections::HashSet<String> = (0..app.targets.len())
        .map(|i| endpoint_of(app, i))
        .collect();
    for e in endpoints {
        let tokens = app.budget.entry(e).or_insert(burst);
        *tokens = (*tokens + rate * elapsed).min(burst);
    }
}

fn burst_of(rate: f64) -> f64 {
    (rate * BURST_SECONDS).max(1.0)
}

/// Backoff for a location's `failures`-th consecutive failure: doubling from the interval,
/// capped, spread by a jitter derived from the location so failing locations do not retry
/// in step.
pub(crate) fn backoff(interval: Duration, failures: u32, salt: usize) -> Duration {
    let base = interval
        .saturating_mul(1u32 << failures.min(16))
        .min(MAX_BACKOFF);
    let spread = ((salt as u64).wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0;
    base.mul_f64(1.0 + 0.25 * spread).min(MAX_BACKOFF)
}
