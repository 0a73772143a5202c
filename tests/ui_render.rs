//! The screen through ratatui's TestBackend: text snapshots (insta) and explicit styles,
//! which snapshots do not record.

mod common;

use common::*;
use lrotop::api::ApiError;
use lrotop::api::error::parse_error_body;
use lrotop::app::keys::Key;
use lrotop::app::row::RowState;
use lrotop::app::{Action, App, update};
use lrotop::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

fn draw(app: &App, theme: Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, theme)).unwrap();
    t
}

fn err(http: u16, status: &str) -> ApiError {
    let body = format!(r#"{{"error": {{"code": {http}, "message": "m", "status": "{status}"}}}}"#);
    parse_error_body(http, None, body.as_bytes()).into()
}

/// Three locations; in global one cancel is pending and one was refused.
fn busy_app() -> App {
    let mut w = world(1, 3, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1", "us-east4"]);
    update(
        &mut app,
        Action::Resize {
            table_rows: 24,
            locations_fit: true,
        },
    );
    let ops = w.snapshot("demo-project-1", "global");
    select(&mut app, &ops[0].name);
    update(&mut app, Action::Key(Key::Char('c')));
    update(&mut app, Action::Key(Key::Char('y')));
    update(
        &mut app,
        Action::CancelSent {
            name: ops[0].name.clone(),
            result: Ok(()),
        },
    );
    select(&mut app, &ops[3].name);
    update(&mut app, Action::Key(Key::Char('c')));
    update(&mut app, Action::Key(Key::Char('y')));
    update(
        &mut app,
        Action::CancelSent {
            name: ops[3].name.clone(),
            result: Err(err(403, "PERMISSION_DENIED")),
        },
    );
    // Let the emphasis of those changes pass, so the snapshot shows the resting screen.
    let later = app.now + std::time::Duration::from_secs(10);
    update(&mut app, Action::Tick(later));
    app
}

#[test]
fn main_screen() {
    let app = busy_app();
    insta::assert_snapshot!(draw(&app, Theme::Default, 110, 32).backend());
}

#[test]
fn details_pane() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let failed = w.snapshot("demo-project-1", "global")[5].name.clone();
    select(&mut app, &failed);
    update(&mut app, Action::Key(Key::Enter));
    insta::assert_snapshot!(draw(&app, Theme::Default, 100, 40).backend());
}

#[test]
fn help_screen() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    update(&mut app, Action::Key(Key::Char('?')));
    insta::assert_snapshot!(draw(&app, Theme::Default, 100, 40).backend());
}

#[test]
fn confirm_dialog() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = w.snapshot("demo-project-1", "global")[0].name.clone();
    select(&mut app, &name);
    update(&mut app, Action::Key(Key::Char('c')));
    let t = draw(&app, Theme::Default, 100, 30);
    insta::assert_snapshot!(t.backend());
    let text = format!("{}", t.backend());
    assert!(text.contains("[ No ]") && text.contains("[ Cancel it ]"));
}

#[test]
fn error_badges_and_stale_data() {
    let mut w = world(1, 3, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1", "us-east4"]);
    load(&mut app, "us-central1", Err(err(403, "PERMISSION_DENIED")));
    load(&mut app, "us-east4", Err(err(503, "UNAVAILABLE")));
    let t = draw(&app, Theme::Default, 110, 20);
    insta::assert_snapshot!(t.backend());
    let text = format!("{}", t.backend());
    assert!(text.contains("! 403") && text.contains("! 503") && text.contains("! 2 failing"));
}

#[test]
fn empty_states() {
    let app = App::new(
        settings(),
        vec!["demo-project-1".into()],
        Some(vec!["global".into()]),
        t0(),
    );
    let t = draw(&app, Theme::Default, 90, 12);
    insta::assert_snapshot!("empty_loading", t.backend());

    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    update(&mut app, Action::Key(Key::Char('/')));
    for c in "no-such-thing".chars() {
        update(&mut app, Action::Key(Key::Char(c)));
    }
    update(&mut app, Action::Key(Key::Enter));
    let t = draw(&app, Theme::Default, 90, 12);
    insta::assert_snapshot!("empty_filtered", t.backend());
}

/// The style of the STATE cell of the row showing `state`.
fn state_cell_style(
    t: &Terminal<TestBackend>,
    app: &App,
    state: RowState,
) -> ratatui::style::Style {
    let buf = t.backend().buffer();
    let word = format!("{} {}", state.glyph(), state.word());
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(byte) = line.find(&word) {
            let x = line[..byte].chars().count() as u16;
            let _ = app;
            return buf[(x, y)].style();
        }
    }
    panic!("no {word} on screen");
}

