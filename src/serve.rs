//! The long-running modes: the standalone emulator and the dashboard.

use crate::app::{App, Settings};
use crate::cli::{EmulatorArgs, Global};
use crate::emulator::Emulator;
use crate::headless::{CliError, Context};
use crate::sync::Runner;
use crate::ui::Theme;
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

pub async fn dashboard(g: &Global) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return Err(CliError::usage(
            "the dashboard needs a terminal; for scripts use `lrotop list` (see --help)",
        ));
    }
    let ctx = Context::new(g, true).await?;
    let locations = (!ctx.locations.is_empty()).then(|| ctx.locations.clone());
    let scope = if g.demo {
        "demo".to_string()
    } else if let [p] = ctx.projects.as_slice() {
        p.clone()
    } else {
        format!("{} projects", ctx.projects.len())
    };
    let settings = Settings::new(scope, g.refresh.max(crate::app::MIN_INTERVAL), g.read_only);
    let app = App::new(
        settings,
        ctx.projects.clone(),
        locations,
        jiff::Timestamp::now(),
    );
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = Runner::new(ctx.client.clone(), tx, g.read_only);
    let theme = Theme::choose(
        g.no_color,
        std::env::var("NO_COLOR").ok().as_deref(),
        Theme::Default,
    );
    // Panics print a full report, after ratatui's hook has restored the terminal.
    let _ = color_eyre::install();
    crate::tui::run(app, runner, rx, theme)
        .await
        .map_err(|e| CliError::fatal(format!("terminal: {e}")))
}
