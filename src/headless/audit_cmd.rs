//! `lrotop audit`: what was cancelled and deleted, by whom, and how it went.

use super::output::{self, CliError, note};
use crate::cli::{AuditArgs, Format, Global};

pub fn run(g: &Global, a: &AuditArgs) -> Result<(), CliError> {
    let path = crate::session::audit_path(g, &super::process_env)?;
    if !path.exists() {
        note(&format!(
            "lrotop: no audit log at {} yet: nothing has been cancelled or deleted",
            path.display()
        ));
        return Ok(());
    }
    let (mut entries, bad) = crate::audit::read(&path).map_err(CliError::fatal)?;
    if bad > 0 {
        note(&format!(
            "lrotop: {bad} unreadable line(s) in {} skipped",
            path.display()
        ));
    }
    if let Some(since) = a.since {
        let from = jiff::Timestamp::now()
            - jiff::SignedDuration::try_from(since).unwrap_or(jiff::SignedDuration::MAX);
        entries.retain(|e| e.time.parse::<jiff::Timestamp>().is_ok_and(|t| t >= from));
    }
    match a.format {
        Format::Json => output::print_json_pretty(&entries)?,
        Format::Jsonl => output::print_jsonl(&entries)?,
        Format::Table | Format::Csv => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.time.clone(),
                        e.user.clone(),
                        e.via.clone(),
                        e.action.clone(),
                        e.outcome.clone(),
                        e.http_status.map(|s| s.to_string()).unwrap_or_default(),
                        e.name.clone(),
                    ]
                })
                .collect();
            let header = ["TIME", "USER", "VIA", "ACTION", "OUTCOME", "HTTP", "NAME"];
            if a.format == Format::Csv {
                output::print_csv(&header, &rows)?;
            } else {
                output::print_table(&header, &rows)?;
            }
        }
    }
    Ok(())
}
