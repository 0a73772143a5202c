//! Confirmed cancels and deletes, many at once: bounded concurrency, a request-rate cap, and
//! each name sent exactly once (the client retries only 503, 429 and transport failures).

use crate::api::{ApiError, OperationName, OperationsClient};
use crate::app::MutationKind;
use crate::audit::Audit;
use futures::stream::{self, StreamExt};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Default caps for confirmed bulk actions: generous, since the user asked; 429s slow the
/// individual requests down through the client's backoff.
pub const BULK_CONCURRENCY: usize = 8;
pub const BULK_RATE_PER_SEC: f64 = 200.0;

/// A token bucket: at most `rate` acquisitions a second, bursts up to `burst` but never more
/// than a second's worth (`--bulk-rate 1` sends one a second from the first, not eight).
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    pub fn new(rate_per_sec: f64, burst: usize) -> RateLimiter {
        let rate = rate_per_sec.max(0.01);
        let burst = (burst.max(1) as f64).min(rate.max(1.0).floor());
        RateLimiter {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let (tokens, last) = *s;
                let tokens =
                    (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst);
                if tokens >= 1.0 {
                    *s = (tokens - 1.0, now);
                    return;
                }
                *s = (tokens, now);
                Duration::from_secs_f64((1.0 - tokens) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// Sends `kind` for every name once; `on_result` hears each answer as it comes.
pub async fn run(
    client: &OperationsClient,
    kind: MutationKind,
    names: Vec<OperationName>,
    concurrency: usize,
    limiter: &RateLimiter,
    on_result: impl FnMut(OperationName, Result<(), ApiError>),
) {
    run_with(
        |_| client.clone(),
        kind,
        names,
        concurrency,
        limiter,
        &Audit::off(),
        on_result,
    )
    .await
}

/// As [`run`], with the client chosen per operation (projects may live on other endpoints)
/// and each answer written to `audit` before `on_result` hears it. The dashboard and the CLI
/// both send through here.
pub async fn run_with(
    client_for: impl Fn(&OperationName) -> OperationsClient,
    kind: MutationKind,
    names: Vec<OperationName>,
    concurrency: usize,
    limiter: &RateLimiter,
    audit: &Audit,
    mut on_result: impl FnMut(OperationName, Result<(), ApiError>),
) {
    let mut answers = stream::iter(names)
        .map(|name| {
            let client = client_for(&name);
            async move {
                limiter.acquire().await;
                let r = match kind {
                    MutationKind::Cancel => client.cancel(&name).await,
                    MutationKind::Delete => client.delete(&name).await,
                };
                (name, r, client.auth().describe())
            }
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((name, r, credential)) = answers.next().await {
        if let Err(e) = audit.record(kind, &name, credential, &r) {
            tracing::error!(%name, error = %e, "the audit log could not be written");
        }
        on_result(name, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_bucket_caps_the_rate() {
        let l = RateLimiter::new(50.0, 1);
        let start = Instant::now();
        for _ in 0..6 {
            l.acquire().await;
        }
        // One token at once, then five at 20 ms each.
        assert!(
            start.elapsed() >= Duration::from_millis(95),
            "{:?}",
            start.elapsed()
        );
    }

    /// On tokio's paused clock: the pacing is exact and the test takes no time.
    #[tokio::test(start_paused = true)]
    async fn a_slow_rate_paces_from_the_first_request() {
        let l = RateLimiter::new(1.0, BULK_CONCURRENCY);
        let start = Instant::now();
        for _ in 0..3 {
            l.acquire().await;
        }
        // One at once, then one a second: not eight at once.
        assert!(
            start.elapsed() >= Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let fast = RateLimiter::new(200.0, BULK_CONCURRENCY);
        let start = Instant::now();
        for _ in 0..BULK_CONCURRENCY {
            fast.acquire().await;
        }
        assert!(
            start.elapsed() < Duration::from_millis(1),
            "a fast rate still bursts"
        );
    }
}
