//! The `lrotop` binary's headless commands against an emulator on 127.0.0.1.

use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::process::{Command, Output, Stdio};

fn emulator(tweak: impl FnOnce(&mut EmulatorConfig)) -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    tweak(&mut cfg);
    BackgroundEmulator::start(cfg).unwrap()
}

fn lrotop(emu: &BackgroundEmulator, args: &[&str]) -> Output {
    hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
        .arg("--endpoint")
        .arg(emu.url())
        .args(args)
        .env_remove("LROTOP_ENDPOINT")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The static world's first eight operations per location are, in order: cancellable,
/// ignores cancel, refuses (UNIMPLEMENTED), refuses (PERMISSION_DENIED), done, failed,
/// cancelled, done despite a cancel.
fn op(emu: &BackgroundEmulator, i: usize) -> String {
    emu.snapshot("demo-project-1", "global")[i].name.clone()
}

#[test]
fn list_prints_a_table_of_every_location() {
    let emu = emulator(|_| {});
    let out = lrotop(&emu, &["list", "-p", "demo-project-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("STATE")
            && lines[0].contains("LOCATION")
            && lines[0].ends_with("NAME")
    );
    assert_eq!(lines.len(), 1 + 3 * 8, "{stdout}");
    for state in ["RUNNING", "DONE", "FAILED", "CANCELLED"] {
        assert!(
            lines.iter().any(|l| l.starts_with(state)),
            "{state} missing"
        );
    }
    for loc in ["global", "us-central1", "us-east4"] {
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains(&format!(" {loc} ")))
                .count(),
            8,
            "{loc}"
        );
    }
}

#[test]
fn list_formats_and_filters() {
    let emu = emulator(|_| {});
    let out = lrotop(
        &emu,
        &[
            "list",
            "-p",
            "demo-project-1",
            "-l",
            "global",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 8);

    let out = lrotop(
        &emu,
        &[
            "list",
            "-p",
            "demo-project-1",
            "-l",
            "global",
            "--format",
            "jsonl",
            "--filter",
            "state=running",
        ],
    );
    let lines = text(&out.stdout);
    assert_eq!(lines.lines().count(), 4);
    for l in lines.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v.get("done").is_none());
    }

    let out = lrotop(
        &emu,
        &["list", "-p", "demo-project-1", "--filter", "colour=red"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("colour"));
}

