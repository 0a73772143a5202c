//! The HTTP face of the emulator: Google's REST paths, parameters and error envelope.

use super::envelope::ServeError;
use super::faults::Faults;
use super::state::{World, WorldConfig, parse_bool};
use crate::api::names::{LocationName, OperationName, check_project};
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
}

impl Stats {
    pub fn method(&self, m: &str) -> u64 {
        self.by_method.get(m).copied().unwrap_or(0)
    }

    /// Cancels and deletes that reached the server, whatever their answer.
    pub fn mutations(&self) -> u64 {
        self.method("cancel") + self.method("delete")
    }
}

pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub faults: Faults,
    pub stats: Mutex<Stats>,
    rng: Mutex<StdRng>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler must not take the whole emulator down with a poisoned lock.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(world: &WorldConfig, faults: Faults, seed: u64) -> Self {
        Shared {
            world: Mutex::new(World::new(world)),
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
    // `/v1/projects/{p}/locations/{l}/…`: the fifth segment is the location.
    let failing = req
        .uri()
        .path()
        .split('/')
        .nth(5)
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
