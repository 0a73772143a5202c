//! The scriptable CLI: list, describe, cancel, delete, wait.

mod list;
mod mutate;
mod output;
mod wait;

pub use output::{CliError, safe_json};

use crate::api::names::{LocationName, OperationName, check_project};
use crate::api::{ApiError, ClientOptions, OperationsClient, RetryPolicy};
use crate::app::MutationKind;
use crate::cli::{Command, Global};
use crate::emulator::{Emulator, EmulatorConfig, Scenario};
use futures::stream::{self, StreamExt};

/// How many targets or operations are worked on at once.
pub const CONCURRENCY: usize = 8;

/// Everything a headless command needs: a client, the projects and locations in scope.
pub struct Context {
    pub client: OperationsClient,
    pub projects: Vec<String>,
    /// Empty: every location `locations.list` returns.
    pub locations: Vec<String>,
    pub read_only: bool,
    /// Keeps the in-process emulator of `--demo` serving while the command runs.
    _demo: Option<Emulator>,
}

impl Context {
    /// `needs_projects`: the command works on projects (list) rather than on named operations.
    pub async fn new(g: &Global, needs_projects: bool) -> Result<Context, CliError> {
        let mut demo = None;
        let mut projects = g.projects.clone();
        let endpoint = if g.demo {
            if g.endpoint.is_some() {
                return Err(CliError::usage(
                    "--demo and --endpoint cannot be used together",
                ));
            }
            let cfg = EmulatorConfig::new(Scenario::Demo);
            if projects.is_empty() {
                projects = cfg.project_ids();
            }
            let emu = Emulator::start(cfg)
                .await
                .map_err(|e| CliError::fatal(format!("cannot start the demo emulator: {e}")))?;
            let url = emu.url();
            demo = Some(emu);
            url
        } else {
            g.endpoint
                .clone()
                .unwrap_or_else(|| crate::api::DEFAULT_ENDPOINT.to_string())
        };
        if projects.is_empty() && needs_projects {
            return Err(CliError::usage(
                "no project: pass --project ID (or --demo to try the built-in emulator)",
            ));
        }
        for p in &projects {
            check_project(p).map_err(|e| CliError::usage(e.to_string()))?;
        }
        for l in &g.locations {
            LocationName::new("p", l).map_err(|e| CliError::usage(e.to_string()))?;
        }
        let opts = ClientOptions {
            endpoint,
            access_token_file: g.access_token_file.clone(),
            quota_project: g.quota_project.clone(),
            retry: RetryPolicy {
                deadline: g.call_timeout,
                ..RetryPolicy::default()
            },
            ..ClientOptions::default()
        };
        let client = OperationsClient::new(opts).map_err(|e| match e {
            ApiError::Auth(_) => CliError::fatal(e.to_string()),
            _ => CliError::usage(e.to_string()),
        })?;
        Ok(Context {
            client,
            projects,
            locations: g.locations.clone(),
            read_only: g.read_only,
            _demo: demo,
        })
    }

    /// Every (project, location) in scope. Projects whose locations cannot be listed are
    /// returned as errors beside the targets that could be found.
    pub async fn targets(&self) -> (Vec<LocationName>, Vec<(String, ApiError)>) {
        if !self.locations.is_empty() {
            let targets = self
                .projects
                .iter()
                .flat_map(|p| {
                    self.locations
                        .iter()
                        .filter_map(move |l| LocationName::new(p, l).ok())
                })
                .collect();
            return (targets, Vec::new());
        }
        let results: Vec<_> = stream::iter(self.projects.iter())
            .map(|p| async move { (p.clone(), self.client.list_locations(p).await) })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut targets = Vec::new();
        let mut errors = Vec::new();
        for (p, r) in results {
            match r {
                Ok(locs) => targets.extend(locs.iter().filter_map(|l| {
                    let id = if l.location_id.is_empty() {
                        l.name.rsplit('/').next().unwrap_or("")
                    } else {
                        l.location_id.as_str()
                    };
                    LocationName::new(&p, id).ok()
                })),
                Err(e) => errors.push((format!("projects/{p} (locations.list)"), e)),
            }
        }
        (targets, errors)
    }

    /// A full name, or a bare id when exactly one project and one location are in scope.
    pub fn resolve(&self, s: &str) -> Result<OperationName, CliError> {
        if s.contains('/') {
            return OperationName::parse(s).map_err(|e| CliError::usage(e.to_string()));
        }
        match (self.projects.as_slice(), self.locations.as_slice()) {
            ([p], [l]) => OperationName::new(p, l, s).map_err(|e| CliError::usage(e.to_string())),
            _ => Err(CliError::usage(format!(
                "{:?} is not a full operation name (projects/P/locations/L/operations/ID); a bare id needs exactly one --project and one --location",
                crate::sanitize::one_line(s)
            ))),
        }
    }
}

pub async fn run(g: &Global, command: Command) -> Result<(), CliError> {
    if let Command::Emulator(_) = command {
        return Err(CliError::usage("the emulator is started by main"));
    }
    let by_filter = match &command {
        Command::List(_) => true,
        Command::Cancel(a) | Command::Delete(a) => a.filter.is_some(),
        _ => false,
    };
    let ctx = Context::new(g, by_filter).await?;
    match command {
        Command::List(a) => list::run(&ctx, &a).await,
        Command::Describe { name } => {
            let name = ctx.resolve(&name)?;
            let op = ctx
                .client
                .get(&name)
                .await
                .map_err(|e| CliError::api(&name.to_string(), &e))?;
            output::print_json_pretty(&op)
        }
        Command::Cancel(a) => mutate::run(&ctx, g, &a, MutationKind::Cancel).await,
        Command::Delete(a) => mutate::run(&ctx, g, &a, MutationKind::Delete).await,
        Command::Wait(a) => wait::run(&ctx, &a).await,
        Command::Emulator(_) => Ok(()),
    }
}
