//! What a run works on: its projects, each with an endpoint, locations and flags, resolved
//! from the command line, the environment and the config file, and one client per endpoint.
//!
//! Precedence: for the projects, flags > `LROTOP_PROJECT` > the config's `[[project]]`s >
//! the project of Application Default Credentials; for everything else, flags > the
//! project's entry > `[defaults]` (and the top level of the config) > built-in defaults.

use crate::api::names::{LocationName, OperationName, check_project};
use crate::api::service::{DEFAULT_SERVICE, LOCATION_PLACEHOLDER};
use crate::api::{ApiError, ClientOptions, Code, OperationsClient, RetryPolicy, ServiceProfile};
use crate::app::ProjectFlags;
use crate::app::policy::Rules;
use crate::cli::Global;
use crate::config::{self, Config, Locations, ProjectEntry, ThemeName};
use crate::emulator::{Emulator, EmulatorConfig, Scenario};
use crate::exit::CliError;
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
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
    /// The APIs watched here, by profile name (at least one).
    pub services: Vec<String>,
}

/// One project's locations of one API: what a listing covers.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceTarget {
    pub project: String,
    pub service: Arc<ServiceProfile>,
    pub locations: Vec<String>,
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
    /// By (project, service): each project's client for each API it watches.
    by_service: HashMap<(String, String), OperationsClient>,
    /// By service, for names in projects outside the watched ones.
    service_clients: HashMap<String, OperationsClient>,
    /// The profiles this run knows (built-in and the config's), and the ones `--service`
    /// picked.
    profiles: Vec<Arc<ServiceProfile>>,
    picked: Vec<String>,
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

        let profiles = config.profiles();
        for s in &g.services {
            if config.profile(s).is_none() {
                let known: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
                return Err(CliError::usage(format!(
                    "--service {s:?}: unknown service (known: {}; a [[service]] table in the config adds one)",
                    known.join(", ")
                )));
            }
        }
        let mut emulator = None;
        let mut demo_emulator_url = None;
        let demo_endpoint = if g.demo {
            if g.endpoint.is_some() {
                return Err(CliError::usage(
                    "--demo and --endpoint cannot be used together",
                ));
            }
            // Every API at once: the original world at /v1, each profile under /_svc/.
            let mut demo = EmulatorConfig::new(Scenario::Demo);
            demo.services = profiles
                .iter()
                .filter(|p| p.name != DEFAULT_SERVICE)
                .cloned()
                .collect();
            let emu = Emulator::start(demo)
                .await
                .map_err(|e| CliError::fatal(format!("cannot start the demo emulator: {e}")))?;
            let url = emu.url();
            demo_emulator_url = Some(url.clone());
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
                services: if g.services.is_empty() {
                    config.services_for(e)
                } else {
                    g.services.clone()
                },
            });
        }

        let default_endpoint = demo_endpoint
            .clone()
            .or_else(|| g.endpoint.clone())
            .unwrap_or_else(|| config.default_endpoint.clone());
        let build_service = |profile: Option<Arc<ServiceProfile>>,
                             endpoint: &str,
                             quota: Option<String>|
         -> Result<OperationsClient, CliError> {
            OperationsClient::new(ClientOptions {
                endpoint: endpoint.to_string(),
                service: profile,
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
        // The old setup's clients: no profile, the endpoint as given.
        let build = |endpoint: &str, quota: Option<String>| build_service(None, endpoint, quota);
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
                services: if g.services.is_empty() {
                    config.services_for(&ProjectEntry::bare(""))
                } else {
                    g.services.clone()
                },
            });
        }
        if projects.is_empty() && needs_projects {
            return Err(CliError::usage(format!(
                "no project: pass --project ID, set {PROJECT_ENV}, or add a [[project]] to {} (`lrotop config init` writes a starter); --demo tries the built-in emulator",
                path.display()
            )));
        }

        // Where each API's requests go: the old single endpoint for cloudaicompanion unless
        // a [[service]] table says otherwise; with one --service, --endpoint is that API's;
        // else the [[service]] endpoint, else the profile's own host. In the demo, the
        // emulator's prefix for it.
        let one_picked = match g.services.as_slice() {
            [s] => Some(s.as_str()),
            _ => None,
        };
        let route =
            |service: &str, legacy: &str| -> Option<(Option<Arc<ServiceProfile>>, String)> {
                let (profile, endpoint) = config.profile(service)?;
                let configured = config.services.iter().any(|s| s.profile.name == service);
                if let Some(url) = &demo_emulator_url {
                    if service == DEFAULT_SERVICE && !configured {
                        return Some((None, url.clone()));
                    }
                    return Some((
                        Some(profile.clone()),
                        crate::emulator::profiles::endpoint_for(url, &profile),
                    ));
                }
                if service == DEFAULT_SERVICE && !configured {
                    return Some((None, legacy.to_string()));
                }
                let flag = g.endpoint.clone().filter(|_| one_picked == Some(service));
                let endpoint = flag
                    .or_else(|| endpoint.map(str::to_string))
                    .unwrap_or_else(|| profile.host.clone());
                Some((Some(profile), endpoint))
            };

        type Key = (String, Option<String>, String);
        let mut cache: HashMap<Key, OperationsClient> = HashMap::new();
        cache.insert(
            (
                default_endpoint.clone(),
                g.quota_project.clone(),
                DEFAULT_SERVICE.to_string(),
            ),
            default_client.clone(),
        );
        let mut client_of = |service: &str,
                             legacy: &str,
                             quota: Option<String>|
         -> Result<OperationsClient, CliError> {
            let Some((profile, endpoint)) = route(service, legacy) else {
                return Err(CliError::usage(format!("unknown service {service:?}")));
            };
            let key = (endpoint.clone(), quota.clone(), service.to_string());
            if let Some(c) = cache.get(&key) {
                return Ok(c.clone());
            }
            let c = build_service(profile, &endpoint, quota)?;
            cache.insert(key, c.clone());
            Ok(c)
        };
        let mut clients: HashMap<String, OperationsClient> = HashMap::new();
        let mut by_service: HashMap<(String, String), OperationsClient> = HashMap::new();
        for p in &projects {
            for s in &p.services {
                let c =
                    client_of(s, &p.endpoint, p.quota_project.clone()).map_err(|e| CliError {
                        status: e.status,
                        message: format!("project {} ({s}): {}", p.id, e.message),
                    })?;
                clients.entry(p.id.clone()).or_insert_with(|| c.clone());
                by_service.insert((p.id.clone(), s.clone()), c);
            }
        }
        let mut service_clients: HashMap<String, OperationsClient> = HashMap::new();
        for prof in &profiles {
            let c = client_of(&prof.name, &default_endpoint, g.quota_project.clone())?;
            service_clients.insert(prof.name.clone(), c);
        }

        let mut project_flags = HashMap::new();
        for e in &config.projects {
            project_flags.insert(
                e.id.clone(),
                ProjectFlags {
                    alias: e.alias.clone(),
                    read_only: config.read_only_for(e),
                    protected: e.protected,
                    accent: e.colour,
                },
            );
        }
        for p in &projects {
            // A project given by flag keeps the colour its config entry has.
            let accent = project_flags
                .get(&p.id)
                .and_then(|f: &ProjectFlags| f.accent);
            project_flags.insert(
                p.id.clone(),
                ProjectFlags {
                    alias: p.alias.clone(),
                    read_only: p.read_only,
                    protected: p.protected,
                    accent,
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
            by_service,
            service_clients,
            profiles,
            picked: g.services.clone(),
            default_client,
            _emulator: emulator,
        })
    }

    /// The client of a project's first service (its only one in the old setup).
    pub fn client_for(&self, project: &str) -> &OperationsClient {
        self.clients.get(project).unwrap_or(&self.default_client)
    }

    /// The client that serves `service` for `project`: the project's own if it watches the
    /// service, else the service's with the run's defaults.
    pub fn client_for_service(&self, project: &str, service: &str) -> &OperationsClient {
        self.by_service
            .get(&(project.to_string(), service.to_string()))
            .or_else(|| self.service_clients.get(service))
            .unwrap_or(&self.default_client)
    }

    /// The profile of that name this run knows.
    pub fn profile(&self, name: &str) -> Option<&Arc<ServiceProfile>> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The services a name may belong to: `--service`, else its project's (or the
    /// defaults'), narrowed to those of its collection.
    fn candidates(&self, name: &OperationName) -> Vec<Arc<ServiceProfile>> {
        let in_scope: Vec<String> = if !self.picked.is_empty() {
            self.picked.clone()
        } else {
            match self.project(name.project()) {
                Some(p) => p.services.clone(),
                None => self.config.services_for(
                    self.config
                        .find(name.project())
                        .unwrap_or(&ProjectEntry::bare(name.project())),
                ),
            }
        };
        let fits = |p: &&Arc<ServiceProfile>| p.collection == name.collection();
        let mut out: Vec<Arc<ServiceProfile>> = in_scope
            .iter()
            .filter_map(|s| self.profile(s))
            .filter(fits)
            .cloned()
            .collect();
        // A collection none of them has (`regions`): the one API that has it, if only one.
        if out.is_empty() && self.picked.is_empty() {
            let any: Vec<_> = self.profiles.iter().filter(fits).cloned().collect();
            if any.len() == 1 {
                out = any;
            }
        }
        out
    }

    /// A name and the API it belongs to. A full resource name (AIP-122)
    /// `//run.googleapis.com/projects/…` says the API; a relative name belongs to the one
    /// service in scope that can hold it (`--service`, else the project's `services`); a
    /// bare id needs one project and one location, as before.
    pub fn resolve_op(&self, s: &str) -> Result<(OperationName, Arc<ServiceProfile>), CliError> {
        if let Some(rest) = s.strip_prefix("//") {
            let (host, relative) = rest.split_once('/').unwrap_or((rest, ""));
            let name = OperationName::parse(relative).map_err(usage)?;
            let profile = self
                .profiles
                .iter()
                .find(|p| {
                    host == format!("{}.googleapis.com", p.name)
                        || reqwest::Url::parse(&p.host.replace(LOCATION_PLACEHOLDER, "x"))
                            .ok()
                            .and_then(|u| u.host_str().map(|h| h == host))
                            .unwrap_or(false)
                })
                .cloned()
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "{:?}: no known service is served at {host:?}",
                        crate::sanitize::one_line(s)
                    ))
                })?;
            if profile.collection != name.collection() {
                return Err(CliError::usage(format!(
                    "{name}: {} names are projects/*/{}/*",
                    profile.title, profile.collection
                )));
            }
            return Ok((name, profile));
        }
        let name = self.resolve_name(s)?;
        match self.candidates(&name).as_slice() {
            [one] => Ok((name, one.clone())),
            [] => Err(CliError::usage(format!(
                "{name}: no service in scope holds projects/*/{}/* names (pass --service NAME)",
                name.collection()
            ))),
            many => {
                let names: Vec<&str> = many.iter().map(|p| p.name.as_str()).collect();
                Err(CliError::usage(format!(
                    "{name}: it could belong to any of {}: pass --service NAME, or the full name //{}.googleapis.com/{name}",
                    names.join(", "),
                    names[0]
                )))
            }
        }
    }

    /// The client for a resolved name.
    pub fn client_for_op(
        &self,
        name: &OperationName,
        service: &ServiceProfile,
    ) -> &OperationsClient {
        self.client_for_service(name.project(), &service.name)
    }

    /// Every (project, service) in scope with its locations. Locations are discovered per
    /// API where the config says "discover" (falling back to `[defaults].locations` where
    /// `locations.list` is unavailable, as for the old setup).
    pub async fn service_targets(
        &self,
        notes: &mut Vec<String>,
    ) -> (Vec<ServiceTarget>, Vec<(String, ApiError)>) {
        let pairs: Vec<(&ProjectPlan, Arc<ServiceProfile>)> = self
            .projects
            .iter()
            .flat_map(|p| {
                p.services
                    .iter()
                    .filter_map(|s| self.profile(s).cloned())
                    .map(move |s| (p, s))
            })
            .collect();
        let found: Vec<_> = stream::iter(pairs)
            .map(|(p, s)| async move {
                let r = match &p.locations {
                    Locations::List(l) => Ok(l.clone()),
                    Locations::Discover => {
                        self.client_for_service(&p.id, &s.name)
                            .list_location_ids(&p.id)
                            .await
                    }
                };
                (p, s, r)
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut targets = Vec::new();
        let mut errors = Vec::new();
        let several = !self.single_service();
        for (p, s, r) in found {
            let what = if several {
                format!("projects/{} ({})", p.id, s.name)
            } else {
                format!("projects/{}", p.id)
            };
            let locations = match (r, &self.fallback_locations) {
                (Ok(l), _) => l,
                (Err(e), Some(fallback)) if discovery_unavailable(&e) => {
                    notes.push(format!(
                        "{what}: locations.list is not available ({}); using the [defaults] locations",
                        e.code().map(|c| c.name()).unwrap_or("error")
                    ));
                    fallback.clone()
                }
                (Err(e), _) => {
                    errors.push((format!("{what} (locations.list)"), e));
                    continue;
                }
            };
            let locations: Vec<String> = locations
                .into_iter()
                .filter(|l| LocationName::in_collection(&p.id, s.collection, l).is_ok())
                .collect();
            targets.push(ServiceTarget {
                project: p.id.clone(),
                service: s,
                locations,
            });
        }
        (targets, errors)
    }

    /// The old single-endpoint setup: every project watches the default API alone. The
    /// dashboard then runs as it always has (targets without a service, discovery in the
    /// app).
    pub fn single_service(&self) -> bool {
        self.projects
            .iter()
            .all(|p| p.services.iter().map(String::as_str).eq([DEFAULT_SERVICE]))
    }

    /// Each (project, service) watched, with its client: what the dashboard's runner
    /// sends each API's requests with.
    pub fn service_clients(&self) -> HashMap<(String, String), OperationsClient> {
        self.by_service.clone()
    }

    /// Where a location's requests for `service` go: the base URL of its host (each
    /// regional host its own), with the path prefix an endpoint override adds, so two APIs
    /// behind one emulator are apart as they are at Google. One request budget each. Where
    /// no URL can be made for the location, the API's name stands in.
    pub fn host_for(&self, project: &str, service: &str, location: &str) -> String {
        self.client_for_service(project, service)
            .base_for(location)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| service.to_string())
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
        let (targets, errors) = self.service_targets(notes).await;
        let mut out: Vec<LocationName> = Vec::new();
        for t in targets {
            for l in &t.locations {
                if let Ok(n) = LocationName::in_collection(&t.project, t.service.collection, l)
                    && !out.contains(&n)
                {
                    out.push(n);
                }
            }
        }
        (out, errors)
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
