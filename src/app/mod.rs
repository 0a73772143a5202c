//! Pure state and logic: every key press and every API answer is an [`Action`];
//! [`update`] changes the [`App`] and returns the [`Effect`]s to run. No HTTP, no terminal.

mod bulk;
pub mod columns;
pub mod filter;
mod index;
pub mod keys;
pub mod link;
pub mod modes;
mod picker;
pub mod policy;
mod quit;
pub mod row;
mod saved;
mod schedule;
mod status;
mod store;
mod targets;
mod update;
mod view;
mod watch;

pub use bulk::{Bulk, MutationKind};
pub use columns::Column;
pub use status::{Level, LogEntry, StatusLine};
pub use store::Rows;
pub use targets::{Target, TargetError};
pub use view::subject;

pub use update::{update, update_batch};

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
/// The longest a location that has loaded before waits: it was reachable, so an outage is
/// likely short, and its rows on screen are stale meanwhile (recovery once took ~42 s).
pub const STALE_BACKOFF: Duration = Duration::from_secs(30);
/// Background refresh requests a second per endpoint: the Gemini API's per-user quota is
/// of this order.
pub const DEFAULT_REQUEST_BUDGET: f64 = 2.0;

#[derive(Debug)]
pub enum Action {
    Key(Key),
    /// The clock, once a second from the runtime.
    Tick(Timestamp),
    /// Rows the operations table can show, and whether the locations pane fits beside it
    /// (from the layout).
    Resize {
        table_rows: usize,
        locations_fit: bool,
    },
    /// A click on the operations table's `row`-th line (0 = the first one shown).
    Click {
        row: usize,
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
        /// Entries of the page that were not readable as operations (left out).
        skipped: usize,
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
    /// How far the open pager scrolls at the terminal's size (from the layout): its
    /// scroll is kept within it.
    ScrollLimit(u16),
    /// The process was told to stop; there is no asking, only leaving a record.
    Signal(Signal),
    /// One page of a project's `locations/-` listing (an API whose profile has
    /// `cross_location`), for every target of the API in the project at once. Comes inside
    /// `FromService`. `unreachable`: the locations the server said it could not reach, so
    /// far; they are those targets' errors when the last page comes.
    CrossPage {
        location: LocationName,
        ops: Vec<Operation>,
        skipped: usize,
        unreachable: Vec<String>,
        first: bool,
        last: bool,
    },
    /// A `Page` or `Loaded` answering an [`Effect::ForService`] refresh: the location's
    /// name alone cannot say which API's target it is for.
    FromService {
        service: String,
        action: Box<Action>,
    },
}

/// The signals that end the dashboard. The runtime hears them; the app only needs to know
/// which one, to say so in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Term,
    Hup,
    Int,
    Quit,
}

