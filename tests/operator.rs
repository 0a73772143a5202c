//! The operator's day (issue 13): per-project colours, saved views.

mod common;

use common::*;
use lrotop::app::{Accent, App, ProjectFlags};
use lrotop::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn draw(app: &App, theme: Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(140, 20)).unwrap();
    t.draw(|f| lrotop::ui::draw(f, app, theme)).unwrap();
    t.backend().buffer().clone()
}

fn find(buf: &Buffer, y: u16, text: &str) -> Option<u16> {
    let line: String = (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect();
    line.find(text).map(|b| line[..b].chars().count() as u16)
}

#[test]
fn a_projects_colour_marks_the_header_and_the_frames() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let plain = draw(&app, Theme::Default);
    let x = find(&plain, 0, "demo-project-1").unwrap();
    assert_eq!(plain[(x, 0)].bg, Color::Reset);
    app.settings.project_flags.insert(
        "demo-project-1".into(),
        ProjectFlags {
            accent: Some(Accent::Red),
            ..Default::default()
        },
    );
    let red = draw(&app, Theme::Default);
    assert_eq!(red[(x, 0)].bg, Color::Red, "the header's project name");
    // Both panes' frames (row 1 is their top border).
    assert_eq!(red[(0, 1)].fg, Color::Red);
    assert_eq!(red[(139, 1)].fg, Color::Red);
    // Mono keeps to emphasis: no colour at all.
    let mono = draw(&app, Theme::Mono);
    assert_eq!(mono[(x, 0)].bg, Color::Reset);
    assert_eq!(mono[(0, 1)].fg, Color::Reset);
}

#[test]
fn the_config_names_the_colour_or_says_which_are_known() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[[project]]\nid = \"prod-1\"\ncolour = \"red\"\n\n[[project]]\nid = \"dev-1\"\ncolor = \"Green\"\n",
    )
    .unwrap();
    let c = lrotop::config::load(&path, true).unwrap();
    assert_eq!(c.projects[0].colour, Some(Accent::Red));
    assert_eq!(c.projects[1].colour, Some(Accent::Green), "`color` too");
    std::fs::write(&path, "[[project]]\nid = \"prod-1\"\ncolour = \"pink\"\n").unwrap();
    let e = lrotop::config::load(&path, true).unwrap_err().to_string();
    assert!(
        e.contains(":3:")
            && e.contains("project[0].colour")
            && e.contains("unknown colour \"pink\""),
        "{e}"
    );
}

const VIEWS: &str = r#"
[[view]]
name = "stuck"
filter = "state=running age>5m"
sort = "age"
reverse = true
columns = ["state", "age", "target"]

[[view]]
name = "everything"
"#;

#[test]
fn saved_views_are_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, VIEWS).unwrap();
    let c = lrotop::config::load(&path, true).unwrap();
    assert_eq!(c.views.len(), 2);
    assert_eq!(c.views[0].name, "stuck");
    assert_eq!(c.views[0].sort, Some(lrotop::app::Column::Age));
    assert_eq!(c.views[0].columns.as_ref().map(Vec::len), Some(3));
    assert!(c.views[1].filter.is_empty());
    for (bad, key, says) in [
        (
            "[[view]]\nname = \"x\"\nfilter = \"state=runing\"\n",
            "view[0].filter",
            "unknown state",
        ),
        (
            "[[view]]\nname = \"x\"\nsort = \"colour\"\n",
            "view[0].sort",
            "unknown column",
        ),
        (
            "[[view]]\nname = \"x\"\n[[view]]\nname = \"x\"\n",
            "view[1].name",
            "duplicate view",
        ),
        (
            "[[view]]\nname = \"x\"\nshade = 1\n",
            "view[0].shade",
            "unknown key",
        ),
    ] {
        std::fs::write(&path, bad).unwrap();
        let e = lrotop::config::load(&path, true).unwrap_err().to_string();
        assert!(e.contains(key) && e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn v_steps_through_the_views_and_back_to_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, VIEWS).unwrap();
    let views = lrotop::config::load(&path, true).unwrap().views;
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let all = app.view.len();
    app.settings.views = views;
    let key = |app: &mut App| {
        lrotop::app::update(
            app,
            lrotop::app::Action::Key(lrotop::app::keys::Key::Char('v')),
        )
    };
    key(&mut app);
    assert_eq!(app.saved_view().map(|v| v.name.as_str()), Some("stuck"));
    assert!(app.view.len() < all && !app.view.is_empty());
    assert!(app.view.iter().all(|i| app.rows[*i].state.is_active()));
    assert_eq!(
        app.columns(),
        [
            lrotop::app::Column::State,
            lrotop::app::Column::Age,
            lrotop::app::Column::Target
        ]
    );
    let header = draw(&app, Theme::Default);
    assert!(find(&header, 0, "view stuck").is_some());
    key(&mut app);
    assert_eq!(
        app.saved_view().map(|v| v.name.as_str()),
        Some("everything")
    );
    assert_eq!(app.view.len(), all);
    key(&mut app);
    assert!(app.saved_view().is_none());
    assert!(app.filter.is_empty());
    assert_eq!(app.columns().len(), 6, "the default columns again");
}

/// The table's `N/M` counts the scope in view: with one location selected, that location's.
#[test]
fn the_tables_count_is_of_the_scope_in_view() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    let all = draw(&app, Theme::Default);
    assert!(find(&all, 1, "16/16").is_some());
    // Into the locations pane, and down from "all" to the first location.
    for k in [lrotop::app::keys::Key::Tab, lrotop::app::keys::Key::Down] {
        lrotop::app::update(&mut app, lrotop::app::Action::Key(k));
    }
    assert_eq!(app.location_sel, 1);
    let one = draw(&app, Theme::Default);
    assert!(find(&one, 1, "8/8").is_some() && find(&one, 1, "8/16").is_none());
}
