//! The emulator's state: projects, locations and operations that move on a clock.

use crate::api::model::{
    EMPTY_TYPE, GEMINI_METADATA_TYPE, Metadata, Operation, OperationMetadata, Status,
};
use crate::api::time::{Stamp, format_timestamp};
use crate::api::{Code, Json, MetaText, Shared};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const TYPE_PREFIX: &str = "type.googleapis.com/google.cloud.cloudaicompanion.v1.";

/// How an operation answers `operations.cancel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelBehaviour {
    /// Accepted; the operation ends CANCELLED this long after the request.
    Honour(SignedDuration),
    /// Accepted, then ignored: the operation finishes as it would have.
    Ignore,
    /// 501 UNIMPLEMENTED.
    Unimplemented,
    /// 403 PERMISSION_DENIED.
    PermissionDenied,
}

/// How an operation ends if nobody cancels it.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    Succeed,
    Fail(Code, String),
}

#[derive(Clone, Debug)]
pub struct Ended {
    pub at: Timestamp,
    pub error: Option<Status>,
}

#[derive(Clone, Debug)]
pub struct OpRecord {
    pub seq: u64,
    pub id: String,
    pub created: Timestamp,
    pub verb: String,
    pub target: String,
    /// The message type of `response` on success (`None`: `google.protobuf.Empty`).
    pub response_type: Option<&'static str>,
    pub fate: Fate,
    /// `None`: runs until cancelled (or forever).
    pub finish_at: Option<Timestamp>,
    pub cancel: CancelBehaviour,
    pub cancel_requested: Option<Timestamp>,
    pub ended: Option<Ended>,
}

impl OpRecord {
    /// Moves the operation to where it is at `now`.
    pub fn advance(&mut self, now: Timestamp) {
        if self.ended.is_some() {
            return;
        }
        let cancel_at = match (self.cancel, self.cancel_requested) {
            (CancelBehaviour::Honour(delay), Some(t)) => Some(t + delay),
            _ => None,
        };
        let finish_at = self.finish_at;
        let earliest = match (cancel_at, finish_at) {
            (Some(c), Some(f)) => Some(c.min(f)),
            (a, b) => a.or(b),
        };
        let Some(at) = earliest.filter(|t| *t <= now) else {
            return;
        };
        let error = if cancel_at == Some(at) {
            Some(Status::new(Code::Cancelled, "Operation was cancelled."))
        } else {
            match &self.fate {
                Fate::Succeed => None,
                Fate::Fail(code, msg) => Some(Status::new(*code, msg.clone())),
            }
        };
        self.ended = Some(Ended { at, error });
    }

    pub fn is_done(&self) -> bool {
        self.ended.is_some()
    }

    fn status_message(&self) -> String {
        match (&self.ended, self.cancel_requested) {
            (Some(e), _) => match &e.error {
                Some(s) if s.code() == Code::Cancelled => "Cancelled".into(),
                Some(_) => "Failed".into(),
                None => "Succeeded".into(),
            },
            (None, Some(_)) => "Cancellation requested".into(),
            (None, None) => match self.verb.as_str() {
                "create" => "Creating".into(),
                "delete" => "Deleting".into(),
                _ => "Updating".into(),
            },
        }
    }

    /// The wire form, as `get` and `list` return it.
    pub fn view(&self, parent: &str) -> Operation {
        let meta = OperationMetadata {
            // Not pooled: the emulator keeps none of these, so a lookup would be pure cost.
            text: MetaText::unpooled(
                GEMINI_METADATA_TYPE,
                "v1",
                &self.verb,
                &self.status_message(),
            ),
            create_time: self.created.into(),
            end_time: Stamp::of(self.ended.as_ref().map(|e| e.at)),
            target: Shared::unpooled(&self.target),
            requested_cancellation: self.cancel_requested.is_some(),
            extra: None,
        };
        let (error, response) = match &self.ended {
            None => (None, None),
            Some(Ended { error: Some(e), .. }) => (Some(Box::new(e.clone())), None),
            Some(Ended { at, error: None }) => (None, Some(Json::from_value(&self.response(*at)))),
        };
        Operation {
            name: format!("{parent}/operations/{}", self.id),
            metadata: Some(Metadata::Known(meta)),
            done: self.ended.is_some(),
            error,
            response,
        }
    }

    /// A response of the API's real message types, with only their documented fields.
    fn response(&self, at: Timestamp) -> Value {
        let Some(kind) = self.response_type else {
            return json!({"@type": EMPTY_TYPE});
        };
        let mut v = json!({
            "@type": format!("{TYPE_PREFIX}{kind}"),
            "name": self.target,
            "createTime": format_timestamp(self.created),
            "updateTime": format_timestamp(at),
        });
        match kind {
            "CodeRepositoryIndex" => v["state"] = json!("ACTIVE"),
            "SettingBinding" => {
                v["target"] = json!("projects/123456789012");
                v["product"] = json!("GEMINI_CODE_ASSIST");
            }
            _ => {}
        }
        v
    }
}

#[derive(Debug, Default)]
pub struct LocationState {
    pub ops: BTreeMap<u64, OpRecord>,
    /// The next time the demo spawns an operation here.
    pub next_spawn: Option<Timestamp>,
}

#[derive(Debug, Default)]
pub struct ProjectState {
    pub locations: BTreeMap<String, LocationState>,
    /// `locations.list` order: as generated (global first), not alphabetical.
    pub location_order: Vec<String>,
}

/// Display names of the real regions the emulator serves.
pub fn display_name(location: &str) -> String {
    match location {
        "global" => "Global".into(),
        "us-central1" => "Iowa".into(),
        "us-east4" => "Northern Virginia".into(),
        "us-west1" => "Oregon".into(),
        "us-west4" => "Las Vegas".into(),
        "europe-west1" => "Belgium".into(),
        "europe-north1" => "Finland".into(),
        "asia-southeast1" => "Singapore".into(),
        other => other.replace('-', " "),
    }
}