impl Signal {
    pub const ALL: [Signal; 4] = [Signal::Term, Signal::Hup, Signal::Int, Signal::Quit];

    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Hup => "SIGHUP",
            Signal::Int => "SIGINT",
            Signal::Quit => "SIGQUIT",
        }
    }

    /// The POSIX numbers, the same on every Unix.
    pub fn number(self) -> u8 {
        match self {
            Signal::Hup => 1,
            Signal::Int => 2,
            Signal::Quit => 3,
            Signal::Term => 15,
        }
    }

    /// What a shell reports for a process ended by this signal.
    pub fn exit_status(self) -> u8 {
        128 + self.number()
    }
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
    /// An operation's console address to the clipboard (OSC 52); it is printable ASCII by
    /// construction (`api::console`).
    CopyLink {
        url: crate::api::console::ConsoleUrl,
    },
    /// A watched operation finished: the bell, and a desktop notification where the
    /// terminal takes one (OSC 9 / OSC 777). Plain text: the runtime sanitizes it again.
    Notify {
        title: String,
        body: String,
    },
    /// `effect` (a refresh, a poll, a cancel or a delete) for one API's operations, sent by
    /// that API's client for the project. The old single-endpoint setup never has one.
    ForService {
        service: String,
        effect: Box<Effect>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Locations,
    Operations,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Confirmed {
    CancelOne(OperationName),
    CancelMany(Vec<OperationName>),
    Delete(Vec<OperationName>),
    /// Quit although a bulk action is still waiting for answers; the dialog's words come
    /// from the live `App::bulk`, so the count stays true while it is open.
    Quit,
}

/// A confirmation that needs something typed (the count, or a protected project's alias).
#[derive(Clone, Debug, PartialEq)]
pub struct Typed {
    pub expected: String,
    /// Also accepted: a protected project's id, beside the alias `expected` shows.
    pub also: Option<String>,
    pub input: String,
}

impl Typed {
    pub fn accepts(&self) -> bool {
        let typed = self.input.trim();
        typed == self.expected || self.also.as_deref() == Some(typed)
    }
}

/// A question before something is sent, as data: what a yes does and the facts the user
/// decides on. The words are the UI's (`ui::confirm_words`).
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub on_yes: Confirmed,
    pub facts: Facts,
    /// The button with focus; No by default.
    pub yes_focused: bool,
    pub typed: Option<Typed>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Facts {
    /// One operation to cancel, as it stood when asked.
    One(Box<OneOp>),
    /// Several operations at once (the names are in `on_yes`).
    Many(Many),
    /// Quit with a bulk action under way: its counts are read live from `App::bulk`, as
    /// answers keep arriving while the dialog is open.
    Quit,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OneOp {
    pub name: String,
    pub target: String,
    pub verb: String,
    pub state: row::RowState,
    pub created: Option<Timestamp>,
    /// The code of the last cancel of it the server refused, if one was.
    pub refused: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Many {
    pub kind: MutationKind,
    /// Marked, but hidden by the filter: left alone.
    pub hidden: usize,
    /// What the policy will not send, by reason.
    pub skipped: std::collections::BTreeMap<policy::Skip, usize>,
    /// Deletes only: how many of those to delete are still running.
    pub running: usize,
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
    /// Typing a filter; `previous` comes back on Esc, and applies while `text` does not
    /// parse. `cursor` is where typing goes, in chars.
    FilterInput {
        text: String,
        previous: String,
        cursor: usize,
    },
    ErrorLog {
        scroll: u16,
    },
    /// Choosing the project in view: `query` narrows, `selected` indexes the matches.
    ProjectPicker {
        query: String,
        selected: usize,
    },
    /// `o`: an operation's console address, shown and copied.
    Link(Box<Link>),
}

/// The console address of one operation, with what the overlay says about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub url: crate::api::console::ConsoleUrl,
    pub name: OperationName,
    /// The API's title, where the operation came from a service profile.
    pub service: Option<String>,
    /// Where `o` was pressed (the table or the details), to go back to on close.
    pub back: Box<Mode>,
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
    /// The table's columns in order, as the config chose them; `None`: the defaults.
    pub columns: Option<Vec<Column>>,
    /// Desktop notifications (OSC 9 / OSC 777) when a watched operation finishes; the bell
    /// rings either way.
    pub notify: bool,
    /// Mouse: the wheel scrolls, a click selects (off with `--no-mouse`, which leaves the
    /// terminal's own selection alone).
    pub mouse: bool,
    /// The config's saved views.
    pub views: Vec<SavedView>,
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
            columns: None,
            notify: true,
            mouse: true,
            views: Vec::new(),
        }
    }

    /// `prod (my-prod-project)` when the project has an alias, else its id.
    pub fn project_label(&self, project: &str) -> String {
        alias_label(alias_of(&self.project_flags, project), project)
    }

    /// The request budget, if it limits anything: a rate of zero, or one that is not a
    /// number, is no budget rather than a stalled dashboard.
    pub fn budget_rate(&self) -> Option<f64> {
        self.request_budget.filter(|r| *r > 0.0 && r.is_finite())
    }

    pub fn project_read_only(&self, project: &str) -> bool {
        self.read_only || self.project_flags.get(project).is_some_and(|f| f.read_only)
    }

    pub fn protected(&self, project: &str) -> bool {
        self.project_flags.get(project).is_some_and(|f| f.protected)
    }

    /// The mutation policy's view of these settings.
    pub fn rules(&self) -> policy::Rules<'_> {
        policy::Rules {
            read_only: self.read_only,
            threshold: self.bulk_confirm_threshold,
            projects: &self.project_flags,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectFlags {
    pub alias: Option<String>,
    pub read_only: bool,
    pub protected: bool,
    /// The config's `colour` for it: header and frame take it, so prod never passes for
    /// staging over SSH.
    pub accent: Option<Accent>,
}

/// A `[[view]]` of the config: a named filter, sort and columns (`v` steps through them).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedView {
    pub name: String,
    /// Checked when the config was read: it parses.
    pub filter: String,
    pub sort: Option<Column>,
    pub reverse: bool,
    pub columns: Option<Vec<Column>>,
}

/// A project's colour, among the terminal's own 16 (what survives SSH and every scheme).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accent {
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
}

