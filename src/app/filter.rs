//! The filter language shared by the dashboard's `/` and the CLI's `--filter`.
//!
//! Terms separated by spaces must all match. `key=value` compares a field (`state`, `verb`,
//! `location`, `project` (its id or its alias), `service` (the API's short name: `run`);
//! case-insensitive; `a,b` means either), `key!=value` excludes, and
//! any other word is a substring of the name, target, verb or status message.

use crate::api::Operation;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    State,
    Verb,
    Location,
    Project,
    Service,
}

impl Field {
    fn parse(s: &str) -> Option<Field> {
        match s.to_ascii_lowercase().as_str() {
            "state" | "status" => Some(Field::State),
            "verb" => Some(Field::Verb),
            "location" | "loc" => Some(Field::Location),
            "project" => Some(Field::Project),
            "service" | "api" => Some(Field::Service),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    Field {
        field: Field,
        values: Vec<String>,
        negate: bool,
    },
    Text(String),
    /// `age>2h` (older than), `age<30m` (younger than): since creation.
    Age {
        older: bool,
        than: std::time::Duration,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    source: String,
    terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

/// What a filter looks at in one operation. `state` is the displayed state word
/// (RUNNING, CANCELLING, CANCELLED, DONE, FAILED, CANCEL REFUSED).
pub struct Subject<'a> {
    pub state: &'a str,
    pub verb: &'a str,
    pub location: &'a str,
    pub project: &'a str,
    /// The project's alias from the config, if it has one: what the PROJECT column shows,
    /// so `project=` matches it as well as the id.
    pub project_alias: Option<&'a str>,
    /// The short name of the API that listed it (`run`); empty where none is known (the
    /// old single-endpoint setup), which no `service=` matches.
    pub service: &'a str,
    pub text: [&'a str; 3],
    /// Since creation, where the operation says when it was created.
    pub age: Option<std::time::Duration>,
}

impl<'a> Subject<'a> {
    /// An operation as a filter sees it, in the state the caller shows it in: the dashboard
    /// knows states the server does not (a cancel under way), the CLI has only the server's.
    /// `projects` gives the alias `project=` matches besides the id.
    pub fn of(
        op: &'a Operation,
        state: &'a str,
        now: jiff::Timestamp,
        projects: &'a std::collections::HashMap<String, super::ProjectFlags>,
    ) -> Subject<'a> {
        let project = op.project();
        Subject {
            state,
            verb: op.verb(),
            location: op.location(),
            project,
            project_alias: super::alias_of(projects, project),
            service: "",
            text: [&op.name, op.target(), op.status_message()],
            age: op
                .create_time()
                .map(|t| now.duration_since(t).unsigned_abs()),
        }
    }
}

fn normalise_state(s: &str) -> String {
    s.to_ascii_lowercase().replace([' ', '_', '-'], "")
}

/// Every word `state=` knows, normalised: the displayed states, and `active` for those still
/// running on the server. A misspelling must be an error: `state!=runing` matching every
/// operation would let `delete --filter` reach running ones.
const STATES: [&str; 7] = [
    "running",
    "cancelling",
    "cancelrefused",
    "cancelled",
    "done",
    "failed",
    "active",
];

impl Filter {
    pub fn parse(s: &str) -> Result<Filter, FilterError> {
        let mut terms = Vec::new();
        for word in s.split_whitespace() {
            if let Some(term) = age_term(word)? {
                terms.push(term);
                continue;
            }
            let (key, value, negate) = if let Some((k, v)) = word.split_once("!=") {
                (k, v, true)
            } else if let Some((k, v)) = word.split_once('=') {
                (k, v, false)
            } else {
                terms.push(Term::Text(word.to_lowercase()));
                continue;
            };
            let field = Field::parse(key).ok_or_else(|| {
                FilterError(format!(
                    "unknown field {key:?} in {word:?}: use state=, verb=, location=, project=, service=, age> or age<"
                ))
            })?;
            let values: Vec<String> = value
                .split(',')
                .filter(|v| !v.is_empty())
                .map(|v| match field {
                    Field::State => normalise_state(v),
                    _ => v.to_lowercase(),
                })
                .collect();
            if values.is_empty() {
                return Err(FilterError(format!("{word:?} needs a value after '='")));
            }
            if field == Field::State
                && let Some(bad) = values.iter().find(|v| !STATES.contains(&v.as_str()))
            {
                return Err(FilterError(format!(
                    "unknown state {bad:?} in {word:?}: use running, cancelling, cancel-refused, cancelled, done, failed or active"
                )));
            }
            terms.push(Term::Field {
                field,
                values,
                negate,
            });
        }
        Ok(Filter {
            source: s.trim().to_string(),
            terms,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether what it matches changes as time passes (an `age>`/`age<` term).
    pub fn uses_age(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::Age { .. }))
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn matches(&self, s: &Subject<'_>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(needle) => s.text.iter().any(|h| contains_ci(h, needle)),
            // An operation that does not say when it began has no age to compare.
            Term::Age { older, than } => s
                .age
                .is_some_and(|a| if *older { a > *than } else { a < *than }),
            Term::Field {
                field,
                values,
                negate,
            } => {
                let hit = match field {
                    Field::State => {
                        let st = normalise_state(s.state);
                        // `state=active` is every state that is not finished.
                        values.iter().any(|v| {
                            *v == st
                                || (v == "active"
                                    && matches!(
                                        st.as_str(),
                                        "running" | "cancelling" | "cancelrefused"
                                    ))
                        })
                    }
                    Field::Verb => values.iter().any(|v| eq_ci(s.verb, v)),
                    Field::Location => values.iter().any(|v| eq_ci(s.location, v)),
                    Field::Project => values.iter().any(|v| {
                        eq_ci(s.project, v) || s.project_alias.is_some_and(|a| eq_ci(a, v))
                    }),
                    Field::Service => values.iter().any(|v| eq_ci(s.service, v)),
                };
                hit != *negate
            }
        })
    }
}

/// `age>D` or `age<D`, D a duration as people write them (`2h`, `30m`, `1h30m`).
fn age_term(word: &str) -> Result<Option<Term>, FilterError> {
    let lower = word.to_ascii_lowercase();
    let (older, rest) = if let Some(r) = lower.strip_prefix("age>") {
        (true, r)
    } else if let Some(r) = lower.strip_prefix("age<") {
        (false, r)
    } else {
        return Ok(None);
    };
    let than = crate::human::parse_human_duration(rest)
        .map_err(|e| FilterError(format!("{word:?}: {e}")))?;
    Ok(Some(Term::Age { older, than }))
}

/// `field` equals `value_lower` (a value already lowercased) ignoring case, Unicode case
/// included: the values were lowercased with `to_lowercase`, so `verb=Р` is `р` and must
/// still match a verb `Р`. Found by `fuzz/` (target `filter`).
fn eq_ci(field: &str, value_lower: &str) -> bool {
    if field.is_ascii() && value_lower.is_ascii() {
        return field.eq_ignore_ascii_case(value_lower);
    }
    field.to_lowercase() == value_lower
}

fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    if haystack.is_ascii() && needle_lower.is_ascii() {
        let h = haystack.as_bytes();
        let n = needle_lower.as_bytes();
        return n.is_empty()
            || h.windows(n.len())
                .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    haystack.to_lowercase().contains(needle_lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(state: &'a str, verb: &'a str, location: &'a str) -> Subject<'a> {
        Subject {
            state,
            verb,
            location,
            project: "prod-1",
            project_alias: Some("prod"),
            service: "",
            text: [
                "projects/prod-1/locations/x/operations/op-1",
                "…/codeRepositoryIndexes/idx-Payments",
                "",
            ],
            age: Some(std::time::Duration::from_secs(600)),
        }
    }

    #[test]
    fn ages_older_and_younger() {
        let s = subject("RUNNING", "create", "global");
        let m = |f: &str| Filter::parse(f).unwrap().matches(&s);
        assert!(m("age>5m") && m("age<1h") && m("AGE>9m59s"));
        assert!(!m("age>10m") && !m("age<10m") && !m("age>2h"));
        assert!(m("state=running age>2m payments"));
        let unknown = Subject {
            age: None,
            ..subject("RUNNING", "create", "global")
        };
        assert!(!Filter::parse("age>1s").unwrap().matches(&unknown));
        assert!(!Filter::parse("age<1h").unwrap().matches(&unknown));
        for bad in ["age>", "age>soon", "age<-5m"] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn predicates_and_text() {
        let s = subject("CANCEL REFUSED", "create", "us-central1");
        let m = |f: &str| Filter::parse(f).unwrap().matches(&s);
        assert!(m(""));
        assert!(m("state=cancel_refused"));
        assert!(m("STATE=cancelrefused,running"));
        assert!(!m("state=running"));
        assert!(m("state!=running"));
        assert!(m("verb=CREATE location=us-central1"));
        assert!(!m("verb=create location=global"));
        assert!(m("payments"));
        assert!(m("project=PROD-1 idx-pay"));
        // By the alias the PROJECT column shows, or by the id.
        assert!(m("project=Prod") && m("project=prod,staging"));
        assert!(!m("project!=prod") && !m("project!=prod-1"));
        assert!(!m("project=pro"));
        assert!(!m("nothing-like-this"));
        let running = subject("CANCELLING", "delete", "global");
        assert!(Filter::parse("state=active").unwrap().matches(&running));
        // Refused is still running on the server.
        assert!(Filter::parse("state=active").unwrap().matches(&s));
    }

    #[test]
    fn service_matches_the_api_that_listed_the_row() {
        let run = Subject {
            service: "run",
            ..subject("RUNNING", "create", "us-central1")
        };
        let m = |f: &str| Filter::parse(f).unwrap().matches(&run);
        assert!(m("service=run") && m("SERVICE=Run") && m("service=aiplatform,run"));
        assert!(m("api=run") && m("service!=aiplatform"));
        assert!(!m("service=aiplatform") && !m("service!=run") && !m("service=ru"));
        // A row of the old setup names no API: `service=` never matches it, `!=` always.
        let none = subject("RUNNING", "create", "us-central1");
        assert!(
            !Filter::parse("service=cloudaicompanion")
                .unwrap()
                .matches(&none)
        );
        assert!(Filter::parse("service!=run").unwrap().matches(&none));
        assert!(Filter::parse("service=").is_err());
    }

    #[test]
    fn field_values_ignore_unicode_case_too() {
        // fuzz/regressions/filter/verb-non-ascii-case: `verb=Р` was lowercased to `р` and
        // then compared ASCII-only, so it missed the verb `Р` it names.
        let s = Subject {
            state: "RUNNING",
            verb: "Р",
            location: "Ä",
            project: "p",
            project_alias: None,
            service: "",
            text: ["", "", ""],
            age: None,
        };
        let m = |f: &str| Filter::parse(f).unwrap().matches(&s);
        assert!(m("verb=Р") && m("verb=р"));
        assert!(m("location=ä") && m("location=Ä"));
        assert!(!m("verb!=Р"));
        assert!(!m("verb=P"), "a Latin P is not a Cyrillic Р");
        assert!(m("project=P"));
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(
            Filter::parse("colour=red")
                .unwrap_err()
                .0
                .contains("colour")
        );
        assert!(Filter::parse("state=").is_err());
        for bad in ["state!=runing", "state=bogus", "status=running,donee"] {
            let e = Filter::parse(bad).unwrap_err().0;
            assert!(
                e.contains("unknown state") && e.contains("running, cancelling"),
                "{bad}: {e}"
            );
        }
        for good in [
            "state=RUNNING",
            "state=cancel-refused",
            "state!=done,failed",
            "state=active",
        ] {
            assert!(Filter::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            Filter::parse("  verb=create ").unwrap().as_str(),
            "verb=create"
        );
    }
}
