//! The HTTP face of the emulator: Google's REST paths, parameters and error envelope.

use super::envelope::ServeError;
use super::faults::Faults;
use super::state::{World, WorldConfig, parse_bool};
use crate::api::Operation;
use crate::api::names::{Collection, LocationName, OperationName, check_project};
use crate::api::service::{Method as ApiMethod, ServiceProfile};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

/// Request counts, for tests and benchmarks that must prove what was (not) sent.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Every request that arrived, injected faults included.
    pub requests: u64,
    /// Requests answered with an injected fault (error rate or failing location).
    pub injected: u64,
    /// Requests that reached a method, by method (`list`, `get`, `cancel`, …).
    pub by_method: BTreeMap<&'static str, u64>,
    /// `operations.cancel` requests that reached the method, by operation name.
    pub cancels: HashMap<String, u64>,
    /// `operations.delete` requests that reached the method, by operation name.
    pub deletes: HashMap<String, u64>,
    /// Requests that reached a method of a profile served under `/_svc/`, by
    /// `service method` (e.g. `run list`, `aiplatform wait`).
    pub by_service: BTreeMap<String, u64>,
    /// The host location of each request to a regional profile, as `service location`.
    pub hosts: BTreeMap<String, u64>,
}

impl Stats {
    pub fn method(&self, m: &str) -> u64 {
        self.by_method.get(m).copied().unwrap_or(0)
    }

    /// Requests of `method` that reached `service`'s profile.
    pub fn service(&self, service: &str, method: &str) -> u64 {
        self.by_service
            .get(&format!("{service} {method}"))
            .copied()
            .unwrap_or(0)
    }

    /// Cancels and deletes that reached the server, whatever their answer.
    pub fn mutations(&self) -> u64 {
        self.method("cancel") + self.method("delete")
    }
}

/// One profile the emulator serves besides the original world.
pub(crate) struct Served {
    pub profile: Arc<ServiceProfile>,
    pub world: Mutex<World>,
}

pub(crate) struct Shared {
    pub world: Mutex<World>,
    /// By profile name.
    pub services: BTreeMap<String, Served>,
    pub faults: Faults,
    pub stats: Mutex<Stats>,
    rng: Mutex<StdRng>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler must not take the whole emulator down with a poisoned lock.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(world: &WorldConfig, faults: Faults, seed: u64) -> Self {
        Shared {
            world: Mutex::new(World::new(world)),
            services: BTreeMap::new(),
            faults,
            stats: Mutex::new(Stats::default()),
            rng: Mutex::new(StdRng::seed_from_u64(seed ^ 0xfa17)),
        }
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    pub fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }

    fn count(&self, method: &'static str) {
        *self.stats().by_method.entry(method).or_default() += 1;
    }

    /// The original world and every profile's.
    pub fn worlds(&self) -> impl Iterator<Item = &Mutex<World>> {
        std::iter::once(&self.world).chain(self.services.values().map(|s| &s.world))
    }

    pub fn service_snapshot(&self, service: &str, project: &str, location: &str) -> Vec<Operation> {
        match self.services.get(service) {
            Some(s) => lock(&s.world).snapshot(project, location),
            None => Vec::new(),
        }
    }

    /// Also serves `profile`, with a world of its own made from `cfg` (seeded apart, so
    /// its operation ids are its own).
    pub fn add_service(&mut self, profile: Arc<ServiceProfile>, cfg: &WorldConfig) {
        let salt = profile
            .name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(b as u64));
        let mut world = World::new(&WorldConfig {
            seed: cfg.seed ^ salt,
            ..*cfg
        });
        world.set_profile(profile.clone());
        self.services.insert(
            profile.name.clone(),
            Served {
                profile,
                world: Mutex::new(world),
            },
        );
    }
}

type AppState = Arc<Shared>;

