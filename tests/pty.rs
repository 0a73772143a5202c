//! The real `lrotop` binary in a pseudo-terminal, read through a vt100 parser, against an
//! emulator on 127.0.0.1.

use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 140;

struct Tui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Held here, not by the reader, so the tty's modes can still be read after the child
    /// has gone.
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    writer: Box<dyn Write + Send>,
    /// Tells the reader to close its end after its next read (see `hang_up`).
    hang_up: Arc<AtomicBool>,
    rx: mpsc::Receiver<Vec<u8>>,
    parser: vt100::Parser,
    raw: Vec<u8>,
    _dirs: tempfile::TempDir,
}

impl Tui {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let dirs = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_lrotop"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", dirs.path().join("config"));
        cmd.env("XDG_CACHE_HOME", dirs.path().join("cache"));
        cmd.env("XDG_STATE_HOME", dirs.path().join("state"));
        cmd.env("HOME", dirs.path());
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("LROTOP_ENDPOINT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, rx) = mpsc::channel();
        let hang_up = Arc::new(AtomicBool::new(false));
        let told = hang_up.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Reads block; EIO (or 0) once the child is gone.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || told.load(Ordering::SeqCst) || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Tui {
            child,
            master: Some(pair.master),
            writer,
            hang_up,
            rx,
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(ROWS).unwrap(),
                std::num::NonZeroU16::new(COLS).unwrap(),
                0,
            ),
            raw: Vec::new(),
            _dirs: dirs,
        }
    }

    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.rx.recv_timeout(wait) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        while let Ok(bytes) = self.rx.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits for the screen to satisfy `ok`; a frame can arrive over several reads.
    fn wait_for(&mut self, what: &str, ok: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if ok(&self.screen()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            self.pump(Duration::from_millis(50));
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().unwrap() {
                self.pump(Duration::from_millis(100));
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the dashboard did not exit; screen:\n{}", self.screen());
            }
        }
    }

    /// Sends `signal` (a name `kill` knows: TERM, HUP, …) to the dashboard's process only.
    fn signal(&self, signal: &str) {
        let pid = self.child.process_id().expect("the child's pid");
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} {pid}: {status}");
    }

    /// Reads until the child has closed its side of the tty, then returns how it ended.
    fn wait_eof(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.rx.recv_timeout(Duration::from_millis(50)) {
                Ok(bytes) => {
                    self.parser.process(&bytes);
                    self.raw.extend_from_slice(&bytes);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("no end of output; screen:\n{}", self.screen());
            }
        }
        self.wait_status()
    }

    /// Closes every descriptor of the pty's master side, as sshd does when the connection
    /// drops: the kernel hangs up the tty and sends SIGHUP to the child, its session leader.
    /// Returns once they are closed; nothing more can be read.
    fn hang_up(&mut self) {
        self.hang_up.store(true, Ordering::SeqCst);
        // The reader blocks in read until the next output: ask for some (the help screen).
        self.send("?");
        self.writer = Box::new(std::io::sink());
        self.master = None;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.rx.recv_timeout(Duration::from_millis(50)) {
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                _ => assert!(Instant::now() < deadline, "the reader did not let go"),
            }
        }
    }

    fn wait_status(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the dashboard did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the tty is in its ordinary line mode (not raw): canonical input and echo.
    /// Read from the pty's own termios; nix's flags print as `LocalFlags(ECHO | ICANON …)`.
    fn tty_cooked(&self) -> bool {
        let master = self.master.as_ref().expect("the pty is open");
        let termios = master.get_termios().expect("the pty's termios");
        let flags = format!("{:?}", termios.local_flags);
        let words: Vec<&str> = flags.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        words.contains(&"ICANON") && words.contains(&"ECHO")
    }

    /// What was written from `from` on left the alternate screen and showed the cursor.
    fn assert_restored_since(&self, from: usize) {
        let tail = String::from_utf8_lossy(&self.raw[from..]);
        assert!(
            tail.contains("\u{1b}[?1049l"),
            "left the alternate screen: {tail:?}"
        );
        assert!(tail.contains("\u{1b}[?25h"), "cursor shown again: {tail:?}");
    }

    /// After the last switch to the alternate screen: back to the main one, cursor shown.
    fn assert_restored(&self) {
        let raw = String::from_utf8_lossy(&self.raw);
        let entered = raw
            .rfind("\u{1b}[?1049h")
            .expect("entered the alternate screen");
        let tail = &raw[entered..];
        assert!(tail.contains("\u{1b}[?1049l"), "left the alternate screen");
        assert!(tail.contains("\u{1b}[?25h"), "cursor shown again");
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
    }
}

