//! The filter language shared by the dashboard's `/` and the CLI's `--filter`.
//!
//! Terms separated by spaces must all match. `key=value` compares a field (`state`, `verb`,
//! `location`, `project` (its id or its alias); case-insensitive; `a,b` means either), `key!=value` excludes, and
//! any other word is a substring of the name, target, verb or status message.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    State,
    Verb,
    Location,
    Project,
}

impl Field {
    fn parse(s: &str) -> Option<Field> {
        match s.to_ascii_lowercase().as_str() {
            "state" | "status" => Some(Field::State),
            "verb" => Some(Field::Verb),
            "location" | "loc" => Some(Field::Location),
            "project" => Some(Field::Project),
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
    pub text: [&'a str; 3],
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
                    "unknown field {key:?} in {word:?}: use state=, verb=, location= or project="
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

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn matches(&self, s: &Subject<'_>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(needle) => s.text.iter().any(|h| contains_ci(h, needle)),
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
                };
                hit != *negate
            }
        })
    }
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
            text: [
                "projects/prod-1/locations/x/operations/op-1",
                "…/codeRepositoryIndexes/idx-Payments",
                "",
            ],
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
    fn field_values_ignore_unicode_case_too() {
        // fuzz/regressions/filter/verb-non-ascii-case: `verb=Р` was lowercased to `р` and
        // then compared ASCII-only, so it missed the verb `Р` it names.
        let s = Subject {
            state: "RUNNING",
            verb: "Р",
            location: "Ä",
            project: "p",
            project_alias: None,
            text: ["", "", ""],
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
