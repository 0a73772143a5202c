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

impl NameIndex {
    fn hash(&self, name: &str) -> u64 {
        self.hasher.hash_one(name)
    }

    pub fn get(&self, rows: &[Row], name: &str) -> Option<usize> {
        self.table
            .find(self.hash(name), |&i| {
                rows.get(i as usize).is_some_and(|r| r.op.name == name)
            })
            .map(|&i| i as usize)
    }

    /// Adds `rows[i]`, whose name must not be indexed yet.
    pub fn insert(&mut self, rows: &[Row], i: usize) {
        let Some(r) = rows.get(i) else {
            return;
        };
        // Row positions fit in 32 bits: four billion operations would not fit in memory.
        let Ok(pos) = u32::try_from(i) else {
            return;
        };
        let hasher = &self.hasher;
        let rehash = |&j: &u32| hasher.hash_one(rows[j as usize].op.name.as_str());
        self.table
            .insert_unique(hasher.hash_one(r.op.name.as_str()), pos, rehash);
    }

    /// Makes room for `more` names without rehashing on the way.
    pub fn reserve(&mut self, rows: &[Row], more: usize) {
        let hasher = &self.hasher;
        self.table.reserve(more, |&j: &u32| {
            hasher.hash_one(rows[j as usize].op.name.as_str())
        });
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
