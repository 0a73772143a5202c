//! Pure state and logic: every key press and every API answer is an [`Action`];
//! [`update`] changes the [`App`] and returns the [`Effect`]s to run. No HTTP, no terminal.

mod bulk;
pub mod filter;
mod index;
pub mod keys;
pub mod row;
mod schedule;
mod update;

pub use bulk::{Bulk, MutationKind};

pub use update::{update, update_batch};

use crate::api::time::Stamp;
use crate::api::{ApiError, LocationName, Operation, OperationName};
use filter::Filter;
use jiff::Timestamp;
use keys::Key;
use row::Row;
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// How often a pending cancel is checked with `get`.
pub const CANCEL_POLL: Duration = Duration::from_secs(1);
/// After this long a cancel that has not taken effect is followed by the normal refresh only.
pub const CANCEL_HURRY: Duration = Duration::from_secs(120);
/// How long a changed row stays emphasised, and a new row marked.
pub const FLASH: Duration = Duration::from_secs(4);
pub const NEW_MARK: Duration = Duration::from_secs(30);
pub const STATUS_TTL: Duration = Duration::from_secs(6);
pub const ERROR_LOG_LEN: usize = 100;
/// The longest a failing location waits between tries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Background refresh requests a second per endpoint: the Gemini API's per-user quota is
/// of this order.
pub const DEFAULT_REQUEST_BUDGET: f64 = 2.0;

#[derive(Debug)]
pub enum Action {
    Key(Key),
    /// The clock, once a second from the runtime.
    Tick(Timestamp),
    /// Rows the operations table can show (from the layout).
    Resize {
        table_rows: usize,
    },
    Discovered {
        project: String,
        result: Result<Vec<String>, ApiError>,
    },
    /// A location's whole answer, or the error that ended its refresh.
    Loaded {
        location: LocationName,
        result: Result<Vec<Operation>, ApiError>,
    },
    /// One page of a location's answer, applied as it arrives so that only a page at a
    /// time is held twice. `first` starts a refresh; `last` ends it (what the refresh did
    /// not see is then gone). An error after some pages comes as `Loaded` with `Err`.
    Page {
        location: LocationName,
        ops: Vec<Operation>,
        first: bool,
        last: bool,
    },
    Got {
        name: String,
        result: Result<Operation, ApiError>,
    },
    CancelSent {
        name: String,
        result: Result<(), ApiError>,
    },
    DeleteSent {
        name: String,
        result: Result<(), ApiError>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Discover {
        project: String,
    },
    Refresh {
        location: LocationName,
    },
    Get {
        name: OperationName,
    },
    Cancel {
        name: OperationName,
    },
    /// Confirmed bulk cancels: each is sent once, at the bulk concurrency and rate caps.
    CancelMany {
        names: Vec<OperationName>,
    },
    Delete {
        names: Vec<OperationName>,
    },
    /// To the terminal's clipboard (OSC 52). Only a name that parsed: whatever is copied
    /// is pasted into shells, and a server's name could carry escapes or control bytes.
    Copy {
        name: OperationName,
    },
    Quit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Locations,
    Operations,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    State,
    Location,
    Verb,
    Target,
    Age,
    Id,
}

impl Column {
    pub const ALL: [Column; 6] = [
        Column::State,
        Column::Location,
        Column::Verb,
        Column::Target,
        Column::Age,
        Column::Id,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::State => "STATE",
            Column::Location => "LOCATION",
            Column::Verb => "VERB",
            Column::Target => "TARGET",
            Column::Age => "AGE",
            Column::Id => "ID",
        }
    }

    pub(crate) fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetError {
    /// Short, for the badge: `403`, `503`, `timeout`.
    pub badge: String,
    pub message: String,
}

/// One (project, location) the dashboard refreshes.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: LocationName,
    /// Position in its project's location list (`locations.list` order or the flags').
    pub order: usize,
    pub label: String,
    pub loaded: bool,
    pub error: Option<TargetError>,
    pub in_flight: bool,
    pub failures: u32,
    pub next_due: Option<Timestamp>,
    /// When it last loaded: background refreshes go stalest first.
    pub last_ok: Option<Timestamp>,
    pub total: usize,
    pub active: usize,
    /// Counts this location's refreshes; a row seen by the current one carries its number.
    pub epoch: u32,
    /// Rows the current refresh has seen so far.
    pub seen_now: usize,
    /// Rows of this location held now (exact at every moment; `total` is as of the last
    /// view rebuild).
    pub held: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warn,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatusLine {
    pub text: String,
    pub level: Level,
    pub until: Timestamp,
    /// A summary that routine news does not push off the line before it expires.
    pub sticky: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub at: Timestamp,
    pub text: String,
}

/// What a confirmation will do when answered yes.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirmed {
    CancelOne(OperationName),
    CancelMany(Vec<OperationName>),
    Delete(Vec<OperationName>),
}

