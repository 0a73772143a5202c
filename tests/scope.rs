//! Mutations act only where the user pointed, under the config's rules, whoever sends them:
//! the CLI's `cancel`/`delete` (by name and by filter, against a server that lists names
//! outside the asked location) and the dashboard's `c`, `C` and `D`.

mod common;

use axum::Router;
use axum::extract::Path;
use axum::http::Method;
use axum::routing::get;
use common::*;
use lrotop::api::{Operation, OperationName};
use lrotop::app::keys::Key;
use lrotop::app::policy::Skip;
use lrotop::app::{Action, App, Effect, Mode, ProjectFlags, update};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server was asked to change: `POST projects/…:cancel`, `DELETE projects/…`.
type Mutations = Arc<Mutex<Vec<String>>>;

/// A server whose listing of `projects/p/locations/l` returns its own operation and two
/// that are named elsewhere: one in `evil`, one in another location of `p`.
struct Hostile {
    url: String,
    mutations: Mutations,
    _rt: tokio::runtime::Runtime,
}

fn running(name: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "metadata": {"@type": "type.googleapis.com/google.cloud.cloudaicompanion.v1.OperationMetadata", "verb": "create", "target": "x"},
        "done": false
    })
}

const OWN: &str = "projects/p/locations/l/operations/own";
const OWN2: &str = "projects/p/locations/l/operations/own2";
const EVIL: &str = "projects/evil/locations/l/operations/x";
const ELSEWHERE: &str = "projects/p/locations/other/operations/y";

fn hostile() -> Hostile {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mutations: Mutations = Arc::default();
    let m = mutations.clone();
    let app = Router::new()
        .route(
            "/v1/projects/{p}/locations/{l}/operations",
            get(|| async {
                axum::Json(serde_json::json!({
                    "operations": [running(OWN), running(EVIL), running(ELSEWHERE), running(OWN2)]
                }))
            }),
        )
        .route(
            "/v1/projects/{p}/locations/{l}/operations/{op}",
            axum::routing::any(
                move |method: Method, Path((p, l, op)): Path<(String, String, String)>| {
                    let m = m.clone();
                    async move {
                        let name = format!("projects/{p}/locations/{l}/operations/{op}");
                        if method != Method::GET {
                            m.lock().unwrap().push(format!("{method} {name}"));
                            return axum::Json(serde_json::json!({}));
                        }
                        axum::Json(running(&name))
                    }
                },
            ),
        );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    Hostile {
        url,
        mutations,
        _rt: rt,
    }
}

impl Hostile {
    fn mutations(&self) -> Vec<String> {
        self.mutations.lock().unwrap().clone()
    }
}

const CONFIG: &str = r#"
[[project]]
id = "evil"
read_only = true

[[project]]
id = "p"
locations = ["l"]

[[project]]
id = "prod-1234"
alias = "prod"
locations = ["l"]
protected = true
"#;

fn config_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn lrotop(server: &Hostile, config: &str, args: &[&str]) -> Output {
    common::hermetic_lrotop()
        .args(["--config", config, "--endpoint", &server.url])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn results(out: &Output) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn filtered_cancel_and_delete_act_only_under_the_listed_parent() {
    let server = hostile();
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, CONFIG);
    for (verb, method) in [("cancel", "POST"), ("delete", "DELETE")] {
        let out = lrotop(
            &server,
            &config,
            &[
                verb,
                "--filter",
                "state=running",
                "-p",
                "p",
                "-l",
                "l",
                "--yes",
                "--format",
                "json",
            ],
        );
        assert!(out.status.success(), "{verb}: {}", text(&out.stderr));
        let suffix = if verb == "cancel" { ":cancel" } else { "" };
        // Sent concurrently: in any order.
        let mut sent = server.mutations();
        sent.sort();
        let mut want = vec![
            format!("{method} {OWN}{suffix}"),
            format!("{method} {OWN2}{suffix}"),
        ];
        want.sort();
        assert_eq!(
            sent, want,
            "{verb}: only the names under projects/p/locations/l"
        );
        server.mutations.lock().unwrap().clear();
        let r = results(&out);
        for foreign in [EVIL, ELSEWHERE] {
            let (_, result, message) = r.iter().find(|(n, _, _)| n == foreign).unwrap();
            assert_eq!(result, "skipped", "{verb} {foreign}");
            assert!(
                message.contains("named outside projects/p/locations/l"),
                "{message}"
            );
        }
        assert!(
            text(&out.stderr).contains("2 operation(s) named outside it"),
            "a warning for the location: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_named_operation_follows_its_own_projects_rules() {
    let server = hostile();
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, CONFIG);
    // `evil` is read-only in the config although only `p` is in scope.
    for verb in ["cancel", "delete"] {
        let out = lrotop(
            &server,
            &config,
            &[verb, EVIL, "-p", "p", "--yes", "--format", "json"],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            results(&out),
            [(
                EVIL.to_string(),
                "skipped".to_string(),
                "read-only project: nothing sent".to_string()
            )]
        );
        assert!(server.mutations().is_empty(), "{verb}");
    }
}

#[test]
fn a_protected_project_needs_its_word_beside_yes() {
    let server = hostile();
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, CONFIG);
    let name = "projects/prod-1234/locations/l/operations/a";
    for verb in ["cancel", "delete"] {
        let out = lrotop(&server, &config, &[verb, name, "--yes"]);
        assert_eq!(out.status.code(), Some(2), "{verb}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("projects/prod-1234 is protected") && err.contains("--yes --confirm prod"),
            "{err}"
        );
        let out = lrotop(
            &server,
            &config,
            &[verb, name, "--yes", "--confirm", "staging"],
        );
        assert_eq!(out.status.code(), Some(2), "a wrong word: {verb}");
        assert!(server.mutations().is_empty(), "{verb}: nothing sent");
    }
    // The alias or the id.
    for word in ["prod", "prod-1234"] {
        let out = lrotop(
            &server,
            &config,
            &["cancel", name, "--yes", "--confirm", word],
        );
        assert!(out.status.success(), "{word}: {}", text(&out.stderr));
    }
    assert_eq!(server.mutations().len(), 2);
}

