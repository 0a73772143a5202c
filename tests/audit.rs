//! The audit log: every cancel and delete sent, by the CLI or the dashboard, is one JSON line,
//! written before the result is shown, and none is lost when the process dies mid-bulk.

mod common;

use common::dashboard::Dashboard;
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn emulator(per_location: usize) -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = per_location;
    BackgroundEmulator::start(cfg).unwrap()
}

fn lrotop(emu: &BackgroundEmulator, audit: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .env("USER", "alice")
        .arg("--endpoint")
        .arg(emu.url())
        .arg("--audit-log")
        .arg(audit)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The static world's first operations per location: cancellable, ignores cancel, refuses
/// (UNIMPLEMENTED), refuses (PERMISSION_DENIED), done, …
fn op(emu: &BackgroundEmulator, i: usize) -> String {
    emu.snapshot("demo-project-1", "global")[i].name.clone()
}

#[test]
fn each_cli_mutation_sent_is_one_line_and_nothing_else_is() {
    let emu = emulator(8);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("state/audit.jsonl");
    // Nothing sent, nothing written: read-only, a dry run, a finished operation.
    for args in [
        vec!["--read-only", "cancel", "PLACEHOLDER", "--yes"],
        vec!["cancel", "PLACEHOLDER", "--yes", "--dry-run"],
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "PLACEHOLDER" {
                    op(&emu, 0)
                } else {
                    a.to_string()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        lrotop(&emu, &audit, &args);
    }
    let done = op(&emu, 4);
    lrotop(&emu, &audit, &["cancel", &done, "--yes"]);
    assert!(lines(&audit).is_empty(), "{:?}", lines(&audit));

    let (cancellable, refuses) = (op(&emu, 0), op(&emu, 3));
    let out = lrotop(&emu, &audit, &["cancel", &cancellable, &refuses, "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = lrotop(&emu, &audit, &["delete", &done, "--yes"]);
    assert!(out.status.success());
    let got = lines(&audit);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(emu.stats().mutations(), 3, "one line per request sent");
    let find = |name: &str, action: &str| {
        got.iter()
            .find(|l| l["name"] == name && l["action"] == action)
            .unwrap_or_else(|| panic!("no {action} of {name}: {got:?}"))
            .clone()
    };
    let ok = find(&cancellable, "cancel");
    assert_eq!(
        (
            ok["outcome"].as_str(),
            ok["via"].as_str(),
            ok["user"].as_str()
        ),
        (Some("accepted"), Some("cli"), Some("alice"))
    );
    assert_eq!(ok["project"], "demo-project-1");
    assert!(
        ok["time"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    assert!(ok["credential"].as_str().unwrap().starts_with("none"));
    let no = find(&refuses, "cancel");
    assert_eq!(
        (no["outcome"].as_str(), no["http_status"].as_u64()),
        (Some("refused"), Some(403))
    );
    assert_eq!(find(&done, "delete")["outcome"], "accepted");

    // `lrotop audit` reads it back.
    let out = lrotop(
        &emu,
        &audit,
        &["audit", "--format", "jsonl", "--since", "1h"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let out = lrotop(&emu, &audit, &["audit"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.starts_with("TIME") && table.contains("refused"),
        "{table}"
    );
}

#[test]
fn no_record_no_mutation() {
    let emu = emulator(8);
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: the log cannot be written.
    let out = lrotop(&emu, dir.path(), &["cancel", &op(&emu, 0), "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the audit log"), "{err}");
    assert_eq!(
        emu.stats().mutations(),
        0,
        "nothing sent without its record"
    );
}

/// The dashboard in a pseudo-terminal: a bulk cancel under way, then the process is killed
/// outright. Every cancel the server received has its line.
#[test]
fn a_dashboard_killed_mid_bulk_loses_no_line() {
    let emu = emulator(24);
    let running = emu
        .snapshot("demo-project-1", "global")
        .iter()
        .filter(|o| !o.done)
        .count();
    assert!(running > 2);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut d = Dashboard::start(
        &emu,
        &[
            "--bulk-rate",
            "0.02",
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        dir.path(),
    );
    d.wait_for("rows", &|s| s.matches("RUNNING").count() == running);
    d.send(b"*C");
    d.wait_for("the dialog", &|s| s.contains("operations?"));
    d.send(b"y");
    // One goes at once under the rate cap; the rest wait.
    d.wait_for("the first answer", &|s| s.contains(": 1 sent"));
    let pid = d.child.process_id().unwrap();
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = d.child.wait();
    let got = lines(&audit);
    let sent = emu.stats().method("cancel");
    assert_eq!(sent, 1);
    assert_eq!(got.len() as u64, sent, "{got:?}");
    assert_eq!(got[0]["via"], "dashboard");
}

/// Where no record can be kept, the dashboard makes no mutation: it runs read-only and says
/// why.
#[test]
fn a_dashboard_without_a_writable_audit_log_is_read_only() {
    let emu = emulator(8);
    let dir = tempfile::tempdir().unwrap();
    let mut d = Dashboard::start(
        &emu,
        &["--audit-log", dir.path().to_str().unwrap()],
        dir.path(),
    );
    d.wait_for("the refusal to mutate", &|s| {
        s.contains("READ-ONLY") && s.contains("cannot write the audit log") && s.contains("RUNNING")
    });
    d.send(b"c");
    d.wait_for("read-only", &|s| s.contains("read-only mode"));
    d.send(b"q");
    let _ = d.child.wait();
    assert_eq!(emu.stats().mutations(), 0);
}

/// The demo's operations are the in-process emulator's: cancelling one there leaves no line
/// in the operator's record.
#[test]
fn the_demo_writes_no_audit_line() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lrotop"))
            .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
            .env_remove("LROTOP_CONFIG")
            .env_remove("LROTOP_PROJECT")
            .env_remove("LROTOP_ENDPOINT")
            .arg("--demo")
            .arg("--audit-log")
            .arg(&audit)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["list", "--format", "jsonl", "--filter", "state=running"]);
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let out = run(&["cancel", &first, "--yes"]);
    // Sent and answered (a demo operation may accept or refuse), and not recorded.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(", 0 skipped"), "{err}");
    assert!(!err.contains("0 accepted, 0 refused, 0 failed"), "{err}");
    assert!(!audit.exists(), "no record of the demo");
}
