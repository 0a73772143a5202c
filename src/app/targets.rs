//! The (project, service, location) triples the dashboard refreshes, and which of them are
//! in view. The old single-endpoint setup has no service: its targets are (project, location).

use super::App;
use crate::api::{LocationName, ServiceProfile};
use jiff::Timestamp;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct TargetError {
    /// Short, for the badge: `403`, `503`, `timeout`.
    pub badge: String,
    pub message: String,
}

/// One (project, service, location) the dashboard refreshes.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: LocationName,
    /// The API it lists; `None` in the old single-endpoint setup, whose one client serves
    /// every project.
    pub service: Option<Arc<ServiceProfile>>,
    /// The host its requests go to (per location for a regional API): whose request budget
    /// it spends. `None`: the project's endpoint, as in the old setup.
    pub host: Option<String>,
    /// Position of its service among its project's (0 without services): the pane groups
    /// project → service → location in this order.
    pub group: usize,
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
    /// Names the current refresh returned that lie outside this location, so far.
    pub foreign_now: usize,
    /// The same, as of the last complete refresh (what the warning told).
    pub foreign: usize,
    /// Unreadable operations the last complete refresh left out: the location's warning.
    pub unreadable: usize,
    /// Unreadable operations the current refresh has met so far.
    pub skipped_now: usize,
    /// Pages the current refresh has had so far.
    pub pages_now: usize,
    /// Pages of request budget the current refresh was charged when it was sent; `None`
    /// when it went out unbudgeted (asked for by the user, or no budget).
    pub paid: Option<usize>,
}

/// What a confirmation will do when answered yes.
impl App {
    /// The colour of the project in view, if the config gives it one (none with all
    /// projects in view: no single project's colour would be true of them).
    pub fn accent(&self) -> Option<super::Accent> {
        let p = self.scope_project()?;
        self.settings.project_flags.get(p).and_then(|f| f.accent)
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
            if self
                .targets
                .iter()
                .any(|t| t.name == name && t.service.is_none())
            {
                continue;
            }
            let label = if many {
                format!("{project}/{l}")
            } else {
                l.clone()
            };
            self.targets
                .push(Target::new(name, None, None, 0, order, label));
        }
        self.order_targets();
    }

    /// One API's locations in `project`. `host` says where a location's requests go (the
    /// runtime knows the endpoints; the app only budgets by them). A location the API's
    /// collection cannot hold is left out.
    pub fn add_service_targets(
        &mut self,
        project: &str,
        service: Arc<ServiceProfile>,
        locations: &[String],
        host: &dyn Fn(&str) -> String,
    ) {
        let many = self.projects.len() > 1;
        let group = match self
            .targets
            .iter()
            .find(|t| t.name.project() == project && t.service_name() == Some(&service.name))
        {
            Some(t) => t.group,
            None => self
                .targets
                .iter()
                .filter(|t| t.name.project() == project)
                .map(|t| t.group + 1)
                .max()
                .unwrap_or(0),
        };
        for (order, l) in locations.iter().enumerate() {
            // `-` is every location: what a cross-location refresh lists, never a target.
            if l == "-" {
                continue;
            }
            let Ok(name) = LocationName::in_collection(project, service.collection, l) else {
                continue;
            };
            if self.target_of(&name, Some(&service.name)).is_some() {
                continue;
            }
            let label = if many {
                format!("{project}/{}/{l}", service.name)
            } else {
                format!("{}/{l}", service.name)
            };
            self.targets.push(Target::new(
                name,
                Some(service.clone()),
                Some(host(l)),
                group,
                order,
                label,
            ));
        }
        self.order_targets();
    }

    /// Whether the targets of more than one API are in view: the SERVICE column and the
    /// pane's service headings are shown then.
    pub fn several_services(&self) -> bool {
        let mut first: Option<&str> = None;
        for (i, t) in self.targets.iter().enumerate() {
            if !self.in_scope(i) {
                continue;
            }
            let Some(s) = t.service_name() else {
                continue;
            };
            match first {
                None => first = Some(s),
                Some(f) if f != s => return true,
                Some(_) => {}
            }
        }
        false
    }
}

impl Target {
    fn new(
        name: LocationName,
        service: Option<Arc<ServiceProfile>>,
        host: Option<String>,
        group: usize,
        order: usize,
        label: String,
    ) -> Target {
        Target {
            label,
            name,
            service,
            host,
            group,
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
            foreign_now: 0,
            foreign: 0,
            unreadable: 0,
            skipped_now: 0,
            pages_now: 0,
            paid: None,
        }
    }

    /// The short name of its API (`run`), if it has one.
    pub fn service_name(&self) -> Option<&str> {
        self.service.as_deref().map(|s| s.name.as_str())
    }
}

impl App {
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
        order.sort_by_key(|i| {
            let t = &self.targets[*i];
            (project_pos(t), t.group, t.order)
        });
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
        for r in self.rows.iter_mut() {
            r.target = old_to_new[r.target];
        }
        if let Some(sel) = self.location_sel.checked_sub(1) {
            self.location_sel = old_to_new[sel] + 1;
        }
    }

    pub fn target_index(&self, name: &LocationName) -> Option<usize> {
        self.target_of(name, None)
    }

    /// The target listing `name` for `service` (`None`: the old setup's, without one): two
    /// APIs may share a location name, so the name alone does not tell them apart.
    pub fn target_of(&self, name: &LocationName, service: Option<&str>) -> Option<usize> {
        self.targets
            .iter()
            .position(|t| t.name == *name && t.service_name() == service)
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
}
