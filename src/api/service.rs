//! Service profiles: what lrotop must know of one Google API to read and act on its
//! long-running operations (host, version, collection, methods, metadata types).
//!
//! Every API serves the same `google.longrunning.Operations` methods, but not all of them,
//! not at the same host and not under the same collection. The built-in catalogue below was
//! checked against Google's own definitions, not guessed:
//!
//! - HTTP bindings (which of list/get/cancel/delete/wait exist, and the version path): the
//!   generated REST clients' `http_options` for `google.longrunning.Operations` in
//!   googleapis' client libraries (e.g. Cloud Run v2's transports bind
//!   `POST /v2/{name=projects/*/locations/*/operations/*}:wait` with `body: "*"` and no
//!   `:cancel`; Vertex AI's bind `POST /v1/{name=projects/*/locations/*/operations/*}:wait`),
//!   and the discovery-based Python client reference pages
//!   (`run_v2.projects.locations.operations`: delete, get, list, wait;
//!   `dataproc_v1.projects.regions.operations`: cancel, delete, get, list).
//! - Hosts: each API's discovery `rootUrl` (`https://run.googleapis.com/`, …); Vertex AI is
//!   served per region at `https://{location}-aiplatform.googleapis.com` (Google's regional
//!   endpoint scheme, as gcloud derives it).
//! - `locations/-` with `returnPartialSuccess`: the `ListOperationsRequest` reference says
//!   it is UNIMPLEMENTED "unless explicitly documented otherwise in service or product
//!   specific documentation"; none of the built-in services documents it, so none has it on
//!   by default. A `[[service]]` table turns it on (`cross_location = true`) for an API that
//!   does.
//! - Metadata types: the APIs' protos (`google.cloud.run.v2.Service` is the metadata type of
//!   Run v2's mutations; Vertex AI's `*OperationMetadata` wrap a `GenericOperationMetadata`
//!   under `genericMetadata`; Dataproc's `ClusterOperationMetadata`/`BatchOperationMetadata`;
//!   Memorystore for Redis and Filestore say `statusDetail`/`cancelRequested` where the
//!   common shape says `statusMessage`/`requestedCancellation`).

use super::error::ApiError;
use super::names::Collection;
use reqwest::Url;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// One method of `google.longrunning.Operations`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    List,
    Get,
    Cancel,
    Delete,
    Wait,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::List,
        Method::Get,
        Method::Cancel,
        Method::Delete,
        Method::Wait,
    ];

    /// The spelling in the config file.
    pub fn word(self) -> &'static str {
        match self {
            Method::List => "list",
            Method::Get => "get",
            Method::Cancel => "cancel",
            Method::Delete => "delete",
            Method::Wait => "wait",
        }
    }

    pub fn from_word(w: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.word() == w)
    }

    /// "cancelled", "deleted", …: for "X operations cannot be …".
    pub fn participle(self) -> &'static str {
        match self {
            Method::List => "listed",
            Method::Get => "read",
            Method::Cancel => "cancelled",
            Method::Delete => "deleted",
            Method::Wait => "waited on (server-side)",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Which methods an API binds over HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Methods {
    pub list: bool,
    pub get: bool,
    pub cancel: bool,
    pub delete: bool,
    pub wait: bool,
}

impl Methods {
    /// list, get, cancel and delete: what most APIs bind.
    pub const STANDARD: Methods = Methods {
        list: true,
        get: true,
        cancel: true,
        delete: true,
        wait: false,
    };

    pub fn has(&self, m: Method) -> bool {
        match m {
            Method::List => self.list,
            Method::Get => self.get,
            Method::Cancel => self.cancel,
            Method::Delete => self.delete,
            Method::Wait => self.wait,
        }
    }

    pub fn from_list(methods: &[Method]) -> Methods {
        Methods {
            list: methods.contains(&Method::List),
            get: methods.contains(&Method::Get),
            cancel: methods.contains(&Method::Cancel),
            delete: methods.contains(&Method::Delete),
            wait: methods.contains(&Method::Wait),
        }
    }

    pub fn words(&self) -> Vec<&'static str> {
        Method::ALL
            .into_iter()
            .filter(|m| self.has(*m))
            .map(Method::word)
            .collect()
    }
}

