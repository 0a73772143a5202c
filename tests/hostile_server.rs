//! The client against servers that misbehave on purpose. A stand-in server is the only way
//! to get these answers: the emulator is faithful and never sends them.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use lrotop::api::{ApiError, ClientOptions, Code, LocationName, OperationsClient, RetryPolicy};
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