#[test]
fn each_state_has_its_colour() {
    let app = busy_app();
    let t = draw(&app, Theme::Default, 110, 32);
    let fg = |s| state_cell_style(&t, &app, s).fg;
    assert!(matches!(fg(RowState::Running), None | Some(Color::Reset)));
    assert_eq!(fg(RowState::Cancelling), Some(Color::Magenta));
    assert_eq!(fg(RowState::Cancelled), Some(Color::Magenta));
    assert!(
        state_cell_style(&t, &app, RowState::Cancelled)
            .add_modifier
            .contains(Modifier::DIM)
    );
    assert_eq!(fg(RowState::Done), Some(Color::Green));
    assert_eq!(fg(RowState::Failed), Some(Color::Red));
    assert_eq!(fg(RowState::CancelRefused), Some(Color::Yellow));
}

fn colours_used(t: &Terminal<TestBackend>) -> Vec<Color> {
    let buf = t.backend().buffer();
    let mut out = Vec::new();
    for c in buf.content() {
        for col in [c.fg, c.bg] {
            if col != Color::Reset && !out.contains(&col) {
                out.push(col);
            }
        }
    }
    out
}

#[test]
fn mono_and_no_color_use_no_colour_at_all() {
    assert_eq!(Theme::choose(false, Some("1"), Theme::Default), Theme::Mono);
    assert_eq!(
        Theme::choose(false, Some(""), Theme::Default),
        Theme::Default,
        "an empty NO_COLOR does not count"
    );
    assert_eq!(Theme::choose(true, None, Theme::Default), Theme::Mono);
    assert_eq!(Theme::choose(false, None, Theme::Mono), Theme::Mono);
    let mut app = busy_app();
    app.settings.read_only = true;
    app.paused = true;
    let coloured = draw(&app, Theme::Default, 110, 32);
    assert!(!colours_used(&coloured).is_empty());
    let mono = draw(&app, Theme::Mono, 110, 32);
    assert_eq!(colours_used(&mono), Vec::<Color>::new());
    // States stay distinguishable without colour: glyph, word and emphasis.
    assert!(
        state_cell_style(&mono, &app, RowState::Failed)
            .add_modifier
            .contains(Modifier::BOLD)
    );
    assert!(
        state_cell_style(&mono, &app, RowState::Cancelled)
            .add_modifier
            .contains(Modifier::DIM)
    );
    assert_eq!(
        format!("{}", coloured.backend()),
        format!("{}", mono.backend()),
        "same text either way"
    );
}

#[test]
fn only_visible_rows_are_drawn_and_the_selection_is_shown() {
    let mut w = world(1, 1, 300);
    let mut app = loaded_app(&mut w, &["global"]);
    let resize = ui::resize(ratatui::layout::Rect::new(0, 0, 100, 20), &app);
    update(&mut app, resize);
    update(&mut app, Action::Key(Key::Char('G')));
    let t = draw(&app, Theme::Default, 100, 20);
    let buf = t.backend().buffer();
    let selected_id = lrotop::ui::short_id(&app.selected_row().unwrap().op.name);
    let mut found = false;
    for y in 0..20 {
        let line: String = (0..100).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if line.contains(&selected_id) {
            found = true;
            let x = line
                .find(&selected_id)
                .map(|b| line[..b].chars().count())
                .unwrap() as u16;
            assert!(
                buf[(x, y)].modifier.contains(Modifier::REVERSED),
                "the selection is reversed"
            );
        }
    }
    assert!(found, "the last row is on screen after G");
}

