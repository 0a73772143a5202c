//! Idle cost: the real release binary in a pseudo-terminal over a `static` emulator,
//! refreshing every 5 s, for 60 s: CPU time as a share of wall time, and the bytes it writes
//! to the terminal after its first full frame. Then one operation is cancelled through the
//! HTTP API behind its back, and the bytes that one changed row costs are set against a
//! full-screen repaint.
//!
//! `cargo bench --bench idle`

mod common;

use common::{Pty, fmt_d, header_ops};
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::time::{Duration, Instant};

const ROWS: u16 = 50;
const COLS: u16 = 200;
const PROJECT: &str = "demo-project-1";
const LOCATIONS: usize = 4;
const OPS: usize = 12;
const IDLE: Duration = Duration::from_secs(60);
const AFTER_CANCEL: Duration = Duration::from_secs(12);
const CPU_GOAL_PCT: f64 = 0.5;

type Cells = Vec<Vec<Option<vt100::Cell>>>;

/// Where the operations table's AGE column is: (header row, first column); it is 5 wide.
fn age_column(pty: &Pty) -> Option<(u16, u16)> {
    let cells = pty.cells();
    for (r, row) in cells.iter().enumerate() {
        let text: Vec<&str> = row
            .iter()
            .map(|c| c.as_ref().map(|c| c.contents()).unwrap_or(""))
            .collect();
        let line: String = text.concat();
        if !(line.contains("STATE") && line.contains("TARGET") && line.contains(" AGE ")) {
            continue;
        }
        for c in 0..text.len().saturating_sub(3) {
            if text[c] == "A" && text[c + 1] == "G" && text[c + 2] == "E" {
                return Some((r as u16, c as u16));
            }
        }
    }
    None
}

/// What changed between two screens: cells in the AGE column, cells elsewhere, and the
/// text of the first few rows changed elsewhere.
struct Diff {
    age: usize,
    other: usize,
    other_rows: Vec<u16>,
}

fn diff(a: &Cells, b: &Cells, age: Option<(u16, u16)>) -> Diff {
    let mut d = Diff {
        age: 0,
        other: 0,
        other_rows: Vec::new(),
    };
    for (r, (ra, rb)) in a.iter().zip(b).enumerate() {
        for (c, (ca, cb)) in ra.iter().zip(rb).enumerate() {
            if ca == cb {
                continue;
            }
            let in_age =
                age.is_some_and(|(hr, ac)| r as u16 > hr && (ac..ac + 5).contains(&(c as u16)));
            if in_age {
                d.age += 1;
            } else {
                d.other += 1;
                if !d.other_rows.contains(&(r as u16)) {
                    d.other_rows.push(r as u16);
                }
            }
        }
    }
    d
}

#[derive(Default)]
struct Window {
    bytes: usize,
    /// Seconds in which something was written.
    seconds_writing: usize,
    /// Bytes in seconds where only AGE cells changed.
    age_only_bytes: usize,
    age_only_seconds: usize,
    /// Bytes in seconds where other cells changed.
    other_bytes: usize,
    other_seconds: usize,
    /// Bytes in seconds where nothing visible changed.
    invisible_bytes: usize,
    other_rows: Vec<String>,
}

/// Watches for `len`, second by second, classifying what each second's bytes changed.
fn watch(pty: &mut Pty, len: Duration, age: Option<(u16, u16)>) -> Window {
    let start = Instant::now();
    let mut w = Window::default();
    let mut prev = pty.cells();
    let mut k = 1u32;
    while start.elapsed() < len {
        let n = pty.pump_until(start + Duration::from_secs(k as u64));
        k += 1;
        let now = pty.cells();
        let d = diff(&prev, &now, age);
        w.bytes += n;
        if n > 0 {
            w.seconds_writing += 1;
        }
        if d.other > 0 {
            w.other_bytes += n;
            w.other_seconds += 1;
            let screen = pty.screen();
            let lines: Vec<&str> = screen.lines().collect();
            for r in d.other_rows.iter().take(3) {
                if let Some(l) = lines.get(*r as usize) {
                    w.other_rows.push(format!("row {r}: {}", l.trim_end()));
                }
            }
        } else if d.age > 0 {
            w.age_only_bytes += n;
            w.age_only_seconds += 1;
        } else {
            w.invisible_bytes += n;
        }
        prev = now;
    }
    w
}

fn cancel_over_http(url: &str, name: &str) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/v1/{name}:cancel"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