/// A confirmation that needs something typed (the count, or a protected project's alias).
#[derive(Clone, Debug, PartialEq)]
pub struct Typed {
    pub expected: String,
    pub input: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub yes_label: String,
    pub on_yes: Confirmed,
    /// The button with focus; No by default.
    pub yes_focused: bool,
    pub typed: Option<Typed>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Normal,
    Details {
        scroll: u16,
    },
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    /// Typing a filter; `previous` comes back on Esc.
    FilterInput {
        text: String,
        previous: String,
    },
    ErrorLog {
        scroll: u16,
    },
    /// Choosing the project in view: `query` narrows, `selected` indexes the matches.
    ProjectPicker {
        query: String,
        selected: usize,
    },
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub scope: String,
    pub interval: Duration,
    pub read_only: bool,
    /// Bulk actions on more than this many operations need the count typed.
    pub bulk_confirm_threshold: usize,
    /// Per-project flags from the config: alias, read-only, protected.
    pub project_flags: HashMap<String, ProjectFlags>,
    /// Where discovery falls back when `locations.list` is unavailable (`[defaults]`).
    pub fallback_locations: Vec<String>,
    /// Background refresh requests a second per endpoint; `None` for no limit.
    pub request_budget: Option<f64>,
    /// Each project's endpoint, so projects on one endpoint share its budget.
    pub project_endpoints: HashMap<String, String>,
}

impl Settings {
    pub fn new(scope: impl Into<String>, interval: Duration, read_only: bool) -> Settings {
        Settings {
            scope: scope.into(),
            interval,
            read_only,
            bulk_confirm_threshold: 20,
            project_flags: HashMap::new(),
            fallback_locations: Vec::new(),
            request_budget: Some(DEFAULT_REQUEST_BUDGET),
            project_endpoints: HashMap::new(),
        }
    }

    /// `prod (my-prod-project)` when the project has an alias, else its id.
    pub fn project_label(&self, project: &str) -> String {
        match self
            .project_flags
            .get(project)
            .and_then(|f| f.alias.as_deref())
        {
            Some(a) => format!("{a} ({project})"),
            None => project.to_string(),
        }
    }

    pub fn project_read_only(&self, project: &str) -> bool {
        self.read_only || self.project_flags.get(project).is_some_and(|f| f.read_only)
    }

    pub fn protected(&self, project: &str) -> bool {
        self.project_flags.get(project).is_some_and(|f| f.protected)
    }

