//! Start-up: `lrotop --demo` (the release binary) in a pseudo-terminal, from spawn to its
//! first full frame: rows on screen and the header counting the demo's 120 operations.
//!
//! `cargo bench --bench startup`

mod common;

use common::{Pty, Summary, fmt_d, header_ops};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: u16 = 50;
const COLS: u16 = 200;
const RUNS: usize = 10;
/// 3 projects × 4 locations × 10 operations.
const DEMO_OPS: usize = 120;
const GOAL: Duration = Duration::from_millis(150);

struct Start {
    first_byte: Duration,
    first_frame: Duration,
    full: Duration,
}

fn once() -> Start {
    let start = Instant::now();
    let mut pty = Pty::start(&["--demo"], ROWS, COLS);
    let mut first_byte = None;
    let mut first_frame = None;
    let deadline = start + Duration::from_secs(10);
    loop {
        if pty.pump(Duration::from_millis(1)) > 0 && first_byte.is_none() {
            first_byte = Some(start.elapsed());
        }
        let screen = pty.screen();
        if first_frame.is_none() && screen.contains("lrotop") && screen.contains("Locations") {
            first_frame = Some(start.elapsed());
        }
        if header_ops(&screen).is_some_and(|n| n >= DEMO_OPS) && screen.contains("RUNNING") {
            let full = start.elapsed();
            assert_eq!(header_ops(&screen), Some(DEMO_OPS), "{screen}");
            pty.quit(Duration::from_secs(5));
            return Start {
                first_byte: first_byte.unwrap_or(full),
                first_frame: first_frame.unwrap_or(full),
                full,
            };
        }
        assert!(
            Instant::now() < deadline,
            "no full frame within 10 s; screen:\n{screen}"
        );
    }
}

fn main() {
    if !common::invoked_by_cargo_bench("startup") {
        return;
    }
    let bin = common::lrotop_bin();
    println!(
        "{} --demo in a {COLS}×{ROWS} pty, to the first frame with rows and \"{DEMO_OPS} ops\" in the header; 1 warm-up + {RUNS} runs",
        bin.display()
    );
    // The floor any start pays: exec, the dynamic loader, clap, and exit.
    let mut exec = Vec::new();
    for i in 0..RUNS + 1 {
        let t = Instant::now();
        let ok = Command::new(&bin)
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("lrotop --version")
            .success();
        assert!(ok);
        if i > 0 {
            exec.push(t.elapsed());
        }
    }
    let exec = Summary::of(&exec);
    println!("`lrotop --version` (exec and exit, the floor): {exec}");
    once();
    let runs: Vec<Start> = (0..RUNS).map(|_| once()).collect();
    let byte = Summary::of(&runs.iter().map(|r| r.first_byte).collect::<Vec<_>>());
    let frame = Summary::of(&runs.iter().map(|r| r.first_frame).collect::<Vec<_>>());
    let full = Summary::of(&runs.iter().map(|r| r.full).collect::<Vec<_>>());
    println!("first byte on the terminal: {byte}");
    println!("first frame (header and panes drawn): {frame}");
    println!("first full frame ({DEMO_OPS} ops, rows): {full}");
    println!(
        "\nresult: start-up to the first full frame {} (goal ≤ {}: {})",
        fmt_d(full.median),
        fmt_d(GOAL),
        if full.median <= GOAL {
            "meets".to_string()
        } else {
            format!(
                "MISSES by {:.1}×",
                full.median.as_secs_f64() / GOAL.as_secs_f64()
            )
        }
    );
}
