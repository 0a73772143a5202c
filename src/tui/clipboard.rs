//! Copy to the clipboard of the terminal the user sits at, over SSH and inside tmux: OSC 52.

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
/// only forwards a bare OSC 52 when `set-clipboard` is on.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let seq = format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()));
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

    #[test]
    fn osc52_sequences() {
        assert_eq!(osc52("foo", false), "\u{1b}]52;c;Zm9v\u{7}");
        let t = osc52("foo", true);
        assert!(t.starts_with("\u{1b}]52;c;Zm9v\u{7}\u{1b}Ptmux;\u{1b}\u{1b}]52;c;Zm9v"));
        assert!(t.ends_with("\u{1b}\\"));
    }
}