fn static_emulator() -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    BackgroundEmulator::start(cfg).unwrap()
}

#[test]
fn shows_rows_cancels_one_and_quits_cleanly() {
    let emu = static_emulator();
    let ops = emu.snapshot("demo-project-1", "global");
    let mut tui = Tui::start(
        &[
            "--endpoint",
            emu.url(),
            "--project",
            "demo-project-1",
            "--location",
            "global",
            "--location",
            "us-central1",
        ],
        &[],
    );
    tui.wait_for("rows", |s| {
        s.matches("RUNNING").count() >= 8 && s.contains("FAILED") && s.contains("CANCELLED")
    });
    let screen = tui.screen();
    assert!(screen.contains("global") && screen.contains("us-central1"));
    assert!(screen.contains("16 ops"), "{screen}");

    // Narrow the table to the cancellable operation, then cancel it.
    let target = &ops[0].name;
    let id = target.rsplit('/').next().unwrap();
    tui.send("/");
    tui.send(id);
    tui.send("\r");
    tui.wait_for("the filtered row", |s| s.contains("1/16"));
    tui.send("c");
    tui.wait_for("the confirmation", |s| {
        s.contains("Cancel 1 operation?") && s.contains(id)
    });
    assert_eq!(emu.stats().mutations(), 0, "nothing sent before yes");
    tui.send("y");
    tui.wait_for("CANCELLED", |s| {
        s.contains("⊗ CANCELLED") && s.contains("cancelled")
    });
    assert_eq!(emu.stats().cancels.get(target), Some(&1));

    tui.send("q");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
    tui.assert_restored();
}

#[test]
fn a_failing_location_shows_its_badge_and_the_rest_keep_working() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    cfg.faults.fail_locations = vec![("us-east4".into(), 403)];
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let mut tui = Tui::start(
        &["--endpoint", emu.url(), "--project", "demo-project-1"],
        &[],
    );
    // Locations come from locations.list; us-east4 answers 403.
    tui.wait_for("the badge and the other rows", |s| {
        s.contains("! 403") && s.contains("16 ops")
    });
    tui.send("\u{3}");
    assert!(tui.wait_exit().success());
    tui.assert_restored();
}

/// The binary panics on `LROTOP_TEST_PANIC` only when built with debug assertions (as
/// `cargo test` builds it); a release build has no such hook, so there is nothing to test.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the panic hook exists in debug builds only"
)]
fn the_terminal_is_restored_after_a_panic() {
    let emu = static_emulator();
    let mut tui = Tui::start(
        &[
            "--endpoint",
            emu.url(),
            "--project",
            "demo-project-1",
            "--location",
            "global",
        ],
        &[("LROTOP_TEST_PANIC", "1")],
    );
    let status = tui.wait_exit();
    assert!(!status.success());
    tui.assert_restored();
}

#[test]
fn read_only_blocks_cancel_in_the_dashboard() {
    let emu = static_emulator();
    let mut tui = Tui::start(
        &[
            "--endpoint",
            emu.url(),
            "--project",
            "demo-project-1",
            "--location",
            "global",
            "--read-only",
        ],
        &[],
    );
    tui.wait_for("rows", |s| s.contains("READ-ONLY") && s.contains("RUNNING"));
    tui.send("c");
    tui.wait_for("the refusal", |s| s.contains("read-only mode"));
    tui.send("y");
    tui.send("q");
    assert!(tui.wait_exit().success());
    assert_eq!(emu.stats().mutations(), 0);
}

#[test]
fn marks_three_rows_and_bulk_cancels_them() {
    let emu = static_emulator();
    let ops = emu.snapshot("demo-project-1", "global");
    // The running ones come first, newest first; mark all but the one that ignores cancels.
    let mut running: Vec<&lrotop::api::Operation> = ops.iter().filter(|o| !o.done).collect();
    running.sort_by(|a, b| {
        (std::cmp::Reverse(a.create_time()), &a.name)
            .cmp(&(std::cmp::Reverse(b.create_time()), &b.name))
    });
    let ignores = &ops[1].name;
    let mut tui = Tui::start(
        &[
            "--endpoint",
            emu.url(),
            "--project",
            "demo-project-1",
            "--location",
            "global",
        ],
        &[],
    );
    tui.wait_for("rows", |s| s.matches("RUNNING").count() == 4);
    for o in &running {
        if o.name == *ignores {
            tui.send("j");
        } else {
            tui.send(" ");
        }
    }
    tui.wait_for("three marks", |s| s.contains("* 3 marked"));
    tui.send("C");
    tui.wait_for("the bulk confirmation", |s| {
        s.contains("Cancel 3 operations?") && s.contains("3 will be sent")
    });
    assert_eq!(emu.stats().mutations(), 0);
    tui.send("y");
    tui.wait_for("every outcome", |s| {
        s.matches("⊗ CANCELLED").count() == 2
            && s.matches("! CANCEL REFUSED").count() == 2
            && !s.contains("CANCELLING")
    });
    tui.wait_for("the summary", |s| {
        s.contains("bulk cancel: 3 sent, 1 accepted, 2 refused, 0 failed")
    });
    let stats = emu.stats();
    assert_eq!(stats.method("cancel"), 3);
    assert_eq!(stats.cancels.get(ignores), None);
    tui.send("q");
    assert!(tui.wait_exit().success());
    tui.assert_restored();
}

