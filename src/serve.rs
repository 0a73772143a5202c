//! The long-running modes: the standalone emulator and the dashboard.

use crate::app::{App, Settings};
use crate::audit::Audit;
use crate::cli::{EmulatorArgs, Global};
use crate::config::{Locations, ThemeName};
use crate::emulator::Emulator;
use crate::exit::CliError;
use crate::session::Session;
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

/// Several APIs: the app's targets are (project, service, location), each API's locations
/// discovered here, once, through its own client; what could not be found is told in the
/// log.
async fn service_targets(session: &Session, app: &mut App) {
    let mut notes = Vec::new();
    let (targets, errors) = session.service_targets(&mut notes).await;
    for t in targets {
        let host = |l: &str| session.host_for(&t.project, &t.service.name, l);
        app.add_service_targets(&t.project, t.service.clone(), &t.locations, &host);
    }
    for n in notes {
        app.say(crate::app::Level::Warn, n);
    }
    for (what, e) in errors {
        app.say(
            crate::app::Level::Error,
            format!("{what}: {e}; pass --location or set them in the config"),
        );
    }
    app.rebuild();
}

pub async fn dashboard(g: &Global) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return Err(CliError::usage(
            "the dashboard needs a terminal; for scripts use `lrotop list` (see --help)",
        ));
    }
    let session = Session::resolve(g, &crate::headless::process_env, true).await?;
    let scope = if session.demo {
        "demo".to_string()
    } else if let [p] = session.projects.as_slice() {
        p.label()
    } else {
        format!("{} projects", session.projects.len())
    };
    // Mutations are recorded before they are shown; where no record can be kept, none are
    // made: the dashboard runs read-only and says why.
    // The demo's operations are the in-process emulator's: they have no place in the
    // operator's record of what was done to real ones.
    let (audit, audit_problem) = if session.read_only || session.demo {
        (Audit::off(), None)
    } else {
        let user = crate::headless::process_env("USER")
            .or_else(|| crate::headless::process_env("LOGNAME"));
        match crate::session::audit_path(g, &crate::headless::process_env)
            .map_err(|e| e.message)
            .and_then(|p| Audit::open(&p, "dashboard", user))
        {
            Ok(a) => (a, None),
            Err(e) => (Audit::off(), Some(e)),
        }
    };
    let read_only = session.read_only || audit_problem.is_some();
    let mut settings = Settings::new(
        scope,
        session.refresh.max(crate::app::MIN_INTERVAL),
        read_only,
    );
    settings.bulk_confirm_threshold = session.config.bulk_confirm_threshold;
    settings.project_flags = session.project_flags.clone();
    settings.notify = !g.no_notify;
    settings.views = session.config.views.clone();
    settings.mouse = !g.no_mouse;
    settings.columns = session.config.columns.clone();
    settings.fallback_locations = session.fallback_locations.clone().unwrap_or_default();
    settings.request_budget =
        Some(g.request_budget.unwrap_or(session.config.request_budget)).filter(|b| *b > 0.0);
    for p in &session.projects {
        settings
            .project_endpoints
            .insert(p.id.clone(), p.endpoint.clone());
    }
    let single = session.single_service();
    let projects = session
        .projects
        .iter()
        .map(|p| {
            let locations = match &p.locations {
                // Several APIs: each one's targets are made below, before the loop.
                _ if !single => Some(Vec::new()),
                Locations::List(l) => Some(l.clone()),
                Locations::Discover => None,
            };
            (p.id.clone(), locations)
        })
        .collect();
    let mut app = App::with_projects(settings, projects, jiff::Timestamp::now());
    // The old setup stays as it always was: (project, location) targets, found in the app.
    if !single {
        service_targets(&session, &mut app).await;
    }
    if let Some(e) = &audit_problem {
        app.say_sticky(crate::app::Level::Error, format!("read-only: {e}"));
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let ids = session.project_ids();
    let runner = Runner::new(session.client_for("").clone(), tx, read_only)
        .with_audit(audit)
        .with_clients(
            ids.iter()
                .map(|p| (p.clone(), session.client_for(p).clone()))
                .collect(),
        )
        // Every project the config marks read-only, watched or not: the last guard holds
        // whatever project an operation's name turns out to be in.
        .with_read_only_projects(
            ids.iter()
                .chain(session.project_flags.keys())
                .filter(|p| session.read_only_for(p))
                .cloned()
                .collect(),
        )
        .with_service_clients(session.service_clients())
        .with_bulk_rate(g.bulk_rate);
    let configured = match session.theme {
        ThemeName::Default => Theme::Default,
        ThemeName::Mono => Theme::Mono,
    };
    let theme = Theme::choose(
        g.no_color,
        std::env::var("NO_COLOR").ok().as_deref(),
        configured,
    );
    // Panics print a full report, after ratatui's hook has restored the terminal.
    let _ = color_eyre::install();
    match crate::tui::run(app, runner, rx, theme).await {
        Ok(None) => Ok(()),
        Ok(Some(signal)) => Err(CliError::signalled(signal.exit_status())),
        Err(e) => Err(CliError::fatal(format!("terminal: {e}"))),
    }
}
