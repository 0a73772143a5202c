//! Details, help and the confirmation dialog, drawn over the main screen.

use super::Theme;
use crate::app::keys::{HintItem, hint_text};
use crate::app::modes::{ModeKind, table};
use crate::app::policy::Skip;
use crate::app::row::RowState;
use crate::app::{App, Bulk, Confirm, Confirmed, Facts, Many, MutationKind, OneOp};
use crate::sanitize::{one_line, one_line_capped};
use jiff::Timestamp;
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
    let inner = block.inner(rect);
    let max_scroll = scroll_limit(&lines, inner);
    Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll.min(max_scroll), 0))
        .render(rect, buf);
}

/// How far `lines` wrapped in `inner` scroll before the last line reaches the bottom.
/// Counted at the inner width: a paragraph's `line_count` wraps at the width it is given,
/// borders included, so counting with the block stopped short of the end.
pub(super) fn scroll_limit(lines: &[Line<'static>], inner: Rect) -> u16 {
    let wrapped = Paragraph::new(Text::from(lines.to_vec()))
        .wrap(Wrap { trim: false })
        .line_count(inner.width);
    u16::try_from(wrapped.saturating_sub(inner.height as usize)).unwrap_or(u16::MAX)
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

/// What an overlay's border says about its keys: the mode's hints, after what typing does
/// where keys type.
pub(super) fn border_keys(app: &App, kind: ModeKind, typing: Option<&str>) -> String {
    let hints = hint_text(&kind.border_hints(&crate::app::modes::Context::of(app)));
    match typing {
        Some(t) => format!(" {t} · {hints} "),
        None => format!(" {hints} "),
    }
}

/// What typing does in a mode whose other keys type, for its hint: the word a typed
/// confirmation wants, or the picker's narrowing.
pub(super) fn typing(app: &App) -> Option<String> {
    match &app.mode {
        crate::app::Mode::Confirm(c) => c
            .typed
            .as_ref()
            .map(|t| format!("type {}", one_line(&t.expected))),
        crate::app::Mode::ProjectPicker { .. } => Some("type to narrow".into()),
        _ => None,
    }
}

/// A hint line in the footer's style: keys as keys, words plain.
pub(super) fn hint_spans(
    typing: Option<String>,
    items: &[HintItem],
    theme: Theme,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some(t) = typing {
        spans.push(Span::styled(t, theme.dim()));
        spans.push(Span::styled(" · ", theme.dim()));
    }
    for (i, h) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(h.keys.clone(), theme.key()));
        spans.push(Span::raw(format!(" {}", h.word)));
    }
    spans
}

/// The help screen's text: every mode's keys, the states, the marks, the filter.
fn help_lines(theme: Theme) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = Vec::new();
    // Every mode's table, whole: what a key does anywhere is on this one screen.
    for kind in ModeKind::ALL {
        let rows = kind.help();
        let width = rows
            .iter()
            .map(|r| r.keys.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        lines.push(Line::from(Span::styled(kind.title(), bold)));
        for r in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<width$}", r.keys), theme.key()),
                Span::raw(r.help),
            ]));
        }
        lines.push(Line::raw(""));
    }
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
    lines.push(Line::from(Span::styled("Marks", bold)));
    for l in [
        "  * marked · + new · ! named outside the location that listed it (never acted on)",
        "  [ro] read-only project: nothing is sent · [prot] protected: its alias is typed",
        "  stale: its location's last refresh failed; the row is as last seen",
    ] {
        lines.push(Line::raw(l));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Filter (/)",
        Style::new().add_modifier(Modifier::BOLD),
    )));
    for l in [
        "  words must all match: state=running verb=create location=us-central1 project=p",
        "  project= is a project's id or its alias",
        "  a,b means either; != excludes; state=active is running or cancelling;",
        "  any other word is a substring of the name, target or status message",
    ] {
        lines.push(Line::raw(l));
    }
    lines
}

fn help_rect(area: Rect) -> Rect {
    centered(area, 84, area.height.saturating_sub(2))
}

pub fn help(app: &App, theme: Theme, scroll: u16, area: Rect, buf: &mut Buffer) {
    let rect = help_rect(area);
    Clear.render(rect, buf);
    let block = framed(" Help ", &border_keys(app, ModeKind::Pager, None), theme);
    scrolled(help_lines(theme), block, scroll, rect, buf);
}

/// How far help or the error log scrolls at `area`, for the app to clamp to (`G` goes
/// there, and `k` after it moves at once).
pub(super) fn pager_limit(app: &App, theme: Theme, area: Rect) -> Option<u16> {
    let (lines, rect) = match app.mode {
        crate::app::Mode::Help { .. } => (help_lines(theme), help_rect(area)),
        crate::app::Mode::ErrorLog { .. } => (error_log_lines(app, theme), error_log_rect(area)),
        _ => return None,
    };
    Some(scroll_limit(&lines, Block::bordered().inner(rect)))
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

/// A confirmation in words: its title, its text and its yes button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words {
    pub title: String,
    pub lines: Vec<String>,
    pub yes: String,
}

