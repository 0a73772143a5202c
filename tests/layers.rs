//! The layering docs/ARCHITECTURE.md draws, checked: each layer names only the layers below
//! it. One crate cannot have the compiler enforce this (see ARCHITECTURE.md for why `api` is
//! not a crate of its own yet), so this test reads the sources for `crate::X` and for
//! `super::` chains that climb out of a layer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Anyone may use these; they use only each other.
const LEAVES: &[&str] = &["human", "sanitize", "userfile", "width"];

/// A layer and what it may name besides itself and the leaves. Layers not listed (the
/// runtime: `cli`, `headless`, `serve`, `session`, `logging`) sit on top and may name any.
const LAYERS: &[(&str, &[&str])] = &[
    ("api", &[]),
    ("emulator", &["api"]),
    ("app", &["api"]),
    ("ui", &["app", "api"]),
    // The record of every mutation, written where they are sent.
    ("audit", &["app", "api"]),
    ("sync", &["audit", "app", "api"]),
    ("tui", &["ui", "sync", "app", "api"]),
    ("config", &["app", "api"]),
    ("exit", &["api"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `src/X.rs` or every `.rs` under `src/X/`.
fn files_of(layer: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{layer}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut out = Vec::new();
    let mut dirs = vec![src().join(layer)];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no sources for layer {layer}");
    out
}

/// How many `super`s lead from the module in `path` to the crate root.
fn depth(path: &Path) -> usize {
    let rel = path.strip_prefix(src()).unwrap();
    let parts = rel.components().count();
    if rel.file_name().is_some_and(|f| f == "mod.rs") {
        parts - 1
    } else {
        parts
    }
}

/// The code with comments left out and the insides of string and char literals blanked,
/// so that neither can name a module or open a brace.
fn code(text: &str) -> Vec<char> {
    let c: Vec<char> = text.chars().collect();
    let word = |i: usize| i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
    let mut out = Vec::with_capacity(c.len());
    let mut i = 0;
    // Blanks `c[from..to]` (newlines kept) and moves past it.
    let blank = |out: &mut Vec<char>, i: &mut usize, to: usize| {
        let to = to.min(c.len());
        out.extend(
            c[*i..to]
                .iter()
                .map(|&ch| if ch == '\n' { ch } else { ' ' }),
        );
        *i = to;
    };
    while i < c.len() {
        let at = |k: usize| c.get(i + k).copied();
        match c[i] {
            '/' if at(1) == Some('/') => {
                let end = (i..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
                blank(&mut out, &mut i, end);
            }
            '/' if at(1) == Some('*') => {
                let end = (i + 2..c.len())
                    .find(|&j| c[j] == '*' && c.get(j + 1) == Some(&'/'))
                    .map_or(c.len(), |j| j + 2);
                blank(&mut out, &mut i, end);
            }
            // r"…", r#"…"#, br"…": up to the quote followed by as many #s.
            'r' if (!word(i) || (c[i - 1] == 'b' && !word(i - 1)))
                && matches!(at(1), Some('"' | '#')) =>
            {
                let hashes = (1..).take_while(|&k| at(k) == Some('#')).count();
                if at(1 + hashes) != Some('"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let body = i + 2 + hashes;
                let end = (body..c.len())
                    .find(|&j| c[j] == '"' && (1..=hashes).all(|k| c.get(j + k) == Some(&'#')))
                    .map_or(c.len(), |j| j + 1 + hashes);
                blank(&mut out, &mut i, end);
            }
            '"' => {
                let mut j = i + 1;
                while j < c.len() && c[j] != '"' {
                    j += if c[j] == '\\' { 2 } else { 1 };
                }
                blank(&mut out, &mut i, j + 1);
            }
            // '\n', '\u{7b}', 'x'; a lifetime (`'a`) has no closing quote.
            '\'' if at(1) == Some('\\') => {
                let end = (i + 3..c.len())
                    .find(|&j| c[j] == '\'')
                    .map_or(c.len(), |j| j + 1);
                blank(&mut out, &mut i, end);
            }
            '\'' if at(2) == Some('\'') => {
                let end = i + 3;
                blank(&mut out, &mut i, end);
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn starts(c: &[char], i: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(k, ch)| c.get(i + k) == Some(&ch))
}

fn ident(c: &[char], i: usize) -> String {
    c[i.min(c.len())..]
        .iter()
        .take_while(|ch| ch.is_alphanumeric() || **ch == '_')
        .collect()
}

fn is_word(ch: Option<&char>) -> bool {
    ch.is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
}

/// The first segments of the path at `c[i..]`: one, or each of a `{…}` group's.
fn heads(c: &[char], i: usize) -> Vec<String> {
    if c.get(i) != Some(&'{') {
        return vec![ident(c, i)];
    }
    let end = (i..c.len()).find(|&j| c[j] == '}').unwrap_or(c.len());
    let group: String = c[i + 1..end].iter().collect();
    group
        .split(',')
        .map(|item| {
            item.trim()
                .chars()
                .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        })
        .map(String::from_iter)
        .collect()
}

/// Whether the `{` at `c[i]` opens an inline `mod NAME { … }`.
fn opens_mod(c: &[char], i: usize) -> bool {
    let mut j = i;
    let back_over_space = |j: &mut usize| {
        while *j > 0 && c[*j - 1].is_whitespace() {
            *j -= 1;
        }
    };
    back_over_space(&mut j);
    let name_end = j;
    while j > 0 && (c[j - 1].is_alphanumeric() || c[j - 1] == '_') {
        j -= 1;
    }
    if j == name_end {
        return false;
    }
    back_over_space(&mut j);
    j >= 3 && starts(c, j - 3, "mod") && !is_word(j.checked_sub(4).and_then(|k| c.get(k)))
}

/// Every top-level module a file's text names, for a file `to_root` supers below the crate
/// root: by `crate::`, or by a `super::` chain long enough to climb out (inline modules,
/// such as `mod tests`, add a super each).
fn named_modules(text: &str, to_root: usize) -> BTreeSet<String> {
    let c = code(text);
    let mut out = BTreeSet::new();
    let mut braces = 0usize;
    let mut inline: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '{' => {
                braces += 1;
                if opens_mod(&c, i) {
                    inline.push(braces);
                }
            }
            '}' => {
                if inline.last() == Some(&braces) {
                    inline.pop();
                }
                braces = braces.saturating_sub(1);
            }
            _ if is_word(i.checked_sub(1).and_then(|k| c.get(k))) => {}
            _ if starts(&c, i, "crate::") => out.extend(heads(&c, i + "crate::".len())),
            _ if starts(&c, i, "super::") => {
                let mut n = 0;
                while starts(&c, i, "super::") {
                    i += "super::".len();
                    n += 1;
                }
                if n >= to_root + inline.len() {
                    out.extend(heads(&c, i));
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.retain(|m| !m.is_empty());
    out
}

fn violations(layer: &str, allowed: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for file in files_of(layer) {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for m in named_modules(&text, depth(&file)) {
            if m != layer && !allowed.contains(&m.as_str()) && !LEAVES.contains(&m.as_str()) {
                let rel = file.strip_prefix(src()).unwrap().display().to_string();
                out.push(format!("src/{rel} names crate::{m}"));
            }
        }
    }
    out
}

#[test]
fn each_layer_names_only_the_layers_below_it() {
    let mut all = Vec::new();
    for (layer, allowed) in LAYERS {
        all.extend(violations(layer, allowed));
    }
    for leaf in LEAVES {
        all.extend(violations(leaf, &[]));
    }
    assert!(
        all.is_empty(),
        "layering broken (docs/ARCHITECTURE.md):\n{}",
        all.join("\n")
    );
}

#[test]
fn every_module_of_the_crate_has_a_place() {
    // A new top-level module must be put in a layer here (or be runtime, on top) on purpose.
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let runtime = ["cli", "headless", "logging", "serve", "session"];
    let lib: String = code(&lib).into_iter().collect();
    for line in lib.lines() {
        let Some(m) = line.trim().strip_prefix("pub mod ") else {
            continue;
        };
        let m = m.trim_end_matches(';');
        assert!(
            LAYERS.iter().any(|(l, _)| *l == m) || LEAVES.contains(&m) || runtime.contains(&m),
            "module {m} is in no layer of tests/layers.rs"
        );
    }
}

/// The checker itself: it sees paths, groups and climbs, and nothing in comments or
/// strings.
#[test]
fn the_scan_finds_paths_groups_and_climbs() {
    let sample = r##"
use crate::{api::X, ui};
// crate::tui in a comment
let a = crate::sync::f(); // crate::serve
/* crate::cli */
let u = "http://x crate::logging {";
let r = r#"crate::config "{"#;
let brace = '{';
fn f<'a>(x: &'a str) {}
use super::super::headless;
use super::row::Row;
mod tests {
    use super::super::session;
}
use super::super::emulator;
"##;
    let found = |to_root| {
        named_modules(sample, to_root)
            .into_iter()
            .collect::<Vec<_>>()
    };
    // From `src/app/x.rs` two supers reach the crate root; inside `mod tests`, three.
    assert_eq!(found(2), ["api", "emulator", "headless", "sync", "ui"]);
    // From `src/app/modes/x.rs` the same chains stay inside `app`.
    assert_eq!(found(3), ["api", "sync", "ui"]);
    // From `src/app/mod.rs` one is enough: `row` too, and the test module's climb.
    assert_eq!(
        found(1),
        [
            "api", "emulator", "headless", "row", "session", "sync", "ui"
        ]
    );
    assert_eq!(depth(&src().join("api/client.rs")), 2);
    assert_eq!(depth(&src().join("api/mod.rs")), 1);
    assert_eq!(depth(&src().join("app/modes/table.rs")), 3);
    assert_eq!(depth(&src().join("human.rs")), 1);
}
