//! Drawing of `&App`, no IO. The only thing kept between frames is a [`Screen`]'s cache of
//! work that depends on data alone (the details pane's layout), never state of its own.

pub mod details;
mod overlays;
mod table;
pub mod theme;

pub use overlays::{LinkLayout, Words, confirm_words, link_layout};
pub use table::short_id;
pub use theme::Theme;

use crate::app::{App, Mode};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The screen's parts: header, body (locations | operations), status line, key hints.
pub struct Areas {
    pub header: Rect,
    pub locations: Rect,
    pub operations: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// The operations table keeps at least this many cells beside the locations pane, or the
/// pane steps aside (unless the user's `L` keeps it): at 80 columns a 25-cell pane left
/// the table too narrow to read.
pub const MIN_TABLE: u16 = 60;

pub fn areas(area: Rect, app: &App) -> Areas {
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let need = table::pane_widths(app).pane();
    let shown = app
        .locations_pane
        .unwrap_or(body.width >= need.saturating_add(MIN_TABLE));
    // As wide as its names and counts need; a pane the user keeps on a narrow terminal
    // leaves the table its minimum.
    let pane = if shown {
        need.min(body.width.saturating_sub(20))
    } else {
        0
    };
    let [locations, operations] =
        Layout::horizontal([Constraint::Length(pane), Constraint::Min(20)]).areas(body);
    Areas {
        header,
        locations,
        operations,
        status,
        hints,
    }
}

/// Whether the locations pane fits beside a usable table at `size`, for the app to know
/// where keys go (`Action::Resize`).
pub fn locations_fit(size: Rect, app: &App) -> bool {
    let body = size.width;
    body >= table::pane_widths(app).pane().saturating_add(MIN_TABLE)
}

/// What the app is told of a terminal of `size`: how many rows the table shows and whether
/// the locations pane fits.
pub fn resize(size: Rect, app: &App) -> crate::app::Action {
    crate::app::Action::Resize {
        table_rows: table_rows(size, app),
        locations_fit: locations_fit(size, app),
    }
}

/// How many operations the table shows in a terminal of `size` (borders and the column
/// header taken off); the runtime tells the app, which keeps the selection in view.
pub fn table_rows(size: Rect, app: &App) -> usize {
    areas(size, app).operations.height.saturating_sub(3) as usize
}

/// Draws frame after frame for the terminal loop, reusing between frames what only the data
/// decides: a key press in the details pane of a big operation does not lay it out again.
#[derive(Default)]
pub struct Screen {
    details: details::DetailsCache,
}

impl Screen {
    pub fn draw(&self, frame: &mut Frame, app: &App, theme: Theme) {
        let area = frame.area();
        self.render(app, theme, area, frame.buffer_mut());
    }

    pub fn render(&self, app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
        render_with(app, theme, area, buf, &self.details);
    }

    /// How far the open pager (help, error log, details) scrolls at `area`, if one is
    /// open: the runtime tells the app (`Action::ScrollLimit`), so `G` lands on the last
    /// line and a key back up moves at once.
    pub fn scroll_limit(&self, app: &App, theme: Theme, area: Rect) -> Option<u16> {
        match app.mode {
            Mode::Details { .. } => details::scroll_limit(app, &self.details, theme, area),
            _ => overlays::pager_limit(app, theme, area),
        }
    }

    /// How many times the details pane's heavy part was laid out (see [`details`]).
    pub fn details_layouts(&self) -> u64 {
        self.details.layouts()
    }
}

/// One frame on its own, laid out from scratch.
pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    Screen::default().draw(frame, app, theme);
}

/// One frame on its own, laid out from scratch.
pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    Screen::default().render(app, theme, area, buf);
}

fn render_with(
    app: &App,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
    cache: &details::DetailsCache,
) {
    let a = areas(area, app);
    header(app, theme).render(a.header, buf);
    table::locations(app, theme, a.locations, buf);
    table::operations(app, theme, a.operations, buf);
    status_line(app, theme).render(a.status, buf);
    hints(app, theme).render(a.hints, buf);
    match &app.mode {
        Mode::Normal | Mode::FilterInput { .. } => {}
        Mode::Details { scroll } => details::details(app, cache, theme, *scroll, area, buf),
        Mode::Help { scroll } => overlays::help(app, theme, *scroll, area, buf),
        Mode::ErrorLog { scroll } => overlays::error_log(app, theme, *scroll, area, buf),
        Mode::ProjectPicker { query, selected } => {
            overlays::project_picker(app, theme, query, *selected, area, buf)
        }
        Mode::Confirm(c) => overlays::confirm(c, app, theme, area, buf),
        Mode::Link(link) => overlays::link(link, app, theme, area, buf),
    }
}

