//! Makes text from outside the process safe to put on a terminal.
//!
//! Servers, proxies and users can put escape sequences in operation names, status messages or
//! error bodies. Printed raw, those could recolour the screen, move the cursor, retitle the
//! window or write to the clipboard (OSC 52). Everything that reaches a terminal goes
//! through here first.

use std::borrow::Cow;

/// Marks that reorder text as it is shown: a name could read other than it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn needs_work(s: &str, keep_newlines: bool) -> bool {
    s.chars()
        .any(|c| (c.is_control() && !(keep_newlines && c == '\n')) || is_bidi_control(c))
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !needs_work(s, keep_newlines) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI and OSC introducers: their sequences go too.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // Two-byte escapes (ESC c, ESC 7, …) and charset designations (ESC ( B).
        Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/APC/PM bodies end with BEL or ST (ESC \ or U+009C).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// For table cells and status lines: no control characters, newlines and tabs become spaces.
pub fn one_line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// For multi-line text such as details and pretty JSON: newlines kept, nothing else.
pub fn multi_line(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// The most of one field a table cell shows, in the CLI's tables and the dashboard's. A table
/// is for reading: a megabyte field would widen every line of its column to a megabyte (100
/// rows, 100 MB of output), and on screen cost a megabyte of work per row per frame.
pub const CELL_CAP: usize = 200;

/// What a cut field ends with: the field's whole size, so the reader knows how much there
/// was (JSON output always has all of it).
pub fn cut_marker(total_bytes: usize) -> String {
    format!("…[cut: {total_bytes} bytes]")
}

/// The byte index after the first `max` chars, if `s` has more than that: O(max), not O(len),
/// so a megabyte field costs no more than a short one.
fn cut_at(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    s.char_indices().nth(max).map(|(i, _)| i)
}

/// [`one_line`] of at most the first `max` chars of `s`, then the cut marker if there was
/// more. Cutting comes first, so the cost is bounded by `max`.
pub fn one_line_capped(s: &str, max: usize) -> Cow<'_, str> {
    match cut_at(s, max) {
        None => one_line(s),
        Some(i) => Cow::Owned(one_line(&s[..i]).into_owned() + &cut_marker(s.len())),
    }
}

/// [`multi_line`], capped as [`one_line_capped`] is.
pub fn multi_line_capped(s: &str, max: usize) -> Cow<'_, str> {
    match cut_at(s, max) {
        None => multi_line(s),
        Some(i) => Cow::Owned(multi_line(&s[..i]).into_owned() + &cut_marker(s.len())),
    }
}

/// [`one_line`] of at most the last `max` chars of `s`, after a `…` if there was more: for
/// cells that keep the tail (a resource's own name ends its path).
pub fn one_line_tail(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return one_line(s);
    }
    match s.char_indices().rev().nth(max.saturating_sub(1)) {
        Some((i, _)) if i > 0 => Cow::Owned(format!("…{}", one_line(&s[i..]))),
        _ => one_line(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_text_is_cut_where_it_says() {
        assert_eq!(one_line_capped("short\tone", 200), "short one");
        let big = "é".repeat(1000);
        let cut = one_line_capped(&big, 10);
        assert_eq!(cut, format!("{}…[cut: 2000 bytes]", "é".repeat(10)));
        // Cut inside an escape sequence: the half sequence goes too.
        let cut = one_line_capped("ab\u{1b}]52;c;aGVsbG8=\u{7}cdefgh", 6);
        assert!(cut.starts_with("ab…[cut: "), "{cut}");
        assert_eq!(multi_line_capped("a\nb\nc", 3), "a\nb…[cut: 5 bytes]");
        assert_eq!(one_line_tail("abcdef", 3), "…def");
        assert_eq!(one_line_tail("ab", 3), "ab");
        assert_eq!(one_line_tail(&big, 2), "…éé");
    }

    #[test]
    fn plain_text_is_untouched_and_borrowed() {
        assert!(matches!(one_line("idx-a ✔ ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        let cases = [
            ("\u{1b}[31mred\u{1b}[0m", "red"),
            ("a\u{1b}]0;title\u{7}b", "ab"),
            ("a\u{1b}]52;c;aGVsbG8=\u{1b}\\b", "ab"),
            ("x\u{9b}2Jy", "xy"),
            ("x\u{1b}Pdcs\u{1b}\\y", "xy"),
            ("bell\u{7}", "bell"),
            ("del\u{7f}", "del"),
            ("\u{202e}evil", "evil"),
            ("two\nlines\tand\rcr", "two lines and cr"),
            ("esc at end\u{1b}", "esc at end"),
            ("\u{1b}(Bcharset", "charset"),
        ];
        for (input, want) in cases {
            assert_eq!(one_line(input), want, "{input:?}");
        }
        assert_eq!(multi_line("a\nb\u{1b}[2J\tc"), "a\nb c");
    }
}