#[test]
fn bulk_confirmation_typed_and_error_log() {
    let mut w = world(1, 2, 60);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    update(&mut app, Action::Key(Key::Char('*')));
    update(&mut app, Action::Key(Key::Char('/')));
    for c in "location=global".chars() {
        update(&mut app, Action::Key(Key::Char(c)));
    }
    update(&mut app, Action::Key(Key::Enter));
    update(&mut app, Action::Key(Key::Char('C')));
    for c in "2".chars() {
        update(&mut app, Action::Key(Key::Char(c)));
    }
    let t = draw(&app, Theme::Default, 110, 30);
    let text = format!("{}", t.backend());
    assert!(text.contains("marked are hidden by the filter"), "{text}");
    assert!(text.contains("to confirm: 2█"), "{text}");
    insta::assert_snapshot!("bulk_typed_confirm", t.backend());

    update(&mut app, Action::Key(Key::Esc));
    load(&mut app, "us-central1", Err(err(503, "UNAVAILABLE")));
    update(&mut app, Action::Key(Key::Char('e')));
    let t = draw(&app, Theme::Default, 100, 14);
    let text = format!("{}", t.backend());
    assert!(
        text.contains("Error log (1)") && text.contains("us-central1: UNAVAILABLE"),
        "{text}"
    );
}

#[test]
fn the_quit_dialog_counts_what_is_still_unanswered_as_answers_arrive() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    for k in ['*', 'C', 'y'] {
        update(&mut app, Action::Key(Key::Char(k)));
    }
    let pending: Vec<String> = app.bulk.as_ref().unwrap().pending.iter().cloned().collect();
    assert_eq!(pending.len(), 4);
    let answer = |app: &mut App, name: &str| {
        let name = name.to_string();
        update(
            app,
            Action::CancelSent {
                name,
                result: Ok(()),
            },
        );
    };
    answer(&mut app, &pending[0]);
    update(&mut app, Action::Key(Key::Char('q')));
    let text = format!("{}", draw(&app, Theme::Default, 100, 30).backend());
    assert!(
        text.contains("3 cancels not yet answered; quit anyway?"),
        "{text}"
    );
    assert!(
        text.contains("1 of 4 answered: 1 accepted · 0 refused · 0 failed."),
        "{text}"
    );
    assert!(
        text.contains("[ No ]") && text.contains("[ Quit anyway ]"),
        "{text}"
    );

    // The dialog stays open while answers come in; its words follow them.
    answer(&mut app, &pending[1]);
    answer(&mut app, &pending[2]);
    let text = format!("{}", draw(&app, Theme::Default, 100, 30).backend());
    assert!(
        text.contains("1 cancel not yet answered; quit anyway?"),
        "{text}"
    );
    answer(&mut app, &pending[3]);
    let text = format!("{}", draw(&app, Theme::Default, 100, 30).backend());
    assert!(
        text.contains("finished meanwhile: nothing is left waiting"),
        "{text}"
    );
}

