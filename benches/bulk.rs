//! Bulk cancel throughput: 1,000 cancels at 50 ms emulator latency through
//! `sync::bulk::run` at the default concurrency and rate caps, then again with 10 % of
//! requests answered 429, checking from the emulator's own counts that every operation got
//! exactly one cancel (exits non-zero otherwise).
//!
//! `cargo bench --bench bulk`

mod common;

use common::{Summary, fmt_d};
use lrotop::api::{ApiError, ClientOptions, OperationName, OperationsClient, RetryPolicy};
use lrotop::app::MutationKind;
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use lrotop::sync::bulk::{self, BULK_CONCURRENCY, BULK_RATE_PER_SEC, RateLimiter};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const PROJECT: &str = "demo-project-1";
const CANCELS: usize = 1000;
const LATENCY: Duration = Duration::from_millis(50);
const RUNS: usize = 3;

struct Outcome {
    took: Duration,
    accepted: usize,
    refused: usize,
    failed: usize,
    requests: u64,
    injected: u64,
    lost: usize,
    duplicated: usize,
    strangers: usize,
}

/// An emulator with enough running operations for `runs` × 1,000 distinct cancels.
fn emulator(error_rate: f64) -> (BackgroundEmulator, Vec<OperationName>) {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.projects = 1;
    cfg.locations = 8;
    cfg.ops_per_location = 1000;
    cfg.faults.latency = LATENCY;
    cfg.faults.error_rate = error_rate;
    cfg.faults.error_codes = vec![429];
    let locations = cfg.location_ids();
    let emu = BackgroundEmulator::start(cfg).expect("emulator");
    let names: Vec<OperationName> = locations
        .iter()
        .flat_map(|l| emu.snapshot(PROJECT, l))
        .filter(|o| !o.done)
        .map(|o| OperationName::parse(&o.name).expect("a valid name"))
        .collect();
    assert!(
        names.len() >= RUNS * CANCELS,
        "{} running operations",
        names.len()
    );
    (emu, names)
}

fn run(
    rt: &tokio::runtime::Runtime,
    emu: &BackgroundEmulator,
    client: &OperationsClient,
    names: &[OperationName],
) -> Outcome {
    let before = emu.stats();
    let limiter = RateLimiter::new(BULK_RATE_PER_SEC, BULK_CONCURRENCY);
    let (mut accepted, mut refused, mut failed) = (0, 0, 0);
    let start = Instant::now();
    rt.block_on(bulk::run(
        client,
        MutationKind::Cancel,
        names.to_vec(),
        BULK_CONCURRENCY,
        &limiter,
        |_, r: Result<(), ApiError>| match r {
            Ok(()) => accepted += 1,
            Err(e) if e.status().is_some() => refused += 1,
            Err(_) => failed += 1,
        },
    ));
    let took = start.elapsed();
    let after = emu.stats();
    let wanted: HashSet<String> = names.iter().map(|n| n.to_string()).collect();
    let count = |n: &str| {
        after.cancels.get(n).copied().unwrap_or(0) - before.cancels.get(n).copied().unwrap_or(0)
    };
    let lost = wanted.iter().filter(|n| count(n) == 0).count();
    let duplicated = wanted.iter().filter(|n| count(n) > 1).count();
    let strangers = after
        .cancels
        .keys()
        .filter(|n| !wanted.contains(*n) && count(n) > 0)
        .count();
    Outcome {
        took,
        accepted,
        refused,
        failed,
        requests: after.requests - before.requests,
        injected: after.injected - before.injected,
        lost,
        duplicated,
        strangers,
    }
}

