//! The operations table's columns, each declared once: its name in the config, its title,
//! how it reads an operation, how wide it may be, how it is cut and dropped when space is
//! short, and how it sorts. The dashboard's table, `lrotop list --format table` and the
//! sort keys all read [`COLUMNS`]; adding a column is adding a line there.
//!
//! Pure: widths are numbers of terminal cells; the UI turns them into a layout.

use super::row::RowState;
use super::{App, ProjectFlags, alias_of};
use crate::api::Operation;
use crate::human::{aligned_age, coarse_age};
use crate::sanitize::{CELL_CAP, one_line_capped, one_line_tail};
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    State,
    Project,
    /// The API (`run`, `aiplatform`): the row's target's service.
    Service,
    Location,
    Verb,
    Target,
    Age,
    /// The operation id (the name's last segment).
    Id,
    /// The whole operation name, for pasting into other commands.
    Name,
}

/// How wide a column is on the dashboard, in terminal cells.
#[derive(Clone, Copy, Debug)]
pub enum Width {
    /// Always this wide: every value fits, or is cut as the column says.
    Fixed(u16),
    /// As wide as the widest value the app knows of (from its targets and projects, never
    /// from the rows: scrolling must not move the columns), within these bounds.
    Fit {
        min: u16,
        max: u16,
        widest: fn(&App) -> usize,
    },
    /// Whatever the other columns leave, at least `min`.
    Flex { min: u16 },
}

/// Which end of a value a column keeps when the value is too wide for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Never cut: the column is always wide enough (a state word must be read whole).
    Never,
    /// Keeps the start: `us-cent…`.
    Right,
    /// Keeps the end, which names the resource: `…Indexes/idx-a`.
    Left,
    /// Keeps both ends, so names that differ at either end read apart: `northam…ast1`.
    Middle,
}

/// Whether a column is shown when the config does not choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Always,
    /// Only when rows from several projects are in view.
    SeveralProjects,
    /// Only when rows of several APIs are in view.
    SeveralServices,
    Never,
}

/// How a column orders rows. Every order ends newest first, then by name, so it is total.
#[derive(Clone, Copy, Debug)]
pub enum Sort {
    /// By a small number per row (no text compared: fast at 100k rows).
    Rank(fn(RowState) -> u8),
    /// By the text the column reads.
    Text,
    /// By what a fixed-width column cut on the left shows of the text: the eye reads an
    /// id's ending, so that is the order it can check.
    ShownTail,
}

/// What a column reads besides the operation: the clock and the projects' aliases.
pub struct Reading<'a> {
    pub now: jiff::Timestamp,
    /// The dashboard: state words carry their glyph, and ages step with the clock's minute
    /// so that rows created in one minute age together (an idle screen changes rarely).
    /// `false` for printed tables.
    pub live: bool,
    pub projects: &'a HashMap<String, ProjectFlags>,
}

/// One row as the columns see it: the operation and the state shown for it (the dashboard
/// knows about cancels in flight; a printed table only has the server's outcome).
#[derive(Clone, Copy)]
pub struct Item<'a> {
    pub op: &'a Operation,
    pub state: RowState,
    /// The short name of the API that listed it; empty where none is known (the old
    /// single-endpoint setup).
    pub service: &'a str,
}

pub struct Decl {
    pub column: Column,
    /// The spelling in the config file and on the command line.
    pub name: &'static str,
    pub title: &'static str,
    /// The value, as the server sent it (unsanitized; see [`Decl::safe`]).
    pub text: for<'a> fn(&Reading<'a>, Item<'a>) -> Cow<'a, str>,
    pub width: Width,
    pub cut: Cut,
    /// On a narrow screen the lowest is dropped first, whole.
    pub priority: u8,
    /// On a terminal, `lrotop list` cuts the column to this many cells, so that one long
    /// value does not wrap every line.
    pub tty_cap: Option<usize>,
    /// Shown by default on the dashboard, and in `lrotop list`.
    pub dashboard: Shown,
    pub list: Shown,
    pub sort: Sort,
}

/// The id column's width: `…` and the id's last eight characters.
pub const ID_WIDTH: u16 = 9;

/// Every state's glyph and word fit (`! CANCEL REFUSED`, checked in the tests below).
const STATE_WIDTH: u16 = 16;

fn state_text<'a>(r: &Reading<'a>, i: Item<'a>) -> Cow<'a, str> {
    if r.live {
        Cow::Owned(format!("{} {}", i.state.glyph(), i.state.word()))
    } else {
        Cow::Borrowed(i.state.word())
    }
}

