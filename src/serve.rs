//! The long-running modes: the standalone emulator and the dashboard.

use crate::cli::{EmulatorArgs, Global};
use crate::emulator::Emulator;
use crate::headless::CliError;
use std::io::Write;

pub async fn emulator(args: &EmulatorArgs) -> Result<(), CliError> {
    let emu = Emulator::start(args.config())
        .await
        .map_err(|e| CliError::fatal(format!("cannot listen on {}: {e}", args.addr)))?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", emu.url());
        let _ = out.flush();
    }
    tracing::info!(url = %emu.url(), "emulator serving");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::fatal(format!("cannot wait for ctrl-c: {e}")))?;
    Ok(())
}

pub async fn dashboard(_g: &Global) -> Result<(), CliError> {
    Err(CliError::usage(
        "the dashboard is not built yet: use a command (try `lrotop list --demo`)",
    ))
}
