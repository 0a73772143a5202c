//! Runs the app's effects on tokio tasks and answers with actions.
//!
//! Whether a mutation may be sent is decided before it gets here, by `app::policy::decide`,
//! for the dashboard and the CLI alike; both send through [`bulk::run_with`]. The runner
//! refuses read-only projects once more anyway, as a last guard should a caller skip the
//! policy.

pub mod bulk;

use crate::api::{ApiError, OperationName, OperationsClient};
use crate::app::{Action, Effect, MutationKind};
use crate::audit::Audit;
use bulk::{BULK_CONCURRENCY, BULK_RATE_PER_SEC, RateLimiter};
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// Page size for refreshes: one round trip per location where the server allows it.
pub const PAGE_SIZE: u32 = 1000;
/// Reads in flight at once, across all locations. Wide, so a load the user asked for (the
/// first, `r`, a project switch) fetches every location at once; background refresh is
/// paced by the request budget, not by this.
pub const CONCURRENCY: usize = 64;

#[derive(Clone)]
pub struct Runner {
    client: OperationsClient,
    /// Projects served by another endpoint (or billed to another quota project).
    clients: Arc<HashMap<String, OperationsClient>>,
    /// By (project, service): the client of each API a project watches.
    service_clients: Arc<HashMap<(String, String), OperationsClient>>,
    tx: mpsc::UnboundedSender<Action>,
    limit: Arc<Semaphore>,
    bulk_limit: Arc<RateLimiter>,
    read_only: bool,
    read_only_projects: Arc<HashSet<String>>,
    audit: Audit,
}

impl Runner {
    pub fn new(
        client: OperationsClient,
        tx: mpsc::UnboundedSender<Action>,
        read_only: bool,
    ) -> Runner {
        Runner {
            client,
            clients: Arc::default(),
            service_clients: Arc::default(),
            tx,
            limit: Arc::new(Semaphore::new(CONCURRENCY)),
            bulk_limit: Arc::new(RateLimiter::new(BULK_RATE_PER_SEC, BULK_CONCURRENCY)),
            read_only,
            read_only_projects: Arc::default(),
            audit: Audit::off(),
        }
    }

    /// Every cancel and delete answered is recorded here before the app hears of it.
    pub fn with_audit(mut self, audit: Audit) -> Runner {
        self.audit = audit;
        self
    }

    /// Projects whose operations must never be cancelled or deleted from here.
    pub fn with_read_only_projects(mut self, projects: HashSet<String>) -> Runner {
        self.read_only_projects = Arc::new(projects);
        self
    }

    /// A client per project, for projects that do not use the default one.
    pub fn with_clients(mut self, clients: HashMap<String, OperationsClient>) -> Runner {
        self.clients = Arc::new(clients);
        self
    }

    /// A client per (project, service), for [`Effect::ForService`].
    pub fn with_service_clients(
        mut self,
        clients: HashMap<(String, String), OperationsClient>,
    ) -> Runner {
        self.service_clients = Arc::new(clients);
        self
    }

    /// Confirmed bulk actions go no faster than this.
    pub fn with_bulk_rate(mut self, per_sec: f64) -> Runner {
        self.bulk_limit = Arc::new(RateLimiter::new(per_sec, BULK_CONCURRENCY));
        self
    }

    fn client_for(&self, project: &str) -> OperationsClient {
        self.clients.get(project).unwrap_or(&self.client).clone()
    }

    /// The client for `service`'s operations in `project`; without a service (or one the
    /// runner was not given for it), the project's.
    fn client_of(&self, project: &str, service: Option<&str>) -> OperationsClient {
        service
            .and_then(|s| {
                self.service_clients
                    .get(&(project.to_string(), s.to_string()))
            })
            .cloned()
            .unwrap_or_else(|| self.client_for(project))
    }

    fn refuses(&self, name: &OperationName) -> bool {
        self.read_only || self.read_only_projects.contains(name.project())
    }

    fn answer(
        tx: &mpsc::UnboundedSender<Action>,
        kind: MutationKind,
        name: &OperationName,
        result: Result<(), ApiError>,
    ) {
        let name = name.to_string();
        let _ = tx.send(match kind {
            MutationKind::Cancel => Action::CancelSent { name, result },
            MutationKind::Delete => Action::DeleteSent { name, result },
        });
    }

