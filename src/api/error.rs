//! Errors from the Operations API, read from the AIP-193 envelope or from whatever else a
//! server or proxy answered with (plain text, HTML, a bare `{code, message}`, nothing).

use super::code::Code;
use super::names::NameError;
use super::time::parse_duration;
use crate::sanitize::one_line;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// A server's answer that was not a success.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusError {
    /// The HTTP status of the response.
    pub http: u16,
    pub code: Code,
    /// Sanitized: safe to print.
    pub message: String,
    /// `ErrorInfo.reason`, when the envelope has one (e.g. `IAM_PERMISSION_DENIED`).
    pub reason: Option<String>,
    pub details: Vec<Value>,
    /// From `RetryInfo.retryDelay` or the `Retry-After` header, whichever is longer.
    pub retry_delay: Option<Duration>,
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.http)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Status(Box<StatusError>),
    #[error("cannot reach the server: {0}")]
    Transport(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("unreadable response: {0}")]
    Decode(String),
    #[error(transparent)]
    InvalidName(#[from] NameError),
    #[error("credentials: {0}")]
    Auth(String),
    #[error("{0}")]
    Refused(String),
    #[error("the server sent the same page token twice ({0:?}); stopping instead of looping")]
    RepeatedPageToken(String),
    /// A listing that would not end: too many pages, or too many empty ones in a row.
    #[error("{0}")]
    Paging(String),
    /// Never followed: a redirect would carry the bearer token (and a cancel or delete) to
    /// a place the user did not name, past the plain-HTTP check made for the endpoint.
    #[error(
        "the server answered HTTP {status} redirecting to {location}; redirects are not followed"
    )]
    Redirect { status: u16, location: String },
    /// The call's whole time (`--call-timeout`: every attempt, retry and page) ran out.
    #[error("the call deadline ({deadline:?}) passed{}", after_pages(*.pages))]
    Deadline { deadline: Duration, pages: usize },
    /// The body was not read to its end, so it cannot be parsed: what came is not a reply.
    #[error("response larger than {} (not read to its end)", size_text(*.0))]
    TooLarge(usize),
    /// A certificate or TLS handshake failure: the same server will answer the same way.
    #[error("TLS error (not retried): {0}")]
    Tls(String),
    /// The API has no such method (its profile says so): nothing was sent.
    #[error("{} operations cannot be {}", .service, .method.participle())]
    Unsupported {
        /// The service's title ("Cloud Run").
        service: String,
        method: super::service::Method,
    },
    /// A cross-location listing answered with this location in `unreachable`.
    #[error("{0} is unreachable (the cross-location listing said so)")]
    Unreachable(String),
}