/// A project as the table names it: its alias if it has one (the column is narrow), else
/// its id.
fn alias_or_id<'a>(projects: &'a HashMap<String, ProjectFlags>, id: &'a str) -> &'a str {
    alias_of(projects, id).unwrap_or(id)
}

/// `[ro]`, `[prot]` or `[ro,prot]` for a read-only or protected project, so that the
/// all-projects view says which rows the keys will refuse or ask harder about.
pub fn project_marker(flags: Option<&ProjectFlags>) -> &'static str {
    match flags.map(|f| (f.read_only, f.protected)) {
        Some((true, true)) => "[ro,prot]",
        Some((true, false)) => "[ro]",
        Some((false, true)) => "[prot]",
        _ => "",
    }
}

fn project_text<'a>(r: &Reading<'a>, i: Item<'a>) -> Cow<'a, str> {
    let label = alias_or_id(r.projects, i.op.project());
    match project_marker(r.projects.get(i.op.project())) {
        marker if r.live && !marker.is_empty() => Cow::Owned(format!("{label} {marker}")),
        _ => Cow::Borrowed(label),
    }
}

fn age_text<'a>(r: &Reading<'a>, i: Item<'a>) -> Cow<'a, str> {
    // Age since creation for every row, so the column sorts as it reads; details show how
    // long a finished operation took.
    Cow::Owned(match i.op.create_time() {
        Some(c) if r.live => aligned_age(c, r.now),
        Some(c) => coarse_age(r.now.duration_since(c).unsigned_abs()),
        None => "-".into(),
    })
}

/// The widest location among the app's targets.
fn widest_location(app: &App) -> usize {
    app.targets
        .iter()
        .map(|t| crate::width::width(t.name.location()))
        .max()
        .unwrap_or(0)
}

/// The widest API name among the app's targets.
fn widest_service(app: &App) -> usize {
    app.targets
        .iter()
        .filter_map(|t| t.service_name())
        .map(|s| crate::width::width(&crate::sanitize::one_line(s)))
        .max()
        .unwrap_or(0)
}

/// The widest project label among the projects watched.
fn widest_project(app: &App) -> usize {
    app.projects
        .iter()
        .map(|p| {
            let label = alias_or_id(&app.settings.project_flags, p);
            let marker = project_marker(app.settings.project_flags.get(p));
            crate::width::width(&crate::sanitize::one_line(label))
                + crate::width::width(marker)
                + usize::from(!marker.is_empty())
        })
        .max()
        .unwrap_or(0)
}

/// Every column, in the order the dashboard shows them by default.
pub const COLUMNS: [Decl; 9] = [
    Decl {
        column: Column::State,
        name: "state",
        title: "STATE",
        text: state_text,
        width: Width::Fixed(STATE_WIDTH),
        cut: Cut::Never,
        priority: u8::MAX,
        tty_cap: None,
        dashboard: Shown::Always,
        list: Shown::Always,
        sort: Sort::Rank(|s| s as u8),
    },
    Decl {
        column: Column::Project,
        name: "project",
        title: "PROJECT",
        text: project_text,
        width: Width::Fit {
            min: 7,
            max: 20,
            widest: widest_project,
        },
        // Both ends: the marker of a read-only or protected project stays in view.
        cut: Cut::Middle,
        priority: 70,
        tty_cap: None,
        dashboard: Shown::SeveralProjects,
        list: Shown::Never,
        sort: Sort::Text,
    },
    Decl {
        column: Column::Service,
        name: "service",
        title: "SERVICE",
        text: |_, i| Cow::Borrowed(i.service),
        width: Width::Fit {
            min: 7,
            max: 16,
            widest: widest_service,
        },
        cut: Cut::Right,
        priority: 65,
        tty_cap: None,
        dashboard: Shown::SeveralServices,
        list: Shown::Never,
        sort: Sort::Text,
    },
    Decl {
        column: Column::Location,
        name: "location",
        title: "LOCATION",
        text: |_, i| Cow::Borrowed(i.op.location()),
        // Wide enough for every Google Cloud region whole (`northamerica-northeast1`); a
        // longer name is cut in the middle, never so that two read alike.
        width: Width::Fit {
            min: 8,
            max: 24,
            widest: widest_location,
        },
        cut: Cut::Middle,
        priority: 60,
        tty_cap: None,
        dashboard: Shown::Always,
        list: Shown::Always,
        sort: Sort::Text,
    },
    Decl {
        column: Column::Verb,
        name: "verb",
        title: "VERB",
        text: |_, i| Cow::Borrowed(i.op.verb()),
        width: Width::Fixed(6),
        cut: Cut::Right,
        priority: 50,
        tty_cap: None,
        dashboard: Shown::Always,
        list: Shown::Always,
        sort: Sort::Text,
    },
    Decl {
        column: Column::Target,
        name: "target",
        title: "TARGET",
        // The dashboard's row shows project and location already; `list` prints it whole.
        text: |r, i| {
            Cow::Borrowed(if r.live {
                relative_target(i.op)
            } else {
                i.op.target()
            })
        },
        width: Width::Flex { min: 12 },
        cut: Cut::Left,
        priority: 90,
        tty_cap: Some(48),
        dashboard: Shown::Always,
        list: Shown::Always,
        sort: Sort::Text,
    },
    Decl {
        column: Column::Age,
        name: "age",
        title: "AGE",
        text: age_text,
        width: Width::Fixed(5),
        cut: Cut::Right,
        priority: 80,
        tty_cap: None,
        dashboard: Shown::Always,
        list: Shown::Always,
        // Newest first, the tie-break of every order.
        sort: Sort::Rank(|_| 0),
    },
    Decl {
        column: Column::Id,
        name: "id",
        title: "ID",
        text: |_, i| Cow::Borrowed(i.op.id()),
        width: Width::Fixed(ID_WIDTH),
        cut: Cut::Left,
        priority: 40,
        tty_cap: None,
        dashboard: Shown::Always,
        list: Shown::Never,
        sort: Sort::ShownTail,
    },
    Decl {
        column: Column::Name,
        name: "name",
        title: "NAME",
        text: |_, i| Cow::Borrowed(i.op.name.as_str()),
        width: Width::Flex { min: 20 },
        cut: Cut::Left,
        priority: 30,
        tty_cap: None,
        dashboard: Shown::Never,
        list: Shown::Always,
        sort: Sort::Text,
    },
];

