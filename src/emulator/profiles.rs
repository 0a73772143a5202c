//! The emulator as other Google APIs: each profile's metadata message, in that API's own
//! type and field names, made from the same simulated operation.
//!
//! Routing (see `server.rs`): the original world stays at `/v1/…` (cloudaicompanion); a
//! profile `NAME` is served at `/_svc/NAME/{version}/…`, and a regional one (host template
//! with `{location}`) at `/_svc/NAME/{location}/{version}/…`, the location standing where
//! the host would carry it. [`endpoint_for`] is the override that maps the profile's host
//! to that prefix, `{location}` included, so the client builds per-location URLs exactly as
//! it does for Google's hosts.

use super::world::OpRecord;
use crate::api::model::{EMPTY_TYPE, Metadata, read_shape};
use crate::api::service::{LOCATION_PLACEHOLDER, MetaShape, ServiceProfile};
use crate::api::time::format_timestamp;
use crate::api::{Json, Operation};
use serde_json::{Value, json};

/// The path prefix a profile is served under.
pub const PREFIX: &str = "_svc";

/// The endpoint override that sends `profile`'s requests to the emulator at `base`
/// (`http://127.0.0.1:PORT`): its host template, mapped to loopback.
pub fn endpoint_for(base: &str, profile: &ServiceProfile) -> String {
    let base = base.trim_end_matches('/');
    if profile.is_regional() {
        format!("{base}/{PREFIX}/{}/{LOCATION_PLACEHOLDER}", profile.name)
    } else {
        format!("{base}/{PREFIX}/{}", profile.name)
    }
}

/// The API's service name, as its error domain and its resources' full names say it
/// (`redis.googleapis.com`, `aiplatform.googleapis.com`): the profile's host without a
/// regional prefix, or `NAME.googleapis.com` for a host that is not Google's.
pub fn service_domain(p: &ServiceProfile) -> String {
    let host = p.host.split_once("://").map_or(p.host.as_str(), |(_, h)| h);
    let host = host.split(['/', ':']).next().unwrap_or_default();
    let host = host
        .strip_prefix(&format!("{LOCATION_PLACEHOLDER}-"))
        .unwrap_or(host);
    match host.strip_suffix(".googleapis.com") {
        Some(service) if !service.is_empty() && !service.contains(['{', '}', '.']) => {
            host.to_string()
        }
        _ => format!("{}.googleapis.com", p.name),
    }
}

/// The shape the profile's (first) metadata type has.
fn shape(p: &ServiceProfile) -> MetaShape {
    p.types.first().map_or(MetaShape::Common, |k| k.shape)
}

/// The profile's metadata type for this operation.
fn type_url(p: &ServiceProfile, rec: &OpRecord) -> String {
    let first = p.types.first().map(|k| k.pattern.as_str()).unwrap_or("");
    match first.strip_suffix('*') {
        // A family of types: pick a real member for the verb.
        Some(prefix) if shape(p) == MetaShape::VertexGeneric => {
            let message = match rec.verb.as_str() {
                "create" => "CreateDatasetOperationMetadata",
                "delete" => "DeleteOperationMetadata",
                _ => "UpdateIndexOperationMetadata",
            };
            format!("{prefix}{message}")
        }
        Some(prefix) => format!("{prefix}Service"),
        None => first.to_string(),
    }
}

/// What the profile's operations act on: the world's target, renamed into the API's own
/// resource collection.
fn target(p: &ServiceProfile, rec: &OpRecord, parent: &str) -> String {
    let last = rec.target.rsplit('/').next().unwrap_or("x");
    let kind = match p.name.as_str() {
        "run" => "services",
        "alloydb" => "clusters",
        "redis" | "filestore" => "instances",
        "workflows" => "workflows",
        "dataproc" => return format!("cluster-{last}"),
        "aiplatform" => "datasets",
        _ => "resources",
    };
    format!("{parent}/{kind}/{last}")
}

