//! Where an error is: byte offsets become 1-based line:column, and the key is recovered from
//! the document when serde's message does not carry it (toml keeps its key path private).

use super::ConfigError;
use crate::sanitize::one_line;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// 1-based; the column counts characters, as editors show it, not bytes.
    pub fn of(text: &str, byte: usize) -> Position {
        let mut byte = byte.min(text.len());
        while !text.is_char_boundary(byte) {
            byte -= 1;
        }
        let before = &text[..byte];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

pub(super) struct Problem {
    pub at: Position,
    pub key: String,
    pub message: String,
}

impl Problem {
    pub fn into_error(self, path: &Path) -> ConfigError {
        // Keys and messages quote the file, which may hold escape sequences meant for a terminal.
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line: self.at.line,
            column: self.at.column,
            key: one_line(&self.key).into_owned(),
            message: one_line(&self.message).into_owned(),
        }
    }
}

/// A syntax error or a serde error (unknown key, wrong type, missing key) as a `Problem`.
pub(super) fn toml_error(text: &str, e: &toml::de::Error) -> Problem {
    let span = e.span().unwrap_or(0..0);
    let at = Position::of(text, span.start);
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(_) => {
            return Problem {
                at,
                key: key_on_line(text, span.start),
                message: format!("invalid TOML: {}", e.message()),
            };
        }
    };
    let (mut key, datetime) = match key_in_tree(&doc, &span) {
        Some(hit) => (hit.path, hit.datetime),
        None => (key_on_line(text, span.start), false),
    };
    let msg = e.message();
    let message = if let Some(field) = backticked(msg, "missing field `") {
        // The span is the table that lacks the key; name the key itself.
        key = join(&key, field);
        "required key is missing".to_string()
    } else if let Some(rest) = msg.strip_prefix("unknown field `") {
        match rest.split_once(", expected ") {
            Some((_, expected)) => format!("unknown key (expected {})", expected.replace('`', "")),
            None => "unknown key".to_string(),
        }
    } else if let Some((found, expected)) = msg
        .strip_prefix("invalid type: ")
        .and_then(|r| r.rsplit_once(", expected "))
    {
        // toml hands a datetime to serde as a table; say what the user wrote.
        let found = if datetime {
            "a datetime".to_string()
        } else {
            describe(found)
        };
        let mut m = format!("expected {}, found {found}", noun(expected));
        if key == "project" && noun(expected) == "an array" {
            m.push_str(" (write [[project]], with double brackets)");
        }
        m
    } else {
        msg.to_string()
    };
    Problem { at, key, message }
}

/// `prefix` then a name in backticks: the name.
fn backticked<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    msg.strip_prefix(prefix)?.split('`').next()
}

/// Serde's expectation in the words of TOML.
fn noun(expected: &str) -> &str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" => "an integer",
        "a sequence" => "an array",
        "a map" => "a table",
        e if e.starts_with("struct ") => "a table",
        e => e,
    }
}

/// Serde's `Unexpected` in the words of TOML, keeping the value when there is one.
fn describe(found: &str) -> String {
    const KINDS: [(&str, &str); 5] = [
        ("string ", "a string"),
        ("integer ", "an integer"),
        ("floating point ", "a float"),
        ("boolean ", "a boolean"),
        ("character ", "a string"),
    ];
    for (prefix, kind) in KINDS {
        if let Some(value) = found.strip_prefix(prefix) {
            return format!("{kind} ({})", value.trim_matches('`'));
        }
    }
    match found {
        "map" => "a table".to_string(),
        "sequence" => "an array".to_string(),
        other => other.to_string(),
    }
}

fn join(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    }
}

/// The path (`project[1].read_only`) of the smallest key or value whose span holds the
/// error. Smallest, because a table's span is only its header, and an item shares its span
/// with the array of tables it belongs to.
fn key_in_tree(doc: &Spanned<DeTable<'_>>, error: &Range<usize>) -> Option<Hit> {
    let mut best = None;
    visit_table(doc.get_ref(), "", error.start, &mut best);
    best
}

struct Hit {
    len: usize,
    path: String,
    /// The hit is a datetime value.
    datetime: bool,
}

fn consider(span: Range<usize>, path: &str, datetime: bool, at: usize, best: &mut Option<Hit>) {
    let holds = span.contains(&at) || (span.is_empty() && span.start == at);
    let better = best
        .as_ref()
        .is_none_or(|b| span.len() < b.len || (span.len() == b.len && path.len() > b.path.len()));
    if holds && better {
        *best = Some(Hit {
            len: span.len(),
            path: path.to_string(),
            datetime,
        });
    }
}

fn visit_table(t: &DeTable<'_>, path: &str, at: usize, best: &mut Option<Hit>) {
    for (k, v) in t.iter() {
        let p = join(path, k.get_ref());
        consider(k.span(), &p, false, at, best);
        visit_value(v, &p, at, best);
    }
}

fn visit_value(v: &Spanned<DeValue<'_>>, path: &str, at: usize, best: &mut Option<Hit>) {
    let datetime = matches!(v.get_ref(), DeValue::Datetime(_));
    consider(v.span(), path, datetime, at, best);
    match v.get_ref() {
        DeValue::Table(t) => visit_table(t, path, at, best),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                visit_value(item, &format!("{path}[{i}]"), at, best);
            }
        }
        _ => {}
    }
}

/// For syntax errors, where there is no tree: the key before `=` on the error's line, under
/// the table header above it, or the header itself. A heuristic (a multi-line string or array
/// can fool it), good enough to say where to look.
fn key_on_line(text: &str, at: usize) -> String {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[line_start..line_end];
    if line.trim_start().starts_with('[') {
        return table_above(&text[..line_end]).unwrap_or_else(|| line.trim().to_string());
    }
    let table = table_above(&text[..line_start]).unwrap_or_default();
    match line.split_once('=') {
        Some((k, _)) if !k.trim().is_empty() => {
            join(&table, k.trim().trim_matches(|c| c == '"' || c == '\''))
        }
        _ if !table.is_empty() => table,
        _ => "(top level)".to_string(),
    }
}

/// The last `[table]` or `[[array]]` header in `text`, arrays with the item's index.
fn table_above(text: &str) -> Option<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut current = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("[[") {
            let name = rest.split(']').next().unwrap_or(rest).trim();
            let n = seen.entry(name).or_default();
            current = Some(format!("{name}[{n}]"));
            *n += 1;
        } else if let Some(rest) = t.strip_prefix('[') {
            current = Some(rest.split(']').next().unwrap_or(rest).trim().to_string());
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(Position::of(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of(text, 6), Position { line: 2, column: 1 });
        // "bé = " is six bytes but five characters.
        assert_eq!(Position::of(text, 12), Position { line: 2, column: 6 });
        assert_eq!(Position::of(text, 999), Position { line: 3, column: 1 });
    }

    #[test]
    fn the_line_heuristic_finds_keys_and_headers() {
        let text = "x = 1\n[[project]]\nid = \"a\"\n[[project]]\nid = \"b\nz";
        let at = text.rfind("\"b").unwrap();
        assert_eq!(key_on_line(text, at), "project[1].id");
        assert_eq!(key_on_line(text, 0), "x");
        assert_eq!(key_on_line(text, text.len()), "project[1]");
        let header = text.find("[[project]]\nid = \"a").unwrap();
        assert_eq!(key_on_line(text, header), "project[0]");
    }
}