fn header(app: &App, theme: Theme) -> Paragraph<'static> {
    let scope = match app.location_scope() {
        Some(t) => t.label.clone(),
        None => "all locations".to_string(),
    };
    // The project in view, by alias and id; with several projects and none chosen, "all".
    let project = match app.scope_project() {
        Some(p) if app.projects.len() > 1 => app.settings.project_label(p),
        None if app.projects.len() > 1 => format!("all projects ({})", app.projects.len()),
        _ => app.settings.scope.clone(),
    };
    let mut spans = vec![
        Span::styled(" lrotop ", theme.title()),
        Span::raw(" "),
        Span::styled(
            crate::sanitize::one_line(&project).into_owned(),
            match app.accent() {
                Some(a) => theme.accent_badge(a),
                None => Style::new().add_modifier(Modifier::BOLD),
            },
        ),
        Span::raw(match app.saved_view() {
            Some(v) => format!(" ▸ {scope} · view {}", crate::sanitize::one_line(&v.name)),
            None => format!(" ▸ {scope}"),
        }),
        Span::styled(refresh_label(app), theme.dim()),
        Span::raw(format!(
            "   {} ops · {} active",
            app.total(),
            app.running_total()
        )),
    ];
    if !app.marks.is_empty() {
        spans.push(Span::styled(
            format!("   * {} marked", app.marks.len()),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    }
    let failing = app.targets.iter().filter(|t| t.error.is_some()).count();
    if failing > 0 {
        spans.push(Span::styled(
            format!("   ! {failing} failing"),
            theme.error_badge(),
        ));
    }
    if app.paused {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(" PAUSED ", theme.badge()));
    }
    let scoped = app.scope_project();
    if app.settings.read_only || scoped.is_some_and(|p| app.settings.project_read_only(p)) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(" READ-ONLY ", theme.badge()));
    }
    if scoped.is_some_and(|p| app.settings.protected(p)) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(" PROTECTED ", theme.badge()));
    }
    Paragraph::new(Line::from(spans))
}

fn status_line(app: &App, theme: Theme) -> Paragraph<'static> {
    if let Mode::FilterInput { text, cursor, .. } = &app.mode {
        let error = crate::app::modes::filter::prompt_error(text);
        let style = if error.is_none() {
            Style::new()
        } else {
            theme.level(crate::app::Level::Error)
        };
        // The cursor is the character under it reversed, or a block after the end.
        let before: String = text.chars().take(*cursor).collect();
        let mut rest = text.chars().skip(*cursor);
        let under = rest.next();
        let after: String = rest.collect();
        let line = |s: &str| crate::sanitize::one_line(s).into_owned();
        let mut spans = vec![
            Span::styled(" / ", theme.key()),
            Span::styled(line(&before), style),
        ];
        match under {
            Some(c) => spans.push(Span::styled(
                line(&c.to_string()),
                style.add_modifier(Modifier::REVERSED),
            )),
            None => spans.push(Span::styled("█", theme.dim())),
        }
        spans.push(Span::styled(line(&after), style));
        // Said where it is typed, and gone as soon as the text parses; the table meanwhile
        // keeps the filter from before the prompt.
        if let Some(e) = error {
            spans.push(Span::styled(
                format!(
                    "  {} (the table keeps the previous filter)",
                    crate::sanitize::one_line(&e)
                ),
                theme.level(crate::app::Level::Error),
            ));
        }
        return Paragraph::new(Line::from(spans));
    }
    if let Some(b) = &app.bulk {
        return Paragraph::new(Line::from(Span::styled(
            format!(" {}", b.progress()),
            theme.level(crate::app::Level::Info),
        )));
    }
    match &app.status {
        Some(s) => Paragraph::new(Line::from(Span::styled(
            format!(" {}", s.text),
            theme.level(s.level),
        ))),
        None => Paragraph::new(""),
    }
}

/// The footer: the keys of the mode that has them now, from its table.
fn hints(app: &App, theme: Theme) -> Paragraph<'static> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(overlays::hint_spans(
        overlays::typing(app),
        &crate::app::modes::current_hints(app),
        theme,
    ));
    Paragraph::new(Line::from(spans))
}

/// `⟳ 5s`, or `⟳ ~12s` when the request budget stretches every location's turn beyond the
/// interval asked for.
fn refresh_label(app: &App) -> String {
    let asked = app.settings.interval;
    let real = app.effective_interval();
    if real > asked + std::time::Duration::from_millis(500) {
        format!("   ⟳ ~{}s", real.as_secs_f64().ceil() as u64)
    } else {
        format!("   ⟳ {}s", asked.as_secs())
    }
}