/// How verb, target, status and times are read from a metadata message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetaShape {
    /// The common `OperationMetadata`: createTime, endTime, target, verb, statusMessage,
    /// requestedCancellation, apiVersion (cloudaicompanion, AlloyDB, Workflows, …).
    Common,
    /// The same with `statusDetail` and `cancelRequested` (Redis, Filestore).
    CommonDetail,
    /// Vertex AI: `{genericMetadata: {createTime, updateTime, partialFailures}}`; the verb
    /// is the first word of the message name (`CreateDatasetOperationMetadata` → create).
    VertexGeneric,
    /// Cloud Run v2: the metadata is the resource itself (`name`, `createTime`,
    /// `updateTime`, `deleteTime`, `terminalCondition`, `reconciling`).
    RunResource,
    /// Dataproc `ClusterOperationMetadata`: clusterName, operationType, status{state,
    /// details, stateStartTime}, statusHistory[].
    DataprocCluster,
    /// Dataproc `BatchOperationMetadata`: batch, operationType, createTime, doneTime.
    DataprocBatch,
}

/// A metadata `@type` a profile knows: exact, or a prefix when it ends with `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownType {
    pub pattern: String,
    pub shape: MetaShape,
}

impl KnownType {
    fn new(pattern: &str, shape: MetaShape) -> KnownType {
        KnownType {
            pattern: pattern.to_string(),
            shape,
        }
    }

    pub fn matches(&self, type_url: &str) -> bool {
        match self.pattern.strip_suffix('*') {
            Some(prefix) => type_url.starts_with(prefix),
            None => type_url == self.pattern,
        }
    }
}

/// One API as lrotop talks to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceProfile {
    /// Short name, as in `services = ["run"]` and `--service run`.
    pub name: String,
    /// As people say it: "Cloud Run".
    pub title: String,
    /// Scheme and host, without the version: `https://run.googleapis.com`, or a template
    /// with `{location}` for a regional API. May carry a path prefix (an endpoint override
    /// such as the emulator's `http://127.0.0.1:PORT/_svc/run`).
    pub host: String,
    /// The version path segment: `v1`, `v2`.
    pub version: String,
    pub collection: Collection,
    pub methods: Methods,
    /// `projects/P/locations/-` with `returnPartialSuccess=true` lists every location at once.
    pub cross_location: bool,
    pub types: Vec<KnownType>,
    /// The console page of one of its operations, as a template (`api::console`); `None`:
    /// the operation's audit entries in Logs Explorer, which every API has.
    pub console: Option<String>,
}

const T: &str = "type.googleapis.com/";

fn profile(
    name: &str,
    title: &str,
    host: &str,
    version: &str,
    collection: Collection,
    methods: Methods,
    types: &[(&str, MetaShape)],
) -> ServiceProfile {
    ServiceProfile {
        name: name.into(),
        title: title.into(),
        host: host.into(),
        version: version.into(),
        collection,
        methods,
        cross_location: false,
        console: None,
        types: types
            .iter()
            .map(|(t, s)| KnownType::new(&format!("{T}{t}"), *s))
            .collect(),
    }
}

