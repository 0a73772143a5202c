//! `OperationsClient`: the `google.longrunning.Operations` and `google.cloud.location`
//! REST methods for `projects/*/locations/*`, with timeouts, retries and honest errors.

use super::auth::Auth;
use super::code::Code;
use super::error::{ApiError, parse_error_body};
use super::model::{ListLocationsResponse, ListOperationsResponse, Location, Operation};
use super::names::{LocationName, OperationName, check_project};
use super::retry::{RetryPolicy, retry_after};
use super::service::{self, Method as Op, ServiceProfile};
use futures::TryStreamExt;
use futures::stream::{self, BoxStream, StreamExt};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const DEFAULT_ENDPOINT: &str = "https://cloudaicompanion.googleapis.com";
/// Larger than any real response; a server streaming more than this is cut off.
pub const MAX_BODY: usize = 64 << 20;
/// A chain of pages longer than this is a misbehaving server: at the largest page size it
/// is ten million operations in one location.
pub const MAX_PAGES: usize = 10_000;
/// Empty pages that carry a token are allowed (AIP-158), but not this many in a row: a
/// server that hands out fresh tokens for nothing would otherwise be paged until the
/// deadline at full speed.
const MAX_EMPTY_RUN: usize = 100;

#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Without `service`: the old single endpoint (a bare host gets `v1/`, a URL with a path
    /// is used as given), serving the cloudaicompanion profile. With it: the service's host
    /// or an override of it, without the version, possibly with `{location}`.
    pub endpoint: String,
    /// The API this client talks to; `None` is the old single-endpoint setup.
    pub service: Option<Arc<ServiceProfile>>,
    pub access_token_file: Option<PathBuf>,
    pub quota_project: Option<String>,
    pub connect_timeout: Duration,
    /// Each attempt's own limit; an attempt is also cut short by the call deadline
    /// (`retry.deadline`), whichever comes first.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// A success body larger than this is an error, not a truncated parse.
    pub max_body: usize,
    pub max_pages: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            service: None,
            access_token_file: None,
            quota_project: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            retry: RetryPolicy::default(),
            max_body: MAX_BODY,
            max_pages: MAX_PAGES,
        }
    }
}

impl ClientOptions {
    pub fn for_endpoint(endpoint: impl Into<String>) -> Self {
        ClientOptions {
            endpoint: endpoint.into(),
            ..Default::default()
        }
    }

    /// A service at its own host (`None`) or at an override of it.
    pub fn for_service(profile: Arc<ServiceProfile>, endpoint: Option<&str>) -> Self {
        ClientOptions {
            endpoint: endpoint.unwrap_or(&profile.host).to_string(),
            service: Some(profile),
            ..Default::default()
        }
    }
}

/// Where requests go: one base, or one per location (a regional host template).
#[derive(Clone, Debug)]
enum Endpoint {
    Fixed(Url),
    Template(String),
}

/// One page's worth of `operations.list` parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    pub filter: String,
    /// 0 asks for the server's default.
    pub page_size: u32,
    pub page_token: String,
}

/// One page of `operations.list`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub operations: Vec<Operation>,
    /// Another page follows.
    pub more: bool,
    /// Entries of the page that were not readable as operations, left out.
    pub skipped: usize,
    /// Locations a cross-location listing could not reach (`locations/-` only).
    pub unreachable: Vec<String>,
}

/// A location's whole `operations.list`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    pub operations: Vec<Operation>,
    /// Entries, over all pages, that were not readable as operations, left out.
    pub skipped: usize,
    /// Locations a cross-location listing could not reach, over all pages.
    pub unreachable: Vec<String>,
}

/// A project's operations in a set of locations, listed the cheapest way the API allows.
#[derive(Debug, Default)]
pub struct ProjectListing {
    /// Each location asked for, with its listing or its error. Operations a cross-location
    /// listing returned that are named outside every location asked for come last, under
    /// the `locations/-` parent, so that [`LocationName::holds`] marks them foreign.
    pub results: Vec<(LocationName, Result<Listing, ApiError>)>,
    /// The listing went through `locations/-`.
    pub cross_location: bool,
    /// Why it did not, when it tried to (the server refused the cross-location request).
    pub fell_back: Option<String>,
}