impl Column {
    pub fn decl(self) -> &'static Decl {
        // The table is in the enum's order (checked by a test), so this is an index.
        &COLUMNS[self as usize]
    }

    pub fn title(self) -> &'static str {
        self.decl().title
    }

    pub fn name(self) -> &'static str {
        self.decl().name
    }

    /// By its config spelling, case-insensitively.
    pub fn parse(name: &str) -> Option<Column> {
        COLUMNS
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name.trim()))
            .map(|d| d.column)
    }

    /// The spellings, for error messages: `state, project, …`.
    pub fn names() -> String {
        COLUMNS
            .iter()
            .map(|d| d.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::str::FromStr for Column {
    type Err = String;

    fn from_str(s: &str) -> Result<Column, String> {
        Column::parse(s)
            .ok_or_else(|| format!("unknown column {s:?} (expected one of {})", Column::names()))
    }
}

/// Why a chosen list of columns cannot be used, if it cannot: empty, or a column twice
/// (`(index, message)`, so config errors can point at the item).
pub fn check(columns: &[Column]) -> Result<(), (usize, String)> {
    if columns.is_empty() {
        return Err((0, "the list is empty; name at least one column".into()));
    }
    for (i, c) in columns.iter().enumerate() {
        if let Some(first) = columns[..i].iter().position(|d| d == c) {
            return Err((
                i,
                format!("{:?} is listed twice (already [{first}])", c.name()),
            ));
        }
    }
    Ok(())
}

/// The columns shown by default where `pick` says which default applies.
pub fn defaults(
    several_projects: bool,
    several_services: bool,
    pick: fn(&Decl) -> Shown,
) -> Vec<Column> {
    COLUMNS
        .iter()
        .filter(|d| match pick(d) {
            Shown::Always => true,
            Shown::SeveralProjects => several_projects,
            Shown::SeveralServices => several_services,
            Shown::Never => false,
        })
        .map(|d| d.column)
        .collect()
}

/// `lrotop list`'s columns when neither `--columns` nor the config chooses.
pub fn list_defaults() -> Vec<Column> {
    defaults(false, false, |d| d.list)
}

impl Decl {
    /// The value made safe for a terminal and capped at [`CELL_CAP`], keeping the end the
    /// column keeps when it cuts: a megabyte field costs no more than a short one.
    pub fn safe<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.cut {
            Cut::Left => one_line_tail(text, CELL_CAP),
            Cut::Right | Cut::Middle | Cut::Never => one_line_capped(text, CELL_CAP),
        }
    }

    /// At most `cells` wide, cut at the end the column gives up.
    pub fn fit<'a>(&self, text: &'a str, cells: usize) -> Cow<'a, str> {
        match self.cut {
            Cut::Left => crate::width::shorten_left(text, cells),
            Cut::Right => crate::width::shorten_right(text, cells),
            Cut::Middle => crate::width::shorten_middle(text, cells),
            Cut::Never => Cow::Borrowed(text),
        }
    }

    /// What the sort compares for this row: the text, or the part of it a fixed-width
    /// column shows (without its `…`).
    pub fn sort_text<'a>(&self, r: &Reading<'a>, i: Item<'a>) -> Cow<'a, str> {
        let text = (self.text)(r, i);
        let (Sort::ShownTail, Width::Fixed(w)) = (self.sort, self.width) else {
            return text;
        };
        let w = w as usize;
        let tail = |s: &str| -> Option<usize> {
            (crate::width::width(s) > w)
                .then(|| s.len() - crate::width::tail_within(s, w.saturating_sub(1)).len())
        };
        match text {
            Cow::Borrowed(s) => Cow::Borrowed(tail(s).map_or(s, |at| &s[at..])),
            Cow::Owned(s) => match tail(&s) {
                Some(at) => Cow::Owned(s[at..].to_string()),
                None => Cow::Owned(s),
            },
        }
    }
}

