//! Fixtures shared by the dashboard's tests: a deterministic world and an app over it.
#![allow(dead_code)]

pub mod dashboard;

use jiff::Timestamp;
use lrotop::api::{ApiError, LocationName, Operation};
use lrotop::app::{Action, App, Effect, Settings, update};
use lrotop::emulator::Scenario;
use lrotop::emulator::state::{World, WorldConfig};
use std::time::Duration;

pub const T0: &str = "2026-01-01T12:00:00Z";

pub fn t0() -> Timestamp {
    T0.parse().unwrap()
}

/// The static world at T0: in each location, the first eight operations are, in order:
/// cancellable, ignores cancel, refuses (UNIMPLEMENTED), refuses (PERMISSION_DENIED), done,
/// failed, cancelled, done despite a cancel.
pub fn world(projects: usize, locations: usize, per_location: usize) -> World {
    World::new(&WorldConfig {
        scenario: Scenario::Static,
        projects,
        locations,
        ops_per_location: per_location,
        seed: 1,
        empty_pages: false,
        frozen_at: Some(t0()),
    })
}

pub fn loc(l: &str) -> LocationName {
    LocationName::new("demo-project-1", l).unwrap()
}

pub fn settings() -> Settings {
    Settings::new("demo-project-1", Duration::from_secs(5), false)
}

/// An app over `locations` of demo-project-1, each loaded from the world, at T0 + 5 min.
pub fn loaded_app(world: &mut World, locations: &[&str]) -> App {
    let locs: Vec<String> = locations.iter().map(|s| s.to_string()).collect();
    let mut app = App::new(settings(), vec!["demo-project-1".into()], Some(locs), t0());
    let now = t0() + jiff::SignedDuration::from_mins(5);
    let fx = update(&mut app, Action::Tick(now));
    assert_eq!(
        fx.len(),
        locations.len(),
        "one refresh per location: {fx:?}"
    );
    for l in locations {
        load(&mut app, l, Ok(world.snapshot("demo-project-1", l)));
    }
    app
}

pub fn load(app: &mut App, l: &str, result: Result<Vec<Operation>, ApiError>) -> Vec<Effect> {
    update(
        app,
        Action::Loaded {
            location: loc(l),
            result,
        },
    )
}

pub fn names_in_view(app: &App) -> Vec<String> {
    app.view
        .iter()
        .map(|i| app.rows[*i].op.name.clone())
        .collect()
}

/// Puts the selection on the operation named `name`.
pub fn select(app: &mut App, name: &str) {
    let pos = app
        .view
        .iter()
        .position(|i| app.rows[*i].op.name == name)
        .expect("row in view");
    app.selected = pos;
}

/// The open confirmation in the words the screen shows it with.
pub fn dialog_words(app: &App) -> lrotop::ui::Words {
    match &app.mode {
        lrotop::app::Mode::Confirm(c) => lrotop::ui::confirm_words(c, app.bulk.as_ref(), app.now),
        other => panic!("no dialog: {other:?}"),
    }
}

/// The open confirmation's facts about several operations.
pub fn many_facts(app: &App) -> lrotop::app::Many {
    match &app.mode {
        lrotop::app::Mode::Confirm(lrotop::app::Confirm {
            facts: lrotop::app::Facts::Many(m),
            ..
        }) => m.clone(),
        other => panic!("no bulk dialog: {other:?}"),
    }
}

/// The `lrotop` binary with no config, project or endpoint from the environment, and its
/// audit log beside the tests (never the real one).
pub fn hermetic_lrotop() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_lrotop"));
    c.env("XDG_CONFIG_HOME", "/nonexistent/lrotop-test")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("lrotop-test-state-{}", std::process::id())),
        )
        .env_remove("LROTOP_CONFIG")
        .env_remove("LROTOP_PROJECT")
        .env_remove("LROTOP_ENDPOINT")
        .env_remove("LROTOP_AUDIT_LOG")
        .stdin(std::process::Stdio::null());
    c
}
