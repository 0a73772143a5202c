//! Makes text from outside the process safe to put on a terminal.
//!
//! Servers, proxies and users can put escape sequences in operation names, status messages or
//! error bodies. Printed raw, those could recolour the screen, move the cursor, retitle the
//! window or write to the clipboard (OSC 52). Everything that reaches a terminal goes
//! through here first.

use std::borrow::Cow;

fn is_bidi_control(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