#[test]
fn two_projects_from_a_config_file_and_switching_with_p() {
    let emu = static_emulator();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lrotop.toml");
    std::fs::write(
        &config,
        format!(
            "[defaults]\nendpoint = \"{}\"\nlocations = [\"global\"]\n\n[[project]]\nid = \"demo-project-1\"\nalias = \"prod\"\nread_only = true\n\n[[project]]\nid = \"demo-project-2\"\nalias = \"dev\"\n",
            emu.url()
        ),
    )
    .unwrap();
    let mut tui = Tui::start(&["--config", config.to_str().unwrap()], &[]);
    tui.wait_for("both projects", |s| {
        s.contains("all projects (2)")
            && s.contains("16 ops")
            && s.contains("prod (demo-project-1)")
    });
    tui.send("P");
    tui.wait_for("the switcher", |s| s.contains("Switch project"));
    tui.send("dev\r");
    tui.wait_for("one project", |s| {
        s.contains("dev (demo-project-2)") && s.contains("8 ops") && !s.contains("demo-project-1")
    });
    assert!(!tui.screen().contains("READ-ONLY"));
    tui.send(":pro\r");
    tui.wait_for("the read-only one", |s| {
        s.contains("prod (demo-project-1)") && s.contains("READ-ONLY")
    });
    tui.send("c");
    tui.wait_for("the refusal", |s| s.contains("read-only mode"));
    tui.send("Pall\r");
    tui.wait_for("both again", |s| {
        s.contains("all projects (2)") && s.contains("16 ops")
    });
    tui.send("q");
    assert!(tui.wait_exit().success());
    assert_eq!(emu.stats().mutations(), 0);
}

/// The demo dashboard, drawn, then `signal`: the terminal comes back as it was and the exit
/// status is the shell's 128 + signal number.
fn a_signal_restores_the_terminal(signal: &str, status: u32) {
    let mut tui = Tui::start(&["--demo"], &[]);
    tui.wait_for("the dashboard", |s| {
        s.contains("demo") && s.contains("RUNNING")
    });
    assert!(!tui.tty_cooked(), "the dashboard runs the tty raw");
    let before = tui.raw.len();
    tui.signal(signal);
    let exit = tui.wait_eof();
    assert_eq!(
        (exit.exit_code(), exit.signal()),
        (status, None),
        "SIG{signal}: {exit:?}"
    );
    tui.assert_restored_since(before);
    assert!(tui.tty_cooked(), "SIG{signal}: the tty is raw still");
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    a_signal_restores_the_terminal("TERM", 143);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    a_signal_restores_the_terminal("HUP", 129);
}

#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    a_signal_restores_the_terminal("INT", 130);
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131() {
    a_signal_restores_the_terminal("QUIT", 131);
}

#[test]
fn a_dropped_connection_hangs_up_the_tty_and_the_dashboard_exits_129_and_says_why() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("lrotop.log");
    let mut tui = Tui::start(&["--demo", "--log-file", log.to_str().unwrap()], &[]);
    tui.wait_for("the dashboard", |s| {
        s.contains("demo") && s.contains("RUNNING")
    });
    tui.hang_up();
    let exit = tui.wait_status();
    // Not 101 (a panic printing to the dead tty) nor killed by the signal.
    assert_eq!((exit.exit_code(), exit.signal()), (129, None), "{exit:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("signal SIGHUP: leaving, nothing in flight"),
        "{text}"
    );
}

