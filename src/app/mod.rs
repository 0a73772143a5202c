//! Pure state and logic: every key press and every API answer is an [`Action`];
//! [`update`] changes the [`App`] and returns the [`Effect`]s to run. No HTTP, no terminal.

pub mod filter;
pub mod keys;
pub mod row;
mod update;

pub use update::update;

use crate::api::{ApiError, LocationName, Operation, OperationName};
use filter::Filter;
use jiff::Timestamp;
use keys::Key;
use row::Row;
use std::collections::{HashMap, VecDeque};
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
    Loaded {
        location: LocationName,
        result: Result<Vec<Operation>, ApiError>,
    },
    Got {
        name: String,
        result: Result<Operation, ApiError>,
    },
    CancelSent {
        name: String,
        result: Result<(), ApiError>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Discover { project: String },
    Refresh { location: LocationName },
    Get { name: OperationName },
    Cancel { name: OperationName },
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
    pub total: usize,
    pub active: usize,
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
}

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub yes_label: String,
    pub on_yes: Confirmed,
    /// The button with focus; No by default.
    pub yes_focused: bool,
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
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub scope: String,
    pub interval: Duration,
    pub read_only: bool,
}

pub struct App {
    pub settings: Settings,
    pub now: Timestamp,
    pub projects: Vec<String>,
    /// Projects whose locations are to be discovered, and whether the request went out.
    pub discovering: Vec<(String, bool)>,
    pub targets: Vec<Target>,
    pub rows: Vec<Row>,
    index: HashMap<String, usize>,
    /// Indices into `rows` of what the table shows, in order.
    pub view: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub table_rows: usize,
    pub focus: Pane,
    /// 0 is "all", `i` is `targets[i - 1]`.
    pub location_sel: usize,
    pub filter: Filter,
    pub sort: Column,
    pub reverse: bool,
    pub active_only: bool,
    pub paused: bool,
    pub mode: Mode,
    pub status: Option<StatusLine>,
    pub log: VecDeque<LogEntry>,
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
        let mut app = App {
            settings,
            now,
            projects: projects.clone(),
            discovering: Vec::new(),
            targets: Vec::new(),
            rows: Vec::new(),
            index: HashMap::new(),
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
            quit: false,
        };
        match locations {
            Some(locs) => {
                for p in &projects {
                    app.add_targets(p, &locs);
                }
            }
            None => app.discovering = projects.into_iter().map(|p| (p, false)).collect(),
        }
        app
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
                total: 0,
                active: 0,
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
        self.index.get(name).map(|i| &self.rows[*i])
    }

    pub(crate) fn row_mut(&mut self, name: &str) -> Option<&mut Row> {
        self.index
            .get(name)
            .copied()
            .map(move |i| &mut self.rows[i])
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.view.get(self.selected).map(|i| &self.rows[*i])
    }

    /// The location the table is narrowed to, if any.
    pub fn location_scope(&self) -> Option<&Target> {
        self.location_sel
            .checked_sub(1)
            .and_then(|i| self.targets.get(i))
    }

    pub fn running_total(&self) -> usize {
        self.targets.iter().map(|t| t.active).sum()
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = crate::sanitize::one_line(&text.into()).into_owned();
        if matches!(level, Level::Error | Level::Warn) {
            self.log.push_back(LogEntry {
                at: self.now,
                text: text.clone(),
            });
            while self.log.len() > ERROR_LOG_LEN {
                self.log.pop_front();
            }
        }
        self.status = Some(StatusLine {
            text,
            level,
            until: self.now + STATUS_TTL,
        });
    }

    /// Recomputes counts, the visible rows and their order, keeping the selection on the
    /// same operation where it is still shown.
    pub(crate) fn rebuild(&mut self) {
        let selected_name = self.selected_row().map(|r| r.op.name.clone());
        self.index.clear();
        for (i, r) in self.rows.iter().enumerate() {
            self.index.insert(r.op.name.clone(), i);
        }
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
        let only = self.location_sel.checked_sub(1);
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|i| {
                let r = &self.rows[*i];
                only.is_none_or(|t| r.target == t)
                    && (!self.active_only || r.state.is_active())
                    && (self.filter.is_empty() || self.filter.matches(&subject(r)))
            })
            .collect();
        let rows = &self.rows;
        let sort = self.sort;
        view.sort_by(|a, b| compare(&rows[*a], &rows[*b], sort));
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

pub fn subject(r: &Row) -> filter::Subject<'_> {
    filter::Subject {
        state: r.state.word(),
        verb: r.op.verb(),
        location: r.op.location(),
        project: r.op.project(),
        text: [
            &r.op.name,
            r.op.target(),
            r.op.meta().map(|m| m.status_message.as_str()).unwrap_or(""),
        ],
    }
}

fn compare(a: &Row, b: &Row, sort: Column) -> std::cmp::Ordering {
    use std::cmp::Reverse;
    // Newest first breaks ties in every order, then the name, so the order is total.
    let tie = || {
        (Reverse(a.op.create_time()), &a.op.name).cmp(&(Reverse(b.op.create_time()), &b.op.name))
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
