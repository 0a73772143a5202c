//! The client against a server that speaks broken HTTP on purpose, byte by byte: resets,
//! truncated bodies, invalid UTF-8, cyclic page tokens, a trickle of bytes. No framework
//! would send these, so the server is a raw TCP listener on 127.0.0.1.

use lrotop::api::{ApiError, ClientOptions, LocationName, OperationsClient, RetryPolicy};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with each request it reads: the request's head, its connection.
type Script =
    Arc<dyn Fn(String, TcpStream) -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

async fn serve(script: Script) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let script = script.clone();
            let h = h.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                h.fetch_add(1, Ordering::SeqCst);
                script(String::from_utf8_lossy(&head).into_owned(), conn).await;
            });
        }
    });
    (url, hits)
}

fn client(url: &str, attempts: u32, request_timeout: Duration) -> OperationsClient {
    OperationsClient::new(ClientOptions {
        request_timeout,
        retry: RetryPolicy {
            initial: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            deadline: Duration::from_secs(10),
            max_attempts: attempts,
        },
        ..ClientOptions::for_endpoint(url)
    })
    .unwrap()
}

fn parent() -> LocationName {
    LocationName::new("p", "l").unwrap()
}

fn respond(body: &'static [u8]) -> Script {
    Arc::new(move |_, mut conn| {
        Box::pin(async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes()).await;
            let _ = conn.write_all(body).await;
        })
    })
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_retried_for_reads_then_reported() {
    let (url, hits) = serve(Arc::new(|_, conn| Box::pin(async move { drop(conn) }))).await;
    let e = client(&url, 3, Duration::from_secs(5))
        .list_all(&parent(), "", 0)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Transport(_)), "{e:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 3, "a read is retried");
}

#[tokio::test]
async fn a_truncated_body_is_an_error_not_a_short_answer() {
    let script: Script = Arc::new(|_, mut conn| {
        Box::pin(async move {
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{\"operations\": [{\"name\": \"projects/p/locations/l/operations/a\"}")
                .await;
        })
    });
    let (url, _) = serve(script).await;
    let e = client(&url, 1, Duration::from_secs(5))
        .list_all(&parent(), "", 0)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::Transport(_) | ApiError::Decode(_)),
        "{e:?}"
    );
}

#[tokio::test]
async fn invalid_utf8_is_a_decode_error() {
    let (url, _) = serve(respond(
        b"{\"operations\": [{\"name\": \"projects/p/locations/l/operations/\xff\xfe\"}]}",
    ))
    .await;
    let e = client(&url, 1, Duration::from_secs(5))
        .list_all(&parent(), "", 0)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
    assert!(!e.to_string().chars().any(char::is_control), "{e}");
}

#[tokio::test]
async fn cyclic_page_tokens_stop_the_loop() {
    // A → B → A: every token is new to the page that carries it, but not to the listing.
    let script: Script = Arc::new(|head, mut conn| {
        Box::pin(async move {
            let next = if head.contains("pageToken=A") {
                "B"
            } else {
                "A"
            };
            let body = format!(
                "{{\"operations\": [{{\"name\": \"projects/p/locations/l/operations/{next}\"}}], \"nextPageToken\": \"{next}\"}}"
            );
            let _ = conn
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
        })
    });
    let (url, hits) = serve(script).await;
    let e = client(&url, 1, Duration::from_secs(5))
        .list_all(&parent(), "", 0)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::RepeatedPageToken(ref t) if t == "A"),
        "{e:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_trickling_body_is_cut_off_by_the_request_timeout() {
    // Slowloris: an answer that never quite ends, a byte at a time.
    let script: Script = Arc::new(|_, mut conn| {
        Box::pin(async move {
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n{")
                .await;
            for _ in 0..600 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if conn.write_all(b" ").await.is_err() {
                    return;
                }
            }
        })
    });
    let (url, _) = serve(script).await;
    let started = Instant::now();
    let e = client(&url, 1, Duration::from_millis(600))
        .get(&parent().operation("x").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Timeout(_)), "{e:?}");
    // Bounded by the request timeout, not by the server's patience (30 s here).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_html_page_with_status_200_is_a_decode_error_naming_what_came() {
    let (url, _) = serve(respond(b"<!doctype html><title>Sign in</title>")).await;
    let e = client(&url, 1, Duration::from_secs(5))
        .list_all(&parent(), "", 0)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Decode(_)), "{e:?}");
    assert!(e.to_string().contains("Sign in"), "{e}");
}