    fn mutate(&self, service: Option<String>, kind: MutationKind, names: Vec<OperationName>) {
        let (refused, allowed): (Vec<_>, Vec<_>) = names.into_iter().partition(|n| self.refuses(n));
        for name in &refused {
            let e = ApiError::Refused(format!("read-only mode: nothing is {}d", kind.verb()));
            Self::answer(&self.tx, kind, name, Err(e));
        }
        if allowed.is_empty() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            let tx = me.tx.clone();
            bulk::run_with(
                |n| me.client_of(n.project(), service.as_deref()),
                kind,
                allowed,
                BULK_CONCURRENCY,
                &me.bulk_limit,
                &me.audit,
                |name, result| Self::answer(&tx, kind, &name, result),
            )
            .await;
        });
    }

    pub fn run(&self, effect: Effect) {
        self.run_for(None, effect);
    }

    /// `service`: the API whose client sends it, and whose name a refresh's answers carry.
    fn run_for(&self, service: Option<String>, effect: Effect) {
        let tx = self.tx.clone();
        let limit = self.limit.clone();
        match effect {
            // The terminal's business, not the server's.
            Effect::Copy { .. } | Effect::CopyLink { .. } | Effect::Notify { .. } => {}
            Effect::ForService { service, effect } => self.run_for(Some(service), *effect),
            Effect::Cancel { name } => self.mutate(service, MutationKind::Cancel, vec![name]),
            Effect::CancelMany { names } => self.mutate(service, MutationKind::Cancel, names),
            Effect::Delete { names } => self.mutate(service, MutationKind::Delete, names),
            Effect::Discover { project } => {
                let client = self.client_for(&project);
                tokio::spawn(async move {
                    let result = {
                        let _permit = limit.acquire().await;
                        client.list_location_ids(&project).await
                    };
                    let _ = tx.send(Action::Discovered { project, result });
                });
            }
            Effect::Refresh { location } => {
                // Reported at the first failure: the app's backoff is the retry.
                let client = self
                    .client_of(location.project(), service.as_deref())
                    .without_retries();
                // A service's answers say which API's target they are for.
                let tag = move |action: Action| match &service {
                    Some(s) => Action::FromService {
                        service: s.clone(),
                        action: Box::new(action),
                    },
                    None => action,
                };
                tokio::spawn(async move {
                    let _permit = limit.acquire().await;
                    // Page by page: what is in flight is one page per location, not a
                    // second copy of every location (docs/PERFORMANCE.md, R6).
                    let mut pages = client.list_pages(&location, "", PAGE_SIZE);
                    let mut first = true;
                    // `locations/-`: the locations it could not reach, over every page so far.
                    let cross = location.location() == "-";
                    let mut unreachable: Vec<String> = Vec::new();
                    while let Some(page) = pages.next().await {
                        let (action, end) = match page {
                            Ok(page) if cross => {
                                unreachable.extend(page.unreachable);
                                (
                                    Action::CrossPage {
                                        location: location.clone(),
                                        ops: page.operations,
                                        skipped: page.skipped,
                                        unreachable: unreachable.clone(),
                                        first,
                                        last: !page.more,
                                    },
                                    !page.more,
                                )
                            }
                            Ok(page) => (
                                Action::Page {
                                    location: location.clone(),
                                    ops: page.operations,
                                    skipped: page.skipped,
                                    first,
                                    last: !page.more,
                                },
                                !page.more,
                            ),
                            Err(e) => (
                                Action::Loaded {
                                    location: location.clone(),
                                    result: Err(e),
                                },
                                true,
                            ),
                        };
                        first = false;
                        if tx.send(tag(action)).is_err() || end {
                            return;
                        }
                    }
                });
            }
            Effect::Get { name } => {
                let client = self.client_of(name.project(), service.as_deref());
                tokio::spawn(async move {
                    let _permit = limit.acquire().await;
                    let result = client.get(&name).await;
                    let _ = tx.send(Action::Got {
                        name: name.to_string(),
                        result,
                    });
                });
            }
        }
    }
}
