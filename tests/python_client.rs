//! Google's own Python client libraries accept the emulator: Cloud Run v2's
//! (`google.cloud.run_v2`, no Cancel, has Wait) and Memorystore for Redis'
//! (`google.cloud.redis_v1`, has Cancel), each over REST against its profile under
//! `/_svc/NAME` on 127.0.0.1. Their operations mixins parse every Operation with
//! `ignore_unknown_fields=False` and unpack the metadata `Any` by its `@type`, so a field or
//! a type the API does not have fails here.
//!
//! The scripts live in `tests/python/`; the libraries come from `bash .ci/python-env`
//! (pinned in `tests/python/requirements.txt`, installed under `target/pyenv`). Without that
//! venv the tests skip, saying so, unless `LROTOP_REQUIRE_PYTHON_CLIENT=1` (CI sets it when
//! the venv was built), when they fail. `LROTOP_PYTHON` names another interpreter.

use lrotop::api::Operation;
use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROJECT: &str = "demo-project-1";
const PAGE_SIZE: usize = 5;
const RUN_SERVICE: &str = "type.googleapis.com/google.cloud.run.v2.Service";

fn required() -> bool {
    std::env::var("LROTOP_REQUIRE_PYTHON_CLIENT").is_ok_and(|v| v == "1")
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python")
}

/// The venv's python: `LROTOP_PYTHON`, else `.ci/python-env`'s under the target directory.
fn python() -> Option<PathBuf> {
    let skip = |why: String| {
        assert!(
            !required(),
            "LROTOP_REQUIRE_PYTHON_CLIENT=1 but {why}; run .ci/python-env"
        );
        eprintln!("SKIPPED: {why}; run .ci/python-env to build it");
        None
    };
    let py = match std::env::var_os("LROTOP_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => {
            // CARGO_TARGET_TMPDIR is `<target dir>/tmp`, CARGO_TARGET_DIR honoured.
            let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap()
                .to_path_buf();
            let py = target.join("pyenv/bin/python");
            if !py.is_file() {
                return skip(format!("no Python client venv at {}", py.display()));
            }
            py
        }
    };
    let ok = Command::new(&py)
        .args(["-c", "import google.cloud.run_v2, google.cloud.redis_v1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return skip(format!(
            "{} cannot import google.cloud.run_v2 and google.cloud.redis_v1",
            py.display()
        ));
    }
    Some(py)
}

