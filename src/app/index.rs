//! Operation name → row position, without a second copy of every name.
//!
//! A `HashMap<String, usize>` would clone each name (about 110 bytes, one allocation) next
//! to the row that already holds it. This table stores only the row's position (4 bytes)
//! and compares candidates against the rows' own names.

use super::row::Row;
use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Default)]
pub struct NameIndex {
    table: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

/// The hash of the name at row position `j` (what the table rehashes with as it grows).
fn row_hash<'a>(
    hasher: &'a foldhash::fast::RandomState,
    rows: &'a [Row],
) -> impl Fn(&u32) -> u64 + 'a {
    move |&j| hasher.hash_one(rows[j as usize].op.name.as_str())
}

impl NameIndex {
    pub fn get(&self, rows: &[Row], name: &str) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(name), |&i| {
                rows.get(i as usize).is_some_and(|r| r.op.name == name)
            })
            .map(|&i| i as usize)
    }

    /// Adds `rows[i]`, whose name must not be indexed yet.
    pub fn insert(&mut self, rows: &[Row], i: usize) {
        // Row positions fit in 32 bits: four billion operations would not fit in memory.
        let Ok(pos) = u32::try_from(i) else {
            return;
        };
        if pos as usize >= rows.len() {
            return;
        }
        let hash = row_hash(&self.hasher, rows);
        self.table.insert_unique(hash(&pos), pos, hash);
    }

    /// Makes room for `more` names without rehashing on the way.
    pub fn reserve(&mut self, rows: &[Row], more: usize) {
        self.table.reserve(more, row_hash(&self.hasher, rows));
    }

    /// Indexes every row again (after rows were removed and positions moved).
    pub fn rebuild(&mut self, rows: &[Row]) {
        self.table.clear();
        self.reserve(rows, rows.len());
        for i in 0..rows.len() {
            self.insert(rows, i);
        }
    }
}