struct Inner {
    http: reqwest::Client,
    /// The base itself, or for a template the base of a sample location (for credentials
    /// and display).
    base: Url,
    endpoint: Endpoint,
    profile: Arc<ServiceProfile>,
    auth: Auth,
    quota_project: Option<String>,
    request_timeout: Duration,
    max_body: usize,
    max_pages: usize,
}

/// Cheap to clone; clones share connections and credentials.
#[derive(Clone)]
pub struct OperationsClient {
    inner: Arc<Inner>,
    /// Per handle, not shared: the dashboard's background refreshes use a handle that
    /// does not retry (see [`OperationsClient::without_retries`]).
    retry: RetryPolicy,
}

impl std::fmt::Debug for OperationsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OperationsClient({})", self.inner.base)
    }
}

/// The base URL for an endpoint: a bare host gets Google's `v1/`; a URL with a path (e.g.
/// `https://aiplatform.googleapis.com/v1beta1`) is used as given.
pub fn base_url(endpoint: &str) -> Result<Url, ApiError> {
    let mut url = Url::parse(endpoint.trim())
        .map_err(|e| ApiError::Refused(format!("endpoint {endpoint:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::Refused(format!(
            "endpoint {endpoint:?} must be http:// or https://"
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::Refused(format!(
            "endpoint {endpoint:?} has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ApiError::Refused(format!(
            "endpoint {endpoint:?} must not have a query or fragment"
        )));
    }
    let path = url.path().trim_end_matches('/').to_string();
    if path.is_empty() {
        url.set_path("/v1/");
    } else {
        url.set_path(&format!("{path}/"));
    }
    Ok(url)
}

impl OperationsClient {
    pub fn new(opts: ClientOptions) -> Result<Self, ApiError> {
        let (base, _, _) = endpoint_of(&opts)?;
        let auth = Auth::for_endpoint(&base, opts.access_token_file.as_deref())?;
        Self::with_auth(opts, auth)
    }

    /// For callers that build credentials themselves (tests, doctor).
    pub fn with_auth(opts: ClientOptions, auth: Auth) -> Result<Self, ApiError> {
        let (base, endpoint, profile) = endpoint_of(&opts)?;
        if let Some(q) = &opts.quota_project {
            check_project(q).map_err(ApiError::from)?;
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("lrotop/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.connect_timeout)
            // A redirect would re-send the bearer token, and a cancel or delete, wherever
            // the server says, past the plain-HTTP check `Auth` made for the endpoint.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Transport(format!("cannot build the HTTP client: {e}")))?;
        Ok(OperationsClient {
            inner: Arc::new(Inner {
                http,
                base,
                endpoint,
                profile,
                auth,
                quota_project: opts.quota_project,
                request_timeout: opts.request_timeout,
                max_body: opts.max_body,
                max_pages: opts.max_pages.max(1),
            }),
            retry: opts.retry,
        })
    }

    /// The same client (connections, credentials), trying each call once. For calls that
    /// are tried again anyway: a background refresh that failed is reported at once and
    /// the next refresh is its retry, where retrying within the call deadline kept a dead
    /// endpoint's badge away for up to half a minute. Mutations keep their retries.
    pub fn without_retries(&self) -> OperationsClient {
        OperationsClient {
            inner: self.inner.clone(),
            retry: RetryPolicy {
                max_attempts: 1,
                ..self.retry.clone()
            },
        }
    }

    pub fn base(&self) -> &Url {
        &self.inner.base
    }

    /// The API this client talks to.
    pub fn profile(&self) -> &Arc<ServiceProfile> {
        &self.inner.profile
    }

    /// The base URL serving `location` (regional hosts differ per location).
    pub fn base_for(&self, location: &str) -> Result<Url, ApiError> {
        match &self.inner.endpoint {
            Endpoint::Fixed(u) => Ok(u.clone()),
            Endpoint::Template(t) => self.inner.profile.base_for(t, location),
        }
    }

    /// Refuses, before any request, a method the API lacks or a name of another collection.
    fn check(&self, m: Op, parent: &LocationName) -> Result<(), ApiError> {
        let p = &self.inner.profile;
        if !p.has(m) {
            return Err(p.unsupported(m));
        }
        if parent.collection() != p.collection {
            return Err(ApiError::Refused(format!(
                "{parent} is not a collection {} serves (it serves projects/*/{}/*)",
                p.title, p.collection
            )));
        }
        Ok(())
    }

    pub fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// `operations.list`, one page.
    pub async fn list_page(
        &self,
        parent: &LocationName,
        q: &ListQuery,
    ) -> Result<ListOperationsResponse, ApiError> {
        self.list_page_until(parent, q, self.deadline()).await
    }

    async fn list_page_until(
        &self,
        parent: &LocationName,
        q: &ListQuery,
        until: Instant,
    ) -> Result<ListOperationsResponse, ApiError> {
        self.check(Op::List, parent)?;
        let mut query: Vec<(&str, String)> = Vec::new();
        // Only valid across collections (AIP-159): one location's listing never asks.
        if parent.location() == "-" {
            query.push(("returnPartialSuccess", "true".into()));
        }
        if !q.filter.is_empty() {
            query.push(("filter", q.filter.clone()));
        }
        if q.page_size > 0 {
            query.push(("pageSize", q.page_size.to_string()));
        }
        if !q.page_token.is_empty() {
            query.push(("pageToken", q.page_token.clone()));
        }
        self.call(
            Method::GET,
            parent.location(),
            &format!("{parent}/operations"),
            &query,
            None,
            true,
            until,
        )
        .await
    }

    /// `operations.list`, every page, as a stream of operations (unreadable entries left
    /// out). Bounded like [`Self::list_pages`].
    pub fn list_stream<'a>(
        &'a self,
        parent: &'a LocationName,
        filter: &'a str,
        page_size: u32,
    ) -> BoxStream<'a, Result<Operation, ApiError>> {
        self.list_pages(parent, filter, page_size)
            .map_ok(|p| stream::iter(p.operations.into_iter().map(Ok::<_, ApiError>)))
            .try_flatten()
            .boxed()
    }

    /// `operations.list`, page by page. One page at a time is what a caller holds, not the
    /// whole location. The listing as a whole, not each page, gets the call deadline, and
    /// it stops with an error (after the pages already yielded) at a repeated token, past
    /// [`MAX_PAGES`] pages, or after a long run of empty ones.
    pub fn list_pages<'a>(
        &'a self,
        parent: &'a LocationName,
        filter: &'a str,
        page_size: u32,
    ) -> BoxStream<'a, Result<Page, ApiError>> {
        self.paged(parent.to_string(), move |page_token, until| async move {
            let q = ListQuery {
                filter: filter.to_string(),
                page_size,
                page_token,
            };
            self.list_page_until(parent, &q, until).await
        })
        .map_ok(|(page, more)| Page {
            operations: page.operations,
            more,
            skipped: page.skipped,
            unreachable: page.unreachable,
        })
        .boxed()
    }

    /// Every page of one listing (`what` names it in errors), each with whether another
    /// follows; `fetch` reads the page a token names, by the listing's deadline. Bounded by
    /// [`Paging`].
    fn paged<'a, R, F, Fut>(
        &'a self,
        what: String,
        fetch: F,
    ) -> BoxStream<'a, Result<(R, bool), ApiError>>
    where
        R: ListPage + Send + 'a,
        F: FnMut(String, Instant) -> Fut + Send + 'a,
        Fut: Future<Output = Result<R, ApiError>> + Send + 'a,
    {
        let start = (Some(String::new()), Paging::new(self, what), fetch);
        stream::try_unfold(start, |(token, mut paging, mut fetch)| async move {
            let Some(token) = token else {
                return Ok(None);
            };
            paging.before_page()?;
            let mut page = fetch(token, paging.until)
                .await
                .map_err(|e| paging.in_context(e))?;
            let next = paging.after_page(page.items(), page.take_token())?;
            let more = next.is_some();
            Ok(Some(((page, more), (next, paging, fetch))))
        })
        .boxed()
    }

    /// `operations.list`, every page, collected; what could not be read is counted.
    pub async fn list_location(
        &self,
        parent: &LocationName,
        filter: &str,
        page_size: u32,
    ) -> Result<Listing, ApiError> {
        let mut pages = self.list_pages(parent, filter, page_size);
        let mut all = Listing::default();
        while let Some(p) = pages.try_next().await? {
            all.operations.extend(p.operations);
            all.skipped += p.skipped;
            all.unreachable.extend(p.unreachable);
        }
        Ok(all)
    }

    /// Every location of `locations` in `project`: one paged `locations/-` listing where
    /// the API supports it (its `unreachable` locations become those locations' errors),
    /// else one listing per location, `concurrency` at a time. A cross-location request the
    /// server refuses as unknown (UNIMPLEMENTED, INVALID_ARGUMENT, NOT_FOUND) falls back to
    /// per-location listing, saying so in `fell_back`.
    pub async fn list_project(
        &self,
        project: &str,
        locations: &[String],
        filter: &str,
        page_size: u32,
        concurrency: usize,
    ) -> ProjectListing {
        let collection = self.inner.profile.collection;
        let parents: Vec<LocationName> = locations
            .iter()
            .filter_map(|l| LocationName::in_collection(project, collection, l).ok())
            .collect();
        let mut out = ProjectListing::default();
        if self.inner.profile.cross_location && parents.len() > 1 {
            let every = parents[0].every_location();
            match self.list_location(&every, filter, page_size).await {
                Ok(all) => {
                    out.cross_location = true;
                    out.results = spread(&parents, &every, all);
                    return out;
                }
                Err(e)
                    if matches!(
                        e.code(),
                        Some(Code::Unimplemented | Code::InvalidArgument | Code::NotFound)
                    ) =>
                {
                    out.fell_back = Some(format!("{every}: {e}"));
                }
                Err(e) => {
                    out.results = parents.into_iter().map(|p| (p, Err(e.clone()))).collect();
                    return out;
                }
            }
        }
        out.results = stream::iter(parents)
            .map(|p| async move {
                let r = self.list_location(&p, filter, page_size).await;
                (p, r)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        out
    }

    /// `operations.list`, every page, collected: the operations that could be read.
    pub async fn list_all(
        &self,
        parent: &LocationName,
        filter: &str,
        page_size: u32,
    ) -> Result<Vec<Operation>, ApiError> {
        let l = self.list_location(parent, filter, page_size).await?;
        if l.skipped > 0 {
            tracing::warn!(%parent, skipped = l.skipped, "unreadable operations left out");
        }
        Ok(l.operations)
    }

    /// `operations.get`.
    pub async fn get(&self, name: &OperationName) -> Result<Operation, ApiError> {
        self.check(Op::Get, name.parent())?;
        self.read(name.location(), &name.to_string()).await
    }

    /// A GET of one resource by its name, at the host serving `location`.
    async fn read<T: DeserializeOwned>(&self, location: &str, path: &str) -> Result<T, ApiError> {
        self.call(
            Method::GET,
            location,
            path,
            &[],
            None,
            true,
            self.deadline(),
        )
        .await
    }

    /// `operations.cancel`: best effort; success means the request was accepted. An API
    /// without Cancel gets no request: [`ApiError::Unsupported`].
    pub async fn cancel(&self, name: &OperationName) -> Result<(), ApiError> {
        self.check(Op::Cancel, name.parent())?;
        self.mutate(Method::POST, name.location(), &format!("{name}:cancel"))
            .await
    }

    /// `operations.delete`: forgets the record; does not cancel.
    pub async fn delete(&self, name: &OperationName) -> Result<(), ApiError> {
        self.check(Op::Delete, name.parent())?;
        self.mutate(Method::DELETE, name.location(), &name.to_string())
            .await
    }

    /// A call with a side effect, whose answer says no more than that it was accepted: not
    /// repeated after a timeout, since it may have reached the server.
    async fn mutate(&self, method: Method, location: &str, path: &str) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call(method, location, path, &[], None, false, self.deadline())
            .await?;
        Ok(())
    }

    /// Whether this API binds `operations.wait`.
    pub fn can_wait(&self) -> bool {
        self.inner.profile.has(Op::Wait)
    }

    /// `operations.wait`: the server holds the request until the operation is done or
    /// `timeout` passes, whichever is first, and answers with its state then. The timeout is
    /// kept under one attempt's own limit, so the server answers before the client gives up.
    /// Best effort (operations.proto): an answer may come early, done or not.
    pub async fn wait(
        &self,
        name: &OperationName,
        timeout: Duration,
    ) -> Result<Operation, ApiError> {
        self.check(Op::Wait, name.parent())?;
        let cap = self
            .inner
            .request_timeout
            .saturating_sub(Duration::from_secs(2))
            .max(Duration::from_secs(1));
        let secs = timeout.min(cap).as_secs().max(1);
        // WaitOperationRequest's HTTP rule takes the body (`body: "*"`): the name is in the
        // path, so the timeout is all there is to send, as a proto3 JSON Duration.
        let body = format!("{{\"timeout\":\"{secs}s\"}}");
        self.call(
            Method::POST,
            name.location(),
            &format!("{name}:wait"),
            &[],
            Some(body),
            true,
            self.deadline(),
        )
        .await
    }

    /// `locations.list`, every page, bounded as `operations.list` is.
    pub async fn list_locations(&self, project: &str) -> Result<Vec<Location>, ApiError> {
        check_project(project)?;
        let path = format!("projects/{project}/locations");
        let path = path.as_str();
        let mut pages = self.paged(format!("projects/{project}"), |token, until| async move {
            let mut query = vec![];
            if !token.is_empty() {
                query.push(("pageToken", token));
            }
            self.call::<ListLocationsResponse>(
                Method::GET,
                "global",
                path,
                &query,
                None,
                true,
                until,
            )
            .await
        });
        let mut out = Vec::new();
        while let Some((page, _)) = pages.try_next().await? {
            out.extend(page.locations);
        }
        Ok(out)
    }

    /// `locations.list`, as location ids (`locationId`, or the name's last segment).
    pub async fn list_location_ids(&self, project: &str) -> Result<Vec<String>, ApiError> {
        let locs = self.list_locations(project).await?;
        Ok(locs
            .into_iter()
            .map(|l| {
                if l.location_id.is_empty() {
                    l.name.rsplit('/').next().unwrap_or_default().to_string()
                } else {
                    l.location_id
                }
            })
            .collect())
    }

    /// `locations.get`.
    pub async fn get_location(&self, name: &LocationName) -> Result<Location, ApiError> {
        self.read(name.location(), &name.to_string()).await
    }

    /// When a call starting now must be over.
    fn deadline(&self) -> Instant {
        Instant::now() + self.retry.deadline
    }

    /// One call with its retries, all over by `until`. `path` is built only from validated
    /// names; `location` picks the host where the API is regional.
    #[allow(clippy::too_many_arguments)]
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        location: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<String>,
        read: bool,
        until: Instant,
    ) -> Result<T, ApiError> {
        let url = self
            .base_for(location)?
            .join(path)
            .map_err(|e| ApiError::Refused(format!("cannot build a URL for {path}: {e}")))?;
        let body = body.as_deref().unwrap_or("{}");
        let policy = &self.retry;
        let past_deadline = || ApiError::Deadline {
            deadline: policy.deadline,
            pages: 0,
        };
        let mut attempt = 0u32;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(past_deadline());
            }
            // The whole attempt (credentials, connect, headers, body) is timed here, so a
            // server that hangs or trickles costs no more than the call has left.
            let cap = left.min(self.inner.request_timeout);
            let result =
                match tokio::time::timeout(cap, self.attempt(&method, &url, query, body)).await {
                    Ok(r) => r,
                    Err(_) if cap < self.inner.request_timeout => Err(past_deadline()),
                    Err(_) => Err(ApiError::Timeout(self.inner.request_timeout)),
                };
            let err = match result {
                Ok(bytes) => return decode(&bytes),
                Err(e) => e,
            };
            attempt += 1;
            let Some(at_least) = retry_after(&err, read) else {
                return Err(err);
            };
            if attempt >= policy.max_attempts {
                return Err(err);
            }
            // The server's own RetryInfo/Retry-After, when it gives one, is the advice to
            // follow (with a little jitter); our doubling backoff is for when it does not.
            let wait = if at_least.is_zero() {
                policy.backoff(attempt - 1)
            } else {
                at_least + at_least.mul_f64(rand::random::<f64>() * 0.2)
            };
            if Instant::now() + wait >= until {
                tracing::debug!(%method, %url, "giving up: retry would pass the deadline");
                return Err(err);
            }
            tracing::debug!(%method, %url, attempt, ?wait, error = %err, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let inner = &self.inner;
        let mut req = inner.http.request(method.clone(), url.clone());
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(h) = inner.auth.header().await? {
            req = req.header(reqwest::header::AUTHORIZATION, h);
        }
        if let Some(q) = &inner.quota_project {
            req = req.header("x-goog-user-project", q);
        }
        if *method == Method::POST {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let started = Instant::now();
        let resp = req.send().await.map_err(transport_error)?;
        let status = resp.status();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_else(|| "nowhere (no Location header)".into());
            let location: String = crate::sanitize::one_line(&location)
                .chars()
                .take(300)
                .collect();
            tracing::debug!(%method, %url, status = status.as_u16(), %location, "redirect refused");
            return Err(ApiError::Redirect {
                status: status.as_u16(),
                location,
            });
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let (body, complete) = read_body(resp, inner.max_body).await?;
        tracing::debug!(%method, %url, status = status.as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
        if status.is_success() {
            if !complete {
                return Err(ApiError::TooLarge(inner.max_body));
            }
            Ok(body)
        } else {
            // An error page is still worth reading when cut: its start says what happened.
            Err(parse_error_body(status.as_u16(), retry_after.as_deref(), &body).into())
        }
    }
}

/// A page of a listing, as paging sees it: how much it held and where the next one is.
trait ListPage {
    fn items(&self) -> usize;
    fn take_token(&mut self) -> String;
}

impl ListPage for ListOperationsResponse {
    fn items(&self) -> usize {
        self.operations.len()
    }
    fn take_token(&mut self) -> String {
        std::mem::take(&mut self.next_page_token)
    }
}

impl ListPage for ListLocationsResponse {
    fn items(&self) -> usize {
        self.locations.len()
    }
    fn take_token(&mut self) -> String {
        std::mem::take(&mut self.next_page_token)
    }
}

/// A cross-location listing, as each location's: operations by their own names, the
/// unreachable as errors, what is named elsewhere under `every` (foreign there).
fn spread(
    parents: &[LocationName],
    every: &LocationName,
    all: Listing,
) -> Vec<(LocationName, Result<Listing, ApiError>)> {
    let mut buckets: Vec<Listing> = vec![Listing::default(); parents.len()];
    let mut elsewhere = Listing::default();
    for op in all.operations {
        let home = OperationName::parse(&op.name)
            .ok()
            .and_then(|n| parents.iter().position(|p| p == n.parent()));
        match home {
            Some(i) => buckets[i].operations.push(op),
            None => elsewhere.operations.push(op),
        }
    }
    elsewhere.skipped = all.skipped;
    let unreachable = |p: &LocationName| {
        let full = p.to_string();
        all.unreachable
            .iter()
            .any(|u| *u == full || u == p.location())
    };
    let mut out: Vec<(LocationName, Result<Listing, ApiError>)> = parents
        .iter()
        .cloned()
        .zip(buckets)
        .map(|(p, l)| {
            if unreachable(&p) {
                let name = p.to_string();
                (p, Err(ApiError::Unreachable(name)))
            } else {
                (p, Ok(l))
            }
        })
        .collect();
    if !elsewhere.operations.is_empty() || elsewhere.skipped > 0 {
        out.push((every.clone(), Ok(elsewhere)));
    }
    out
}

/// The base to show and decide credentials by, where requests go, and the API.
fn endpoint_of(opts: &ClientOptions) -> Result<(Url, Endpoint, Arc<ServiceProfile>), ApiError> {
    match &opts.service {
        None => {
            let base = base_url(&opts.endpoint)?;
            Ok((
                base.clone(),
                Endpoint::Fixed(base),
                service::default_profile(),
            ))
        }
        Some(p) => {
            service::check_host(&opts.endpoint)?;
            let sample = p.sample_base(&opts.endpoint)?;
            let endpoint = if opts.endpoint.contains(service::LOCATION_PLACEHOLDER) {
                Endpoint::Template(opts.endpoint.trim().to_string())
            } else {
                Endpoint::Fixed(sample.clone())
            };
            Ok((sample, endpoint, p.clone()))
        }
    }
}

/// Where one listing is: its deadline, how many pages it has had, which tokens it saw.
struct Paging {
    what: String,
    until: Instant,
    deadline: Duration,
    max_pages: usize,
    pages: usize,
    empty_run: usize,
    seen: HashSet<String>,
}

impl Paging {
    fn new(client: &OperationsClient, what: String) -> Paging {
        Paging {
            what,
            until: client.deadline(),
            deadline: client.retry.deadline,
            max_pages: client.inner.max_pages,
            pages: 0,
            empty_run: 0,
            seen: HashSet::new(),
        }
    }

    fn before_page(&mut self) -> Result<(), ApiError> {
        if self.pages >= self.max_pages {
            return Err(ApiError::Paging(format!(
                "more than {} pages for {}; stopping",
                self.max_pages, self.what
            )));
        }
        if self.pages > 0 && Instant::now() >= self.until {
            return Err(self.past_deadline());
        }
        self.pages += 1;
        Ok(())
    }

    fn past_deadline(&self) -> ApiError {
        ApiError::Deadline {
            deadline: self.deadline,
            pages: self.pages,
        }
    }

    /// A page's error, said of the listing: how far it had got.
    fn in_context(&self, e: ApiError) -> ApiError {
        match e {
            ApiError::Deadline { .. } => ApiError::Deadline {
                deadline: self.deadline,
                pages: self.pages - 1,
            },
            e => e,
        }
    }

    /// The token of the next page, if one follows.
    fn after_page(&mut self, items: usize, token: String) -> Result<Option<String>, ApiError> {
        if token.is_empty() {
            return Ok(None);
        }
        self.empty_run = if items == 0 { self.empty_run + 1 } else { 0 };
        if self.empty_run >= MAX_EMPTY_RUN {
            return Err(ApiError::Paging(format!(
                "{} empty pages in a row for {}, each with a new page token; stopping",
                self.empty_run, self.what
            )));
        }
        if !self.seen.insert(token.clone()) {
            return Err(ApiError::RepeatedPageToken(token));
        }
        Ok(Some(token))
    }
}

fn transport_error(e: reqwest::Error) -> ApiError {
    if let Some(why) = tls_failure(&e) {
        return ApiError::Tls(why);
    }
    // The chain says why (refused, reset, DNS); the URL is already in context.
    let mut chain = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    ApiError::Transport(format!("{}{chain}", e.without_url()))
}

/// What rustls said, if the error (or anything under it) is a TLS failure: a certificate
/// that is not trusted, a handshake that failed, a peer that does not speak TLS. Trying the
/// same server again gets the same answer, so these are not transport hiccups.
fn tls_failure(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    // `io::Error::source` skips the error it wraps (and the connector wraps rustls' error
    // in two of them), so wrapped errors are looked at as well as sources.
    let mut todo = vec![e];
    while let Some(err) = todo.pop() {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(match t {
                rustls::Error::InvalidCertificate(c) => {
                    format!("the server's certificate is not accepted: {c:?}")
                }
                other => format!("TLS handshake failed: {other}"),
            });
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            todo.push(inner);
        }
        todo.extend(err.source());
    }
    None
}

