//! `lrotop list`.

use super::output::{self, CliError, note};
use crate::api::time::coarse_age;
use crate::api::{LocationName, Operation};
use crate::app::filter::{Filter, Subject};
use crate::cli::{Format, ListArgs};
use crate::session::{CONCURRENCY, Session as Context};
use futures::stream::{self, StreamExt};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::Arc;

/// Ask for the largest page servers allow: one round trip per location where possible.
pub const PAGE_SIZE: u32 = 1000;

pub fn subject(op: &Operation) -> Subject<'_> {
    Subject {
        state: op.outcome().word(),
        verb: op.verb(),
        location: op.location(),
        project: op.project(),
        text: [&op.name, op.target(), op.status_message()],
    }
}

/// Keeps the tail, which names the resource: `…Indexes/idx-a`.
pub fn shorten_left(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max || max < 2 {
        return s.to_string();
    }
    let tail: String = s.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
}

pub fn age(op: &Operation, now: jiff::Timestamp) -> String {
    match op.create_time() {
        Some(t) => {
            let d = now.duration_since(t);
            coarse_age(d.unsigned_abs())
        }
        None => "-".into(),
    }
}

pub fn parse_filter(f: Option<&str>) -> Result<Filter, CliError> {
    match f {
        Some(f) => Filter::parse(f).map_err(|e| CliError::usage(format!("--filter: {e}"))),
        None => Ok(Filter::default()),
    }
}

/// One operation and the location whose listing returned it (its own name may say another:
/// see [`LocationName::holds`]).
pub struct Found {
    pub parent: Arc<LocationName>,
    pub op: Operation,
    /// The API whose listing returned it.
    pub service: Arc<crate::api::ServiceProfile>,
}

/// What a listing across every target found.
pub struct Listed {
    pub ops: Vec<Found>,
    /// Targets (or projects whose locations could not be listed) that failed.
    pub errors: Vec<(String, crate::api::ApiError)>,
    pub attempted: usize,
}

/// Lists every target concurrently (bounded) and keeps what matches `filter`.
pub async fn fetch(ctx: &Context, filter: &Filter) -> Listed {
    let mut notes = Vec::new();
    let (targets, mut errors) = ctx.service_targets(&mut notes).await;
    for n in &notes {
        note(&format!("lrotop: {n}"));
    }
    let attempted = targets.iter().map(|t| t.locations.len()).sum::<usize>() + errors.len();
    // Per (project, service): one `locations/-` listing where the API has it, else one
    // per location (Session::service_targets + OperationsClient::list_project).
    let per_service: Vec<_> = stream::iter(targets)
        .map(|t| async move {
            let l = ctx
                .client_for_service(&t.project, &t.service.name)
                .list_project(&t.project, &t.locations, "", PAGE_SIZE, CONCURRENCY)
                .await;
            if let Some(why) = &l.fell_back {
                note(&format!(
                    "lrotop: {} has no cross-location listing here ({why}); listed per location",
                    t.service.title
                ));
            }
            (t.service, l.results)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let results = per_service
        .into_iter()
        .flat_map(|(s, rs)| rs.into_iter().map(move |(t, r)| (s.clone(), t, r)));
    let mut ops = Vec::new();
    // A server that repeats an operation on a later page must not make it two rows, nor
    // two cancels: the first one listed is kept.
    let mut names: HashSet<String> = HashSet::new();
    for (service, t, r) in results {
        let label = |t: &LocationName| {
            if service.name == crate::api::service::DEFAULT_SERVICE {
                t.to_string()
            } else {
                format!("{t} ({})", service.name)
            }
        };
        match r {
            Ok(listing) => {
                let foreign = listing
                    .operations
                    .iter()
                    .filter(|o| !t.holds(&o.name))
                    .count();
                if foreign > 0 {
                    note(&format!(
                        "lrotop: {t}: the server listed {foreign} operation(s) named outside it; shown, never acted on"
                    ));
                }
                let parent = Arc::new(t);
                let mut repeated = 0;
                for op in listing.operations {
                    if names.insert(op.name.clone()) {
                        ops.push(Found {
                            parent: parent.clone(),
                            op,
                            service: service.clone(),
                        });
                    } else {
                        repeated += 1;
                    }
                }
                if listing.skipped > 0 {
                    note(&format!(
                        "lrotop: {} skipped in {parent}",
                        count(listing.skipped, "unreadable operation")
                    ));
                }
                if repeated > 0 {
                    note(&format!(
                        "lrotop: {} listed again on a later page in {parent}; each shown once",
                        count(repeated, "operation")
                    ));
                }
            }
            Err(e) => errors.push((label(&t), e)),
        }
    }
    ops.retain(|f| filter.matches(&subject(&f.op)));
    Listed {
        ops,
        errors,
        attempted,
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub async fn run(ctx: &Context, a: &ListArgs) -> Result<(), CliError> {
    let filter = parse_filter(a.filter.as_deref())?;
    let Listed {
        ops: found,
        errors,
        attempted,
    } = fetch(ctx, &filter).await;
    let mut ops: Vec<Operation> = found.into_iter().map(|f| f.op).collect();
    ops.sort_by(|x, y| {
        (
            x.project(),
            x.location(),
            std::cmp::Reverse(x.create_time()),
            &x.name,
        )
            .cmp(&(
                y.project(),
                y.location(),
                std::cmp::Reverse(y.create_time()),
                &y.name,
            ))
    });
    match a.format {
        Format::Json => output::print_json_pretty(&ops)?,
        Format::Jsonl => output::print_jsonl(&ops)?,
        Format::Table => {
            let now = jiff::Timestamp::now();
            let tty = std::io::stdout().is_terminal();
            let rows: Vec<Vec<String>> = ops
                .iter()
                .map(|o| {
                    let target = if tty {
                        shorten_left(o.target(), 48)
                    } else {
                        o.target().to_string()
                    };
                    vec![
                        o.outcome().word().to_string(),
                        o.location().to_string(),
                        o.verb().to_string(),
                        target,
                        age(o, now),
                        o.name.clone(),
                    ]
                })
                .collect();
            output::print_table(
                &["STATE", "LOCATION", "VERB", "TARGET", "AGE", "NAME"],
                &rows,
            )?;
        }
    }
    for (what, e) in &errors {
        note(&format!("lrotop: {what}: {e}"));
    }
    match errors.len() {
        0 => Ok(()),
        n if n == attempted => Err(CliError::fatal(format!("every target failed ({n})"))),
        n => Err(CliError::partial(format!(
            "{n} of {attempted} targets failed"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_keeps_the_tail() {
        assert_eq!(shorten_left("abc", 5), "abc");
        assert_eq!(
            shorten_left("projects/p/locations/l/codeRepositoryIndexes/idx-a", 12),
            "…dexes/idx-a"
        );
    }
}
