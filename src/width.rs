//! Text measured as a terminal lays it out: a CJK character takes two cells, a combining
//! accent none. Counting `chars()` instead misaligns every column after a wide value and
//! lets a "shortened" cell overflow its column, where the table then cuts off the very tail
//! that was kept on purpose.
//!
//! Callers pass sanitized text (see [`crate::sanitize`]): control characters have no width.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cells `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The longest start of `s` that fits in `max` cells.
pub fn head_within(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += char_width(c);
        if used > max {
            return &s[..i];
        }
    }
    s
}

/// The longest end of `s` that fits in `max` cells. It never starts with a zero-width
/// character: a combining accent whose base was cut off would land on the `…` before it.
pub fn tail_within(s: &str, max: usize) -> &str {
    let mut used = 0;
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        used += char_width(c);
        if used > max {
            break;
        }
        start = i;
    }
    let tail = &s[start..];
    tail.trim_start_matches(|c| char_width(c) == 0)
}

/// At most `max` cells: the start of `s`, then `…` if something was cut.
pub fn shorten_right(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    Cow::Owned(format!("{}…", head_within(s, max - 1)))
}

/// At most `max` cells, keeping the tail, which names the resource: `…Indexes/idx-a`.
pub fn shorten_left(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    Cow::Owned(format!("…{}", tail_within(s, max - 1)))
}

/// At most `max` cells, keeping both ends: names that differ only at the end (`us-east1`,
/// `us-east4`) or only at the start (`us-west1`, `europe-west1`) still read apart.
pub fn shorten_middle(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max < 3 {
        return shorten_left(s, max);
    }
    let tail = tail_within(s, (max - 1) / 2);
    let head = head_within(s, max - 1 - width(tail));
    Cow::Owned(format!("{head}…{tail}"))
}

/// `s` followed by spaces up to `cells` (nothing added if it is already that wide).
pub fn pad(s: &str, cells: usize) -> String {
    let mut out = String::with_capacity(s.len() + cells);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(width(s))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_cells_and_accents_none() {
        assert_eq!(width("idx-a"), 5);
        assert_eq!(width("データ/索引"), 11);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("⊗ CANCELLED"), 11);
    }

    #[test]
    fn shortening_counts_cells() {
        assert_eq!(shorten_left("abc", 5), "abc");
        assert_eq!(
            shorten_left("projects/p/locations/l/codeRepositoryIndexes/idx-a", 12),
            "…dexes/idx-a"
        );
        // Six cells of tail would split 索: five, and the result is one cell short rather
        // than one cell too wide.
        assert_eq!(shorten_left("things/データ/索引", 7), "…/索引");
        assert_eq!(width(&shorten_left("things/データ/索引", 8)), 8);
        assert_eq!(shorten_right("データ/索引", 6), "デー…");
        assert_eq!(shorten_right("abcdef", 4), "abc…");
        assert_eq!(shorten_right("abcdef", 0), "");
        assert_eq!(shorten_left("abcdef", 0), "");
        assert_eq!(shorten_left("abcdef", 1), "…");
    }

    #[test]
    fn a_cut_never_leaves_an_accent_without_its_letter() {
        // "xé" with a combining accent: keeping one cell of tail must not keep the accent
        // alone.
        let s = "abcxe\u{301}";
        assert_eq!(tail_within(s, 1), "e\u{301}");
        assert_eq!(tail_within("ab\u{301}", 0), "");
        assert_eq!(head_within("e\u{301}x", 1), "e\u{301}");
    }

    #[test]
    fn padding_is_by_cells() {
        assert_eq!(pad("索引", 6), "索引  ");
        assert_eq!(pad("abc", 2), "abc");
    }
}
