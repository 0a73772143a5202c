//! The scriptable CLI: list, describe, cancel, delete, wait, config, doctor.

mod audit_cmd;
mod config_cmd;
mod docs;
mod doctor;
mod list;
mod mutate;
mod output;
mod wait;

pub use output::{CliError, safe_json};

use crate::app::MutationKind;
use crate::cli::{Command, Format, Global};
use crate::session::Session;

/// When a `get` answered with another operation than the one asked for, what to say. The
/// answer is not about the name asked for, so nothing may be decided on it.
pub(crate) fn mismatch(
    asked: &crate::api::OperationName,
    got: &crate::api::Operation,
) -> Option<String> {
    let asked = asked.to_string();
    (got.name != asked).then(|| {
        format!(
            "server answered for {} when asked for {asked}",
            if got.name.is_empty() {
                "an operation without a name".into()
            } else {
                crate::sanitize::one_line(&got.name).into_owned()
            }
        )
    })
}

/// The process environment, for resolving a session outside tests.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

pub async fn run(g: &Global, command: Command) -> Result<(), CliError> {
    match command {
        Command::Emulator(_) => return Err(CliError::usage("the emulator is started by main")),
        Command::Config(c) => return config_cmd::run(g, c, &process_env),
        Command::Completions { shell } => return docs::completions(shell),
        Command::Man => return docs::man(),
        Command::Audit(a) => return audit_cmd::run(g, &a),
        _ => {}
    }
    let by_projects = match &command {
        Command::List(_) | Command::Doctor => true,
        Command::Cancel(a) | Command::Delete(a) => a.filter.is_some(),
        _ => false,
    };
    let ctx = Session::resolve(g, &process_env, by_projects).await?;
    match command {
        Command::List(a) => list::run(&ctx, &a).await,
        Command::Describe { name, format, url } => {
            let (name, service) = ctx.resolve_op(&name)?;
            let op = ctx
                .client_for_op(&name, &service)
                .get(&name)
                .await
                .map_err(|e| CliError::api(&name.to_string(), &e))?;
            if let Some(w) = mismatch(&name, &op) {
                output::note(&format!("lrotop: warning: {w}"));
            }
            if url {
                // The name asked for, not the one answered: a server's word never picks
                // the project the link goes to.
                let link = crate::api::console::url_for(
                    &name,
                    op.create_time(),
                    op.end_time(),
                    service.console.as_deref(),
                );
                return output::print_link(&link);
            }
            match format.unwrap_or(Format::Json) {
                Format::Json => output::print_json_pretty(&op),
                Format::Jsonl => output::print_jsonl(std::slice::from_ref(&op)),
                f @ (Format::Table | Format::Csv) => {
                    let now = jiff::Timestamp::now();
                    let age = op
                        .create_time()
                        .map(|t| crate::human::coarse_age(now.duration_since(t).unsigned_abs()))
                        .unwrap_or_else(|| "-".into());
                    let header = ["STATE", "VERB", "TARGET", "AGE", "NAME", "MESSAGE"];
                    let row = vec![vec![
                        op.outcome().word().to_string(),
                        op.verb().to_string(),
                        op.target().to_string(),
                        age,
                        op.name.clone(),
                        op.status_message().to_string(),
                    ]];
                    if f == Format::Csv {
                        output::print_csv(&header, &row)
                    } else {
                        output::print_table(&header, &row)
                    }
                }
            }
        }
        Command::Cancel(a) => mutate::run(&ctx, g, &a, MutationKind::Cancel).await,
        Command::Delete(a) => mutate::run(&ctx, g, &a, MutationKind::Delete).await,
        Command::Wait(a) => wait::run(&ctx, &a).await,
        Command::Doctor => doctor::run(&ctx).await,
        Command::Emulator(_)
        | Command::Config(_)
        | Command::Completions { .. }
        | Command::Man
        | Command::Audit(_) => Ok(()),
    }
}
