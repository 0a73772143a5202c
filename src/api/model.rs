//! Google's wire types for `google.longrunning` and `google.cloud.location`, in proto3 JSON.
//!
//! Readers are lenient the way proto3 JSON parsers are: unknown fields are ignored, `null`
//! means the default, a missing `done` is false. Writers omit defaults, so what the
//! emulator serves looks like what Google serves.

use super::code::Code;
use super::time::opt_timestamp;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The Gemini for Google Cloud metadata type; other Google APIs use the same shape under
/// their own package, so any `…OperationMetadata` of that shape is read the same way.
pub const GEMINI_METADATA_TYPE: &str =
    "type.googleapis.com/google.cloud.cloudaicompanion.v1.OperationMetadata";
pub const EMPTY_TYPE: &str = "type.googleapis.com/google.protobuf.Empty";

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `google.rpc.Status`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub code: i32,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub message: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub details: Vec<Value>,
}

impl Status {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Status {
            code: code.as_i32(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn code(&self) -> Code {
        Code::from_i32(self.code)
    }
}

/// The common `OperationMetadata` shape (createTime, endTime, target, verb, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationMetadata {
    #[serde(rename = "@type")]
    pub type_url: String,
    #[serde(
        default,
        with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<Timestamp>,
    #[serde(
        default,
        with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<Timestamp>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub target: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub verb: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub status_message: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub requested_cancellation: bool,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// Fields this version does not know, kept so nothing is lost on the way through.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Operation.metadata`: typed when its `@type` is a known shape, raw JSON otherwise.
#[derive(Clone, Debug, PartialEq)]
pub enum Metadata {
    Known(Box<OperationMetadata>),
    Raw(Value),
}

impl Metadata {
    pub fn type_url(&self) -> Option<&str> {
        match self {
            Metadata::Known(m) => Some(&m.type_url),
            Metadata::Raw(v) => v.get("@type").and_then(Value::as_str),
        }
    }
}

fn is_operation_metadata_type(t: &str) -> bool {
    t == GEMINI_METADATA_TYPE
        || (t.starts_with("type.googleapis.com/google.cloud.") && t.ends_with(".OperationMetadata"))
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let known_type = v
            .get("@type")
            .and_then(Value::as_str)
            .is_some_and(is_operation_metadata_type);
        if known_type {
            // A known type with a field of the wrong shape is still shown, raw.
            if let Ok(m) = serde_json::from_value::<OperationMetadata>(v.clone()) {
                return Ok(Metadata::Known(Box::new(m)));
            }
        }
        Ok(Metadata::Raw(v))
    }
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Metadata::Known(m) => m.serialize(s),
            Metadata::Raw(v) => v.serialize(s),
        }
    }
}

/// `google.longrunning.Operation`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

/// What an operation's own fields say about it (the dashboard adds its cancel bookkeeping).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Running,
    Succeeded,
    Cancelled,
    Failed,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Running => "RUNNING",
            Outcome::Succeeded => "DONE",
            Outcome::Cancelled => "CANCELLED",
            Outcome::Failed => "FAILED",
        }
    }
}

impl Operation {
    pub fn meta(&self) -> Option<&OperationMetadata> {
        match &self.metadata {
            Some(Metadata::Known(m)) => Some(m),
            _ => None,
        }
    }

    pub fn outcome(&self) -> Outcome {
        if !self.done {
            return Outcome::Running;
        }
        match &self.error {
            Some(e) if e.code() == Code::Cancelled => Outcome::Cancelled,
            Some(e) if e.code != 0 => Outcome::Failed,
            _ => Outcome::Succeeded,
        }
    }

    pub fn create_time(&self) -> Option<Timestamp> {
        self.meta().and_then(|m| m.create_time)
    }

    pub fn end_time(&self) -> Option<Timestamp> {
        self.meta().and_then(|m| m.end_time)
    }

    pub fn verb(&self) -> &str {
        self.meta().map(|m| m.verb.as_str()).unwrap_or("")
    }

    pub fn target(&self) -> &str {
        self.meta().map(|m| m.target.as_str()).unwrap_or("")
    }

    pub fn requested_cancellation(&self) -> bool {
        self.meta().is_some_and(|m| m.requested_cancellation)
    }

    /// `segment` of `projects/{p}/locations/{l}/operations/{id}` by position, or "".
    fn name_segment(&self, index: usize) -> &str {
        self.name.split('/').nth(index).unwrap_or("")
    }

    pub fn project(&self) -> &str {
        self.name_segment(1)
    }

    pub fn location(&self) -> &str {
        self.name_segment(3)
    }

    /// The operation id: the last segment of the name (opaque: nothing is read from it).
    pub fn id(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or("")
    }
}

/// `google.longrunning.ListOperationsResponse`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOperationsResponse {
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub operations: Vec<Operation>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub next_page_token: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub unreachable: Vec<String>,
}

