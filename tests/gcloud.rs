//! Google's own CLI accepts the emulator: `gcloud gemini operations …` pointed at 127.0.0.1.
//! Skips, saying why, where gcloud is not installed. Everything stays on loopback: the
//! endpoint override, an access-token file (no credential refresh), GCE detection off and
//! the metadata server pointed at a closed loopback port.

use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn gcloud_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("gcloud"))
        .find(|p| p.is_file())
}

struct Gcloud {
    bin: PathBuf,
    config: tempfile::TempDir,
    url: String,
}

impl Gcloud {
    fn run(&self, args: &[&str]) -> Output {
        self.run_in(
            &["gemini", "operations"],
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDAICOMPANION",
            &format!("{}/", self.url),
            args,
        )
    }

    /// `gcloud GROUP… ARGS` with the API's endpoint override pointed at the emulator.
    fn run_in(&self, group: &[&str], override_var: &str, endpoint: &str, args: &[&str]) -> Output {
        let cfg = self.config.path();
        Command::new(&self.bin)
            .args(group)
            .args(args)
            .env("CLOUDSDK_CONFIG", cfg.join("config"))
            .env(override_var, endpoint)
            .env("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", cfg.join("token"))
            .env("CLOUDSDK_CORE_PROJECT", "demo-project-1")
            .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
            .env("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true")
            .env("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true")
            .env("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false")
            .env("GCE_METADATA_HOST", "127.0.0.1:1")
            .env("GCE_METADATA_IP", "127.0.0.1:1")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("HTTPS_PROXY")
            .env_remove("HTTP_PROXY")
            .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

fn setup(emu: &BackgroundEmulator) -> Option<Gcloud> {
    let Some(bin) = gcloud_path() else {
        eprintln!("SKIPPED: gcloud is not installed on this machine");
        return None;
    };
    assert!(emu.url().starts_with("http://127.0.0.1:"), "loopback only");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("gce"), "False").unwrap();
    write(&dir.path().join("token"), "ya29.emulator-test-token");
    Some(Gcloud {
        bin,
        config: dir,
        url: emu.url().to_string(),
    })
}

fn write(p: &Path, s: &str) {
    std::fs::write(p, s).unwrap();
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn gcloud_lists_describes_cancels_and_deletes() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let Some(g) = setup(&emu) else { return };
    let ops = emu.snapshot("demo-project-1", "global");
    let id = |i: usize| ops[i].name.rsplit('/').next().unwrap().to_string();

    let out = g.run(&["list", "--location=global", "--format=json"]);
    assert!(out.status.success(), "list: {}", text(&out.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, want);

    let out = g.run(&["describe", &id(5), "--location=global", "--format=json"]);
    assert!(out.status.success(), "describe: {}", text(&out.stderr));
    let described: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(described["name"], ops[5].name);
    assert_eq!(described["done"], true);

    let out = g.run(&["cancel", &id(0), "--location=global"]);
    assert!(out.status.success(), "cancel: {}", text(&out.stderr));
    let out = g.run(&[
        "describe",
        &id(0),
        "--location=global",
        "--format=value(done,error.code)",
    ]);
    assert_eq!(
        text(&out.stdout).trim(),
        "True\t1",
        "cancelled: done with code 1"
    );

    // PERMISSION_DENIED is final for gcloud too (a 501 would be retried for ~30 s).
    let out = g.run(&["cancel", &id(3), "--location=global"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("PERMISSION_DENIED") || err.contains("403"),
        "{err}"
    );

    let out = g.run(&["delete", &id(4), "--location=global"]);
    assert!(out.status.success(), "delete: {}", text(&out.stderr));
    let out = g.run(&["describe", &id(4), "--location=global"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("NOT_FOUND"),
        "{}",
        text(&out.stderr)
    );

    let stats = emu.stats();
    assert_eq!(stats.cancels.get(&ops[0].name), Some(&1));
    assert_eq!(stats.deletes.get(&ops[4].name), Some(&1));
}

/// Vertex AI's operations, by gcloud's own `ai operations describe`: the emulator's regional
/// host for us-central1 (a path on 127.0.0.1 standing for `us-central1-aiplatform…`).
#[test]
fn gcloud_ai_operations_describe_reads_a_regional_api() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.services = vec![lrotop::api::service::builtin("aiplatform").unwrap().clone()];
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let Some(g) = setup(&emu) else { return };
    let regional = format!("{}/_svc/aiplatform/us-central1/", emu.url());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let list: serde_json::Value = rt.block_on(async {
        reqwest::get(format!(
            "{regional}v1/projects/demo-project-1/locations/us-central1/operations"
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
    });
    let name = list["operations"][0]["name"].as_str().unwrap().to_string();
    let id = name.rsplit('/').next().unwrap();
    let out = g.run_in(
        &["ai", "operations"],
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM",
        &regional,
        &["describe", id, "--region=us-central1", "--format=json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["name"], name.as_str());
    assert_eq!(
        got["metadata"]["@type"],
        list["operations"][0]["metadata"]["@type"]
    );
}
