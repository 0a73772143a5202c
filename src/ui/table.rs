//! The locations pane and the operations table. Only visible rows are built, so a frame
//! costs the same at a hundred operations or a hundred thousand.

use super::Theme;
use crate::app::columns::{Column, Decl, ID_WIDTH, Item, Reading, Width};
use crate::app::row::Row;
use crate::app::{App, FLASH, Level, NEW_MARK, Pane};
use crate::human::compact_count;
use crate::sanitize::one_line;
use crate::width::{pad, shorten_left, shorten_middle, shorten_right, width};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row as TableRow, Table, Widget};

/// The locations pane's columns, each as wide as its widest value: a count is never cut
/// (`⟳16` for 163 once told the wrong story), a long one is written short (`12.3k`).
pub(crate) struct PaneWidths {
    /// The widest location, indented under its project heading when grouped.
    pub label: usize,
    pub total: usize,
    pub active: usize,
    /// The widest project heading (grouped only; headings carry no counts).
    pub heading: usize,
}

impl PaneWidths {
    /// The cells after the label: the total, ` ⟳` and the active count. An error badge
    /// (` ! 503  `) takes the same cells.
    fn counts(&self) -> usize {
        self.total + 2 + self.active
    }

    /// The pane's width with its borders when nothing in it is cut.
    pub fn pane(&self) -> u16 {
        let line = 1 + self.label + self.counts();
        let w = line.max(self.heading + 1) + 2;
        u16::try_from(w).unwrap_or(u16::MAX)
    }
}

fn grouped(app: &App) -> bool {
    app.projects.len() > 1 && app.scope_project().is_none()
}

/// Under a project's heading in the pane, what the keys obey for its rows: the PROJECT
/// cell's marker (`[ro]`, `[prot]`; help says what they mean), on a line of its own so the
/// pane does not widen for it.
pub(crate) fn flags_line(app: &App, project: &str) -> Option<String> {
    let flags = crate::app::ProjectFlags {
        read_only: app.settings.project_read_only(project),
        protected: app.settings.protected(project),
        alias: None,
        accent: None,
    };
    let marker = crate::app::columns::project_marker(Some(&flags));
    (!marker.is_empty()).then(|| format!("   {marker}"))
}

