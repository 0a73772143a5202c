//! A faithful local `google.longrunning.Operations` server for `projects/*/locations/*`.
//!
//! The demo, the tests and the benchmarks run it in-process on 127.0.0.1; `lrotop emulator`
//! runs it standalone. It depends only on `api`'s wire model.

mod envelope;
pub mod faults;
pub mod profiles;
pub mod scenario;
mod server;
pub mod state;
pub mod world;

pub use faults::Faults;
pub use scenario::Scenario;
pub use server::Stats;

use crate::api::Operation;
use crate::api::service::ServiceProfile;
use server::Shared;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    pub addr: SocketAddr,
    pub scenario: Scenario,
    pub projects: usize,
    pub locations: usize,
    pub ops_per_location: usize,
    pub seed: u64,
    pub faults: Faults,
    pub frozen_at: Option<jiff::Timestamp>,
    /// Serve at most this many items a page, whatever `pageSize` asks (servers clamp);
    /// `None`: the usual cap of 1000.
    pub max_page_size: Option<usize>,
    /// Every operation it starts with gets a target of its own (they repeat otherwise).
    pub distinct_targets: bool,
    /// Other APIs served at once, each with a world of its own, under
    /// `/_svc/NAME/…` (see [`profiles`]); the original world stays at `/v1/`.
    pub services: Vec<Arc<ServiceProfile>>,
}

impl EmulatorConfig {
    pub fn new(scenario: Scenario) -> Self {
        let (projects, locations, ops) = match scenario {
            Scenario::Demo => (3, 4, 10),
            Scenario::Static => (2, 3, 12),
        };
        EmulatorConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenario,
            projects,
            locations,
            ops_per_location: ops,
            seed: 1,
            faults: Faults {
                error_codes: vec![429, 503],
                retry_delay: std::time::Duration::from_millis(100),
                ..Default::default()
            },
            frozen_at: None,
            max_page_size: None,
            distinct_targets: false,
            services: Vec::new(),
        }
    }

    /// Also serves every profile of the built-in catalogue but cloudaicompanion (the
    /// original world is that one).
    pub fn with_catalogue(mut self) -> Self {
        self.services = crate::api::service::catalogue()
            .iter()
            .filter(|p| p.name != crate::api::service::DEFAULT_SERVICE)
            .cloned()
            .collect();
        self
    }

    /// The projects and locations this configuration serves.
    pub fn project_ids(&self) -> Vec<String> {
        scenario::project_ids(self.projects)
    }

    pub fn location_ids(&self) -> Vec<String> {
        scenario::location_ids(self.locations)
    }
}

/// A running emulator; dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Binds `cfg.addr` and serves on the current tokio runtime.
    pub async fn start(cfg: EmulatorConfig) -> std::io::Result<Emulator> {
        let world = state::WorldConfig {
            scenario: cfg.scenario,
            projects: cfg.projects,
            locations: cfg.locations,
            ops_per_location: cfg.ops_per_location,
            seed: cfg.seed,
            empty_pages: cfg.faults.empty_pages,
            frozen_at: cfg.frozen_at,
        };
        let mut shared = Shared::new(&world, cfg.faults.clone(), cfg.seed);
        for p in &cfg.services {
            shared.add_service(p.clone(), &world);
        }
        let shared = Arc::new(shared);
        for world in shared.worlds() {
            let mut w = server::lock(world);
            w.set_max_page_size(cfg.max_page_size);
            if cfg.distinct_targets {
                w.make_targets_distinct();
            }
        }
        let listener = tokio::net::TcpListener::bind(cfg.addr).await?;
        let addr = listener.local_addr()?;
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("emulator stopped: {e}");
            }
        });
        Ok(Emulator { addr, shared, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, to use as an endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats().clone()
    }

    /// Every operation of a location as served now (not counted as a request).
    pub fn snapshot(&self, project: &str, location: &str) -> Vec<Operation> {
        self.shared.world().snapshot(project, location)
    }

    /// The same, of a profile served under `/_svc/` (empty if it is not served).
    pub fn service_snapshot(&self, service: &str, project: &str, location: &str) -> Vec<Operation> {
        self.shared.service_snapshot(service, project, location)
    }

    /// The endpoint override that maps `profile`'s host to this emulator.
    pub fn endpoint_for(&self, profile: &ServiceProfile) -> String {
        profiles::endpoint_for(&self.url(), profile)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An emulator on a runtime of its own thread, for synchronous callers (PTY tests, the CLI).
pub struct BackgroundEmulator {
    url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    pub fn start(cfg: EmulatorConfig) -> std::io::Result<BackgroundEmulator> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                rt.block_on(async move {
                    match Emulator::start(cfg).await {
                        Ok(emu) => {
                            let _ = ready_tx.send(Ok((emu.url(), emu.shared.clone())));
                            let _ = stop_rx.await;
                            drop(emu);
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        let (url, shared) = ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("the emulator thread ended before it started"))??;
        Ok(BackgroundEmulator {
            url,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats().clone()
    }

    pub fn snapshot(&self, project: &str, location: &str) -> Vec<Operation> {
        self.shared.world().snapshot(project, location)
    }

    pub fn service_snapshot(&self, service: &str, project: &str, location: &str) -> Vec<Operation> {
        self.shared.service_snapshot(service, project, location)
    }

    pub fn endpoint_for(&self, profile: &ServiceProfile) -> String {
        profiles::endpoint_for(&self.url, profile)
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ClientOptions, ListQuery, LocationName, OperationsClient};

    #[tokio::test]
    async fn max_page_size_clamps_pages_on_the_wire() {
        let mut cfg = EmulatorConfig::new(Scenario::Static);
        cfg.projects = 1;
        cfg.locations = 1;
        cfg.ops_per_location = 250;
        assert_eq!(cfg.max_page_size, None, "no cap unless asked");
        cfg.max_page_size = Some(100);
        let emu = Emulator::start(cfg).await.unwrap();
        let client = OperationsClient::new(ClientOptions::for_endpoint(emu.url())).unwrap();
        let parent = LocationName::new("demo-project-1", "global").unwrap();
        let ask = ListQuery {
            page_size: 1000,
            ..Default::default()
        };
        let page = client.list_page(&parent, &ask).await.unwrap();
        assert_eq!(page.operations.len(), 100);
        assert!(!page.next_page_token.is_empty());
        assert_eq!(client.list_all(&parent, "", 1000).await.unwrap().len(), 250);
        assert_eq!(
            emu.stats().method("list"),
            4,
            "one page, then three for the rest"
        );
    }
}
