//! The dashboard and the CLI tell the truth: what a filter means, what is counted, what is
//! shown. Each case was found wrong once.

use lrotop::emulator::{BackgroundEmulator, EmulatorConfig, Scenario};
use std::process::{Command, Output, Stdio};

fn emulator() -> BackgroundEmulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    BackgroundEmulator::start(cfg).unwrap()
}

fn lrotop(emu: &BackgroundEmulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .arg("--endpoint")
        .arg(emu.url())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `state!=runing` once matched every operation, so `delete --filter` would have reached
/// the running ones it meant to spare.
#[test]
fn a_misspelled_state_is_an_error_and_nothing_is_sent() {
    let emu = emulator();
    for verb in ["delete", "cancel"] {
        let out = lrotop(
            &emu,
            &[
                verb,
                "--filter",
                "state!=runing",
                "-p",
                "demo-project-1",
                "--yes",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{verb}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unknown state \"runing\""), "{err}");
    }
    let out = lrotop(
        &emu,
        &["list", "--filter", "state=bogus", "-p", "demo-project-1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(emu.stats().mutations(), 0);
}