impl Accent {
    pub const ALL: [(&'static str, Accent); 6] = [
        ("red", Accent::Red),
        ("green", Accent::Green),
        ("yellow", Accent::Yellow),
        ("blue", Accent::Blue),
        ("magenta", Accent::Magenta),
        ("cyan", Accent::Cyan),
    ];

    pub fn parse(s: &str) -> Option<Accent> {
        Accent::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|(_, a)| *a)
    }

    pub fn name(self) -> &'static str {
        Accent::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map(|(n, _)| *n)
            .unwrap_or("red")
    }
}

/// The alias the config gives `project`, if any.
pub fn alias_of<'a>(projects: &'a HashMap<String, ProjectFlags>, project: &str) -> Option<&'a str> {
    projects.get(project).and_then(|f| f.alias.as_deref())
}

/// How headers, logs and reports name a project: `prod (my-prod-project)` with an alias (the
/// short name people type, and the id the server knows), else the id alone.
pub fn alias_label(alias: Option<&str>, project: &str) -> String {
    match alias {
        Some(a) => format!("{a} ({project})"),
        None => project.to_string(),
    }
}

pub struct App {
    pub settings: Settings,
    pub now: Timestamp,
    pub projects: Vec<String>,
    /// Projects whose locations are to be discovered, and whether the request went out.
    pub discovering: Vec<(String, bool)>,
    pub targets: Vec<Target>,
    pub rows: Rows,
    /// Indices into `rows` of what the table shows, in order.
    pub view: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub table_rows: usize,
    pub focus: Pane,
    /// The locations pane shown (`Some(true)`) or hidden by the user's `L`; `None`: shown
    /// when it fits beside a usable table.
    pub locations_pane: Option<bool>,
    /// Whether it fits at the terminal's size, as the last resize said.
    pub locations_fit: bool,
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
    /// The saved view in use (`v`), by index into `settings.views`.
    pub view_choice: Option<usize>,
    /// Operations to tell about when they finish (`w`), by name.
    pub watching: HashSet<String>,
    /// Notifications waiting for the next batch of effects.
    pub(crate) notices: Vec<Effect>,
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
    /// (project, service) pairs whose server refused a `locations/-` listing: refreshed one
    /// location at a time from then on.
    pub(crate) no_cross: HashSet<(String, String)>,
    /// Set when the dashboard is to end; the runtime's loop reads it before each frame. The
    /// one signal of quitting: no effect repeats it.
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
            rows: Rows::default(),
            view: Vec::new(),
            selected: 0,
            offset: 0,
            table_rows: 20,
            focus: Pane::Operations,
            locations_pane: None,
            locations_fit: true,
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
            watching: HashSet::new(),
            view_choice: None,
            notices: Vec::new(),
            mark_anchor: None,
            bulk: None,
            batching: false,
            view_stale: false,
            pending_selection: None,
            budget: HashMap::new(),
            budget_at: None,
            no_cross: HashSet::new(),
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

    pub fn row(&self, name: &str) -> Option<&Row> {
        self.row_index(name).map(|i| &self.rows[i])
    }

    pub(crate) fn row_mut(&mut self, name: &str) -> Option<&mut Row> {
        self.row_index(name).and_then(move |i| self.rows.get_mut(i))
    }

    /// A row whose name lies outside the location that listed it: shown, never acted on.
    pub fn is_foreign(&self, r: &Row) -> bool {
        self.targets
            .get(r.target)
            .is_none_or(|t| !t.name.holds(&r.op.name))
    }

    /// A row as the mutation policy sees it.
    pub fn candidate<'a>(&'a self, r: &'a Row) -> policy::Candidate<'a> {
        policy::Candidate {
            name: &r.op.name,
            listed_under: self.targets.get(r.target).map(|t| &t.name),
            active: r.state.is_active(),
            under_way: matches!(
                r.cancel,
                row::CancelTrack::Sending | row::CancelTrack::Pending(_)
            ),
            // The row's API, so a method it lacks is refused with its reason before anything
            // is sent (the old setup has none: every method is tried).
            service: self
                .targets
                .get(r.target)
                .and_then(|t| t.service.as_deref()),
        }
    }

    /// Nothing may be changed from what is in view: `--read-only`, or the project in view
    /// is read-only. Hints then offer no key that would be refused.
    pub fn mutations_off(&self) -> bool {
        self.settings.read_only
            || self
                .scope_project()
                .is_some_and(|p| self.settings.project_read_only(p))
    }

    /// Whether the locations pane is on screen: the user's choice, else whether it fits.
    pub fn locations_shown(&self) -> bool {
        self.locations_pane.unwrap_or(self.locations_fit)
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.view.get(self.selected).and_then(|i| self.rows.get(*i))
    }
}
