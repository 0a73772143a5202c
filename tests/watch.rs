//! Watching operations: `w`, then the bell, a desktop notification (OSC 9 / OSC 777) and the
//! status line when one finishes; `lrotop wait --notify` for scripts.

mod common;

use common::dashboard::Dashboard;
use common::*;
use lrotop::api::Operation;
use lrotop::app::keys::Key;
use lrotop::app::{Action, App, Effect, update};
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    update(app, Action::Key(k))
}

fn notices(fx: &[Effect]) -> Vec<(String, String)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Notify { title, body } => Some((title.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_watched_operation_that_finishes_is_told_once() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut ops: Vec<Operation> = w.snapshot("demo-project-1", "global");
    let running = ops.iter().position(|o| !o.done).unwrap();
    let name = ops[running].name.clone();
    select(&mut app, &name);
    assert!(key(&mut app, Key::Char('w')).is_empty());
    assert!(app.watching.contains(&name));
    // A refresh where it still runs says nothing.
    assert!(notices(&load(&mut app, "global", Ok(ops.clone()))).is_empty());
    ops[running].done = true;
    let fx = load(&mut app, "global", Ok(ops.clone()));
    let told = notices(&fx);
    assert_eq!(told.len(), 1, "{fx:?}");
    assert!(told[0].0.contains("DONE") && told[0].1 == name, "{told:?}");
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("finished: DONE"), "{status}");
    assert!(app.watching.is_empty());
    assert!(
        notices(&load(&mut app, "global", Ok(ops))).is_empty(),
        "once"
    );
}

#[test]
fn w_again_stops_watching_and_marks_are_watched_together() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = app
        .view
        .iter()
        .map(|i| &app.rows[*i])
        .find(|r| r.state.is_active())
        .unwrap()
        .op
        .name
        .clone();
    select(&mut app, &name);
    key(&mut app, Key::Char('w'));
    key(&mut app, Key::Char('w'));
    assert!(app.watching.is_empty());
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('w'));
    let running = app.rows.iter().filter(|r| r.state.is_active()).count();
    assert_eq!(app.watching.len(), running);
    // A vanished one is told too.
    let fx = load(&mut app, "global", Ok(Vec::new()));
    assert_eq!(notices(&fx).len(), running);
}

/// The real binary: the bytes of the bell and both notifications reach the terminal when a
/// watched operation is cancelled behind the dashboard's back.
#[test]
fn the_notification_reaches_the_terminal() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let cancellable = emu.snapshot("demo-project-1", "global")[0].name.clone();
    let dir = tempfile::tempdir().unwrap();
    let mut d = Dashboard::start(&emu, &["--refresh", "1s"], dir.path());
    d.wait_for("rows", &|s| s.contains("RUNNING"));
    d.send(b"*w");
    d.wait_for("watching", &|s| s.contains("watching 4 more"));
    let before = d.raw.len();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/v1/{cancellable}:cancel", emu.url()))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success());
    d.wait_for("the status line", &|s| s.contains("finished: CANCELLED"));
    let raw = String::from_utf8_lossy(&d.raw[before..]).into_owned();
    assert!(raw.contains('\u{7}'), "the bell");
    assert!(raw.contains("\u{1b}]9;lrotop: "), "OSC 9: {raw:?}");
    assert!(raw.contains("\u{1b}]777;notify;lrotop: "), "OSC 777");
    d.send(b"q");
    let _ = d.child.wait();
}

/// `lrotop wait --notify` at a terminal: the bell and the notifications on stderr when it
/// ends; without `--notify`, nothing of the kind.
#[test]
fn wait_notify_rings_at_the_terminal() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let done = emu.snapshot("demo-project-1", "global")[4].name.clone();
    let dir = tempfile::tempdir().unwrap();
    for notify in [true, false] {
        let mut args = vec!["wait", done.as_str()];
        if notify {
            args.push("--notify");
        }
        let mut d = Dashboard::start(&emu, &args, dir.path());
        d.wait_for("the result", &|s| s.contains("DONE"));
        let _ = d.child.wait();
        d.pump();
        let raw = String::from_utf8_lossy(&d.raw).into_owned();
        assert_eq!(
            raw.contains("\u{1b}]9;lrotop wait: all done"),
            notify,
            "{raw:?}"
        );
        assert_eq!(raw.contains('\u{7}'), notify, "{raw:?}");
    }
}

/// The mouse (13.6): a click selects the row under it, the wheel scrolls; mouse reporting
/// is switched off again on the way out, and never switched on with `--no-mouse`.
#[test]
fn a_click_selects_the_row_under_it() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut d = Dashboard::start(&emu, &[], dir.path());
    d.wait_for("rows", &|s| s.matches("RUNNING").count() == 4);
    assert!(
        String::from_utf8_lossy(&d.raw).contains("\u{1b}[?1000h"),
        "mouse on"
    );
    // Screen rows (0-based): header, the panes' top border, the column titles, then the
    // operations: the third one is on row 5.
    let line = d
        .parser
        .screen()
        .contents()
        .lines()
        .nth(5)
        .unwrap()
        .to_string();
    let id = line
        .rsplit('…')
        .next()
        .unwrap()
        .trim_end_matches(['│', ' '])
        .to_string();
    assert_eq!(id.len(), 8, "{line}");
    // SGR mouse: press and release of the left button at column 80, row 6 (1-based).
    d.send(b"\x1b[<0;80;6M\x1b[<0;80;6m");
    d.send(b"\r");
    // The full name, with its id whole, is in the details pane only.
    d.wait_for("the clicked one's details", &|s| {
        s.contains("/operations/operation-") && s.contains(&format!("-{id}"))
    });
    d.send(b"q");
    d.wait_for("back", &|s| !s.contains("/operations/operation-"));
    d.send(b"q");
    let _ = d.child.wait();
    d.pump();
    let raw = String::from_utf8_lossy(&d.raw).into_owned();
    assert!(raw.contains("\u{1b}[?1000l"), "mouse off again");

    let mut d = Dashboard::start(&emu, &["--no-mouse"], dir.path());
    d.wait_for("rows", &|s| s.contains("RUNNING"));
    d.send(b"q");
    let _ = d.child.wait();
    d.pump();
    assert!(!String::from_utf8_lossy(&d.raw).contains("\u{1b}[?1000h"));
}