/// `op` (the world's own view of `rec`) as `p` serves it.
pub fn restyle(p: &ServiceProfile, rec: &OpRecord, mut op: Operation) -> Operation {
    let parent = op
        .name
        .rsplit_once("/operations/")
        .map(|(parent, _)| parent.to_string())
        .unwrap_or_default();
    let created = format_timestamp(rec.created);
    let ended = rec.ended.as_ref().map(|e| format_timestamp(e.at));
    let t = type_url(p, rec);
    let target = target(p, rec, &parent);
    let status = op.status_message().to_string();
    let cancel = rec.cancel_requested.is_some();
    let mut v = match shape(p) {
        MetaShape::Common => json!({
            "@type": t, "createTime": created, "target": target, "verb": rec.verb,
            "statusMessage": status, "requestedCancellation": cancel, "apiVersion": p.version,
        }),
        MetaShape::CommonDetail => json!({
            "@type": t, "createTime": created, "target": target, "verb": rec.verb,
            "statusDetail": status, "cancelRequested": cancel, "apiVersion": p.version,
        }),
        MetaShape::VertexGeneric => json!({
            "@type": t,
            "genericMetadata": {"createTime": created, "updateTime": ended.clone().unwrap_or(created.clone())},
        }),
        MetaShape::RunResource => {
            let mut v = json!({
                "@type": t, "name": target, "uid": format!("uid-{}", rec.seq),
                "createTime": if rec.verb == "create" { created.clone() } else { "2025-01-01T00:00:00Z".into() },
                "updateTime": created,
                "reconciling": rec.ended.is_none(),
            });
            if rec.verb == "delete" {
                v["deleteTime"] = json!(v["updateTime"]);
            }
            if let Some(e) = &rec.ended {
                let (state, message) = match &e.error {
                    None => ("CONDITION_SUCCEEDED", String::new()),
                    Some(s) => ("CONDITION_FAILED", s.message.clone()),
                };
                v["terminalCondition"] =
                    json!({"type": "Ready", "state": state, "message": message});
            }
            v
        }
        MetaShape::DataprocCluster => json!({
            "@type": t, "clusterName": target, "clusterUuid": format!("uuid-{}", rec.seq),
            "status": {
                "state": if rec.ended.is_some() { "DONE" } else { "RUNNING" },
                "details": status,
                "stateStartTime": ended.clone().unwrap_or(created.clone()),
            },
            "statusHistory": [{"state": "PENDING", "stateStartTime": created}],
            "operationType": rec.verb.to_ascii_uppercase(),
            "description": format!("{} cluster", rec.verb),
        }),
        MetaShape::DataprocBatch => json!({
            "@type": t, "batch": target, "createTime": created,
            "operationType": "BATCH", "description": status,
        }),
    };
    // Proto3 JSON writers leave defaults out; so does this one.
    if let Some(m) = v.as_object_mut() {
        // Workflows' OperationMetadata has neither field (its proto: createTime, endTime,
        // target, verb, apiVersion).
        if p.name == "workflows" {
            m.remove("statusMessage");
            m.remove("requestedCancellation");
        }
        m.retain(|_, x| !matches!(x, Value::Bool(false)) && x.as_str() != Some(""));
        if let Some(e) =
            ended.filter(|_| matches!(shape(p), MetaShape::Common | MetaShape::CommonDetail))
        {
            m.insert("endTime".into(), json!(e));
        }
    }
    let view = read_shape(shape(p), &v);
    let answer = op
        .response
        .is_some()
        .then(|| Json::from_value(&response(p, rec, &v, &target, &created)));
    // Written back as built, field for field: that is what the API's clients see.
    op.metadata = Some(Metadata::Read(Box::new(crate::api::model::ReadMeta {
        view,
        raw: v,
    })));
    op.response = answer;
    op
}

/// What a finished operation of `p` answers with, in the API's own message: Run v2's
/// mutations (delete too) return the `Service`, the same message as their metadata;
/// Memorystore's create and update return the `Instance`. `google.protobuf.Empty` for a
/// delete and where the profile does not know the API's resource message.
fn response(
    p: &ServiceProfile,
    rec: &OpRecord,
    meta: &Value,
    target: &str,
    created: &str,
) -> Value {
    match (shape(p), p.name.as_str()) {
        (MetaShape::RunResource, _) => meta.clone(),
        (_, "redis") if rec.verb != "delete" => json!({
            "@type": "type.googleapis.com/google.cloud.redis.v1.Instance",
            "name": target, "createTime": created, "state": "READY",
        }),
        _ => json!({"@type": EMPTY_TYPE}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::service::builtin;

    #[test]
    fn each_api_answers_in_its_own_domain() {
        let domain = |n: &str| service_domain(builtin(n).unwrap());
        assert_eq!(
            domain("cloudaicompanion"),
            "cloudaicompanion.googleapis.com"
        );
        assert_eq!(domain("redis"), "redis.googleapis.com");
        assert_eq!(domain("run"), "run.googleapis.com");
        assert_eq!(domain("filestore"), "file.googleapis.com");
        assert_eq!(
            domain("aiplatform"),
            "aiplatform.googleapis.com",
            "regional"
        );
        let mut custom = (**builtin("redis").unwrap()).clone();
        custom.name = "mine".into();
        custom.host = "http://127.0.0.1:8085/_svc/redis".into();
        assert_eq!(service_domain(&custom), "mine.googleapis.com");
    }
}