/// `google.cloud.location.Location`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub location_id: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub display_name: String,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// `google.cloud.location.ListLocationsResponse`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListLocationsResponse {
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub locations: Vec<Location>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub next_page_token: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const REAL: &str = r#"{"name": "projects/P/locations/us-central1/operations/operation-1737646069712-62c6140bb04bb-49261230-43701daf",
 "metadata": {"@type": "type.googleapis.com/google.cloud.cloudaicompanion.v1.OperationMetadata",
   "createTime": "2025-01-23T15:27:50.076075570Z", "endTime": "2025-01-23T15:29:01.5Z",
   "target": "projects/P/locations/us-central1/codeRepositoryIndexes/idx1",
   "verb": "create", "statusMessage": "Cancelling", "requestedCancellation": true, "apiVersion": "v1"},
 "done": true,
 "error": {"code": 1, "message": "Operation was cancelled.", "details": []}}"#;

    #[test]
    fn real_shaped_operation_round_trips() {
        let op: Operation = serde_json::from_str(REAL).unwrap();
        assert_eq!(op.outcome(), Outcome::Cancelled);
        assert_eq!(op.verb(), "create");
        assert_eq!(op.location(), "us-central1");
        assert_eq!(op.project(), "P");
        assert_eq!(
            op.id(),
            "operation-1737646069712-62c6140bb04bb-49261230-43701daf"
        );
        assert!(op.requested_cancellation());
        assert!(op.create_time().is_some());
        let again: Operation = serde_json::from_str(&serde_json::to_string(&op).unwrap()).unwrap();
        assert_eq!(op, again);
        // Defaults are omitted on the way out, as proto3 JSON does.
        let out = serde_json::to_value(&op).unwrap();
        assert!(out["error"].get("details").is_none());
        assert_eq!(
            out["metadata"]["createTime"],
            "2025-01-23T15:27:50.076075570Z"
        );
        assert_eq!(out["metadata"]["endTime"], "2025-01-23T15:29:01.500000000Z");
    }

    #[test]
    fn unknown_fields_and_types_are_tolerated_and_kept() {
        let v = json!({
            "name": "projects/p/locations/l/operations/o",
            "futureField": {"x": 1},
            "metadata": {"@type": "type.googleapis.com/google.cloud.cloudaicompanion.v1.OperationMetadata",
                         "verb": "update", "brandNewField": 7},
            "response": {"@type": "type.googleapis.com/some.Unknown", "weird": [1, 2]}
        });
        let op: Operation = serde_json::from_value(v).unwrap();
        assert!(!op.done, "a missing done means false");
        assert_eq!(op.outcome(), Outcome::Running);
        assert_eq!(op.verb(), "update");
        assert_eq!(op.meta().unwrap().extra["brandNewField"], 7);
        let out = serde_json::to_value(&op).unwrap();
        assert_eq!(out["metadata"]["brandNewField"], 7);
        assert_eq!(out["response"]["weird"], json!([1, 2]));

        let raw: Operation = serde_json::from_value(json!({
            "name": "projects/p/locations/l/operations/o",
            "metadata": {"@type": "type.googleapis.com/other.api.v2.BuildMetadata", "verb": 3},
            "done": null
        }))
        .unwrap();
        assert!(matches!(raw.metadata, Some(Metadata::Raw(_))));
        assert_eq!(raw.verb(), "");
        assert_eq!(
            raw.metadata.as_ref().and_then(Metadata::type_url),
            Some("type.googleapis.com/other.api.v2.BuildMetadata")
        );

        // A known type whose fields have the wrong shape is kept raw, not rejected.
        let odd: Operation = serde_json::from_value(json!({
            "name": "projects/p/locations/l/operations/o",
            "metadata": {"@type": GEMINI_METADATA_TYPE, "createTime": "not a time"}
        }))
        .unwrap();
        assert!(matches!(odd.metadata, Some(Metadata::Raw(_))));
    }

    #[test]
    fn outcomes() {
        let mut op = Operation {
            name: "projects/p/locations/l/operations/o".into(),
            done: true,
            ..Default::default()
        };
        assert_eq!(
            op.outcome(),
            Outcome::Succeeded,
            "done with neither error nor response"
        );
        op.error = Some(Status::new(Code::FailedPrecondition, "boom"));
        assert_eq!(op.outcome(), Outcome::Failed);
        op.error = Some(Status::new(Code::Ok, ""));
        assert_eq!(op.outcome(), Outcome::Succeeded);
        op.done = false;
        assert_eq!(op.outcome(), Outcome::Running);
    }

    #[test]
    fn list_responses_tolerate_nulls_and_omit_defaults() {
        let r: ListOperationsResponse =
            serde_json::from_str(r#"{"operations": null, "nextPageToken": null}"#).unwrap();
        assert!(r.operations.is_empty() && r.next_page_token.is_empty());
        assert_eq!(serde_json::to_string(&r).unwrap(), "{}");
        let r: ListOperationsResponse =
            serde_json::from_str(r#"{"unreachable": ["projects/p/locations/x"]}"#).unwrap();
        assert_eq!(r.unreachable.len(), 1);
        let l: ListLocationsResponse = serde_json::from_str(
            r#"{"locations": [{"name": "projects/p/locations/global", "locationId": "global", "labels": {"a": "b"}}]}"#,
        )
        .unwrap();
        assert_eq!(l.locations[0].location_id, "global");
    }
}
