//! Where in the Cloud Console an operation can be looked at.
//!
//! Google publishes no console page per operation, for any of these APIs: an operation has
//! no page of its own, only the resource it works on does. What the console does show of
//! every operation, whatever its API, is the audit trail: Cloud Audit Logs put the
//! operation's name in each entry's `operation.id`, from its first entry to its last. So the
//! link is Logs Explorer, in the operation's project, asking for exactly those entries over
//! the operation's lifetime. A `[[service]]` whose console does have such a page names it
//! with a template (`console = "https://…/{location}/{id}?project={project}"`), and that
//! page is used instead.

use super::names::OperationName;
use jiff::{SignedDuration, Timestamp};
use std::fmt;

const LOGS_EXPLORER: &str = "https://console.cloud.google.com/logs/query";

/// Entries written a little before the operation's create time, or after its end, still
/// belong to it (the request that started it; clocks of different services).
const SLACK: SignedDuration = SignedDuration::from_mins(5);

/// The placeholders a template may use, each replaced by that part of the operation's name.
pub const PLACEHOLDERS: [&str; 4] = ["{project}", "{location}", "{id}", "{name}"];

/// A console address, printable ASCII without spaces by construction: it goes to the
/// clipboard and into a terminal hyperlink, so nothing in it may be read as a control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleUrl {
    url: String,
    /// Which kind of page it is, for the words around it.
    pub page: Page,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// Logs Explorer, showing the operation's audit entries.
    AuditLog,
    /// The page the service's `console` template names.
    Service,
}

impl ConsoleUrl {
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `piece` of the address (bytes of it, clamped) as the text of an OSC 8 hyperlink to
    /// the whole address. Pieces with the same `id` are one link to the terminal, so an
    /// address wrapped over rows clicks as one. Both halves are printable ASCII: nothing in
    /// them can end the sequence early.
    pub fn hyperlink(&self, piece: std::ops::Range<usize>, id: &str) -> String {
        let end = piece.end.min(self.url.len());
        let text = self.url.get(piece.start.min(end)..end).unwrap_or("");
        let id: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        format!(
            "\u{1b}]8;id={id};{}\u{1b}\\{text}\u{1b}]8;;\u{1b}\\",
            self.url
        )
    }
}

impl fmt::Display for ConsoleUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// The console address for `name`: the service's own page when `template` names one,
/// else its audit entries in Logs Explorer, between `created` and `ended` (to now while it
/// runs) when the server said when it started.
pub fn url_for(
    name: &OperationName,
    created: Option<Timestamp>,
    ended: Option<Timestamp>,
    template: Option<&str>,
) -> ConsoleUrl {
    if let Some(t) = template {
        return ConsoleUrl {
            url: fill(t, name),
            page: Page::Service,
        };
    }
    let query = format!("operation.id=\"{name}\"");
    let mut url = format!("{LOGS_EXPLORER};query={}", encode(&query));
    if let Some(from) = created.and_then(|c| c.checked_sub(SLACK).ok()) {
        url.push_str(";timeRange=");
        url.push_str(&encode(&whole_second(from, false).to_string()));
        url.push_str("%2F");
        if let Some(to) = ended.and_then(|e| e.checked_add(SLACK).ok()) {
            url.push_str(&encode(&whole_second(to, true).to_string()));
        }
    }
    url.push_str("?project=");
    url.push_str(&encode(name.project()));
    ConsoleUrl {
        url,
        page: Page::AuditLog,
    }
}

/// `t` to the whole second before (or, with `up`, after) it: the range only widens, and the
/// address carries no nanoseconds.
fn whole_second(t: Timestamp, up: bool) -> Timestamp {
    let s = t.as_second() + i64::from(up && t.subsec_nanosecond() != 0);
    Timestamp::from_second(s).unwrap_or(t)
}

/// Checks a `console` template when the config is read, so a link never fails later: an
/// https address whose every `{…}` is a known placeholder, in printable ASCII.
pub fn check_template(t: &str) -> Result<(), String> {
    if !t.starts_with("https://") {
        return Err(format!("{t:?} is not an https:// address"));
    }
    if let Some(c) = t.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "{t:?} contains U+{:04X}; percent-encode it",
            c as u32
        ));
    }
    let mut rest = t;
    while let Some(open) = rest.find(['{', '}']) {
        let tail = &rest[open..];
        if tail.starts_with('}') {
            return Err(format!("{t:?} has a '}}' with no '{{'"));
        }
        let Some(p) = PLACEHOLDERS.iter().find(|p| tail.starts_with(**p)) else {
            let word = tail.split_inclusive('}').next().unwrap_or(tail);
            return Err(format!(
                "{t:?}: unknown placeholder {word} (expected {})",
                PLACEHOLDERS.join(", ")
            ));
        };
        rest = &tail[p.len()..];
    }
    Ok(())
}

