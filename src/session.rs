//! What a run works on: its projects, each with an endpoint, locations and flags, resolved
//! from the command line, the environment and the config file, and one client per endpoint.
//!
//! Precedence: for the projects, flags > `LROTOP_PROJECT` > the config's `[[project]]`s >
//! the project of Application Default Credentials; for everything else, flags > the
//! project's entry > `[defaults]` (and the top level of the config) > built-in defaults.

use crate::api::names::{LocationName, OperationName, check_project};
use crate::api::{ApiError, ClientOptions, Code, OperationsClient, RetryPolicy};
use crate::app::ProjectFlags;
use crate::app::policy::Rules;
use crate::cli::Global;
use crate::config::{self, Config, Locations, ProjectEntry, ThemeName};
use crate::emulator::{Emulator, EmulatorConfig, Scenario};
use crate::exit::CliError;
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use std::time::Duration;

/// Projects named on the command line's behalf, comma- or space-separated.
pub const PROJECT_ENV: &str = "LROTOP_PROJECT";
/// Targets or projects worked on at once by headless commands.
pub const CONCURRENCY: usize = crate::sync::CONCURRENCY;

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectPlan {
    pub id: String,
    pub alias: Option<String>,
    pub endpoint: String,
    pub locations: Locations,
    pub read_only: bool,
    pub protected: bool,
    pub quota_project: Option<String>,
}

impl ProjectPlan {
    /// `prod (my-prod-project)`, or the id alone.
    pub fn label(&self) -> String {
        crate::app::alias_label(self.alias.as_deref(), &self.id)
    }
}

pub struct Session {
    pub projects: Vec<ProjectPlan>,
    pub config: Config,
    /// Read-only everywhere (flag or config).
    pub read_only: bool,
    pub refresh: Duration,
    pub theme: ThemeName,
    /// `[defaults].locations` when it is a list: where discovery falls back.
    pub fallback_locations: Option<Vec<String>>,
    pub demo: bool,
    /// Every project the config names (watched or not) and every one in scope, with its
    /// flags: what the mutation policy reads, whatever project a name turns out to be in.
    pub project_flags: HashMap<String, ProjectFlags>,
    clients: HashMap<String, OperationsClient>,
    default_client: OperationsClient,
    /// Keeps the in-process emulator of `--demo` serving while the run lasts.
    _emulator: Option<Emulator>,
}

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::usage(e.to_string())
}

