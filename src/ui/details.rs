//! The details pane (enter): one operation, every field, scrollable.
//!
//! An operation can be big (a megabyte status message, a large response), and the screen is
//! drawn on every key press and every second. So each string value shows at most
//! [`DETAIL_CAP`] chars, and the heavy part (status, error, response, raw JSON) is laid out
//! once per operation version and width, kept in a [`DetailsCache`]; a frame only wraps the
//! lines it shows.

use super::Theme;
use super::overlays::{centered, field, framed};
use crate::api::Operation;
use crate::api::time::format_timestamp;
use crate::app::App;
use crate::app::row::{CancelTrack, Row, RowState};
use crate::human::{aligned_age, coarse_age};
use crate::sanitize::{multi_line, one_line_capped};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};
use std::cell::{Cell, RefCell};

/// The most of one string value the pane shows, in chars; the rest is replaced by the cut
/// marker. `lrotop describe NAME` prints it whole.
pub const DETAIL_CAP: usize = 4096;

/// The pane's heavy lines for one operation, wrapped at one width.
struct Prepared {
    /// What they were made from: compared (cheaply, the strings are mostly shared) with the
    /// selected row each frame.
    op: Operation,
    theme: Theme,
    width: u16,
    lines: Vec<Line<'static>>,
    /// Where each line starts, in wrapped lines from the first; one more entry for the end.
    starts: Vec<usize>,
}

/// Kept by whoever draws frame after frame (the terminal loop's `Screen`).
#[derive(Default)]
pub struct DetailsCache {
    prepared: RefCell<Option<Prepared>>,
    layouts: Cell<u64>,
}

impl DetailsCache {
    /// How many times the heavy part was laid out: once per operation version and width.
    pub fn layouts(&self) -> u64 {
        self.layouts.get()
    }
}

fn wrapped_height(line: &Line<'static>, width: u16) -> usize {
    Paragraph::new(line.clone())
        .wrap(Wrap { trim: false })
        .line_count(width)
        .max(1)
}

fn starts_of(lines: &[Line<'static>], width: u16) -> Vec<usize> {
    let mut starts = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    starts.push(0);
    for l in lines {
        at += wrapped_height(l, width);
        starts.push(at);
    }
    starts
}

/// `json` with every string in it (object keys too) cut after `max` chars, escapes counting
/// as one, followed by the cut marker with the string's length as written in the JSON. On
/// the text rather than a `Value`, which would sort the keys.
fn cap_json_strings(json: &str, max: usize) -> String {
    let mut out = String::new();
    let mut copied = 0;
    let mut it = json.char_indices();
    while let Some((i, c)) = it.next() {
        // Outside a string, a quote can only open one.
        if c != '"' {
            continue;
        }
        let start = i + 1;
        let (mut units, mut cut, mut end) = (0, None, json.len());
        while let Some((k, c)) = it.next() {
            if c == '"' {
                end = k;
                break;
            }
            if units == max && cut.is_none() {
                cut = Some(k);
            }
            units += 1;
            if c == '\\' && matches!(it.next(), Some((_, 'u'))) {
                it.nth(3);
            }
        }
        if let Some(c) = cut {
            out.push_str(&json[copied..c]);
            out.push_str(&crate::sanitize::cut_marker(end - start));
            copied = end;
        }
    }
    out.push_str(&json[copied..]);
    out
}

fn json_lines(v: &impl serde::Serialize) -> Vec<Line<'static>> {
    let s = serde_json::to_string_pretty(v).unwrap_or_default();
    multi_line(&cap_json_strings(&s, DETAIL_CAP))
        .lines()
        .map(|l| Line::from(format!("  {l}")))
        .collect()
}

/// What depends on the operation alone: everything but the state and the clock.
fn body(op: &Operation, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(m) = op.meta() {
        if !m.status_message().is_empty() {
            lines.push(field("status", m.status_message(), theme));
        }
        let asked = if m.requested_cancellation {
            "yes"
        } else {
            "no"
        };
        lines.push(field("cancel asked", asked, theme));
        if !m.api_version().is_empty() {
            lines.push(field("api version", m.api_version(), theme));
        }
    } else if let Some(t) = op.metadata.as_ref().and_then(|m| m.type_url()) {
        lines.push(field("metadata", t, theme));
    }
    if let Some(e) = &op.error {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!(
                "error  {} ({}): {}",
                e.code().name(),
                e.code,
                one_line_capped(&e.message, DETAIL_CAP)
            ),
            theme.state(RowState::Failed),
        )));
        if !e.details.is_empty() {
            lines.push(Line::from(Span::styled("error details", theme.dim())));
            lines.extend(json_lines(&e.details));
        }
    }
    if let Some(resp) = &op.response {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled("response", theme.dim())));
        lines.extend(json_lines(resp));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("raw JSON", theme.dim())));
    lines.extend(json_lines(op));
    lines
}

