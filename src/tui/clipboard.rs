//! Copy to the clipboard of the terminal the user sits at, over SSH and inside tmux: OSC 52.
//! crossterm writes the sequence; the tmux passthrough wrapping, which crossterm lacks, is
//! ours.

use crate::api::OperationName;
use crate::api::console::ConsoleUrl;
use crossterm::Command;
use crossterm::clipboard::CopyToClipboard;

/// The bytes to write. Inside tmux the sequence is also wrapped for passthrough, since tmux
/// only forwards a bare OSC 52 when `set-clipboard` is on. Only a parsed name is accepted:
/// its characters are printable ASCII, so the clipboard gets nothing a shell would run.
pub fn osc52(name: &OperationName, in_tmux: bool) -> String {
    osc52_text(name.to_string(), in_tmux)
}

/// A console address: printable ASCII by construction, like a name.
pub fn osc52_link(url: &ConsoleUrl, in_tmux: bool) -> String {
    osc52_text(url.to_string(), in_tmux)
}

fn osc52_text(text: String, in_tmux: bool) -> String {
    let mut seq = String::new();
    CopyToClipboard::to_clipboard_from(text)
        .write_ansi(&mut seq)
        .expect("writing to a String cannot fail");
    if in_tmux {
        // tmux takes the sequence inside a DCS, with every ESC of it doubled.
        let wrapped = format!(
            "\u{1b}Ptmux;{}\u{1b}\\",
            seq.replace('\u{1b}', "\u{1b}\u{1b}")
        );
        format!("{seq}{wrapped}")
    } else {
        seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::prelude::{BASE64_STANDARD, Engine};

    /// OSC 52 to the clipboard (`c`), ended by ST.
    const START: &str = "\u{1b}]52;c;";
    const END: &str = "\u{1b}\\";

    fn name(s: &str) -> OperationName {
        OperationName::parse(s).unwrap()
    }

    #[test]
    fn osc52_sequences() {
        let text = "projects/p/locations/l/operations/o";
        let b64 = BASE64_STANDARD.encode(text);
        assert_eq!(b64, "cHJvamVjdHMvcC9sb2NhdGlvbnMvbC9vcGVyYXRpb25zL28=");
        let bare = format!("{START}{b64}{END}");
        assert_eq!(osc52(&name(text), false), bare);
        // In tmux: the bare sequence, then the same inside a passthrough DCS with its ESCs
        // doubled, closed by a single ST.
        assert_eq!(
            osc52(&name(text), true),
            format!("{bare}\u{1b}Ptmux;\u{1b}\u{1b}]52;c;{b64}\u{1b}\u{1b}\\\u{1b}\\")
        );
    }

    #[test]
    fn the_payload_is_exactly_the_valid_name() {
        let text = "projects/my-proj/locations/us-central1/operations/op-9_x.y";
        let seq = osc52(&name(text), false);
        let payload = seq
            .strip_prefix(START)
            .and_then(|s| s.strip_suffix(END))
            .expect("one OSC 52 sequence");
        assert_eq!(BASE64_STANDARD.decode(payload).unwrap(), text.as_bytes());
        // The only way to a payload is a parsed name, and names with controls do not parse.
        for hostile in [
            "projects/p/locations/l/operations/o\u{9b}2J",
            "projects/p/locations/l/operations/o\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
            "projects/p/locations/l/operations/o\n rm -rf ~",
        ] {
            assert!(OperationName::parse(hostile).is_err(), "{hostile:?}");
        }
    }
}