impl Session {
    /// `needs_projects`: the command works on projects (list, the dashboard) rather than on
    /// named operations. `env` reads the environment (a closure, so tests need not touch it).
    pub async fn resolve(
        g: &Global,
        env: &dyn Fn(&str) -> Option<String>,
        needs_projects: bool,
    ) -> Result<Session, CliError> {
        let path = config::config_path(g.config.as_deref(), env).map_err(usage)?;
        let explicit = g.config.is_some() || env(config::CONFIG_ENV).is_some_and(|v| !v.is_empty());
        let config = config::load(&path, explicit).map_err(usage)?;
        for l in &g.locations {
            LocationName::new("p", l).map_err(usage)?;
        }

        let mut emulator = None;
        let demo_endpoint = if g.demo {
            if g.endpoint.is_some() {
                return Err(CliError::usage(
                    "--demo and --endpoint cannot be used together",
                ));
            }
            let emu = Emulator::start(EmulatorConfig::new(Scenario::Demo))
                .await
                .map_err(|e| CliError::fatal(format!("cannot start the demo emulator: {e}")))?;
            let url = emu.url();
            emulator = Some(emu);
            Some(url)
        } else {
            None
        };

        // Which projects: flags, else the environment, else the config (not in demo mode).
        let env_projects: Vec<String> = env(PROJECT_ENV)
            .map(|v| {
                v.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let named: Vec<String> = if !g.projects.is_empty() {
            g.projects.clone()
        } else {
            env_projects
        };
        let entries: Vec<ProjectEntry> = if !named.is_empty() {
            named
                .iter()
                .map(|n| match config.find(n) {
                    Some(e) => Ok(e.clone()),
                    None => {
                        check_project(n).map_err(usage)?;
                        Ok(ProjectEntry::bare(n))
                    }
                })
                .collect::<Result<_, CliError>>()?
        } else if g.demo {
            EmulatorConfig::new(Scenario::Demo)
                .project_ids()
                .into_iter()
                .map(|id| ProjectEntry::bare(&id))
                .collect()
        } else {
            config.projects.clone()
        };

        let mut projects: Vec<ProjectPlan> = Vec::new();
        for e in &entries {
            if projects.iter().any(|p| p.id == e.id) {
                continue;
            }
            let endpoint = demo_endpoint
                .clone()
                .or_else(|| g.endpoint.clone())
                .unwrap_or_else(|| config.endpoint_for(e).to_string());
            let locations = if !g.locations.is_empty() {
                Locations::List(g.locations.clone())
            } else if g.demo {
                Locations::Discover
            } else {
                config.locations_for(e).clone()
            };
            projects.push(ProjectPlan {
                id: e.id.clone(),
                alias: e.alias.clone(),
                endpoint,
                locations,
                read_only: config.read_only_for(e),
                protected: e.protected,
                quota_project: g.quota_project.clone().or_else(|| e.quota_project.clone()),
            });
        }

        let default_endpoint = demo_endpoint
            .clone()
            .or_else(|| g.endpoint.clone())
            .unwrap_or_else(|| config.default_endpoint.clone());
        let build = |endpoint: &str, quota: Option<String>| -> Result<OperationsClient, CliError> {
            OperationsClient::new(ClientOptions {
                endpoint: endpoint.to_string(),
                access_token_file: g.access_token_file.clone(),
                quota_project: quota,
                retry: RetryPolicy {
                    deadline: g.call_timeout,
                    ..RetryPolicy::default()
                },
                ..ClientOptions::default()
            })
            .map_err(|e| match e {
                ApiError::Auth(_) => CliError::fatal(e.to_string()),
                _ => CliError::usage(e.to_string()),
            })
        };
        let default_client = build(&default_endpoint, g.quota_project.clone())?;

        // Last resort for the project: the one Application Default Credentials belong to.
        // Only for real endpoints: discovery may query the metadata server or run gcloud.
        let adc =
            projects.is_empty() && needs_projects && !g.demo && default_client.auth().is_adc();
        if adc
            && let Some(id) =
                tokio::time::timeout(Duration::from_secs(20), default_client.auth().project_id())
                    .await
                    .ok()
                    .flatten()
        {
            projects.push(ProjectPlan {
                id,
                alias: None,
                endpoint: default_endpoint.clone(),
                locations: if g.locations.is_empty() {
                    config.default_locations.clone()
                } else {
                    Locations::List(g.locations.clone())
                },
                read_only: config.read_only,
                protected: false,
                quota_project: g.quota_project.clone(),
            });
        }
        if projects.is_empty() && needs_projects {
            return Err(CliError::usage(format!(
                "no project: pass --project ID, set {PROJECT_ENV}, or add a [[project]] to {} (`lrotop config init` writes a starter); --demo tries the built-in emulator",
                path.display()
            )));
        }

        let mut clients: HashMap<String, OperationsClient> = HashMap::new();
        let mut by_endpoint: HashMap<(String, Option<String>), OperationsClient> = HashMap::new();
        by_endpoint.insert(
            (default_endpoint.clone(), g.quota_project.clone()),
            default_client.clone(),
        );
        for p in &projects {
            let key = (p.endpoint.clone(), p.quota_project.clone());
            let client = match by_endpoint.get(&key) {
                Some(c) => c.clone(),
                None => {
                    let c = build(&p.endpoint, p.quota_project.clone()).map_err(|e| CliError {
                        status: e.status,
                        message: format!("project {}: {}", p.id, e.message),
                    })?;
                    by_endpoint.insert(key, c.clone());
                    c
                }
            };
            clients.insert(p.id.clone(), client);
        }

        let mut project_flags = HashMap::new();
        for e in &config.projects {
            project_flags.insert(
                e.id.clone(),
                ProjectFlags {
                    alias: e.alias.clone(),
                    read_only: config.read_only_for(e),
                    protected: e.protected,
                },
            );
        }
        for p in &projects {
            project_flags.insert(
                p.id.clone(),
                ProjectFlags {
                    alias: p.alias.clone(),
                    read_only: p.read_only,
                    protected: p.protected,
                },
            );
        }

        let fallback_locations = match &config.default_locations {
            Locations::List(l) => Some(l.clone()),
            Locations::Discover => None,
        };
        Ok(Session {
            read_only: g.read_only || config.read_only,
            refresh: g.refresh.unwrap_or(config.refresh),
            theme: config.theme,
            projects,
            fallback_locations,
            demo: g.demo,
            project_flags,
            config,
            clients,
            default_client,
            _emulator: emulator,
        })
    }

    pub fn client_for(&self, project: &str) -> &OperationsClient {
        self.clients.get(project).unwrap_or(&self.default_client)
    }

    pub fn project_ids(&self) -> Vec<String> {
        self.projects.iter().map(|p| p.id.clone()).collect()
    }

    pub fn project(&self, id: &str) -> Option<&ProjectPlan> {
        self.projects.iter().find(|p| p.id == id)
    }

    /// Read-only for this project (everywhere, or the project's own flag).
    pub fn read_only_for(&self, project: &str) -> bool {
        self.rules().read_only_for(project)
    }

    /// The mutation policy's view of this run.
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            read_only: self.read_only,
            threshold: self.config.bulk_confirm_threshold,
            projects: &self.project_flags,
        }
    }

