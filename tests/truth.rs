//! The dashboard and the CLI tell the truth: what a filter means, what is counted, what is
//! shown. Each case was found wrong once.

mod common;

use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::process::{Command, Output, Stdio};

fn emulator() -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    BackgroundEmulator::start(cfg).unwrap()
}

fn lrotop(emu: &BackgroundEmulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        // The audit log of what these tests cancel: beside them, never the real one.
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("lrotop-test-state-{}", std::process::id())),
        )
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .arg("--endpoint")
        .arg(emu.url())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `state!=runing` once matched every operation, so `delete --filter` would have reached
/// the running ones it meant to spare.
#[test]
fn a_misspelled_state_is_an_error_and_nothing_is_sent() {
    let emu = emulator();
    for verb in ["delete", "cancel"] {
        let out = lrotop(
            &emu,
            &[
                verb,
                "--filter",
                "state!=runing",
                "-p",
                "demo-project-1",
                "--yes",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{verb}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unknown state \"runing\""), "{err}");
    }
    let out = lrotop(
        &emu,
        &["list", "--filter", "state=bogus", "-p", "demo-project-1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(emu.stats().mutations(), 0);
}

/// `wait` once printed UNKNOWN after its timeout for an operation it had just seen running.
#[test]
fn wait_says_running_when_its_timeout_runs_out() {
    let emu = emulator();
    let running = emu
        .snapshot("demo-project-1", "global")
        .into_iter()
        .find(|o| !o.done)
        .unwrap()
        .name;
    let out = lrotop(
        &emu,
        &["wait", &running, "--timeout", "1s", "--interval", "200ms"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let row = stdout.lines().find(|l| l.contains(&running)).unwrap();
    assert!(row.starts_with("RUNNING"), "{stdout}");
    assert!(
        row.contains("still running when --timeout ran out"),
        "{row}"
    );
}

/// `--refresh 500ms` was raised to 1s without a word, while the same value in the config is
/// an error: both are errors now.
#[test]
fn a_refresh_below_the_floor_is_an_error_on_the_command_line_too() {
    let emu = emulator();
    let out = lrotop(
        &emu,
        &["--refresh", "500ms", "list", "-p", "demo-project-1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the floor is 1s"), "{err}");
    let out = lrotop(&emu, &["--refresh", "1s", "list", "-p", "demo-project-1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Names `list --demo` printed gave 404 in `describe --demo`: each process made its own ids.
#[test]
fn the_demo_names_the_same_operations_in_every_process() {
    let demo = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lrotop"))
            .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
            // The audit log of what these tests cancel: beside them, never the real one.
            .env(
                "XDG_STATE_HOME",
                std::env::temp_dir().join(format!("lrotop-test-state-{}", std::process::id())),
            )
            .env_remove("LROTOP_CONFIG")
            .env_remove("LROTOP_PROJECT")
            .env_remove("LROTOP_ENDPOINT")
            .arg("--demo")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = demo(&["list", "--format", "jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(names.len() > 10);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for name in [&names[0], &names[names.len() / 2], &names[names.len() - 1]] {
        let out = demo(&["describe", name]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn header(app: &lrotop::app::App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 10)).unwrap();
    t.draw(|f| lrotop::ui::draw(f, app, lrotop::ui::Theme::default()))
        .unwrap();
    let buf = t.backend().buffer().clone();
    (0..buf.area.width)
        .map(|x| buf[(x, 0)].symbol().to_string())
        .collect()
}

/// `⟳ 1s` was shown while the request budget gave each location a turn every ~3 s.
#[test]
fn the_header_shows_the_refresh_the_budget_really_allows() {
    let mut w = common::world(1, 6, 8);
    let locations = [
        "global",
        "us-central1",
        "us-east4",
        "us-west1",
        "us-west4",
        "europe-west1",
    ];
    let mut app = common::loaded_app(&mut w, &locations);
    app.settings.interval = std::time::Duration::from_secs(1);
    app.settings.request_budget = Some(2.0);
    assert!(header(&app).contains("⟳ ~3s"), "{}", header(&app));
    app.settings.request_budget = None;
    assert!(header(&app).contains("⟳ 1s"), "{}", header(&app));
    app.settings.interval = std::time::Duration::from_secs(5);
    app.settings.request_budget = Some(2.0);
    assert!(header(&app).contains("⟳ 5s"), "{}", header(&app));
}

/// Dry runs and summaries named the operations only; they now say state, target and age,
/// and the summary counts the skipped.
#[test]
fn the_cli_report_says_state_target_and_age_and_counts_skips() {
    let emu = emulator();
    let out = lrotop(
        &emu,
        &[
            "cancel",
            "--filter",
            "",
            "-p",
            "demo-project-1",
            "-l",
            "global",
            "--dry-run",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let head = stdout.lines().next().unwrap();
    for col in ["RESULT", "STATE", "TARGET", "AGE", "NAME"] {
        assert!(head.contains(col), "{head}");
    }
    let would = stdout
        .lines()
        .find(|l| l.starts_with("would cancel"))
        .unwrap();
    assert!(
        would.contains("RUNNING") && would.contains("geminiGcpEnablementSettings"),
        "{would}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cancel (dry run): 4 would be sent, 4 skipped; nothing sent"),
        "{err}"
    );
}

/// The TARGET column repeated the project and location the row already shows: it reads
/// relative to the location; details keep it whole.
#[test]
fn the_target_column_reads_relative_to_the_location() {
    let mut w = common::world(1, 2, 8);
    let app = common::loaded_app(&mut w, &["global", "us-central1"]);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(220, 30)).unwrap();
    t.draw(|f| lrotop::ui::draw(f, &app, lrotop::ui::Theme::default()))
        .unwrap();
    let buf = t.backend().buffer().clone();
    let screen: String = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(screen.contains(" geminiGcpEnablementSettings/"), "{screen}");
    assert!(screen.contains(" codeRepositoryIndexes/"), "{screen}");
    assert!(
        !screen.contains("projects/demo-project-1/locations"),
        "{screen}"
    );
}

/// `list --format csv`: a header, then one record per operation, every field whole.
#[test]
fn list_as_csv() {
    let emu = emulator();
    let out = lrotop(
        &emu,
        &[
            "list",
            "-p",
            "demo-project-1",
            "-l",
            "global",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1 + 8, "{text}");
    assert!(lines[0].starts_with("STATE,LOCATION,"), "{}", lines[0]);
    let targets: Vec<String> = emu
        .snapshot("demo-project-1", "global")
        .iter()
        .map(|o| o.target().to_string())
        .collect();
    assert!(
        lines[1..]
            .iter()
            .all(|l| targets.iter().any(|t| l.contains(t.as_str()))),
        "whole targets: {text}"
    );
}

/// `age>`/`age<` in the filter (13.3): older or younger than, and the view follows the clock.
#[test]
fn age_filters_follow_the_clock() {
    use lrotop::app::keys::Key;
    use lrotop::app::{Action, update};
    let mut w = common::world(1, 1, 8);
    let mut app = common::loaded_app(&mut w, &["global"]);
    let ages: Vec<std::time::Duration> = app
        .rows
        .iter()
        .filter_map(|r| r.op.create_time())
        .map(|t| app.now.duration_since(t).unsigned_abs())
        .collect();
    let youngest = *ages.iter().min().unwrap();
    // Just older than the youngest is now: all but it (and any as young).
    let line = youngest.as_secs() + 30;
    update(&mut app, Action::Key(Key::Char('/')));
    for c in format!("age>{line}s").chars() {
        update(&mut app, Action::Key(Key::Char(c)));
    }
    update(&mut app, Action::Key(Key::Enter));
    let before = app.view.len();
    assert!(before < ages.len(), "{before} of {}", ages.len());
    assert_eq!(before, ages.iter().filter(|a| a.as_secs() > line).count());
    // A minute later the youngest is past the line too.
    let later = app.now + jiff::SignedDuration::from_secs(60);
    update(&mut app, Action::Tick(later));
    assert_eq!(app.view.len(), ages.len(), "the view followed the clock");
    // A CLI filter: age<1s matches none of the demo's operations.
    let emu = emulator();
    let out = lrotop(
        &emu,
        &["list", "-p", "demo-project-1", "--filter", "age<1s"],
    );
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "the header only"
    );
}
