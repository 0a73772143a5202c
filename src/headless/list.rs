//! `lrotop list`.

use super::output::{self, CliError, note};
use crate::api::{LocationName, Operation};
use crate::app::columns::{self, Column, Item, Reading};
use crate::app::filter::{Filter, Subject};
use crate::app::row::RowState;
use crate::cli::{Format, ListArgs};
use crate::session::{CONCURRENCY, Session as Context};
use futures::stream::{self, StreamExt};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::Arc;

/// Ask for the largest page servers allow: one round trip per location where possible.
pub const PAGE_SIZE: u32 = 1000;

/// What `--filter` sees of an operation; `projects` gives the alias `project=` also matches.
pub fn subject<'a>(
    op: &'a Operation,
    now: jiff::Timestamp,
    projects: &'a std::collections::HashMap<String, crate::app::ProjectFlags>,
) -> Subject<'a> {
    Subject::of(op, op.outcome().word(), now, projects)
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
    let now = jiff::Timestamp::now();
    ops.retain(|f| {
        let mut s = subject(&f.op, now, &ctx.project_flags);
        s.service = &f.service.name;
        filter.matches(&s)
    });
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

/// `--columns`, else the config's `columns`, else the defaults.
fn chosen_columns(ctx: &Context, a: &ListArgs) -> Result<Vec<Column>, CliError> {
    match &a.columns {
        Some(c) => {
            columns::check(c).map_err(|(_, m)| CliError::usage(format!("--columns: {m}")))?;
            Ok(c.clone())
        }
        None => Ok(ctx
            .config
            .columns
            .clone()
            .unwrap_or_else(columns::list_defaults)),
    }
}

pub async fn run(ctx: &Context, a: &ListArgs) -> Result<(), CliError> {
    let filter = parse_filter(a.filter.as_deref())?;
    let columns = chosen_columns(ctx, a)?;
    let Listed {
        ops: found,
        errors,
        attempted,
    } = fetch(ctx, &filter).await;
    let mut found = found;
    found.sort_by(|x, y| {
        let (x, y) = (&x.op, &y.op);
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
        Format::Json | Format::Jsonl => {
            let ops: Vec<Operation> = found.into_iter().map(|f| f.op).collect();
            if a.format == Format::Json {
                output::print_json_pretty(&ops)?
            } else {
                output::print_jsonl(&ops)?
            }
        }
        Format::Table | Format::Csv => {
            let reading = Reading {
                now: jiff::Timestamp::now(),
                live: false,
                projects: &ctx.project_flags,
            };
            // Cut to fit only for a person reading a table; CSV carries every field whole.
            let tty = a.format == Format::Table && std::io::stdout().is_terminal();
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|f| {
                    let item = Item {
                        op: &f.op,
                        state: RowState::of(f.op.outcome()),
                        service: &f.service.name,
                    };
                    columns
                        .iter()
                        .map(|c| {
                            let d = c.decl();
                            let text = (d.text)(&reading, item);
                            match d.tty_cap.filter(|_| tty) {
                                Some(cap) => d.fit(&d.safe(&text), cap).into_owned(),
                                // Whole: `print_table` sanitizes and caps every cell.
                                None => text.into_owned(),
                            }
                        })
                        .collect()
                })
                .collect();
            let titles: Vec<&str> = columns.iter().map(|c| c.title()).collect();
            if a.format == Format::Csv {
                output::print_csv(&titles, &rows)?;
            } else {
                output::print_table(&titles, &rows)?;
            }
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
