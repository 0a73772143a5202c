//! The one rule book for every mutation, whoever asks: the dashboard's `c`, `C` and `D` and
//! the CLI's `cancel` and `delete` all pass their candidates through [`decide`], and only
//! what it puts in `send` may become a request.
//!
//! An operation is judged by its own name, never by where it was found: a list of
//! `projects/p/locations/l` that returns `projects/evil/…` has not made `evil`'s operation
//! ours to cancel, and `evil`'s read-only or protected flag applies to it, whatever project
//! the user pointed at.

use super::bulk::MutationKind;
use super::{ProjectFlags, alias_of};
use crate::api::{LocationName, OperationName, ServiceProfile};
use std::collections::{BTreeMap, HashMap};

/// What the config says, for every project it names (watched or not) and everywhere.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    /// Read-only everywhere (flag or config).
    pub read_only: bool,
    /// More than this many at once need the count typed.
    pub threshold: usize,
    pub projects: &'a HashMap<String, ProjectFlags>,
}

impl Rules<'_> {
    pub fn read_only_for(&self, project: &str) -> bool {
        self.read_only || self.projects.get(project).is_some_and(|f| f.read_only)
    }

    pub fn protected(&self, project: &str) -> bool {
        self.projects.get(project).is_some_and(|f| f.protected)
    }

    /// The word a protected project's confirmation asks for: its alias, else its id.
    pub fn word_for(&self, project: &str) -> String {
        alias_of(self.projects, project)
            .unwrap_or(project)
            .to_string()
    }
}

/// One operation someone asked to act on, as the asker knows it.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The operation's own name, as the server gave it.
    pub name: &'a str,
    /// The location whose listing returned it; `None` when the user named it.
    pub listed_under: Option<&'a LocationName>,
    /// Still running (a cancel has something to stop).
    pub active: bool,
    /// A cancel of it is already sent or awaited.
    pub under_way: bool,
    /// The API it belongs to, when known: a method the API lacks is never sent.
    pub service: Option<&'a ServiceProfile>,
}

/// Why a candidate is not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Skip {
    /// Listed under one location but named for another: shown, never acted on.
    Foreign,
    /// Not a name of the grammar; nothing can be built from it.
    BadName,
    /// Cancel only: it finished already.
    Done,
    /// Cancel only: a cancel is already under way.
    UnderWay,
    /// Its project is read-only (or everything is).
    ReadOnly,
    /// Its API has no such method (Cloud Run and Workflows cannot cancel): the reason is
    /// in [`Decision::reasons`].
    Unsupported,
}

/// A protected project among those to be sent, and the word that confirms acting on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub project: String,
    pub word: String,
}

impl Guard {
    /// The alias and the id both name the project; either confirms.
    pub fn accepts(&self, typed: &str) -> bool {
        let typed = typed.trim();
        typed == self.word || typed == self.project
    }
}

/// What the user must do before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Consent {
    /// Nothing to send: nothing to confirm.
    Nothing,
    /// A yes.
    Yes,
    /// More than the threshold at once: the count typed.
    Count(usize),
    /// Protected projects involved: each one's word typed (the count as well when the
    /// threshold is passed).
    Protected { guards: Vec<Guard>, count: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub kind: MutationKind,
    pub send: Vec<OperationName>,
    /// Each candidate not sent, with the reason, in the order asked.
    pub skipped: Vec<(String, Skip)>,
    pub consent: Consent,
    /// What a [`Skip::Unsupported`] candidate's API says, by name: "Cloud Run operations
    /// cannot be cancelled".
    pub reasons: BTreeMap<String, String>,
}

impl Decision {
    /// Why `name` was skipped as unsupported, in the API's words.
    pub fn reason(&self, name: &str) -> Option<&str> {
        self.reasons.get(name).map(String::as_str)
    }

    pub fn skipped(&self, why: Skip) -> usize {
        self.skipped.iter().filter(|(_, s)| *s == why).count()
    }

    /// Counts per reason, in a fixed order, for summaries.
    pub fn skip_counts(&self) -> BTreeMap<Skip, usize> {
        let mut m = BTreeMap::new();
        for (_, s) in &self.skipped {
            *m.entry(*s).or_insert(0) += 1;
        }
        m
    }
}