/// Runs `tests/python/SCRIPT` with `plan`; its JSON summary. Nothing but loopback is
/// reachable: a bare environment, no proxies, no credentials file, the metadata server on a
/// closed loopback port, and the scripts use `AnonymousCredentials`.
fn run_script(py: &Path, script: &str, plan: &Value) -> Value {
    assert!(
        plan["endpoint"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "loopback only"
    );
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(py)
        .arg(scripts().join(script))
        .arg(plan.to_string())
        .current_dir(scripts())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONNOUSERSITE", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("GCE_METADATA_HOST", "127.0.0.1:1")
        .env("GCE_METADATA_IP", "127.0.0.1:1")
        .env("NO_GCE_CHECK", "True")
        .env("GOOGLE_API_USE_CLIENT_CERTIFICATE", "false")
        .env("GOOGLE_API_USE_MTLS_ENDPOINT", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{script} ran for over 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    assert!(
        status.success(),
        "{script} failed ({status}):\n{stderr}\n{stdout}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{script}: {e}:\n{stdout}"))
}

fn parent(location: &str) -> String {
    format!("projects/{PROJECT}/locations/{location}")
}

fn names(ops: &[Operation]) -> Vec<String> {
    ops.iter().map(|o| o.name.clone()).collect()
}

/// Each location's operation names as `service`'s world holds them now.
fn snapshot<'a>(
    emu: &BackgroundEmulator,
    service: &str,
    locations: &[&'a str],
) -> Vec<(&'a str, Vec<String>)> {
    locations
        .iter()
        .map(|l| (*l, names(&emu.service_snapshot(service, PROJECT, l))))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn emulator(service: &str) -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.services = vec![lrotop::api::service::builtin(service).unwrap().clone()];
    BackgroundEmulator::start(cfg).unwrap()
}

/// The listing of each location: every page (at least two), every name under it, in the
/// emulator's order; `get` of each equal to what the list said; every metadata unpacked
/// into the library's own message.
/// `before`: each location's operations as the emulator held them before the script ran.
fn check_listing(out: &Value, before: &[(&str, Vec<String>)]) {
    for (l, want) in before {
        let p = parent(l);
        let got = &out["locations"][&p];
        let want = want.clone();
        assert!(want.len() > 2 * PAGE_SIZE, "enough for three pages");
        let sizes: Vec<u64> = got["page_sizes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert!(sizes.len() >= 2, "{l}: pages {sizes:?}");
        assert!(sizes.iter().all(|n| *n <= PAGE_SIZE as u64), "{sizes:?}");
        assert_eq!(strings(&got["names"]), want, "{l}: every operation, once");
        assert_eq!(got["foreign"], json!([]), "{l}: names under {p}");
        assert_eq!(got["get_mismatches"], json!([]), "{l}: get == list");
        assert_eq!(got["metadata"].as_array().unwrap().len(), want.len());
    }
}

fn location_page_requests(out: &Value) -> u64 {
    out["locations"]
        .as_object()
        .unwrap()
        .values()
        .map(|l| l["page_sizes"].as_array().unwrap().len() as u64)
        .sum()
}

#[test]
fn cloud_run_v2_python_client_lists_gets_waits_and_deletes() {
    let Some(py) = python() else { return };
    let emu = emulator("run");
    let profile = lrotop::api::service::builtin("run").unwrap();
    let endpoint = emu.endpoint_for(profile);
    let locations = ["global", "us-central1"];
    let ops = emu.service_snapshot("run", PROJECT, "us-central1");
    let (running, done, failed) = (&ops[0].name, &ops[4].name, &ops[5].name);
    assert!(!ops[0].done && ops[4].done && ops[5].done);
    let plan = json!({
        "endpoint": endpoint,
        "parents": locations.map(parent),
        "page_size": PAGE_SIZE,
        "wait": [done, running],
        "wait_timeout_s": 1,
        "delete": failed,
    });
    let before = snapshot(&emu, "run", &locations);
    let out = run_script(&py, "run_v2.py", &plan);
    eprintln!("{out:#}");

    assert_eq!(
        out["methods"]["cancel_operation"], false,
        "Run v2 has no Cancel"
    );
    assert_eq!(out["methods"]["wait_operation"], true);
    check_listing(&out, &before);
    for l in locations {
        let p = parent(l);
        let got = &out["locations"][&p];
        for m in got["metadata"].as_array().unwrap() {
            let name = m["name"].as_str().unwrap();
            assert!(name.starts_with(&format!("{p}/services/")), "{m}");
        }
        for s in got["states"].as_array().unwrap() {
            assert_eq!(s["metadata_type"], RUN_SERVICE);
            if s["result"] == "response" {
                assert_eq!(s["response_type"], RUN_SERVICE, "Run returns the Service");
            }
        }
    }

    let wait = out["wait"].as_array().unwrap();
    assert_eq!(wait[0]["outcome"], "ok", "{wait:?}");
    assert_eq!(wait[0]["op"]["done"], true);
    assert_eq!(wait[0]["equals_get"], true);
    assert_eq!(wait[1]["outcome"], "ok", "{wait:?}");
    assert_eq!(wait[1]["op"]["done"], false, "still running at the timeout");
    assert_eq!(wait[1]["op"]["name"], running.as_str());

    assert_eq!(out["delete"]["outcome"], "ok");
    assert_eq!(out["delete"]["get_after"], "NotFound");
    assert_eq!(out["missing"]["outcome"], "NotFound", "{}", out["missing"]);
    assert!(
        !emu.service_snapshot("run", PROJECT, "us-central1")
            .iter()
            .any(|o| &o.name == failed),
        "deleted"
    );

    let stats = emu.stats();
    assert_eq!(stats.service("run", "list"), location_page_requests(&out));
    assert_eq!(stats.service("run", "wait"), 2);
    assert_eq!(stats.service("run", "delete"), 1);
    assert_eq!(stats.deletes.get(failed.as_str()), Some(&1));
    assert_eq!(stats.service("run", "cancel"), 0);
}

#[test]
fn redis_v1_python_client_lists_gets_cancels_and_deletes() {
    let Some(py) = python() else { return };
    let emu = emulator("redis");
    let profile = lrotop::api::service::builtin("redis").unwrap();
    let endpoint = emu.endpoint_for(profile);
    let locations = ["global", "us-east4"];
    let ops = emu.service_snapshot("redis", PROJECT, "us-east4");
    // The static world's archetypes, in order (see tests/common): cancellable, ignores the
    // cancel, UNIMPLEMENTED, PERMISSION_DENIED, done, failed.
    let cancel: Vec<&str> = ops[..5].iter().map(|o| o.name.as_str()).collect();
    let delete = ops[5].name.as_str();
    let plan = json!({
        "endpoint": endpoint,
        "parents": locations.map(parent),
        "page_size": PAGE_SIZE,
        "cancel": cancel,
        "delete": delete,
    });
    let before = snapshot(&emu, "redis", &locations);
    let out = run_script(&py, "redis_v1.py", &plan);
    eprintln!("{out:#}");

    assert_eq!(out["methods"]["cancel_operation"], true);
    check_listing(&out, &before);
    for l in locations {
        let p = parent(l);
        let got = &out["locations"][&p];
        for m in got["metadata"].as_array().unwrap() {
            let target = m["target"].as_str().unwrap();
            assert!(target.starts_with(&format!("{p}/instances/")), "{m}");
            assert_eq!(m["apiVersion"], "v1");
        }
        for (s, m) in got["states"]
            .as_array()
            .unwrap()
            .iter()
            .zip(got["metadata"].as_array().unwrap())
        {
            assert_eq!(
                s["metadata_type"],
                "type.googleapis.com/google.cloud.redis.v1.OperationMetadata"
            );
            if s["result"] == "response" {
                let want = if m["verb"] == "delete" {
                    "type.googleapis.com/google.protobuf.Empty"
                } else {
                    "type.googleapis.com/google.cloud.redis.v1.Instance"
                };
                assert_eq!(s["response_type"], want, "{m}");
            }
        }
    }

    // google-api-core's REST transport picks the exception by HTTP status alone: 403 is
    // Forbidden and 400 BadRequest (PermissionDenied and FailedPrecondition are their gRPC
    // cousins); the ErrorInfo's reason says which.
    let c = out["cancel"].as_array().unwrap();
    let outcomes: Vec<&str> = c.iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        [
            "ok",
            "ok",
            "MethodNotImplemented",
            "Forbidden",
            "BadRequest"
        ],
        "{c:?}"
    );
    assert_eq!(c[2]["error"]["http"], 501);
    assert_eq!(c[2]["error"]["reason"], "CANCEL_NOT_SUPPORTED");
    assert_eq!(c[3]["error"]["http"], 403);
    assert_eq!(c[3]["error"]["reason"], "IAM_PERMISSION_DENIED");
    assert_eq!(c[4]["error"]["reason"], "OPERATION_ALREADY_DONE");
    // Each error is Memorystore's own: its domain, its IAM permission, its resource names.
    for e in &c[2..] {
        assert_eq!(e["error"]["domain"], "redis.googleapis.com", "{e}");
    }
    assert_eq!(
        c[3]["error"]["metadata"]["permission"],
        "redis.operations.cancel"
    );
    let full = format!("//redis.googleapis.com/{}", cancel[3]);
    assert!(
        c[3]["error"]["message"].as_str().unwrap().contains(&full),
        "{}",
        c[3]["error"]
    );
    assert_eq!(out["missing"]["error"]["domain"], "redis.googleapis.com");
    // A cancel that took: done, with the error CANCELLED (1), not deleted.
    assert_eq!(c[0]["after"]["done"], true);
    assert_eq!(c[0]["after"]["error_code"], 1);
    // Best effort: one that ignores it is still running; refused ones are unchanged.
    assert_eq!(c[1]["after"]["done"], false);
    assert_eq!(c[2]["after"]["done"], false);
    assert_eq!(c[3]["after"]["done"], false);
    assert_eq!(c[4]["after"]["done"], true);
    assert_eq!(c[4]["after"]["error_code"], Value::Null);

    assert_eq!(out["delete"]["outcome"], "ok");
    assert_eq!(out["delete"]["get_after"], "NotFound");
    assert_eq!(out["missing"]["outcome"], "NotFound", "{}", out["missing"]);

    let stats = emu.stats();
    assert_eq!(stats.service("redis", "list"), location_page_requests(&out));
    assert_eq!(
        stats.service("redis", "cancel"),
        5,
        "each sent once, none retried"
    );
    for n in &cancel {
        assert_eq!(stats.cancels.get(*n), Some(&1), "{n}");
    }
    assert_eq!(stats.deletes.get(delete), Some(&1));
}
