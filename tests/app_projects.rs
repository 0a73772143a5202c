//! Several projects in one dashboard: the switcher, the all-projects view, discovery's
//! fallback to the configured locations.

mod common;

use common::*;
use lrotop::api::error::parse_error_body;
use lrotop::app::keys::Key;
use lrotop::app::{Action, App, Effect, Mode, ProjectFlags, Settings, update};
use lrotop::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

fn two_projects() -> App {
    let mut settings = Settings::new("2 projects", Duration::from_secs(5), false);
    settings.project_flags.insert(
        "demo-project-1".into(),
        ProjectFlags {
            alias: Some("prod".into()),
            read_only: true,
            protected: true,
            accent: None,
        },
    );
    settings.project_flags.insert(
        "demo-project-2".into(),
        ProjectFlags {
            alias: Some("dev".into()),
            ..Default::default()
        },
    );
    let locs = Some(vec!["global".to_string()]);
    let mut app = App::with_projects(
        settings,
        vec![
            ("demo-project-1".into(), locs.clone()),
            ("demo-project-2".into(), locs),
        ],
        t0(),
    );
    let mut w = world(2, 1, 8);
    let fx = update(&mut app, Action::Tick(t0()));
    assert_eq!(
        fx.len(),
        2,
        "all projects are in view at first: both refresh"
    );
    for p in ["demo-project-1", "demo-project-2"] {
        update(
            &mut app,
            Action::Loaded {
                location: lrotop::api::LocationName::new(p, "global").unwrap(),
                result: Ok(w.snapshot(p, "global")),
            },
        );
    }
    app
}

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    update(app, Action::Key(k))
}

fn pick(app: &mut App, query: &str) -> Vec<Effect> {
    key(app, Key::Char('P'));
    for c in query.chars() {
        key(app, Key::Char(c));
    }
    key(app, Key::Enter)
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 24)).unwrap();
    t.draw(|f| ui::draw(f, app, Theme::Default)).unwrap();
    format!("{}", t.backend())
}

#[test]
fn the_all_projects_view_shows_both_with_a_project_column() {
    let app = two_projects();
    assert_eq!(app.project_scope, None);
    assert_eq!(app.view.len(), 16);
    let s = screen(&app);
    assert!(s.contains("all projects (2)"), "{s}");
    assert!(
        s.contains("PROJECT")
            && s.contains("prod (demo-project-1)")
            && s.contains("dev (demo-project-2)"),
        "{s}"
    );
    insta::assert_snapshot!("all_projects", s);
}

#[test]
fn switching_changes_rows_header_and_badges() {
    let mut app = two_projects();
    pick(&mut app, "dev");
    assert_eq!(app.scope_project(), Some("demo-project-2"));
    assert_eq!(app.view.len(), 8);
    assert!(
        app.view
            .iter()
            .all(|i| app.rows[*i].op.project() == "demo-project-2")
    );
    let s = screen(&app);
    assert!(s.contains("dev (demo-project-2)"), "{s}");
    assert!(!s.contains("PROJECT "), "no project column for one project");
    assert!(
        !s.contains("demo-projec…") && s.contains("│ global"),
        "locations by name: {s}"
    );
    assert!(!s.contains("READ-ONLY"));

    pick(&mut app, "prod");
    assert_eq!(app.scope_project(), Some("demo-project-1"));
    let s = screen(&app);
    assert!(
        s.contains("prod (demo-project-1)") && s.contains("READ-ONLY") && s.contains("PROTECTED"),
        "{s}"
    );
    insta::assert_snapshot!("one_project", s);

    // Fuzzy: letters in order, in the alias or the id; "all" brings everything back.
    assert_eq!(app.picker_matches("dp2"), vec![Some(1)]);
    assert_eq!(app.picker_matches("pro")[0], Some(0));
    pick(&mut app, "all");
    assert_eq!(app.project_scope, None);
    assert_eq!(app.view.len(), 16);
    // Esc leaves things as they were.
    key(&mut app, Key::Char(':'));
    assert!(matches!(app.mode, Mode::ProjectPicker { .. }));
    key(&mut app, Key::Char('d'));
    key(&mut app, Key::Esc);
    assert_eq!(app.project_scope, None);
}

#[test]
fn only_the_project_in_view_is_refreshed() {
    let mut app = two_projects();
    pick(&mut app, "dev");
    let later = t0() + Duration::from_secs(60);
    let fx = update(&mut app, Action::Tick(later));
    assert_eq!(
        fx,
        vec![Effect::Refresh {
            location: lrotop::api::LocationName::new("demo-project-2", "global").unwrap()
        }]
    );
    let fx = key(&mut app, Key::Char('r'));
    assert!(fx.is_empty(), "already in flight");
}

#[test]
fn discovery_falls_back_to_the_configured_locations_and_says_so() {
    let mut settings = settings();
    settings.fallback_locations = vec!["global".into(), "us-central1".into()];
    let mut app = App::with_projects(settings, vec![("p1".into(), None)], t0());
    update(&mut app, Action::Tick(t0()));
    let e = parse_error_body(404, None, b"").into();
    let fx = update(
        &mut app,
        Action::Discovered {
            project: "p1".into(),
            result: Err(e),
        },
    );
    assert_eq!(fx.len(), 2);
    let labels: Vec<&str> = app.targets.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["global", "us-central1"]);
    let status = app.status.as_ref().unwrap().text.clone();
    assert!(
        status.contains("locations.list is not available") && status.contains("[defaults]"),
        "{status}"
    );

    // Without a fallback, or for other errors, it is an error to fix.
    let mut app = App::with_projects(settings_no_fallback(), vec![("p1".into(), None)], t0());
    update(&mut app, Action::Tick(t0()));
    let e = parse_error_body(503, None, b"").into();
    update(
        &mut app,
        Action::Discovered {
            project: "p1".into(),
            result: Err(e),
        },
    );
    assert!(app.targets.is_empty());
}

fn settings_no_fallback() -> Settings {
    settings()
}

/// Presses `s` until the status line says the table is sorted by `title` (at most once
/// round every column).
fn sort_by(app: &mut App, title: &str) {
    for _ in 0..10 {
        key(app, Key::Char('s'));
        let said = app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        if said == format!("sorted by {title}") {
            return;
        }
    }
    panic!("s never sorted by {title}");
}

fn projects_in_view(app: &App) -> Vec<String> {
    app.view
        .iter()
        .map(|i| app.rows[*i].op.project().to_string())
        .collect()
}

#[test]
fn the_project_column_sorts_by_the_name_it_shows() {
    let mut app = two_projects();
    sort_by(&mut app, "PROJECT");
    // By alias, as the column reads: dev (demo-project-2) before prod (demo-project-1),
    // the opposite of the ids' order.
    let want: Vec<String> = std::iter::repeat_n("demo-project-2".to_string(), 8)
        .chain(std::iter::repeat_n("demo-project-1".to_string(), 8))
        .collect();
    assert_eq!(projects_in_view(&app), want);
    // Within a project, newest first.
    let stamps: Vec<_> = app.view[..8]
        .iter()
        .map(|i| app.rows[*i].op.create_time())
        .collect();
    let mut newest_first = stamps.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(stamps, newest_first);
    key(&mut app, Key::Char('S'));
    assert_eq!(projects_in_view(&app)[0], "demo-project-1");
    // One project in view: no PROJECT column, so `s` moves on from it.
    pick(&mut app, "dev");
    key(&mut app, Key::Char('s'));
    let said = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert_eq!(said, "sorted by STATE");
}