/// How many names a bulk dialog lists before "… and N more".
const LISTED: usize = 5;

/// The words of a confirmation, from its facts (and, for quitting, the bulk action as it
/// stands now). `now` ages the one operation a cancel names.
pub fn confirm_words(c: &Confirm, bulk: Option<&Bulk>, now: Timestamp) -> Words {
    match (&c.facts, &c.on_yes) {
        (_, Confirmed::Quit) | (Facts::Quit, _) => Words {
            title: "Quit with a bulk action under way?".into(),
            lines: quit_lines(bulk),
            yes: "Quit anyway".into(),
        },
        (Facts::One(op), _) => one_words(op, now),
        (Facts::Many(m), Confirmed::CancelMany(names) | Confirmed::Delete(names)) => {
            let names: Vec<String> = names.iter().map(ToString::to_string).collect();
            many_words(m, &names)
        }
        (Facts::Many(m), Confirmed::CancelOne(name)) => many_words(m, &[name.to_string()]),
    }
}

fn one_words(op: &OneOp, now: Timestamp) -> Words {
    let age = op
        .created
        // The table's AGE (and details'), from the clock as it is at each frame.
        .map(|t| crate::human::aligned_age(t, now))
        .unwrap_or_else(|| "-".into());
    let mut lines = vec![
        op.name.clone(),
        String::new(),
        format!("target  {}", op.target),
        format!(
            "verb    {}    state {}    age {age}",
            op.verb,
            op.state.word()
        ),
        String::new(),
        "Cancel is best effort: the server may refuse it, or the operation may finish anyway."
            .to_string(),
    ];
    if let Some(code) = &op.refused {
        lines.push(format!("The last cancel was refused ({code})."));
    }
    Words {
        title: "Cancel 1 operation?".into(),
        lines,
        yes: "Cancel it".into(),
    }
}

fn many_words(m: &Many, names: &[String]) -> Words {
    let n = names.len();
    let mut lines = Vec::new();
    match m.kind {
        MutationKind::Cancel => {
            lines.push(format!("{n} will be sent a cancel request."));
            if m.hidden > 0 {
                lines.push(format!(
                    "{} marked are hidden by the filter and will not be sent (clear the filter to include them).",
                    m.hidden
                ));
            }
        }
        MutationKind::Delete => {
            lines.push(format!("{} will be deleted.", records(n)));
            lines.push(
                "Delete removes the record only. It does NOT cancel: a running operation keeps running."
                    .into(),
            );
            if m.running > 0 {
                // The keys are the main screen's, as its table binds them.
                let key = |cmd| table::key_for(cmd).map(|k| k.name()).unwrap_or_default();
                lines.push(format!(
                    "{} of them are still running (use {} or {} to cancel instead).",
                    m.running,
                    key(table::Command::CancelMarked),
                    key(table::Command::Cancel)
                ));
            }
            if m.hidden > 0 {
                lines.push(format!(
                    "{} marked are hidden by the filter and will not be deleted.",
                    m.hidden
                ));
            }
        }
    }
    lines.extend(m.skipped.iter().map(|(why, n)| skip_line(*why, *n)));
    lines.push(String::new());
    lines.extend(names.iter().take(LISTED).map(|n| format!("  {n}")));
    if n > LISTED {
        lines.push(format!("  … and {} more", n - LISTED));
    }
    let (title, yes) = match m.kind {
        MutationKind::Cancel => {
            lines.push(String::new());
            lines.push(
                "Cancel is best effort: the server may refuse it, or an operation may finish anyway."
                    .into(),
            );
            let what = if n == 1 { "operation" } else { "operations" };
            (format!("Cancel {n} {what}?"), format!("Cancel {n}"))
        }
        MutationKind::Delete => (format!("Delete {}?", records(n)), format!("Delete {n}")),
    };
    Words { title, lines, yes }
}

/// `1 operation record`, `3 operation records`.
fn records(n: usize) -> String {
    if n == 1 {
        "1 operation record".into()
    } else {
        format!("{n} operation records")
    }
}

/// One line per reason something will not be sent.
fn skip_line(why: Skip, n: usize) -> String {
    match why {
        Skip::Foreign => format!(
            "{n} listed under another location than their names say (foreign) will not be sent."
        ),
        Skip::BadName => format!("{n} with unusable names will not be sent."),
        Skip::Done => format!("{n} skipped: already finished (D deletes their records)."),
        Skip::UnderWay => format!("{n} skipped: a cancel is already under way."),
        Skip::ReadOnly => format!("{n} in read-only projects will not be sent."),
        Skip::Unsupported => format!("{n} that their API cannot do will not be sent."),
    }
}

