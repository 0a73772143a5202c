//! `lrotop cancel` and `lrotop delete`: look first, confirm, send once, report each.

use super::output::{self, CliError, note};
use super::{CONCURRENCY, Context};
use crate::api::{ApiError, Operation, OperationName, Outcome};
use crate::cli::{Format, MutateArgs};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Cancel,
    Delete,
}

impl Kind {
    fn verb(self) -> &'static str {
        match self {
            Kind::Cancel => "cancel",
            Kind::Delete => "delete",
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub enum Result_ {
    /// The server accepted the request.
    Accepted,
    /// The server answered with an error (UNIMPLEMENTED, PERMISSION_DENIED, …).
    Refused,
    /// No answer could be had (network, timeout, unreadable reply).
    Failed,
    /// Not sent: the operation is already done.
    Skipped,
    /// --dry-run: would be sent.
    WouldSend,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub name: String,
    pub result: Result_,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl Report {
    fn new(name: &OperationName, result: Result_) -> Self {
        Report {
            name: name.to_string(),
            result,
            state: None,
            code: None,
            message: String::new(),
        }
    }

    fn from_error(name: &OperationName, e: &ApiError) -> Self {
        let result = if e.status().is_some() {
            Result_::Refused
        } else {
            Result_::Failed
        };
        Report {
            code: e.code().map(|c| c.name().to_string()),
            message: e.to_string(),
            ..Report::new(name, result)
        }
    }

    fn is_failure(&self) -> bool {
        matches!(self.result, Result_::Refused | Result_::Failed)
    }
}

fn confirm(prompt: &str) -> Result<bool, CliError> {
    eprint!("{prompt} [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::fatal(format!("cannot read the answer: {e}")))?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

pub async fn run(ctx: &Context, a: &MutateArgs, kind: Kind) -> Result<(), CliError> {
    let verb = kind.verb();
    if ctx.read_only && !a.dry_run {
        return Err(CliError::usage(format!(
            "read-only mode: refusing to {verb} anything"
        )));
    }
    let mut names: Vec<OperationName> = Vec::new();
    for n in &a.names {
        let name = ctx.resolve(n)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }

    // Never act on what a list or a filter said: look at each operation itself first.
    let looked: Vec<(OperationName, Result<Operation, ApiError>)> =
        stream::iter(names.iter().cloned())
            .map(|n| async move {
                let r = ctx.client.get(&n).await;
                (n, r)
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
    let mut reports: Vec<Report> = Vec::new();
    let mut to_send: Vec<OperationName> = Vec::new();
    for (n, r) in looked {
        match r {
            Ok(op) if kind == Kind::Cancel && op.outcome() != Outcome::Running => {
                reports.push(Report {
                    state: Some(op.outcome().word()),
                    message: "already done: nothing sent".into(),
                    ..Report::new(&n, Result_::Skipped)
                })
            }
            Ok(op) => {
                reports.push(Report {
                    state: Some(op.outcome().word()),
                    ..Report::new(&n, Result_::WouldSend)
                });
                to_send.push(n);
            }
            Err(e) => reports.push(Report::from_error(&n, &e)),
        }
    }

    if !a.dry_run && !to_send.is_empty() && !a.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(CliError::usage(format!(
                "refusing to {verb} {} operation(s) without confirmation: pass --yes (or --dry-run to see what would be sent)",
                to_send.len()
            )));
        }
        for n in to_send.iter().take(20) {
            note(&format!("  {verb} {n}"));
        }
        if to_send.len() > 20 {
            note(&format!("  … and {} more", to_send.len() - 20));
        }
        let question = match kind {
            Kind::Cancel => format!(
                "Cancel {} operation(s)? Cancel is best effort: an operation may still finish.",
                to_send.len()
            ),
            Kind::Delete => format!(
                "Delete {} operation record(s)? This removes the record and does NOT cancel the operation.",
                to_send.len()
            ),
        };
        let yes = tokio::task::spawn_blocking(move || confirm(&question))
            .await
            .map_err(|e| CliError::fatal(e.to_string()))??;
        if !yes {
            note("nothing sent");
            return Ok(());
        }
    }

    if !a.dry_run {
        let sent: Vec<(OperationName, Result<(), ApiError>)> = stream::iter(to_send)
            .map(|n| async move {
                let r = match kind {
                    Kind::Cancel => ctx.client.cancel(&n).await,
                    Kind::Delete => ctx.client.delete(&n).await,
                };
                (n, r)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for (n, r) in sent {
            let Some(rep) = reports.iter_mut().find(|r| r.name == n.to_string()) else {
                continue;
            };
            *rep = match r {
                Ok(()) => Report {
                    state: rep.state,
                    ..Report::new(&n, Result_::Accepted)
                },
                Err(e) => Report {
                    state: rep.state,
                    ..Report::from_error(&n, &e)
                },
            };
        }
    }

    match a.format {
        Format::Json => output::print_json_pretty(&reports)?,
        Format::Jsonl => output::print_jsonl(&reports)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = reports
                .iter()
                .map(|r| {
                    let result = match r.result {
                        Result_::Accepted => format!("{verb} accepted"),
                        Result_::Refused => format!("{verb} refused"),
                        Result_::Failed => format!("{verb} failed"),
                        Result_::Skipped => "skipped".into(),
                        Result_::WouldSend => format!("would {verb}"),
                    };
                    vec![result, r.name.clone(), r.message.clone()]
                })
                .collect();
            output::print_table(&["RESULT", "NAME", "DETAIL"], &rows)?;
        }
    }
    let failed: Vec<&Report> = reports.iter().filter(|r| r.is_failure()).collect();
    for r in &failed {
        note(&format!("lrotop: {} {}: {}", r.name, verb, r.message));
    }
    match failed.len() {
        0 => Ok(()),
        n if n == reports.len() => Err(CliError::fatal(format!("every {verb} failed ({n})"))),
        n => Err(CliError::partial(format!(
            "{n} of {} {verb}s failed",
            reports.len()
        ))),
    }
}
