//! The locations pane and the operations table. Only visible rows are built, so a frame
//! costs the same at a hundred operations or a hundred thousand.

use super::Theme;
use crate::api::time::coarse_age;
use crate::app::row::Row;
use crate::app::{App, FLASH, NEW_MARK, Pane};
use crate::sanitize::one_line;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row as TableRow, Table, Widget};

pub fn locations(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Locations;
    let block = Block::bordered()
        .title(Span::styled("Locations", theme.title()))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let label_w = width.saturating_sub(9);
    let mut lines: Vec<Line> = Vec::new();
    let all_active = app.running_total();
    lines.push(location_line(
        "all",
        app.total(),
        all_active,
        None,
        label_w,
        theme,
    ));
    for t in &app.targets {
        let badge = t.error.as_ref().map(|e| e.badge.as_str());
        let mut line = location_line(&t.label, t.total, t.active, badge, label_w, theme);
        if t.error.is_some() && t.loaded {
            line = line.patch_style(theme.dim());
        }
        if !t.loaded && t.error.is_none() {
            line.spans.push(Span::styled(" …", theme.dim()));
        }
        lines.push(line);
    }
    if !app.discovering.is_empty() {
        lines.push(Line::from(Span::styled(" discovering…", theme.dim())));
    }
    let skip = app
        .location_sel
        .saturating_sub(inner.height.saturating_sub(1) as usize);
    for (i, line) in lines
        .into_iter()
        .enumerate()
        .skip(skip)
        .take(inner.height as usize)
    {
        let y = inner.y + (i - skip) as u16;
        let row = Rect::new(inner.x, y, inner.width, 1);
        let mut line = line;
        if i == app.location_sel {
            line = line.patch_style(theme.selected(focused));
        }
        Paragraph::new(line).render(row, buf);
    }
}

fn location_line(
    label: &str,
    total: usize,
    active: usize,
    badge: Option<&str>,
    label_w: usize,
    theme: Theme,
) -> Line<'static> {
    let label = shorten_right(&one_line(label), label_w);
    let mut spans = vec![Span::raw(format!(" {label:<label_w$}"))];
    match badge {
        Some(b) => spans.push(Span::styled(
            format!(" ! {:<5}", shorten_right(b, 5)),
            theme.error_badge(),
        )),
        None => {
            spans.push(Span::raw(format!("{total:>4}")));
            if active > 0 {
                spans.push(Span::styled(format!(" ⟳{active:<2}"), theme.dim()));
            }
        }
    }
    Line::from(spans)
}

pub fn shorten_right(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Keeps the tail, which names the resource: `…Indexes/idx-a`.
pub fn shorten_left(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let tail: String = s.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
}

pub fn short_id(name: &str) -> String {
    shorten_left(name.rsplit('/').next().unwrap_or(name), 9)
}

fn title(app: &App, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled("Operations", theme.title())];
    if !app.filter.is_empty() {
        spans.push(Span::raw(format!(
            " (filter: {})",
            one_line(app.filter.as_str())
        )));
    }
    if app.active_only {
        spans.push(Span::raw(" [active only]"));
    }
    let arrow = if app.reverse { "↑" } else { "↓" };
    spans.push(Span::styled(
        format!(" {}{arrow} ", app.sort.title()),
        theme.dim(),
    ));
    spans.push(Span::raw(format!("{}/{}", app.view.len(), app.total())));
    Line::from(spans)
}

pub fn operations(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Operations;
    let block = Block::bordered()
        .title(title(app, theme))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    // With several projects the location column names the project too.
    let loc_w = app
        .targets
        .iter()
        .map(|t| t.label.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 28) as u16;
    // marker, state, location, verb, target (the rest), age, id
    let fixed = 2 + 16 + loc_w + 7 + 6 + 10 + 6;
    let target_w = inner.width.saturating_sub(fixed).max(6);
    let widths = [
        Constraint::Length(2),
        Constraint::Length(16),
        Constraint::Length(loc_w),
        Constraint::Length(7),
        Constraint::Length(target_w),
        Constraint::Length(6),
        Constraint::Length(10),
    ];
    let header = TableRow::new(
        ["", "STATE", "LOCATION", "VERB", "TARGET", "AGE", "ID"].map(|h| Cell::from(h)),
    )
    .style(Style::new().add_modifier(Modifier::BOLD));
    let visible = inner.height.saturating_sub(1) as usize;
    let rows: Vec<TableRow> = app
        .view
        .iter()
        .enumerate()
        .skip(app.offset)
        .take(visible)
        .map(|(pos, idx)| {
            let r = &app.rows[*idx];
            let stale = app.targets.get(r.target).is_some_and(|t| t.error.is_some());
            row(
                app,
                r,
                theme,
                (target_w as usize, loc_w as usize),
                stale,
                pos == app.selected,
                focused,
            )
        })
        .collect();
    if rows.is_empty() {
        let text = empty_text(app);
        let y = inner.y + inner.height / 2;
        Paragraph::new(Line::from(Span::styled(text, theme.dim())).centered())
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
        Table::new(Vec::<TableRow>::new(), widths)
            .header(header)
            .column_spacing(1)
            .render(inner, buf);
        return;
    }
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}

fn empty_text(app: &App) -> String {
    if !app.discovering.is_empty() {
        "discovering locations…".into()
    } else if app.targets.is_empty() {
        "no locations to watch: pass --location".into()
    } else if app.targets.iter().any(|t| !t.loaded && t.error.is_none()) && app.rows.is_empty() {
        "loading…".into()
    } else if app.active_only && app.filter.is_empty() {
        "no active operations here (f shows every state)".into()
    } else if !app.filter.is_empty() {
        "no operations match the filter (/ to change it)".into()
    } else {
        "no operations here".into()
    }
}

fn row<'a>(
    app: &App,
    r: &'a Row,
    theme: Theme,
    (target_w, loc_w): (usize, usize),
    stale: bool,
    selected: bool,
    focused: bool,
) -> TableRow<'a> {
    let now = app.now;
    // Age since creation for every row, so the column sorts as it reads; details show
    // how long a finished operation took.
    let age = match r.op.create_time() {
        Some(c) => coarse_age(now.duration_since(c).unsigned_abs()),
        None => "-".into(),
    };
    let marker = if r.new_at.is_some_and(|t| now < t + NEW_MARK) {
        "+"
    } else {
        ""
    };
    let state_style = theme.state(r.state);
    let mut location_style = Style::new();
    if stale {
        location_style = theme.dim();
    }
    let cells = vec![
        Cell::from(marker),
        Cell::from(Span::styled(
            format!("{} {}", r.state.glyph(), r.state.word()),
            state_style,
        )),
        Cell::from(Span::styled(
            shorten_left(
                &one_line(
                    app.targets
                        .get(r.target)
                        .map(|t| t.label.as_str())
                        .unwrap_or(r.op.location()),
                ),
                loc_w,
            ),
            location_style,
        )),
        Cell::from(one_line(r.op.verb()).into_owned()),
        Cell::from(shorten_left(&one_line(r.op.target()), target_w)),
        Cell::from(age),
        Cell::from(short_id(&one_line(&r.op.name))),
    ];
    let mut style = Style::new();
    if r.changed_at.is_some_and(|t| now < t + FLASH) {
        style = style.patch(theme.flash());
    }
    if selected {
        style = style.patch(theme.selected(focused));
    }
    TableRow::new(cells).style(style)
}
