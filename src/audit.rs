//! The audit log: one JSON line for every cancel and delete sent, by the dashboard or the
//! CLI, with its outcome. `~/.local/state/lrotop/audit.jsonl` by default (`$XDG_STATE_HOME`),
//! `--audit-log FILE` (or `LROTOP_AUDIT_LOG`) otherwise.
//!
//! A line is written when the answer comes, before anyone is shown it, in one `write` on a
//! file opened for appending: nothing buffers it in this process, so a crash (or a kill)
//! right after loses nothing the server had answered, and two lrotops appending at once do
//! not interleave their lines. Read-only runs send nothing and so write nothing.

use crate::api::{ApiError, OperationName};
use crate::app::MutationKind;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where the log lives when no flag says otherwise.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let state = env("XDG_STATE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("lrotop").join("audit.jsonl"))
}

/// One mutation and how it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, when the answer came.
    pub time: String,
    /// The local login (`$USER`), for a log shared on a bastion host.
    pub user: String,
    /// Where the credentials came from: access token file, ADC, none.
    pub credential: String,
    /// `dashboard` or `cli`.
    pub via: String,
    pub action: String,
    pub project: String,
    pub name: String,
    /// `accepted`, `refused` (the server decided against it) or `failed` (no decision).
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

struct Inner {
    path: PathBuf,
    file: Mutex<File>,
    via: &'static str,
    user: String,
}

/// Cheap to clone; `off` records nothing (tests, benches, read-only runs).
#[derive(Clone, Default)]
pub struct Audit {
    inner: Option<Arc<Inner>>,
}

impl Audit {
    pub fn off() -> Audit {
        Audit::default()
    }

    /// Opens (creating it and its directory) the log for appending. `via` says who writes.
    pub fn open(path: &Path, via: &'static str, user: Option<String>) -> Result<Audit, String> {
        let fail = |e: std::io::Error| {
            format!(
                "cannot write the audit log {}: {e} (choose another with --audit-log FILE)",
                path.display()
            )
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut opts = OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // What was cancelled where, by whom: for its owner's eyes.
            opts.mode(0o600);
        }
        let file = opts.open(path).map_err(fail)?;
        let meta = file.metadata().map_err(fail)?;
        if !meta.is_file() {
            return Err(format!(
                "cannot write the audit log {}: not a regular file",
                path.display()
            ));
        }
        Ok(Audit {
            inner: Some(Arc::new(Inner {
                path: path.to_path_buf(),
                file: Mutex::new(file),
                via,
                user: user.unwrap_or_else(|| "unknown".into()),
            })),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.inner.as_ref().map(|i| i.path.as_path())
    }

    /// Appends the line for one answer. An error is returned for the caller to say; the
    /// answer itself stands.
    pub fn record(
        &self,
        kind: MutationKind,
        name: &OperationName,
        credential: &str,
        result: &Result<(), ApiError>,
    ) -> std::io::Result<()> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        let (outcome, http_status, code, message) = match result {
            Ok(()) => ("accepted", None, None, String::new()),
            Err(e) => (
                if e.is_refusal() { "refused" } else { "failed" },
                e.http_status(),
                e.code().map(|c| c.name().to_string()),
                crate::sanitize::one_line_capped(&e.to_string(), 400).into_owned(),
            ),
        };
        let entry = Entry {
            time: jiff::Timestamp::now().to_string(),
            user: inner.user.clone(),
            credential: credential.to_string(),
            via: inner.via.to_string(),
            action: kind.verb().to_string(),
            project: name.project().to_string(),
            name: name.to_string(),
            outcome: outcome.to_string(),
            http_status,
            code,
            message,
        };
        let mut line = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = inner.file.lock().unwrap_or_else(|e| e.into_inner());
        // One write of the whole line: appends are atomic for it, and nothing is buffered.
        file.write_all(&line)?;
        file.flush()
    }
}

/// The entries of a log, oldest first, and how many lines could not be read.
pub fn read(path: &Path) -> Result<(Vec<Entry>, usize), String> {
    use std::io::BufRead;
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    let mut entries = Vec::new();
    let mut bad = 0;
    for line in std::io::BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Entry>(&line) {
            Ok(e) => entries.push(e),
            Err(_) => bad += 1,
        }
    }
    Ok((entries, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_whole_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/audit.jsonl");
        let audit = Audit::open(&path, "cli", Some("ops".into())).unwrap();
        let name = OperationName::parse("projects/p/locations/l/operations/a").unwrap();
        audit
            .record(MutationKind::Cancel, &name, "none", &Ok(()))
            .unwrap();
        let refused = ApiError::from(crate::api::error::parse_error_body(
            403,
            None,
            br#"{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "no\u001b[2J"}}"#,
        ));
        audit
            .record(MutationKind::Delete, &name, "none", &Err(refused))
            .unwrap();
        // A second writer appends after the first.
        let again = Audit::open(&path, "dashboard", None).unwrap();
        again
            .record(MutationKind::Cancel, &name, "none", &Ok(()))
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"not json\n")
            .unwrap();
        let (entries, bad) = read(&path).unwrap();
        assert_eq!((entries.len(), bad), (3, 1));
        assert_eq!(
            (entries[0].action.as_str(), entries[0].outcome.as_str()),
            ("cancel", "accepted")
        );
        assert_eq!(entries[1].outcome, "refused");
        assert_eq!(entries[1].http_status, Some(403));
        assert_eq!(entries[1].code.as_deref(), Some("PERMISSION_DENIED"));
        assert!(!entries[1].message.chars().any(char::is_control));
        assert_eq!(
            (entries[0].user.as_str(), entries[2].via.as_str()),
            ("ops", "dashboard")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn off_writes_nothing_and_a_directory_is_refused() {
        let name = OperationName::parse("projects/p/locations/l/operations/a").unwrap();
        assert!(
            Audit::off()
                .record(MutationKind::Cancel, &name, "none", &Ok(()))
                .is_ok()
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(Audit::open(dir.path(), "cli", None).is_err());
    }

    #[test]
    fn the_default_follows_xdg_state_home() {
        let env = |k: &str| match k {
            "XDG_STATE_HOME" => Some("/s".to_string()),
            "HOME" => Some("/h".to_string()),
            _ => None,
        };
        assert_eq!(
            default_path(&env),
            Some(PathBuf::from("/s/lrotop/audit.jsonl"))
        );
        let home = |k: &str| (k == "HOME").then(|| "/h".to_string());
        assert_eq!(
            default_path(&home),
            Some(PathBuf::from("/h/.local/state/lrotop/audit.jsonl"))
        );
    }
}
