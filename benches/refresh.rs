//! Refresh at scale: 40 locations × 500 operations behind 50 ms of latency, served at most
//! 100 a page, fetched with the real `OperationsClient` and applied into an `App` with
//! `update`, first one task per location, then through `sync::Runner` (its read cap), and
//! Google's CLI on the same work for comparison.
//!
//! `cargo bench --bench refresh`

mod common;

use common::{Summary, fmt_d};
use lrotop::api::{ClientOptions, OperationsClient};
use lrotop::app::keys::Key;
use lrotop::app::{Action, App, Effect, Settings, update, update_batch};
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use lrotop::sync::{CONCURRENCY, PAGE_SIZE, Runner};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const PROJECT: &str = "demo-project-1";
const LOCATIONS: usize = 40;
const OPS: usize = 500;
const LATENCY: Duration = Duration::from_millis(50);
const SERVER_PAGE: usize = 100;
const WARMUP: usize = 2;
const RUNS: usize = 10;
/// Google's CLI: at most this many runs over the 40 locations, and no new run once this
/// much time has gone into it.
const GCLOUD_RUNS: usize = 3;
const GCLOUD_BUDGET: Duration = Duration::from_secs(100);

struct Run {
    total: Duration,
    /// Time spent inside `update` applying the 40 answers.
    apply: Duration,
    /// When the last answer arrived, from the start.
    last_answer: Duration,
}

fn emulator(latency: Duration) -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.projects = 1;
    cfg.locations = LOCATIONS;
    cfg.ops_per_location = OPS;
    cfg.faults.latency = latency;
    cfg.max_page_size = Some(SERVER_PAGE);
    BackgroundEmulator::start(cfg).expect("emulator")
}

fn new_app() -> App {
    let cfg = {
        let mut c = EmulatorConfig::new(Scenario::Static);
        c.locations = LOCATIONS;
        c
    };
    App::new(
        Settings::new(PROJECT, Duration::from_secs(5), false),
        vec![PROJECT.into()],
        Some(cfg.location_ids()),
        jiff::Timestamp::now(),
    )
}

/// `r`, as the user presses it: one `Refresh` effect per location.
fn refresh_effects(app: &mut App) -> Vec<Effect> {
    let fx: Vec<Effect> = update(app, Action::Key(Key::Char('r')))
        .into_iter()
        .filter(|e| matches!(e, Effect::Refresh { .. }))
        .collect();
    assert_eq!(fx.len(), LOCATIONS, "one refresh per location");
    fx
}

async fn apply_all(app: &mut App, rx: &mut mpsc::UnboundedReceiver<Action>, start: Instant) -> Run {
    let mut apply = Duration::ZERO;
    let mut last_answer = Duration::ZERO;
    // As the dashboard's loop does: wait for an answer, take whatever else has arrived
    // too, and apply them as one batch (one view rebuild per batch).
    let mut answered = 0;
    while answered < LOCATIONS {
        let mut batch = vec![rx.recv().await.expect("an answer per location")];
        while let Ok(a) = rx.try_recv() {
            batch.push(a);
        }
        last_answer = start.elapsed();
        // A location is answered by one `Loaded` (a whole answer, or an error), or by
        // `Page`s ending with `last` (the runner applies pages as they arrive).
        for a in &batch {
            match a {
                Action::Loaded { location, result } => {
                    let ops = result
                        .as_ref()
                        .unwrap_or_else(|e| panic!("{location}: {e}"));
                    assert_eq!(ops.len(), OPS, "{location}: every page followed");
                    answered += 1;
                }
                Action::Page { last: true, .. } => answered += 1,
                _ => {}
            }
        }
        let t = Instant::now();
        update_batch(app, batch);
        apply += t.elapsed();
    }
    assert_eq!(app.total(), LOCATIONS * OPS);
    Run {
        total: start.elapsed(),
        apply,
        last_answer,
    }
}

