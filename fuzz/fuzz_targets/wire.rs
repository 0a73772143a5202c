//! The wire model: whatever bytes a server sends.
//!
//! - Any bytes, read as a `ListOperationsResponse` and as an `Operation`: never a panic.
//! - What parses: the dashboard's accessors never panic and agree with the name parser;
//!   it serializes, and what is written reads back; after that one round trip the value is
//!   a fixed point (parse(write(v)) == v, and the text written again is the same), and
//!   what the dashboard shows of it is unchanged by the round trip.
//! - Any bytes as an error body (with an HTTP status and `Retry-After` from the input's
//!   first line when it has one): never a panic, a message and reason free of control
//!   characters, and a retry delay no longer than the hour `Retry-After` is capped at.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lrotop::api::error::parse_error_body;
use lrotop::api::{ListOperationsResponse, Metadata, Operation, OperationName, Status};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::Debug;
use std::time::Duration;

/// What the dashboard and the CLI show of an operation.
#[derive(Debug, PartialEq)]
struct View {
    name: String,
    outcome: lrotop::api::Outcome,
    done: bool,
    verb: String,
    target: String,
    status_message: String,
    project: String,
    location: String,
    id: String,
    create_time: Option<String>,
    end_time: Option<String>,
    requested_cancellation: bool,
    error: Option<Status>,
    response: Option<Value>,
    metadata_type: Option<String>,
}

fn view(op: &Operation) -> View {
    let v = View {
        name: op.name.clone(),
        outcome: op.outcome(),
        done: op.done,
        verb: op.verb().to_string(),
        target: op.target().to_string(),
        status_message: op.status_message().to_string(),
        project: op.project().to_string(),
        location: op.location().to_string(),
        id: op.id().to_string(),
        create_time: op.create_time().map(|t| t.to_string()),
        end_time: op.end_time().map(|t| t.to_string()),
        requested_cancellation: op.requested_cancellation(),
        error: op.error.as_deref().cloned(),
        response: op.response.as_ref().map(|j| j.value()),
        metadata_type: op
            .metadata
            .as_ref()
            .and_then(Metadata::type_url)
            .map(str::to_string),
    };
    let _ = op.outcome().word();
    let _ = op.create_stamp();
    // The positional accessors agree with the name parser on every valid name.
    if let Ok(n) = OperationName::parse(&op.name) {
        assert_eq!(
            (v.project.as_str(), v.location.as_str(), v.id.as_str()),
            (n.project(), n.location(), n.id())
        );
    }
    v
}

/// Writes `first`, reads it back, and checks the round trip settles at once.
fn round_trip<T>(first: &T) -> T
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let text1 = serde_json::to_vec(first).expect("a parsed value serializes");
    let second: T = serde_json::from_slice(&text1).unwrap_or_else(|e| {
        panic!(
            "what was written does not read back: {e}\n{}",
            String::from_utf8_lossy(&text1)
        )
    });
    let text2 = serde_json::to_vec(&second).expect("serializes again");
    let third: T = serde_json::from_slice(&text2).expect("reads back again");
    assert_eq!(second, third, "not a fixed point after one round trip");
    let text3 = serde_json::to_vec(&third).expect("serializes a third time");
    assert_eq!(
        String::from_utf8_lossy(&text2),
        String::from_utf8_lossy(&text3),
        "the text written changes from one round trip to the next"
    );
    second
}

/// Raw metadata is written as the JSON tree it was read as; a tree whose duplicate keys
/// were what made the typed reading fail can read back typed. Everything else must show
/// the same after the round trip.
fn same_view(first: &Operation, second: &Operation) {
    let (mut a, mut b) = (view(first), view(second));
    if matches!(first.metadata, Some(Metadata::Raw(_))) {
        for v in [&mut a, &mut b] {
            v.verb.clear();
            v.target.clear();
            v.status_message.clear();
            v.create_time = None;
            v.end_time = None;
            v.requested_cancellation = false;
        }
    }
    assert_eq!(a, b, "the round trip changes what is shown");
}

fn no_control(what: &str, s: &str) {
    assert!(
        !s.chars().any(char::is_control),
        "{what} has a control character: {s:?}"
    );
}

fn error_body(http: u16, retry_after: Option<&str>, body: &[u8]) {
    let e = parse_error_body(http, retry_after, body);
    assert_eq!(e.http, http);
    no_control("message", &e.message);
    if let Some(r) = &e.reason {
        no_control("reason", r);
    }
    no_control("display", &e.to_string());
    if let Some(d) = e.retry_delay {
        assert!(d <= Duration::from_secs(3600), "retry delay {d:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = serde_json::from_slice::<ListOperationsResponse>(data) {
        let second = round_trip(&list);
        assert_eq!(list.operations.len(), second.operations.len());
        assert_eq!(list.next_page_token, second.next_page_token);
        assert_eq!(list.unreachable, second.unreachable);
        for (a, b) in list.operations.iter().zip(&second.operations) {
            same_view(a, b);
        }
    }
    if let Ok(op) = serde_json::from_slice::<Operation>(data) {
        let second = round_trip(&op);
        same_view(&op, &second);
    }

    // An error body: the whole input (as a 503 without `Retry-After`), and, when the first
    // line is `STATUS[ RETRY-AFTER]`, the rest under that status and header.
    error_body(503, None, data);
    if let Some(nl) = data.iter().take(80).position(|&b| b == b'\n')
        && let Ok(head) = std::str::from_utf8(&data[..nl])
    {
        let (status, header) = match head.split_once(' ') {
            Some((s, h)) => (s, Some(h)),
            None => (head, None),
        };
        if let Ok(http) = status.parse::<u16>() {
            error_body(http, header, &data[nl + 1..]);
        }
    }
});
