//! The locations pane and the operations table. Only visible rows are built, so a frame
//! costs the same at a hundred operations or a hundred thousand.

use super::Theme;
use crate::app::row::Row;
use crate::app::{App, FLASH, Level, NEW_MARK, Pane};
use crate::human::aligned_age;
use crate::sanitize::{CELL_CAP, one_line, one_line_capped, one_line_tail};
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
    let label_w = (inner.width as usize).saturating_sub(9);
    let grouped = app.projects.len() > 1 && app.scope_project().is_none();
    // (line, selection index it stands for); project headings stand for none.
    let mut lines: Vec<(Line, Option<usize>)> = Vec::new();
    lines.push((
        location_line(
            "all",
            app.total(),
            app.running_total(),
            None,
            label_w,
            theme,
        ),
        Some(0),
    ));
    let mut project = "";
    for (i, t) in app.targets.iter().enumerate() {
        if !app.in_scope(i) {
            continue;
        }
        if grouped && t.name.project() != project {
            project = t.name.project();
            let heading = shorten_right(
                &one_line(&app.settings.project_label(project)),
                inner.width.saturating_sub(1) as usize,
            );
            lines.push((
                Line::from(Span::styled(format!(" {heading}"), theme.dim())),
                None,
            ));
        }
        // The project is in a heading above, or in the header when one is in view.
        let label = if grouped {
            format!("  {}", t.name.location())
        } else {
            t.name.location().to_string()
        };
        let badge = t.error.as_ref().map(|e| e.badge.as_str());
        let mut line = location_line(&label, t.total, t.active, badge, label_w, theme);
        if t.error.is_some() && t.loaded {
            line = line.patch_style(theme.dim());
        }
        if !t.loaded && t.error.is_none() {
            line.spans.push(Span::styled(" …", theme.dim()));
        }
        // The server's answer had names from elsewhere or unreadable entries: the log says
        // which; the pane keeps it in sight.
        if t.foreign + t.unreadable > 0
            && let Some(first) = line.spans.first_mut()
        {
            let text = first.content.to_string();
            let rest = text.strip_prefix(' ').unwrap_or(&text);
            *first = Span::styled(format!("!{rest}"), theme.level(Level::Warn));
        }
        lines.push((line, Some(i + 1)));
    }
    if !app.discovering.is_empty() {
        lines.push((Line::from(Span::styled(" discovering…", theme.dim())), None));
    }
    let at = lines
        .iter()
        .position(|(_, sel)| *sel == Some(app.location_sel))
        .unwrap_or(0);
    let skip = at.saturating_sub(inner.height.saturating_sub(1) as usize);
    for (n, (line, sel)) in lines
        .into_iter()
        .skip(skip)
        .take(inner.height as usize)
        .enumerate()
    {
        let row = Rect::new(inner.x, inner.y + n as u16, inner.width, 1);
        let line = if sel == Some(app.location_sel) {
            line.patch_style(theme.selected(focused))
        } else {
            line
        };
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

/// A project as the table names it: its alias if it has one, else its id.
fn project_short(app: &App, project: &str) -> String {
    app.settings
        .project_flags
        .get(project)
        .and_then(|f| f.alias.clone())
        .unwrap_or_else(|| project.to_string())
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
    let loc_w = app
        .targets
        .iter()
        .map(|t| t.name.location().chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 16) as u16;
    // With several projects, a PROJECT column.
    let proj_w = if app.projects.len() > 1 && app.scope_project().is_none() {
        app.projects
            .iter()
            .map(|p| project_short(app, p).chars().count())
            .max()
            .unwrap_or(7)
            .clamp(7, 20) as u16
    } else {
        0
    };
    // marker, state, [project], location, verb, target (the rest), age, id, and the gaps
    let columns: u16 = if proj_w > 0 { 8 } else { 7 };
    let fixed = 2 + 16 + proj_w + loc_w + 6 + 5 + 9 + (columns - 1);
    let target_w = inner.width.saturating_sub(fixed).max(6);
    let mut widths = vec![Constraint::Length(2), Constraint::Length(16)];
    let mut titles = vec!["", "STATE"];
    if proj_w > 0 {
        widths.push(Constraint::Length(proj_w));
        titles.push("PROJECT");
    }
    widths.extend([
        Constraint::Length(loc_w),
        Constraint::Length(6),
        Constraint::Length(target_w),
        Constraint::Length(5),
        Constraint::Length(9),
    ]);
    titles.extend(["LOCATION", "VERB", "TARGET", "AGE", "ID"]);
    let header = TableRow::new(titles.into_iter().map(Cell::from))
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
                (target_w as usize, proj_w as usize),
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
    (target_w, proj_w): (usize, usize),
    stale: bool,
    selected: bool,
    focused: bool,
) -> TableRow<'a> {
    let now = app.now;
    // Age since creation for every row, so the column sorts as it reads; details show
    // how long a finished operation took.
    let age = match r.op.create_time() {
        Some(c) => aligned_age(c, now),
        None => "-".into(),
    };
    let foreign = app.is_foreign(r);
    // `!`: named outside the location that listed it (never acted on; details say more).
    let marker = if foreign {
        "!"
    } else if app.marks.contains(&r.op.name) {
        "*"
    } else if r.new_at.get().is_some_and(|t| now < t + NEW_MARK) {
        "+"
    } else {
        ""
    };
    let state_style = theme.state(r.state);
    let mut location_style = Style::new();
    if stale {
        location_style = theme.dim();
    }
    if foreign {
        location_style = theme.level(Level::Warn);
    }
    let mut cells = vec![
        Cell::from(Span::styled(
            marker,
            if foreign {
                theme.level(Level::Warn)
            } else {
                Style::new()
            },
        )),
        Cell::from(Span::styled(
            format!("{} {}", r.state.glyph(), r.state.word()),
            state_style,
        )),
    ];
    if proj_w > 0 {
        cells.push(Cell::from(shorten_right(
            &one_line_capped(&project_short(app, r.op.project()), CELL_CAP),
            proj_w,
        )));
    }
    cells.extend([
        Cell::from(Span::styled(
            one_line_capped(r.op.location(), CELL_CAP).into_owned(),
            location_style,
        )),
        Cell::from(one_line_capped(r.op.verb(), CELL_CAP).into_owned()),
        Cell::from(shorten_left(
            &one_line_tail(r.op.target(), CELL_CAP),
            target_w,
        )),
        Cell::from(age),
        Cell::from(short_id(&one_line_tail(&r.op.name, CELL_CAP))),
    ]);
    let mut style = Style::new();
    if r.changed_at.get().is_some_and(|t| now < t + FLASH) {
        style = style.patch(theme.flash());
    }
    if selected {
        style = style.patch(theme.selected(focused));
    }
    TableRow::new(cells).style(style)
}
