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
    common::hermetic_lrotop()
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

fn press(app: &mut lrotop::app::App, k: lrotop::app::keys::Key) -> Vec<lrotop::app::Effect> {
    lrotop::app::update(app, lrotop::app::Action::Key(k))
}

fn type_keys(app: &mut lrotop::app::App, s: &str) {
    for c in s.chars() {
        press(app, lrotop::app::keys::Key::Char(c));
    }
}

fn screen(app: &lrotop::app::App, w: u16, h: u16) -> Vec<String> {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| lrotop::ui::draw(f, app, lrotop::ui::Theme::default()))
        .unwrap();
    let buf = t.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// `/foo=bar⏎` applied `foo` (a prefix that parsed), `/=running⏎` showed everything, and
/// the error stayed on the status line after a good filter was typed.
#[test]
fn a_bad_filter_applies_nothing_and_its_error_goes_when_it_is_fixed() {
    use lrotop::app::Mode;
    use lrotop::app::keys::Key;
    let mut w = common::world(1, 2, 8);
    let mut app = common::loaded_app(&mut w, &["global", "us-central1"]);
    let all = app.view.len();
    type_keys(&mut app, "/foo=bar");
    press(&mut app, Key::Enter);
    assert!(
        matches!(app.mode, Mode::FilterInput { .. }),
        "enter does not keep a filter that does not parse"
    );
    assert!(app.filter.is_empty(), "{:?}", app.filter.as_str());
    assert_eq!(app.view.len(), all);
    let status = screen(&app, 160, 12)[10].clone();
    assert!(status.contains("unknown field \"foo\""), "{status}");
    press(&mut app, Key::Esc);
    assert_eq!(app.mode, Mode::Normal);

    // A good filter, then a bad one: the good one stays applied.
    type_keys(&mut app, "/state=running");
    press(&mut app, Key::Enter);
    assert_eq!(app.view.len(), 8);
    press(&mut app, Key::Char('/'));
    for _ in 0..20 {
        press(&mut app, Key::Backspace);
    }
    type_keys(&mut app, "=running");
    press(&mut app, Key::Enter);
    assert!(matches!(app.mode, Mode::FilterInput { .. }));
    assert_eq!(app.filter.as_str(), "state=running");
    assert_eq!(app.view.len(), 8);
    assert!(screen(&app, 160, 12)[10].contains("unknown field \"\""));

    // Fixed: the error is gone, as typed and after enter.
    press(&mut app, Key::Home);
    type_keys(&mut app, "state");
    let status = screen(&app, 160, 12)[10].clone();
    assert!(!status.contains("unknown"), "{status}");
    press(&mut app, Key::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.filter.as_str(), "state=running");
    let status = screen(&app, 160, 12)[10].clone();
    assert!(!status.contains("filter"), "{status}");
}

