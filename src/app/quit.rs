//! Leaving the dashboard. Quitting drops whatever a bulk action has not heard back about, so
//! a quit the user asks for waits for a second yes, and every way out while one is under way
//! leaves a record of what was answered and what was not.

use super::bulk::short;
use super::{App, Bulk, Confirm, Confirmed, Facts, Mode, Signal};

/// The most names the error log's one line lists; the log file gets every one.
const SHORT_LISTED: usize = 5;

/// `q` and ctrl-c: immediate, unless answers are still owed to a bulk action.
pub(crate) fn request(app: &mut App) {
    if app.bulk.is_none() {
        leave(app);
        return;
    }
    app.mode = Mode::Confirm(Confirm {
        facts: Facts::Quit,
        typed: None,
        on_yes: Confirmed::Quit,
        yes_focused: false,
    });
}

/// The second, explicit yes.
pub(crate) fn confirmed(app: &mut App) {
    record_abandoned(app, "quit");
    leave(app);
}

/// A signal does not wait for anyone: record what is left, then go.
pub(crate) fn signalled(app: &mut App, signal: Signal) {
    let why = format!("signal {}", signal.name());
    if !record_abandoned(app, &why) {
        tracing::info!("{why}: leaving, nothing in flight");
    }
    leave(app);
}

fn leave(app: &mut App) {
    app.quit = true;
}

/// Writes the abandoned bulk's tally to the log file (every unanswered name, so they can be
/// checked by hand) and to the error log (a short list). False when nothing was in flight.
fn record_abandoned(app: &mut App, why: &str) -> bool {
    let Some(b) = app.bulk.as_ref() else {
        return false;
    };
    let mut unanswered: Vec<&str> = b.pending.iter().map(String::as_str).collect();
    unanswered.sort_unstable();
    let head = format!("{why}: {}", tally(b));
    tracing::warn!("{head}: {}", unanswered.join(", "));
    let mut listed: Vec<String> = unanswered
        .iter()
        .take(SHORT_LISTED)
        .map(|n| short(n))
        .collect();
    if unanswered.len() > SHORT_LISTED {
        listed.push(format!("… and {} more", unanswered.len() - SHORT_LISTED));
    }
    app.log_line(format!("{head}: {}", listed.join(", ")));
    true
}

/// `bulk cancel of 19: 17 answered (15 accepted, 0 refused, 2 failed), 2 unanswered`.
/// Unanswered covers both requests on the wire and those still queued behind the rate cap:
/// either way nobody will hear how they ended.
pub fn tally(b: &Bulk) -> String {
    let answered = b.total - b.pending.len();
    format!(
        "bulk {} of {}: {answered} answered ({} accepted, {} refused, {} failed), {} unanswered",
        b.kind.verb(),
        b.total,
        b.accepted,
        b.refused,
        b.failed,
        b.pending.len()
    )
}