/// Presses `r` and fetches every location on a task of its own, without a cap; the answers
/// come back on the receiver, which closes when the last has.
fn spawn_refreshes(app: &mut App, client: &OperationsClient) -> mpsc::UnboundedReceiver<Action> {
    let (tx, rx) = mpsc::unbounded_channel();
    for e in refresh_effects(app) {
        let Effect::Refresh { location } = e else {
            continue;
        };
        let (client, tx) = (client.clone(), tx.clone());
        tokio::spawn(async move {
            let result = client.list_all(&location, "", PAGE_SIZE).await;
            let _ = tx.send(Action::Loaded { location, result });
        });
    }
    rx
}

/// One task per location, all at once, as a refresh fans out without a cap.
async fn fan_out(app: &mut App, client: &OperationsClient) -> Run {
    let start = Instant::now();
    let mut rx = spawn_refreshes(app, client);
    apply_all(app, &mut rx, start).await
}

/// As [`fan_out`], but the answers are only received, not applied: what fetching and
/// parsing alone cost, to tell them from `update`.
async fn fetch_only(app: &mut App, client: &OperationsClient) -> Duration {
    let start = Instant::now();
    let mut rx = spawn_refreshes(app, client);
    let mut answers = Vec::with_capacity(LOCATIONS);
    while let Some(a) = rx.recv().await {
        if let Action::Loaded { result, .. } = &a {
            assert_eq!(result.as_ref().map(Vec::len).ok(), Some(OPS));
        }
        answers.push(a);
    }
    let took = start.elapsed();
    // Back to idle for the next `r`, outside the timing.
    for a in answers {
        update(app, a);
    }
    took
}

/// Through the dashboard's own effect runner (its read concurrency cap).
async fn via_runner(
    app: &mut App,
    runner: &Runner,
    rx: &mut mpsc::UnboundedReceiver<Action>,
) -> Run {
    let start = Instant::now();
    for e in refresh_effects(app) {
        runner.run(e);
    }
    apply_all(app, rx, start).await
}

fn report(label: &str, runs: &[Run]) -> Summary {
    let total = Summary::of(&runs.iter().map(|r| r.total).collect::<Vec<_>>());
    let apply = Summary::of(&runs.iter().map(|r| r.apply).collect::<Vec<_>>());
    let last = Summary::of(&runs.iter().map(|r| r.last_answer).collect::<Vec<_>>());
    println!("{label}");
    println!("  full refresh (fetch + parse + apply): {total}");
    println!("  last answer arrived at:               {last}");
    println!("  time inside update (40 Loaded):       {apply}");
    total
}

fn measure(
    rt: &tokio::runtime::Runtime,
    url: &str,
    runner_too: bool,
) -> (Summary, Option<Summary>) {
    rt.block_on(async {
        let client = OperationsClient::new(ClientOptions::for_endpoint(url)).expect("client");
        let mut app = new_app();
        // The first refresh opens 40 connections and loads every row for the first time.
        let cold = fan_out(&mut app, &client).await;
        println!(
            "  cold first refresh (new connections, first load): {} (update {})",
            fmt_d(cold.total),
            fmt_d(cold.apply)
        );
        for _ in 0..WARMUP {
            fan_out(&mut app, &client).await;
        }
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(fan_out(&mut app, &client).await);
        }
        let direct = report("  one task per location (no cap):", &runs);
        let mut fetch = Vec::new();
        for _ in 0..RUNS {
            fetch.push(fetch_only(&mut app, &client).await);
        }
        println!(
            "  the same, answers received but not applied (fetch + parse only): {}",
            Summary::of(&fetch)
        );
        if !runner_too {
            return (direct, None);
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let runner = Runner::new(client.clone(), tx, false);
        for _ in 0..WARMUP {
            via_runner(&mut app, &runner, &mut rx).await;
        }
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(via_runner(&mut app, &runner, &mut rx).await);
        }
        let capped = report(
            &format!("  through sync::Runner (CONCURRENCY = {CONCURRENCY}):"),
            &runs,
        );
        (direct, Some(capped))
    })
}

