//! Details, help and the confirmation dialog, drawn over the main screen.

use super::Theme;
use crate::app::keys::KEYMAP;
use crate::app::row::RowState;
use crate::app::{App, Bulk, Confirm, Confirmed};
use crate::sanitize::{one_line, one_line_capped};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(h);
    v
}

/// A scrollable overlay's text, wrapped, scrolled no further than its last line.
fn scrolled(
    lines: Vec<Line<'static>>,
    block: Block<'static>,
    scroll: u16,
    rect: Rect,
    buf: &mut Buffer,
) {
    let inner_h = block.inner(rect).height as usize;
    let paragraph = Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false });
    // The frame's two lines are counted too; the last line may come to the bottom, no further.
    let max_scroll = paragraph.line_count(rect.width).saturating_sub(inner_h + 2) as u16;
    paragraph
        .scroll((scroll.min(max_scroll), 0))
        .render(rect, buf);
}

/// The frame every overlay wears: a title, and its keys in the bottom border.
pub(super) fn framed(title: &str, keys: &str, theme: Theme) -> Block<'static> {
    Block::bordered()
        .title(Span::styled(title.to_string(), theme.title()))
        .title_bottom(Line::from(Span::styled(keys.to_string(), theme.dim())).right_aligned())
        .border_style(theme.border(true))
}

/// A labelled value of the details pane, cut at its cap.
pub(super) fn field(label: &str, value: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<14}"), theme.dim()),
        Span::raw(one_line_capped(value, super::details::DETAIL_CAP).into_owned()),
    ])
}

pub fn help(theme: Theme, scroll: u16, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        "Keys",
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    for b in KEYMAP {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<8}", b.label), theme.key()),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "States",
        Style::new().add_modifier(Modifier::BOLD),
    )));
    let states = [
        (RowState::Running, "running on the server"),
        (RowState::Cancelling, "cancel requested, not yet done"),
        (RowState::Cancelled, "done: cancelled (error code 1)"),
        (
            RowState::Done,
            "done: succeeded (or finished despite a cancel)",
        ),
        (RowState::Failed, "done: failed; enter shows the error"),
        (
            RowState::CancelRefused,
            "the server refused the cancel; still running",
        ),
    ];
    for (s, what) in states {
        lines.push(Line::from(vec![
            Span::styled(format!("  {} {:<15}", s.glyph(), s.word()), theme.state(s)),
            Span::raw(what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Filter (/)",
        Style::new().add_modifier(Modifier::BOLD),
    )));
    for l in [
        "  words must all match: state=running verb=create location=us-central1 project=p",
        "  a,b means either; != excludes; state=active is running or cancelling;",
        "  any other word is a substring of the name, target or status message",
    ] {
        lines.push(Line::raw(l));
    }
    let rect = centered(area, 84, area.height.saturating_sub(2));
    Clear.render(rect, buf);
    let block = framed(" Help ", " j/k scroll · esc close ", theme);
    scrolled(lines, block, scroll, rect, buf);
}

/// The quit dialog's words, from the bulk action as it stands now: answers keep arriving
/// while the dialog is open.
fn quit_lines(bulk: Option<&Bulk>) -> Vec<String> {
    let Some(b) = bulk else {
        return vec!["The bulk action has finished meanwhile: nothing is left waiting.".into()];
    };
    let left = b.pending.len();
    let noun = if left == 1 { "" } else { "s" };
    vec![
        format!(
            "{left} {}{noun} not yet answered; quit anyway?",
            b.kind.verb()
        ),
        format!(
            "{} of {} answered: {} accepted · {} refused · {} failed.",
            b.total - left,
            b.total,
            b.accepted,
            b.refused,
            b.failed
        ),
        String::new(),
        "Unanswered requests may or may not have reached the server; the log file lists them."
            .into(),
    ]
}

pub fn confirm(c: &Confirm, bulk: Option<&Bulk>, theme: Theme, area: Rect, buf: &mut Buffer) {
    let words = match c.on_yes {
        Confirmed::Quit => quit_lines(bulk),
        _ => c.lines.clone(),
    };
    let mut lines: Vec<Line<'static>> = words
        .iter()
        .map(|l| Line::raw(one_line(l).into_owned()))
        .collect();
    lines.push(Line::raw(""));
    if let Some(t) = &c.typed {
        lines.push(Line::from(vec![
            Span::raw(format!("Type {} to confirm: ", one_line(&t.expected))),
            Span::styled(
                format!("{}█", one_line(&t.input)),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ]));
        return confirm_box(c, lines, theme, area, buf);
    }
    let button = |label: &str, focused: bool| {
        let style = if focused {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        };
        Span::styled(format!("[ {label} ]"), style)
    };
    lines.push(
        Line::from(vec![
            button("No", !c.yes_focused),
            Span::raw("   "),
            button(&c.yes_label, c.yes_focused),
        ])
        .centered(),
    );
    confirm_box(c, lines, theme, area, buf);
}

fn confirm_box(c: &Confirm, lines: Vec<Line<'static>>, theme: Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width.saturating_sub(4).min(96);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", one_line(&c.title)),
            theme.level(crate::app::Level::Warn),
        ))
        .title_bottom(Line::from(Span::styled(" y yes · n/esc no ", theme.dim())).right_aligned())
        .border_style(theme.level(crate::app::Level::Warn));
    let paragraph = Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false });
    // Long names wrap: size the box to what the wrapped text needs, buttons included.
    let height = (paragraph.line_count(width) as u16).min(area.height);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    paragraph.render(rect, buf);
}

