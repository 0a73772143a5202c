//! `lrotop config path|check|init` and `lrotop doctor`, as a user runs them.

use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::process::{Command, Output, Stdio};

fn lrotop(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn path_init_and_check() {
    let home = tempfile::tempdir().unwrap();
    let want = home.path().join("config/lrotop/config.toml");
    let out = lrotop(home.path(), &["config", "path"]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).starts_with(&want.display().to_string()),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("does not exist yet"));

    let out = lrotop(home.path(), &["config", "init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&want).unwrap();
    std::fs::write(&want, format!("{written}\n# mine\n")).unwrap();
    let out = lrotop(home.path(), &["config", "init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists"));
    assert!(
        std::fs::read_to_string(&want)
            .unwrap()
            .ends_with("# mine\n"),
        "not overwritten"
    );

    let out = lrotop(home.path(), &["config", "check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = lrotop(home.path(), &["config", "check", example]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("my-prod-project"));

    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "[[project]]\nid = \"p\"\ncolour = \"red\"\n").unwrap();
    let out = lrotop(home.path(), &["config", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:1", bad.display())) && err.contains("colour"),
        "{err}"
    );
    // Any command reading that config says the same and sends nothing.
    let out = lrotop(home.path(), &["list", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("colour"));
}

#[test]
fn doctor_names_each_failing_location_and_what_to_fix() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.locations = 4;
    cfg.ops_per_location = 2;
    cfg.faults.fail_locations = vec![("us-central1".into(), 403), ("us-east4".into(), 503)];
    cfg.faults.retry_delay = std::time::Duration::from_millis(10);
    let emu = BackgroundEmulator::start(cfg).unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("lrotop.toml");
    std::fs::write(
        &config,
        format!(
            "[defaults]\nendpoint = \"{}\"\nlocations = \"discover\"\n\n[[project]]\nid = \"demo-project-1\"\nalias = \"demo\"\n",
            emu.url()
        ),
    )
    .unwrap();
    let out = lrotop(
        home.path(),
        &[
            "doctor",
            "--config",
            config.to_str().unwrap(),
            "--call-timeout",
            "2s",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("demo (demo-project-1)"), "{stdout}");
    assert!(stdout.contains("none (loopback endpoint)"), "{stdout}");
    assert!(
        stdout.contains("✔ global: operations.list permitted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✖ us-central1: PERMISSION_DENIED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("lacks cloudaicompanion.operations.list"),
        "{stdout}"
    );
    assert!(stdout.contains("✖ us-east4: UNAVAILABLE"), "{stdout}");
    assert!(stdout.contains("✔ us-west1"), "{stdout}");
    assert!(text(&out.stderr).contains("2 problem(s)"));

    // All well: exit 0.
    let out = lrotop(
        home.path(),
        &[
            "doctor",
            "--config",
            config.to_str().unwrap(),
            "-l",
            "global",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("all good"));
}