fn text_of(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn with_status(message: &str) -> lrotop::api::Operation {
    serde_json::from_value(serde_json::json!({
        "name": "projects/demo-project-1/locations/global/operations/huge",
        "metadata": {
            "@type": lrotop::api::model::GEMINI_METADATA_TYPE,
            "createTime": T0,
            "target": "projects/demo-project-1/locations/global/things/big",
            "verb": "create",
            "statusMessage": message,
        },
    }))
    .unwrap()
}

#[test]
fn details_of_a_megabyte_message_are_cut_and_laid_out_once() {
    let mut w = world(1, 1, 4);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut ops = w.snapshot("demo-project-1", "global");
    ops.push(with_status(&"m".repeat(1 << 20)));
    load(&mut app, "global", Ok(ops.clone()));
    select(
        &mut app,
        "projects/demo-project-1/locations/global/operations/huge",
    );
    update(&mut app, Action::Key(Key::Enter));
    let screen = ui::Screen::default();
    let mut t = Terminal::new(TestBackend::new(100, 40)).unwrap();
    let mut frame = |app: &App| {
        t.draw(|f| screen.draw(f, app, Theme::Default)).unwrap();
        text_of(&t)
    };
    let first = frame(&app);
    // Word wrapping puts the one long word under its label.
    assert!(
        first.contains("│status    ") && first.contains("│mmmmmmmm"),
        "{first}"
    );
    // Scrolling down through 4 KiB of it, one key at a time, to where it was cut.
    let mut found = false;
    for _ in 0..200 {
        update(&mut app, Action::Key(Key::Char('j')));
        if frame(&app).contains("m…[cut: 1048576 bytes]") {
            found = true;
            break;
        }
    }
    assert!(found, "the cut marker never showed");
    assert_eq!(
        screen.details_layouts(),
        1,
        "keys only scroll what was laid out"
    );
    // The raw JSON shows the same value, cut the same way.
    let mut in_json = false;
    for _ in 0..400 {
        update(&mut app, Action::Key(Key::Char('j')));
        if frame(&app).contains(r#"m…[cut: 1048576 bytes]""#) {
            in_json = true;
            break;
        }
    }
    assert!(
        in_json,
        "the raw JSON never showed the message, cut: {}",
        frame(&app)
    );
    assert_eq!(screen.details_layouts(), 1);

    // A new version of the operation is laid out again, once.
    let last = ops.len() - 1;
    ops[last] = with_status("now short");
    load(&mut app, "global", Ok(ops));
    update(&mut app, Action::Key(Key::Char('g')));
    let now = frame(&app);
    assert!(now.contains("status        now short"), "{now}");
    frame(&app);
    assert_eq!(screen.details_layouts(), 2);
}

/// A line of the screen as a terminal shows it: the cell a wide character covers is not
/// text of its own.
fn screen_line(t: &Terminal<TestBackend>, y: u16) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    let mut hidden = 0u16;
    for x in 0..buf.area.width {
        let cell = &buf[(x, y)];
        if hidden == 0 {
            s.push_str(cell.symbol());
        }
        hidden = hidden
            .max(unicode_width::UnicodeWidthStr::width(cell.symbol()) as u16)
            .saturating_sub(1);
    }
    s
}

/// The screen column where `needle` starts on line `y`, counted in cells.
fn cell_x(t: &Terminal<TestBackend>, y: u16, needle: &str) -> Option<usize> {
    use unicode_width::UnicodeWidthStr;
    let line = screen_line(t, y);
    line.find(needle).map(|b| line[..b].width())
}

/// What line shows from screen column `x` on.
fn from_cell(line: &str, x: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut at = 0;
    let mut out = String::new();
    for c in line.chars() {
        if at >= x {
            out.push(c);
        }
        at += c.width().unwrap_or(0);
    }
    out
}

/// The screen line holding the table's column titles.
fn header_y(t: &Terminal<TestBackend>) -> u16 {
    (0..t.backend().buffer().area.height)
        .find(|y| screen_line(t, *y).contains("STATE "))
        .expect("a header line")
}

