//! Copy to the clipboard of the terminal the user sits at, over SSH and inside tmux: OSC 52.

use crate::api::OperationName;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes to write. Inside tmux the sequence is also wrapped for passthrough, since tmux
/// only forwards a bare OSC 52 when `set-clipboard` is on. Only a parsed name is accepted:
/// its characters are printable ASCII, so the clipboard gets nothing a shell would run.
pub fn osc52(name: &OperationName, in_tmux: bool) -> String {
    let seq = format!("\u{1b}]52;c;{}\u{7}", base64(name.to_string().as_bytes()));
    if in_tmux {
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

    #[test]
    fn base64_of_known_strings() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"projects/p"), "cHJvamVjdHMvcA==");
    }

    fn name(s: &str) -> OperationName {
        OperationName::parse(s).unwrap()
    }

    fn decode(b64: &str) -> Vec<u8> {
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in b64.bytes().filter(|c| *c != b'=') {
            let v = ALPHABET.iter().position(|a| *a == c).expect("base64 digit") as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
            }
        }
        out
    }

    #[test]
    fn osc52_sequences() {
        let n = name("projects/p/locations/l/operations/o");
        let b64 = base64(b"projects/p/locations/l/operations/o");
        assert_eq!(osc52(&n, false), format!("\u{1b}]52;c;{b64}\u{7}"));
        let t = osc52(&n, true);
        assert!(t.starts_with(&format!(
            "\u{1b}]52;c;{b64}\u{7}\u{1b}Ptmux;\u{1b}\u{1b}]52;c;{b64}"
        )));
        assert!(t.ends_with("\u{1b}\\"));
    }

    #[test]
    fn the_payload_is_exactly_the_valid_name() {
        let text = "projects/my-proj/locations/us-central1/operations/op-9_x.y";
        let seq = osc52(&name(text), false);
        let payload = seq
            .strip_prefix("\u{1b}]52;c;")
            .and_then(|s| s.strip_suffix('\u{7}'))
            .expect("one OSC 52 sequence");
        assert_eq!(decode(payload), text.as_bytes());
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