/// The policy. Duplicates (by name) are considered once.
pub fn decide<'a>(
    rules: &Rules,
    kind: MutationKind,
    candidates: impl IntoIterator<Item = Candidate<'a>>,
) -> Decision {
    let mut send: Vec<OperationName> = Vec::new();
    let mut skipped = Vec::new();
    let mut reasons = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for c in candidates {
        if !seen.insert(c.name) {
            continue;
        }
        let skip = |why| (c.name.to_string(), why);
        let Ok(name) = OperationName::parse(c.name) else {
            skipped.push(skip(Skip::BadName));
            continue;
        };
        let method = kind.method();
        if c.listed_under.is_some_and(|p| *name.parent() != *p) {
            skipped.push(skip(Skip::Foreign));
        } else if let Some(s) = c.service.filter(|s| !s.has(method)) {
            reasons.insert(c.name.to_string(), s.lacks_text(method));
            skipped.push(skip(Skip::Unsupported));
        } else if kind == MutationKind::Cancel && !c.active {
            skipped.push(skip(Skip::Done));
        } else if kind == MutationKind::Cancel && c.under_way {
            skipped.push(skip(Skip::UnderWay));
        } else if rules.read_only_for(name.project()) {
            skipped.push(skip(Skip::ReadOnly));
        } else {
            send.push(name);
        }
    }
    let mut guards: Vec<Guard> = Vec::new();
    for n in &send {
        if rules.protected(n.project()) && !guards.iter().any(|g| g.project == n.project()) {
            guards.push(Guard {
                project: n.project().to_string(),
                word: rules.word_for(n.project()),
            });
        }
    }
    let consent = if send.is_empty() {
        Consent::Nothing
    } else if !guards.is_empty() {
        Consent::Protected {
            guards,
            count: send.len(),
        }
    } else if send.len() > rules.threshold {
        Consent::Count(send.len())
    } else {
        Consent::Yes
    };
    Decision {
        kind,
        send,
        skipped,
        consent,
        reasons,
    }
}

/// How the CLI may go on, given what its flags already say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliConsent {
    /// The flags are consent enough.
    Granted,
    /// Ask at the terminal: a yes when `typed` is empty, else each word typed in turn.
    Ask { typed: Vec<String> },
    /// No terminal to ask at, or the flags fall short; the message says what to pass.
    Refused(String),
}