/// The body, up to `max` bytes, and whether that was all of it.
async fn read_body(mut resp: reqwest::Response, max: usize) -> Result<(Vec<u8>, bool), ApiError> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Ok((Vec::new(), false));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > max {
            body.extend_from_slice(&chunk[..max - body.len()]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).into_owned();
        ApiError::Decode(format!(
            "{e} (body starts {:?})",
            crate::sanitize::one_line(&head)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("https://cloudaicompanion.googleapis.com")
                .unwrap()
                .as_str(),
            "https://cloudaicompanion.googleapis.com/v1/"
        );
        assert_eq!(
            base_url("http://127.0.0.1:8080/").unwrap().as_str(),
            "http://127.0.0.1:8080/v1/"
        );
        assert_eq!(
            base_url("https://aiplatform.googleapis.com/v1beta1")
                .unwrap()
                .as_str(),
            "https://aiplatform.googleapis.com/v1beta1/"
        );
        for bad in [
            "ftp://x",
            "not a url",
            "https://x/?a=b",
            "file:///etc/passwd",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_success_bodies_decode_as_empty_objects() {
        let v: serde_json::Value = decode(b"").unwrap();
        assert_eq!(v, serde_json::json!({}));
        let e = decode::<Operation>(b"<html>oops</html>").unwrap_err();
        assert!(matches!(e, ApiError::Decode(_)));
    }

    /// An error whose source is the one given: as hyper and reqwest wrap what they carry.
    #[derive(Debug)]
    struct Wrap(Box<dyn std::error::Error + Send + Sync>);
    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error (Connect)")
        }
    }
    impl std::error::Error for Wrap {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.0)
        }
    }

    #[test]
    fn tls_failures_are_found_however_deep_they_are_wrapped() {
        use std::io::{Error, ErrorKind};
        let cert = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        // Two io::Errors deep, as the connector hands a handshake failure on.
        let deep = Wrap(Box::new(Error::other(Error::new(
            ErrorKind::InvalidData,
            cert,
        ))));
        let why = tls_failure(&deep).expect("a TLS failure");
        assert!(
            why.contains("certificate") && why.contains("UnknownIssuer"),
            "{why}"
        );
        let handshake = Wrap(Box::new(rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType,
        )));
        assert!(tls_failure(&handshake).is_some_and(|w| w.starts_with("TLS handshake failed")));
        let refused = Wrap(Box::new(Error::new(
            ErrorKind::ConnectionRefused,
            "connection refused",
        )));
        assert_eq!(tls_failure(&refused), None);
        let e = ApiError::Tls(why);
        assert!(crate::api::retry::retry_after(&e, true).is_none());
    }

    #[test]
    fn paging_bounds() {
        let c = OperationsClient::new(ClientOptions::for_endpoint("http://127.0.0.1:9")).unwrap();
        let mut p = Paging::new(&c, "projects/p/locations/l".into());
        p.before_page().unwrap();
        assert_eq!(p.after_page(0, String::new()).unwrap(), None);
        for i in 0..MAX_EMPTY_RUN - 1 {
            assert!(p.after_page(0, format!("t{i}")).unwrap().is_some());
        }
        // A page with something in it ends the run.
        assert!(p.after_page(1, "u".into()).unwrap().is_some());
        assert!(p.after_page(0, "v".into()).unwrap().is_some());
        assert!(matches!(
            p.after_page(1, "u".into()),
            Err(ApiError::RepeatedPageToken(_))
        ));
        p.until = Instant::now();
        assert!(matches!(
            p.before_page(),
            Err(ApiError::Deadline { pages: 1, .. })
        ));
    }
}
