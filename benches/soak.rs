//! Soak: the real release binary in a pseudo-terminal over a `demo` emulator in its own
//! process (operations start, finish and fail in real time; 2 % of requests answer 429 or
//! 503), refreshing every second, for a bounded time (default 10 min,
//! `LROTOP_SOAK_SECS`). Every 10 s it records the dashboard's RSS, open file descriptors
//! and CPU share, and keys are pressed now and then (filter, sort, details, marks) so the
//! UI paths churn too. What must hold: RSS and descriptors stay flat once loaded.
//!
//! `cargo bench --bench soak` (`LROTOP_SOAK_SECS=120 cargo bench --bench soak` for a short run)

mod common;

use common::{Pty, header_ops};
use std::time::{Duration, Instant};

const ROWS: u16 = 50;
const COLS: u16 = 200;
const LOCATIONS: usize = 10;
const OPS: usize = 1000;
const SAMPLE: Duration = Duration::from_secs(10);
/// The longest a soak may be asked to run: it always stops by itself.
const MAX_SECS: u64 = 3600;

fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

struct Sample {
    at: Duration,
    rss_kb: u64,
    fds: usize,
    cpu_pct: f64,
    ops: Option<usize>,
}

/// Keys pressed in turn, one every sample: each path the UI has, over and over.
const KEYS: [&str; 10] = [
    "f",
    "/running\r",
    "s",
    "\r",
    "\x1b",
    "*",
    "u",
    "/\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\r",
    "jjjj",
    "g",
];

fn main() {
    if !common::invoked_by_cargo_bench("soak") {
        return;
    }
    let secs: u64 = std::env::var("LROTOP_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600)
        .clamp(30, MAX_SECS);
    let locations = LOCATIONS.to_string();
    let ops = OPS.to_string();
    let emu = common::EmulatorProcess::start(&[
        "--scenario",
        "demo",
        "--projects",
        "1",
        "--locations",
        &locations,
        "--ops-per-location",
        &ops,
        "--error-rate",
        "0.02",
        "--retry-delay-ms",
        "200",
    ]);
    let args = [
        "--endpoint",
        &emu.url,
        "--project",
        "demo-project-1",
        "--refresh",
        "1s",
        // Enough budget for every location every second: the soak is of lrotop, not the quota.
        "--request-budget",
        "100",
    ];
    println!(
        "{} in a {COLS}×{ROWS} pty over a demo emulator process ({LOCATIONS} locations × {OPS} operations, churning; 2 % 429/503), --refresh 1s, for {secs} s",
        common::lrotop_bin().display()
    );
    let mut pty = Pty::start(&args, ROWS, COLS);
    let pid = pty.pid();
    if let Err(screen) = pty.wait_for(Duration::from_secs(60), |s| {
        header_ops(s).is_some_and(|n| n >= LOCATIONS * OPS / 2)
    }) {
        panic!("not loaded within 60 s; screen:\n{screen}");
    }
    let (tck, _) = common::clk_tck();
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut samples: Vec<Sample> = Vec::new();
    let mut ticks = common::cpu_ticks(pid).unwrap_or(0);
    let mut last = start;
    let mut k = 0usize;
    println!(
        "{:>6}  {:>8}  {:>4}  {:>5}  {:>6}",
        "t", "RSS MB", "fds", "CPU%", "ops"
    );
    while Instant::now() < end {
        let next = (last + SAMPLE).min(end);
        pty.pump_until(next);
        let now = Instant::now();
        let t = common::cpu_ticks(pid).unwrap_or(ticks);
        let wall = now.duration_since(last).as_secs_f64();
        let s = Sample {
            at: now.duration_since(start),
            rss_kb: common::status_kb(pid, "VmRSS").unwrap_or(0),
            fds: fds(pid),
            cpu_pct: (t - ticks) as f64 / tck as f64 / wall * 100.0,
            ops: header_ops(&pty.screen()),
        };
        println!(
            "{:>5}s  {:>8.1}  {:>4}  {:>5.1}  {:>6}",
            s.at.as_secs(),
            s.rss_kb as f64 / 1024.0,
            s.fds,
            s.cpu_pct,
            s.ops.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
        );
        samples.push(s);
        ticks = t;
        last = now;
        pty.send(KEYS[k % KEYS.len()]);
        k += 1;
    }
    let alive = pty.child.try_wait().ok().flatten().is_none();
    let hwm = common::status_kb(pid, "VmHWM").unwrap_or(0);
    let quit = pty.quit(Duration::from_secs(10));
    let minute = |from: Duration, to: Duration| -> Vec<&Sample> {
        samples
            .iter()
            .filter(|s| s.at >= from && s.at <= to)
            .collect()
    };
    let total = Duration::from_secs(secs);
    let first = minute(Duration::ZERO, Duration::from_secs(60));
    let lastm = minute(total.saturating_sub(Duration::from_secs(60)), total);
    let max_rss = |v: &[&Sample]| v.iter().map(|s| s.rss_kb).max().unwrap_or(0);
    let fd_range = |v: &[Sample]| {
        (
            v.iter().map(|s| s.fds).min().unwrap_or(0),
            v.iter().map(|s| s.fds).max().unwrap_or(0),
        )
    };
    let (rf, rl) = (max_rss(&first), max_rss(&lastm));
    let (fmin, fmax) = fd_range(&samples);
    let cpu = samples.iter().map(|s| s.cpu_pct).sum::<f64>() / samples.len().max(1) as f64;
    println!();
    println!(
        "RSS: first minute max {:.1} MB, last minute max {:.1} MB ({:+.1} %); fds {fmin}–{fmax}; mean CPU {cpu:.1} % of a core; peak RSS (VmHWM) {:.1} MB",
        rf as f64 / 1024.0,
        rl as f64 / 1024.0,
        (rl as f64 - rf as f64) / rf.max(1) as f64 * 100.0,
        hwm as f64 / 1024.0
    );
    println!(
        "alive at the end: {alive}; quit cleanly on q: {quit}; {} samples",
        samples.len()
    );
}
