//! `lrotop wait`: poll until done.

use super::output::{self, CliError, note};
use crate::api::{Code, OperationName, Outcome, ServiceProfile};
use std::sync::Arc;

/// How long one `:wait` request asks the server to hold it: under the client's per-request
/// timeout, and short enough that --timeout is kept to within seconds.
const WAIT_HOLD: Duration = Duration::from_secs(10);
use crate::cli::{Format, WaitArgs};
use crate::session::Session as Context;
use futures::future::join_all;
use std::time::{Duration, Instant};

pub async fn run(ctx: &Context, a: &WaitArgs) -> Result<(), CliError> {
    let resolved: Vec<(OperationName, Arc<ServiceProfile>)> = a
        .names
        .iter()
        .map(|n| ctx.resolve_op(n))
        .collect::<Result<_, _>>()?;
    let names: Vec<OperationName> = resolved.iter().map(|(n, _)| n.clone()).collect();
    let deadline = a.timeout.map(|t| Instant::now() + t);
    let interval = a.interval.max(Duration::from_millis(200));
    // An error carries the last state seen, if any: an operation still running when the
    // timeout ran out is RUNNING, not UNKNOWN.
    let results = join_all(resolved.iter().map(|(n, service)| async move {
        let client = ctx.client_for_op(n, service);
        // The server's own `:wait` where the API has one (it answers as soon as the
        // operation is done); polling `get` otherwise, or if the server turns it down.
        let mut server_wait = client.can_wait();
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let answer = if server_wait {
                let hold = left.unwrap_or(WAIT_HOLD).min(WAIT_HOLD);
                match client.wait(n, hold).await {
                    Err(e) if matches!(e.code(), Some(Code::Unimplemented | Code::NotFound)) => {
                        server_wait = false;
                        client.get(n).await
                    }
                    r => r,
                }
            } else {
                client.get(n).await
            };
            let last = match answer {
                Ok(op) if op.done => return Ok(op),
                Ok(op) => op.outcome().word(),
                Err(e) => return Err((None, format!("{e}"))),
            };
            let pause = if server_wait {
                Duration::ZERO
            } else {
                interval
            };
            if deadline.is_some_and(|d| Instant::now() + pause >= d) {
                return Err((
                    Some(last),
                    "still running when --timeout ran out".to_string(),
                ));
            }
            tokio::time::sleep(pause).await;
        }
    }))
    .await;
    let mut rows = Vec::new();
    let (mut errors, mut unsuccessful) = (0, 0);
    for (n, r) in names.iter().zip(results) {
        match r {
            Ok(op) => {
                let detail = op
                    .error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.code(), e.message))
                    .unwrap_or_default();
                if op.outcome() != Outcome::Succeeded {
                    unsuccessful += 1;
                }
                rows.push(vec![op.outcome().word().to_string(), n.to_string(), detail]);
            }
            Err((last, e)) => {
                errors += 1;
                note(&format!("lrotop: {n}: {e}"));
                let state = last.unwrap_or("UNKNOWN");
                rows.push(vec![state.to_string(), n.to_string(), e]);
            }
        }
    }
    let header = ["STATE", "NAME", "DETAIL"];
    match a.format {
        Format::Table => output::print_table(&header, &rows)?,
        Format::Csv => output::print_csv(&header, &rows)?,
        Format::Json | Format::Jsonl => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "state": r.first(),
                        "name": r.get(1),
                        "detail": r.get(2).filter(|d| !d.is_empty()),
                    })
                })
                .collect();
            if a.format == Format::Json {
                output::print_json_pretty(&items)?
            } else {
                output::print_jsonl(&items)?
            }
        }
    }
    if a.notify {
        notify_done(&rows, errors, unsuccessful);
    }
    if errors > 0 {
        Err(CliError::fatal(format!(
            "{errors} operation(s) could not be waited for"
        )))
    } else if unsuccessful > 0 {
        Err(CliError::partial(format!(
            "{unsuccessful} operation(s) ended without success"
        )))
    } else {
        Ok(())
    }
}

/// The bell and a desktop notification, on stderr (stdout may well be a pipe), and only to a
/// terminal: escape sequences have no business in a log file.
fn notify_done(rows: &[Vec<String>], errors: usize, unsuccessful: usize) {
    use std::io::{IsTerminal, Write};
    let mut err = std::io::stderr();
    if !err.is_terminal() {
        return;
    }
    let how = match (errors, unsuccessful) {
        (0, 0) => "all done".to_string(),
        (0, n) => format!("{n} ended without success"),
        (e, _) => format!("{e} could not be waited for"),
    };
    let body = match rows {
        [one] => one.get(1).cloned().unwrap_or_default(),
        _ => format!("{} operations", rows.len()),
    };
    let seq = crate::tui::notify::sequence(
        &format!("lrotop wait: {how}"),
        &body,
        true,
        std::env::var_os("TMUX").is_some(),
    );
    let _ = err.write_all(seq.as_bytes()).and_then(|_| err.flush());
}
