//! Bulk cancel and delete over real HTTP to the emulator: each confirmed operation gets its
//! request exactly once, nothing unconfirmed is sent, read-only sends nothing at all.

use lrotop::api::{ClientOptions, OperationName, OperationsClient, RetryPolicy};
use lrotop::app::{Action, Effect, MutationKind};
use lrotop::emulator::{BackgroundEmulator, Emulator, EmulatorConfig, Scenario};
use lrotop::sync::Runner;
use lrotop::sync::bulk::{self, RateLimiter};
use std::collections::HashSet;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn fast_client(url: &str) -> OperationsClient {
    OperationsClient::new(ClientOptions {
        retry: RetryPolicy {
            initial: Duration::from_millis(2),
            max_backoff: Duration::from_millis(20),
            deadline: Duration::from_secs(20),
            max_attempts: 10,
        },
        ..ClientOptions::for_endpoint(url)
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_cancels_with_injected_429_and_503_each_sent_exactly_once() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.projects = 1;
    cfg.locations = 1;
    cfg.ops_per_location = 2400;
    cfg.seed = 11;
    cfg.faults.error_rate = 0.1;
    cfg.faults.error_codes = vec![429, 503];
    cfg.faults.retry_delay = Duration::from_millis(2);
    let emu = Emulator::start(cfg).await.unwrap();
    let ops = emu.snapshot("demo-project-1", "global");
    let running: Vec<&lrotop::api::Operation> = ops.iter().filter(|o| !o.done).collect();
    assert!(running.len() > 1000, "{} running", running.len());
    // The user confirmed exactly 1,000 of them; the rest, running or done, must see nothing.
    let confirmed: Vec<OperationName> = running[..1000]
        .iter()
        .map(|o| OperationName::parse(&o.name).unwrap())
        .collect();
    let client = fast_client(&emu.url());
    let limiter = RateLimiter::new(10_000.0, 8);
    let mut answers = Vec::new();
    bulk::run(
        &client,
        MutationKind::Cancel,
        confirmed.clone(),
        8,
        &limiter,
        |n, r| answers.push((n, r)),
    )
    .await;
    assert_eq!(answers.len(), 1000, "one answer per name");

    let stats = emu.stats();
    assert!(
        stats.injected > 50,
        "faults were injected: {}",
        stats.injected
    );
    let confirmed_set: HashSet<String> = confirmed.iter().map(|n| n.to_string()).collect();
    for n in &confirmed_set {
        assert_eq!(stats.cancels.get(n), Some(&1), "{n} cancelled exactly once");
    }
    for o in &ops {
        if !confirmed_set.contains(&o.name) {
            assert_eq!(
                stats.cancels.get(&o.name),
                None,
                "{} was not confirmed",
                o.name
            );
        }
    }
    assert_eq!(stats.method("cancel"), 1000);
    // Accepted or refused by the operation itself (UNIMPLEMENTED / PERMISSION_DENIED); none lost.
    for (n, r) in &answers {
        if let Err(e) = r {
            let code = e.code().map(|c| c.name());
            assert!(
                matches!(code, Some("UNIMPLEMENTED") | Some("PERMISSION_DENIED")),
                "{n}: {e}"
            );
        }
    }
}

#[tokio::test]
async fn the_runner_refuses_every_mutation_in_read_only_mode() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = Emulator::start(cfg).await.unwrap();
    let names: Vec<OperationName> = emu
        .snapshot("demo-project-1", "global")
        .iter()
        .map(|o| OperationName::parse(&o.name).unwrap())
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = Runner::new(fast_client(&emu.url()), tx.clone(), true);
    runner.run(Effect::Cancel {
        name: names[0].clone(),
    });
    runner.run(Effect::CancelMany {
        names: names[..4].to_vec(),
    });
    runner.run(Effect::Delete {
        names: names.clone(),
    });
    let mut answers = 0;
    while answers < 1 + 4 + names.len() {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Action::CancelSent { result, .. } | Action::DeleteSent { result, .. } => {
                assert!(result.unwrap_err().to_string().contains("read-only"));
                answers += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(emu.stats().requests, 0, "not one request left the process");

    // Read-only for one project only.
    let runner = Runner::new(fast_client(&emu.url()), tx, false)
        .with_read_only_projects(HashSet::from(["demo-project-1".to_string()]));
    runner.run(Effect::CancelMany {
        names: names[..2].to_vec(),
    });
    let other = OperationName::parse(&emu.snapshot("demo-project-2", "global")[0].name).unwrap();
    runner.run(Effect::Cancel {
        name: other.clone(),
    });
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
    }
    let stats = emu.stats();
    assert_eq!(stats.mutations(), 1);
    assert_eq!(stats.cancels.get(&other.to_string()), Some(&1));
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

fn static_bg() -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    BackgroundEmulator::start(cfg).unwrap()
}

#[test]
fn headless_cancel_by_filter() {
    let emu = static_bg();
    let scope = ["-p", "demo-project-1", "-l", "global"];
    let mut args = vec!["cancel", "--filter", "state=running", "--dry-run"];
    args.extend(scope);
    let out = lrotop(&emu, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("would cancel")
            .count(),
        4
    );
    assert_eq!(emu.stats().mutations(), 0);

    let mut args = vec!["cancel", "--filter", "state=running"];
    args.extend(scope);
    let out = lrotop(&emu, &args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a filter without --yes off a terminal is refused"
    );
    assert_eq!(emu.stats().mutations(), 0);

    // Everything in scope: only the running ones are sent, once each.
    let mut args = vec!["cancel", "--filter", "global", "--yes", "--format", "json"];
    args.extend(scope);
    let out = lrotop(&emu, &args);
    assert_eq!(out.status.code(), Some(3), "two refuse: partial");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results.iter().filter(|r| **r == "accepted").count(), 2);
    assert_eq!(results.iter().filter(|r| **r == "refused").count(), 2);
    assert_eq!(results.iter().filter(|r| **r == "skipped").count(), 4);
    let stats = emu.stats();
    assert_eq!(stats.method("cancel"), 4);
    for o in emu.snapshot("demo-project-1", "global").iter().skip(4) {
        assert_eq!(stats.cancels.get(&o.name), None, "done: never sent");
    }
    for c in stats.cancels.values() {
        assert_eq!(*c, 1);
    }
}

#[test]
fn headless_delete_by_filter_and_read_only_everywhere() {
    let emu = static_bg();
    let scope = ["-p", "demo-project-1", "-l", "global"];
    let name = emu.snapshot("demo-project-1", "global")[0].name.clone();
    for args in [
        vec!["--read-only", "cancel", name.as_str(), "--yes"],
        vec!["--read-only", "delete", name.as_str(), "--yes"],
        vec![
            "--read-only",
            "cancel",
            "--filter",
            "state=running",
            "--yes",
            "-p",
            "demo-project-1",
            "-l",
            "global",
        ],
        vec![
            "--read-only",
            "delete",
            "--filter",
            "state=failed",
            "--yes",
            "-p",
            "demo-project-1",
            "-l",
            "global",
        ],
    ] {
        let out = lrotop(&emu, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    }
    assert_eq!(
        emu.stats().requests,
        0,
        "read-only sends nothing, not even a lookup"
    );

    let mut args = vec!["delete", "--filter", "state=failed", "--yes"];
    args.extend(scope);
    let out = lrotop(&emu, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.stats().method("delete"), 1);
    assert_eq!(emu.snapshot("demo-project-1", "global").len(), 7);

    let out = lrotop(&emu, &["cancel", "a", "--filter", "x"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "names and --filter together are a usage error"
    );
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