fn main() {
    if !common::invoked_by_cargo_bench("idle") {
        return;
    }
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.projects = 1;
    cfg.locations = LOCATIONS;
    cfg.ops_per_location = OPS;
    let locations = cfg.location_ids();
    let emu = BackgroundEmulator::start(cfg).expect("emulator");
    let url = emu.url().to_string();
    let mut args = vec![
        "--endpoint".to_string(),
        url.clone(),
        "--project".into(),
        PROJECT.into(),
        "--refresh".into(),
        "5s".into(),
    ];
    for l in &locations {
        args.push("--location".into());
        args.push(l.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let total = LOCATIONS * OPS;
    println!(
        "{} in a {COLS}×{ROWS} pty over a static emulator ({LOCATIONS} locations × {OPS} = {total} operations), --refresh 5s",
        common::lrotop_bin().display()
    );
    let mut pty = Pty::start(&args, ROWS, COLS);
    let pid = pty.pid();
    if let Err(screen) = pty.wait_for(Duration::from_secs(20), |s| {
        header_ops(s) == Some(total) && s.contains("RUNNING")
    }) {
        panic!("no full frame within 20 s; screen:\n{screen}");
    }
    pty.settle(Duration::from_millis(500), Duration::from_secs(5));
    let first_frame = pty.bytes;
    let age = age_column(&pty);
    println!(
        "first full frame: {first_frame} bytes written so far (alternate screen, loading, rows)"
    );
    if age.is_none() {
        println!("warning: AGE column not found; every change counts as `other`");
    }

    let (tck, tck_src) = common::clk_tck();
    let ticks0 = common::cpu_ticks(pid).expect("/proc/PID/stat");
    let lists0 = emu.stats().method("list");
    let t0 = Instant::now();
    let idle = watch(&mut pty, IDLE, age);
    let wall = t0.elapsed();
    let ticks1 = common::cpu_ticks(pid).expect("/proc/PID/stat");
    let refreshes = (emu.stats().method("list") - lists0) as f64 / LOCATIONS as f64;
    let cpu = (ticks1 - ticks0) as f64 / tck as f64;
    let pct = cpu / wall.as_secs_f64() * 100.0;
    println!("\n[idle, {}]", fmt_d(wall));
    println!(
        "CPU: {:.2} s user+system over {} wall = {pct:.3} % (goal ≤ {CPU_GOAL_PCT} %: {}); {} ticks at {tck}/s ({tck_src})",
        cpu,
        fmt_d(wall),
        if pct <= CPU_GOAL_PCT {
            "meets"
        } else {
            "MISSES"
        },
        ticks1 - ticks0,
    );
    println!(
        "refreshes: {refreshes:.1} ({} list requests)",
        emu.stats().method("list") - lists0
    );
    println!(
        "bytes written: {} in total = {:.0} per refresh; written in {} of {} seconds",
        idle.bytes,
        idle.bytes as f64 / refreshes.max(1.0),
        idle.seconds_writing,
        IDLE.as_secs()
    );
    println!(
        "  seconds where only AGE cells changed: {} ({} bytes, {:.0} per such second)",
        idle.age_only_seconds,
        idle.age_only_bytes,
        idle.age_only_bytes as f64 / idle.age_only_seconds.max(1) as f64
    );
    println!(
        "  seconds where something else changed: {} ({} bytes)",
        idle.other_seconds, idle.other_bytes
    );
    for r in idle.other_rows.iter().take(6) {
        println!("    {r}");
    }
    println!(
        "  bytes that changed nothing visible: {}",
        idle.invisible_bytes
    );
    println!(
        "  so between refreshes that change nothing, bytes not due to the AGE clock: {}",
        idle.other_bytes + idle.invisible_bytes
    );

    // One row changes on the server, behind the dashboard's back.
    let target = emu
        .snapshot(PROJECT, "global")
        .into_iter()
        .find(|o| !o.done)
        .expect("a running operation");
    let short = &target.name[target.name.len() - 8..];
    let visible = pty.screen().contains(short);
    let cancelled_before = pty.screen().matches("CANCELLED").count();
    let status = cancel_over_http(&url, &target.name);
    println!(
        "\n[one operation cancelled over HTTP (POST …:cancel → {status}); its row {} on screen]",
        if visible { "is" } else { "is NOT" }
    );
    let after = watch(&mut pty, AFTER_CANCEL, age);
    let cancelled_after = pty.screen().matches("CANCELLED").count();
    println!(
        "within {} of the cancel: {} bytes; {} in seconds with changes other than AGE ({} such seconds: the refresh that shows it, then the end of the row's {}-s emphasis); {} in AGE-only seconds",
        fmt_d(AFTER_CANCEL),
        after.bytes,
        after.other_bytes,
        after.other_seconds,
        lrotop::app::FLASH.as_secs(),
        after.age_only_bytes
    );
    println!("  CANCELLED rows on screen: {cancelled_before} → {cancelled_after}");
    for r in after.other_rows.iter().take(8) {
        println!("    {r}");
    }

    // A full-screen repaint of the same screen, for scale: a resize makes it redraw all.
    pty.resize(ROWS - 1, COLS);
    pty.settle(Duration::from_millis(400), Duration::from_secs(3));
    pty.resize(ROWS, COLS);
    let full = pty.settle(Duration::from_millis(400), Duration::from_secs(3));
    println!(
        "full-screen repaint at {COLS}×{ROWS} (after a resize): {full} bytes; the change cost {:.1} % of that",
        after.other_bytes as f64 / full.max(1) as f64 * 100.0
    );
    let quit = pty.quit(Duration::from_secs(5));
    println!("quit cleanly: {quit}");
}