/// `project=prod` matched nothing although the PROJECT column shows `prod`: the alias is
/// matched as well as the id, on the dashboard and in the CLI.
#[test]
fn project_filters_match_the_alias_the_project_column_shows() {
    let mut w = common::world(2, 1, 8);
    let mut app = lrotop::app::App::new(
        common::settings(),
        vec!["demo-project-1".into(), "demo-project-2".into()],
        Some(vec!["global".into()]),
        common::t0(),
    );
    app.settings.project_flags.insert(
        "demo-project-2".into(),
        lrotop::app::ProjectFlags {
            alias: Some("prod".into()),
            ..Default::default()
        },
    );
    lrotop::app::update(&mut app, lrotop::app::Action::Tick(common::t0()));
    for p in ["demo-project-1", "demo-project-2"] {
        lrotop::app::update(
            &mut app,
            lrotop::app::Action::Loaded {
                location: lrotop::api::LocationName::new(p, "global").unwrap(),
                result: Ok(w.snapshot(p, "global")),
            },
        );
    }
    assert_eq!(app.view.len(), 16);
    type_keys(&mut app, "/project=PROD");
    press(&mut app, lrotop::app::keys::Key::Enter);
    assert_eq!(app.view.len(), 8);
    assert!(
        app.view
            .iter()
            .all(|i| app.rows[*i].op.project() == "demo-project-2")
    );
    press(&mut app, lrotop::app::keys::Key::Char('/'));
    for _ in 0..20 {
        press(&mut app, lrotop::app::keys::Key::Backspace);
    }
    type_keys(&mut app, "project=demo-project-2");
    press(&mut app, lrotop::app::keys::Key::Enter);
    assert_eq!(app.view.len(), 8, "the id still matches");

    let emu = emulator();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("lrotop.toml");
    std::fs::write(
        &config,
        format!(
            "[defaults]\nendpoint = \"{}\"\nlocations = [\"global\"]\n\n[[project]]\nid = \"demo-project-1\"\nalias = \"prod\"\n",
            emu.url()
        ),
    )
    .unwrap();
    let list = |filter: &str| {
        let out = lrotop(
            &emu,
            &[
                "list",
                "--config",
                config.to_str().unwrap(),
                "-p",
                "demo-project-1",
                "--filter",
                filter,
                "--format",
                "jsonl",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    assert_eq!(list("project=prod"), 8);
    assert_eq!(list("project=demo-project-1"), 8);
    assert_eq!(list("project!=prod"), 0);
}

/// The pane's part of a screen line: between its left border and the next.
fn pane_part(line: &str) -> String {
    line.trim_start_matches('│')
        .split('│')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// `all 347 ⟳16` while the header said 163 active: the pane cut its numbers.
#[test]
fn the_locations_pane_never_cuts_a_count() {
    let mut w = common::world(1, 2, 200);
    let mut app = common::loaded_app(&mut w, &["global", "us-central1"]);
    let (total, active) = (app.total(), app.running_total());
    assert!(active >= 100, "{active}");
    let lines = screen(&app, 160, 45);
    assert!(
        lines[0].contains(&format!("{active} active")),
        "{}",
        lines[0]
    );
    let all = lines
        .iter()
        .map(|l| pane_part(l))
        .find(|l| l.starts_with(" all"))
        .unwrap();
    assert!(all.contains(&format!("{total} ⟳{active}")), "{all:?}");
    // Too long for the cells: written short, never cut.
    app.targets[0].total = 123_456;
    app.targets[0].active = 12_345;
    let lines = screen(&app, 160, 45);
    let global = lines
        .iter()
        .map(|l| pane_part(l))
        .find(|l| l.starts_with(" global"))
        .unwrap();
    assert!(global.contains("123k ⟳12.3k"), "{global:?}");
}

/// At 80×24 the 25-cell pane never shrank, so the table cut its columns; `L` now hides or
/// shows it, and a location's name is never cut so that two read alike.
#[test]
fn at_80_columns_the_locations_pane_steps_aside_and_l_brings_it_back() {
    use lrotop::app::keys::Key;
    let mut w = common::world(1, 6, 8);
    let mut app = common::loaded_app(&mut w, &["us-west1", "us-west4", "europe-west1"]);
    let size = ratatui::layout::Rect::new(0, 0, 80, 24);
    let resize = lrotop::ui::resize(size, &app);
    lrotop::app::update(&mut app, resize);
    assert!(!app.locations_shown());
    let text = screen(&app, 80, 24).join("\n");
    assert!(!text.contains("Locations"), "{text}");
    for name in ["us-west1 ", "us-west4 ", "europe-west1 "] {
        assert!(text.contains(name), "{name} cut:\n{text}");
    }
    let footer = screen(&app, 80, 24)[23].clone();
    assert!(footer.contains("L locations"), "{footer}");
    // Tab to a hidden pane brings it back, with its keys.
    press(&mut app, Key::Tab);
    assert!(app.locations_shown());
    assert_eq!(app.focus, lrotop::app::Pane::Locations);
    let lines = screen(&app, 80, 24);
    assert!(lines.iter().any(|l| l.contains("Locations")));
    let pane: Vec<String> = lines.iter().map(|l| pane_part(l)).collect();
    for name in ["us-west1 ", "us-west4 ", "europe-west1 "] {
        assert!(pane.iter().any(|l| l.contains(name)), "{name}: {pane:?}");
    }
    press(&mut app, Key::Char('L'));
    assert!(!app.locations_shown());
    assert_eq!(app.focus, lrotop::app::Pane::Operations);
    press(&mut app, Key::Char('L'));
    assert!(app.locations_shown());
    // Wide enough: shown on its own.
    app.locations_pane = None;
    let size = ratatui::layout::Rect::new(0, 0, 160, 45);
    let resize = lrotop::ui::resize(size, &app);
    lrotop::app::update(&mut app, resize);
    assert!(app.locations_shown());
    assert!(screen(&app, 160, 45)[1].contains("Locations"));
    assert!(!screen(&app, 160, 45)[44].contains("L locations"));
}

/// `--read-only` still offered `c cancel` in the footer: hints offer no key it refuses.
#[test]
fn read_only_hints_offer_no_mutating_key() {
    use lrotop::app::keys::Key;
    let mut w = common::world(1, 1, 8);
    let mut app = common::loaded_app(&mut w, &["global"]);
    let footer = |app: &lrotop::app::App| screen(app, 160, 20)[19].clone();
    assert!(footer(&app).contains("c cancel"), "{}", footer(&app));
    app.settings.read_only = true;
    let f = footer(&app);
    assert!(!f.contains("cancel") && f.contains("details"), "{f}");
    press(&mut app, Key::Char('*'));
    let f = footer(&app);
    assert!(!f.contains("cancel") && !f.contains("delete"), "{f}");
    assert!(f.contains("clear marks"), "{f}");
    press(&mut app, Key::Enter);
    let text = screen(&app, 160, 20).join("\n");
    assert!(!text.contains("c cancel"), "{text}");
    // A read-only project in view, too.
    press(&mut app, Key::Esc);
    app.settings.read_only = false;
    app.settings.project_flags.insert(
        "demo-project-1".into(),
        lrotop::app::ProjectFlags {
            read_only: true,
            ..Default::default()
        },
    );
    assert!(!footer(&app).contains("cancel"), "{}", footer(&app));
}

/// Help's last line was out of reach at 160×45 (the wrapped lines were counted at the
/// width with the borders), and `G`/End did nothing in help or details.
#[test]
fn help_and_details_scroll_to_their_true_last_line() {
    use lrotop::app::keys::Key;
    use lrotop::app::{Action, Mode, update};
    let mut w = common::world(1, 1, 8);
    let mut app = common::loaded_app(&mut w, &["global"]);
    let area = ratatui::layout::Rect::new(0, 0, 160, 45);
    let last = "any other word is a substring of the name, target or status message";
    press(&mut app, Key::Char('?'));
    assert!(!screen(&app, 160, 45).join("\n").contains(last));
    press(&mut app, Key::Char('G'));
    let lines = screen(&app, 160, 45);
    let at = lines.iter().position(|l| l.contains(last));
    // The last line sits on the row above the frame's bottom border.
    assert_eq!(
        at.map(|y| lines[y + 1].contains('└')),
        Some(true),
        "{}",
        lines.join("\n")
    );
    // Told how far it goes, a key back up moves at once.
    let screen_state = lrotop::ui::Screen::default();
    let max = screen_state
        .scroll_limit(&app, lrotop::ui::Theme::default(), area)
        .unwrap();
    update(&mut app, Action::ScrollLimit(max));
    assert_eq!(app.mode, Mode::Help { scroll: max });
    press(&mut app, Key::Char('k'));
    assert_eq!(app.mode, Mode::Help { scroll: max - 1 });
    assert!(
        !screen(&app, 160, 45).join("\n").contains(last),
        "moved up one line: the last is below the frame again"
    );
    // Page by page reaches the same end.
    press(&mut app, Key::Char('g'));
    for _ in 0..20 {
        press(&mut app, Key::PageDown);
    }
    assert!(screen(&app, 160, 45).join("\n").contains(last));
    press(&mut app, Key::Esc);

    // Details of a finished operation at 60×20 end with the raw JSON's last brace.
    let done = app.view.iter().position(|i| app.rows[*i].op.done).unwrap();
    app.selected = done;
    press(&mut app, Key::Enter);
    press(&mut app, Key::End);
    let lines = screen(&app, 60, 20);
    let bottom = lines
        .iter()
        .position(|l| l.contains("esc close ┘"))
        .unwrap();
    assert_eq!(
        lines[bottom - 1].split('│').nth(1).map(str::trim),
        Some("}"),
        "{}",
        lines.join("\n")
    );
}

/// AGE read `4m` in the table while details said `3m ago` and the cancel dialog kept the
/// age it opened with: one age everywhere, ticking together.
#[test]
fn the_table_details_and_the_cancel_dialog_tell_one_age() {
    use lrotop::app::keys::Key;
    use lrotop::app::{Action, update};
    let mut w = common::world(1, 1, 8);
    let mut app = common::loaded_app(&mut w, &["global"]);
    app.selected = 0;
    let created = app.selected_row().unwrap().op.create_time().unwrap();
    // A moment where rounding to the clock's minute and counting whole minutes differ.
    let mut now = app.now;
    while now.as_second().div_euclid(60) - created.as_second().div_euclid(60)
        == now.duration_since(created).as_secs() / 60
    {
        now += std::time::Duration::from_secs(7);
    }
    update(&mut app, Action::Tick(now));
    for step in 0..3 {
        let age = lrotop::human::aligned_age(created, app.now);
        let lines = screen(&app, 160, 20);
        let row = lines.iter().find(|l| l.contains("RUNNING")).unwrap();
        assert!(
            row.contains(&format!(" {age} ")),
            "step {step}: {age} in {row}"
        );
        press(&mut app, Key::Enter);
        let text = screen(&app, 160, 30).join("\n");
        assert!(
            text.contains(&format!("({age} ago)")),
            "step {step}: {age}\n{text}"
        );
        assert!(text.contains(&format!("running for   {age}")), "{text}");
        press(&mut app, Key::Char('c'));
        let words = common::dialog_words(&app).lines.join("\n");
        assert!(words.contains(&format!("age {age}")), "{words}");
        // The dialog open, the clock goes on: its age goes with the table's.
        let next = app.now + std::time::Duration::from_secs(40);
        update(&mut app, Action::Tick(next));
        let later = lrotop::human::aligned_age(created, app.now);
        let words = common::dialog_words(&app).lines.join("\n");
        assert!(words.contains(&format!("age {later}")), "{words}");
        press(&mut app, Key::Esc);
    }
}

/// A dead endpoint showed no badge for ~20 s: the background refresh retried for the whole
/// call deadline before saying anything. It reports the first failure; its retry is the
/// next refresh.
#[tokio::test]
async fn a_dead_endpoint_is_reported_at_the_first_failure() {
    use lrotop::api::{ClientOptions, OperationsClient};
    use lrotop::app::{Action, Effect};
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // The default policy: retries for up to 30 s.
    let client = OperationsClient::new(ClientOptions::for_endpoint(format!(
        "http://127.0.0.1:{port}"
    )))
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = lrotop::sync::Runner::new(client, tx, false);
    let started = std::time::Instant::now();
    runner.run(Effect::Refresh {
        location: common::loc("global"),
    });
    let answer = tokio::time::timeout(std::time::Duration::from_secs(3), rx.recv())
        .await
        .expect("reported within 3 s")
        .unwrap();
    assert!(
        matches!(answer, Action::Loaded { result: Err(_), .. }),
        "{answer:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

/// Kept rows of a failing location dimmed one cell and read RUNNING with ticking ages; a
/// failing location selected showed an empty table without its error; recovery after the
/// backoff took ~42 s.
#[test]
fn stale_rows_say_so_the_error_shows_in_place_and_recovery_is_soon() {
    use lrotop::api::ApiError;
    use lrotop::app::Effect;
    use lrotop::app::keys::Key;
    let mut w = common::world(1, 2, 8);
    let mut app = common::loaded_app(&mut w, &["global", "us-central1"]);
    let dead = || -> ApiError { ApiError::Transport("connection refused".into()) };
    for _ in 0..8 {
        common::load(&mut app, "global", Err(dead()));
    }
    let t = &app.targets[0];
    let wait = t.next_due.unwrap().duration_since(app.now);
    assert!(
        wait <= jiff::SignedDuration::from_secs(30),
        "a location that was fine waits at most 30 s: {wait:?}"
    );
    // Stale rows: dimmed whole, and no ticking age.
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).unwrap();
    term.draw(|f| lrotop::ui::draw(f, &app, lrotop::ui::Theme::default()))
        .unwrap();
    let buf = term.backend().buffer().clone();
    let line = |y: u16| -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    };
    let mut stale_rows = 0;
    for y in 0..buf.area.height {
        let full = line(y);
        // The table's part of the line, past the locations pane.
        let Some(start) = full.find("││") else {
            continue;
        };
        let l = &full[start..];
        if !["RUNNING", "DONE", "FAILED", "CANCELLED"]
            .iter()
            .any(|w| l.contains(w))
        {
            continue;
        }
        // The TARGET cell, the row's widest, is dim with it.
        let Some(at) = l.find("…") else {
            continue;
        };
        let x = full[..start + at].chars().count() as u16;
        let dim = buf[(x, y)].modifier.contains(ratatui::style::Modifier::DIM);
        if l.contains(" global ") {
            stale_rows += 1;
            assert!(l.contains(" stale "), "{l}");
            assert!(dim, "the whole row is dim: {l}");
        } else {
            assert!(!l.contains(" stale ") && !dim, "{l}");
        }
    }
    assert_eq!(stale_rows, 8);
    // The failing location selected, with nothing to show: its error, in place.
    let mut fresh = common::loaded_app(&mut w, &["global", "us-central1"]);
    common::load(&mut fresh, "us-central1", Ok(vec![]));
    common::load(&mut fresh, "us-central1", Err(dead()));
    press(&mut fresh, Key::Tab);
    press(&mut fresh, Key::Char('G'));
    assert_eq!(
        fresh.location_scope().unwrap().name.location(),
        "us-central1"
    );
    let text = screen(&fresh, 160, 20).join("\n");
    assert!(
        text.contains(
            "us-central1: cannot reach the server: connection refused (r tries again now)"
        ),
        "{text}"
    );
    // `r` tries the failing location at once, backoff or not.
    let fx = press(&mut fresh, Key::Char('r'));
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Refresh { location } if location.location() == "us-central1")
        ),
        "{fx:?}"
    );
}

/// The filter prompt had no cursor keys, ctrl-u or ctrl-w, and esc in the table left an
/// applied filter in place.
#[test]
fn the_filter_prompt_edits_at_a_cursor_and_esc_in_the_table_clears_the_filter() {
    use lrotop::app::Mode;
    use lrotop::app::keys::Key;
    let mut w = common::world(1, 2, 8);
    let mut app = common::loaded_app(&mut w, &["global", "us-central1"]);
    let text = |app: &lrotop::app::App| match &app.mode {
        Mode::FilterInput { text, .. } => text.clone(),
        other => panic!("{other:?}"),
    };
    type_keys(&mut app, "/state=running glbal");
    for _ in 0..3 {
        press(&mut app, Key::Left);
    }
    type_keys(&mut app, "o");
    assert_eq!(text(&app), "state=running global");
    press(&mut app, Key::Home);
    type_keys(&mut app, "location=us-central1 ");
    press(&mut app, Key::End);
    press(&mut app, Key::Ctrl('w'));
    assert_eq!(text(&app), "location=us-central1 state=running ");
    press(&mut app, Key::Ctrl('w'));
    assert_eq!(text(&app), "location=us-central1 ");
    press(&mut app, Key::Right);
    press(&mut app, Key::Left);
    press(&mut app, Key::Backspace);
    assert_eq!(text(&app), "location=us-central ");
    press(&mut app, Key::Ctrl('u'));
    assert_eq!(text(&app), " ");
    type_keys(&mut app, "state=running");
    assert_eq!(text(&app), "state=running ");
    // The cursor is drawn where typing goes.
    press(&mut app, Key::Home);
    let status = screen(&app, 160, 12)[10].clone();
    assert!(status.starts_with(" / state=running"), "{status}");
    press(&mut app, Key::Enter);
    assert_eq!(app.view.len(), 8);
    press(&mut app, Key::Esc);
    assert!(app.filter.is_empty());
    assert_eq!(app.view.len(), 16);
}

/// "Cancel 1 operations?"; and a cancel under way said nothing of since when.
#[test]
fn one_is_singular_and_a_pending_cancel_says_since_when() {
    use lrotop::app::keys::Key;
    use lrotop::app::{Action, update};
    let mut w = common::world(1, 1, 8);
    let mut app = common::loaded_app(&mut w, &["global"]);
    press(&mut app, Key::Char(' '));
    press(&mut app, Key::Char('C'));
    assert_eq!(common::dialog_words(&app).title, "Cancel 1 operation?");
    press(&mut app, Key::Esc);
    press(&mut app, Key::Char('G'));
    press(&mut app, Key::Char(' '));
    press(&mut app, Key::Char('D'));
    let words = common::dialog_words(&app);
    assert_eq!(words.title, "Delete 2 operation records?");
    press(&mut app, Key::Esc);
    press(&mut app, Key::Char('u'));
    press(&mut app, Key::Char('D'));
    let words = common::dialog_words(&app);
    assert_eq!(words.title, "Delete 1 operation record?");
    assert!(
        words.lines[0].starts_with("1 operation record will be deleted"),
        "{words:?}"
    );
    press(&mut app, Key::Esc);

    press(&mut app, Key::Char('g'));
    let name = app.selected_row().unwrap().op.name.clone();
    press(&mut app, Key::Char('c'));
    press(&mut app, Key::Char('y'));
    update(
        &mut app,
        Action::CancelSent {
            name: name.clone(),
            result: Ok(()),
        },
    );
    let asked = app.now;
    let later = app.now + std::time::Duration::from_secs(150);
    update(&mut app, Action::Tick(later));
    common::select(&mut app, &name);
    press(&mut app, Key::Enter);
    let text = screen(&app, 160, 30).join("\n");
    let ago = lrotop::human::aligned_age(asked, later);
    assert!(ago.ends_with('m'), "{ago}");
    assert!(
        text.contains(&format!("cancel requested {ago} ago")),
        "{text}"
    );
}

/// Read-only and protected projects were not marked in the all-projects view.
#[test]
fn read_only_and_protected_projects_are_marked_in_the_all_projects_view() {
    let mut w = common::world(2, 1, 8);
    let mut app = lrotop::app::App::new(
        common::settings(),
        vec!["demo-project-1".into(), "demo-project-2".into()],
        Some(vec!["global".into()]),
        common::t0(),
    );
    app.settings.project_flags.insert(
        "demo-project-2".into(),
        lrotop::app::ProjectFlags {
            alias: Some("prod".into()),
            read_only: true,
            protected: true,
            accent: None,
        },
    );
    lrotop::app::update(&mut app, lrotop::app::Action::Tick(common::t0()));
    for p in ["demo-project-1", "demo-project-2"] {
        lrotop::app::update(
            &mut app,
            lrotop::app::Action::Loaded {
                location: lrotop::api::LocationName::new(p, "global").unwrap(),
                result: Ok(w.snapshot(p, "global")),
            },
        );
    }
    let lines = screen(&app, 160, 30);
    let pane: Vec<String> = lines.iter().map(|l| pane_part(l)).collect();
    let heading = pane
        .iter()
        .position(|l| l.contains("prod (demo-project-2)"))
        .unwrap();
    assert!(pane[heading + 1].contains("[ro,prot]"), "{pane:?}");
    let rows: Vec<&String> = lines.iter().filter(|l| l.contains("RUNNING")).collect();
    assert!(
        rows.iter().any(|l| l.contains(" prod [ro,prot] ")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|l| l.contains(" demo-project-1 ")),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|l| !l.contains("demo-project-1 [")),
        "{rows:?}"
    );
}

/// `--format` where it makes sense (13.8): `describe` as JSON (default), one line or a
/// table; `wait` as a table, JSON lines or CSV.
#[test]
fn describe_and_wait_take_a_format() {
    let emu = emulator();
    let done = emu
        .snapshot("demo-project-1", "global")
        .into_iter()
        .find(|o| o.done)
        .unwrap()
        .name;
    let out = lrotop(&emu, &["describe", &done, "--format", "jsonl"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["name"], done.as_str());
    let out = lrotop(&emu, &["describe", &done, "--format", "table"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("STATE") && text.contains(&done), "{text}");
    let out = lrotop(&emu, &["wait", &done, "--format", "jsonl"]);
    assert!(out.status.success());
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(v["name"], done.as_str());
    assert!(v["state"].as_str().is_some());
    let out = lrotop(&emu, &["wait", &done, "--format", "csv"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("STATE,NAME,DETAIL\r\n"));
}
