//! The client against servers that misbehave on purpose. A stand-in server is the only way
//! to get these answers: the emulator is faithful and never sends them.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use lrotop::api::{ApiError, ClientOptions, Code, LocationName, OperationsClient, RetryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn client(url: &str) -> OperationsClient {
    OperationsClient::new(ClientOptions {
        retry: RetryPolicy {
            initial: Duration::from_millis(5),
            max_attempts: 2,
            ..RetryPolicy::default()
        },
        ..ClientOptions::for_endpoint(url)
    })
    .unwrap()
}

fn parent() -> LocationName {
    LocationName::new("p", "l").unwrap()
}

#[tokio::test]
async fn a_repeated_page_token_stops_the_loop() {
    let app = Router::new().route(
        "/v1/projects/p/locations/l/operations",
        get(|| async { axum::Json(serde_json::json!({"operations": [{"name": "projects/p/locations/l/operations/a"}], "nextPageToken": "same"})) }),
    );
    let c = client(&serve(app).await);
    let e = c.list_all(&parent(), "", 0).await.unwrap_err();
    assert!(
        matches!(e, ApiError::RepeatedPageToken(ref t) if t == "same"),
        "{e:?}"
    );
}

#[tokio::test]
async fn malformed_success_bodies_are_decode_errors() {
    let app = Router::new()
        .route(
            "/v1/projects/p/locations/l/operations",
            get(|| async { "<html>login page</html>" }),
        )
        .route(
            "/v1/projects/p/locations/l/operations/x",
            get(|| async { axum::Json(serde_json::json!({"name": 5, "done": "yes"})) }),
        );
    let c = client(&serve(app).await);
    let e = c.list_all(&parent(), "", 0).await.unwrap_err();
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
    let e = c.get(&parent().operation("x").unwrap()).await.unwrap_err();
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
}

#[tokio::test]
async fn error_bodies_of_every_shape() {
    let app = Router::new()
        .route(
            "/v1/projects/p/locations/a/operations",
            get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    "<html><head><title>502 Bad Gateway</title></head></html>",
                )
            }),
        )
        .route(
            "/v1/projects/p/locations/b/operations",
            get(|| async { (StatusCode::NOT_FOUND, r#"{"code": 5, "message": "gone"}"#) }),
        )
        .route(
            "/v1/projects/p/locations/c/operations",
            get(|| async { StatusCode::FORBIDDEN }),
        )
        .route(
            "/v1/projects/p/locations/d/operations",
            get(|| async { (StatusCode::UNAUTHORIZED, "\u{1b}]0;owned\u{7}token expired") }),
        );
    let c = client(&serve(app).await);
    let l = |x: &str| LocationName::new("p", x).unwrap();
    let e = c.list_all(&l("a"), "", 0).await.unwrap_err();
    assert_eq!(
        (e.code(), e.http_status()),
        (Some(Code::Unavailable), Some(502))
    );
    assert!(e.to_string().contains("502 Bad Gateway"), "{e}");
    let e = c.list_all(&l("b"), "", 0).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::NotFound));
    assert!(e.to_string().contains("gone"));
    let e = c.list_all(&l("c"), "", 0).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::PermissionDenied));
    let e = c.list_all(&l("d"), "", 0).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::Unauthenticated));
    assert!(!e.to_string().chars().any(char::is_control));
}

#[tokio::test]
async fn headers_user_agent_quota_project_and_token() {
    let seen: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let s = seen.clone();
    // axum sees Google's `x:cancel` custom method as one path segment.
    let app = Router::new().route(
        "/v1/projects/p/locations/l/operations/{op}",
        post(move |h: HeaderMap, body: String| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push((h, body));
                axum::Json(serde_json::json!({})).into_response()
            }
        }),
    );
    let url = serve(app).await;
    assert!(
        client(&url).auth().is_none(),
        "loopback needs no credentials"
    );
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "ya29.test-token\n").unwrap();
    let c = OperationsClient::new(ClientOptions {
        access_token_file: Some(token),
        quota_project: Some("billing-proj".into()),
        ..ClientOptions::for_endpoint(&url)
    })
    .unwrap();
    c.cancel(&parent().operation("x").unwrap()).await.unwrap();
    let (h, body) = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(body, "{}");
    assert_eq!(h["authorization"], "Bearer ya29.test-token");
    assert_eq!(h["x-goog-user-project"], "billing-proj");
    assert!(h["user-agent"].to_str().unwrap().starts_with("lrotop/"));
    assert_eq!(h["content-type"], "application/json");
}