fn main() {
    if !common::invoked_by_cargo_bench("refresh") {
        return;
    }
    // `REFRESH_BENCH=cross` measures only locations/- against per-location listing.
    if std::env::var("REFRESH_BENCH").is_ok_and(|v| v == "cross") {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        cross_location(&rt);
        return;
    }
    let floor = LATENCY * (OPS.div_ceil(SERVER_PAGE)) as u32;
    println!(
        "{LOCATIONS} locations × {OPS} operations, {} ms latency, server pages of at most {SERVER_PAGE} (client asks {PAGE_SIZE})",
        LATENCY.as_millis()
    );
    println!(
        "floor: {} pages × {} ms = {} (a location's pages are sequential); goal ≤ 1.3× = {}",
        OPS.div_ceil(SERVER_PAGE),
        LATENCY.as_millis(),
        fmt_d(floor),
        fmt_d(floor.mul_f64(1.3))
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    // The CPU share alone: the same work with no latency.
    println!("\n[no latency: what the CPU costs (server, client parse, update)]");
    let quick = emulator(Duration::ZERO);
    let (cpu, _) = measure(&rt, quick.url(), false);
    drop(quick);

    println!("\n[{} ms latency]", LATENCY.as_millis());
    let emu = emulator(LATENCY);
    let (direct, capped) = measure(&rt, emu.url(), true);
    let capped = capped.expect("measured");
    let waves = LOCATIONS.div_ceil(CONCURRENCY);
    println!(
        "\nresult: uncapped {} = {:.2}× floor (goal ≤ 1.3×); the same with no latency (CPU alone) {}",
        fmt_d(direct.median),
        direct.median.as_secs_f64() / floor.as_secs_f64(),
        fmt_d(cpu.median)
    );
    println!(
        "result: sync::Runner {} = {:.2}× floor: {LOCATIONS} locations / {CONCURRENCY} in flight = {waves} waves × {} = {} at best",
        fmt_d(capped.median),
        capped.median.as_secs_f64() / floor.as_secs_f64(),
        fmt_d(floor),
        fmt_d(floor * waves as u32)
    );

    let lrotop_list = lrotop_list_cli(emu.url());
    gcloud(&emu, direct, lrotop_list);
    drop(emu);
    cross_location(&rt);
}

const CROSS_LOCATIONS: usize = 20;
const CROSS_OPS: usize = 50;

/// One `locations/-` listing against one listing per location, for a profile that has
/// cross-location listing: requests and time (median of RUNS), the server's pages capped
/// at 1000 (Google's usual) and at 100.
fn cross_location(rt: &tokio::runtime::Runtime) {
    use lrotop::api::service;
    use std::sync::Arc;
    let mut on = service::builtin("alloydb")
        .expect("alloydb")
        .as_ref()
        .clone();
    on.cross_location = true;
    let on = Arc::new(on);
    let off = Arc::new(lrotop::api::ServiceProfile {
        cross_location: false,
        ..on.as_ref().clone()
    });
    for cap in [1000usize, 100] {
        let mut cfg = EmulatorConfig::new(Scenario::Static);
        cfg.projects = 1;
        cfg.locations = CROSS_LOCATIONS;
        cfg.ops_per_location = CROSS_OPS;
        cfg.faults.latency = LATENCY;
        cfg.max_page_size = Some(cap);
        cfg.services = vec![on.clone()];
        let emu = BackgroundEmulator::start(cfg.clone()).expect("emulator");
        let locations = cfg.location_ids();
        println!(
            "\n[locations/- vs per location: {CROSS_LOCATIONS} locations × {CROSS_OPS} operations, {} ms latency, server pages ≤ {cap}, {CONCURRENCY} in flight]",
            LATENCY.as_millis()
        );
        for (label, profile) in [("locations/-", &on), ("per location", &off)] {
            let client = OperationsClient::new(ClientOptions::for_service(
                profile.clone(),
                Some(&lrotop::emulator::profiles::endpoint_for(
                    emu.url(),
                    profile,
                )),
            ))
            .expect("client");
            let mut times = Vec::new();
            let mut requests = 0;
            for run in 0..WARMUP + RUNS {
                let before = emu.stats().service("alloydb", "list");
                let start = Instant::now();
                let l = rt.block_on(client.list_project(
                    PROJECT,
                    &locations,
                    "",
                    PAGE_SIZE,
                    CONCURRENCY,
                ));
                let took = start.elapsed();
                let n: usize = l
                    .results
                    .iter()
                    .map(|(_, r)| r.as_ref().map_or(0, |x| x.operations.len()))
                    .sum();
                assert_eq!(n, CROSS_LOCATIONS * CROSS_OPS, "{label}");
                assert_eq!(l.cross_location, profile.cross_location);
                if run >= WARMUP {
                    times.push(took);
                    requests = emu.stats().service("alloydb", "list") - before;
                }
            }
            times.sort();
            println!(
                "{label:>13}: {requests} requests, median {} (min {}, max {})",
                fmt_d(times[times.len() / 2]),
                fmt_d(times[0]),
                fmt_d(times[times.len() - 1])
            );
        }
    }
}

/// The same work from the shell with lrotop's own CLI (`lrotop list`), for a process-level
/// comparison with gcloud.
fn lrotop_list_cli(url: &str) -> Option<Summary> {
    let bin = common::lrotop_bin();
    if !bin.is_file() {
        println!("\nlrotop list: skipped ({} not built)", bin.display());
        return None;
    }
    let cfg = {
        let mut c = EmulatorConfig::new(Scenario::Static);
        c.locations = LOCATIONS;
        c
    };
    let dirs = tempfile::tempdir().expect("tempdir");
    let mut args: Vec<String> = vec![
        "list".into(),
        "--endpoint".into(),
        url.into(),
        "--project".into(),
        PROJECT.into(),
        "--format".into(),
        "jsonl".into(),
    ];
    for l in cfg.location_ids() {
        args.push("--location".into());
        args.push(l);
    }
    let mut samples = Vec::new();
    for i in 0..4 {
        let start = Instant::now();
        let out = Command::new(&bin)
            .args(&args)
            .env("XDG_CONFIG_HOME", dirs.path().join("config"))
            .env("XDG_CACHE_HOME", dirs.path().join("cache"))
            .env("HOME", dirs.path())
            .env_remove("LROTOP_ENDPOINT")
            .stdin(Stdio::null())
            .output()
            .expect("lrotop list");
        let took = start.elapsed();
        let lines = out.stdout.iter().filter(|b| **b == b'\n').count();
        assert!(
            out.status.success() && lines == LOCATIONS * OPS,
            "lrotop list: {} lines, {}",
            lines,
            String::from_utf8_lossy(&out.stderr)
        );
        if i > 0 {
            samples.push(took);
        }
    }
    let s = Summary::of(&samples);
    println!("\nlrotop list (the CLI, a new process each time, jsonl to a pipe): {s}");
    Some(s)
}

fn gcloud_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("gcloud"))
        .find(|p| p.is_file())
}

