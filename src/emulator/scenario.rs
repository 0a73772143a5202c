//! Populations: the live `demo` and the frozen, seeded `static` world.

use super::world::{CancelBehaviour, Ended, Fate, LocationState, OpRecord, ProjectState};
use crate::api::Code;
use crate::api::model::Status;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Real time: operations finish, fail and keep being started.
    Demo,
    /// A fixed, seeded population on a stopped clock; cancels take effect at once.
    Static,
}

/// The real regions served first, then `region-K`.
pub const REGIONS: [&str; 8] = [
    "global",
    "us-central1",
    "us-east4",
    "us-west1",
    "us-west4",
    "europe-west1",
    "europe-north1",
    "asia-southeast1",
];

pub fn location_ids(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match REGIONS.get(i) {
            Some(r) => r.to_string(),
            None => format!("region-{}", i - REGIONS.len() + 1),
        })
        .collect()
}

pub fn project_ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("demo-project-{i}")).collect()
}

/// What an operation is and will do; every location of `static` has each of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Archetype {
    RunningCancellable,
    RunningIgnoresCancel,
    RunningUnimplemented,
    RunningPermissionDenied,
    Succeeded,
    Failed,
    Cancelled,
    SucceededDespiteCancel,
}

pub const ARCHETYPES: [Archetype; 8] = [
    Archetype::RunningCancellable,
    Archetype::RunningIgnoresCancel,
    Archetype::RunningUnimplemented,
    Archetype::RunningPermissionDenied,
    Archetype::Succeeded,
    Archetype::Failed,
    Archetype::Cancelled,
    Archetype::SucceededDespiteCancel,
];

const FAILURES: [(Code, &str); 3] = [
    (
        Code::FailedPrecondition,
        "Repository group has repositories that are still being indexed.",
    ),
    (
        Code::Internal,
        "Internal error encountered while indexing the repository.",
    ),
    (
        Code::InvalidArgument,
        "KMS key projects/kms-proj/locations/us/keyRings/r/cryptoKeys/k is not accessible.",
    ),
];

const NAMES: [&str; 12] = [
    "payments",
    "frontend",
    "checkout",
    "search",
    "ledger",
    "mobile",
    "infra",
    "ml-models",
    "docs",
    "billing",
    "auth",
    "analytics",
];

pub struct Generator {
    rng: StdRng,
    next_seq: u64,
    live: bool,
}

/// 2026-01-01T00:00:00Z: where the live demo's ids count from.
const DEMO_ID_ORIGIN_MS: i64 = 1_767_225_600_000;

