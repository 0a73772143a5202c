//! `OperationsClient`: the `google.longrunning.Operations` and `google.cloud.location`
//! REST methods for `projects/*/locations/*`, with timeouts, retries and honest errors.

use super::auth::Auth;
use super::error::{ApiError, parse_error_body};
use super::model::{ListLocationsResponse, ListOperationsResponse, Location, Operation};
use super::names::{LocationName, OperationName, check_project};
use super::retry::{RetryPolicy, retry_after};
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
const MAX_BODY: usize = 64 << 20;
/// A chain of pages longer than this is a misbehaving server.
const MAX_PAGES: usize = 100_000;

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub endpoint: String,
    pub access_token_file: Option<PathBuf>,
    pub quota_project: Option<String>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            access_token_file: None,
            quota_project: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            retry: RetryPolicy::default(),
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
}

/// One page's worth of `operations.list` parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    pub filter: String,
    /// 0 asks for the server's default.
    pub page_size: u32,
    pub page_token: String,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    quota_project: Option<String>,
    request_timeout: Duration,
    retry: RetryPolicy,
}

/// Cheap to clone; clones share connections and credentials.
#[derive(Clone)]
pub struct OperationsClient {
    inner: Arc<Inner>,
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
        let base = base_url(&opts.endpoint)?;
        let auth = Auth::for_endpoint(&base, opts.access_token_file.as_deref())?;
        Self::with_auth(opts, auth)
    }

    /// For callers that build credentials themselves (tests, doctor).
    pub fn with_auth(opts: ClientOptions, auth: Auth) -> Result<Self, ApiError> {
        let base = base_url(&opts.endpoint)?;
        if let Some(q) = &opts.quota_project {
            check_project(q).map_err(ApiError::from)?;
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("lrotop/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .build()
            .map_err(|e| ApiError::Transport(format!("cannot build the HTTP client: {e}")))?;
        Ok(OperationsClient {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                quota_project: opts.quota_project,
                request_timeout: opts.request_timeout,
                retry: opts.retry,
            }),
        })
    }

    pub fn base(&self) -> &Url {
        &self.inner.base
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
        let mut query: Vec<(&str, String)> = Vec::new();
        if !q.filter.is_empty() {
            query.push(("filter", q.filter.clone()));
        }
        if q.page_size > 0 {
            query.push(("pageSize", q.page_size.to_string()));
        }
        if !q.page_token.is_empty() {
            query.push(("pageToken", q.page_token.clone()));
        }
        self.call(Method::GET, &format!("{parent}/operations"), &query, true)
            .await
    }

    /// `operations.list`, every page, as a stream of operations. Stops with an error if the
    /// server repeats a page token instead of looping forever.
    pub fn list_stream<'a>(
        &'a self,
        parent: &'a LocationName,
        filter: &'a str,
        page_size: u32,
    ) -> BoxStream<'a, Result<Operation, ApiError>> {
        self.list_pages(parent, filter, page_size)
            .map_ok(|(ops, _)| stream::iter(ops.into_iter().map(Ok::<_, ApiError>)))
            .try_flatten()
            .boxed()
    }

    /// `operations.list`, page by page: each page's operations and whether more follow.
    /// One page at a time is what a caller holds, not the whole location.
    pub fn list_pages<'a>(
        &'a self,
        parent: &'a LocationName,
        filter: &'a str,
        page_size: u32,
    ) -> BoxStream<'a, Result<(Vec<Operation>, bool), ApiError>> {
        struct Paging {
            token: Option<String>,
            seen: HashSet<String>,
            pages: usize,
        }
        let start = Paging {
            token: Some(String::new()),
            seen: HashSet::new(),
            pages: 0,
        };
        stream::try_unfold(start, move |mut st| async move {
            let Some(token) = st.token.take() else {
                return Ok(None);
            };
            st.pages += 1;
            if st.pages > MAX_PAGES {
                return Err(ApiError::Decode(format!(
                    "more than {MAX_PAGES} pages for {parent}; stopping"
                )));
            }
            let page = self
                .list_page(
                    parent,
                    &ListQuery {
                        filter: filter.to_string(),
                        page_size,
                        page_token: token,
                    },
                )
                .await?;
            let more = !page.next_page_token.is_empty();
            if more {
                if !st.seen.insert(page.next_page_token.clone()) {
                    return Err(ApiError::RepeatedPageToken(page.next_page_token));
                }
                st.token = Some(page.next_page_token);
            }
            Ok(Some(((page.operations, more), st)))
        })
        .boxed()
    }

    /// `operations.list`, every page, collected.
    pub async fn list_all(
        &self,
        parent: &LocationName,
        filter: &str,
        page_size: u32,
    ) -> Result<Vec<Operation>, ApiError> {
        self.list_stream(parent, filter, page_size)
            .try_collect()
            .await
    }

    /// `operations.get`.
    pub async fn get(&self, name: &OperationName) -> Result<Operation, ApiError> {
        self.call(Method::GET, &name.to_string(), &[], true).await
    }

    /// `operations.cancel`: best effort; success means the request was accepted.
    pub async fn cancel(&self, name: &OperationName) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call(Method::POST, &format!("{name}:cancel"), &[], false)
            .await?;
        Ok(())
    }

    /// `operations.delete`: forgets the record; does not cancel.
    pub async fn delete(&self, name: &OperationName) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call(Method::DELETE, &name.to_string(), &[], false)
            .await?;
        Ok(())
    }

    /// `locations.list`, every page.
    pub async fn list_locations(&self, project: &str) -> Result<Vec<Location>, ApiError> {
        check_project(project)?;
        let mut out = Vec::new();
        let mut token = String::new();
        let mut seen = HashSet::new();
        loop {
            let mut query = vec![];
            if !token.is_empty() {
                query.push(("pageToken", token.clone()));
            }
            let page: ListLocationsResponse = self
                .call(
                    Method::GET,
                    &format!("projects/{project}/locations"),
                    &query,
                    true,
                )
                .await?;
            out.extend(page.locations);
            if page.next_page_token.is_empty() {
                return Ok(out);
            }
            if !seen.insert(page.next_page_token.clone()) {
                return Err(ApiError::RepeatedPageToken(page.next_page_token));
            }
            token = page.next_page_token;
        }
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
        self.call(Method::GET, &name.to_string(), &[], true).await
    }

    /// One call with its retries. `path` is built only from validated names.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        read: bool,
    ) -> Result<T, ApiError> {
        let url = self
            .inner
            .base
            .join(path)
            .map_err(|e| ApiError::Refused(format!("cannot build a URL for {path}: {e}")))?;
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let result = self.attempt(&method, &url, query).await;
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
            if started.elapsed() + wait > policy.deadline {
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
                .body("{}");
        }
        let started = Instant::now();
        let resp = req.send().await.map_err(|e| self.transport_error(e))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = read_body(resp).await.map_err(|e| self.transport_error(e))?;
        tracing::debug!(%method, %url, status = status.as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
        if status.is_success() {
            Ok(body)
        } else {
            Err(parse_error_body(status.as_u16(), retry_after.as_deref(), &body).into())
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> ApiError {
        if e.is_timeout() {
            return ApiError::Timeout(self.inner.request_timeout);
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
}

async fn read_body(mut resp: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            body.extend_from_slice(&chunk[..MAX_BODY - body.len()]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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
}
