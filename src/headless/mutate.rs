//! `lrotop cancel` and `lrotop delete`, by name or by filter: look first, confirm, send each
//! once (bounded concurrency, rate cap), report each.

use super::list::{Listed, fetch, parse_filter};
use super::output::{self, CliError, note};
use crate::api::{ApiError, LocationName, Operation, OperationName, Outcome, ServiceProfile};
use crate::app::MutationKind;
use crate::app::policy::{self, Candidate, CliConsent, Skip};
use crate::audit::Audit;
use crate::cli::{Format, Global, MutateArgs};
use crate::session::{CONCURRENCY, Session as Context};
use crate::sync::bulk::{self, BULK_CONCURRENCY, RateLimiter};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::sync::Arc;

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

/// One operation looked at (named and fetched, or listed), before the policy judges it.
struct Looked {
    name: String,
    state: &'static str,
    active: bool,
    /// What it acts on and how old it is, for the prompt and the table.
    target: String,
    created: Option<jiff::Timestamp>,
    /// Where it was listed; `None` for a name the user gave.
    listed_under: Option<Arc<LocationName>>,
    /// The API it belongs to.
    service: Arc<ServiceProfile>,
}

/// What was looked at, and what could not even be looked at.
struct Plan {
    looked: Vec<Looked>,
    /// Named operations whose lookup failed: reported, never sent.
    reports: Vec<Report>,
    /// Targets that could not be listed (filter mode).
    listing_errors: Vec<(String, ApiError)>,
}

/// Named operations: each is looked at first, never trusting anything but its own state.
async fn plan_names(ctx: &Context, a: &MutateArgs) -> Result<Plan, CliError> {
    let mut names: Vec<(OperationName, Arc<ServiceProfile>)> = Vec::new();
    for n in &a.names {
        let (name, service) = ctx.resolve_op(n)?;
        if !names.iter().any(|(m, _)| *m == name) {
            names.push((name, service));
        }
    }
    let looked: Vec<(
        OperationName,
        Arc<ServiceProfile>,
        Result<Operation, ApiError>,
    )> = stream::iter(names)
        .map(|(n, s)| async move {
            let r = ctx.client_for_op(&n, &s).get(&n).await;
            (n, s, r)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut plan = Plan {
        looked: Vec::new(),
        reports: Vec::new(),
        listing_errors: Vec::new(),
    };
    for (n, service, r) in looked {
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
                None => plan.looked.push(Looked {
                    name: n.to_string(),
                    state: op.outcome().word(),
                    active: op.outcome() == Outcome::Running,
                    target: op.target().to_string(),
                    created: op.create_time(),
                    listed_under: None,
                    service,
                }),
            },
            Err(e) => plan.reports.push(Report::from_error(&n, &e, None)),
        }
    }
    Ok(plan)
}

/// Operations matching a filter, judged by each one's own fields as listed.
async fn plan_filter(ctx: &Context, filter: &str) -> Result<Plan, CliError> {
    let filter = parse_filter(Some(filter))?;
    let Listed { ops, errors, .. } = fetch(ctx, &filter).await;
    Ok(Plan {
        looked: ops
            .into_iter()
            .map(|f| Looked {
                state: f.op.outcome().word(),
                active: f.op.outcome() == Outcome::Running,
                target: f.op.target().to_string(),
                created: f.op.create_time(),
                name: f.op.name,
                listed_under: Some(f.parent),
                service: f.service,
            })
            .collect(),
        reports: Vec::new(),
        listing_errors: errors,
    })
}