/// The built-in catalogue (sources in the module comment).
pub fn catalogue() -> &'static [Arc<ServiceProfile>] {
    static CATALOGUE: OnceLock<Vec<Arc<ServiceProfile>>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        use Collection::{Locations, Regions};
        use MetaShape::*;
        let no_cancel_wait = Methods {
            cancel: false,
            wait: true,
            ..Methods::STANDARD
        };
        [
            profile(
                "cloudaicompanion",
                "Gemini for Google Cloud",
                "https://cloudaicompanion.googleapis.com",
                "v1",
                Locations,
                Methods::STANDARD,
                &[("google.cloud.cloudaicompanion.v1.OperationMetadata", Common)],
            ),
            profile(
                "aiplatform",
                "Vertex AI",
                "https://{location}-aiplatform.googleapis.com",
                "v1",
                Locations,
                Methods {
                    wait: true,
                    ..Methods::STANDARD
                },
                &[("google.cloud.aiplatform.v1.*", VertexGeneric)],
            ),
            profile(
                "run",
                "Cloud Run",
                "https://run.googleapis.com",
                "v2",
                Locations,
                no_cancel_wait,
                &[("google.cloud.run.v2.*", RunResource)],
            ),
            profile(
                "alloydb",
                "AlloyDB",
                "https://alloydb.googleapis.com",
                "v1",
                Locations,
                Methods::STANDARD,
                &[("google.cloud.alloydb.v1.OperationMetadata", Common)],
            ),
            profile(
                "redis",
                "Memorystore for Redis",
                "https://redis.googleapis.com",
                "v1",
                Locations,
                Methods::STANDARD,
                &[("google.cloud.redis.v1.OperationMetadata", CommonDetail)],
            ),
            profile(
                "workflows",
                "Workflows",
                "https://workflows.googleapis.com",
                "v1",
                Locations,
                Methods {
                    cancel: false,
                    ..Methods::STANDARD
                },
                &[("google.cloud.workflows.v1.OperationMetadata", Common)],
            ),
            profile(
                "filestore",
                "Filestore",
                "https://file.googleapis.com",
                "v1",
                Locations,
                Methods::STANDARD,
                &[("google.cloud.common.OperationMetadata", CommonDetail)],
            ),
            profile(
                "dataproc",
                "Dataproc",
                "https://dataproc.googleapis.com",
                "v1",
                Regions,
                Methods::STANDARD,
                &[
                    (
                        "google.cloud.dataproc.v1.ClusterOperationMetadata",
                        DataprocCluster,
                    ),
                    (
                        "google.cloud.dataproc.v1.BatchOperationMetadata",
                        DataprocBatch,
                    ),
                ],
            ),
        ]
        .into_iter()
        .map(Arc::new)
        .collect()
    })
}

/// A built-in profile by name.
pub fn builtin(name: &str) -> Option<&'static Arc<ServiceProfile>> {
    catalogue().iter().find(|p| p.name == name)
}

/// The profile of the old single-endpoint setup.
pub fn default_profile() -> Arc<ServiceProfile> {
    builtin(DEFAULT_SERVICE)
        .cloned()
        .unwrap_or_else(|| Arc::new(catalogue()[0].as_ref().clone()))
}

pub const DEFAULT_SERVICE: &str = "cloudaicompanion";

/// How to read a metadata `@type`, as any built-in profile knows it. Type URLs carry their
/// package, so one table serves every API at once.
pub fn shape_of(type_url: &str) -> Option<MetaShape> {
    catalogue()
        .iter()
        .flat_map(|p| p.types.iter())
        .find(|k| k.matches(type_url))
        .map(|k| k.shape)
}

/// A host is one DNS label wherever `{location}` goes into it: a location that is not
/// lowercase letters, digits and dashes cannot become part of a host name.
fn host_label(location: &str) -> bool {
    !location.is_empty()
        && location.len() <= 63
        && location
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !location.starts_with('-')
        && !location.ends_with('-')
}

impl ServiceProfile {
    pub fn has(&self, m: Method) -> bool {
        self.methods.has(m)
    }

    /// The host differs per location.
    pub fn is_regional(&self) -> bool {
        self.host.contains(LOCATION_PLACEHOLDER)
    }

    /// "Cloud Run operations cannot be cancelled".
    pub fn lacks_text(&self, m: Method) -> String {
        format!("{} operations cannot be {}", self.title, m.participle())
    }

    /// The error for a method this API does not bind, before any request.
    pub fn unsupported(&self, m: Method) -> ApiError {
        ApiError::Unsupported {
            service: self.title.clone(),
            method: m,
        }
    }

    /// The base URL (ending in `/{version}/`) that serves `location`'s operations, from
    /// `host` or from an override of it (same form: may hold `{location}`).
    pub fn base_for(&self, host: &str, location: &str) -> Result<Url, ApiError> {
        let filled = if host.contains(LOCATION_PLACEHOLDER) {
            if !host_label(location) {
                return Err(ApiError::Refused(format!(
                    "{} is served per location, and {location:?} cannot be part of a host name",
                    self.title
                )));
            }
            // Google's regional hosts are `{location}-NAME.googleapis.com`; the global
            // location is served at the bare host (`aiplatform.googleapis.com`).
            let prefixed = format!("{LOCATION_PLACEHOLDER}-");
            if location == "global" && host.contains(&prefixed) {
                host.replace(&prefixed, "")
            } else {
                host.replace(LOCATION_PLACEHOLDER, location)
            }
        } else {
            host.to_string()
        };
        versioned(&filled, &self.version)
    }