/// The template with each placeholder replaced, percent-encoded (the name keeps its `/`).
fn fill(t: &str, name: &OperationName) -> String {
    let full = name.to_string();
    let parts: [(&str, String); 4] = [
        ("{project}", encode(name.project())),
        ("{location}", encode(name.location())),
        ("{id}", encode(name.id())),
        (
            "{name}",
            full.split('/').map(encode).collect::<Vec<_>>().join("/"),
        ),
    ];
    let mut out = String::with_capacity(t.len() + full.len());
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        match parts.iter().find(|(p, _)| tail.starts_with(p)) {
            Some((p, value)) => {
                out.push_str(value);
                rest = &tail[p.len()..];
            }
            // Checked when the config was read; a stray brace is kept, encoded.
            None => {
                out.push_str("%7B");
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace('}', "%7D")
}

/// Percent-encodes all but RFC 3986's unreserved characters: what is left can be neither a
/// delimiter of the console's address nor a control of the terminal.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> OperationName {
        OperationName::parse(s).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_audit_log_of_a_finished_operation() {
        let n = name("projects/my-proj/locations/us-central1/operations/op-1");
        let u = url_for(
            &n,
            Some(ts("2026-12-01T10:00:00Z")),
            Some(ts("2026-12-01T10:30:00Z")),
            None,
        );
        assert_eq!(u.page, Page::AuditLog);
        assert_eq!(
            u.as_str(),
            "https://console.cloud.google.com/logs/query\
             ;query=operation.id%3D%22projects%2Fmy-proj%2Flocations%2Fus-central1%2Foperations%2Fop-1%22\
             ;timeRange=2026-12-01T09%3A55%3A00Z%2F2026-12-01T10%3A35%3A00Z\
             ?project=my-proj"
        );
    }

    #[test]
    fn a_running_operation_is_shown_to_now_and_an_undated_one_over_the_default_range() {
        let n = name("projects/p/regions/europe-west1/operations/x");
        let running = url_for(&n, Some(ts("2026-12-01T10:00:00Z")), None, None);
        assert!(
            running
                .as_str()
                .contains(";timeRange=2026-12-01T09%3A55%3A00Z%2F?project=p"),
            "{running}"
        );
        assert!(running.as_str().contains("%2Fregions%2Feurope-west1%2F"));
        // Cut to whole seconds, outwards.
        let precise = url_for(
            &n,
            Some(ts("2026-12-01T10:00:00.9Z")),
            Some(ts("2026-12-01T10:30:00.1Z")),
            None,
        );
        assert!(
            precise
                .as_str()
                .contains(";timeRange=2026-12-01T09%3A55%3A00Z%2F2026-12-01T10%3A35%3A01Z?"),
            "{precise}"
        );
        let undated = url_for(&n, None, None, None);
        assert!(!undated.as_str().contains("timeRange"), "{undated}");
    }

    #[test]
    fn every_character_a_name_may_hold_is_encoded_away() {
        // The name grammar lets these through; none may reach the address raw.
        let n = name("projects/p;a=b&c/locations/l+1/operations/o'(x)*!$,@");
        for u in [
            url_for(&n, None, None, None),
            url_for(
                &n,
                None,
                None,
                Some("https://c.example/{project}/{name}?x={id}"),
            ),
        ] {
            let s = u.as_str();
            assert!(s.bytes().all(|b| b.is_ascii_graphic()), "{s}");
            for bad in ["p;a", "a=b", "&c", "l+1", "o'", "(x)", "*!", "$,@"] {
                assert!(!s.contains(bad), "{bad} in {s}");
            }
        }
    }

    #[test]
    fn a_template_is_filled_part_by_part() {
        let n = name("projects/p-1/locations/us-east1/operations/op-9");
        let u = url_for(
            &n,
            None,
            None,
            Some("https://console.cloud.google.com/x/{location}/{id}?project={project}&n={name}"),
        );
        assert_eq!(u.page, Page::Service);
        assert_eq!(
            u.as_str(),
            "https://console.cloud.google.com/x/us-east1/op-9?project=p-1\
             &n=projects/p-1/locations/us-east1/operations/op-9"
        );
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_template("https://console.cloud.google.com/{location}/{id}").is_ok());
        assert!(check_template("https://a.example/plain").is_ok());
        for (bad, why) in [
            ("http://console.cloud.google.com/{id}", "https"),
            ("console.cloud.google.com/{id}", "https"),
            ("https://a.example/{ID}", "unknown placeholder {ID}"),
            ("https://a.example/{region}", "unknown placeholder {region}"),
            ("https://a.example/{id", "unknown placeholder {id"),
            ("https://a.example/id}", "'}' with no '{'"),
            ("https://a.example/a b", "U+0020"),
            ("https://a.example/\u{1b}]8;;", "U+001B"),
            ("https://a.example/é", "U+00E9"),
        ] {
            let e = check_template(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