/// At a terminal, the config's threshold (not a built-in 20) decides when the count is typed.
#[test]
fn the_terminal_prompt_uses_the_configured_threshold() {
    let server = hostile();
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, &format!("bulk_confirm_threshold = 1\n{CONFIG}"));
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_lrotop"));
    cmd.args(["--config", &config, "--endpoint", &server.url]);
    cmd.args(["cancel", OWN, OWN2]);
    cmd.env("XDG_CONFIG_HOME", dir.path().join("xdg"));
    cmd.env("XDG_STATE_HOME", dir.path().join("state"));
    cmd.env("HOME", dir.path());
    cmd.env_remove("LROTOP_ENDPOINT");
    cmd.env_remove("LROTOP_PROJECT");
    cmd.env_remove("LROTOP_CONFIG");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let _master = pair.master;
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.contains("to confirm:") && !seen.contains("[y/N]") {
        assert!(Instant::now() < deadline, "no prompt: {seen}");
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(100)) {
            seen.push_str(&String::from_utf8_lossy(&b));
        }
    }
    assert!(seen.contains("Type 2 to confirm:"), "{seen}");
    writer.write_all(b"2\r").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not finish: {seen}");
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(50)) {
            seen.push_str(&String::from_utf8_lossy(&b));
        }
    };
    assert!(status.success(), "{seen}");
    assert_eq!(server.mutations().len(), 2, "{seen}");
}

// The dashboard: a page of `global` that carries names from elsewhere.

fn with_foreign(w: &mut lrotop::emulator::state::World) -> (App, Vec<String>) {
    let mut app = loaded_app(w, &["global"]);
    let mut ops: Vec<Operation> = w.snapshot("demo-project-1", "global");
    let mut foreign = Vec::new();
    for (i, name) in [
        "projects/evil/locations/global/operations/x",
        "projects/demo-project-1/locations/us-east4/operations/y",
    ]
    .iter()
    .enumerate()
    {
        let mut op = ops[0].clone();
        op.name = name.to_string();
        ops.insert(i, op);
        foreign.push(name.to_string());
    }
    load(&mut app, "global", Ok(ops));
    (app, foreign)
}

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    update(app, Action::Key(k))
}