/// `gcloud gemini operations list --location=L` for each location, one after another, as a
/// user would; pointed at the emulator exactly as tests/gcloud.rs does (loopback only).
fn gcloud(emu: &BackgroundEmulator, lrotop: Summary, lrotop_list: Option<Summary>) {
    println!("\n[gcloud, sequentially over the {LOCATIONS} locations]");
    let Some(bin) = gcloud_path() else {
        println!("gcloud: SKIPPED: gcloud is not installed on this machine");
        return;
    };
    assert!(emu.url().starts_with("http://127.0.0.1:"), "loopback only");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("gce"), "False").expect("gce file");
    std::fs::write(dir.path().join("token"), "ya29.emulator-bench-token").expect("token");
    let version = Command::new(&bin)
        .arg("--version")
        .env("CLOUDSDK_CONFIG", &config)
        .env("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true")
        .env("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true")
        .stdin(Stdio::null())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_default();
    println!("{version}");
    let cfg = {
        let mut c = EmulatorConfig::new(Scenario::Static);
        c.locations = LOCATIONS;
        c
    };
    let locations = cfg.location_ids();
    let mut runs = Vec::new();
    let mut spent = Duration::ZERO;
    let lists_before = emu.stats().method("list");
    let mut invocations = 0u64;
    let mut per_call = Vec::new();
    while runs.len() < GCLOUD_RUNS && spent < GCLOUD_BUDGET {
        let start = Instant::now();
        for l in &locations {
            let t = Instant::now();
            let n = gcloud_list(&bin, dir.path(), emu.url(), l);
            per_call.push(t.elapsed());
            invocations += 1;
            match n {
                Ok(n) if n == OPS => {}
                Ok(n) => {
                    println!("gcloud: listed {n} operations in {l}, expected {OPS}; stopping");
                    return;
                }
                Err(e) => {
                    println!("gcloud: failed in {l}: {e}; stopping");
                    return;
                }
            }
        }
        let took = start.elapsed();
        spent += took;
        println!("  run {}: {}", runs.len() + 1, fmt_d(took));
        runs.push(took);
    }
    let pages = (emu.stats().method("list") - lists_before) as f64 / invocations as f64;
    let s = Summary::of(&runs);
    println!("gcloud over {LOCATIONS} locations: {s}");
    println!(
        "  one gcloud invocation (one location): {}; {pages:.1} list requests per location (pages of {:.0}: the emulator's default page size, so gcloud asked for no more)",
        Summary::of(&per_call),
        OPS as f64 / pages
    );
    println!(
        "result: lrotop full refresh {} vs gcloud {}: {:.0}× faster (goal ≥ 50×)",
        fmt_d(lrotop.median),
        fmt_d(s.median),
        s.median.as_secs_f64() / lrotop.median.as_secs_f64()
    );
    if let Some(l) = lrotop_list {
        println!(
            "result: `lrotop list` process {} vs gcloud {}: {:.0}× faster",
            fmt_d(l.median),
            fmt_d(s.median),
            s.median.as_secs_f64() / l.median.as_secs_f64()
        );
    }
}