pub(crate) fn pane_widths(app: &App) -> PaneWidths {
    let grouped = grouped(app);
    let by_service = app.several_services();
    let indent = 2 * (usize::from(grouped) + usize::from(by_service));
    let in_view = || (0..app.targets.len()).filter(|i| app.in_scope(*i));
    // Every project's locations, in view or not: switching project does not move the pane.
    let label = app
        .targets
        .iter()
        .map(|t| width(&one_line(t.name.location())) + indent)
        .chain([width("all")])
        .max()
        .unwrap_or(3);
    let count_w = |n: usize| width(&compact_count(n));
    // At least four and two cells, as the pane has always had: a count that grows from 9
    // to 10 does not move the pane.
    let total = in_view()
        .map(|i| count_w(app.targets[i].total))
        .chain([count_w(app.total()), 4])
        .max()
        .unwrap_or(4);
    let active = in_view()
        .map(|i| count_w(app.targets[i].active))
        .chain([count_w(app.running_total()), 2])
        .max()
        .unwrap_or(2);
    let heading = if grouped {
        app.projects
            .iter()
            .map(|p| width(&one_line(&app.settings.project_label(p))))
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    // Service headings sit under the project's, two cells in when projects are grouped.
    let service_heading = if by_service {
        app.targets
            .iter()
            .filter_map(|t| t.service_name())
            .map(|s| width(&one_line(s)) + if grouped { 2 } else { 0 })
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    let heading = heading.max(service_heading);
    PaneWidths {
        // A space between a location and a total as wide as the column.
        label: label + 1,
        total,
        active,
        heading,
    }
}

pub fn locations(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    if area.width == 0 {
        return;
    }
    let focused = app.focus == Pane::Locations;
    let block = Block::bordered()
        .title(Span::styled("Locations", theme.title()))
        .border_style(theme.frame(focused, app.accent()));
    let inner = block.inner(area);
    block.render(area, buf);
    let widths = pane_widths(app);
    // Narrower than it needs only when the user asked for it on a narrow terminal.
    let label_w = (inner.width as usize).saturating_sub(1 + widths.counts());
    let grouped = grouped(app);
    let by_service = app.several_services();
    // (line, selection index it stands for); project and service headings stand for none.
    let mut lines: Vec<(Line, Option<usize>)> = Vec::new();
    lines.push((
        location_line(
            "",
            "all",
            (app.total(), app.running_total()),
            None,
            label_w,
            &widths,
            theme,
        ),
        Some(0),
    ));
    let mut project = "";
    let mut service: Option<&str> = None;
    for (i, t) in app.targets.iter().enumerate() {
        if !app.in_scope(i) {
            continue;
        }
        let new_project = t.name.project() != project;
        project = t.name.project();
        if grouped && new_project {
            let heading = shorten_right(
                &one_line(&app.settings.project_label(project)),
                inner.width.saturating_sub(1) as usize,
            )
            .into_owned();
            lines.push((
                Line::from(Span::styled(format!(" {heading}"), theme.dim())),
                None,
            ));
            if let Some(flags) = flags_line(app, project) {
                let flags = shorten_right(&flags, inner.width as usize).into_owned();
                lines.push((Line::from(Span::styled(flags, theme.badge())), None));
            }
        }
        // Each API's locations under its name, within their project (targets are kept in
        // project → service → location order).
        if by_service && (new_project || t.service_name() != service) {
            service = t.service_name();
            let pad = if grouped { "   " } else { " " };
            let heading = shorten_right(
                &one_line(service.unwrap_or("?")),
                (inner.width as usize).saturating_sub(pad.len()),
            )
            .into_owned();
            lines.push((
                Line::from(Span::styled(format!("{pad}{heading}"), theme.dim())),
                None,
            ));
        }
        // The project and the service are in headings above, or in the header and the
        // table when one is in view.
        let indent = match (grouped, by_service) {
            (true, true) => "    ",
            (true, false) | (false, true) => "  ",
            (false, false) => "",
        };
        let badge = t.error.as_ref().map(|e| e.badge.as_str());
        let mut line = location_line(
            indent,
            t.name.location(),
            (t.total, t.active),
            badge,
            label_w,
            &widths,
            theme,
        );
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

/// One location: its name whole (cut in the middle only in a pane forced narrower than it
/// needs, so `us-east1` and `us-east4` never read alike), then its counts whole.
fn location_line(
    indent: &str,
    label: &str,
    (total, active): (usize, usize),
    badge: Option<&str>,
    label_w: usize,
    widths: &PaneWidths,
    theme: Theme,
) -> Line<'static> {
    let room = label_w.saturating_sub(indent.len());
    let label = format!("{indent}{}", shorten_middle(&one_line(label), room));
    let mut spans = vec![Span::raw(format!(" {}", pad(&label, label_w)))];
    match badge {
        Some(b) => spans.push(Span::styled(
            format!(" ! {}", pad(&shorten_right(b, 5), 5)),
            theme.error_badge(),
        )),
        None => {
            let tw = widths.total;
            spans.push(Span::raw(format!("{:>tw$}", compact_count(total))));
            if active > 0 {
                let aw = widths.active;
                spans.push(Span::styled(
                    format!(" ⟳{:<aw$}", compact_count(active)),
                    theme.dim(),
                ));
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
    // Of the scope in view: a selected location's operations, else the projects' in view.
    let scope = app
        .location_scope()
        .map_or_else(|| app.total(), |t| t.total);
    spans.push(Span::raw(format!("{}/{scope}", app.view.len())));
    Line::from(spans)
}

pub fn operations(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::Operations;
    let block = Block::bordered()
        .title(title(app, theme))
        .border_style(theme.frame(focused, app.accent()));
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
    // A failing location in view says why it shows nothing, in place.
    if let Some(t) = app.location_scope()
        && let Some(e) = &t.error
    {
        let r = crate::app::modes::table::key_for(crate::app::modes::table::Command::Refresh)
            .map(|k| k.name())
            .unwrap_or_default();
        return format!(
            "{}: {} ({r} tries again now)",
            one_line(&t.label),
            one_line(&e.message)
        );
    }
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
        service: app
            .targets
            .get(r.target)
            .and_then(|t| t.service_name())
            .unwrap_or(""),
    };
    for (d, w) in cols {
        // A stale row's age would tick on from data that is no longer being refreshed:
        // the cell says so instead.
        let text = match d.column {
            Column::Age if stale => std::borrow::Cow::Borrowed("stale"),
            _ => (d.text)(reading, item),
        };
        let shown = d.fit(&d.safe(&text), *w as usize).into_owned();
        let style = match d.column {
            Column::State => theme.state(r.state),
            Column::Location => location_style,
            _ => Style::new(),
        };
        cells.push(Cell::from(Span::styled(shown, style)));
    }
    let mut style = Style::new();
    // The whole row, not one cell: what it says is as of its location's last good refresh.
    if stale {
        style = style.patch(theme.dim());
    }
    if r.changed_at.get().is_some_and(|t| now < t + FLASH) {
        style = style.patch(theme.flash());
    }
    if selected {
        style = style.patch(theme.selected(focused));
    }
    TableRow::new(cells).style(style)
}
