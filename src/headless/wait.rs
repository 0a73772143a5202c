//! `lrotop wait`: poll until done.

use super::output::{self, CliError, note};
use crate::api::{OperationName, Outcome};
use crate::cli::WaitArgs;
use crate::session::Session as Context;
use futures::future::join_all;
use std::time::{Duration, Instant};

pub async fn run(ctx: &Context, a: &WaitArgs) -> Result<(), CliError> {
    let names: Vec<OperationName> = a
        .names
        .iter()
        .map(|n| ctx.resolve_name(n))
        .collect::<Result<_, _>>()?;
    let deadline = a.timeout.map(|t| Instant::now() + t);
    let interval = a.interval.max(Duration::from_millis(200));
    let results = join_all(names.iter().map(|n| async move {
        loop {
            match ctx.client_for(n.project()).get(n).await {
                Ok(op) if op.done => return Ok(op),
                Ok(_) => {}
                Err(e) => return Err(format!("{e}")),
            }
            if deadline.is_some_and(|d| Instant::now() + interval > d) {
                return Err("still running when --timeout ran out".to_string());
            }
            tokio::time::sleep(interval).await;
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
            Err(e) => {
                errors += 1;
                note(&format!("lrotop: {n}: {e}"));
                rows.push(vec!["UNKNOWN".to_string(), n.to_string(), e]);
            }
        }
    }
    output::print_table(&["STATE", "NAME", "DETAIL"], &rows)?;
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