#[test]
fn a_failing_location_is_partial_and_named() {
    let emu = emulator(|c| c.faults.fail_locations = vec![("us-east4".into(), 403)]);
    let out = lrotop(&emu, &["list", "-p", "demo-project-1"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("projects/demo-project-1/locations/us-east4")
            && err.contains("PERMISSION_DENIED"),
        "{err}"
    );
    assert_eq!(text(&out.stdout).lines().count(), 1 + 2 * 8);

    let out = lrotop(&emu, &["list", "-p", "demo-project-1", "-l", "us-east4"]);
    assert_eq!(out.status.code(), Some(1));
    let out = lrotop(&emu, &["list", "-p", "not-mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("PERMISSION_DENIED"));
}

#[test]
fn describe_prints_the_operation_and_rejects_hostile_names() {
    let emu = emulator(|_| {});
    let name = op(&emu, 5);
    let out = lrotop(&emu, &["describe", &name]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], name);
    assert!(v["error"]["code"].as_i64().unwrap() > 1);

    let before = emu.stats().requests;
    for bad in [
        "projects/demo-project-1/locations/global/operations/../../x",
        "projects/demo-project-1/locations/global/operations/a?b",
        "projects/demo-project-1/locations/global/operations/a%2fb",
        "projects/demo-project-1/locations/global/operations/a\u{1b}[2J",
        "just-an-id",
    ] {
        let out = lrotop(&emu, &["describe", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(!text(&out.stderr).contains('\u{1b}'));
    }
    assert_eq!(
        emu.stats().requests,
        before,
        "no request for a hostile name"
    );

    let out = lrotop(
        &emu,
        &["describe", "nope", "-p", "demo-project-1", "-l", "global"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("NOT_FOUND"));
}

#[test]
fn cancel_needs_confirmation_and_reports_each_name() {
    let emu = emulator(|_| {});
    let (cancellable, denied, done) = (op(&emu, 0), op(&emu, 3), op(&emu, 4));

    let out = lrotop(&emu, &["cancel", &cancellable]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--yes"));
    let out = lrotop(&emu, &["cancel", &cancellable, "--dry-run"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("would cancel"));
    let out = lrotop(&emu, &["--read-only", "cancel", &cancellable, "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("read-only"));
    assert_eq!(emu.stats().mutations(), 0, "nothing unconfirmed was sent");

    let out = lrotop(
        &emu,
        &[
            "cancel",
            &cancellable,
            &denied,
            &done,
            "--yes",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = |n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(result(&cancellable)["result"], "accepted");
    assert_eq!(result(&denied)["result"], "refused");
    assert_eq!(result(&denied)["code"], "PERMISSION_DENIED");
    assert_eq!(result(&done)["result"], "skipped");
    assert!(text(&out.stderr).contains(&denied));
    let stats = emu.stats();
    assert_eq!(stats.cancels.get(&cancellable), Some(&1));
    assert_eq!(stats.cancels.get(&denied), Some(&1));
    assert_eq!(
        stats.cancels.get(&done),
        None,
        "no cancel for a finished operation"
    );

    // The cancelled one is now done with code 1: `wait` says it ended without success.
    let out = lrotop(&emu, &["wait", &cancellable]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stdout).contains("CANCELLED"));
}

#[test]
fn delete_and_wait() {
    let emu = emulator(|_| {});
    let (running, done) = (op(&emu, 1), op(&emu, 4));
    let out = lrotop(&emu, &["wait", &done]);
    assert!(out.status.success());
    let out = lrotop(
        &emu,
        &["wait", &running, "--timeout", "1s", "--interval", "200ms"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = lrotop(&emu, &["delete", &done, "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("delete accepted"));
    let out = lrotop(&emu, &["describe", &done]);
    assert_eq!(out.status.code(), Some(1));
    // A bare id works with exactly one project and location in scope.
    let id = running.rsplit('/').next().unwrap();
    let out = lrotop(
        &emu,
        &["describe", id, "-p", "demo-project-1", "-l", "global"],
    );
    assert!(out.status.success());
}

#[test]
fn demo_mode_and_usage_errors() {
    let out = hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
        .args(["list", "--demo", "--format", "json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 3 * 4 * 10);

    let out = hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
        .args(["list", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
        .args(["list", "--endpoint", "http://127.0.0.1:9"])
        .env_remove("LROTOP_ENDPOINT")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no project is a usage error");
    assert!(text(&out.stderr).contains("--project"));
}

#[test]
fn emulator_command_prints_its_url_first() {
    use std::io::{BufRead, BufReader};
    let mut child = hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
        .args(["emulator", "--addr", "127.0.0.1:0", "--scenario", "static"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
}

/// No user config, no project or endpoint from the environment: only what the test says.
fn hermetic(mut c: Command) -> Command {
    c.env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        // The audit log of what these tests cancel: beside them, never the real one.
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("lrotop-test-state-{}", std::process::id())),
        )
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT");
    c
}

/// A loopback server answering the listing of `projects/p/locations/l` with `ops`, for
/// operations the emulator makes no such thing as.
fn serve_page(ops: Vec<serde_json::Value>) -> (tokio::runtime::Runtime, String) {
    let page = serde_json::json!({ "operations": ops });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(async move {
        let app = axum::Router::new().route(
            "/v1/projects/p/locations/l/operations",
            axum::routing::get(move || {
                let page = page.clone();
                async move { axum::Json(page) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    });
    (rt, url)
}

/// A page of 100 operations, one of them with a 1 MiB target.
fn serve_one_huge_field() -> (tokio::runtime::Runtime, String) {
    let ops: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            let target = if i == 7 {
                "t".repeat(1 << 20)
            } else {
                format!("projects/p/locations/l/things/t-{i}")
            };
            serde_json::json!({
                "name": format!("projects/p/locations/l/operations/op-{i}"),
                "metadata": {
                    "@type": lrotop::api::model::GEMINI_METADATA_TYPE,
                    "createTime": "2026-01-01T12:00:00Z",
                    "target": target,
                    "verb": "create",
                },
            })
        })
        .collect();
    serve_page(ops)
}

#[test]
fn a_huge_field_is_cut_in_the_table_and_whole_in_json() {
    let (_rt, url) = serve_one_huge_field();
    let run = |format: &str| {
        hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
            .args([
                "--endpoint",
                &url,
                "list",
                "-p",
                "p",
                "-l",
                "l",
                "--format",
                format,
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run("table");
    assert!(out.status.success(), "{}", text(&out.stderr));
    // 100 rows of a few short columns and a cut target: tens of kilobytes, where every
    // row padded to the widest target made it 100 MB.
    assert!(out.stdout.len() < 64 * 1024, "{} bytes", out.stdout.len());
    let table = text(&out.stdout);
    assert_eq!(table.lines().count(), 101);
    let cut = format!("{}…[cut: 1048576 bytes]", "t".repeat(200));
    assert!(table.contains(&cut), "{}", &table[..2000.min(table.len())]);

    let out = run("json");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ops: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ops.len(), 100);
    let whole = ops
        .iter()
        .filter_map(|o| o["metadata"]["target"].as_str())
        .find(|t| t.len() == 1 << 20);
    assert!(whole.is_some_and(|t| t.bytes().all(|b| b == b't')));
}

/// The cell where each line's `needle` starts, counted as a terminal lays text out.
fn display_columns(table: &str, needle: impl Fn(&str) -> Option<usize>) -> Vec<usize> {
    use unicode_width::UnicodeWidthStr;
    table
        .lines()
        .map(|l| needle(l).map_or(usize::MAX, |b| l[..b].width()))
        .collect()
}

#[test]
fn list_pads_wide_characters_by_display_width() {
    let op = |i: usize, target: &str| {
        serde_json::json!({
            "name": format!("projects/p/locations/l/operations/op-{i}"),
            "metadata": {
                "@type": lrotop::api::model::GEMINI_METADATA_TYPE,
                "createTime": "2026-01-01T12:00:00Z",
                "target": target,
                "verb": "create",
            },
        })
    };
    let (_rt, url) = serve_page(vec![
        op(
            1,
            "projects/p/locations/l/codeRepositoryIndexes/データ/索引",
        ),
        op(2, "projects/p/locations/l/codeRepositoryIndexes/idx-a"),
        op(
            3,
            "projects/p/locations/l/codeRepositoryIndexes/cafe\u{301}",
        ),
    ]);
    let out = hermetic(Command::new(env!("CARGO_BIN_EXE_lrotop")))
        .args(["--endpoint", &url, "list", "-p", "p", "-l", "l"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(table.contains("データ/索引"), "{table}");
    // AGE and NAME, after the target, start in the same terminal column on every line.
    let name_at = |l: &str| {
        if l.starts_with("STATE") {
            l.find("NAME")
        } else {
            l.find("projects/p/locations/l/operations/")
        }
    };
    let age_at = |l: &str| {
        let before_name = l[..name_at(l)?].trim_end();
        before_name.rfind(' ').map(|b| b + 1)
    };
    for (title, at) in [
        ("NAME", display_columns(&table, name_at)),
        ("AGE", display_columns(&table, age_at)),
    ] {
        assert!(
            at.iter().all(|x| *x == at[0]),
            "{title} at {at:?}:\n{table}"
        );
    }
}

#[test]
fn the_configs_columns_choose_and_order_the_list_table() {
    let emu = emulator(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "columns = [\"state\", \"age\", \"verb\", \"target\"]\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let list = |extra: &[&str]| {
        let mut args = vec![
            "--config",
            config,
            "list",
            "-p",
            "demo-project-1",
            "-l",
            "global",
        ];
        args.extend(extra);
        lrotop(&emu, &args)
    };
    let out = list(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["STATE", "AGE", "VERB", "TARGET"],
        "{stdout}"
    );
    assert_eq!(lines.len(), 1 + 8);
    let targets: Vec<String> = emu
        .snapshot("demo-project-1", "global")
        .iter()
        .map(|o| o.target().to_string())
        .collect();
    for l in &lines[1..] {
        let cells: Vec<&str> = l.split_whitespace().collect();
        assert_eq!(cells.len(), 4, "{l}");
        assert!(
            ["RUNNING", "DONE", "FAILED", "CANCELLED"].contains(&cells[0]),
            "{l}"
        );
        assert!(cells[1].ends_with(['s', 'm', 'h']), "an age: {l}");
        assert!(["create", "update", "delete"].contains(&cells[2]), "{l}");
        assert!(targets.iter().any(|t| t == cells[3]), "a whole target: {l}");
    }

    // The flag beats the config; a name it does not know is a usage error.
    let out = list(&["--columns", "id,state"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let header: Vec<&str> = stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["ID", "STATE"]);
    let out = list(&["--columns", "state,colour"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown column \"colour\""),
        "{}",
        text(&out.stderr)
    );
    let out = list(&["--columns", "age,age"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("listed twice"),
        "{}",
        text(&out.stderr)
    );

    // A config naming a column that does not exist: nothing runs, the file and line said.
    std::fs::write(
        config,
        "theme = \"mono\"\ncolumns = [\"state\", \"colour\"]\n",
    )
    .unwrap();
    let out = list(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{config}:2:21: columns[1]: unknown column")),
        "{err}"
    );
}