/// One `gcloud gemini operations list`; the number of operations it printed.
fn gcloud_list(bin: &Path, dir: &Path, url: &str, location: &str) -> Result<usize, String> {
    let out_path = dir.join("out.txt");
    let err_path = dir.join("err.txt");
    let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = std::fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = Command::new(bin)
        .args(["gemini", "operations", "list"])
        .arg(format!("--location={location}"))
        .arg(format!("--project={PROJECT}"))
        .arg("--format=value(name)")
        .env("CLOUDSDK_CONFIG", dir.join("config"))
        .env(
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDAICOMPANION",
            format!("{url}/"),
        )
        .env("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", dir.join("token"))
        .env("CLOUDSDK_CORE_PROJECT", PROJECT)
        .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
        .env("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true")
        .env("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true")
        .env("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false")
        .env("GCE_METADATA_HOST", "127.0.0.1:1")
        .env("GCE_METADATA_IP", "127.0.0.1:1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("timed out after 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if !status.success() {
        let e = std::fs::read_to_string(&err_path).unwrap_or_default();
        return Err(format!("{status}: {}", e.trim()));
    }
    let text = std::fs::read_to_string(&out_path).map_err(|e| e.to_string())?;
    Ok(text.lines().filter(|l| !l.trim().is_empty()).count())
}
