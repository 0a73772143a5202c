//! The rows the dashboard holds, with their name index. The two are one value so that no
//! caller can move a row without the index following: rows are added, removed and looked up
//! here; elsewhere they are read, or changed in place (never renamed).

use super::App;
use super::index::NameIndex;
use super::row::Row;

#[derive(Default)]
pub struct Rows {
    rows: Vec<Row>,
    index: NameIndex,
}

impl std::ops::Deref for Rows {
    type Target = [Row];

    fn deref(&self) -> &[Row] {
        &self.rows
    }
}

impl Rows {
    /// The position of the row named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(&self.rows, name)
    }

    /// A row to change in place. Its name must stay as it is: the index is keyed by it.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Row> {
        self.rows.get_mut(i)
    }

    /// Every row, to change in place (names unchanged, as for `get_mut`).
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Row> {
        self.rows.iter_mut()
    }

    /// Makes room for `more` rows, growing by at least an eighth at a time rather than
    /// doubling: at 100k rows a doubled `Vec` would hold up to 25 MB it does not use.
    pub fn reserve(&mut self, more: usize) {
        if self.rows.capacity() - self.rows.len() < more {
            self.rows
                .reserve_exact(more.max(self.rows.len() / 8).max(64));
        }
        self.index.reserve(&self.rows, more);
    }

    /// Adds a row whose name is new; returns its position.
    pub fn push(&mut self, r: Row) -> usize {
        debug_assert!(self.find(&r.op.name).is_none(), "{} twice", r.op.name);
        self.reserve(1);
        self.rows.push(r);
        let i = self.rows.len() - 1;
        self.index.insert(&self.rows, i);
        i
    }

    /// Keeps the rows `keep` says; returns whether any went (positions then moved).
    pub fn retain(&mut self, keep: impl FnMut(&Row) -> bool) -> bool {
        let before = self.rows.len();
        self.rows.retain(keep);
        let changed = self.rows.len() != before;
        if changed {
            self.index.rebuild(&self.rows);
        }
        changed
    }
}

impl App {
    /// Removes the rows `gone` says, keeping the per-location counts right and the
    /// selection on its operation.
    pub(crate) fn remove_rows(&mut self, gone: impl Fn(&Row) -> bool) {
        if self.pending_selection.is_none() {
            self.pending_selection = self.selected_row().map(|r| r.op.name.clone());
        }
        let targets = &mut self.targets;
        let moved = self.rows.retain(|r| {
            let keep = !gone(r);
            if !keep && let Some(t) = targets.get_mut(r.target) {
                t.held -= 1;
                if r.seen == t.epoch {
                    t.seen_now = t.seen_now.saturating_sub(1);
                }
            }
            keep
        });
        if moved {
            // Positions moved: the view is stale until the next rebuild.
            self.view.clear();
        }
    }

    /// Adds a row (its name must be new).
    pub(crate) fn push_row(&mut self, r: Row) {
        if let Some(t) = self.targets.get_mut(r.target) {
            t.held += 1;
        }
        self.rows.push(r);
    }

    pub(crate) fn row_index(&self, name: &str) -> Option<usize> {
        self.rows.find(name)
    }
}
