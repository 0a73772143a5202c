//! Memory: resident set (VmRSS, and its peak VmHWM) of the real release binary with 100k
//! operations loaded: 1 project × 10 locations × 10k operations from a `static` emulator run
//! as a separate process (so its own memory is not counted), and the same with 100
//! operations for the baseline.
//!
//! `cargo bench --bench memory` (`-- heap` for the in-process breakdown alone)

mod common;

use common::{Pty, header_ops};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts the live heap of this (bench) process, for the in-process breakdown only; the
/// dashboard's own figures come from /proc.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed straight to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller guaranteed for this call.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as the caller guaranteed for this call.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as the caller guaranteed for this call.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn reset_peak() -> usize {
    let now = live();
    PEAK.store(now, Ordering::Relaxed);
    now
}

const ROWS: u16 = 50;
const COLS: u16 = 200;
const PROJECT: &str = "demo-project-1";
const LOCATIONS: usize = 10;
const GOAL_MB: f64 = 80.0;
/// How long to keep sampling after the last row arrived: six refreshes at 5 s.
const STEADY: Duration = Duration::from_secs(31);

struct Sample {
    loaded_after: Duration,
    rss_loaded: u64,
    rss_steady_max: u64,
    rss_last: u64,
    rss_after_r: u64,
    hwm: u64,
    emulator_rss: u64,
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn measure(ops_per_location: usize, env: &[(&str, &str)], emulator_args: &[&str]) -> Sample {
    let total = LOCATIONS * ops_per_location;
    let ops = ops_per_location.to_string();
    let locations = LOCATIONS.to_string();
    let mut args = vec![
        "--scenario",
        "static",
        "--projects",
        "1",
        "--locations",
        &locations,
        "--ops-per-location",
        &ops,
    ];
    args.extend_from_slice(emulator_args);
    let emu = common::EmulatorProcess::start(&args);
    let mut args = vec![
        "--endpoint".to_string(),
        emu.url.clone(),
        "--project".into(),
        PROJECT.into(),
    ];
    let cfg = {
        let mut c = lrotop::emulator::EmulatorConfig::new(lrotop::emulator::Scenario::Static);
        c.locations = LOCATIONS;
        c
    };
    for l in cfg.location_ids() {
        args.push("--location".into());
        args.push(l);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let start = Instant::now();
    let mut pty = Pty::start_with_env(&args, env, ROWS, COLS);
    let pid = pty.pid();
    if let Err(screen) = pty.wait_for(Duration::from_secs(90), |s| header_ops(s) == Some(total)) {
        panic!("the header never said {total} ops; screen:\n{screen}");
    }
    let loaded_after = start.elapsed();
    let rss_loaded = common::status_kb(pid, "VmRSS").expect("VmRSS");
    let mut rss_steady_max = rss_loaded;
    let mut rss_last = rss_loaded;
    let until = Instant::now() + STEADY;
    let mut series = vec![rss_loaded];
    let mut k = 0;
    while Instant::now() < until {
        pty.pump_until(Instant::now() + Duration::from_millis(500));
        rss_last = common::status_kb(pid, "VmRSS").expect("VmRSS");
        rss_steady_max = rss_steady_max.max(rss_last);
        k += 1;
        if k % 4 == 0 {
            series.push(rss_last);
        }
    }
    let series: Vec<String> = series.iter().map(|kb| format!("{:.0}", mb(*kb))).collect();
    println!(
        "  VmRSS every 2 s from the moment all were loaded (MB): {}",
        series.join(" ")
    );
    // `r`: every location at once, as the user can ask at any time (R6's burst). Pages are
    // applied as they arrive, so what is in flight is a page per location.
    pty.send("r");
    let until = Instant::now() + Duration::from_secs(6);
    let mut rss_after_r = 0;
    while Instant::now() < until {
        pty.pump_until(Instant::now() + Duration::from_millis(250));
        rss_after_r = rss_after_r.max(common::status_kb(pid, "VmRSS").expect("VmRSS"));
    }
    println!(
        "  after `r` (all {LOCATIONS} locations refreshed at once): VmRSS max {:.1} MB over 6 s",
        mb(rss_after_r)
    );
    let hwm = common::status_kb(pid, "VmHWM").expect("VmHWM");
    let emulator_rss = common::status_kb(emu.pid(), "VmRSS").unwrap_or(0);
    assert_eq!(header_ops(&pty.screen()), Some(total), "still all loaded");
    pty.quit(Duration::from_secs(5));
    Sample {
        loaded_after,
        rss_loaded,
        rss_steady_max,
        rss_last,
        rss_after_r,
        hwm,
        emulator_rss,
    }
}

/// Where the bytes go, in this process with the same data: what 100k parsed operations
/// take on the heap, what the `App` adds, and what one refresh holds at its peak.
fn breakdown() {
    use lrotop::api::{LocationName, Operation};
    use lrotop::app::{Action, App, Settings, update};
    let per_location = 10_000;
    let mut world = lrotop::emulator::state::World::new(&lrotop::emulator::state::WorldConfig {
        scenario: lrotop::emulator::Scenario::Static,
        projects: 1,
        locations: LOCATIONS,
        ops_per_location: per_location,
        seed: 1,
        empty_pages: false,
        frozen_at: Some("2026-01-01T12:00:00Z".parse().expect("timestamp")),
    });
    let locations = lrotop::emulator::scenario::location_ids(LOCATIONS);
    // The wire form, as a list page carries it.
    let bodies: Vec<Vec<u8>> = locations
        .iter()
        .map(|l| serde_json::to_vec(&world.snapshot(PROJECT, l)).expect("json"))
        .collect();
    drop(world);
    let total = LOCATIONS * per_location;
    let wire: usize = bodies.iter().map(Vec::len).sum();
    let before = live();
    let parsed: Vec<Vec<Operation>> = bodies
        .iter()
        .map(|b| serde_json::from_slice(b).expect("parse"))
        .collect();
    let model = live() - before;
    let mut app = App::new(
        Settings::new(PROJECT, Duration::from_secs(5), false),
        vec![PROJECT.into()],
        Some(locations.clone()),
        "2026-01-01T12:05:00Z".parse().expect("timestamp"),
    );
    for (l, ops) in locations.iter().zip(parsed) {
        update(
            &mut app,
            Action::Loaded {
                location: LocationName::new(PROJECT, l).expect("name"),
                result: Ok(ops),
            },
        );
    }
    let held = live() - before;
    println!("\n[where the bytes go: the same 100k operations in this process, live heap]");
    println!(
        "  JSON on the wire: {:.0} bytes per operation ({:.1} MB)",
        wire as f64 / total as f64,
        wire as f64 / 1048576.0
    );
    println!(
        "  parsed `Operation`s: {:.0} bytes per operation ({:.1} MB)",
        model as f64 / total as f64,
        model as f64 / 1048576.0
    );
    println!(
        "  held by the App (rows, name index, view): {:.0} bytes per operation ({:.1} MB), {:+.0} against the parsed model",
        held as f64 / total as f64,
        held as f64 / 1048576.0,
        (held as f64 - model as f64) / total as f64
    );
    // What each part of an operation holds: strip it from a parsed copy and count what is
    // freed (the sizes a leaner model would save).
    {
        use lrotop::api::Metadata;
        let mut ops: Vec<Operation> = bodies
            .iter()
            .flat_map(|b| serde_json::from_slice::<Vec<Operation>>(b).expect("parse"))
            .collect();
        let mut freed = |what: &str, f: &mut dyn FnMut(&mut Operation)| {
            let before = live();
            ops.iter_mut().for_each(&mut *f);
            let saved = before.saturating_sub(live());
            println!(
                "    {what}: {:.0} bytes per operation",
                saved as f64 / total as f64
            );
        };
        println!("  parts of a parsed operation (freed when stripped):");
        freed("`response` (its JSON text)", &mut |o| o.response = None);
        freed("`error` (a boxed status, message, details)", &mut |o| {
            o.error = None
        });
        // The metadata's strings are pooled (`api::Shared`): one copy of each distinct
        // `@type`, verb, status message and target for all operations, so stripping them
        // from one operation frees nothing. What the metadata still costs on its own:
        freed(
            "metadata fields this version does not know (`extra`)",
            &mut |o| {
                if let Some(Metadata::Known(m)) = &mut o.metadata {
                    m.extra = None;
                }
            },
        );
        freed(
            "the metadata (inline; its pooled strings are shared)",
            &mut |o| o.metadata = None,
        );
        freed("`name`", &mut |o| o.name = String::new());
        let before = live();
        drop(ops);
        println!(
            "    what remains (the Operation structs themselves): {:.0} bytes per operation",
            before.saturating_sub(live()) as f64 / total as f64
        );
    }
    // The pool's best case is the scenario's: targets repeat. Its worst: every target
    // distinct (each operation on a resource of its own).
    {
        use lrotop::api::{Metadata, Shared};
        let before = live();
        let mut distinct = App::new(
            Settings::new(PROJECT, Duration::from_secs(5), false),
            vec![PROJECT.into()],
            Some(locations.clone()),
            "2026-01-01T12:05:00Z".parse().expect("timestamp"),
        );
        for (l, b) in locations.iter().zip(&bodies) {
            let mut ops: Vec<Operation> = serde_json::from_slice(b).expect("parse");
            // A short suffix, so the strings are no longer than real ones.
            for (k, o) in ops.iter_mut().enumerate() {
                if let Some(Metadata::Known(m)) = &mut o.metadata {
                    m.target = Shared::new(&format!("{}-{k}", m.target));
                }
            }
            update(
                &mut distinct,
                Action::Loaded {
                    location: LocationName::new(PROJECT, l).expect("name"),
                    result: Ok(ops),
                },
            );
        }
        println!(
            "  held by the App when every target is distinct (nothing shared): {:.0} bytes per operation ({:.1} MB)",
            (live() - before) as f64 / total as f64,
            (live() - before) as f64 / 1048576.0
        );
    }
    // One location's refresh, and a whole refresh of all ten, as the dashboard receives it:
    // every answer parsed before it is applied.
    let base = reset_peak();
    let one: Vec<Operation> = serde_json::from_slice(&bodies[3]).expect("parse");
    update(
        &mut app,
        Action::Loaded {
            location: LocationName::new(PROJECT, &locations[3]).expect("name"),
            result: Ok(one),
        },
    );
    let peak_one = PEAK.load(Ordering::Relaxed) - base;
    let base = reset_peak();
    let answers: Vec<Vec<Operation>> = bodies
        .iter()
        .map(|b| serde_json::from_slice(b).expect("parse"))
        .collect();
    for (l, ops) in locations.iter().zip(answers) {
        update(
            &mut app,
            Action::Loaded {
                location: LocationName::new(PROJECT, l).expect("name"),
                result: Ok(ops),
            },
        );
    }
    let peak_all = PEAK.load(Ordering::Relaxed) - base;
    // As the dashboard now receives them: page by page (1,000 operations each), the ten
    // locations' pages interleaved as they would arrive together.
    let pages: Vec<Vec<Vec<u8>>> = bodies
        .iter()
        .map(|b| {
            let ops: Vec<Operation> = serde_json::from_slice(b).expect("parse");
            ops.chunks(1000)
                .map(|c| serde_json::to_vec(c).expect("json"))
                .collect()
        })
        .collect();
    let base = reset_peak();
    let n = pages[0].len();
    for p in 0..n {
        let parsed: Vec<Vec<Operation>> = pages
            .iter()
            .map(|l| serde_json::from_slice(&l[p]).expect("parse"))
            .collect();
        for (l, ops) in locations.iter().zip(parsed) {
            update(
                &mut app,
                Action::Page {
                    location: LocationName::new(PROJECT, l).expect("name"),
                    ops,
                    skipped: 0,
                    first: p == 0,
                    last: p + 1 == n,
                },
            );
        }
    }
    let peak_paged = PEAK.load(Ordering::Relaxed) - base;
    println!(
        "  transient of one location's refresh (10k) as one answer: +{:.1} MB at its peak",
        peak_one as f64 / 1048576.0
    );
    println!(
        "  transient of a refresh of all 10 whose answers are whole and all parsed before they are applied: +{:.1} MB at its peak",
        peak_all as f64 / 1048576.0
    );
    println!(
        "  transient of a refresh of all 10 applied page by page, as the dashboard does (a page of 1,000 per location in flight): +{:.1} MB at its peak",
        peak_paged as f64 / 1048576.0
    );
    drop(app);
}

fn main() {
    if !common::invoked_by_cargo_bench("memory") {
        return;
    }
    // `cargo bench --bench memory -- heap` runs only the in-process breakdown.
    if std::env::args().skip(1).any(|a| a == "heap") {
        breakdown();
        return;
    }
    println!(
        "{} in a {COLS}×{ROWS} pty; emulator: `lrotop emulator --scenario static` as a separate process",
        common::lrotop_bin().display()
    );
    let mut results = Vec::new();
    for per_location in [10, 10_000] {
        let total = LOCATIONS * per_location;
        let s = measure(per_location, &[], &[]);
        println!(
            "\n{total} ops (1 project × {LOCATIONS} locations × {per_location}): all loaded after {}",
            common::fmt_d(s.loaded_after)
        );
        println!(
            "  VmRSS when loaded {:.1} MB; over the next {} s (6 refreshes) max {:.1} MB, last {:.1} MB; VmHWM (peak) {:.1} MB",
            mb(s.rss_loaded),
            STEADY.as_secs(),
            mb(s.rss_steady_max),
            mb(s.rss_last),
            mb(s.hwm)
        );
        println!(
            "  (the emulator process, not counted: {:.1} MB)",
            mb(s.emulator_rss)
        );
        results.push((total, s));
    }
    // Diagnostic: the same 100k with glibc malloc held to one arena, to tell memory the
    // program holds from memory the allocator keeps after a refresh.
    let arena = measure(10_000, &[("MALLOC_ARENA_MAX", "1")], &[]);
    println!(
        "\ndiagnostic, 100k ops with MALLOC_ARENA_MAX=1: VmRSS when loaded {:.1} MB, steady max {:.1} MB, VmHWM {:.1} MB",
        mb(arena.rss_loaded),
        mb(arena.rss_steady_max),
        mb(arena.hwm)
    );
    // The worst case for the string pool: no two operations share a target.
    let distinct = measure(10_000, &[], &["--distinct-targets"]);
    println!(
        "\n100k ops, every target distinct (`emulator --distinct-targets`): VmRSS when loaded {:.1} MB, steady max {:.1} MB, after `r` {:.1} MB, VmHWM {:.1} MB (goal ≤ {GOAL_MB} MB: {})",
        mb(distinct.rss_loaded),
        mb(distinct.rss_steady_max),
        mb(distinct.rss_after_r),
        mb(distinct.hwm),
        if mb(distinct.hwm) <= GOAL_MB {
            "meets"
        } else {
            "MISSES"
        }
    );
    breakdown();
    let (small, big) = (&results[0], &results[1]);
    let per_op = (big.1.rss_steady_max as f64 - small.1.rss_steady_max as f64) * 1024.0
        / (big.0 - small.0) as f64;
    let peak_per_op = (big.1.hwm as f64 - small.1.hwm as f64) * 1024.0 / (big.0 - small.0) as f64;
    println!(
        "\nresult: 100k ops: steady VmRSS {:.1} MB, after `r` {:.1} MB, peak VmHWM {:.1} MB (goal ≤ {GOAL_MB} MB: steady {}, peak {})",
        mb(big.1.rss_steady_max),
        mb(big.1.rss_after_r),
        mb(big.1.hwm),
        if mb(big.1.rss_steady_max) <= GOAL_MB {
            "meets"
        } else {
            "MISSES"
        },
        if mb(big.1.hwm) <= GOAL_MB {
            "meets"
        } else {
            "MISSES"
        },
    );
    println!(
        "result: ≈ {per_op:.0} bytes per operation held (steady), ≈ {peak_per_op:.0} at the peak, over a baseline of {:.1} MB",
        mb(small.1.rss_steady_max)
    );
}