/// The report of a candidate the policy did not send.
fn skipped(
    name: &str,
    state: &'static str,
    why: Skip,
    listed_under: Option<&LocationName>,
    reason: Option<&str>,
) -> Report {
    let message = match (why, listed_under) {
        (Skip::Foreign, Some(p)) => {
            format!("named outside {p}, whose listing returned it: nothing sent")
        }
        (Skip::Foreign, None) | (Skip::BadName, _) => {
            "not a valid operation name: nothing sent".into()
        }
        (Skip::Done, _) => "already done: nothing sent".into(),
        (Skip::UnderWay, _) => "a cancel is already under way: nothing sent".into(),
        (Skip::ReadOnly, _) => "read-only project: nothing sent".into(),
        (Skip::Unsupported, _) => format!(
            "{}: nothing sent",
            reason.unwrap_or("the API has no such method")
        ),
    };
    Report {
        name: name.to_string(),
        result: Outcome_::Skipped,
        state: Some(state),
        code: None,
        message,
    }
}

fn ask(question: &str, typed: &[String]) -> Result<bool, CliError> {
    let read = || -> Result<String, CliError> {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| CliError::fatal(format!("cannot read the answer: {e}")))?;
        Ok(line.trim().to_string())
    };
    if typed.is_empty() {
        eprint!("{question} [y/N] ");
        let answer = read()?.to_ascii_lowercase();
        return Ok(matches!(answer.as_str(), "y" | "yes"));
    }
    eprintln!("{question}");
    for want in typed {
        eprint!("Type {want} to confirm: ");
        if read()? != *want {
            return Ok(false);
        }
    }
    Ok(true)
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
        Some(f) => plan_filter(ctx, f).await?,
        None => plan_names(ctx, a).await?,
    };
    for (what, e) in &plan.listing_errors {
        note(&format!(
            "lrotop: {what}: {e} (not listed, so nothing there is sent)"
        ));
    }
    // The one policy, as the dashboard applies it: scope, state, read-only, protection.
    let rules = ctx.rules();
    let decision = policy::decide(
        &rules,
        kind,
        plan.looked.iter().map(|l| Candidate {
            name: &l.name,
            listed_under: l.listed_under.as_deref(),
            active: l.active,
            under_way: false,
            service: Some(&l.service),
        }),
    );
    let mut verdicts: HashMap<&str, Skip> = HashMap::new();
    for (name, why) in &decision.skipped {
        verdicts.insert(name, *why);
    }
    let mut reports: Vec<Report> = Vec::new();
    let mut reported = HashSet::new();
    for l in &plan.looked {
        if !reported.insert(l.name.as_str()) {
            continue;
        }
        match verdicts.get(l.name.as_str()) {
            Some(why) => reports.push(skipped(
                &l.name,
                l.state,
                *why,
                l.listed_under.as_deref(),
                decision.reason(&l.name),
            )),
            None => reports.push(Report {
                name: l.name.clone(),
                result: Outcome_::WouldSend,
                state: Some(l.state),
                code: None,
                message: String::new(),
            }),
        }
    }
    reports.append(&mut plan.reports);
    let mut plan_send = decision.send;
    let looked: HashMap<&str, &Looked> = plan.looked.iter().map(|l| (l.name.as_str(), l)).collect();

    if !a.dry_run && !plan_send.is_empty() {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        match policy::cli_consent(&decision.consent, a.yes, &a.confirm, interactive) {
            CliConsent::Granted => {}
            CliConsent::Refused(why) => {
                return Err(CliError::usage(format!(
                    "refusing to {verb} {} operation(s): {why} (or --dry-run to see what would be sent)",
                    plan_send.len()
                )));
            }
            CliConsent::Ask { typed } => {
                let now = jiff::Timestamp::now();
                for n in plan_send.iter().take(20) {
                    let key = n.to_string();
                    match looked.get(key.as_str()) {
                        Some(l) => note(&format!(
                            "  {verb} {n}  ({}, {}, {})",
                            l.state,
                            crate::sanitize::one_line_capped(&l.target, 80),
                            age(l.created, now)
                        )),
                        None => note(&format!("  {verb} {n}")),
                    }
                }
                if plan_send.len() > 20 {
                    note(&format!("  … and {} more", plan_send.len() - 20));
                }
                let n = plan_send.len();
                let question = match kind {
                    MutationKind::Cancel => format!(
                        "Cancel {n} operation(s)? Cancel is best effort: an operation may still finish."
                    ),
                    MutationKind::Delete => format!(
                        "Delete {n} operation record(s)? This removes the record and does NOT cancel the operation."
                    ),
                };
                let yes = tokio::task::spawn_blocking(move || ask(&question, &typed))
                    .await
                    .map_err(|e| CliError::fatal(e.to_string()))??;
                if !yes {
                    note("nothing sent");
                    return Ok(());
                }
            }
        }
    }

    if !a.dry_run && !plan_send.is_empty() {
        // The record comes first: nothing is sent that could not be written down.
        // (The demo's operations are not real ones: they are not recorded.)
        let audit = if ctx.demo {
            Audit::off()
        } else {
            let path = crate::session::audit_path(g, &super::process_env)?;
            let user = super::process_env("USER").or_else(|| super::process_env("LOGNAME"));
            Audit::open(&path, "cli", user).map_err(CliError::fatal)?
        };
        let limiter = RateLimiter::new(g.bulk_rate, BULK_CONCURRENCY);
        let send = std::mem::take(&mut plan_send);
        let reports = &mut reports;
        let services: HashMap<&str, &Arc<ServiceProfile>> = plan
            .looked
            .iter()
            .map(|l| (l.name.as_str(), &l.service))
            .collect();
        bulk::run_with(
            |n| match services.get(n.to_string().as_str()) {
                Some(s) => ctx.client_for_op(n, s).clone(),
                None => ctx.client_for(n.project()).clone(),
            },
            kind,
            send,
            BULK_CONCURRENCY,
            &limiter,
            &audit,
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

    match a.format {
        Format::Json => output::print_json_pretty(&reports)?,
        Format::Jsonl => output::print_jsonl(&reports)?,
        Format::Table | Format::Csv => {
            let now = jiff::Timestamp::now();
            let rows: Vec<Vec<String>> = reports
                .iter()
                .map(|r| {
                    let l = looked.get(r.name.as_str());
                    let result = match r.result {
                        Outcome_::Accepted => format!("{verb} accepted"),
                        Outcome_::Refused => format!("{verb} refused"),
                        Outcome_::Failed => format!("{verb} failed"),
                        Outcome_::Skipped => "skipped".into(),
                        Outcome_::WouldSend => format!("would {verb}"),
                    };
                    vec![
                        result,
                        r.state.unwrap_or("-").to_string(),
                        l.map(|l| l.target.clone()).unwrap_or_default(),
                        age(l.and_then(|l| l.created), now),
                        r.name.clone(),
                        r.message.clone(),
                    ]
                })
                .collect();
            let header = ["RESULT", "STATE", "TARGET", "AGE", "NAME", "DETAIL"];
            if a.format == Format::Csv {
                output::print_csv(&header, &rows)?;
            } else {
                output::print_table(&header, &rows)?;
            }
        }
    }
    note(&summary(verb, &reports, a.dry_run));
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

fn age(created: Option<jiff::Timestamp>, now: jiff::Timestamp) -> String {
    created
        .map(|t| crate::human::coarse_age(now.duration_since(t).unsigned_abs()))
        .unwrap_or_else(|| "-".into())
}

/// One line that counts everything, skips included: `cancel: 2 accepted, 1 refused, 0
/// failed, 4 skipped`.
fn summary(verb: &str, reports: &[Report], dry_run: bool) -> String {
    let count = |o: Outcome_| reports.iter().filter(|r| r.result == o).count();
    let skipped = count(Outcome_::Skipped);
    if dry_run {
        return format!(
            "{verb} (dry run): {} would be sent, {skipped} skipped; nothing sent",
            count(Outcome_::WouldSend)
        );
    }
    let (a, r, f) = (
        count(Outcome_::Accepted),
        count(Outcome_::Refused),
        count(Outcome_::Failed),
    );
    format!("{verb}: {a} accepted, {r} refused, {f} failed, {skipped} skipped")
}
