//! When and how long to wait before trying a call again (AIP-194).

use super::error::ApiError;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The first backoff; each later one doubles, plus up to as much again of jitter.
    pub initial: Duration,
    pub max_backoff: Duration,
    /// A call with all its retries gives up past this.
    pub deadline: Duration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_secs(1),
            max_backoff: Duration::from_secs(32),
            deadline: Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries, for callers that schedule their own.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// `min(initial·2^n + jitter, max)`, with jitter uniform in `[0, initial·2^n)` halved.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self.initial.saturating_mul(1u32 << attempt.min(20));
        let jitter = base.mul_f64(rand::random::<f64>() * 0.5);
        (base + jitter).min(self.max_backoff)
    }
}

/// Whether an error may be retried and the least the server asked us to wait.
/// `read` says the call has no side effect, so a timed-out attempt can be repeated safely.
pub fn retry_after(err: &ApiError, read: bool) -> Option<Duration> {
    match err {
        ApiError::Transport(_) => Some(Duration::ZERO),
        ApiError::Timeout(_) if read => Some(Duration::ZERO),
        ApiError::Status(s) if s.http == 503 || s.http == 429 || s.http == 502 => {
            Some(s.retry_delay.unwrap_or_default())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::parse_error_body;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            initial: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..Default::default()
        };
        for attempt in 0..4 {
            let d = p.backoff(attempt);
            let base = Duration::from_millis(100 * (1 << attempt));
            assert!(d >= base && d <= base.mul_f64(1.5), "{attempt}: {d:?}");
        }
        assert_eq!(p.backoff(30), Duration::from_secs(1));
    }

    #[test]
    fn what_is_retried() {
        let s = |http: u16| ApiError::from(parse_error_body(http, None, b""));
        assert_eq!(retry_after(&s(503), false), Some(Duration::ZERO));
        assert_eq!(retry_after(&s(429), false), Some(Duration::ZERO));
        for http in [400, 401, 403, 404, 409, 500, 501, 504] {
            assert_eq!(retry_after(&s(http), true), None, "{http}");
        }
        let with_delay = ApiError::from(parse_error_body(429, Some("3"), b""));
        assert_eq!(
            retry_after(&with_delay, false),
            Some(Duration::from_secs(3))
        );
        assert!(retry_after(&ApiError::Transport("refused".into()), false).is_some());
        assert!(retry_after(&ApiError::Timeout(Duration::from_secs(1)), true).is_some());
        assert!(retry_after(&ApiError::Timeout(Duration::from_secs(1)), false).is_none());
    }
}
