//! `lrotop cancel` and `lrotop delete`, by name or by filter: look first, confirm, send each
//! once (bounded concurrency, rate cap), report each.

use super::list::{Listed, fetch, parse_filter};
use super::output::{self, CliError, note};
use crate::api::{ApiError, Operation, OperationName, Outcome};
use crate::app::MutationKind;
use crate::cli::{Format, Global, MutateArgs};
use crate::session::{CONCURRENCY, Session as Context};
use crate::sync::bulk::{self, BULK_CONCURRENCY, RateLimiter};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::io::IsTerminal;

/// Past this many, the terminal prompt asks for the count to be typed.
const TYPED_CONFIRM_OVER: usize = 20;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome_ {
    /// The server accepted the request.
    Accepted,
    /// The server decided against it (UNIMPLEMENTED, PERMISSION_DENIED, …).
    Refused,
    /// No decision could be had (unavailable, overloaded, network, timeout, unreadable).
    Failed,
    /// Not sent: the operation is already done.
    Skipped,
    /// --dry-run: would be sent.
    WouldSend,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub name: String,
    pub result: Outcome_,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl Report {
    fn new(name: &OperationName, result: Outcome_, state: Option<&'static str>) -> Self {
        Report {
            name: name.to_string(),
            result,
            state,
            code: None,
            message: String::new(),
        }
    }

    fn from_error(name: &OperationName, e: &ApiError, state: Option<&'static str>) -> Self {
        let result = if e.is_refusal() {
            Outcome_::Refused
        } else {
            Outcome_::Failed
        };
        Report {
            code: e.code().map(|c| c.name().to_string()),
            message: e.to_string(),
            ..Report::new(name, result, state)
        }
    }

    fn is_failure(&self) -> bool {
        matches!(self.result, Outcome_::Refused | Outcome_::Failed)
    }
}

/// What to send and what was already decided (skipped, not found, …).
struct Plan {
    send: Vec<OperationName>,
    reports: Vec<Report>,
    /// Targets that could not be listed (filter mode).
    listing_errors: Vec<(String, ApiError)>,
}

impl Plan {
    fn consider(&mut self, kind: MutationKind, name: OperationName, op: &Operation) {
        let state = Some(op.outcome().word());
        if kind == MutationKind::Cancel && op.outcome() != Outcome::Running {
            self.reports.push(Report {
                message: "already done: nothing sent".into(),
                ..Report::new(&name, Outcome_::Skipped, state)
            });
        } else {
            self.reports
                .push(Report::new(&name, Outcome_::WouldSend, state));
            self.send.push(name);
        }
    }
}

/// Named operations: each is looked at first, never trusting anything but its own state.
async fn plan_names(ctx: &Context, a: &MutateArgs, kind: MutationKind) -> Result<Plan, CliError> {
    let mut names: Vec<OperationName> = Vec::new();
    for n in &a.names {
        let name = ctx.resolve_name(n)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let looked: Vec<(OperationName, Result<Operation, ApiError>)> = stream::iter(names)
        .map(|n| async move {
            let r = ctx.client_for(n.project()).get(&n).await;
            (n, r)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut plan = Plan {
        send: Vec::new(),
        reports: Vec::new(),
        listing_errors: Vec::new(),
    };
    for (n, r) in looked {
        match r {
            Ok(op) => match super::mismatch(&n, &op) {
                // Its state says nothing about `n`: never acted on.
                Some(why) => {
                    note(&format!("lrotop: warning: {why}"));
                    plan.reports.push(Report {
                        message: why,
                        ..Report::new(&n, Outcome_::Failed, None)
                    });
                }
                None => plan.consider(kind, n, &op),
            },
            Err(e) => plan.reports.push(Report::from_error(&n, &e, None)),
        }
    }
    Ok(plan)
}

/// Operations matching a filter, judged by each one's own fields as listed.
async fn plan_filter(ctx: &Context, filter: &str, kind: MutationKind) -> Result<Plan, CliError> {
    let filter = parse_filter(Some(filter))?;
    let Listed { ops, errors, .. } = fetch(ctx, &filter).await;
    let mut plan = Plan {
        send: Vec::new(),
        reports: Vec::new(),
        listing_errors: errors,
    };
    for op in &ops {
        match OperationName::parse(&op.name) {
            Ok(n) => plan.consider(kind, n, op),
            Err(e) => note(&format!(
                "lrotop: skipping an operation with an unusable name: {e}"
            )),
        }
    }
    Ok(plan)
}

fn ask(question: &str, typed: Option<usize>) -> Result<bool, CliError> {
    let prompt = match typed {
        Some(n) => format!("{question} Type {n} to confirm: "),
        None => format!("{question} [y/N] "),
    };
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::fatal(format!("cannot read the answer: {e}")))?;
    let answer = line.trim().to_ascii_lowercase();
    Ok(match typed {
        Some(n) => answer == n.to_string(),
        None => matches!(answer.as_str(), "y" | "yes"),
    })
}

pub async fn run(
    ctx: &Context,
    g: &Global,
    a: &MutateArgs,
    kind: MutationKind,
) -> Result<(), CliError> {
    let verb = kind.verb();
    if ctx.read_only && !a.dry_run {
        return Err(CliError::usage(format!(
            "read-only mode: refusing to {verb} anything"
        )));
    }
    let mut plan = match &a.filter {
        Some(f) => plan_filter(ctx, f, kind).await?,
        None => plan_names(ctx, a, kind).await?,
    };
    // Projects marked read-only in the config: never sent, and said so per name.
    let (blocked, send): (Vec<_>, Vec<_>) = std::mem::take(&mut plan.send)
        .into_iter()
        .partition(|n| ctx.read_only_for(n.project()));
    plan.send = send;
    for n in blocked {
        if let Some(r) = plan.reports.iter_mut().find(|r| r.name == n.to_string()) {
            r.result = Outcome_::Skipped;
            r.message = "read-only project: nothing sent".into();
        }
    }
    for (what, e) in &plan.listing_errors {
        note(&format!(
            "lrotop: {what}: {e} (not listed, so nothing there is sent)"
        ));
    }

    if !a.dry_run && !plan.send.is_empty() && !a.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(CliError::usage(format!(
                "refusing to {verb} {} operation(s) without confirmation: pass --yes (or --dry-run to see what would be sent)",
                plan.send.len()
            )));
        }
        for n in plan.send.iter().take(20) {
            note(&format!("  {verb} {n}"));
        }
        if plan.send.len() > 20 {
            note(&format!("  … and {} more", plan.send.len() - 20));
        }
        let question = match kind {
            MutationKind::Cancel => format!(
                "Cancel {} operation(s)? Cancel is best effort: an operation may still finish.",
                plan.send.len()
            ),
            MutationKind::Delete => format!(
                "Delete {} operation record(s)? This removes the record and does NOT cancel the operation.",
                plan.send.len()
            ),
        };
        let typed = (plan.send.len() > TYPED_CONFIRM_OVER).then_some(plan.send.len());
        let yes = tokio::task::spawn_blocking(move || ask(&question, typed))
            .await
            .map_err(|e| CliError::fatal(e.to_string()))??;
        if !yes {
            note("nothing sent");
            return Ok(());
        }
    }

    if !a.dry_run && !plan.send.is_empty() {
        let limiter = RateLimiter::new(g.bulk_rate, BULK_CONCURRENCY);
        let send = std::mem::take(&mut plan.send);
        let reports = &mut plan.reports;
        bulk::run_with(
            |n| ctx.client_for(n.project()).clone(),
            kind,
            send,
            BULK_CONCURRENCY,
            &limiter,
            |n, r| {
                let key = n.to_string();
                if let Some(rep) = reports.iter_mut().find(|x| x.name == key) {
                    let state = rep.state;
                    *rep = match r {
                        Ok(()) => Report::new(&n, Outcome_::Accepted, state),
                        Err(e) => Report::from_error(&n, &e, state),
                    };
                }
            },
        )
        .await;
    }

    let reports = plan.reports;
    match a.format {
        Format::Json => output::print_json_pretty(&reports)?,
        Format::Jsonl => output::print_jsonl(&reports)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = reports
                .iter()
                .map(|r| {
                    let result = match r.result {
                        Outcome_::Accepted => format!("{verb} accepted"),
                        Outcome_::Refused => format!("{verb} refused"),
                        Outcome_::Failed => format!("{verb} failed"),
                        Outcome_::Skipped => "skipped".into(),
                        Outcome_::WouldSend => format!("would {verb}"),
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
    let listing = plan.listing_errors.len();
    match (failed.len(), listing) {
        (0, 0) => Ok(()),
        (n, _) if n > 0 && n == reports.len() => {
            Err(CliError::fatal(format!("every {verb} failed ({n})")))
        }
        (n, l) => Err(CliError::partial(format!(
            "{n} of {} {verb}s failed{}",
            reports.len(),
            if l > 0 {
                format!("; {l} targets could not be listed")
            } else {
                String::new()
            }
        ))),
    }
}
