//! Reading a small file the user named (the config, an access token file) whole.
//!
//! A path can name anything: `/dev/zero` never ends, opening a FIFO waits for a writer that
//! may never come, a log file can be gigabytes. Only a regular file (after symlinks) is read,
//! and no more than a cap of it, so a wrong path costs an error message naming the file,
//! not memory or a hung process.

use std::fmt;
use std::io::Read;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// What the path names instead: "a FIFO", "a directory", …
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    #[error("larger than {}{}", Size(*.cap), .size.map(|s| format!(" ({s} bytes)")).unwrap_or_default())]
    TooLarge { cap: u64, size: Option<u64> },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// A cap as people write it: `1 MiB`, `64 KiB`.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: u64 = 1024;
        const MIB: u64 = 1024 * 1024;
        match self.0 {
            n if n >= MIB && n % MIB == 0 => write!(f, "{} MiB", n / MIB),
            n if n >= KIB && n % KIB == 0 => write!(f, "{} KiB", n / KIB),
            n => write!(f, "{n} bytes"),
        }
    }
}

fn kind(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

fn check(meta: &std::fs::Metadata, cap: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(meta.file_type())));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            cap,
            size: Some(meta.len()),
        });
    }
    Ok(())
}

/// The whole of `path` as UTF-8, if it is a regular file of at most `cap` bytes.
pub fn read_capped(path: &Path, cap: u64) -> Result<String, ReadError> {
    // Looked at before opening, because opening a FIFO is what blocks. A FIFO swapped in
    // between this look and the open would still block the open: that race needs someone
    // actively replacing the file, not a mistyped path, and closing it needs O_NONBLOCK
    // (a libc dependency).
    check(&std::fs::metadata(path)?, cap)?;
    let file = std::fs::File::open(path)?;
    // What was opened is what counts from here on.
    let meta = file.metadata()?;
    check(&meta, cap)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while read is cut at the cap plus one byte: enough to know.
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap, size: None });
    }
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(Size(1 << 20).to_string(), "1 MiB");
        assert_eq!(Size(64 << 10).to_string(), "64 KiB");
        assert_eq!(Size(1000).to_string(), "1000 bytes");
    }

    #[test]
    fn regular_files_within_the_cap_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), "hello");
        let e = read_capped(&p, 4).unwrap_err();
        assert_eq!(e.to_string(), "larger than 4 bytes (5 bytes)");
        let e = read_capped(dir.path(), 4).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
        assert!(
            read_capped(&dir.path().join("missing"), 4)
                .unwrap_err()
                .is_not_found()
        );
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(
            read_capped(&p, 4)
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_symlinks() {
        let e = read_capped(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a character device)");
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real");
        std::fs::write(&target, "x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read_capped(&link, 4).unwrap(), "x");
    }
}