#[test]
fn a_signal_during_a_bulk_cancel_logs_what_was_answered_and_what_was_not() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 24;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let running: Vec<String> = emu
        .snapshot("demo-project-1", "global")
        .into_iter()
        .filter(|o| !o.done)
        .map(|o| o.name)
        .collect();
    let n = running.len();
    // Several, so some stay queued behind the rate cap; few enough to confirm with `y`.
    assert!((9..=20).contains(&n), "{n} running");
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("lrotop.log");
    let mut tui = Tui::start(
        &[
            "--endpoint",
            emu.url(),
            "--project",
            "demo-project-1",
            "--location",
            "global",
            // One at once, then one each 50 s (a slow rate paces from the first request):
            // the rest stay queued until the signal.
            "--bulk-rate",
            "0.02",
            "--log-file",
            log.to_str().unwrap(),
        ],
        &[],
    );
    tui.wait_for("rows", |s| s.matches("RUNNING").count() == n);
    tui.send("*");
    tui.send("C");
    tui.wait_for("the confirmation", |s| {
        s.contains(&format!("Cancel {n} operations?"))
    });
    tui.send("y");
    tui.wait_for("the first answer", |s| {
        s.contains(&format!("cancel {n}: 1 sent"))
    });

    // q asks, and no keeps it running.
    tui.send("q");
    let left = n - 1;
    tui.wait_for("the quit dialog", |s| {
        s.contains(&format!("{left} cancels not yet answered; quit anyway?"))
    });
    tui.send("n");
    tui.wait_for("the dialog closed", |s| !s.contains("quit anyway"));

    let before = tui.raw.len();
    tui.signal("TERM");
    let exit = tui.wait_eof();
    assert_eq!((exit.exit_code(), exit.signal()), (143, None), "{exit:?}");
    tui.assert_restored_since(before);
    assert_eq!(
        emu.stats().method("cancel"),
        1,
        "the queued ones were never sent"
    );

    let text = std::fs::read_to_string(&log).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("signal SIGTERM"))
        .unwrap_or_else(|| panic!("no record of the signal in:\n{text}"));
    assert!(
        line.contains(&format!("bulk cancel of {n}: 1 answered (")),
        "{line}"
    );
    let (_, names) = line
        .split_once(&format!("{left} unanswered: "))
        .unwrap_or_else(|| panic!("{line}"));
    let names: Vec<&str> = names.split(", ").collect();
    assert_eq!(
        names.len(),
        left,
        "every unanswered one, by full name: {line}"
    );
    assert!(
        names.iter().all(|m| running.iter().any(|r| r == m)),
        "{line}"
    );
}

/// Two APIs from a config (each `[[service]]` mapped to the emulator): a SERVICE column,
/// the pane's service headings, every location of each API listed by its own client, and
/// a cancel on a Cloud Run row refused in the dashboard without a request.
#[test]
fn two_services_from_a_config_file_and_a_cloud_run_cancel_refused_in_place() {
    let mut cfg = EmulatorConfig::new(Scenario::Static).with_catalogue();
    cfg.projects = 1;
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lrotop.toml");
    let mut text = format!(
        "[defaults]\nendpoint = \"{}\"\nlocations = [\"global\", \"us-central1\"]\n\n[[project]]\nid = \"demo-project-1\"\nservices = [\"run\", \"aiplatform\"]\n",
        emu.url()
    );
    for name in ["run", "aiplatform"] {
        let p = lrotop::api::service::builtin(name).unwrap();
        text.push_str(&format!(
            "\n[[service]]\nname = \"{name}\"\nendpoint = \"{}\"\n",
            emu.endpoint_for(p)
        ));
    }
    std::fs::write(&config, text).unwrap();
    let mut tui = Tui::start(&["--config", config.to_str().unwrap()], &[]);
    tui.wait_for("both APIs", |s| {
        s.contains("32 ops") && s.contains("SERVICE") && s.contains(" aiplatform ")
    });
    let screen = tui.screen();
    let pane: Vec<&str> = screen
        .lines()
        .map(|l| l.split('│').nth(1).unwrap_or("").trim_end())
        .collect();
    assert!(pane.contains(&" run"), "{screen}");
    assert!(pane.contains(&" aiplatform"), "{screen}");
    let st = emu.stats();
    assert_eq!(st.service("run", "list"), 2, "{screen}");
    assert_eq!(st.service("aiplatform", "list"), 2, "{screen}");
    assert_eq!(st.hosts.get("aiplatform us-central1"), Some(&1));
    tui.send("/service=run state=running\r");
    tui.wait_for("Run's running rows only", |s| {
        s.contains("filter: service=run state=running") && s.contains(" 8/32")
    });
    tui.send("c");
    tui.wait_for("the refusal", |s| {
        s.contains("Cloud Run operations cannot be cancelled")
    });
    assert!(
        !tui.screen().contains("Cancel operation"),
        "{}",
        tui.screen()
    );
    tui.send("q");
    assert!(tui.wait_exit().success());
    assert_eq!(emu.stats().mutations(), 0);
}
