//! The served world: lookups, paging, filtering, cancel and delete, on the emulator's clock.

use super::envelope::ServeError;
use super::scenario::{Generator, Scenario, location_ids, project_ids};
use super::world::{CancelBehaviour, LocationState, ProjectState, display_name};
use crate::api::Code;
use crate::api::model::{ListLocationsResponse, ListOperationsResponse, Location, Operation};
use crate::api::names::Collection;
use crate::api::service::ServiceProfile;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An operation as served: the original world's own form, or restyled as `profile`'s.
fn show(profile: Option<&ServiceProfile>, rec: &super::world::OpRecord, parent: &str) -> Operation {
    let op = rec.view(parent);
    match profile {
        None => op,
        Some(p) => super::profiles::restyle(p, rec, op),
    }
}

pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 1000;

#[derive(Clone, Copy, Debug)]
pub enum Clock {
    Real,
    Frozen(Timestamp),
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::Real => Timestamp::now(),
            Clock::Frozen(t) => *t,
        }
    }
}

pub struct World {
    pub clock: Clock,
    generator: Generator,
    pub projects: BTreeMap<String, ProjectState>,
    live: bool,
    /// The live world forgets its oldest finished operations past this many per location.
    keep: usize,
    empty_pages: bool,
    /// The most a page holds whatever the client asks (`None`: [`MAX_PAGE_SIZE`]).
    max_page_size: Option<usize>,
    /// The API this world is served as (`None`: cloudaicompanion, the original world):
    /// its collection word and its metadata types.
    profile: Option<Arc<ServiceProfile>>,
    /// The API's service name (`cloudaicompanion.googleapis.com`, `redis.googleapis.com`):
    /// its errors' domain, and its IAM permissions' prefix.
    domain: String,
}

/// `PERMISSION_DENIED` for `what` (`operations.cancel`) of the API `domain`, as that API
/// names the permission (`redis.operations.cancel`).
fn denied(domain: &str, what: &str, resource: &str) -> ServeError {
    let service = domain.strip_suffix(".googleapis.com").unwrap_or(domain);
    ServeError::permission_denied_in(domain, &format!("{service}.{what}"), resource)
}

/// What `operations.list` pages through, decoded from an opaque token.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cursor {
    after_seq: u64,
    request_hash: u32,
    empty_next: bool,
}

const TOKEN_SALT: u64 = 0x5eed_1e55_c0ff_ee00;

fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

fn encode_token(c: Cursor) -> String {
    format!(
        "{:016x}{:08x}{}",
        c.after_seq ^ TOKEN_SALT,
        c.request_hash,
        if c.empty_next { 'e' } else { 'd' }
    )
}

fn decode_token(t: &str, request_hash: u32) -> Result<Cursor, ServeError> {
    let bad = || ServeError::invalid(format!("Invalid page token: {t:?}."));
    if t.len() != 25 || !t.is_ascii() {
        return Err(bad());
    }
    let seq = u64::from_str_radix(&t[..16], 16).map_err(|_| bad())? ^ TOKEN_SALT;
    let hash = u32::from_str_radix(&t[16..24], 16).map_err(|_| bad())?;
    let empty_next = match &t[24..] {
        "e" => true,
        "d" => false,
        _ => return Err(bad()),
    };
    if hash != request_hash {
        return Err(ServeError::invalid(
            "The page token does not belong to this request (the name or filter changed).",
        ));
    }
    Ok(Cursor {
        after_seq: seq,
        request_hash: hash,
        empty_next,
    })
}

/// The `filter` of `operations.list`: empty, or `done=true|false`.
pub fn parse_filter(f: &str) -> Result<Option<bool>, ServeError> {
    let f = f.trim();
    if f.is_empty() {
        return Ok(None);
    }
    let unsupported = || {
        ServeError::invalid(format!(
            "Invalid filter {f:?}: only \"done=true\" and \"done=false\" are supported."
        ))
    };
    let (lhs, rhs) = f.split_once('=').ok_or_else(unsupported)?;
    if lhs.trim() != "done" {
        return Err(unsupported());
    }
    let rhs = rhs.trim().trim_matches('"');
    parse_bool(rhs).map(Some).ok_or_else(unsupported)
}

pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

pub struct WorldConfig {
    pub scenario: Scenario,
    pub projects: usize,
    pub locations: usize,
    pub ops_per_location: usize,
    pub seed: u64,
    pub empty_pages: bool,
    /// The static world's stopped clock; default: the second it starts.
    pub frozen_at: Option<Timestamp>,
}

impl World {
    pub fn new(cfg: &WorldConfig) -> World {
        let live = cfg.scenario == Scenario::Demo;
        let clock = if live {
            Clock::Real
        } else {
            let t = cfg.frozen_at.unwrap_or_else(|| {
                Timestamp::from_second(Timestamp::now().as_second())
                    .unwrap_or(Timestamp::UNIX_EPOCH)
            });
            Clock::Frozen(t)
        };
        let mut generator = Generator::new(cfg.seed, live);
        let projects = generator.populate(
            &project_ids(cfg.projects),
            &location_ids(cfg.locations),
            cfg.ops_per_location,
            clock.now(),
        );
        World {
            clock,
            generator,
            projects,
            live,
            keep: (cfg.ops_per_location * 3).max(60),
            empty_pages: cfg.empty_pages,
            max_page_size: None,
            profile: None,
            domain: super::envelope::DOMAIN.to_string(),
        }
    }

    /// Serves this world as `profile`'s: its collection, its metadata types.
    pub fn set_profile(&mut self, profile: Arc<ServiceProfile>) {
        self.domain = super::profiles::service_domain(&profile);
        self.profile = Some(profile);
    }

    /// `projects/P/locations/L` (or `regions`, as the profile says).
    fn parent(&self, project: &str, location: &str) -> String {
        let word = self
            .profile
            .as_ref()
            .map_or(Collection::Locations, |p| p.collection);
        format!("projects/{project}/{word}/{location}")
    }

    /// Gives every operation there now a target of its own (by default targets repeat, as
    /// real ones do): the worst case for anything that shares strings between operations.
    pub fn make_targets_distinct(&mut self) {
        for p in self.projects.values_mut() {
            for l in p.locations.values_mut() {
                for rec in l.ops.values_mut() {
                    rec.target = format!("{}-{}", rec.target, rec.seq);
                }
            }
        }
    }

    /// Serves at most `n` items a page, however many the client asks for, as a server with
    /// a smaller cap than [`MAX_PAGE_SIZE`] does (`None`: the usual caps). At least 1.
    pub fn set_max_page_size(&mut self, n: Option<usize>) {
        self.max_page_size = n.map(|n| n.max(1));
    }

