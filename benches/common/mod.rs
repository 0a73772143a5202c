//! A tiny benchmark harness shared by `benches/*.rs` (no criterion): warm-up, N timed
//! iterations, median with min–max; the machine; the real binary in a pseudo-terminal; and
//! what `/proc` says about a process.
//!
//! Every bench is a `harness = false` target. `cargo bench` passes `--bench`; without it (e.g.
//! `cargo test --benches`) a bench prints that it was skipped and exits at once, so no test
//! run ever starts a minute-long measurement.
#![allow(dead_code)]

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// True when run by `cargo bench`; otherwise says so and the bench should return.
pub fn invoked_by_cargo_bench(name: &str) -> bool {
    if std::env::args().any(|a| a == "--bench") {
        println!("== bench {name} ==");
        println!("machine: {}", machine());
        // Anything else busy on the machine skews the figures: say how busy it was.
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!("load average at start: {}", load.trim());
        true
    } else {
        println!("{name}: skipped (not run by `cargo bench`; try `cargo bench --bench {name}`)");
        false
    }
}

/// `N cores, CPU model`, as `nproc` and /proc/cpuinfo say.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .map(|l| l.trim_start_matches("MemTotal:").trim().to_string())
        })
        .unwrap_or_default();
    format!("{cores} cores (nproc), {model}, MemTotal {mem}")
}

/// Median, min and max of a set of measurements.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    pub n: usize,
}

impl Summary {
    pub fn of(samples: &[Duration]) -> Summary {
        assert!(!samples.is_empty(), "no samples");
        let mut s = samples.to_vec();
        s.sort();
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        };
        Summary {
            median,
            min: s[0],
            max: s[n - 1],
            n,
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "median {} (min {}, max {}, n={})",
            fmt_d(self.median),
            fmt_d(self.min),
            fmt_d(self.max),
            self.n
        )
    }
}

/// `12.3 ms`, `45.6 µs`, `1.23 s`.
pub fn fmt_d(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// Runs `f` `warmup` times untimed, then `iters` times timed; `setup` runs before each call,
/// outside the timing (e.g. cloning the input that `f` consumes).
pub fn time_with<S, R>(
    warmup: usize,
    iters: usize,
    mut setup: impl FnMut() -> S,
    mut f: impl FnMut(S) -> R,
) -> Summary {
    let mut samples = Vec::with_capacity(iters);
    for i in 0..warmup + iters {
        let input = setup();
        let start = Instant::now();
        let out = f(input);
        let took = start.elapsed();
        std::hint::black_box(out);
        if i >= warmup {
            samples.push(took);
        }
    }
    Summary::of(&samples)
}

/// Runs `f` `warmup` times untimed, then `iters` times timed.
pub fn time<R>(warmup: usize, iters: usize, mut f: impl FnMut() -> R) -> Summary {
    time_with(warmup, iters, || (), |()| f())
}

/// The release binary built by `cargo bench`.
pub fn lrotop_bin() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_lrotop") {
        return PathBuf::from(p);
    }
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    dir.join("release").join("lrotop")
}

/// Clock ticks a second for /proc/PID/stat: `getconf CLK_TCK`, else the usual 100.
pub fn clk_tck() -> (u64, &'static str) {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u64>().ok());
    match out {
        Some(n) if n > 0 => (n, "getconf CLK_TCK"),
        _ => (100, "assumed (getconf unavailable)"),
    }
}

/// utime + stime of a process, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields start after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // f[0] is field 3 (state); utime is field 14, stime field 15.
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// A `kB` field of /proc/PID/status (`VmRSS`, `VmHWM`, …).
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(&format!("{field}:")))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The real binary in a pseudo-terminal, read through a vt100 parser; counts every byte it
/// writes to the terminal.
pub struct Pty {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    rx: mpsc::Receiver<Vec<u8>>,
    pub parser: vt100::Parser,
    /// Everything written to the terminal so far.
    pub bytes: usize,
    pub rows: u16,
    pub cols: u16,
    _dirs: tempfile::TempDir,
}

impl Pty {
    /// Starts `lrotop ARGS` with a throwaway config, cache and log directory.
    pub fn start(args: &[&str], rows: u16, cols: u16) -> Pty {
        Pty::start_with_env(args, &[], rows, cols)
    }