#[test]
fn no_token_over_plain_http_to_a_remote_host() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "ya29.secret").unwrap();
    let e = OperationsClient::new(ClientOptions {
        access_token_file: Some(token),
        ..ClientOptions::for_endpoint("http://operations.example.com")
    })
    .unwrap_err();
    assert!(e.to_string().contains("plain HTTP"), "{e}");
    assert!(!e.to_string().contains("secret"));
}

fn counter() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let c = Arc::new(AtomicUsize::new(0));
    (c.clone(), c)
}

/// A server that counts every request it gets, whatever the path: where a redirect would
/// have sent the client.
async fn elsewhere() -> (String, Arc<AtomicUsize>) {
    let (hits, h) = counter();
    let app = Router::new().fallback(move || {
        h.fetch_add(1, Ordering::SeqCst);
        async { axum::Json(serde_json::json!({})) }
    });
    (serve(app).await, hits)
}

fn token_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let token = dir.path().join("token");
    std::fs::write(&token, "ya29.must-not-travel").unwrap();
    token
}

#[tokio::test]
async fn redirects_are_refused_not_followed() {
    let (other, hits) = elsewhere().await;
    let cancel_to = format!("{other}/v1/projects/q/locations/l/operations/y:cancel");
    let list_to = format!("{other}/v1/projects/p/locations/l/operations");
    let (c1, c2) = (cancel_to.clone(), list_to.clone());
    let app = Router::new()
        .route(
            "/v1/projects/p/locations/l/operations/{op}",
            post(move || {
                let to = c1.clone();
                async move { (StatusCode::TEMPORARY_REDIRECT, [("location", to)]) }
            })
            .delete(|| async {
                // C1 CSI (allowed in a header as obs-text): a terminal escape in disguise.
                let to = "http://203.0.113.9/\u{9b}2Jx".as_bytes();
                (
                    StatusCode::PERMANENT_REDIRECT,
                    [(
                        axum::http::header::LOCATION,
                        axum::http::HeaderValue::from_bytes(to).unwrap(),
                    )],
                )
            }),
        )
        .route(
            "/v1/projects/p/locations/l/operations",
            get(move || {
                let to = c2.clone();
                async move { (StatusCode::FOUND, [("location", to)]) }
            }),
        );
    let url = serve(app).await;
    let dir = tempfile::tempdir().unwrap();
    let c = OperationsClient::new(ClientOptions {
        access_token_file: Some(token_file(&dir)),
        ..ClientOptions::for_endpoint(&url)
    })
    .unwrap();
    let op = parent().operation("x").unwrap();

    let e = c.cancel(&op).await.unwrap_err();
    assert!(matches!(e, ApiError::Redirect { status: 307, .. }), "{e:?}");
    assert!(e.to_string().contains(&cancel_to), "{e}");
    let e = c.list_all(&parent(), "", 0).await.unwrap_err();
    assert!(matches!(e, ApiError::Redirect { status: 302, .. }), "{e:?}");
    assert!(e.to_string().contains(&list_to), "{e}");
    let e = c.delete(&op).await.unwrap_err();
    assert!(e.to_string().contains("http://203.0.113.9/x"), "{e}");
    assert!(!e.to_string().chars().any(char::is_control), "{e:?}");
    assert!(!e.is_refusal());
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a redirect was followed");
}

/// Accepts connections and never answers.
async fn hung() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    (format!("http://{addr}"), hold)
}

fn with_deadline(url: &str, deadline: Duration) -> OperationsClient {
    OperationsClient::new(ClientOptions {
        retry: RetryPolicy {
            initial: Duration::from_millis(5),
            deadline,
            ..RetryPolicy::default()
        },
        ..ClientOptions::for_endpoint(url)
    })
    .unwrap()
}