    /// A base to decide credentials by (and to show): the host with a sample location.
    pub fn sample_base(&self, host: &str) -> Result<Url, ApiError> {
        self.base_for(host, "us-central1")
    }

    /// Whether `type_url` is one of this API's metadata types.
    pub fn knows_type(&self, type_url: &str) -> bool {
        self.types.iter().any(|k| k.matches(type_url))
    }
}

pub const LOCATION_PLACEHOLDER: &str = "{location}";

/// `host` + `/{version}/`, checked as `base_url` checks an endpoint.
pub fn versioned(host: &str, version: &str) -> Result<Url, ApiError> {
    let mut url = Url::parse(host.trim())
        .map_err(|e| ApiError::Refused(format!("host {host:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::Refused(format!(
            "host {host:?} must be http:// or https://"
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::Refused(format!("host {host:?} has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ApiError::Refused(format!(
            "host {host:?} must not have a query or fragment"
        )));
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{path}/{version}/"));
    Ok(url)
}

/// Checks a host (or host template) as the config accepts it.
pub fn check_host(host: &str) -> Result<(), ApiError> {
    let sample = host.replace(LOCATION_PLACEHOLDER, "us-central1");
    if sample.contains(['{', '}']) {
        return Err(ApiError::Refused(format!(
            "host {host:?}: the only placeholder is {LOCATION_PLACEHOLDER}"
        )));
    }
    versioned(&sample, "v1").map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_covers_the_issue() {
        for n in [
            "cloudaicompanion",
            "aiplatform",
            "run",
            "alloydb",
            "redis",
            "workflows",
            "filestore",
            "dataproc",
        ] {
            assert!(builtin(n).is_some(), "{n}");
        }
        let run = builtin("run").unwrap();
        assert!(!run.has(Method::Cancel) && run.has(Method::Wait));
        assert_eq!(run.version, "v2");
        assert_eq!(
            run.lacks_text(Method::Cancel),
            "Cloud Run operations cannot be cancelled"
        );
        assert!(!builtin("workflows").unwrap().has(Method::Cancel));
        assert_eq!(builtin("dataproc").unwrap().collection, Collection::Regions);
        assert!(catalogue().iter().all(|p| !p.cross_location));
    }

    #[test]
    fn regional_hosts_take_the_location() {
        let ai = builtin("aiplatform").unwrap();
        assert!(ai.is_regional());
        assert_eq!(
            ai.base_for(&ai.host, "europe-west4").unwrap().as_str(),
            "https://europe-west4-aiplatform.googleapis.com/v1/"
        );
        assert_eq!(
            ai.base_for(&ai.host, "global").unwrap().as_str(),
            "https://aiplatform.googleapis.com/v1/"
        );
        for bad in ["-", "Europe", "a.b", "x_y", "évian", ""] {
            assert!(ai.base_for(&ai.host, bad).is_err(), "{bad}");
        }
        let run = builtin("run").unwrap();
        assert_eq!(
            run.base_for(&run.host, "anything").unwrap().as_str(),
            "https://run.googleapis.com/v2/"
        );
        assert_eq!(
            run.base_for("http://127.0.0.1:9/_svc/run", "x")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/_svc/run/v2/"
        );
        assert!(check_host("https://{region}.example.com").is_err());
        assert!(check_host("https://{location}-x.googleapis.com").is_ok());
        assert!(check_host("ftp://x").is_err());
    }

    #[test]
    fn metadata_types_are_known_by_pattern() {
        assert_eq!(
            shape_of(
                "type.googleapis.com/google.cloud.aiplatform.v1.CreateDatasetOperationMetadata"
            ),
            Some(MetaShape::VertexGeneric)
        );
        assert_eq!(
            shape_of("type.googleapis.com/google.cloud.run.v2.Service"),
            Some(MetaShape::RunResource)
        );
        assert_eq!(
            shape_of("type.googleapis.com/google.cloud.common.OperationMetadata"),
            Some(MetaShape::CommonDetail)
        );
        assert_eq!(
            shape_of("type.googleapis.com/google.cloud.run.v1.Service"),
            None
        );
    }
}