    /// The page size served for a request's `pageSize` (0: the server's default).
    fn page_size(&self, asked: usize) -> usize {
        let n = match asked {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        };
        self.max_page_size.map_or(n, |max| n.min(max))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn project(
        &mut self,
        project: &str,
        what: &str,
        resource: &str,
    ) -> Result<&mut ProjectState, ServeError> {
        self.projects
            .get_mut(project)
            .ok_or_else(|| denied(&self.domain, what, resource))
    }

    /// The location, brought up to now: spawned operations added, finished ones ended.
    fn location(
        &mut self,
        project: &str,
        location: &str,
        what: &str,
        resource: &str,
    ) -> Result<&mut LocationState, ServeError> {
        let now = self.now();
        let live = self.live;
        let keep = self.keep;
        let generator = &mut self.generator;
        let ps = self
            .projects
            .get_mut(project)
            .ok_or_else(|| denied(&self.domain, what, resource))?;
        let ls = ps.locations.get_mut(location).ok_or_else(|| {
            ServeError::not_found(format!("Location \"{resource}\" was not found."))
        })?;
        if live {
            while let Some(at) = ls.next_spawn.filter(|t| *t <= now) {
                let archetype = generator.random_archetype(true);
                let rec = generator.operation(project, location, archetype, at, now);
                ls.ops.insert(rec.seq, rec);
                ls.next_spawn = Some(at + generator.spawn_gap());
            }
        }
        for op in ls.ops.values_mut() {
            op.advance(now);
        }
        if live && ls.ops.len() > keep {
            let surplus = ls.ops.len() - keep;
            let old: Vec<u64> = ls
                .ops
                .values()
                .filter(|o| o.is_done())
                .take(surplus)
                .map(|o| o.seq)
                .collect();
            for s in old {
                ls.ops.remove(&s);
            }
        }
        Ok(ls)
    }

    pub fn list(
        &mut self,
        project: &str,
        location: &str,
        filter: &str,
        page_size: usize,
        token: &str,
    ) -> Result<ListOperationsResponse, ServeError> {
        let parent = self.parent(project, location);
        let profile = self.profile.clone();
        let done_filter = parse_filter(filter)?;
        let page_size = self.page_size(page_size);
        let request_hash = fnv(&format!("{parent}\n{filter}"));
        let cursor = if token.is_empty() {
            Cursor {
                after_seq: 0,
                request_hash,
                empty_next: self.empty_pages,
            }
        } else {
            decode_token(token, request_hash)?
        };
        let empty_pages = self.empty_pages;
        let ls = self.location(project, location, "operations.list", &parent)?;
        if cursor.empty_next {
            return Ok(ListOperationsResponse {
                next_page_token: encode_token(Cursor {
                    empty_next: false,
                    ..cursor
                }),
                ..Default::default()
            });
        }
        let mut ops = Vec::new();
        let mut last = cursor.after_seq;
        let mut more = false;
        for (seq, rec) in ls.ops.range(cursor.after_seq + 1..) {
            if ops.len() == page_size {
                more = true;
                break;
            }
            last = *seq;
            if done_filter.is_none_or(|d| d == rec.is_done()) {
                ops.push(show(profile.as_deref(), rec, &parent));
            }
        }
        // Past the last page there are only records the filter drops: say so now.
        if more
            && ls
                .ops
                .range(last + 1..)
                .all(|(_, r)| done_filter.is_some_and(|d| d != r.is_done()))
        {
            more = false;
        }
        Ok(ListOperationsResponse {
            operations: ops,
            next_page_token: if more {
                encode_token(Cursor {
                    after_seq: last,
                    request_hash,
                    empty_next: empty_pages,
                })
            } else {
                String::new()
            },
            unreachable: Vec::new(),
            skipped: 0,
        })
    }

    fn find(
        &mut self,
        project: &str,
        location: &str,
        id: &str,
        what: &str,
    ) -> Result<(&mut LocationState, u64), ServeError> {
        let name = format!("{}/operations/{id}", self.parent(project, location));
        let ls = self.location(project, location, what, &name)?;
        let seq = ls
            .ops
            .values()
            .find(|o| o.id == id)
            .map(|o| o.seq)
            .ok_or_else(|| ServeError::not_found(format!("Operation \"{name}\" not found.")))?;
        Ok((ls, seq))
    }

    pub fn get(
        &mut self,
        project: &str,
        location: &str,
        id: &str,
    ) -> Result<Operation, ServeError> {
        let parent = self.parent(project, location);
        let profile = self.profile.clone();
        let (ls, seq) = self.find(project, location, id, "operations.get")?;
        Ok(show(profile.as_deref(), &ls.ops[&seq], &parent))
    }

    pub fn cancel(&mut self, project: &str, location: &str, id: &str) -> Result<(), ServeError> {
        let now = self.now();
        let live = self.live;
        let name = format!("{}/operations/{id}", self.parent(project, location));
        let domain = self.domain.clone();
        let (ls, seq) = self.find(project, location, id, "operations.cancel")?;
        let Some(op) = ls.ops.get_mut(&seq) else {
            return Err(ServeError::not_found(format!(
                "Operation \"{name}\" not found."
            )));
        };
        match op.cancel {
            CancelBehaviour::Unimplemented => {
                return Err(ServeError::new(
                    Code::Unimplemented,
                    "CANCEL_NOT_SUPPORTED",
                    format!("Operation \"{name}\" does not support cancellation."),
                ));
            }
            CancelBehaviour::PermissionDenied => {
                return Err(denied(&domain, "operations.cancel", &name));
            }
            _ => {}
        }
        if op.is_done() {
            return Err(ServeError::new(
                Code::FailedPrecondition,
                "OPERATION_ALREADY_DONE",
                format!("Operation \"{name}\" has already completed."),
            ));
        }
        if op.cancel_requested.is_none() {
            op.cancel_requested = Some(now);
        }
        // A live operation that ignores the cancel still finishes, soon, as it would have.
        if live && op.cancel == CancelBehaviour::Ignore && op.finish_at.is_none() {
            op.finish_at = Some(now + SignedDuration::from_secs(6));
        }
        op.advance(now);
        Ok(())
    }

    pub fn delete(&mut self, project: &str, location: &str, id: &str) -> Result<(), ServeError> {
        let (ls, seq) = self.find(project, location, id, "operations.delete")?;
        ls.ops.remove(&seq);
        Ok(())
    }

    pub fn location_resource(project: &str, location: &str) -> Location {
        Location {
            name: format!("projects/{project}/locations/{location}"),
            location_id: location.to_string(),
            display_name: display_name(location),
            ..Default::default()
        }
    }

    pub fn list_locations(
        &mut self,
        project: &str,
        page_size: usize,
        token: &str,
    ) -> Result<ListLocationsResponse, ServeError> {
        let resource = format!("projects/{project}");
        let page_size = self.page_size(page_size);
        let ps = self.project(project, "locations.list", &resource)?;
        let start = if token.is_empty() {
            0
        } else {
            decode_token(token, fnv(&resource)).map(|c| c.after_seq as usize)?
        };
        let all = &ps.location_order;
        let end = (start + page_size).min(all.len());
        let locations = all
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|l| Self::location_resource(project, l))
            .collect();
        let next_page_token = if end < all.len() {
            encode_token(Cursor {
                after_seq: end as u64,
                request_hash: fnv(&resource),
                empty_next: false,
            })
        } else {
            String::new()
        };
        Ok(ListLocationsResponse {
            locations,
            next_page_token,
        })
    }