#[tokio::test]
async fn a_hung_server_costs_the_call_deadline_not_the_request_timeout() {
    let (url, hold) = hung().await;
    // The request timeout stays at its default of 15 s: the deadline is what must end it.
    let c = with_deadline(&url, Duration::from_millis(300));
    let op = parent().operation("x").unwrap();
    for call in ["get", "cancel", "list"] {
        let started = std::time::Instant::now();
        let e = match call {
            "get" => c.get(&op).await.map(|_| ()),
            "cancel" => c.cancel(&op).await,
            _ => c.list_all(&parent(), "", 0).await.map(|_| ()),
        }
        .unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "{call} took {took:?}");
        assert!(matches!(e, ApiError::Deadline { .. }), "{call}: {e:?}");
        assert!(e.to_string().contains("deadline (300ms)"), "{e}");
        assert_eq!(e.code(), Some(Code::DeadlineExceeded));
    }
    hold.abort();
}

#[tokio::test]
async fn a_body_that_trickles_is_cut_at_the_deadline_too() {
    // Headers at once, then a byte a second: the body read is inside the deadline.
    let app = Router::new().route(
        "/v1/projects/p/locations/l/operations/x",
        get(|| async {
            let body = futures::stream::unfold(0u32, |n| async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b" ")),
                    n + 1,
                ))
            });
            axum::body::Body::from_stream(body)
        }),
    );
    let c = with_deadline(&serve(app).await, Duration::from_millis(300));
    let started = std::time::Instant::now();
    let e = c.get(&parent().operation("x").unwrap()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(e, ApiError::Deadline { .. }), "{e:?}");
}

/// Pages forever, each with a new token: one operation per page, or none.
async fn endless(empty: bool) -> (String, Arc<AtomicUsize>) {
    let (hits, h) = counter();
    let app = Router::new().fallback(get(move || {
        let n = h.fetch_add(1, Ordering::SeqCst);
        async move {
            let ops = if empty {
                serde_json::json!([])
            } else {
                serde_json::json!([{"name": format!("projects/p/locations/l/operations/o{n}")}])
            };
            axum::Json(serde_json::json!({
                "operations": ops,
                "locations": [{"name": format!("projects/p/locations/l{n}")}],
                "nextPageToken": format!("t{n}"),
            }))
        }
    }));
    (serve(app).await, hits)
}

