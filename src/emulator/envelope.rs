//! Errors as Google sends them: the AIP-193 envelope, always with an `ErrorInfo`.

use crate::api::Code;
use crate::api::time::format_duration;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::time::Duration;

/// The original world's API; a profile's errors carry its own (see [`ServeError::in_domain`]).
pub const DOMAIN: &str = "cloudaicompanion.googleapis.com";

#[derive(Clone, Debug, PartialEq)]
pub struct ServeError {
    pub code: Code,
    pub message: String,
    pub reason: &'static str,
    pub metadata: Value,
    /// The API that answers: the `ErrorInfo`'s domain.
    pub domain: String,
    pub retry_delay: Option<Duration>,
    /// The HTTP status, when it is not the code's own (e.g. an injected 502).
    pub http: Option<u16>,
}

impl ServeError {
    pub fn new(code: Code, reason: &'static str, message: impl Into<String>) -> Self {
        ServeError {
            code,
            message: message.into(),
            reason,
            metadata: json!({"service": DOMAIN}),
            domain: DOMAIN.to_string(),
            retry_delay: None,
            http: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ServeError::new(Code::InvalidArgument, "INVALID_ARGUMENT", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ServeError::new(Code::NotFound, "NOT_FOUND", message)
    }

    /// As Google answers for a resource the caller may not see, or that does not exist.
    pub fn permission_denied(permission: &str, resource: &str) -> Self {
        ServeError::permission_denied_in(DOMAIN, permission, resource)
    }

    /// The same, from the API `domain` (`redis.googleapis.com`): the resource's full name
    /// is in that API's name space.
    pub fn permission_denied_in(domain: &str, permission: &str, resource: &str) -> Self {
        let full = format!("//{domain}/{resource}");
        ServeError {
            metadata: json!({"permission": permission, "resource": resource}),
            ..ServeError::new(
                Code::PermissionDenied,
                "IAM_PERMISSION_DENIED",
                format!(
                    "Permission '{permission}' denied on resource '{full}' (or it may not exist)."
                ),
            )
        }
        .in_domain(domain)
    }

    /// The error as the API `domain` answers it: its `ErrorInfo` names that API.
    pub fn in_domain(mut self, domain: &str) -> Self {
        if let Some(service) = self.metadata.get_mut("service") {
            *service = json!(domain);
        }
        self.domain = domain.to_string();
        self
    }

    /// An answer with only an HTTP status to go on (fault injection).
    pub fn from_http(http: u16, retry_delay: Duration) -> Self {
        let code = Code::from_http(http);
        let message = match code {
            Code::ResourceExhausted => "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user'.".to_string(),
            Code::Unavailable => "The service is currently unavailable.".to_string(),
            Code::PermissionDenied => "The caller does not have permission".to_string(),
            Code::DeadlineExceeded => "Deadline exceeded.".to_string(),
            other => format!("Injected failure ({other})."),
        };
        let reason = match code {
            Code::ResourceExhausted => "RATE_LIMIT_EXCEEDED",
            Code::Unavailable => "SERVICE_UNAVAILABLE",
            Code::PermissionDenied => "IAM_PERMISSION_DENIED",
            _ => "INJECTED_FAULT",
        };
        let mut e = ServeError::new(code, reason, message);
        e.http = Some(http);
        if matches!(http, 429 | 503) {
            e.retry_delay = Some(retry_delay);
        }
        e
    }

    pub fn http_status(&self) -> u16 {
        self.http.unwrap_or_else(|| self.code.http_status())
    }

    pub fn body(&self) -> Value {
        let mut details = vec![json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": self.reason,
            "domain": self.domain,
            "metadata": self.metadata,
        })];
        if let Some(d) = self.retry_delay {
            details.push(json!({
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": format_duration(d),
            }));
        }
        json!({"error": {
            "code": self.http_status(),
            "message": self.message,
            "status": self.code.name(),
            "details": details,
        }})
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, axum::Json(self.body())).into_response();
        // Retry-After only on 429/503 (gcloud retries anything that carries it), and only
        // when the delay is at least a second, the header's resolution.
        if let Some(d) = self.retry_delay.filter(|d| *d >= Duration::from_secs(1))
            && matches!(status.as_u16(), 429 | 503)
            && let Ok(v) = HeaderValue::from_str(&d.as_secs().to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
