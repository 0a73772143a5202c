//! Interned strings for the values operations repeat.
//!
//! Every operation of an API carries the same `@type` and `apiVersion`, there are a handful
//! of verbs and status messages, and most operations act on one of a few resources (an index
//! is created, updated, updated again). Holding one copy of each instead of one per operation
//! is a large part of what keeps 100k operations within the memory budget
//! (docs/PERFORMANCE.md, section 4).
//!
//! The pool is bounded: long strings are never pooled, at most [`MAX_POOLED`] are, and
//! strings no operation holds any more are swept out once as many new strings have been
//! made as the pool holds (so a sweep costs O(1) per string, amortised, even when nothing
//! can be swept). When the pool is full of strings still in use, new ones are simply not
//! pooled. A hostile server can cost the bound, never unbounded growth or time.

use hashbrown::HashTable;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;
use std::hash::BuildHasher;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

/// Longer strings are not worth looking up: they are rarely repeated.
pub(crate) const MAX_POOLED_LEN: usize = 256;
/// At most this many distinct values are pooled at once, in each pool.
const MAX_POOLED: usize = 1 << 16;
/// No sweep before this many new strings: a small pool is not worth sweeping often.
const MIN_SWEEP: usize = 4096;

/// A bounded set of shared values, looked up by a key that need not be built as a value
/// first (a `&str`, or several).
pub(crate) struct Pool<T: ?Sized> {
    table: HashTable<Arc<T>>,
    hasher: foldhash::fast::RandomState,
    /// Values made since the last sweep.
    fresh: usize,
    sweeps: usize,
}

impl<T: ?Sized> Pool<T> {
    pub(crate) fn new() -> Pool<T> {
        Pool {
            table: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            fresh: 0,
            sweeps: 0,
        }
    }

    pub(crate) fn hasher(&self) -> &foldhash::fast::RandomState {
        &self.hasher
    }

    /// The pooled value `eq` recognises, or else the one `make` builds (pooled while there
    /// is room). `hash` is the key's hash, and `hash_of` must give a value the same hash
    /// as the key it was made from.
    pub(crate) fn intern(
        &mut self,
        hash: u64,
        eq: impl Fn(&T) -> bool,
        make: impl FnOnce() -> Arc<T>,
        hash_of: impl Fn(&T, &foldhash::fast::RandomState) -> u64,
    ) -> Arc<T> {
        if let Some(a) = self.table.find(hash, |a| eq(a)) {
            return a.clone();
        }
        self.fresh += 1;
        if self.fresh >= self.table.len().max(MIN_SWEEP) {
            self.table.retain(|a| Arc::strong_count(a) > 1);
            self.fresh = 0;
            self.sweeps += 1;
        }
        let a = make();
        if self.table.len() < MAX_POOLED {
            let hasher = &self.hasher;
            self.table
                .insert_unique(hash, a.clone(), |v| hash_of(v, hasher));
        }
        a
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

/// Locks a pool; a poisoned one is still a valid set of values.
pub(crate) fn lock<T: ?Sized>(m: &Mutex<Pool<T>>) -> std::sync::MutexGuard<'_, Pool<T>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn pool() -> &'static Mutex<Pool<str>> {
    static POOL: OnceLock<Mutex<Pool<str>>> = OnceLock::new();
    POOL.get_or_init(|| Mutex::new(Pool::new()))
}

fn empty() -> Arc<str> {
    static EMPTY: OnceLock<Arc<str>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

/// An immutable string shared by every holder of the same text.
#[derive(Clone)]
pub struct Shared(Arc<str>);

impl Shared {
    pub fn new(s: &str) -> Shared {
        if s.is_empty() {
            return Shared(empty());
        }
        if s.len() > MAX_POOLED_LEN {
            return Shared(Arc::from(s));
        }
        let mut p = lock(pool());
        let hash = p.hasher().hash_one(s);
        Shared(p.intern(hash, |a| a == s, || Arc::from(s), |a, h| h.hash_one(a)))
    }

    /// A copy of its own, not looked up in the pool: for makers of many values that are
    /// not kept (the emulator), for whom the lookup would be pure cost.
    pub fn unpooled(s: &str) -> Shared {
        Shared(Arc::from(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Shared {
    fn default() -> Shared {
        Shared(empty())
    }
}

impl Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for Shared {}

impl std::hash::Hash for Shared {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h)
    }
}

impl PartialOrd for Shared {
    fn partial_cmp(&self, other: &Shared) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Shared {
    fn cmp(&self, other: &Shared) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Shared {
        Shared::new(s)
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Shared {
        Shared::new(&s)
    }
}

impl From<&String> for Shared {
    fn from(s: &String) -> Shared {
        Shared::new(s)
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shared, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Shared;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Shared, E> {
                Ok(Shared::new(v))
            }
        }
        // Borrowed from the input where it can be: no String is built just to be pooled.
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_text_is_one_allocation() {
        let a = Shared::new("type.googleapis.com/x.v1.OperationMetadata");
        let b: Shared = serde_json::from_str(r#""type.googleapis.com/x.v1.OperationMetadata""#)
            .expect("a JSON string");
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, "type.googleapis.com/x.v1.OperationMetadata");
        assert_eq!(
            serde_json::to_string(&b).expect("serializes"),
            format!("{:?}", &*a)
        );
        assert!(Shared::default().is_empty());
        assert!(Arc::ptr_eq(&Shared::new("").0, &Shared::default().0));
    }

    fn sweeps() -> usize {
        lock(pool()).sweeps
    }

    #[test]
    fn sweeping_is_amortised_and_the_pool_stays_bounded() {
        // More distinct strings than the pool holds, all still in use: nothing can be
        // swept, and sweeping must not happen for each new string (quadratic time).
        let before = sweeps();
        let held: Vec<Shared> = (0..(MAX_POOLED + 20_000))
            .map(|i| Shared::new(&format!("held-{i}")))
            .collect();
        let made = sweeps() - before;
        // One sweep per pool-size worth of new strings: about log2(85k / 4k) + a few.
        assert!(made <= 12, "{made} sweeps for {} strings", held.len());
        assert_eq!(
            held[MAX_POOLED + 1],
            Shared::new(&format!("held-{}", MAX_POOLED + 1))
        );
        drop(held);
        // (In one test with the above: both count sweeps of the one process-wide pool.)
        long_strings_are_not_pooled_and_the_pool_stays_bounded();
    }

    fn long_strings_are_not_pooled_and_the_pool_stays_bounded() {
        let long = "x".repeat(MAX_POOLED_LEN + 1);
        let (a, b) = (Shared::new(&long), Shared::new(&long));
        assert!(!Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, b);
        // Far more distinct strings than the pool may hold, none kept: the sweep drops them.
        for i in 0..(MAX_POOLED + 10_000) {
            let _ = Shared::new(&format!("bound-test-{i}"));
        }
        let held = lock(pool()).len();
        assert!(held <= MAX_POOLED, "{held} pooled");
        // Still correct afterwards.
        assert_eq!(Shared::new("after"), Shared::new("after"));
    }
}
