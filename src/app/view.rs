//! The view: which rows the table shows (scope, filter, active only) and in what order.

use super::columns::{Column, Item, Reading, Sort};
use super::row::Row;
use super::{App, filter};
use crate::api::time::Stamp;
use std::borrow::Cow;
use std::collections::HashMap;

impl App {
    /// Recomputes counts, the visible rows and their order, keeping the selection on the
    /// same operation where it is still shown.
    ///
    /// Within a batch of actions the view is rebuilt once, at the end (or before a key,
    /// which needs it). The index is kept right throughout.
    pub(crate) fn rebuild(&mut self) {
        if self.batching {
            if self.pending_selection.is_none() && !self.view_stale {
                self.pending_selection = self.selected_row().map(|r| r.op.name.clone());
            }
            self.view_stale = true;
            return;
        }
        self.view_stale = false;
        super::watch::check(self);
        let selected_name = self
            .pending_selection
            .take()
            .or_else(|| self.selected_row().map(|r| r.op.name.clone()));
        for t in &mut self.targets {
            t.total = 0;
            t.active = 0;
        }
        for r in self.rows.iter() {
            if let Some(t) = self.targets.get_mut(r.target) {
                t.total += 1;
                t.active += usize::from(r.state.is_active());
            }
        }
        // Marks live as long as their operations: a finished one stays marked for `D`
        // (`C` skips it and counts it).
        let rows = &self.rows;
        self.marks.retain(|n| rows.find(n).is_some());
        let only = self.location_sel.checked_sub(1);
        let scope = self.scope_project().map(str::to_string);
        // By the project that listed a row, not the one its name claims: a foreign name
        // shows where it was found.
        let targets = &self.targets;
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|i| {
                let r = &self.rows[*i];
                only.is_none_or(|t| r.target == t)
                    && scope.as_deref().is_none_or(|p| {
                        targets.get(r.target).is_some_and(|t| t.name.project() == p)
                    })
                    && (!self.active_only || r.state.is_active())
                    && (self.filter.is_empty() || {
                        let mut s = subject(r, self.now, &self.settings.project_flags);
                        s.service = service_of(targets, r);
                        self.filter.matches(&s)
                    })
            })
            .collect();
        sort_view(&mut view, &self.rows, targets, self.sort, &self.reading());
        if self.reverse {
            view.reverse();
        }
        self.view = view;
        self.selected = match selected_name
            .and_then(|n| self.view.iter().position(|i| self.rows[*i].op.name == n))
        {
            Some(p) => p,
            None => self.selected.min(self.view.len().saturating_sub(1)),
        };
        self.keep_selection_visible();
    }

    pub(crate) fn keep_selection_visible(&mut self) {
        let page = self.table_rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        let max_offset = self.view.len().saturating_sub(page);
        self.offset = self.offset.min(max_offset);
    }
}

/// What the filter sees of a row; `projects` gives the alias the PROJECT column shows.
pub fn subject<'a>(
    r: &'a Row,
    now: jiff::Timestamp,
    projects: &'a HashMap<String, super::ProjectFlags>,
) -> filter::Subject<'a> {
    filter::Subject::of(&r.op, r.state.word(), now, projects)
}

/// The short name of the API whose target listed `r` (empty in the old setup).
pub(crate) fn service_of<'a>(targets: &'a [super::Target], r: &Row) -> &'a str {
    targets
        .get(r.target)
        .and_then(|t| t.service_name())
        .unwrap_or("")
}

/// Sorts row indices for the table by the column's declared order. Keys are computed once
/// per row and compared in place: at 100k rows that is several times faster than comparing
/// rows, whose fields sit behind pointers.
fn sort_view(
    view: &mut [usize],
    rows: &[Row],
    targets: &[super::Target],
    sort: Column,
    reading: &Reading<'_>,
) {
    use std::cmp::Reverse;
    let decl = sort.decl();
    let item = |i: usize| Item {
        op: &rows[i].op,
        state: rows[i].state,
        service: service_of(targets, &rows[i]),
    };
    let newest = |i: usize| Reverse(rows[i].op.create_stamp());
    // Newest first breaks ties in every order, then the name, so the order is total.
    let by_name = |a: usize, b: usize| rows[a].op.name.cmp(&rows[b].op.name);
    let order: Vec<usize> = match decl.sort {
        Sort::Rank(rank) => {
            let mut keyed: Vec<(u8, Reverse<Stamp>, usize)> = view
                .iter()
                .map(|&i| (rank(rows[i].state), newest(i), i))
                .collect();
            keyed.sort_unstable_by(|a, b| {
                (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| by_name(a.2, b.2))
            });
            keyed.into_iter().map(|k| k.2).collect()
        }
        Sort::Text | Sort::ShownTail => {
            let mut keyed: Vec<(Cow<'_, str>, Reverse<Stamp>, usize)> = view
                .iter()
                .map(|&i| (decl.sort_text(reading, item(i)), newest(i), i))
                .collect();
            keyed.sort_unstable_by(|a, b| {
                (&a.0, a.1)
                    .cmp(&(&b.0, b.1))
                    .then_with(|| by_name(a.2, b.2))
            });
            keyed.into_iter().map(|k| k.2).collect()
        }
    };
    view.copy_from_slice(&order);
}
