//! Where the bearer token comes from, decided per endpoint.
//!
//! Loopback endpoints (the emulator) need none. A fixed token can come from a file, as with
//! gcloud's `--access-token-file`. Otherwise Application Default Credentials are found on
//! first use, never before: discovery probes the metadata server and may run gcloud, which
//! must not happen for commands that never talk to Google.

use super::error::ApiError;
use gcp_auth::TokenProvider;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const ADC_DISCOVERY_TIMEOUT: Duration = Duration::from_secs(20);

enum Source {
    None,
    Token(String),
    Adc(OnceCell<Arc<dyn TokenProvider>>),
}

pub struct Auth {
    source: Source,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a token, not even in debug output.
        write!(f, "Auth({})", self.describe())
    }
}

/// True for `127.0.0.0/8`, `localhost` and `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    h.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Access tokens are a few kilobytes at most; a bigger file is the wrong file.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 << 10;

impl Auth {
    pub fn none() -> Self {
        Auth {
            source: Source::None,
        }
    }

    pub fn token(token: impl Into<String>) -> Self {
        Auth {
            source: Source::Token(token.into()),
        }
    }

    pub fn adc() -> Self {
        Auth {
            source: Source::Adc(OnceCell::new()),
        }
    }

    pub fn from_token_file(path: &Path) -> Result<Self, ApiError> {
        let text = crate::userfile::read_capped(path, MAX_TOKEN_FILE_BYTES).map_err(|e| {
            ApiError::Auth(format!(
                "cannot read access token file {}: {e}",
                path.display()
            ))
        })?;
        let token = text.trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(ApiError::Auth(format!(
                "access token file {} must hold one token on one line",
                path.display()
            )));
        }
        Ok(Auth::token(token))
    }

    /// Picks the source for `endpoint`: none for loopback unless a token file is given,
    /// and refuses to put a token on plain HTTP to anything but loopback.
    pub fn for_endpoint(
        endpoint: &reqwest::Url,
        token_file: Option<&Path>,
    ) -> Result<Self, ApiError> {
        let host = endpoint.host_str().unwrap_or("");
        let loopback = is_loopback_host(host);
        if endpoint.scheme() == "http" && !loopback {
            return Err(ApiError::Refused(format!(
                "refusing to send credentials over plain HTTP to {host}: use https, or a loopback address for a local server"
            )));
        }
        match token_file {
            Some(p) => Auth::from_token_file(p),
            None if loopback => Ok(Auth::none()),
            None => Ok(Auth::adc()),
        }
    }

    /// Where credentials come from, for `doctor` and logs.
    pub fn describe(&self) -> &'static str {
        match &self.source {
            Source::None => "none (loopback endpoint)",
            Source::Token(_) => "access token file",
            Source::Adc(_) => "application default credentials",
        }
    }

    /// Application Default Credentials, found on first use.
    pub fn is_adc(&self) -> bool {
        matches!(self.source, Source::Adc(_))
    }

    pub fn is_none(&self) -> bool {
        matches!(self.source, Source::None)
    }

    /// The `Authorization` header value, if any.
    pub async fn header(&self) -> Result<Option<String>, ApiError> {
        match &self.source {
            Source::None => Ok(None),
            Source::Token(t) => Ok(Some(format!("Bearer {t}"))),
            Source::Adc(cell) => {
                let provider = cell
                    .get_or_try_init(|| async {
                        tokio::time::timeout(ADC_DISCOVERY_TIMEOUT, gcp_auth::provider())
                            .await
                            .map_err(|_| {
                                ApiError::Auth(format!(
                                    "no credentials found within {}s (run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or pass --access-token-file)",
                                    ADC_DISCOVERY_TIMEOUT.as_secs()
                                ))
                            })?
                            .map_err(|e| ApiError::Auth(format!("{e} (run `gcloud auth application-default login` or pass --access-token-file)")))
                    })
                    .await?;
                let token = provider
                    .token(&[CLOUD_PLATFORM_SCOPE])
                    .await
                    .map_err(|e| ApiError::Auth(e.to_string()))?;
                Ok(Some(format!("Bearer {}", token.as_str())))
            }
        }
    }

    /// The project of the credentials, when ADC knows one.
    pub async fn project_id(&self) -> Option<String> {
        match &self.source {
            Source::Adc(cell) => {
                self.header().await.ok()?;
                let p = cell.get()?;
                p.project_id().await.ok().map(|s| s.to_string())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "127.0.0.1",
            "127.3.4.5",
            "localhost",
            "LOCALHOST",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "10.0.0.1",
            "cloudaicompanion.googleapis.com",
            "localhost.evil.com",
            "0.0.0.0",
            "",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn source_per_endpoint() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(
            Auth::for_endpoint(&url("http://127.0.0.1:8080/"), None)
                .unwrap()
                .is_none()
        );
        assert!(
            Auth::for_endpoint(&url("http://[::1]:8080/"), None)
                .unwrap()
                .is_none()
        );
        let e = Auth::for_endpoint(&url("http://example.com/"), None).unwrap_err();
        assert!(e.to_string().contains("plain HTTP"), "{e}");
        let a = Auth::for_endpoint(&url("https://cloudaicompanion.googleapis.com/"), None).unwrap();
        assert_eq!(a.describe(), "application default credentials");
    }

    #[test]
    fn token_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tok");
        std::fs::write(&p, "ya29.secret\n").unwrap();
        let a = Auth::from_token_file(&p).unwrap();
        assert_eq!(a.describe(), "access token file");
        assert!(!format!("{a:?}").contains("secret"));
        std::fs::write(&p, "two tokens").unwrap();
        assert!(Auth::from_token_file(&p).is_err());
        assert!(Auth::from_token_file(&dir.path().join("missing")).is_err());
    }

    /// On a thread, so that a read that blocks fails the test instead of hanging it.
    fn token_file_error(p: std::path::PathBuf) -> String {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(Auth::from_token_file(&p).map(|_| ()));
        });
        match rx.recv_timeout(std::time::Duration::from_secs(5)) {
            Ok(r) => r.unwrap_err().to_string(),
            Err(_) => panic!("reading the token file did not return within 5 s"),
        }
    }

    #[test]
    fn token_files_that_are_not_small_regular_files() {
        let e = token_file_error("/dev/zero".into());
        assert!(
            e.contains("/dev/zero: not a regular file (a character device)"),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, "a".repeat(65 * 1024)).unwrap();
        let e = token_file_error(big.clone());
        assert!(e.contains("larger than 64 KiB (66560 bytes)"), "{e}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = token_file_error(fifo);
        assert!(e.contains("not a regular file (a FIFO)"), "{e}");
    }
}