    pub fn get_location(&mut self, project: &str, location: &str) -> Result<Location, ServeError> {
        let resource = format!("projects/{project}/locations/{location}");
        self.location(project, location, "locations.get", &resource)?;
        Ok(Self::location_resource(project, location))
    }

    /// `operations.list` of `projects/P/locations/-`: every location's operations in
    /// `locations.list` order, paged across locations. A location `failing` names (with
    /// the HTTP status it answers) is left out and named in `unreachable` when `partial`;
    /// without `partial` the first one fails the whole request, as AIP-217 has it.
    pub fn list_every_location(
        &mut self,
        project: &str,
        filter: &str,
        page_size: usize,
        token: &str,
        partial: bool,
        failing: &dyn Fn(&str) -> Option<u16>,
    ) -> Result<ListOperationsResponse, ServeError> {
        let every = self.parent(project, "-");
        let done_filter = parse_filter(filter)?;
        let page_size = self.page_size(page_size);
        let request_hash = fnv(&format!("{every}\n{filter}"));
        // The cursor packs (location index, last seq): seqs stay far below 2^40.
        let (start_loc, start_seq) = if token.is_empty() {
            (0usize, 0u64)
        } else {
            let c = decode_token(token, request_hash)?;
            ((c.after_seq >> 40) as usize, c.after_seq & ((1 << 40) - 1))
        };
        let order = self
            .projects
            .get(project)
            .ok_or_else(|| denied(&self.domain, "operations.list", &every))?
            .location_order
            .clone();
        let profile = self.profile.clone();
        let mut out = ListOperationsResponse::default();
        let mut unreachable = Vec::new();
        for (i, loc) in order.iter().enumerate().skip(start_loc) {
            if let Some(http) = failing(loc) {
                if !partial {
                    return Err(ServeError::from_http(http, std::time::Duration::ZERO));
                }
                unreachable.push(self.parent(project, loc));
                continue;
            }
            let parent = self.parent(project, loc);
            let ls = self.location(project, loc, "operations.list", &parent)?;
            let after = if i == start_loc { start_seq } else { 0 };
            for (seq, rec) in ls.ops.range(after + 1..) {
                if done_filter.is_some_and(|d| d != rec.is_done()) {
                    continue;
                }
                if out.operations.len() == page_size {
                    out.next_page_token = encode_token(Cursor {
                        after_seq: ((i as u64) << 40) | (*seq - 1),
                        request_hash,
                        empty_next: false,
                    });
                    out.unreachable = unreachable;
                    return Ok(out);
                }
                out.operations.push(show(profile.as_deref(), rec, &parent));
            }
        }
        out.unreachable = unreachable;
        Ok(out)
    }