/// `--yes` stands for the yes and for the typed count; a protected project needs its word
/// (alias or id) given with `--confirm` as well, since a script's blanket `--yes` is exactly
/// what protection is for. `interactive` says a terminal can be asked.
pub fn cli_consent(
    consent: &Consent,
    yes: bool,
    confirm: &[String],
    interactive: bool,
) -> CliConsent {
    let missing: Vec<&Guard> = match consent {
        Consent::Protected { guards, .. } => guards
            .iter()
            .filter(|g| !confirm.iter().any(|c| g.accepts(c)))
            .collect(),
        _ => Vec::new(),
    };
    match consent {
        Consent::Nothing => CliConsent::Granted,
        _ if yes && missing.is_empty() => CliConsent::Granted,
        _ if interactive => CliConsent::Ask {
            typed: match consent {
                Consent::Count(n) => vec![n.to_string()],
                Consent::Protected { .. } => missing.iter().map(|g| g.word.clone()).collect(),
                _ => Vec::new(),
            },
        },
        Consent::Protected { .. } if !missing.is_empty() => {
            let words: Vec<&str> = missing.iter().map(|g| g.word.as_str()).collect();
            let projects: Vec<String> = missing
                .iter()
                .map(|g| format!("projects/{}", g.project))
                .collect();
            CliConsent::Refused(format!(
                "{} {} protected: --yes alone is not enough; pass --yes --confirm {}",
                projects.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                words.join(",")
            ))
        }
        _ => CliConsent::Refused("no terminal to confirm at: pass --yes".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> HashMap<String, ProjectFlags> {
        let mut m = HashMap::new();
        m.insert(
            "evil".to_string(),
            ProjectFlags {
                read_only: true,
                ..Default::default()
            },
        );
        m.insert(
            "prod-1234".to_string(),
            ProjectFlags {
                alias: Some("prod".into()),
                protected: true,
                ..Default::default()
            },
        );
        m
    }

    fn running(name: &str) -> Candidate<'_> {
        Candidate {
            name,
            listed_under: None,
            active: true,
            under_way: false,
            service: None,
        }
    }

    #[test]
    fn a_method_the_api_lacks_is_skipped_with_its_reason() {
        let f = HashMap::new();
        let rules = Rules {
            read_only: false,
            threshold: 20,
            projects: &f,
        };
        let run = crate::api::service::builtin("run").unwrap();
        let redis = crate::api::service::builtin("redis").unwrap();
        let d = decide(
            &rules,
            MutationKind::Cancel,
            [
                Candidate {
                    service: Some(run),
                    ..running("projects/p/locations/l/operations/a")
                },
                Candidate {
                    service: Some(redis),
                    ..running("projects/p/locations/l/operations/b")
                },
            ],
        );
        assert_eq!(d.send.len(), 1);
        assert_eq!(d.send[0].id(), "b");
        assert_eq!(d.skipped(Skip::Unsupported), 1);
        assert_eq!(
            d.reason("projects/p/locations/l/operations/a"),
            Some("Cloud Run operations cannot be cancelled")
        );
        // Run can delete: the same operation is sent for a delete.
        let d = decide(
            &rules,
            MutationKind::Delete,
            [Candidate {
                service: Some(run),
                ..running("projects/p/locations/l/operations/a")
            }],
        );
        assert_eq!(d.send.len(), 1);
    }

    #[test]
    fn a_listed_name_outside_its_parent_is_never_sent() {
        let f = flags();
        let rules = Rules {
            read_only: false,
            threshold: 20,
            projects: &f,
        };
        let parent = LocationName::new("p", "l").unwrap();
        let listed = |name| Candidate {
            listed_under: Some(&parent),
            ..running(name)
        };
        let d = decide(
            &rules,
            MutationKind::Cancel,
            [
                listed("projects/p/locations/l/operations/a"),
                listed("projects/evil/locations/l/operations/x"),
                listed("projects/other/locations/l/operations/x"),
                listed("projects/p/locations/m/operations/x"),
                listed("projects/p/locations/l/operations/../x"),
            ],
        );
        assert_eq!(
            d.send
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<String>>(),
            ["projects/p/locations/l/operations/a"]
        );
        assert_eq!(d.skipped(Skip::Foreign), 3);
        assert_eq!(d.skipped(Skip::BadName), 1);
        assert_eq!(d.consent, Consent::Yes);
    }

    #[test]
    fn read_only_and_protected_follow_the_name() {
        let f = flags();
        let rules = Rules {
            read_only: false,
            threshold: 1,
            projects: &f,
        };
        let d = decide(
            &rules,
            MutationKind::Delete,
            [
                running("projects/evil/locations/l/operations/x"),
                running("projects/prod-1234/locations/l/operations/y"),
                running("projects/p/locations/l/operations/z"),
            ],
        );
        assert_eq!(d.skipped(Skip::ReadOnly), 1);
        assert_eq!(d.send.len(), 2);
        let Consent::Protected { guards, count } = &d.consent else {
            panic!("{:?}", d.consent)
        };
        assert_eq!((guards[0].word.as_str(), *count), ("prod", 2));
        assert!(guards[0].accepts("prod") && guards[0].accepts("prod-1234"));
        assert!(!guards[0].accepts("staging"));
        // Everything read-only: nothing is sent, whatever the project.
        let all = Rules {
            read_only: true,
            ..rules
        };
        let d = decide(
            &all,
            MutationKind::Cancel,
            [running("projects/p/locations/l/operations/z")],
        );
        assert!(d.send.is_empty());
        assert_eq!(d.consent, Consent::Nothing);
    }

    #[test]
    fn cancel_skips_the_finished_and_the_under_way_but_delete_does_not() {
        let f = HashMap::new();
        let rules = Rules {
            read_only: false,
            threshold: 20,
            projects: &f,
        };
        let done = Candidate {
            active: false,
            ..running("projects/p/locations/l/operations/a")
        };
        let sending = Candidate {
            under_way: true,
            ..running("projects/p/locations/l/operations/b")
        };
        let d = decide(&rules, MutationKind::Cancel, [done, sending, done]);
        assert!(d.send.is_empty());
        assert_eq!(
            (d.skipped(Skip::Done), d.skipped(Skip::UnderWay)),
            (1, 1),
            "duplicates count once"
        );
        let d = decide(&rules, MutationKind::Delete, [done, sending]);
        assert_eq!(d.send.len(), 2);
    }

    #[test]
    fn the_threshold_asks_for_the_count() {
        let f = HashMap::new();
        let rules = Rules {
            read_only: false,
            threshold: 2,
            projects: &f,
        };
        let names: Vec<String> = (0..3)
            .map(|i| format!("projects/p/locations/l/operations/{i}"))
            .collect();
        let d = decide(
            &rules,
            MutationKind::Cancel,
            names.iter().map(|n| running(n)),
        );
        assert_eq!(d.consent, Consent::Count(3));
        let d = decide(
            &rules,
            MutationKind::Cancel,
            names[..2].iter().map(|n| running(n)),
        );
        assert_eq!(d.consent, Consent::Yes);
    }

    #[test]
    fn the_cli_needs_the_word_for_a_protected_project() {
        let guard = Guard {
            project: "prod-1234".into(),
            word: "prod".into(),
        };
        let c = Consent::Protected {
            guards: vec![guard],
            count: 3,
        };
        let CliConsent::Refused(why) = cli_consent(&c, true, &[], false) else {
            panic!()
        };
        assert!(why.contains("--yes --confirm prod"), "{why}");
        assert!(matches!(
            cli_consent(&c, true, &["staging".into()], false),
            CliConsent::Refused(_)
        ));
        for word in ["prod", "prod-1234"] {
            assert_eq!(
                cli_consent(&c, true, &[word.into()], false),
                CliConsent::Granted
            );
        }
        assert_eq!(
            cli_consent(&c, false, &["prod".into()], false),
            CliConsent::Refused("no terminal to confirm at: pass --yes".into())
        );
        assert_eq!(
            cli_consent(&c, true, &[], true),
            CliConsent::Ask {
                typed: vec!["prod".into()]
            }
        );
        assert_eq!(
            cli_consent(&Consent::Count(30), false, &[], true),
            CliConsent::Ask {
                typed: vec!["30".into()]
            }
        );
        assert_eq!(
            cli_consent(&Consent::Count(30), true, &[], false),
            CliConsent::Granted
        );
    }
}