pub fn error_log(app: &App, theme: Theme, scroll: u16, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = Vec::new();
    if app.log.is_empty() {
        lines.push(Line::from(Span::styled("no errors so far", theme.dim())));
    }
    // Newest first: what just happened is what the user came to read.
    for e in app.log.iter().rev() {
        let at = e.at.strftime("%H:%M:%SZ").to_string();
        lines.push(Line::from(vec![
            Span::styled(format!("{at}  "), theme.dim()),
            Span::raw(one_line(&e.text).into_owned()),
        ]));
    }
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(120),
        area.height.saturating_sub(2),
    );
    Clear.render(rect, buf);
    let block = framed(
        &format!(" Error log ({}) ", app.log.len()),
        " j/k scroll · esc close ",
        theme,
    );
    scrolled(lines, block, scroll, rect, buf);
}

pub fn project_picker(
    app: &App,
    theme: Theme,
    query: &str,
    selected: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let matches = app.picker_matches(query);
    let selected = selected.min(matches.len().saturating_sub(1));
    let mut lines: Vec<Line> = vec![
        Line::from(vec![
            Span::styled("project: ", theme.dim()),
            Span::styled(
                format!("{}█", one_line(query)),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ]),
        Line::raw(""),
    ];
    if matches.is_empty() {
        lines.push(Line::from(Span::styled("no project matches", theme.dim())));
    }
    for (n, m) in matches.iter().enumerate() {
        let (label, flags) = match m {
            None => (
                format!("all projects ({})", app.projects.len()),
                String::new(),
            ),
            Some(i) => {
                let p = &app.projects[*i];
                let mut flags = String::new();
                if app.settings.project_read_only(p) {
                    flags.push_str("  read-only");
                }
                if app.settings.protected(p) {
                    flags.push_str("  protected");
                }
                (app.settings.project_label(p), flags)
            }
        };
        let current = *m == app.project_scope;
        let mut line = Line::from(vec![
            Span::raw(if current { "● " } else { "  " }),
            Span::raw(one_line(&label).into_owned()),
            Span::styled(flags, theme.dim()),
        ]);
        if n == selected {
            line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, area.width.saturating_sub(4).min(70), height);
    Clear.render(rect, buf);
    let block = framed(
        " Switch project ",
        " type to narrow · ↑/↓ · enter · esc ",
        theme,
    );
    let inner_h = block.inner(rect).height as usize;
    let scroll = (selected + 2).saturating_sub(inner_h.saturating_sub(1)) as u16;
    Paragraph::new(Text::from(lines))
        .block(block)
        .scroll((scroll, 0))
        .render(rect, buf);
}
