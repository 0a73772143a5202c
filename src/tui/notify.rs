//! Telling the user a watched operation finished: the bell always, and a desktop
//! notification where the terminal takes one: OSC 9 (iTerm2, WezTerm, Windows Terminal,
//! kitty) and OSC 777 (rxvt-unicode, foot, VTE-based terminals). Terminals that know
//! neither ignore both. Inside tmux each is wrapped for passthrough as well.

/// Text fit for the inside of an OSC: one line, no controls, no `;` (OSC 777 separates its
/// fields with it), bounded.
fn field(s: &str) -> String {
    crate::sanitize::one_line_capped(s, 200).replace(';', ",")
}

pub fn sequence(title: &str, body: &str, desktop: bool, in_tmux: bool) -> String {
    let mut out = String::from("\u{7}");
    if !desktop {
        return out;
    }
    let (title, body) = (field(title), field(body));
    // The title starts with "lrotop", never a digit: ConEmu reads `OSC 9 ; N` as a command.
    let osc9 = format!("\u{1b}]9;{title}: {body}\u{7}");
    let osc777 = format!("\u{1b}]777;notify;{title};{body}\u{7}");
    for seq in [osc9, osc777] {
        if in_tmux {
            out.push_str(&format!(
                "\u{1b}Ptmux;{}\u{1b}\\",
                seq.replace('\u{1b}', "\u{1b}\u{1b}")
            ));
        } else {
            out.push_str(&seq);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bell_then_both_notifications_with_safe_text() {
        let s = sequence("lrotop: op-1 DONE", "a;b\u{1b}]0;x\u{7}c", true, false);
        assert!(s.starts_with('\u{7}'));
        assert!(s.contains("\u{1b}]9;lrotop: op-1 DONE: a,b"), "{s:?}");
        assert!(
            s.contains("\u{1b}]777;notify;lrotop: op-1 DONE;a,b"),
            "{s:?}"
        );
        // The hostile body's own escape is gone: exactly the two sequences we wrote open.
        assert_eq!(s.matches('\u{1b}').count(), 2, "{s:?}");
        assert_eq!(sequence("t", "b", false, false), "\u{7}");
        let tmux = sequence("t", "b", true, true);
        assert!(
            tmux.contains("\u{1b}Ptmux;\u{1b}\u{1b}]9;t: b\u{7}\u{1b}\\"),
            "{tmux:?}"
        );
    }
}