pub fn confirm(c: &Confirm, app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let words = confirm_words(c, app.bulk.as_ref(), app.now);
    let mut lines: Vec<Line<'static>> = words
        .lines
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
        return confirm_box(
            &words.title,
            &border_keys(app, ModeKind::TypedConfirm, typing(app).as_deref()),
            lines,
            theme,
            area,
            buf,
        );
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
            button(&words.yes, c.yes_focused),
        ])
        .centered(),
    );
    confirm_box(
        &words.title,
        &border_keys(app, ModeKind::Confirm, None),
        lines,
        theme,
        area,
        buf,
    );
}

fn confirm_box(
    title: &str,
    keys: &str,
    lines: Vec<Line<'static>>,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let width = area.width.saturating_sub(4).min(96);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", one_line(title)),
            theme.level(crate::app::Level::Warn),
        ))
        .title_bottom(Line::from(Span::styled(keys.to_string(), theme.dim())).right_aligned())
        .border_style(theme.level(crate::app::Level::Warn));
    let paragraph = Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false });
    // Long names wrap: size the box to what the wrapped text needs, buttons included,
    // wrapped at the width inside the borders (`line_count` adds the borders' lines only).
    let height = (paragraph.line_count(width.saturating_sub(2)) as u16).min(area.height);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    paragraph.render(rect, buf);
}

fn error_log_lines(app: &App, theme: Theme) -> Vec<Line<'static>> {
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
    lines
}

fn error_log_rect(area: Rect) -> Rect {
    centered(
        area,
        area.width.saturating_sub(4).min(120),
        area.height.saturating_sub(2),
    )
}

pub fn error_log(app: &App, theme: Theme, scroll: u16, area: Rect, buf: &mut Buffer) {
    let lines = error_log_lines(app, theme);
    let rect = error_log_rect(area);
    Clear.render(rect, buf);
    let block = framed(
        &format!(" Error log ({}) ", app.log.len()),
        &border_keys(app, ModeKind::Pager, None),
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
        &border_keys(app, ModeKind::Picker, typing(app).as_deref()),
        theme,
    );
    let inner_h = block.inner(rect).height as usize;
    let scroll = (selected + 2).saturating_sub(inner_h.saturating_sub(1)) as u16;
    Paragraph::new(Text::from(lines))
        .block(block)
        .scroll((scroll, 0))
        .render(rect, buf);
}

/// Where the link overlay puts the address: one row per piece, cut at the inner width (the
/// address is ASCII, so a character is a cell). The runtime writes the same pieces again
/// as one OSC 8 hyperlink, at these places.
pub struct LinkLayout {
    pub rect: Rect,
    /// The address's pieces, as byte ranges of it, with the cell each starts at.
    pub pieces: Vec<(u16, u16, std::ops::Range<usize>)>,
}

/// Lines above the address: what the page is, then a blank.
const LINK_HEAD: u16 = 2;

pub fn link_layout(link: &crate::app::Link, area: Rect) -> LinkLayout {
    let url = link.url.as_str();
    let width = area
        .width
        .saturating_sub(4)
        .min(100)
        .min(u16::try_from(url.len() + 4).unwrap_or(u16::MAX).max(64));
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let chunks: Vec<std::ops::Range<usize>> = (0..url.len())
        .step_by(inner_w)
        .map(|start| start..(start + inner_w).min(url.len()))
        .collect();
    // Border, head, the address, a blank, the clipboard line, border.
    let rows = u16::try_from(chunks.len()).unwrap_or(u16::MAX);
    let height = rows.saturating_add(LINK_HEAD + 4);
    let rect = centered(area, width, height);
    let inner = Block::bordered().inner(rect);
    let pieces = chunks
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let y = inner.y + LINK_HEAD + u16::try_from(i).ok()?;
            (y < inner.y + inner.height).then_some((inner.x, y, c))
        })
        .collect();
    LinkLayout { rect, pieces }
}

pub fn link(link: &crate::app::Link, app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    use crate::api::console::Page;
    let layout = link_layout(link, area);
    Clear.render(layout.rect, buf);
    let what = match (link.url.page, &link.service) {
        (Page::AuditLog, _) => "Logs Explorer: its audit entries, over its lifetime".to_string(),
        (Page::Service, Some(title)) => format!("the page {} names for it", one_line(title)),
        (Page::Service, None) => "the page its service names for it".to_string(),
    };
    let mut lines = vec![Line::raw(what), Line::raw("")];
    for (_, _, piece) in &layout.pieces {
        lines.push(Line::from(Span::styled(
            link.url.as_str()[piece.clone()].to_string(),
            // Underline alone: the runtime writes these cells again inside an OSC 8 link
            // and must match them exactly.
            Style::new().add_modifier(Modifier::UNDERLINED),
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "copied (OSC 52) · a click opens it where the terminal links",
        theme.dim(),
    )));
    let block = framed(" Console ", &border_keys(app, ModeKind::Link, None), theme);
    Paragraph::new(Text::from(lines))
        .block(block)
        .render(layout.rect, buf);
}
