//! Open in the console: `o` in the dashboard (the overlay, the clipboard, the OSC 8 link
//! drawn over the cells that show the address), `describe --url`, and a `[[service]]`'s
//! own `console` page, through the update and ui layers and the real binary.

mod common;

use common::dashboard::Dashboard;
use common::*;
use lrotop::api::console::{Page, url_for};
use lrotop::api::{Operation, OperationName};
use lrotop::app::keys::Key;
use lrotop::app::{Action, App, Effect, Mode, update};
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use lrotop::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    update(app, Action::Key(k))
}

fn copied(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::CopyLink { url } => Some(url.to_string()),
            _ => None,
        })
        .collect()
}

/// What the console link of `op` must be: its audit entries over its own lifetime.
fn expected(op: &Operation) -> String {
    let name = OperationName::parse(&op.name).unwrap();
    url_for(&name, op.create_time(), op.end_time(), None).to_string()
}

/// The static world's `global`, loaded, with the first operation that is `done` (or not)
/// selected.
fn selected(done: bool) -> (App, Operation) {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let op = w
        .snapshot("demo-project-1", "global")
        .into_iter()
        .find(|o| o.done == done)
        .unwrap();
    select(&mut app, &op.name);
    (app, op)
}

#[test]
fn o_shows_and_copies_the_selected_operation_s_link_and_esc_goes_back() {
    // A finished one: its link is bounded on both sides.
    let (mut app, done) = selected(true);
    let fx = key(&mut app, Key::Char('o'));
    let want = expected(&done);
    assert_eq!(copied(&fx), std::slice::from_ref(&want), "{fx:?}");
    assert!(want.starts_with("https://console.cloud.google.com/logs/query;query="));
    assert!(want.contains(";timeRange=") && want.ends_with("?project=demo-project-1"));
    let Mode::Link(link) = &app.mode else {
        panic!("no overlay: {:?}", app.mode)
    };
    assert_eq!(link.url.to_string(), want);
    assert_eq!(link.url.page, Page::AuditLog);
    assert_eq!(link.name.to_string(), done.name);
    // `y` copies it again; esc closes, back to the table.
    assert_eq!(copied(&key(&mut app, Key::Char('y'))), [want]);
    assert!(key(&mut app, Key::Esc).is_empty());
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn from_the_details_o_goes_back_to_the_details() {
    let (mut app, running) = selected(false);
    key(&mut app, Key::Enter);
    assert!(matches!(app.mode, Mode::Details { .. }));
    let fx = key(&mut app, Key::Char('o'));
    // Still running: the range is open to now.
    let want = expected(&running);
    assert!(want.contains("%2F?project="), "{want}");
    assert_eq!(copied(&fx), [want]);
    key(&mut app, Key::Char('o'));
    assert!(matches!(app.mode, Mode::Details { .. }), "{:?}", app.mode);
}

#[test]
fn nothing_selected_or_a_foreign_name_gets_no_link() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    app.selected = usize::MAX;
    assert!(copied(&key(&mut app, Key::Char('o'))).is_empty());
    assert_eq!(app.mode, Mode::Normal);
    // A name from another project, on a page of this one: never a link to that project.
    let mut ops = w.snapshot("demo-project-1", "global");
    let mut evil = ops[0].clone();
    evil.name = "projects/evil/locations/global/operations/x".into();
    ops.insert(0, evil);
    load(&mut app, "global", Ok(ops));
    select(&mut app, "projects/evil/locations/global/operations/x");
    let fx = key(&mut app, Key::Char('o'));
    assert!(copied(&fx).is_empty(), "{fx:?}");
    assert_eq!(app.mode, Mode::Normal);
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("no link"), "{status}");
}

#[test]
fn a_service_s_console_template_names_its_own_page() {
    use lrotop::api::service::builtin;
    let mut run = builtin("run").unwrap().as_ref().clone();
    run.console = Some(
        "https://console.cloud.google.com/run/detail/{location}/{id}?project={project}".into(),
    );
    let mut app = App::with_projects(
        settings(),
        vec![("demo-project-1".to_string(), Some(Vec::new()))],
        t0(),
    );
    app.add_service_targets(
        "demo-project-1",
        std::sync::Arc::new(run),
        &["us-central1".to_string()],
        &|l: &str| format!("https://run.googleapis.com/v2/{l}/"),
    );
    update(&mut app, Action::Tick(t0()));
    let mut w = world(1, 2, 8);
    let ops = w.snapshot("demo-project-1", "us-central1");
    update(
        &mut app,
        Action::FromService {
            service: "run".into(),
            action: Box::new(Action::Loaded {
                location: lrotop::api::LocationName::new("demo-project-1", "us-central1").unwrap(),
                result: Ok(ops.clone()),
            }),
        },
    );
    select(&mut app, &ops[0].name);
    let fx = key(&mut app, Key::Char('o'));
    let id = OperationName::parse(&ops[0].name).unwrap().id().to_string();
    assert_eq!(
        copied(&fx),
        [format!(
            "https://console.cloud.google.com/run/detail/us-central1/{id}?project=demo-project-1"
        )]
    );
    let Mode::Link(link) = &app.mode else {
        panic!()
    };
    assert_eq!(link.url.page, Page::Service);
    assert_eq!(link.service.as_deref(), Some("Cloud Run"));
}