#[test]
fn at_80_columns_whole_columns_drop_and_state_words_stay_whole() {
    let app = busy_app();
    let t = draw(&app, Theme::Default, 80, 24);
    insta::assert_snapshot!("narrow_80x24", t.backend());
    let text = text_of(&t);
    let hy = header_y(&t);
    let header = screen_line(&t, hy);
    // Every title on the header line is whole: a column is shown whole or not at all.
    let table = header.rsplit("││").next().unwrap_or_default();
    let titles: Vec<&str> = table
        .trim_matches(|c| c == '│' || c == ' ')
        .split_whitespace()
        .collect();
    for title in &titles {
        assert!(
            [
                "STATE", "PROJECT", "LOCATION", "VERB", "TARGET", "AGE", "ID"
            ]
            .contains(title),
            "a cut title {title:?} in {header:?}"
        );
    }
    for kept in ["STATE", "TARGET", "AGE"] {
        assert!(titles.contains(&kept), "{kept} dropped: {header:?}");
    }
    // At 80 the locations pane steps aside, and every column fits; at 60 whole columns go.
    assert!(!text.contains("Locations"), "{text}");
    let t60 = draw(&app, Theme::Default, 60, 20);
    let header60 = screen_line(&t60, header_y(&t60));
    let titles60: Vec<&str> = header60
        .trim_matches(|c| c == '│' || c == ' ')
        .split_whitespace()
        .collect();
    for title in &titles60 {
        assert!(
            ["STATE", "LOCATION", "VERB", "TARGET", "AGE", "ID"].contains(title),
            "a cut title {title:?} in {header60:?}"
        );
    }
    for kept in ["STATE", "TARGET", "AGE"] {
        assert!(titles60.contains(&kept), "{kept} dropped: {header60:?}");
    }
    assert!(
        titles60.len() < titles.len(),
        "nothing dropped at 60 columns: {header60:?}"
    );
    // Every state word on screen in full, CANCELLED and CANCEL REFUSED among them.
    let mut seen = 0;
    for &i in app.view.iter().skip(app.offset).take(16) {
        let s = app.rows[i].state;
        let word = format!("{} {}", s.glyph(), s.word());
        assert!(text.contains(&word), "{word:?} cut:\n{text}");
        seen += 1;
    }
    assert!(seen >= 16);
    assert!(
        text.contains("⊗ CANCELLED ") && text.contains("! CANCEL REFUSED "),
        "{text}"
    );
    // A shown column's cells start under its title on every row.
    let age_x = cell_x(&t, hy, "AGE").unwrap();
    for y in hy + 1..hy + 10 {
        let line = screen_line(&t, y);
        let at = from_cell(&line, age_x);
        assert!(
            at.starts_with(|c: char| c.is_ascii_digit()),
            "line {y}: {line:?}"
        );
    }
}

#[test]
fn wide_characters_are_measured_by_display_width_on_screen() {
    let mut w = world(1, 1, 4);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut ops = w.snapshot("demo-project-1", "global");
    let wide: lrotop::api::Operation = serde_json::from_value(serde_json::json!({
        "name": "projects/demo-project-1/locations/global/operations/op-wide",
        "metadata": {
            "@type": lrotop::api::model::GEMINI_METADATA_TYPE,
            "createTime": T0,
            "target": "projects/demo-project-1/locations/global/codeRepositoryIndexes/データ/索引",
            "verb": "create",
        },
    }))
    .unwrap();
    ops.push(wide);
    load(&mut app, "global", Ok(ops));
    let t = draw(&app, Theme::Default, 100, 16);
    let hy = header_y(&t);
    let age_x = cell_x(&t, hy, "AGE").unwrap();
    let target_x = cell_x(&t, hy, "TARGET").unwrap();
    let y = (hy..16)
        .find(|y| screen_line(&t, *y).contains("op-wide"))
        .expect("the wide row on screen");
    let line = screen_line(&t, y);
    // Cut on the left by display width: the tail that names the resource is whole, and the
    // cell ends where the column does.
    assert!(line.contains("/データ/索引 "), "{line:?}");
    assert_eq!(cell_x(&t, y, "…"), Some(target_x), "{line:?}");
    assert!(
        from_cell(&line, age_x).starts_with("5m "),
        "age not under AGE: {line:?}"
    );
    // And a target short enough to fit is padded by its width, not its char count.
    let mut ops = w.snapshot("demo-project-1", "global");
    let short: lrotop::api::Operation = serde_json::from_value(serde_json::json!({
        "name": "projects/demo-project-1/locations/global/operations/op-short",
        "metadata": {
            "@type": lrotop::api::model::GEMINI_METADATA_TYPE,
            "createTime": T0,
            "target": "データ/索引",
            "verb": "create",
        },
    }))
    .unwrap();
    ops.push(short);
    load(&mut app, "global", Ok(ops));
    let t = draw(&app, Theme::Default, 100, 16);
    let y = (hy..16)
        .find(|y| screen_line(&t, *y).contains("op-short"))
        .expect("the short row on screen");
    assert_eq!(cell_x(&t, y, "データ/索引"), Some(target_x));
    let line = screen_line(&t, y);
    assert!(
        from_cell(&line, age_x).starts_with("5m "),
        "age not under AGE: {line:?}"
    );
}