impl Generator {
    pub fn new(seed: u64, live: bool) -> Self {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            next_seq: 1,
            live,
        }
    }

    fn secs(&mut self, lo: i64, hi: i64) -> SignedDuration {
        SignedDuration::from_secs(self.rng.random_range(lo..=hi))
    }

    fn what(&mut self, project: &str, location: &str) -> (String, String, Option<&'static str>) {
        let verb = ["create", "create", "update", "delete"][self.rng.random_range(0..4)];
        let name = NAMES[self.rng.random_range(0..NAMES.len())];
        let n = self.rng.random_range(1..=40);
        let (target, kind) = if location == "global" {
            (
                format!(
                    "projects/{project}/locations/global/geminiGcpEnablementSettings/gcp-{name}/settingBindings/sb-{name}-{n}"
                ),
                "SettingBinding",
            )
        } else if self.rng.random_bool(0.3) {
            (
                format!(
                    "projects/{project}/locations/{location}/codeRepositoryIndexes/idx-{name}/repositoryGroups/grp-{n}"
                ),
                "RepositoryGroup",
            )
        } else {
            (
                format!(
                    "projects/{project}/locations/{location}/codeRepositoryIndexes/idx-{name}-{n}"
                ),
                "CodeRepositoryIndex",
            )
        };
        let response = if verb == "delete" { None } else { Some(kind) };
        (verb.to_string(), target, response)
    }

    /// Google's shape of id. The live demo's ids must be the same in every process (a name
    /// `list --demo` printed must be found by `describe --demo`), so there the time part
    /// counts from a fixed origin by sequence instead of reading the clock.
    fn id(&mut self, created: Timestamp, seq: u64) -> String {
        let millis = if self.live {
            DEMO_ID_ORIGIN_MS + seq as i64 * 1_000
        } else {
            created.as_millisecond()
        };
        format!(
            "operation-{millis}-{:013x}-{:08x}-{:08x}",
            self.rng.random::<u64>() & 0x0001_ffff_ffff_ffff,
            self.rng.random::<u32>(),
            self.rng.random::<u32>()
        )
    }

    fn failure(&mut self) -> Fate {
        let (code, msg) = FAILURES[self.rng.random_range(0..FAILURES.len())];
        Fate::Fail(code, msg.to_string())
    }

    /// One operation of `archetype`, created at `created`, as it stands at `now`.
    pub fn operation(
        &mut self,
        project: &str,
        location: &str,
        archetype: Archetype,
        created: Timestamp,
        now: Timestamp,
    ) -> OpRecord {
        let (verb, target, response_type) = self.what(project, location);
        let seq = self.next_seq;
        self.next_seq += 1;
        let took = self.secs(20, 900);
        // In the frozen world running operations never finish and cancels act at once; in the
        // live one most running operations finish a while from now, and cancels take seconds.
        let (finish_at, honour) = if self.live {
            let finish = if self.rng.random_bool(0.2) {
                None
            } else {
                Some(now + self.secs(20, 600))
            };
            (finish, self.secs(2, 6))
        } else {
            (None, SignedDuration::ZERO)
        };
        let mut rec = OpRecord {
            seq,
            id: self.id(created, seq),
            created,
            verb,
            target,
            response_type,
            fate: if self.live && self.rng.random_bool(0.15) {
                self.failure()
            } else {
                Fate::Succeed
            },
            finish_at,
            cancel: CancelBehaviour::Honour(honour),
            cancel_requested: None,
            ended: None,
        };
        // A finished operation ended in the past, whatever it was meant to take.
        let end = (created + took).min(now);
        match archetype {
            Archetype::RunningCancellable => {}
            Archetype::RunningIgnoresCancel => rec.cancel = CancelBehaviour::Ignore,
            Archetype::RunningUnimplemented => rec.cancel = CancelBehaviour::Unimplemented,
            Archetype::RunningPermissionDenied => rec.cancel = CancelBehaviour::PermissionDenied,
            Archetype::Succeeded => {
                rec.ended = Some(Ended {
                    at: end,
                    error: None,
                })
            }
            Archetype::Failed => {
                let fate = self.failure();
                let Fate::Fail(code, msg) = &fate else {
                    unreachable!()
                };
                rec.ended = Some(Ended {
                    at: end,
                    error: Some(Status::new(*code, msg.clone())),
                });
                rec.fate = fate;
            }
            Archetype::Cancelled => {
                rec.cancel_requested = Some(end);
                rec.ended = Some(Ended {
                    at: end,
                    error: Some(Status::new(Code::Cancelled, "Operation was cancelled.")),
                });
            }
            Archetype::SucceededDespiteCancel => {
                rec.cancel = CancelBehaviour::Ignore;
                rec.cancel_requested = Some(end - SignedDuration::from_secs(5));
                rec.ended = Some(Ended {
                    at: end,
                    error: None,
                });
            }
        }
        if rec.ended.is_some() {
            rec.finish_at = None;
        }
        rec
    }

    pub fn random_archetype(&mut self, running_only: bool) -> Archetype {
        if running_only {
            // Mostly cancellable, as real operations are.
            match self.rng.random_range(0..10) {
                0..=5 => Archetype::RunningCancellable,
                6 | 7 => Archetype::RunningIgnoresCancel,
                8 => Archetype::RunningUnimplemented,
                _ => Archetype::RunningPermissionDenied,
            }
        } else {
            ARCHETYPES[self.rng.random_range(0..ARCHETYPES.len())]
        }
    }

    pub fn spawn_gap(&mut self) -> SignedDuration {
        self.secs(10, 45)
    }

    /// Builds every project and location with `per_location` operations each.
    pub fn populate(
        &mut self,
        projects: &[String],
        locations: &[String],
        per_location: usize,
        now: Timestamp,
    ) -> BTreeMap<String, ProjectState> {
        let mut out = BTreeMap::new();
        for p in projects {
            let mut ps = ProjectState {
                location_order: locations.to_vec(),
                ..Default::default()
            };
            for l in locations {
                let mut ls = LocationState::default();
                for i in 0..per_location {
                    // The first eight cover every archetype, so each location shows them all.
                    let archetype = match ARCHETYPES.get(i) {
                        Some(a) if !self.live => *a,
                        _ => self.random_archetype(false),
                    };
                    let back = SignedDuration::from_secs(((per_location - i) as i64) * 97)
                        + self.secs(0, 60);
                    let rec = self.operation(p, l, archetype, now - back, now);
                    ls.ops.insert(rec.seq, rec);
                }
                if self.live {
                    ls.next_spawn = Some(now + self.spawn_gap());
                }
                ps.locations.insert(l.clone(), ls);
            }
            out.insert(p.clone(), ps);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_projects_and_locations() {
        assert_eq!(project_ids(2), ["demo-project-1", "demo-project-2"]);
        let l = location_ids(10);
        assert_eq!(l[0], "global");
        assert_eq!(l[7], "asia-southeast1");
        assert_eq!(l[8], "region-1");
        assert_eq!(l[9], "region-2");
    }

    #[test]
    fn static_population_is_seeded_and_complete() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let make =
            |seed| Generator::new(seed, false).populate(&project_ids(1), &location_ids(2), 8, now);
        let a = make(7);
        let b = make(7);
        let ids = |w: &BTreeMap<String, ProjectState>| -> Vec<String> {
            w.values()
                .flat_map(|p| p.locations.values())
                .flat_map(|l| l.ops.values().map(|o| o.id.clone()))
                .collect()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&make(8)));
        for loc in a["demo-project-1"].locations.values() {
            let running = loc.ops.values().filter(|o| !o.is_done()).count();
            assert_eq!(running, 4);
            assert!(loc.ops.values().all(|o| o.finish_at.is_none()));
        }
    }
}