/// What changes with the row's state and the clock: a dozen short lines, made each frame.
fn head(app: &App, r: &Row, theme: Theme) -> Vec<Line<'static>> {
    let op = &r.op;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} {}", r.state.glyph(), r.state.word()),
                theme.state(r.state).add_modifier(Modifier::BOLD),
            ),
            Span::raw(match (&r.cancel, r.note()) {
                // Since when, on the clock the table's ages use.
                (CancelTrack::Pending(p), _) => format!(
                    "   cancel requested {} ago: waiting for the server",
                    aligned_age(p.asked, app.now)
                ),
                (_, Some(n)) => format!("   {}", one_line_capped(&n, DETAIL_CAP)),
                (_, None) => String::new(),
            }),
        ]),
        Line::raw(""),
        field("name", &op.name, theme),
        field("project", op.project(), theme),
        field("location", op.location(), theme),
        field("verb", op.verb(), theme),
        field("target", op.target(), theme),
    ];
    // Which API it is, and the metadata type its fields were read from (the body shows the
    // type already when the metadata could not be read). The old setup has one API only.
    if let Some(s) = app.targets.get(r.target).and_then(|t| t.service.as_deref()) {
        let at = lines.len().saturating_sub(2);
        let mut add = vec![field(
            "service",
            &format!("{} ({})", s.title, s.name),
            theme,
        )];
        if op.meta().is_some()
            && let Some(t) = op.metadata.as_ref().and_then(|m| m.type_url())
        {
            let text = if s.knows_type(t) {
                t.to_string()
            } else {
                format!("{t}  (not a type {} is known to send)", s.title)
            };
            add.push(field("metadata", &text, theme));
        }
        lines.splice(at..at, add);
    }
    let created = op.create_time();
    // The table's AGE, to the letter: one age on every part of the screen, ticking over
    // at the same moment.
    let ago = |t| aligned_age(t, app.now);
    if let Some(c) = created {
        let text = format!("{}  ({} ago)", format_timestamp(c), ago(c));
        lines.push(field("created", &text, theme));
    }
    if let Some(e) = op.end_time() {
        lines.push(field("ended", &format_timestamp(e), theme));
        if let Some(c) = created {
            let took = coarse_age(e.duration_since(c).unsigned_abs());
            lines.push(field("took", &took, theme));
        }
    } else if let Some(c) = created {
        lines.push(field("running for", &ago(c), theme));
    }
    lines
}

fn details_rect(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).min(120);
    let h = area.height.saturating_sub(2);
    centered(area, w, h)
}

/// Lays out the heavy part for `r` at `width` unless the cache already holds it.
fn prepare(cache: &DetailsCache, r: &Row, theme: Theme, width: u16) {
    let mut slot = cache.prepared.borrow_mut();
    let fresh = slot
        .as_ref()
        .is_some_and(|p| p.width == width && p.theme == theme && p.op == r.op);
    if !fresh {
        let lines = body(&r.op, theme);
        *slot = Some(Prepared {
            op: r.op.clone(),
            theme,
            width,
            starts: starts_of(&lines, width),
            lines,
        });
        cache.layouts.set(cache.layouts.get() + 1);
    }
}

pub fn details(
    app: &App,
    cache: &DetailsCache,
    theme: Theme,
    scroll: u16,
    area: Rect,
    buf: &mut Buffer,
) {
    let Some(r) = app.selected_row() else {
        return;
    };
    let rect = details_rect(area);
    Clear.render(rect, buf);
    let block = framed(
        " Operation ",
        &super::overlays::border_keys(app, crate::app::modes::ModeKind::Details, None),
        theme,
    );
    let inner = block.inner(rect);
    block.render(rect, buf);
    prepare(cache, r, theme, inner.width);
    let slot = cache.prepared.borrow();
    let Some(p) = slot.as_ref() else {
        return;
    };
    let head = head(app, r, theme);
    window(&head, p, scroll, inner, buf);
}

/// How far the details pane scrolls at `area`: its last wrapped line at the bottom.
pub(super) fn scroll_limit(
    app: &App,
    cache: &DetailsCache,
    theme: Theme,
    area: Rect,
) -> Option<u16> {
    let r = app.selected_row()?;
    let inner = ratatui::widgets::Block::bordered().inner(details_rect(area));
    prepare(cache, r, theme, inner.width);
    let slot = cache.prepared.borrow();
    let body_h = slot.as_ref()?.starts.last().copied().unwrap_or(0);
    let head_h = starts_of(&head(app, r, theme), inner.width)
        .last()
        .copied()
        .unwrap_or(0);
    let limit = (head_h + body_h).saturating_sub(inner.height as usize);
    Some(u16::try_from(limit).unwrap_or(u16::MAX))
}