fn screen_text(t: &Terminal<TestBackend>, area: Rect) -> Vec<String> {
    let buf = t.backend().buffer();
    (area.y..area.y + area.height)
        .map(|y| {
            (area.x..area.x + area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// The runtime writes the OSC 8 link over the cells `link_layout` names; they must hold
/// exactly those pieces of the address, in order, at every width, or a click would open
/// something other than what is shown.
#[test]
fn the_overlay_draws_the_whole_address_where_the_hyperlink_goes() {
    let (mut app, _) = selected(true);
    key(&mut app, Key::Char('o'));
    let Mode::Link(link) = app.mode.clone() else {
        panic!()
    };
    for (width, height) in [(200u16, 40u16), (120, 30), (80, 24), (60, 20)] {
        let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
        t.draw(|f| ui::draw(f, &app, Theme::Default)).unwrap();
        let area = Rect::new(0, 0, width, height);
        let layout = ui::link_layout(&link, area);
        let buf = t.backend().buffer();
        let mut joined = String::new();
        for (x, y, range) in &layout.pieces {
            let piece = &link.url.as_str()[range.clone()];
            let drawn: String = (*x..*x + piece.len() as u16)
                .map(|cx| buf[(cx, *y)].symbol().to_string())
                .collect();
            assert_eq!(drawn, piece, "at {width}×{height}, row {y}");
            joined.push_str(piece);
        }
        assert_eq!(joined, link.url.to_string(), "at {width}×{height}");
        let text = screen_text(&t, layout.rect).join("\n");
        assert!(text.contains("Console"), "{text}");
        assert!(text.contains("Logs Explorer"), "{text}");
        assert!(text.contains("close"), "the keys in the border: {text}");
    }
}

#[test]
fn help_names_o() {
    let rows = lrotop::app::modes::ModeKind::Table.help();
    assert!(
        rows.iter()
            .any(|r| r.keys == "o" && r.help.contains("console link")),
        "{rows:?}"
    );
}

fn lrotop(emu: &BackgroundEmulator, args: &[&str]) -> std::process::Output {
    hermetic_lrotop()
        .arg("--endpoint")
        .arg(emu.url())
        .args(args)
        .output()
        .unwrap()
}

/// What a command that must succeed printed.
fn stdout_of(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn describe_url_prints_the_link_alone_in_a_pipe() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let ops = emu.snapshot("demo-project-1", "global");
    for op in [&ops[0], &ops[4]] {
        assert_eq!(
            stdout_of(lrotop(&emu, &["describe", "--url", &op.name])),
            format!("{}\n", expected(op)),
            "no escape sequence when stdout is not a terminal"
        );
    }
    // A link to something that is not there is an error, not a guess.
    let missing = "projects/demo-project-1/locations/global/operations/nope";
    let out = lrotop(&emu, &["describe", "--url", missing]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let out = lrotop(
        &emu,
        &["describe", "--url", "--format", "json", &ops[0].name],
    );
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

#[test]
fn describe_url_takes_the_service_s_console_template() {
    use lrotop::api::service::builtin;
    let mut cfg = EmulatorConfig::new(Scenario::Static).with_catalogue();
    cfg.projects = 1;
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let run = builtin("run").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[[project]]\nid = \"demo-project-1\"\nservices = [\"run\"]\nlocations = [\"us-central1\"]\n\n\
             [[service]]\nname = \"run\"\nendpoint = \"{}\"\n\
             console = \"https://console.cloud.google.com/run/detail/{{location}}/{{id}}?project={{project}}\"\n",
            emu.endpoint_for(run)
        ),
    )
    .unwrap();
    let op = &emu.service_snapshot("run", "demo-project-1", "us-central1")[0];
    let id = OperationName::parse(&op.name).unwrap().id().to_string();
    let out = hermetic_lrotop()
        .arg("--config")
        .arg(&path)
        .args(["describe", "--url", &op.name])
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(out),
        format!(
            "https://console.cloud.google.com/run/detail/us-central1/{id}?project=demo-project-1\n"
        )
    );
}

/// The real binary in a pty: `o` writes the address to the clipboard (OSC 52) and as an
/// OSC 8 hyperlink, and the screen shows it.
#[test]
fn o_in_the_real_dashboard_writes_osc52_and_osc8() {
    use base64::prelude::{BASE64_STANDARD, Engine};
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let first = emu.snapshot("demo-project-1", "global");
    let dir = tempfile::tempdir().unwrap();
    let mut d = Dashboard::start(&emu, &[], dir.path());
    d.wait_for("rows", &|s| s.contains("RUNNING"));
    let before = d.raw.len();
    d.send(b"o");
    d.wait_for("the overlay", &|s| s.contains("Logs Explorer"));
    // The hyperlink follows the frame that drew the overlay.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !String::from_utf8_lossy(&d.raw[before..]).contains("\u{1b}]8;id=")
        && std::time::Instant::now() < deadline
    {
        d.pump();
    }
    let raw = String::from_utf8_lossy(&d.raw[before..]).into_owned();
    let start = raw.find("\u{1b}]52;c;").expect("OSC 52") + "\u{1b}]52;c;".len();
    let len = raw[start..].find('\u{1b}').unwrap();
    let url = String::from_utf8(BASE64_STANDARD.decode(&raw[start..start + len]).unwrap()).unwrap();
    // The link of one of the operations on screen, and the same in the hyperlink.
    assert!(first.iter().any(|op| expected(op) == url), "{url}");
    assert!(
        raw.contains(&format!("\u{1b}]8;id=lrotop-console;{url}\u{1b}\\")),
        "OSC 8: {raw:?}"
    );
    d.send(b"\x1b");
    d.wait_for("closed", &|s| !s.contains("Logs Explorer"));
    d.send(b"q");
    let _ = d.child.wait();
}
