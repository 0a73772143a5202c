//! The console link as a terminal hyperlink (OSC 8): the overlay's address, written again
//! over the same cells with the link around each piece. Terminals that know OSC 8 make it
//! one clickable link (the pieces share an `id`); the rest ignore the sequences and keep
//! the text ratatui drew. tmux forwards OSC 8 itself (3.4 and later), so there is no
//! passthrough wrapping here.

use crate::api::console::ConsoleUrl;
use crossterm::Command;
use crossterm::cursor::MoveTo;
use std::ops::Range;

/// Underlined, as the overlay draws it, so what is written matches the cells ratatui holds.
const ON: &str = "\u{1b}[4m";
const OFF: &str = "\u{1b}[24m";

/// `pieces` are where the overlay drew each part of the address: the cell it starts at
/// and the bytes of the address it holds.
pub fn sequence(url: &ConsoleUrl, pieces: &[(u16, u16, Range<usize>)]) -> String {
    let mut out = String::new();
    for (x, y, piece) in pieces {
        MoveTo(*x, *y)
            .write_ansi(&mut out)
            .expect("writing to a String cannot fail");
        out.push_str(ON);
        out.push_str(&url.hyperlink(piece.clone(), "lrotop-console"));
        out.push_str(OFF);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::OperationName;

    #[test]
    fn each_piece_is_linked_where_it_was_drawn() {
        let name = OperationName::parse("projects/p/locations/l/operations/o").unwrap();
        let url = crate::api::console::url_for(&name, None, None, None);
        let s = url.as_str();
        let (a, b) = s.split_at(30);
        let seq = sequence(&url, &[(4, 10, 0..30), (4, 11, 30..s.len())]);
        let link = format!("\u{1b}]8;id=lrotop-console;{s}\u{1b}\\");
        assert_eq!(
            seq,
            format!(
                "\u{1b}[11;5H{ON}{link}{a}\u{1b}]8;;\u{1b}\\{OFF}\
                 \u{1b}[12;5H{ON}{link}{b}\u{1b}]8;;\u{1b}\\{OFF}"
            )
        );
        assert!(!seq.contains('\u{7}'));
    }
}