fn sent(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .flat_map(|e| match e {
            Effect::CancelMany { names } | Effect::Delete { names } => {
                names.iter().map(OperationName::to_string).collect()
            }
            Effect::Cancel { name } => vec![name.to_string()],
            _ => vec![],
        })
        .collect()
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn the_dashboard_shows_foreign_names_and_never_acts_on_them() {
    let mut w = world(1, 1, 8);
    let (mut app, foreign) = with_foreign(&mut w);
    // Told once, per location.
    assert!(
        app.log
            .iter()
            .any(|l| l.text.contains("listed 2 operation(s) named outside")),
        "{:?}",
        app.log
    );
    for name in &foreign {
        let r = app.row(name).expect("shown");
        assert!(app.is_foreign(r), "{name}");
    }
    // `c` on a foreign row.
    select(&mut app, &foreign[0]);
    assert!(sent(&key(&mut app, Key::Char('c'))).is_empty());
    assert_eq!(app.mode, Mode::Normal, "{}", status(&app));
    assert!(status(&app).contains("never cancelled"), "{}", status(&app));
    // `D` on a foreign row.
    select(&mut app, &foreign[1]);
    key(&mut app, Key::Char('D'));
    assert_eq!(app.mode, Mode::Normal, "{}", status(&app));
    // Space will not mark it; `*` marks every visible running row but these.
    key(&mut app, Key::Char(' '));
    assert!(app.marks.is_empty());
    key(&mut app, Key::Char('*'));
    assert!(!app.marks.is_empty());
    assert!(foreign.iter().all(|n| !app.marks.contains(n)));
    // Even a mark put there directly is judged by the policy at `C`, and at `y`.
    app.marks.extend(foreign.iter().cloned());
    key(&mut app, Key::Char('C'));
    assert!(matches!(app.mode, Mode::Confirm(_)), "{}", status(&app));
    let skipped = many_facts(&app).skipped;
    assert_eq!(skipped.get(&Skip::Foreign), Some(&2), "{skipped:?}");
    let words = dialog_words(&app);
    assert!(
        words
            .lines
            .join(" ")
            .contains("2 listed under another location"),
        "{words:?}"
    );
    let fx = key(&mut app, Key::Char('y'));
    let sent = sent(&fx);
    assert!(!sent.is_empty());
    assert!(foreign.iter().all(|n| !sent.contains(n)), "{sent:?}");
    // And D with marks.
    let (mut app, foreign) = with_foreign(&mut w);
    app.marks.extend(foreign.iter().cloned());
    key(&mut app, Key::Char('D'));
    assert_eq!(app.mode, Mode::Normal, "{}", status(&app));
    assert!(status(&app).contains("foreign"), "{}", status(&app));
}

#[test]
fn the_dashboard_judges_read_only_and_protection_by_the_name() {
    let mut w = world(1, 1, 8);
    let (mut app, foreign) = with_foreign(&mut w);
    app.settings.project_flags.insert(
        "demo-project-1".into(),
        ProjectFlags {
            alias: Some("demo".into()),
            protected: true,
            ..Default::default()
        },
    );
    app.settings.bulk_confirm_threshold = 100;
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('C'));
    let Mode::Confirm(c) = &app.mode else {
        panic!("{}", status(&app))
    };
    assert_eq!(
        c.typed.as_ref().map(|t| t.expected.as_str()),
        Some("demo"),
        "a protected project's alias is typed"
    );
    assert!(!foreign.is_empty());
}

#[test]
fn a_protected_projects_id_confirms_as_its_alias_does() {
    let mut w = world(1, 1, 8);
    for word in ["demo", "demo-project-1"] {
        let mut app = loaded_app(&mut w, &["global"]);
        app.settings.project_flags.insert(
            "demo-project-1".into(),
            ProjectFlags {
                alias: Some("demo".into()),
                protected: true,
                ..Default::default()
            },
        );
        key(&mut app, Key::Char('c'));
        for ch in word.chars() {
            key(&mut app, Key::Char(ch));
        }
        let fx = key(&mut app, Key::Enter);
        assert_eq!(sent(&fx).len(), 1, "{word}: {}", status(&app));
    }
}

#[test]
fn the_locations_pane_flags_a_location_whose_listing_had_foreign_names() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    let draw = |app: &App| {
        let mut t = Terminal::new(TestBackend::new(120, 20)).unwrap();
        t.draw(|f| lrotop::ui::draw(f, app, lrotop::ui::Theme::default()))
            .unwrap();
        t.backend().buffer().clone()
    };
    let line_of = |buf: &ratatui::buffer::Buffer, word: &str| -> String {
        (0..buf.area.height)
            .map(|y| {
                (0..30)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .find(|l| l.contains(word))
            .unwrap_or_default()
    };
    let before = draw(&app);
    assert!(
        line_of(&before, "global").starts_with("│ global"),
        "{}",
        line_of(&before, "global")
    );
    let mut ops: Vec<Operation> = w.snapshot("demo-project-1", "global");
    let mut op = ops[0].clone();
    op.name = "projects/evil/locations/global/operations/x".into();
    ops.push(op);
    load(&mut app, "global", Ok(ops));
    let after = draw(&app);
    assert!(
        line_of(&after, "global").starts_with("│!global"),
        "{}",
        line_of(&after, "global")
    );
    assert!(line_of(&after, "us-central1").starts_with("│ us-central1"));
}