fn after_pages(pages: usize) -> String {
    if pages == 0 {
        String::new()
    } else {
        format!(" after {pages} page(s); stopping the listing")
    }
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

impl ApiError {
    pub fn status(&self) -> Option<&StatusError> {
        match self {
            ApiError::Status(s) => Some(s),
            _ => None,
        }
    }

    /// The rpc code this error stands for, where one applies.
    pub fn code(&self) -> Option<Code> {
        match self {
            ApiError::Status(s) => Some(s.code),
            ApiError::Transport(_) => Some(Code::Unavailable),
            ApiError::Timeout(_) | ApiError::Deadline { .. } => Some(Code::DeadlineExceeded),
            ApiError::Unsupported { .. } => Some(Code::Unimplemented),
            ApiError::Unreachable(_) => Some(Code::Unavailable),
            _ => None,
        }
    }

    /// Whether the server decided against the request, so that asking again would get the
    /// same answer: "refused". Everything else that went wrong (unavailable, overloaded,
    /// timed out, unreachable, unreadable, redirected) is "failed": no decision was had.
    /// The CLI's cancel report and the dashboard's bulk counter both go by this.
    pub fn is_refusal(&self) -> bool {
        match self {
            // The profile decided, without asking: asking again gets the same answer.
            ApiError::Unsupported { .. } => true,
            // By code, not HTTP class: UNIMPLEMENTED is a 501 but a decision, and a 400
            // envelope that says UNAVAILABLE is not one.
            ApiError::Status(s) => matches!(
                s.code,
                Code::InvalidArgument
                    | Code::NotFound
                    | Code::AlreadyExists
                    | Code::PermissionDenied
                    | Code::FailedPrecondition
                    | Code::OutOfRange
                    | Code::Unimplemented
                    | Code::Unauthenticated
            ),
            _ => false,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        self.status().map(|s| s.http)
    }

    /// A short label for a badge: `403`, `503`, `timeout`, `net`.
    pub fn badge(&self) -> String {
        match self {
            ApiError::Status(s) => s.http.to_string(),
            ApiError::Transport(_) => "net".into(),
            ApiError::Timeout(_) => "timeout".into(),
            ApiError::Decode(_) => "bad reply".into(),
            ApiError::Auth(_) => "auth".into(),
            ApiError::InvalidName(_) | ApiError::Refused(_) => "refused".into(),
            ApiError::RepeatedPageToken(_) | ApiError::Paging(_) => "paging".into(),
            ApiError::Redirect { status, .. } => status.to_string(),
            ApiError::Deadline { .. } => "timeout".into(),
            ApiError::TooLarge(_) => "too large".into(),
            ApiError::Tls(_) => "tls".into(),
            ApiError::Unsupported { .. } => "unsupported".into(),
            ApiError::Unreachable(_) => "unreachable".into(),
        }
    }
}

impl From<StatusError> for ApiError {
    fn from(s: StatusError) -> Self {
        ApiError::Status(Box::new(s))
    }
}

const MAX_MESSAGE: usize = 400;

fn truncate(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= MAX_MESSAGE {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_MESSAGE).collect();
    out.push('…');
    out
}

/// Reads an error response. Never fails: whatever the body, the result says what happened.
pub fn parse_error_body(http: u16, retry_after: Option<&str>, body: &[u8]) -> StatusError {
    let header_delay = retry_after.and_then(parse_retry_after);
    let mut err = match serde_json::from_slice::<Value>(body) {
        Ok(v) => from_json(http, &v),
        Err(_) => from_text(http, &String::from_utf8_lossy(body)),
    };
    err.retry_delay = match (err.retry_delay, header_delay) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    err.message = truncate(&one_line(&err.message));
    err
}

fn from_json(http: u16, v: &Value) -> StatusError {
    // Some old front ends wrap the envelope in a one-element array.
    if let Some(first) = v.as_array().and_then(|a| a.first()) {
        return from_json(http, first);
    }
    let fallback = || StatusError {
        http,
        code: Code::from_http(http),
        message: reason_phrase(http),
        reason: None,
        details: Vec::new(),
        retry_delay: None,
    };
    match v.get("error") {
        Some(Value::Object(e)) => {
            let code = e
                .get("status")
                .and_then(Value::as_str)
                .and_then(Code::from_name)
                .unwrap_or_else(|| Code::from_http(http));
            let details: Vec<Value> = e
                .get("details")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            StatusError {
                http,
                code,
                message: e
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| reason_phrase(http)),
                reason: error_info_reason(&details),
                retry_delay: retry_info_delay(&details),
                details,
            }
        }
        // OAuth-style `{"error": "invalid_grant", "error_description": "…"}`.
        Some(Value::String(s)) => {
            let desc = v.get("error_description").and_then(Value::as_str);
            StatusError {
                message: match desc {
                    Some(d) => format!("{s}: {d}"),
                    None => s.clone(),
                },
                ..fallback()
            }
        }
        _ => {
            let message = v.get("message").and_then(Value::as_str);
            // A bare `{code, message}`: a small code is an rpc code, a large one HTTP; as
            // proto3 JSON allows, the number may come as a string.
            let number = v.get("code").and_then(|c| {
                c.as_i64()
                    .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
            });
            let code = match number {
                Some(n @ 0..=16) => Code::from_i32(n as i32),
                Some(n) => Code::from_http(u16::try_from(n).unwrap_or(http)),
                None => Code::from_http(http),
            };
            match message {
                Some(m) => StatusError {
                    code,
                    message: m.to_string(),
                    ..fallback()
                },
                None => StatusError {
                    message: format!("{}: {}", reason_phrase(http), truncate(&v.to_string())),
                    ..fallback()
                },
            }
        }
    }
}

fn from_text(http: u16, text: &str) -> StatusError {
    let text = text.trim();
    let message = if text.is_empty() {
        reason_phrase(http)
    } else if looks_like_html(text) {
        let title = between(text, "<title>", "</title>").map(strip_tags);
        let body = strip_tags(text);
        match title {
            Some(t) if !t.is_empty() => t,
            _ if !body.is_empty() => body,
            _ => reason_phrase(http),
        }
    } else {
        text.to_string()
    };
    StatusError {
        http,
        code: Code::from_http(http),
        message,
        reason: None,
        details: Vec::new(),
        retry_delay: None,
    }
}

fn looks_like_html(t: &str) -> bool {
    let head: String = t.chars().take(200).collect::<String>().to_ascii_lowercase();
    head.starts_with('<')
        && (head.contains("<html")
            || head.contains("<!doctype")
            || head.contains("<title")
            || head.contains("<body")
            || head.contains("<h1"))
}

fn between<'a>(t: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let lower = t.to_ascii_lowercase();
    let start = lower.find(open)? + open.len();
    let end = start + lower[start..].find(close)?;
    t.get(start..end)
}

