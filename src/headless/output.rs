//! Printing for scripts and people, and the exit statuses that go with it.

pub use crate::exit::CliError;
use crate::width::{pad, width};
use serde::Serialize;
use std::io::Write;

/// JSON is escaped by serde for C0 controls; C1 controls and bidi overrides would still
/// reach a terminal raw, so they are escaped too (they only occur inside strings).
pub fn safe_json(s: String) -> String {
    if !s.chars().any(needs_escape) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}') || crate::sanitize::is_bidi_control(c)
}

fn write_out(s: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`lrotop list | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(CliError::from),
    }
}

pub fn print_json_pretty<T: Serialize>(v: &T) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::fatal(e.to_string()))?;
    write_out(&(safe_json(s) + "\n"))
}

pub fn print_jsonl<T: Serialize>(items: &[T]) -> Result<(), CliError> {
    let mut s = String::new();
    for i in items {
        s.push_str(&serde_json::to_string(i).map_err(|e| CliError::fatal(e.to_string()))?);
        s.push('\n');
    }
    write_out(&safe_json(s))
}

/// A console link on its own line: a hyperlink (OSC 8) at a terminal, the bare address in a
/// pipe, where `$(lrotop describe --url …)` wants only it.
pub fn print_link(url: &crate::api::console::ConsoleUrl) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let text = if std::io::stdout().is_terminal() {
        url.hyperlink(0..url.as_str().len(), "lrotop")
    } else {
        url.to_string()
    };
    write_out(&(text + "\n"))
}

/// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled. Fields
/// are whole (no cap, as in JSON) but, as everywhere, free of control characters.
pub fn print_csv(header: &[&str], rows: &[Vec<String>]) -> Result<(), CliError> {
    write_out(&csv_text(header, rows))
}

fn csv_field(out: &mut String, field: &str) {
    let field = crate::sanitize::one_line(field);
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&field);
    }
}

fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(&mut out, c);
        }
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied());
    for r in rows {
        line(&mut r.iter().map(String::as_str));
    }
    out
}

/// Aligned columns; every cell is sanitized and capped at [`crate::sanitize::CELL_CAP`] chars
/// (JSON output carries every field whole), the last column
/// is not padded.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) -> Result<(), CliError> {
    write_out(&table_text(header, rows))
}

fn table_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    crate::sanitize::one_line_capped(c, crate::sanitize::CELL_CAP).into_owned()
                })
                .collect()
        })
        .collect();
    // In terminal cells, not chars: a wide character takes two, an accent none.
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(c));
            }
        }
    }
    let line = |cols: Vec<&str>| -> String {
        let last = cols.len().saturating_sub(1);
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i == last {
                s.push_str(c);
            } else {
                s.push_str(&pad(c, widths.get(i).copied().unwrap_or(0) + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut s = line(header.to_vec());
    for r in &cells {
        s.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    s
}

/// A line for people on stderr, sanitized.
pub fn note(s: &str) {
    eprintln!("{}", crate::sanitize::one_line(s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lines_are_padded_by_display_width() {
        let rows = vec![
            vec!["データ/索引".to_string(), "5m".to_string()],
            vec!["idx-a".to_string(), "12m".to_string()],
        ];
        let s = table_text(&["TARGET", "AGE"], &rows);
        let starts: Vec<usize> = s
            .lines()
            .map(|l| {
                let at = l.rfind(' ').map_or(0, |b| b + 1);
                width(&l[..at])
            })
            .collect();
        assert_eq!(starts, vec![13, 13, 13], "{s}");
    }

    #[test]
    fn json_keeps_c1_and_bidi_off_the_terminal() {
        let v = serde_json::json!({"m": "a\u{1b}[31m\u{9b}2J\u{202e}b"});
        let s = safe_json(serde_json::to_string(&v).unwrap());
        assert!(!s.chars().any(|c| c.is_control()), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let text = csv_text(
            &["A", "B"],
            &[
                vec!["plain".into(), "with, comma".into()],
                vec!["say \"hi\"".into(), "esc\u{1b}[2Jape".into()],
            ],
        );
        assert_eq!(
            text,
            "A,B\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",escape\r\n"
        );
    }
}