/// Runs `RUNS` bulk cancels of 1,000 distinct operations; prints each; the median.
fn series(
    label: &str,
    error_rate: f64,
    retry: RetryPolicy,
    runs: usize,
    rt: &tokio::runtime::Runtime,
    violations: &mut Vec<String>,
) -> (Summary, u64) {
    println!("\n[{label}]");
    let (emu, names) = emulator(error_rate);
    let client = OperationsClient::new(ClientOptions {
        retry,
        ..ClientOptions::for_endpoint(emu.url())
    })
    .expect("client");
    let mut took = Vec::new();
    let mut injected = 0;
    for (i, chunk) in names.chunks(CANCELS).take(runs).enumerate() {
        let o = run(rt, &emu, &client, chunk);
        println!(
            "  run {}: {} — {} accepted, {} refused by the server, {} failed; {} requests, {} answered 429; exactly-once: {} lost, {} duplicated, {} sent to others",
            i + 1,
            fmt_d(o.took),
            o.accepted,
            o.refused,
            o.failed,
            o.requests,
            o.injected,
            o.lost,
            o.duplicated,
            o.strangers
        );
        if o.lost + o.duplicated + o.strangers > 0 || o.failed > 0 {
            violations.push(format!(
                "{label} run {}: {} lost, {} duplicated, {} to others, {} failed",
                i + 1,
                o.lost,
                o.duplicated,
                o.strangers,
                o.failed
            ));
        }
        took.push(o.took);
        injected += o.injected;
    }
    let s = Summary::of(&took);
    println!("  {CANCELS} cancels: {s}");
    (s, injected / runs as u64)
}

fn main() {
    if !common::invoked_by_cargo_bench("bulk") {
        return;
    }
    let by_concurrency = LATENCY * CANCELS as u32 / BULK_CONCURRENCY as u32;
    let by_rate = Duration::from_secs_f64(CANCELS as f64 / BULK_RATE_PER_SEC);
    let floor = by_concurrency.max(by_rate);
    println!(
        "{CANCELS} cancels, {} ms latency, BULK_CONCURRENCY = {BULK_CONCURRENCY}, BULK_RATE_PER_SEC = {BULK_RATE_PER_SEC}",
        LATENCY.as_millis()
    );
    println!(
        "floor: max({CANCELS} × {} ms / {BULK_CONCURRENCY} = {}, {CANCELS} / {BULK_RATE_PER_SEC}/s = {}) = {}; goal ≤ 1.5× = {}",
        LATENCY.as_millis(),
        fmt_d(by_concurrency),
        fmt_d(by_rate),
        fmt_d(floor),
        fmt_d(floor.mul_f64(1.5))
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut violations = Vec::new();
    let default_retry = RetryPolicy::default();
    println!("default retry policy: {default_retry:?}");
    let (clean, _) = series(
        "no faults",
        0.0,
        default_retry.clone(),
        RUNS,
        &rt,
        &mut violations,
    );
    let (faulty, injected) = series(
        "10 % answered 429 (RetryInfo.retryDelay 100 ms), default retry policy",
        0.1,
        default_retry,
        RUNS,
        &rt,
        &mut violations,
    );
    // What the 429s would cost if the first retry waited what the server asked (100 ms)
    // rather than the policy's 1 s floor.
    let quick = RetryPolicy {
        initial: Duration::from_millis(100),
        ..RetryPolicy::default()
    };
    let (what_if, _) = series(
        "what-if: the same 429s, retry policy with initial backoff 100 ms",
        0.1,
        quick,
        1,
        &rt,
        &mut violations,
    );

    println!(
        "\nresult: no faults {} = {:.2}× floor (goal ≤ 1.5×)",
        fmt_d(clean.median),
        clean.median.as_secs_f64() / floor.as_secs_f64()
    );
    let extra = faulty.median.saturating_sub(clean.median);
    println!(
        "result: 10 % 429 {} = {:.2}× floor; the ≈{injected} 429s added {} = {:.2} s of slot time each over {BULK_CONCURRENCY} slots (a 429 waits the server's RetryInfo, 100 ms here, plus up to 20 % jitter)",
        fmt_d(faulty.median),
        faulty.median.as_secs_f64() / floor.as_secs_f64(),
        fmt_d(extra),
        extra.as_secs_f64() * BULK_CONCURRENCY as f64 / injected.max(1) as f64
    );
    println!(
        "result: with a 100 ms first backoff the same run took {} = {:.2}× floor",
        fmt_d(what_if.median),
        what_if.median.as_secs_f64() / floor.as_secs_f64()
    );
    if violations.is_empty() {
        println!("exactly-once: every operation got exactly one cancel in every run");
    } else {
        for v in &violations {
            eprintln!("VIOLATION: {v}");
        }
        std::process::exit(1);
    }
}