#[tokio::test]
async fn endless_paging_ends_at_the_call_deadline() {
    let (url, hits) = endless(false).await;
    let c = with_deadline(&url, Duration::from_millis(400));
    let e = tokio::time::timeout(Duration::from_secs(5), c.list_all(&parent(), "", 0))
        .await
        .expect("the listing ended by itself")
        .unwrap_err();
    assert!(
        matches!(e, ApiError::Deadline { pages, .. } if pages > 0),
        "{e:?}"
    );
    assert!(e.to_string().contains("page(s)"), "{e}");
    // The pages before the deadline were handed over as they came.
    use futures::StreamExt;
    let got: Vec<_> = tokio::time::timeout(
        Duration::from_secs(5),
        c.list_pages(&parent(), "", 0).collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ended by itself");
    let (last, pages) = got.split_last().unwrap();
    assert!(matches!(last, Err(ApiError::Deadline { .. })), "{last:?}");
    assert!(!pages.is_empty() && pages.iter().all(|p| p.as_ref().is_ok_and(|p| p.more)));
    // locations.list is bounded the same way.
    let e = tokio::time::timeout(Duration::from_secs(5), c.list_locations("p"))
        .await
        .expect("locations.list ended by itself")
        .unwrap_err();
    assert!(matches!(e, ApiError::Deadline { .. }), "{e:?}");
    assert!(hits.load(Ordering::SeqCst) > 3);
}

#[tokio::test]
async fn a_run_of_empty_pages_stops_the_listing() {
    let (url, hits) = endless(true).await;
    let c = with_deadline(&url, Duration::from_secs(30));
    let e = tokio::time::timeout(Duration::from_secs(10), c.list_all(&parent(), "", 0))
        .await
        .expect("the listing ended by itself")
        .unwrap_err();
    assert!(matches!(e, ApiError::Paging(_)), "{e:?}");
    assert!(e.to_string().contains("empty pages in a row"), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 100);
}

#[tokio::test]
async fn the_page_cap_stops_a_listing() {
    let (url, hits) = endless(false).await;
    let c = OperationsClient::new(ClientOptions {
        max_pages: 5,
        ..ClientOptions::for_endpoint(&url)
    })
    .unwrap();
    let e = c.list_all(&parent(), "", 0).await.unwrap_err();
    assert!(e.to_string().contains("more than 5 pages"), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn a_body_over_the_cap_is_too_large_and_not_retried() {
    let (hits, h) = counter();
    let (h1, h2) = (h.clone(), h);
    // 3 MB against a cap of 1 MiB: streamed (no length), and with a Content-Length.
    let big = || format!("{{\"operations\": [{}]}}", " ".repeat(3_000_000));
    let app = Router::new()
        .route(
            "/v1/projects/p/locations/s/operations",
            get(move || {
                h1.fetch_add(1, Ordering::SeqCst);
                let chunks = (0..30).map(move |i| {
                    let s = if i == 0 { big() } else { " ".repeat(100_000) };
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(s))
                });
                async move { axum::body::Body::from_stream(futures::stream::iter(chunks)) }
            }),
        )
        .route(
            "/v1/projects/p/locations/n/operations",
            get(move || {
                h2.fetch_add(1, Ordering::SeqCst);
                async move { big() }
            }),
        );
    let c = OperationsClient::new(ClientOptions {
        max_body: 1 << 20,
        ..ClientOptions::for_endpoint(serve(app).await)
    })
    .unwrap();
    for l in ["s", "n"] {
        let e = c
            .list_all(&LocationName::new("p", l).unwrap(), "", 0)
            .await
            .unwrap_err();
        assert!(matches!(e, ApiError::TooLarge(_)), "{l}: {e:?}");
        assert!(e.to_string().contains("response larger than 1 MiB"), "{e}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2, "not retried");
}

#[tokio::test]
async fn proto3_json_forms_and_unreadable_operations_in_a_page() {
    let app = Router::new().route(
        "/v1/projects/p/locations/l/operations",
        get(|| async {
            axum::Json(serde_json::json!({"operations": [
                {"name": "projects/p/locations/l/operations/a", "done": true,
                 "error": {"code": "3", "message": "bad argument"}},
                {"name": "projects/p/locations/l/operations/b", "done": "true"},
                {"name": "projects/p/locations/l/operations/c", "done": true,
                 "error": {"code": 1.0}},
                {"name": 5},
                "not an operation",
                {"name": "projects/p/locations/l/operations/d",
                 "metadata": {"@type": "type.googleapis.com/google.cloud.cloudaicompanion.v1.OperationMetadata",
                   "createTime": "2025-01-23T15:27:50.076Z", "verb": "create"}}
            ]}))
        }),
    );
    let c = client(&serve(app).await);
    let l = c.list_location(&parent(), "", 0).await.unwrap();
    let names: Vec<&str> = l.operations.iter().map(|o| o.id()).collect();
    assert_eq!(names, ["a", "c", "d"]);
    assert_eq!(l.skipped, 3);
    assert_eq!(l.operations[0].error.as_ref().unwrap().code, 3);
    assert_eq!(l.operations[0].outcome(), lrotop::api::Outcome::Failed);
    assert_eq!(l.operations[1].outcome(), lrotop::api::Outcome::Cancelled);
    assert_eq!(l.operations[2].verb(), "create");
    use futures::StreamExt;
    let page = c
        .list_pages(&parent(), "", 0)
        .next()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (page.operations.len(), page.skipped, page.more),
        (3, 3, false)
    );
}

#[tokio::test]
async fn a_tls_failure_is_final_not_retried() {
    // Speaks plain HTTP: a TLS client gets a handshake failure from it, every time.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (accepts, a) = counter();
    let serve = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut sock, _)) = listener.accept().await {
            a.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let opts = ClientOptions {
        retry: RetryPolicy {
            initial: Duration::from_millis(5),
            max_attempts: 4,
            ..RetryPolicy::default()
        },
        ..ClientOptions::for_endpoint(format!("https://{addr}"))
    };
    let c = OperationsClient::with_auth(opts, lrotop::api::auth::Auth::none()).unwrap();
    let e = c.get(&parent().operation("x").unwrap()).await.unwrap_err();
    assert!(matches!(e, ApiError::Tls(_)), "{e:?}");
    assert!(e.to_string().contains("TLS"), "{e}");
    assert_eq!(accepts.load(Ordering::SeqCst), 1, "retried: {e}");
    serve.abort();
}

/// The `lrotop` binary against `url`, for project p, location l.
async fn lrotop(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .args([
            "--endpoint",
            url,
            "-p",
            "p",
            "-l",
            "l",
            "--call-timeout",
            "3s",
        ])
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        // The audit log of what these tests cancel: beside them, never the real one.
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("lrotop-test-state-{}", std::process::id())),
        )
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn running(id: &str) -> serde_json::Value {
    serde_json::json!({"name": format!("projects/p/locations/l/operations/{id}"), "done": false})
}

#[tokio::test]
async fn cli_list_skips_unreadable_operations_and_repeats_with_a_note() {
    let app = Router::new().route(
        "/v1/projects/p/locations/l/operations",
        get(
            |q: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                axum::Json(match q.get("pageToken").map(String::as_str) {
                    None => serde_json::json!({"operations": [
                        running("a"), running("b"),
                        {"name": "projects/p/locations/l/operations/bad", "done": "true"},
                        {"name": 5}
                    ], "nextPageToken": "2"}),
                    _ => serde_json::json!({"operations": [running("a"), running("c")]}),
                })
            },
        ),
    );
    let (ok, stdout, stderr) = lrotop(&serve(app).await, &["list"]).await;
    assert!(ok, "{stderr}");
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    for id in ["a", "b", "c"] {
        let name = format!("projects/p/locations/l/operations/{id}");
        assert_eq!(
            rows.iter().filter(|r| r.ends_with(&name)).count(),
            1,
            "{stdout}"
        );
    }
    assert!(
        stderr.contains("2 unreadable operations skipped in projects/p/locations/l"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 operation listed again on a later page in projects/p/locations/l"),
        "{stderr}"
    );
}

/// A server whose `get` answers for `answer` whatever is asked; counts cancels.
async fn answering(answer: &'static str, cancel: StatusCode) -> (String, Arc<AtomicUsize>) {
    let (cancels, c) = counter();
    let app = Router::new().route(
        "/v1/projects/p/locations/l/operations/{op}",
        get(move || async move { axum::Json(running(answer)) }).post(move || {
            c.fetch_add(1, Ordering::SeqCst);
            async move { (cancel, axum::Json(serde_json::json!({}))) }
        }),
    );
    (serve(app).await, cancels)
}

#[tokio::test]
async fn cli_an_answer_for_another_operation_is_never_acted_on() {
    let (url, cancels) = answering("other", StatusCode::OK).await;
    let (_, stdout, stderr) = lrotop(&url, &["describe", "x"]).await;
    let warning = "server answered for projects/p/locations/l/operations/other when asked for projects/p/locations/l/operations/x";
    assert!(stderr.contains(warning), "{stderr}");
    assert!(stdout.contains("operations/other"), "{stdout}");

    let (ok, stdout, stderr) = lrotop(&url, &["cancel", "x", "--yes"]).await;
    assert!(!ok);
    assert!(stderr.contains(warning), "{stderr}");
    assert!(stdout.contains("cancel failed"), "{stdout}");
    assert_eq!(cancels.load(Ordering::SeqCst), 0, "a cancel was sent");
}

#[tokio::test]
async fn cli_a_503_on_cancel_is_a_failure_not_a_refusal() {
    let (url, cancels) = answering("x", StatusCode::SERVICE_UNAVAILABLE).await;
    let (ok, stdout, stderr) = lrotop(&url, &["cancel", "x", "--yes"]).await;
    assert!(!ok);
    assert!(stdout.contains("cancel failed"), "{stdout}\n{stderr}");
    assert!(!stdout.contains("refused"), "{stdout}");
    assert!(cancels.load(Ordering::SeqCst) >= 1);
    let (ok, stdout, _) = lrotop(&url, &["cancel", "x", "--yes", "--format", "jsonl"]).await;
    assert!(!ok);
    assert!(stdout.contains(r#""result":"failed""#), "{stdout}");
    assert!(stdout.contains(r#""code":"UNAVAILABLE""#), "{stdout}");
}
