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
    // (A key that is not one; `colour` was the example until it became one.)
    std::fs::write(&bad, "[[project]]\nid = \"p\"\nshade = \"red\"\n").unwrap();
    let out = lrotop(home.path(), &["config", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:1", bad.display())) && err.contains("shade"),
        "{err}"
    );
    // Every mistake, in file order, each on its own line.
    let two = home.path().join("two.toml");
    std::fs::write(&two, "theme = \"neon\"\n\n[[project]]\nid = \"a b\"\n").unwrap();
    let out = lrotop(home.path(), &["config", "check", two.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let theme = err.find(&format!("{}:1:9: theme", two.display()));
    let id = err.find(&format!("{}:4:6: project[0].id", two.display()));
    assert!(theme.is_some() && id.is_some() && theme < id, "{err}");
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

/// Runs lrotop, killing it (by its own handle) if it has not exited within `limit`: a read
/// that blocks must fail the test, not hang it.
fn lrotop_within(home: &std::path::Path, args: &[&str], limit: std::time::Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("LROTOP_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lrotop {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn config_that_is_not_a_small_regular_file_is_refused_at_once() {
    let home = tempfile::tempdir().unwrap();
    let limit = std::time::Duration::from_secs(10);
    let started = std::time::Instant::now();
    let out = lrotop_within(home.path(), &["config", "check", "/dev/zero"], limit);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("/dev/zero: not a regular file (a character device)"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let fifo = home.path().join("fifo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let out = lrotop_within(home.path(), &["config", "check", fifo], limit);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{fifo}: not a regular file (a FIFO)")),
        "{err}"
    );
    // Every command reads the config the same way, the dashboard's included.
    let out = lrotop_within(home.path(), &["list", "--config", fifo], limit);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("a FIFO"));

    let big = home.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
    let big = big.to_str().unwrap();
    let out = lrotop_within(home.path(), &["config", "check", big], limit);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{big}: larger than 1 MiB (2097155 bytes)")),
        "{err}"
    );
}