    /// Every operation of a location as served now, for tests and benchmarks.
    pub fn snapshot(&mut self, project: &str, location: &str) -> Vec<Operation> {
        let parent = self.parent(project, location);
        let profile = self.profile.clone();
        match self.location(project, location, "", &parent) {
            Ok(ls) => ls
                .ops
                .values()
                .map(|o| show(profile.as_deref(), o, &parent))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_opaque_and_bound_to_the_request() {
        let c = Cursor {
            after_seq: 42,
            request_hash: fnv("a"),
            empty_next: false,
        };
        let t = encode_token(c);
        assert!(!t.contains("42"));
        assert_eq!(decode_token(&t, fnv("a")), Ok(c));
        assert!(decode_token(&t, fnv("b")).is_err());
        assert!(decode_token("garbage", fnv("a")).is_err());
        assert!(decode_token(&t.replace('d', "x"), fnv("a")).is_err());
    }

    fn small_world(per_location: usize) -> World {
        World::new(&WorldConfig {
            scenario: Scenario::Static,
            projects: 1,
            locations: 1,
            ops_per_location: per_location,
            seed: 1,
            empty_pages: false,
            frozen_at: Some("2026-01-01T12:00:00Z".parse().unwrap()),
        })
    }

    /// Pages of `operations.list` for `page_size` (sizes of each page), following tokens.
    fn pages(w: &mut World, page_size: usize) -> Vec<usize> {
        let mut sizes = Vec::new();
        let mut token = String::new();
        loop {
            let page = w
                .list("demo-project-1", "global", "", page_size, &token)
                .unwrap();
            sizes.push(page.operations.len());
            if page.next_page_token.is_empty() {
                return sizes;
            }
            token = page.next_page_token;
        }
    }

    #[test]
    fn distinct_targets_are_distinct() {
        let mut w = small_world(50);
        let targets = |w: &mut World| -> std::collections::HashSet<String> {
            w.snapshot("demo-project-1", "global")
                .iter()
                .map(|o| o.target().to_string())
                .collect()
        };
        assert!(targets(&mut w).len() < 50, "targets repeat by default");
        w.make_targets_distinct();
        assert_eq!(targets(&mut w).len(), 50);
    }

    #[test]
    fn max_page_size_clamps_what_the_client_asks_for() {
        let mut w = small_world(250);
        assert_eq!(pages(&mut w, 1000), [250], "no cap: one page");
        w.set_max_page_size(Some(100));
        assert_eq!(pages(&mut w, 1000), [100, 100, 50]);
        assert_eq!(
            pages(&mut w, 60),
            [60, 60, 60, 60, 10],
            "smaller asks are kept"
        );
        assert_eq!(pages(&mut w, 0), [50; 5], "the default is under the cap");
        w.set_max_page_size(Some(20));
        assert_eq!(pages(&mut w, 0).len(), 13, "the default is clamped too");
        let locations = w.list_locations("demo-project-1", 1000, "").unwrap();
        assert_eq!(locations.locations.len(), 1);
        w.set_max_page_size(None);
        assert_eq!(pages(&mut w, 1000), [250]);
    }

    #[test]
    fn filters() {
        assert_eq!(parse_filter(""), Ok(None));
        assert_eq!(parse_filter("done=true"), Ok(Some(true)));
        assert_eq!(parse_filter(" done = FALSE "), Ok(Some(false)));
        assert_eq!(parse_filter("done=\"True\""), Ok(Some(true)));
        for bad in ["done", "done=maybe", "name=x", "done>true", "verb=create"] {
            let e = parse_filter(bad).unwrap_err();
            assert_eq!(e.code, Code::InvalidArgument, "{bad}");
        }
    }
}