fn strip_tags(t: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in t.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn error_info_reason(details: &[Value]) -> Option<String> {
    details
        .iter()
        .find(|d| type_is(d, "google.rpc.ErrorInfo"))
        .and_then(|d| d.get("reason"))
        .and_then(Value::as_str)
        .map(|s| one_line(s).into_owned())
}

fn retry_info_delay(details: &[Value]) -> Option<Duration> {
    details
        .iter()
        .find(|d| type_is(d, "google.rpc.RetryInfo"))
        .and_then(|d| d.get("retryDelay"))
        .and_then(Value::as_str)
        .and_then(parse_duration)
        .map(|d| d.min(MAX_RETRY_DELAY))
}

fn type_is(d: &Value, full_name: &str) -> bool {
    d.get("@type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.rsplit('/').next() == Some(full_name))
}

/// The longest wait a server can ask for, by `Retry-After` or by `RetryInfo`: beyond it a
/// delay is no advice worth following, and an unbounded one (`"18446744073709551615s"`)
/// overflowed the dashboard's `now + wait` and the client's jittered wait.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);

/// `Retry-After` is either delta-seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_DELAY));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let secs = when.as_second().saturating_sub(now.as_second()).max(0);
    Some(Duration::from_secs(secs as u64).min(MAX_RETRY_DELAY))
}

fn reason_phrase(http: u16) -> String {
    let phrase = match http {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if phrase.is_empty() {
        format!("HTTP {http}")
    } else {
        format!("HTTP {http} {phrase}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_with_details() {
        let body = br#"{"error": {"code": 403, "message": "Permission 'cloudaicompanion.operations.cancel' denied on resource",
          "status": "PERMISSION_DENIED", "errors": [{"reason": "forbidden"}],
          "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
             "domain": "cloudaicompanion.googleapis.com", "metadata": {"permission": "p"}},
           {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "53s"}]}}"#;
        let e = parse_error_body(403, None, body);
        assert_eq!(e.code, Code::PermissionDenied);
        assert_eq!(e.http, 403);
        assert!(e.message.starts_with("Permission 'cloudaicompanion"));
        assert_eq!(e.reason.as_deref(), Some("IAM_PERMISSION_DENIED"));
        assert_eq!(e.retry_delay, Some(Duration::from_secs(53)));
        assert_eq!(e.details.len(), 2);
        assert!(
            e.to_string()
                .starts_with("PERMISSION_DENIED (HTTP 403): Permission")
        );
    }

    #[test]
    fn status_string_wins_over_http_status() {
        let e = parse_error_body(
            400,
            None,
            br#"{"error": {"code": 400, "message": "m", "status": "FAILED_PRECONDITION"}}"#,
        );
        assert_eq!(e.code, Code::FailedPrecondition);
        let e = parse_error_body(400, None, br#"{"error": {"code": 400, "message": "m"}}"#);
        assert_eq!(e.code, Code::InvalidArgument);
    }

    #[test]
    fn bodies_that_are_not_an_envelope() {
        let e = parse_error_body(
            502,
            None,
            b"upstream connect error or disconnect/reset before headers",
        );
        assert_eq!(e.code, Code::Unavailable);
        assert_eq!(
            e.message,
            "upstream connect error or disconnect/reset before headers"
        );

        let html = b"<!DOCTYPE html><html><head><title>Error 404 (Not Found)!!1</title></head><body><p>The requested URL was not found.</p></body></html>";
        let e = parse_error_body(404, None, html);
        assert_eq!(e.code, Code::NotFound);
        assert_eq!(e.message, "Error 404 (Not Found)!!1");

        let e = parse_error_body(404, None, br#"{"code": 5, "message": "no such operation"}"#);
        assert_eq!(e.code, Code::NotFound);
        assert_eq!(e.message, "no such operation");

        let e = parse_error_body(403, None, br#"{"code": 403, "message": "nope"}"#);
        assert_eq!(e.code, Code::PermissionDenied);

        let e = parse_error_body(503, None, b"");
        assert_eq!(e.code, Code::Unavailable);
        assert_eq!(e.message, "HTTP 503 Service Unavailable");

        let e = parse_error_body(
            401,
            None,
            br#"{"error": "invalid_token", "error_description": "expired"}"#,
        );
        assert_eq!(e.code, Code::Unauthenticated);
        assert_eq!(e.message, "invalid_token: expired");

        let e = parse_error_body(
            500,
            None,
            br#"[{"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}]"#,
        );
        assert_eq!(e.code, Code::Internal);

        let e = parse_error_body(500, None, br#"{"unexpected": true}"#);
        assert!(e.message.contains("Internal Server Error"), "{}", e.message);

        let e = parse_error_body(418, None, &[0xff, 0xfe, b'x']);
        assert_eq!(e.http, 418);
    }

    #[test]
    fn hostile_bodies_are_sanitized_and_bounded() {
        let body = format!("\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J{}", "A".repeat(10_000));
        let e = parse_error_body(500, None, body.as_bytes());
        assert!(!e.message.chars().any(char::is_control));
        assert!(e.message.chars().count() <= MAX_MESSAGE + 1);
    }

    #[test]
    fn retry_info_delay_is_capped_like_the_header() {
        // A hostile RetryInfo once came through unbounded: `now + wait` in the dashboard
        // then panicked (jiff overflow), and so did the client's jittered wait.
        for delay in ["5353.5s", "18446744073709551615s", "99999999999.999999999s"] {
            let body = format!(
                r#"{{"error": {{"code": 503, "status": "UNAVAILABLE", "details": [{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "{delay}"}}]}}}}"#
            );
            let e = parse_error_body(503, None, body.as_bytes());
            assert_eq!(e.retry_delay, Some(MAX_RETRY_DELAY), "{delay}");
            let e = parse_error_body(503, Some("99999999"), body.as_bytes());
            assert_eq!(e.retry_delay, Some(MAX_RETRY_DELAY), "{delay}");
        }
        assert_eq!(parse_retry_after("99999999"), Some(MAX_RETRY_DELAY));
        assert_eq!(
            parse_retry_after("Wed, 01 Jan 3000 00:00:00 GMT"),
            Some(MAX_RETRY_DELAY)
        );
    }

    #[test]
    fn retry_after_header_and_retry_info() {
        let e = parse_error_body(429, Some("7"), br#"{"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2.5s"}]}}"#);
        assert_eq!(e.retry_delay, Some(Duration::from_secs(7)));
        let e = parse_error_body(503, Some("garbage"), b"");
        assert_eq!(e.retry_delay, None);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn refusals_are_decisions_failures_are_not() {
        let s = |http: u16, body: &[u8]| ApiError::from(parse_error_body(http, None, body));
        for http in [400, 401, 403, 404, 409, 501] {
            let e = s(http, b"");
            assert_eq!(e.is_refusal(), http != 409, "{http}: {e}");
        }
        for http in [429, 500, 502, 503, 504] {
            assert!(!s(http, b"").is_refusal(), "{http}");
        }
        // The envelope's status decides, not the HTTP class.
        let precondition =
            br#"{"error": {"code": 400, "message": "m", "status": "FAILED_PRECONDITION"}}"#;
        assert!(s(400, precondition).is_refusal());
        let unavailable = br#"{"error": {"code": 400, "message": "m", "status": "UNAVAILABLE"}}"#;
        assert!(!s(400, unavailable).is_refusal());
        for e in [
            ApiError::Transport("reset".into()),
            ApiError::Timeout(Duration::from_secs(1)),
            ApiError::Deadline {
                deadline: Duration::from_secs(2),
                pages: 0,
            },
            ApiError::Decode("eof".into()),
            ApiError::TooLarge(64 << 20),
            ApiError::Tls("bad certificate".into()),
            ApiError::Redirect {
                status: 307,
                location: "http://x".into(),
            },
        ] {
            assert!(!e.is_refusal(), "{e}");
        }
    }

    #[test]
    fn new_errors_say_what_happened() {
        assert_eq!(
            ApiError::TooLarge(64 << 20).to_string(),
            "response larger than 64 MiB (not read to its end)"
        );
        assert_eq!(
            ApiError::Deadline {
                deadline: Duration::from_secs(2),
                pages: 0
            }
            .to_string(),
            "the call deadline (2s) passed"
        );
        let e = ApiError::Deadline {
            deadline: Duration::from_millis(300),
            pages: 7,
        };
        assert!(
            e.to_string().contains("(300ms) passed after 7 page(s)"),
            "{e}"
        );
        assert_eq!(e.badge(), "timeout");
    }

    #[test]
    fn a_bare_code_may_be_a_string() {
        let e = parse_error_body(400, None, br#"{"code": "5", "message": "gone"}"#);
        assert_eq!(e.code, Code::NotFound);
    }
}