/// Draws the wrapped lines from `scroll` on, scrolled no further than the last line comes to
/// the bottom, wrapping only the lines that show.
fn window(head: &[Line<'static>], body: &Prepared, scroll: u16, inner: Rect, buf: &mut Buffer) {
    let head_starts = starts_of(head, inner.width);
    let head_h = head_starts.last().copied().unwrap_or(0);
    let body_h = body.starts.last().copied().unwrap_or(0);
    let total = head_h + body_h;
    let height = inner.height as usize;
    let top = (scroll as usize).min(total.saturating_sub(height));
    // The logical line holding wrapped line `top`, and how far into it `top` is.
    let (first, skip) = if top < head_h {
        let i = head_starts.partition_point(|s| *s <= top) - 1;
        (i, top - head_starts[i])
    } else {
        let t = top - head_h;
        let i = body.starts.partition_point(|s| *s <= t) - 1;
        (head.len() + i, t - body.starts[i])
    };
    let mut shown: Vec<Line<'static>> = Vec::new();
    let mut rows = 0;
    for (i, l) in head.iter().chain(&body.lines).enumerate().skip(first) {
        if rows >= height + skip {
            break;
        }
        let (starts, j) = if i < head.len() {
            (&head_starts, i)
        } else {
            (&body.starts, i - head.len())
        };
        rows += starts[j + 1] - starts[j];
        shown.push(l.clone());
    }
    Paragraph::new(Text::from(shown))
        .wrap(Wrap { trim: false })
        .scroll((skip as u16, 0))
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::Block;

    fn lines() -> Vec<Line<'static>> {
        (0..40)
            .map(|i| match i % 4 {
                0 => Line::raw(""),
                1 => Line::raw(format!("{i} short")),
                2 => Line::raw(format!("{i} {}", "word ".repeat(i))),
                _ => Line::raw("x".repeat(i * 7)),
            })
            .collect()
    }

    /// The whole text through one wrapped paragraph, as the pane was drawn before, except
    /// that the last line is counted at the width it wraps at: `line_count` does not take a
    /// block's borders off the width, so the pane used to stop short of the end.
    fn reference(all: &[Line<'static>], scroll: u16, rect: Rect) -> Buffer {
        let mut buf = Buffer::empty(rect);
        let inner = Block::bordered().inner(rect);
        let p = Paragraph::new(Text::from(all.to_vec())).wrap(Wrap { trim: false });
        let max = p
            .line_count(inner.width)
            .saturating_sub(inner.height as usize) as u16;
        p.block(Block::bordered())
            .scroll((scroll.min(max), 0))
            .render(rect, &mut buf);
        buf
    }

    #[test]
    fn the_window_draws_what_the_whole_paragraph_would() {
        let all = lines();
        let (head, rest) = all.split_at(7);
        for width in [12u16, 30, 81] {
            let rect = Rect::new(0, 0, width, 15);
            let inner = Block::bordered().inner(rect);
            let body = Prepared {
                op: Operation::default(),
                theme: Theme::Default,
                width: inner.width,
                starts: starts_of(rest, inner.width),
                lines: rest.to_vec(),
            };
            for scroll in [0u16, 1, 3, 7, 20, 57, 200, 9999] {
                let mut buf = Buffer::empty(rect);
                Block::bordered().render(rect, &mut buf);
                window(head, &body, scroll, inner, &mut buf);
                assert_eq!(
                    buf,
                    reference(&all, scroll, rect),
                    "width {width} scroll {scroll}"
                );
            }
        }
    }

    #[test]
    fn long_json_strings_are_cut_keys_too_in_their_order() {
        let v =
            serde_json::json!({"b": ["x".repeat(10)], "k".repeat(9): "é\\\"\n\u{1}zz", "a": "ok"});
        let text = serde_json::to_string(&v).unwrap();
        let cut = cap_json_strings(&text, 4);
        assert_eq!(
            cut,
            r#"{"a":"ok","b":["xxxx…[cut: 10 bytes]"],"kkkk…[cut: 9 bytes]":"é\\\"\n…[cut: 16 bytes]"}"#
        );
        assert_eq!(cap_json_strings(&text, 100), text);
        assert_eq!(
            cap_json_strings(r#"{"ab": "abcdef"#, 2),
            r#"{"ab": "ab…[cut: 6 bytes]"#
        );
    }
}
