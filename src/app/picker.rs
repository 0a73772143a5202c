//! The project picker: which projects match what was typed, best first.

use super::{App, alias_of};

impl App {
    /// The project picker's entries for `query`, best first: `None` is "all projects".
    /// A fuzzy match: the query's letters in order, anywhere in the alias or the id.
    pub fn picker_matches(&self, query: &str) -> Vec<Option<usize>> {
        let q: Vec<char> = query
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut scored: Vec<((usize, usize, usize), Option<usize>)> = Vec::new();
        if let Some(s) = fuzzy_score(&q, "all projects") {
            scored.push(((s.0, s.1, 0), None));
        }
        for (i, p) in self.projects.iter().enumerate() {
            let alias = alias_of(&self.settings.project_flags, p).unwrap_or_default();
            let best = [fuzzy_score(&q, alias), fuzzy_score(&q, p)]
                .into_iter()
                .flatten()
                .min();
            if let Some(s) = best {
                scored.push(((s.0, s.1, i + 1), Some(i)));
            }
        }
        scored.sort_by_key(|(s, _)| *s);
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

/// `(gaps, start)` of the tightest in-order match of `q` in `text`, lower is better; `None`
/// when the letters are not all there in order.
fn fuzzy_score(q: &[char], text: &str) -> Option<(usize, usize)> {
    if q.is_empty() {
        return Some((0, 0));
    }
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let mut best: Option<(usize, usize)> = None;
    for start in 0..t.len() {
        if t[start] != q[0] {
            continue;
        }
        let (mut qi, mut ti) = (1, start + 1);
        while qi < q.len() && ti < t.len() {
            if t[ti] == q[qi] {
                qi += 1;
            }
            ti += 1;
        }
        if qi == q.len() {
            let gaps = ti - start - q.len();
            let s = (gaps, start);
            best = Some(best.map_or(s, |b| b.min(s)));
        }
    }
    best
}
