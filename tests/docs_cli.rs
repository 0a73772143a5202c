//! `lrotop completions` and `lrotop man`: generated from the parser itself, so every command
//! and flag the binary takes is in them.

use std::process::{Command, Output, Stdio};

fn lrotop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lrotop"))
        .env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn completions_for_each_shell_know_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let out = lrotop(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        // Fish spells a flag `-l confirm`, the others `--confirm`.
        for word in ["cancel", "describe", "confirm", "dry-run", "call-timeout"] {
            assert!(text.contains(word), "{shell} lacks {word}");
        }
    }
    // The bash script is valid bash.
    let out = lrotop(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lrotop.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    if let Ok(check) = Command::new("bash").arg("-n").arg(&path).output() {
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let out = lrotop(&["completions", "powershell-or-not"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let out = lrotop(&["man"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(".TH lrotop 1"),
        "{}",
        &text[..200.min(text.len())]
    );
    for word in ["list", "cancel", "delete", "wait", "doctor", "read\\-only"] {
        assert!(text.contains(word), "the man page lacks {word}");
    }
}