impl App {
    /// The columns the table shows, in order: the config's choice, or the defaults (a
    /// PROJECT column when several projects are in view, a SERVICE column when several
    /// APIs are).
    pub fn columns(&self) -> Vec<Column> {
        let chosen = self
            .view_choice
            .and_then(|i| self.settings.views.get(i))
            .and_then(|v| v.columns.as_ref())
            .or(self.settings.columns.as_ref());
        match chosen {
            Some(chosen) => chosen.clone(),
            None => defaults(
                self.projects.len() > 1 && self.scope_project().is_none(),
                self.several_services(),
                |d| d.dashboard,
            ),
        }
    }

    /// The column `s` sorts by next: the one after the current among those shown.
    pub fn next_sort(&self) -> Column {
        let shown = self.columns();
        match shown.iter().position(|c| *c == self.sort) {
            Some(i) => shown[(i + 1) % shown.len()],
            None => shown.first().copied().unwrap_or(Column::State),
        }
    }

    pub fn reading(&self) -> Reading<'_> {
        Reading {
            now: self.now,
            live: true,
            projects: &self.settings.project_flags,
        }
    }
}

/// The target as the TARGET column shows it: relative to the operation's own location, which
/// the row already shows (`codeRepositoryIndexes/idx-a`), or whole when it lies elsewhere.
/// Details and JSON keep it whole.
pub fn relative_target(op: &crate::api::Operation) -> &str {
    let t = op.target();
    t.strip_prefix("projects/")
        .and_then(|r| r.strip_prefix(op.project()))
        .and_then(|r| r.strip_prefix("/locations/"))
        .and_then(|r| r.strip_prefix(op.location()))
        .and_then(|r| r.strip_prefix('/'))
        .filter(|r| !r.is_empty())
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_enums_order_and_names_are_unique() {
        for (i, d) in COLUMNS.iter().enumerate() {
            assert_eq!(d.column as usize, i, "{}", d.name);
            assert_eq!(Column::parse(d.name), Some(d.column));
            assert_eq!(Column::parse(&d.title.to_lowercase()), Some(d.column));
        }
        assert_eq!(Column::parse("colour"), None);
    }

    #[test]
    fn every_state_fits_the_state_column_whole() {
        for s in RowState::ALL {
            let shown = format!("{} {}", s.glyph(), s.word());
            assert!(
                crate::width::width(&shown) <= STATE_WIDTH as usize,
                "{shown}"
            );
        }
    }

    #[test]
    fn an_id_sorts_by_the_end_the_column_shows() {
        let op: Operation = serde_json::from_value(serde_json::json!({
            "name": "projects/p/locations/l/operations/operation-1767267965000-412a-8495153b",
        }))
        .unwrap();
        let projects = HashMap::new();
        let r = Reading {
            now: jiff::Timestamp::UNIX_EPOCH,
            live: true,
            projects: &projects,
        };
        let item = Item {
            service: "",
            op: &op,
            state: RowState::Running,
        };
        let id = Column::Id.decl();
        assert_eq!(id.sort_text(&r, item), "8495153b");
        let shown = id
            .fit(&id.safe(&(id.text)(&r, item)), ID_WIDTH as usize)
            .into_owned();
        assert_eq!(shown, "…8495153b");
        // Other columns sort by their whole text.
        let name = Column::Name.decl();
        assert_eq!(name.sort_text(&r, item), op.name);
    }

    #[test]
    fn a_chosen_list_is_checked() {
        assert!(check(&[Column::State, Column::Age]).is_ok());
        assert!(check(&[]).is_err());
        let (at, message) = check(&[Column::Age, Column::Verb, Column::Age]).unwrap_err();
        assert_eq!(at, 2);
        assert!(
            message.contains("\"age\" is listed twice (already [0])"),
            "{message}"
        );
    }
}
