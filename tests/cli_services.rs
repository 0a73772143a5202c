//! The `lrotop` binary across several APIs at once, against an emulator on 127.0.0.1 that
//! serves the whole catalogue; a config's `[[service]] endpoint` maps each API's host
//! (regional ones with `{location}`) to the emulator.

use lrotop::api::service;
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const PROJECT: &str = "demo-project-1";

fn emulator() -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static).with_catalogue();
    cfg.projects = 1;
    cfg.ops_per_location = 8;
    BackgroundEmulator::start(cfg).unwrap()
}

/// A config mapping every catalogue API to the emulator, watching `services` in the project.
fn config(emu: &BackgroundEmulator, services: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "[defaults]\nendpoint = \"{}\"\nlocations = [\"global\", \"us-central1\"]\n\n[[project]]\nid = \"{PROJECT}\"\nservices = {services:?}\n",
        emu.url()
    );
    for p in service::catalogue()
        .iter()
        .filter(|p| p.name != service::DEFAULT_SERVICE)
    {
        text.push_str(&format!(
            "\n[[service]]\nname = \"{}\"\nendpoint = \"{}\"\n",
            p.name,
            emu.endpoint_for(p)
        ));
    }
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn lrotop(cfg: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .arg("--config")
        .arg(cfg)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn names(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_covers_every_service_a_project_watches() {
    let emu = emulator();
    let (_d, cfg) = config(&emu, &["aiplatform", "run", "dataproc", "cloudaicompanion"]);
    let out = lrotop(&cfg, &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = names(&out);
    // 4 services × 2 locations × 8 operations, each from its own API's world.
    assert_eq!(got.len(), 4 * 2 * 8, "{}", text(&out.stderr));
    for s in ["aiplatform", "run", "dataproc"] {
        for l in ["global", "us-central1"] {
            for o in emu.service_snapshot(s, PROJECT, l) {
                assert!(got.contains(&o.name), "{s} {l}: {} missing", o.name);
            }
        }
    }
    assert!(got.iter().any(|n| n.contains("/regions/us-central1/")));
    let st = emu.stats();
    assert_eq!(st.service("aiplatform", "list"), 2);
    assert_eq!(st.hosts.get("aiplatform us-central1"), Some(&1));
    assert_eq!(st.hosts.get("aiplatform global"), Some(&1));
    // --service narrows the run to one API.
    let out = lrotop(&cfg, &["--service", "run", "list", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(names(&out).len(), 2 * 8);
}

#[test]
fn describe_cancel_and_wait_pick_the_api_of_the_name() {
    let emu = emulator();
    let (_d, cfg) = config(&emu, &["run", "redis"]);
    let run_op = emu.service_snapshot("run", PROJECT, "global")[0]
        .name
        .clone();
    // The same relative name shape could be either API's: the full resource name says.
    let out = lrotop(&cfg, &["describe", &run_op]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "ambiguous: {}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("--service"),
        "{}",
        text(&out.stderr)
    );
    let full = format!("//run.googleapis.com/{run_op}");
    let out = lrotop(&cfg, &["describe", &full]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], run_op.as_str());
    assert_eq!(
        v["metadata"]["@type"],
        "type.googleapis.com/google.cloud.run.v2.Service"
    );

    // Cloud Run cannot cancel: skipped with the reason, never sent.
    let out = lrotop(&cfg, &["--service", "run", "cancel", "--yes", &run_op]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Cloud Run operations cannot be cancelled"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert_eq!(emu.stats().service("run", "cancel"), 0);
    assert_eq!(emu.stats().mutations(), 0);

    // Redis can: sent to Redis's host, once.
    let redis_op = emu.service_snapshot("redis", PROJECT, "global")[0]
        .name
        .clone();
    let out = lrotop(&cfg, &["--service", "redis", "cancel", "--yes", &redis_op]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(emu.stats().service("redis", "cancel"), 1);

    // wait uses Cloud Run's :wait (the static world's operation 4 is done already).
    let done = emu.service_snapshot("run", PROJECT, "global")[4]
        .name
        .clone();
    let out = lrotop(&cfg, &["wait", &format!("//run.googleapis.com/{done}")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(emu.stats().service("run", "wait"), 1);
    // describe, and the cancel's look at the operation first; wait polled no get.
    assert_eq!(emu.stats().service("run", "get"), 2);
}

#[test]
fn the_old_single_endpoint_setup_is_unchanged() {
    let emu = emulator();
    let out = Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_ENDPOINT")
        .args([
            "--endpoint",
            emu.url(),
            "-p",
            PROJECT,
            "list",
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(names(&out).len(), 3 * 8);
    let st = emu.stats();
    assert_eq!(st.method("list"), 3);
    assert!(st.by_service.is_empty(), "{:?}", st.by_service);
}