#[test]
fn the_configs_columns_choose_and_order_the_table() {
    let config = lrotop::config::parse(
        "columns = [\"state\", \"age\", \"verb\", \"target\"]\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap();
    let mut app = busy_app();
    app.settings.columns = config.columns.clone();
    let t = draw(&app, Theme::Default, 110, 32);
    let hy = header_y(&t);
    let header = screen_line(&t, hy);
    let table = header.rsplit("││").next().unwrap_or_default();
    let titles: Vec<&str> = table
        .trim_matches(|c| c == '│' || c == ' ')
        .split_whitespace()
        .collect();
    assert_eq!(titles, ["STATE", "AGE", "VERB", "TARGET"], "{header:?}");
    // The rows follow the titles: a state, then an age, then a verb, then a target.
    let first = screen_line(&t, hy + 1);
    let x = |title| cell_x(&t, hy, title).unwrap();
    assert!(
        from_cell(&first, x("STATE")).starts_with("! CANCEL REFUSED"),
        "{first:?}"
    );
    assert!(from_cell(&first, x("AGE")).starts_with("14m "), "{first:?}");
    assert!(
        from_cell(&first, x("VERB")).starts_with("create "),
        "{first:?}"
    );
    // The target has the room the dropped columns left (30 cells by default), and
    // keeps its tail.
    let target = app.rows[app.view[0]].op.target();
    let shown = from_cell(&first, x("TARGET"));
    let shown = shown.trim_end_matches(['│', ' ']);
    assert!(
        unicode_width::UnicodeWidthStr::width(shown) >= 50,
        "{first:?}"
    );
    assert!(target.ends_with(shown.trim_start_matches('…')), "{first:?}");
    assert!(!table.contains("LOCATION") && !table.contains(" ID"));
}

/// The screen's last line, the footer, without its padding.
fn footer(t: &Terminal<TestBackend>) -> String {
    text_of(t)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Puts `app` in each mode in turn and hands over the screen drawn there.
fn each_mode(mut visit: impl FnMut(&App, &Terminal<TestBackend>)) {
    use lrotop::app::keys::Key::*;
    let mut w = world(1, 1, 30);
    let mut fresh = || {
        let mut app = loaded_app(&mut w, &["global"]);
        update(
            &mut app,
            Action::Resize {
                table_rows: 20,
                locations_fit: true,
            },
        );
        // So that marking all asks for the count typed.
        app.settings.bulk_confirm_threshold = 3;
        app
    };
    // Each path: the keys that open the mode, from the main screen.
    let paths: &[&[Key]] = &[
        &[],
        &[Char(' ')],
        &[Enter],
        &[Char('/'), Char('x')],
        &[Char('P')],
        &[Char('c')],
        &[Char('*'), Char('C')],
        &[Char('?')],
        &[Char('e')],
        &[Char('o')],
    ];
    for keys in paths {
        let mut app = fresh();
        for k in *keys {
            update(&mut app, Action::Key(*k));
        }
        let t = draw(&app, Theme::Default, 120, 40);
        visit(&app, &t);
    }
}

#[test]
fn every_modes_footer_is_generated_from_its_key_table() {
    use lrotop::app::keys::hint_text;
    use lrotop::app::modes::{ModeKind, current_hints};
    let mut seen = std::collections::HashSet::new();
    each_mode(|app, t| {
        let kind = app.mode.kind();
        seen.insert(kind);
        let items = current_hints(app);
        let generated = hint_text(&items);
        let shown = footer(t);
        let typing = match kind {
            ModeKind::TypedConfirm | ModeKind::Picker => {
                shown.split(" · ").next().unwrap_or_default().to_string() + " · "
            }
            _ => String::new(),
        };
        assert_eq!(shown, format!("{typing}{generated}"), "{kind:?}");
        // And each entry names keys the mode's own table binds to a command.
        for h in &items {
            assert!(
                shown.contains(&format!("{} {}", h.keys, h.word)),
                "{kind:?} {h:?}"
            );
        }
    });
    assert_eq!(
        seen.len(),
        ModeKind::ALL.len(),
        "every mode visited: {seen:?}"
    );
}

#[test]
fn the_typed_confirmation_asks_for_its_word_not_for_y() {
    let mut w = world(1, 1, 30);
    let mut app = loaded_app(&mut w, &["global"]);
    app.settings.bulk_confirm_threshold = 3;
    update(&mut app, Action::Key(Key::Char('*')));
    update(&mut app, Action::Key(Key::Char('C')));
    let want = match &app.mode {
        lrotop::app::Mode::Confirm(c) => c.typed.as_ref().unwrap().expected.clone(),
        other => panic!("{other:?}"),
    };
    let t = draw(&app, Theme::Default, 120, 40);
    let hint = format!("type {want} · enter confirm · esc cancel");
    assert_eq!(footer(&t), hint);
    let screen = text_of(&t);
    assert!(
        screen.contains(&format!(" {hint} ┘")),
        "the border too:\n{screen}"
    );
    for line in [footer(&t), hint] {
        assert!(!line.split([' ', '/']).any(|w| w == "y"), "{line}");
    }
    // What the hint says is what the keys do: y is typed, enter with the word sends.
    let typed = update(&mut app, Action::Key(Key::Char('y')));
    assert!(typed.is_empty() && matches!(app.mode, lrotop::app::Mode::Confirm(_)));
    update(&mut app, Action::Key(Key::Backspace));
    for c in want.chars() {
        update(&mut app, Action::Key(Key::Char(c)));
    }
    assert!(!update(&mut app, Action::Key(Key::Enter)).is_empty());
}

#[test]
fn help_lists_every_key_of_every_mode() {
    use lrotop::app::modes::ModeKind;
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    update(&mut app, Action::Key(Key::Char('?')));
    // Tall enough for the whole help without scrolling.
    let screen = text_of(&draw(&app, Theme::Default, 100, 150));
    let lines: Vec<&str> = screen.lines().collect();
    for kind in ModeKind::ALL {
        assert!(screen.contains(kind.title()), "{}", kind.title());
        for row in kind.help() {
            let start = format!("│  {} ", row.keys);
            let head: String = row.help.chars().take(24).collect();
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(&start) && l.contains(&head)),
                "{kind:?}: {} {}\n{screen}",
                row.keys,
                row.help
            );
        }
    }
    for keys in ["P/:", "q/ctrl-c", "y/Y", "n/esc/N/q/ctrl-c", "esc/ctrl-c"] {
        assert!(screen.contains(&format!("  {keys} ")), "{keys}");
    }
}