    /// What to type to confirm a bulk action in a protected project: its alias, else its id.
    pub fn protect_word(&self, project: &str) -> String {
        self.project_flags
            .get(project)
            .and_then(|f| f.alias.clone())
            .unwrap_or_else(|| project.to_string())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectFlags {
    pub alias: Option<String>,
    pub read_only: bool,
    pub protected: bool,
}

pub struct App {
    pub settings: Settings,
    pub now: Timestamp,
    pub projects: Vec<String>,
    /// Projects whose locations are to be discovered, and whether the request went out.
    pub discovering: Vec<(String, bool)>,
    pub targets: Vec<Target>,
    pub rows: Vec<Row>,
    index: index::NameIndex,
    /// Indices into `rows` of what the table shows, in order.
    pub view: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub table_rows: usize,
    pub focus: Pane,
    /// 0 is "all", `i` is `targets[i - 1]`.
    pub location_sel: usize,
    /// The project shown, by index into `projects`; `None` shows them all.
    pub project_scope: Option<usize>,
    pub filter: Filter,
    pub sort: Column,
    pub reverse: bool,
    pub active_only: bool,
    pub paused: bool,
    pub mode: Mode,
    pub status: Option<StatusLine>,
    pub log: VecDeque<LogEntry>,
    /// Marked operations, by name (never by row position).
    pub marks: HashSet<String>,
    /// Where `V` marks a range from.
    pub mark_anchor: Option<String>,
    pub bulk: Option<Bulk>,
    /// Set by `update_batch`: view rebuilds wait for the end of the batch.
    pub(crate) batching: bool,
    pub(crate) view_stale: bool,
    /// The operation to keep selected across the next rebuild.
    pub(crate) pending_selection: Option<String>,
    /// Background refresh tokens per endpoint, and when they were last topped up.
    pub(crate) budget: HashMap<String, f64>,
    pub(crate) budget_at: Option<Timestamp>,
    pub quit: bool,
}

impl App {
    /// `locations`: fixed locations for every project, or `None` to discover them.
    pub fn new(
        settings: Settings,
        projects: Vec<String>,
        locations: Option<Vec<String>>,
        now: Timestamp,
    ) -> App {
        let per_project = projects
            .iter()
            .map(|p| (p.clone(), locations.clone()))
            .collect();
        App::with_projects(settings, per_project, now)
    }

    /// Each project with its own locations (`None`: discover them with `locations.list`).
    pub fn with_projects(
        settings: Settings,
        projects: Vec<(String, Option<Vec<String>>)>,
        now: Timestamp,
    ) -> App {
        let ids: Vec<String> = projects.iter().map(|(p, _)| p.clone()).collect();
        let mut app = App {
            settings,
            now,
            project_scope: (ids.len() == 1).then_some(0),
            projects: ids,
            discovering: Vec::new(),
            targets: Vec::new(),
            rows: Vec::new(),
            index: index::NameIndex::default(),
            view: Vec::new(),
            selected: 0,
            offset: 0,
            table_rows: 20,
            focus: Pane::Operations,
            location_sel: 0,
            filter: Filter::default(),
            sort: Column::State,
            reverse: false,
            active_only: false,
            paused: false,
            mode: Mode::Normal,
            status: None,
            log: VecDeque::new(),
            marks: HashSet::new(),
            mark_anchor: None,
            bulk: None,
            batching: false,
            view_stale: false,
            pending_selection: None,
            budget: HashMap::new(),
            budget_at: None,
            quit: false,
        };
        for (p, locations) in projects {
            match locations {
                Some(locs) => app.add_targets(&p, &locs),
                None => app.discovering.push((p, false)),
            }
        }
        app
    }

    /// The project in view, if one is.
    pub fn scope_project(&self) -> Option<&str> {
        self.project_scope
            .and_then(|i| self.projects.get(i))
            .map(String::as_str)
    }

    /// Whether target `i` belongs to the project in view.
    pub fn in_scope(&self, target: usize) -> bool {
        match self.scope_project() {
            None => true,
            Some(p) => self
                .targets
                .get(target)
                .is_some_and(|t| t.name.project() == p),
        }
    }

    /// The location pane's entries: 0 ("all"), then `i + 1` for each target in scope.
    pub fn location_entries(&self) -> Vec<usize> {
        std::iter::once(0)
            .chain(
                (0..self.targets.len())
                    .filter(|i| self.in_scope(*i))
                    .map(|i| i + 1),
            )
            .collect()
    }

    pub(crate) fn add_targets(&mut self, project: &str, locations: &[String]) {
        let many = self.projects.len() > 1;
        for (order, l) in locations.iter().enumerate() {
            let Ok(name) = LocationName::new(project, l) else {
                continue;
            };
            if self.targets.iter().any(|t| t.name == name) {
                continue;
            }
            self.targets.push(Target {
                label: if many {
                    format!("{project}/{l}")
                } else {
                    l.clone()
                },
                name,
                order,
                loaded: false,
                error: None,
                in_flight: false,
                failures: 0,
                next_due: None,
                last_ok: None,
                total: 0,
                active: 0,
                epoch: 0,
                seen_now: 0,
                held: 0,
            });
        }
        self.order_targets();
    }

    /// Projects in the order given, each project's locations in their own order, whatever
    /// order discovery answered in. Rows and the location selection follow their target.
    fn order_targets(&mut self) {
        let project_pos = |t: &Target| {
            self.projects
                .iter()
                .position(|p| p == t.name.project())
                .unwrap_or(usize::MAX)
        };
        let mut order: Vec<usize> = (0..self.targets.len()).collect();
        order.sort_by_key(|i| (project_pos(&self.targets[*i]), self.targets[*i].order));
        if order.iter().enumerate().all(|(new, old)| new == *old) {
            return;
        }
        let mut old_to_new = vec![0; order.len()];
        for (new, old) in order.iter().enumerate() {
            old_to_new[*old] = new;
        }
        let mut slots: Vec<Option<Target>> = std::mem::take(&mut self.targets)
            .into_iter()
            .map(Some)
            .collect();
        self.targets = order.iter().filter_map(|old| slots[*old].take()).collect();
        for r in &mut self.rows {
            r.target = old_to_new[r.target];
        }
        if let Some(sel) = self.location_sel.checked_sub(1) {
            self.location_sel = old_to_new[sel] + 1;
        }
    }

    pub fn target_index(&self, name: &LocationName) -> Option<usize> {
        self.targets.iter().position(|t| t.name == *name)
    }

    pub fn row(&self, name: &str) -> Option<&Row> {
        self.row_index(name).map(|i| &self.rows[i])
    }

    pub(crate) fn row_mut(&mut self, name: &str) -> Option<&mut Row> {
        self.row_index(name).map(move |i| &mut self.rows[i])
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.view.get(self.selected).and_then(|i| self.rows.get(*i))
    }

    /// The location the table is narrowed to, if any.
    pub fn location_scope(&self) -> Option<&Target> {
        self.location_sel
            .checked_sub(1)
            .and_then(|i| self.targets.get(i))
    }

    /// Active operations in the projects in view.
    pub fn running_total(&self) -> usize {
        (0..self.targets.len())
            .filter(|i| self.in_scope(*i))
            .map(|i| self.targets[i].active)
            .sum()
    }

    /// Operations in the projects in view.
    pub fn total(&self) -> usize {
        (0..self.targets.len())
            .filter(|i| self.in_scope(*i))
            .map(|i| self.targets[i].total)
            .sum()
    }

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
            let alias = self
                .settings
                .project_flags
                .get(p)
                .and_then(|f| f.alias.clone())
                .unwrap_or_default();
            let best = [fuzzy_score(&q, &alias), fuzzy_score(&q, p)]
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

    /// Into the error log (`e`) without touching the status line.
    pub(crate) fn log_line(&mut self, text: impl Into<String>) {
        let text = crate::sanitize::one_line(&text.into()).into_owned();
        self.log.push_back(LogEntry { at: self.now, text });
        while self.log.len() > ERROR_LOG_LEN {
            self.log.pop_front();
        }
    }

    pub(crate) fn say(&mut self, level: Level, text: impl Into<String>) {
        self.put_status(level, text.into(), false);
    }

    /// A summary (of a bulk action) that stays up for twice as long and is not replaced by
    /// routine news; errors still get through.
    pub(crate) fn say_sticky(&mut self, level: Level, text: impl Into<String>) {
        self.put_status(level, text.into(), true);
    }

    fn put_status(&mut self, level: Level, text: String, sticky: bool) {
        let text = crate::sanitize::one_line(&text).into_owned();
        if matches!(level, Level::Error | Level::Warn) {
            self.log_line(text.clone());
        }
        let routine = matches!(level, Level::Info | Level::Success);
        if routine
            && !sticky
            && self
                .status
                .as_ref()
                .is_some_and(|s| s.sticky && s.until > self.now)
        {
            return;
        }
        let ttl = if sticky { STATUS_TTL * 2 } else { STATUS_TTL };
        self.status = Some(StatusLine {
            text,
            level,
            until: self.now + ttl,
            sticky,
        });
    }

    /// Recomputes counts, the visible rows and their order, keeping the selection on the
    /// same operation where it is still shown.
    /// Removes the rows `gone` says, keeping the index right and the selection on its
    /// operation.
    pub(crate) fn remove_rows(&mut self, gone: impl Fn(&Row) -> bool) {
        if self.pending_selection.is_none() {
            self.pending_selection = self.selected_row().map(|r| r.op.name.clone());
        }
        let before = self.rows.len();
        let targets = &mut self.targets;
        self.rows.retain(|r| {
            let keep = !gone(r);
            if !keep && let Some(t) = targets.get_mut(r.target) {
                t.held -= 1;
                if r.seen == t.epoch {
                    t.seen_now = t.seen_now.saturating_sub(1);
                }
            }
            keep
        });
        if self.rows.len() != before {
            // Positions moved: the view is stale until the next rebuild.
            self.view.clear();
            self.reindex();
        }
    }

    /// Adds a row (its name must be new).
    pub(crate) fn push_row(&mut self, r: Row) {
        if let Some(t) = self.targets.get_mut(r.target) {
            t.held += 1;
        }
        self.rows.push(r);
        self.index.insert(&self.rows, self.rows.len() - 1);
    }

    pub(crate) fn row_index(&self, name: &str) -> Option<usize> {
        self.index.get(&self.rows, name)
    }

    fn reindex(&mut self) {
        self.index.rebuild(&self.rows);
    }

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
        let selected_name = self
            .pending_selection
            .take()
            .or_else(|| self.selected_row().map(|r| r.op.name.clone()));
        for t in &mut self.targets {
            t.total = 0;
            t.active = 0;
        }
        for r in &self.rows {
            if let Some(t) = self.targets.get_mut(r.target) {
                t.total += 1;
                t.active += usize::from(r.state.is_active());
            }
        }
        // Marks live only on operations that still exist and are still running.
        let rows = &self.rows;
        let index = &self.index;
        self.marks.retain(|n| {
            index
                .get(rows, n)
                .is_some_and(|i| rows[i].state.is_active())
        });
        let only = self.location_sel.checked_sub(1);
        let scope = self.scope_project().map(str::to_string);
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|i| {
                let r = &self.rows[*i];
                only.is_none_or(|t| r.target == t)
                    && scope.as_deref().is_none_or(|p| r.op.project() == p)
                    && (!self.active_only || r.state.is_active())
                    && (self.filter.is_empty() || self.filter.matches(&subject(r)))
            })
            .collect();
        sort_view(&mut view, &self.rows, self.sort);
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

pub fn subject(r: &Row) -> filter::Subject<'_> {
    filter::Subject {
        state: r.state.word(),
        verb: r.op.verb(),
        location: r.op.location(),
        project: r.op.project(),
        text: [&r.op.name, r.op.target(), r.op.status_message()],
    }
}

/// Sorts row indices for the table. The common orders (state, age) compare precomputed
/// keys, which at 100k rows is several times faster than comparing rows.
fn sort_view(view: &mut [usize], rows: &[Row], sort: Column) {
    use std::cmp::Reverse;
    match sort {
        Column::State | Column::Age => {
            let key = |i: usize| {
                let r = &rows[i];
                let state = if sort == Column::State {
                    r.state as u8
                } else {
                    0
                };
                (state, Reverse(r.op.create_stamp()))
            };
            let mut keyed: Vec<(u8, Reverse<Stamp>, usize)> = view
                .iter()
                .map(|i| {
                    let (s, t) = key(*i);
                    (s, t, *i)
                })
                .collect();
            keyed.sort_unstable_by(|a, b| {
                (a.0, a.1)
                    .cmp(&(b.0, b.1))
                    .then_with(|| rows[a.2].op.name.cmp(&rows[b.2].op.name))
            });
            for (slot, k) in view.iter_mut().zip(keyed) {
                *slot = k.2;
            }
        }
        _ => view.sort_by(|a, b| compare(&rows[*a], &rows[*b], sort)),
    }
}

fn compare(a: &Row, b: &Row, sort: Column) -> std::cmp::Ordering {
    use std::cmp::Reverse;
    // Newest first breaks ties in every order, then the name, so the order is total.
    let tie = || {
        (Reverse(a.op.create_stamp()), &a.op.name).cmp(&(Reverse(b.op.create_stamp()), &b.op.name))
    };
    let primary = match sort {
        Column::State => a.state.cmp(&b.state),
        Column::Location => a.op.location().cmp(b.op.location()),
        Column::Verb => a.op.verb().cmp(b.op.verb()),
        Column::Target => a.op.target().cmp(b.op.target()),
        Column::Age => std::cmp::Ordering::Equal,
        Column::Id => a.op.id().cmp(b.op.id()),
    };
    primary.then_with(tie)
}
