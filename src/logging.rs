//! Logs go to a file (`--log-file`), or to stderr for headless commands with `-v`; never to
//! stdout or the dashboard's screen.

use crate::cli::Global;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub fn init(g: &Global, headless: bool) -> Result<Option<WorkerGuard>, String> {
    let level = match g.verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("LROTOP_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("lrotop={level}")));
    if let Some(path) = &g.log_file {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
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