    /// Every (project, location) in scope. Projects whose locations cannot be discovered
    /// fall back to `[defaults].locations` when `locations.list` is unavailable there (404,
    /// 501, 403), saying so on `notes`; other failures are returned beside the targets.
    pub async fn targets(
        &self,
        notes: &mut Vec<String>,
    ) -> (Vec<LocationName>, Vec<(String, ApiError)>) {
        let found: Vec<_> = stream::iter(self.projects.iter())
            .map(|p| async move {
                let r = match &p.locations {
                    Locations::List(l) => Ok(l.clone()),
                    Locations::Discover => self.client_for(&p.id).list_location_ids(&p.id).await,
                };
                (p, r)
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut targets = Vec::new();
        let mut errors = Vec::new();
        for (p, r) in found {
            let locations = match (r, &self.fallback_locations) {
                (Ok(l), _) => l,
                (Err(e), Some(fallback)) if discovery_unavailable(&e) => {
                    notes.push(format!(
                        "projects/{}: locations.list is not available ({}); using the [defaults] locations",
                        p.id,
                        e.code().map(|c| c.name()).unwrap_or("error")
                    ));
                    fallback.clone()
                }
                (Err(e), _) => {
                    errors.push((format!("projects/{} (locations.list)", p.id), e));
                    continue;
                }
            };
            targets.extend(
                locations
                    .iter()
                    .filter_map(|l| LocationName::new(&p.id, l).ok()),
            );
        }
        (targets, errors)
    }

    /// A full name, or a bare id when exactly one project and one location are in scope.
    pub fn resolve_name(&self, s: &str) -> Result<OperationName, CliError> {
        if s.contains('/') {
            return OperationName::parse(s).map_err(usage);
        }
        match self.projects.as_slice() {
            [p] => match &p.locations {
                Locations::List(l) if l.len() == 1 => {
                    OperationName::new(&p.id, &l[0], s).map_err(usage)
                }
                _ => Err(bare_id(s)),
            },
            _ => Err(bare_id(s)),
        }
    }
}

fn bare_id(s: &str) -> CliError {
    CliError::usage(format!(
        "{:?} is not a full operation name (projects/P/locations/L/operations/ID); a bare id needs exactly one --project and one --location",
        crate::sanitize::one_line(s)
    ))
}

/// `locations.list` missing from this API (or not permitted) rather than failing.
pub fn discovery_unavailable(e: &ApiError) -> bool {
    matches!(
        e.code(),
        Some(Code::NotFound | Code::Unimplemented | Code::PermissionDenied)
    )
}

/// The audit log's path: `--audit-log`/`LROTOP_AUDIT_LOG`, else the XDG state directory.
pub fn audit_path(
    g: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<std::path::PathBuf, CliError> {
    g.audit_log
        .clone()
        .or_else(|| crate::audit::default_path(env))
        .ok_or_else(|| {
            CliError::usage(
                "no place for the audit log: set HOME or XDG_STATE_HOME, or pass --audit-log FILE",
            )
        })
}