    /// As [`Pty::start`], with more environment variables for the child.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)], rows: u16, cols: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let dirs = tempfile::tempdir().expect("tempdir");
        let mut cmd = CommandBuilder::new(lrotop_bin());
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", dirs.path().join("config"));
        cmd.env("XDG_CACHE_HOME", dirs.path().join("cache"));
        cmd.env("XDG_STATE_HOME", dirs.path().join("state"));
        cmd.env("HOME", dirs.path());
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("LROTOP_ENDPOINT");
        cmd.env_remove("RUST_LOG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn lrotop");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            // Reads block; EIO (or 0) once the child is gone.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Pty {
            child,
            master: pair.master,
            writer,
            rx,
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(rows).expect("rows"),
                std::num::NonZeroU16::new(cols).expect("cols"),
                0,
            ),
            bytes: 0,
            rows,
            cols,
            _dirs: dirs,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child's pid")
    }

    /// Takes what arrived, waiting up to `wait` for the first chunk; returns the byte count.
    pub fn pump(&mut self, wait: Duration) -> usize {
        let mut n = 0;
        if let Ok(b) = self.rx.recv_timeout(wait) {
            n += b.len();
            self.parser.process(&b);
        }
        while let Ok(b) = self.rx.try_recv() {
            n += b.len();
            self.parser.process(&b);
        }
        self.bytes += n;
        n
    }

    /// Pumps until `until`, returning the bytes that arrived.
    pub fn pump_until(&mut self, until: Instant) -> usize {
        let mut n = 0;
        loop {
            let now = Instant::now();
            if now >= until {
                return n + self.pump(Duration::ZERO);
            }
            n += self.pump((until - now).min(Duration::from_millis(50)));
        }
    }

    /// Pumps until nothing has arrived for `quiet`, or `max` has passed.
    pub fn settle(&mut self, quiet: Duration, max: Duration) -> usize {
        let deadline = Instant::now() + max;
        let mut n = 0;
        let mut last = Instant::now();
        while Instant::now() < deadline {
            let got = self.pump(Duration::from_millis(10));
            n += got;
            if got > 0 {
                last = Instant::now();
            } else if last.elapsed() >= quiet {
                break;
            }
        }
        n
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits for the screen to satisfy `ok`; `Err` with the screen past the deadline.
    pub fn wait_for(&mut self, within: Duration, ok: impl Fn(&str) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + within;
        loop {
            if ok(&self.screen()) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.screen());
            }
            self.pump(Duration::from_millis(2));
        }
    }

    pub fn send(&mut self, s: &str) {
        let _ = self.writer.write_all(s.as_bytes());
        let _ = self.writer.flush();
    }

    pub fn resize(&mut self, rows: u16, cols: u16) {
        let _ = self.master.resize(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        });
        self.parser.set_size(
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("cols"),
        );
        self.rows = rows;
        self.cols = cols;
    }

    /// Asks it to quit (`q`), waits up to `within`, and kills it (by its own pid) otherwise.
    pub fn quit(&mut self, within: Duration) -> bool {
        self.send("q");
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            self.pump(Duration::from_millis(20));
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }

    /// Every cell's text and attributes, to tell which cells changed between two moments.
    pub fn cells(&self) -> Vec<Vec<Option<vt100::Cell>>> {
        let s = self.parser.screen();
        (0..self.rows)
            .map(|r| (0..self.cols).map(|c| s.cell(r, c).cloned()).collect())
            .collect()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The number after which the header says ` ops`: `   120 ops · 40 active`.
pub fn header_ops(screen: &str) -> Option<usize> {
    let first = screen.lines().next()?;
    let at = first.find(" ops")?;
    first[..at].rsplit(' ').next().and_then(|n| n.parse().ok())
}

/// `lrotop emulator ARGS` in a process of its own (so a measured dashboard holds only its own
/// memory), on a free loopback port; ended when dropped.
pub struct EmulatorProcess {
    child: std::process::Child,
    pub url: String,
    _dirs: tempfile::TempDir,
}

impl EmulatorProcess {
    pub fn start(args: &[&str]) -> EmulatorProcess {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let dirs = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(lrotop_bin())
            .arg("emulator")
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .env("XDG_CONFIG_HOME", dirs.path().join("config"))
            .env("XDG_CACHE_HOME", dirs.path().join("cache"))
            .env("XDG_STATE_HOME", dirs.path().join("state"))
            .env("HOME", dirs.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("lrotop emulator");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the emulator printed nothing within 60 s");
            }
        };
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "loopback only: {url}");
        EmulatorProcess {
            child,
            url,
            _dirs: dirs,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
