//! Logs go to a file (`--log-file`), or to stderr for headless commands with `-v`; never to
//! stdout or the dashboard's screen.

use crate::cli::Global;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// `~/.cache/lrotop/lrotop.log` on Linux (the platform's cache directory elsewhere).
pub fn default_log_file() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "lrotop").map(|d| d.cache_dir().join("lrotop.log"))
}

pub fn init(g: &Global, headless: bool) -> Result<Option<WorkerGuard>, String> {
    let level = match g.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("LROTOP_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("lrotop={level}")));
    // The dashboard owns the screen, so its logs always go to a file.
    let default_file = (!headless).then(default_log_file).flatten();
    if let Some(path) = g.log_file.as_ref().or(default_file.as_ref()) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let file = match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if g.log_file.is_some() => {
                return Err(format!("cannot open log file {}: {e}", path.display()));
            }
            // No usable default place: run without logs rather than not at all.
            Err(_) => return Ok(None),
        };
        let (writer, guard) = tracing_appender::non_blocking(file);
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .with_ansi(false)
            .init();
        return Ok(Some(guard));
    }
    if headless && g.verbose > 0 {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    Ok(None)
}
