//! The locations pane and the operations table. Only visible rows are built, so a frame
//! costs the same at a hundred operations or a hundred thousand.

use super::Theme;
use crate::app::columns::{Column, Decl, ID_WIDTH, Item, Reading, Width};
use crate::app::row::Row;
use crate::app::{App, FLASH, Level, NEW_MARK, Pane};
use crate::sanitize::one_line;
use crate::width::{pad, shorten_left, shorten_right, width};
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
            )
            .into_owned();
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
    let label = shorten_right(&one_line(label), label_w).into_owned();
    let mut spans = vec![Span::raw(format!(" {}", pad(&label, label_w)))];
    match badge {
        Some(b) => spans.push(Span::styled(
            format!(" ! {}", pad(&shorten_right(b, 5), 5)),
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

/// An operation's id as the ID column shows it.
pub fn short_id(name: &str) -> String {
    shorten_left(name.rsplit('/').next().unwrap_or(name), ID_WIDTH as usize).into_owned()
}

/// Before the columns: a row's mark (`*` marked, `+` new, `!` foreign).
const GUTTER: u16 = 2;
/// Between columns.
const SPACING: u16 = 1;

/// A column's width before space is shared out: what it declares, never less than its title.
fn base_width(app: &App, d: &Decl) -> u16 {
    let title = width(d.title) as u16;
    match d.width {
        Width::Fixed(n) => n.max(title),
        Width::Fit { min, max, widest } => {
            let widest = u16::try_from(widest(app)).unwrap_or(u16::MAX);
            widest.max(title).clamp(min.max(title), max.max(title))
        }
        Width::Flex { min } => min.max(title),
    }
}

/// The columns shown in `cells` and their widths. When they do not all fit, whole columns
/// go, lowest priority first: a cut column (`CANCEL R`, `us-cen`) would be misread, a
/// missing one is not. What is left over widens the flexible columns.
pub(crate) fn layout(app: &App, cells: u16) -> Vec<(&'static Decl, u16)> {
    let mut cols: Vec<(&'static Decl, u16)> = app
        .columns()
        .into_iter()
        .map(|c| (c.decl(), base_width(app, c.decl())))
        .collect();
    let used = |cols: &[(&Decl, u16)]| -> u32 {
        u32::from(GUTTER)
            + cols
                .iter()
                .map(|c| u32::from(c.1) + u32::from(SPACING))
                .sum::<u32>()
    };
    while used(&cols) > u32::from(cells) && cols.len() > 1 {
        // Among equal priorities the rightmost goes first.
        let lowest = (0..cols.len()).min_by_key(|&i| (cols[i].0.priority, std::cmp::Reverse(i)));
        match lowest {
            Some(i) => cols.remove(i),
            None => break,
        };
    }
    let spare = u32::from(cells).saturating_sub(used(&cols));
    let flexible: Vec<usize> = (0..cols.len())
        .filter(|&i| matches!(cols[i].0.width, Width::Flex { .. }))
        .collect();
    if let Ok(n) = u32::try_from(flexible.len())
        && n > 0
    {
        for (k, &i) in flexible.iter().enumerate() {
            let extra = spare / n + u32::from((k as u32) < spare % n);
            cols[i].1 = cols[i]
                .1
                .saturating_add(u16::try_from(extra).unwrap_or(u16::MAX));
        }
    }
    cols
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
    let cols = layout(app, inner.width);
    let mut widths = vec![Constraint::Length(GUTTER)];
    widths.extend(cols.iter().map(|(_, w)| Constraint::Length(*w)));
    let titles = std::iter::once("").chain(cols.iter().map(|(d, _)| d.title));
    let header =
        TableRow::new(titles.map(Cell::from)).style(Style::new().add_modifier(Modifier::BOLD));
    let reading = app.reading();
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
                &reading,
                r,
                theme,
                &cols,
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
            .column_spacing(SPACING)
            .render(inner, buf);
        return;
    }
    Table::new(rows, widths)
        .header(header)
        .column_spacing(SPACING)
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

#[allow(clippy::too_many_arguments)]
fn row(
    app: &App,
    reading: &Reading<'_>,
    r: &Row,
    theme: Theme,
    cols: &[(&'static Decl, u16)],
    stale: bool,
    selected: bool,
    focused: bool,
) -> TableRow<'static> {
    let now = app.now;
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
    let mut location_style = Style::new();
    if stale {
        location_style = theme.dim();
    }
    if foreign {
        location_style = theme.level(Level::Warn);
    }
    let mut cells = vec![Cell::from(Span::styled(
        marker,
        if foreign {
            theme.level(Level::Warn)
        } else {
            Style::new()
        },
    ))];
    let item = Item {
        op: &r.op,
        state: r.state,
    };
    for (d, w) in cols {
        let text = (d.text)(reading, item);
        let shown = d.fit(&d.safe(&text), *w as usize).into_owned();
        let style = match d.column {
            Column::State => theme.state(r.state),
            Column::Location => location_style,
            _ => Style::new(),
        };
        cells.push(Cell::from(Span::styled(shown, style)));
    }
    let mut style = Style::new();
    if r.changed_at.get().is_some_and(|t| now < t + FLASH) {
        style = style.patch(theme.flash());
    }
    if selected {
        style = style.patch(theme.selected(focused));
    }
    TableRow::new(cells).style(style)
}