pub(crate) fn router(shared: AppState) -> Router {
    Router::new()
        .route("/v1/projects/{project}/locations", any(locations))
        .route("/v1/projects/{project}/locations/{location}", any(location))
        .route(
            "/v1/projects/{project}/locations/{location}/operations",
            any(operations),
        )
        .route(
            "/v1/projects/{project}/locations/{location}/operations/{op}",
            any(operation),
        )
        .route("/_svc/{*rest}", any(service))
        .fallback(unknown_path)
        .layer(middleware::from_fn_with_state(shared.clone(), faults))
        .with_state(shared)
}

/// Latency, random errors and failing locations, before any method runs.
async fn faults(State(s): State<AppState>, req: Request, next: Next) -> Response {
    s.stats().requests += 1;
    let f = &s.faults;
    let (delay, inject) = {
        let mut rng = lock(&s.rng);
        let jitter = if f.jitter.is_zero() {
            std::time::Duration::ZERO
        } else {
            f.jitter.mul_f64(rng.random::<f64>())
        };
        let inject =
            (f.error_rate > 0.0 && !f.error_codes.is_empty() && rng.random_bool(f.error_rate))
                .then(|| f.error_codes[rng.random_range(0..f.error_codes.len())]);
        (f.latency + jitter, inject)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    // `…/projects/{p}/locations/{l}/…`: the location is the second segment after
    // `projects`, wherever the prefix puts it.
    let failing = req
        .uri()
        .path()
        .split('/')
        .skip_while(|s| *s != "projects")
        .nth(3)
        .and_then(|l| f.failing_status(l.split(':').next().unwrap_or(l)));
    if let Some(http) = inject.or(failing) {
        s.stats().injected += 1;
        return ServeError::from_http(http, f.retry_delay).into_response();
    }
    next.run(req).await
}

/// Google's system parameters, accepted everywhere and ignored.
const SYSTEM_PARAMS: [&str; 12] = [
    "alt",
    "$alt",
    "prettyPrint",
    "$prettyPrint",
    "fields",
    "$fields",
    "$.xgafv",
    "key",
    "quotaUser",
    "access_token",
    "oauth_token",
    "callback",
];

struct Params(Vec<(String, String)>);

impl Params {
    /// Rejects what the method does not know, as Google's front end does.
    fn check(&self, allowed: &[&str]) -> Result<(), ServeError> {
        for (k, v) in &self.0 {
            if SYSTEM_PARAMS.contains(&k.as_str()) {
                if (k == "prettyPrint" || k == "$prettyPrint") && parse_bool(v).is_none() {
                    return Err(ServeError::invalid(format!(
                        "Invalid value for {k}: {v:?}."
                    )));
                }
                continue;
            }
            if !allowed.contains(&k.as_str()) {
                return Err(ServeError::invalid(format!(
                    "Invalid JSON payload received. Unknown name \"{k}\": Cannot bind query parameter. Field '{k}' could not be found in request message."
                )));
            }
        }
        Ok(())
    }

    fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn page_size(&self) -> Result<usize, ServeError> {
        match self.get("pageSize") {
            "" => Ok(0),
            v => match v.parse::<i64>() {
                Ok(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
                Ok(_) => Err(ServeError::invalid("pageSize must not be negative.")),
                Err(_) => Err(ServeError::invalid(format!(
                    "Invalid value at 'page_size' (TYPE_INT32), \"{v}\""
                ))),
            },
        }
    }
}

fn json<T: Serialize>(v: &T) -> Response {
    axum::Json(v).into_response()
}

fn method_not_found(method: &Method, path: &str) -> ServeError {
    ServeError::not_found(format!("Method {method} is not served at {path}."))
}

fn valid_location(project: &str, location: &str) -> Result<(), ServeError> {
    LocationName::new(project, location)
        .map(|_| ())
        .map_err(|e| ServeError::invalid(e.to_string()))
}

async fn locations(
    State(s): State<AppState>,
    method: Method,
    Path(project): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ServeError> {
    if method != Method::GET {
        return Err(method_not_found(&method, "locations"));
    }
    check_project(&project).map_err(|e| ServeError::invalid(e.to_string()))?;
    let q = Params(q);
    q.check(&["filter", "pageSize", "pageToken", "extraLocationTypes"])?;
    if !q.get("filter").is_empty() {
        return Err(ServeError::invalid("Filtering locations is not supported."));
    }
    s.count("locations.list");
    let page = s
        .world()
        .list_locations(&project, q.page_size()?, q.get("pageToken"))?;
    Ok(json(&page))
}

async fn location(
    State(s): State<AppState>,
    method: Method,
    Path((project, location)): Path<(String, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ServeError> {
    if method != Method::GET {
        return Err(method_not_found(&method, "locations"));
    }
    valid_location(&project, &location)?;
    Params(q).check(&[])?;
    s.count("locations.get");
    let loc = s.world().get_location(&project, &location)?;
    Ok(json(&loc))
}

async fn operations(
    State(s): State<AppState>,
    method: Method,
    Path((project, location)): Path<(String, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ServeError> {
    if method != Method::GET {
        return Err(method_not_found(&method, "operations"));
    }
    valid_location(&project, &location)?;
    let q = Params(q);
    q.check(&["filter", "pageSize", "pageToken", "returnPartialSuccess"])?;
    match q.get("returnPartialSuccess") {
        "" => {}
        v => match parse_bool(v) {
            Some(false) => {}
            Some(true) => {
                return Err(ServeError::new(
                    crate::api::Code::Unimplemented,
                    "PARTIAL_SUCCESS_NOT_SUPPORTED",
                    "returnPartialSuccess is not supported for this collection.",
                ));
            }
            None => {
                return Err(ServeError::invalid(format!(
                    "Invalid value at 'return_partial_success' (TYPE_BOOL), \"{v}\""
                )));
            }
        },
    }
    s.count("list");
    let page = s.world().list(
        &project,
        &location,
        q.get("filter"),
        q.page_size()?,
        q.get("pageToken"),
    )?;
    Ok(json(&page))
}

async fn operation(
    State(s): State<AppState>,
    method: Method,
    Path((project, location, op)): Path<(String, String, String)>,
    Query(q): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Result<Response, ServeError> {
    Params(q).check(&[])?;
    // Google's custom method: `…/operations/{id}:cancel`.
    let (id, custom) = match op.rsplit_once(':') {
        Some((id, verb)) => (id.to_string(), Some(verb.to_string())),
        None => (op.clone(), None),
    };
    let name = OperationName::new(&project, &location, &id)
        .map_err(|e| ServeError::invalid(e.to_string()))?;
    match (&method, custom.as_deref()) {
        (&Method::GET, None) => {
            s.count("get");
            let o = s.world().get(&project, &location, &id)?;
            Ok(json(&o))
        }
        (&Method::DELETE, None) => {
            s.count("delete");
            *s.stats().deletes.entry(name.to_string()).or_default() += 1;
            s.world().delete(&project, &location, &id)?;
            Ok(json(&serde_json::json!({})))
        }
        (&Method::POST, Some("cancel")) => {
            check_empty_request(&body)?;
            s.count("cancel");
            *s.stats().cancels.entry(name.to_string()).or_default() += 1;
            s.world().cancel(&project, &location, &id)?;
            Ok(json(&serde_json::json!({})))
        }
        _ => Err(method_not_found(&method, "operations")),
    }
}

/// `CancelOperationRequest` has no fields: an empty body or `{}` (whitespace allowed).
fn check_empty_request(body: &[u8]) -> Result<(), ServeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => match m.keys().next() {
            None => Ok(()),
            Some(k) => Err(ServeError::invalid(format!(
                "Invalid JSON payload received. Unknown name \"{k}\": Cannot find field."
            ))),
        },
        _ => Err(ServeError::invalid(
            "Invalid JSON payload received. Expected an object.",
        )),
    }
}

async fn unknown_path(req: Request) -> ServeError {
    ServeError::not_found(format!(
        "The requested URL {} was not found on this server.",
        crate::sanitize::one_line(req.uri().path())
    ))
}

/// A profile's request: `/_svc/{service}[/{host location}]/{version}/projects/…`. Its
/// errors name that API (`redis.googleapis.com`) as their domain.
async fn service(
    state: State<AppState>,
    method: Method,
    rest: Path<String>,
    q: Query<Vec<(String, String)>>,
    body: Bytes,
) -> Result<Response, ServeError> {
    let domain = rest
        .split('/')
        .next()
        .and_then(|name| state.services.get(name))
        .map(|served| super::profiles::service_domain(&served.profile));
    serve_profile(state, method, rest, q, body)
        .await
        .map_err(|e| match &domain {
            Some(d) => e.in_domain(d),
            None => e,
        })
}

async fn serve_profile(
    State(s): State<AppState>,
    method: Method,
    Path(rest): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Result<Response, ServeError> {
    let not_found = || {
        ServeError::not_found(format!(
            "The requested URL /_svc/{} was not found on this server.",
            crate::sanitize::one_line(&rest)
        ))
    };
    let mut segs: Vec<&str> = rest.split('/').collect();
    let name = segs.first().copied().ok_or_else(not_found)?;
    let served = s.services.get(name).ok_or_else(not_found)?;
    let p = &served.profile;
    segs.remove(0);
    // The location the host would carry, for a regional API.
    let host_location = if p.is_regional() {
        if segs.is_empty() {
            return Err(not_found());
        }
        Some(segs.remove(0).to_string())
    } else {
        None
    };
    if segs.first() != Some(&p.version.as_str()) {
        return Err(not_found());
    }
    let path = &segs[1..];
    let q = Params(q);
    let count = |m: &str| {
        let mut st = s.stats();
        *st.by_service.entry(format!("{name} {m}")).or_default() += 1;
        if let Some(h) = &host_location {
            *st.hosts.entry(format!("{name} {h}")).or_default() += 1;
        }
    };
    let word = p.collection.word();
    let served_here = |location: &str| -> Result<(), ServeError> {
        match &host_location {
            Some(h) if h != location => Err(ServeError::invalid(format!(
                "{location} is not served at the {h} endpoint of {}.",
                p.title
            ))),
            _ => Ok(()),
        }
    };
    let lacks = || not_found();
    match path {
        ["projects", project, "locations"] if p.collection == Collection::Locations => {
            if method != Method::GET {
                return Err(method_not_found(&method, "locations"));
            }
            check_project(project).map_err(|e| ServeError::invalid(e.to_string()))?;
            q.check(&["filter", "pageSize", "pageToken", "extraLocationTypes"])?;
            count("locations.list");
            let page =
                lock(&served.world).list_locations(project, q.page_size()?, q.get("pageToken"))?;
            Ok(json(&page))
        }
        ["projects", project, c, location, "operations"] if *c == word => {
            if method != Method::GET {
                return Err(method_not_found(&method, "operations"));
            }
            if !p.has(ApiMethod::List) {
                return Err(lacks());
            }
            q.check(&["filter", "pageSize", "pageToken", "returnPartialSuccess"])?;
            let partial = match q.get("returnPartialSuccess") {
                "" => false,
                v => parse_bool(v).ok_or_else(|| {
                    ServeError::invalid(format!(
                        "Invalid value at 'return_partial_success' (TYPE_BOOL), \"{v}\""
                    ))
                })?,
            };
            if *location == "-" {
                if !p.cross_location {
                    return Err(ServeError::new(
                        crate::api::Code::Unimplemented,
                        "CROSS_LOCATION_NOT_SUPPORTED",
                        format!("Listing across {word} is not supported by {}.", p.title),
                    ));
                }
                check_project(project).map_err(|e| ServeError::invalid(e.to_string()))?;
                count("list");
                let f = &s.faults;
                let page = lock(&served.world).list_every_location(
                    project,
                    q.get("filter"),
                    q.page_size()?,
                    q.get("pageToken"),
                    partial,
                    &|l| f.failing_status(l),
                )?;
                return Ok(json(&page));
            }
            if partial {
                return Err(ServeError::new(
                    crate::api::Code::Unimplemented,
                    "PARTIAL_SUCCESS_NOT_SUPPORTED",
                    "returnPartialSuccess is not supported for this collection.",
                ));
            }
            LocationName::in_collection(project, p.collection, location)
                .map_err(|e| ServeError::invalid(e.to_string()))?;
            served_here(location)?;
            count("list");
            let page = lock(&served.world).list(
                project,
                location,
                q.get("filter"),
                q.page_size()?,
                q.get("pageToken"),
            )?;
            Ok(json(&page))
        }
        ["projects", project, c, location, "operations", op] if *c == word => {
            q.check(&[])?;
            let (id, custom) = match op.rsplit_once(':') {
                Some((id, verb)) => (id, Some(verb)),
                None => (*op, None),
            };
            let n = OperationName::in_collection(project, p.collection, location, id)
                .map_err(|e| ServeError::invalid(e.to_string()))?;
            served_here(location)?;
            // A method the API has no HTTP binding for is a path nothing serves: 404.
            match (&method, custom) {
                (&Method::GET, None) if p.has(ApiMethod::Get) => {
                    count("get");
                    Ok(json(&lock(&served.world).get(project, location, id)?))
                }
                (&Method::DELETE, None) if p.has(ApiMethod::Delete) => {
                    count("delete");
                    *s.stats().deletes.entry(n.to_string()).or_default() += 1;
                    lock(&served.world).delete(project, location, id)?;
                    Ok(json(&serde_json::json!({})))
                }
                (&Method::POST, Some("cancel")) if p.has(ApiMethod::Cancel) => {
                    check_empty_request(&body)?;
                    count("cancel");
                    *s.stats().cancels.entry(n.to_string()).or_default() += 1;
                    lock(&served.world).cancel(project, location, id)?;
                    Ok(json(&serde_json::json!({})))
                }
                (&Method::POST, Some("wait")) if p.has(ApiMethod::Wait) => {
                    let timeout = wait_timeout(&body)?;
                    count("wait");
                    let until = tokio::time::Instant::now() + timeout;
                    loop {
                        let op = lock(&served.world).get(project, location, id)?;
                        if op.done || tokio::time::Instant::now() >= until {
                            return Ok(json(&op));
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
                (&Method::GET | &Method::DELETE, None) | (&Method::POST, Some(_)) => Err(lacks()),
                _ => Err(method_not_found(&method, "operations")),
            }
        }
        _ => Err(not_found()),
    }
}

/// The most `:wait` holds a request, whatever it asks: under any client's own timeout.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// `WaitOperationRequest` in the body: `{}` or `{"timeout": "3s"}`.
fn wait_timeout(body: &[u8]) -> Result<std::time::Duration, ServeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(MAX_WAIT);
    }
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| ServeError::invalid("Invalid JSON payload received."))?;
    let Some(m) = v.as_object() else {
        return Err(ServeError::invalid(
            "Invalid JSON payload received. Expected an object.",
        ));
    };
    if let Some(k) = m.keys().find(|k| *k != "timeout" && *k != "name") {
        return Err(ServeError::invalid(format!(
            "Invalid JSON payload received. Unknown name \"{k}\": Cannot find field."
        )));
    }
    match m.get("timeout").and_then(serde_json::Value::as_str) {
        None => Ok(MAX_WAIT),
        Some(t) => crate::api::time::parse_duration(t)
            .map(|d| d.min(MAX_WAIT))
            .ok_or_else(|| ServeError::invalid(format!("Invalid value at 'timeout': {t:?}"))),
    }
}
