//! Google's wire types for `google.longrunning` and `google.cloud.location`, in proto3 JSON.
//!
//! Readers are lenient the way proto3 JSON parsers are: unknown fields are ignored, `null`
//! means the default, a missing `done` is false. Writers omit defaults, so what the
//! emulator serves looks like what Google serves.

use super::code::Code;
use super::raw::Json;
use super::service::MetaShape;
use super::shared::{MAX_POOLED_LEN, Pool, Shared, lock};
use super::time::{Stamp, format_timestamp, parse_timestamp};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, OnceLock};

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

/// A proto3 JSON int32: a number, or the same as a string (`"3"`), as proto3 readers
/// accept; null is 0. A code's name (`"NOT_FOUND"`) is taken too, since enum fields are
/// written by name and some servers treat this one as the `Code` enum.
fn proto_int32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = i32;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an int32, as a number or a string")
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<i32, E> {
            i32::try_from(n).map_err(|_| E::custom(format!("{n} is out of int32 range")))
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<i32, E> {
            i32::try_from(n).map_err(|_| E::custom(format!("{n} is out of int32 range")))
        }
        fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<i32, E> {
            // `1e1` and `3.0` are integers written as floats; `3.5` is not an int32.
            if n.fract() == 0.0 && n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX) {
                Ok(n as i32)
            } else {
                Err(E::custom(format!("{n} is not an int32")))
            }
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<i32, E> {
            let t = s.trim();
            if let Ok(n) = t.parse::<i32>() {
                return Ok(n);
            }
            if let Ok(n) = t.parse::<f64>() {
                return self.visit_f64(n);
            }
            Code::from_name(t)
                .map(Code::as_i32)
                .ok_or_else(|| E::custom(format!("{s:?} is not an int32")))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<i32, E> {
            Ok(0)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<i32, E> {
            Ok(0)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i32, D::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_any(V)
}

/// `google.rpc.Status`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    #[serde(
        default,
        deserialize_with = "proto_int32",
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
///
/// Held 100k at a time, so its text is shared: the target is a [`Shared`] string (most
/// operations act on one of a few resources), and `@type`, `apiVersion`, verb and status
/// message, of which there are a handful of combinations, are one shared [`MetaText`].
#[derive(Clone, Debug, PartialEq)]
pub struct OperationMetadata {
    pub text: Arc<MetaText>,
    pub target: Shared,
    pub create_time: Stamp,
    pub end_time: Stamp,
    pub requested_cancellation: bool,
    /// Fields this version does not know, kept so nothing is lost on the way through.
    pub extra: Option<Box<Map<String, Value>>>,
}

impl Default for OperationMetadata {
    fn default() -> OperationMetadata {
        OperationMetadata {
            text: MetaText::pooled("", "", "", ""),
            target: Shared::default(),
            create_time: Stamp::NONE,
            end_time: Stamp::NONE,
            requested_cancellation: false,
            extra: None,
        }
    }
}

impl OperationMetadata {
    pub fn type_url(&self) -> &str {
        &self.text.type_url
    }

    pub fn api_version(&self) -> &str {
        &self.text.api_version
    }

    pub fn verb(&self) -> &str {
        &self.text.verb
    }

    pub fn status_message(&self) -> &str {
        &self.text.status_message
    }
}

/// The text fields of `OperationMetadata` that repeat together from one operation to the
/// next. One shared copy per combination: 8 bytes in each operation instead of 64.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct MetaText {
    pub type_url: Box<str>,
    pub api_version: Box<str>,
    pub verb: Box<str>,
    pub status_message: Box<str>,
}

fn meta_pool() -> &'static Mutex<Pool<MetaText>> {
    static POOL: OnceLock<Mutex<Pool<MetaText>>> = OnceLock::new();
    POOL.get_or_init(|| Mutex::new(Pool::new()))
}

impl MetaText {
    /// Not pooled: see [`Shared::unpooled`].
    pub fn unpooled(
        type_url: &str,
        api_version: &str,
        verb: &str,
        status_message: &str,
    ) -> Arc<MetaText> {
        Arc::new(MetaText {
            type_url: type_url.into(),
            api_version: api_version.into(),
            verb: verb.into(),
            status_message: status_message.into(),
        })
    }

    /// The shared copy of these four values (bounded like [`Shared`]'s pool).
    pub fn pooled(
        type_url: &str,
        api_version: &str,
        verb: &str,
        status_message: &str,
    ) -> Arc<MetaText> {
        let key = (type_url, api_version, verb, status_message);
        let make = || MetaText::unpooled(type_url, api_version, verb, status_message);
        let len = type_url.len() + api_version.len() + verb.len() + status_message.len();
        if len > 2 * MAX_POOLED_LEN {
            return make();
        }
        let mut p = lock(meta_pool());
        let hash = p.hasher().hash_one(key);
        p.intern(hash, |m| m.key() == key, make, |m, h| h.hash_one(m.key()))
    }

    fn key(&self) -> (&str, &str, &str, &str) {
        (
            &self.type_url,
            &self.api_version,
            &self.verb,
            &self.status_message,
        )
    }
}

/// `Operation.metadata`: typed when its `@type` is a known shape, raw JSON otherwise.
#[derive(Clone, Debug, PartialEq)]
pub enum Metadata {
    /// The common shape, held compactly (and written back from its fields).
    Known(OperationMetadata),
    /// A message of another shape that a service profile knows how to read: the common
    /// fields as read from it (`view`), and the message exactly as it came, which is what
    /// is written back.
    Read(Box<ReadMeta>),
    Raw(Box<Value>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReadMeta {
    pub view: OperationMetadata,
    pub raw: Value,
}

impl Metadata {
    pub fn type_url(&self) -> Option<&str> {
        match self {
            Metadata::Known(m) => Some(m.type_url()),
            Metadata::Read(r) => Some(r.view.type_url()),
            Metadata::Raw(v) => v.get("@type").and_then(Value::as_str),
        }
    }

    /// The common fields, however the message spells them.
    pub fn view(&self) -> Option<&OperationMetadata> {
        match self {
            Metadata::Known(m) => Some(m),
            Metadata::Read(r) => Some(&r.view),
            Metadata::Raw(_) => None,
        }
    }
}

/// The common fields of a message of `shape` (see [`MetaShape`]). Whatever is missing or of
/// the wrong type is left empty: a view is for showing, never for deciding.
pub fn read_shape(shape: MetaShape, v: &Value) -> OperationMetadata {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let time = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(parse_timestamp)
            .and_then(Stamp::new)
            .unwrap_or(Stamp::NONE)
    };
    let type_url = text(v, "@type");
    let verb: String;
    let (mut target, mut status) = (String::new(), String::new());
    let mut m = OperationMetadata::default();
    match shape {
        MetaShape::Common | MetaShape::CommonDetail => {
            let (status_key, cancel_key) = match shape {
                MetaShape::Common => ("statusMessage", "requestedCancellation"),
                _ => ("statusDetail", "cancelRequested"),
            };
            verb = text(v, "verb");
            target = text(v, "target");
            status = text(v, status_key);
            m.create_time = time(v, "createTime");
            m.end_time = time(v, "endTime");
            m.requested_cancellation = v.get(cancel_key).and_then(Value::as_bool).unwrap_or(false);
        }
        MetaShape::VertexGeneric => {
            let generic = v.get("genericMetadata").unwrap_or(&Value::Null);
            m.create_time = time(generic, "createTime");
            // The message name says what the operation does: `CreateDatasetOperationMetadata`.
            let message = type_url.rsplit('.').next().unwrap_or("");
            verb = first_word(message).to_ascii_lowercase();
            let failures = generic
                .get("partialFailures")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if failures > 0 {
                status = format!("{failures} partial failure(s)");
            }
        }
        MetaShape::RunResource => {
            target = text(v, "name");
            // Run v2 sends the resource as it is being changed: its update time is when
            // this change began; a delete sets deleteTime; a first generation is a create.
            m.create_time = time(v, "updateTime");
            verb = if v.get("deleteTime").is_some() {
                "delete".into()
            } else if v.get("createTime").is_some() && v.get("createTime") == v.get("updateTime") {
                "create".into()
            } else {
                "update".into()
            };
            if let Some(c) = v.get("terminalCondition") {
                status = [text(c, "state"), text(c, "message")]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ");
            }
        }
        MetaShape::DataprocCluster => {
            target = text(v, "clusterName");
            verb = text(v, "operationType").to_ascii_lowercase();
            let st = v.get("status").unwrap_or(&Value::Null);
            status = match text(st, "details") {
                d if d.is_empty() => text(st, "state"),
                d => d,
            };
            let first = v
                .get("statusHistory")
                .and_then(Value::as_array)
                .and_then(|h| h.first())
                .unwrap_or(st);
            m.create_time = time(first, "stateStartTime");
            if text(st, "state") == "DONE" {
                m.end_time = time(st, "stateStartTime");
            }
        }
        MetaShape::DataprocBatch => {
            target = text(v, "batch");
            verb = text(v, "operationType").to_ascii_lowercase();
            status = text(v, "description");
            m.create_time = time(v, "createTime");
            m.end_time = time(v, "doneTime");
        }
    }
    m.target = Shared::new(&target);
    m.text = MetaText::pooled(&type_url, "", &verb, &status);
    m
}

/// `CreateDataset…` → `Create`.
fn first_word(s: &str) -> &str {
    let end = s
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn is_operation_metadata_type(t: &str) -> bool {
    t == GEMINI_METADATA_TYPE
        || (t.starts_with("type.googleapis.com/google.cloud.") && t.ends_with(".OperationMetadata"))
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The text is read once to find where it ends, then typed straight from that text:
        // no tree is built for the common case. A known type with a field of the wrong
        // shape, or an unknown type, is still shown, raw.
        let raw = Box::<RawValue>::deserialize(d)?;
        let shape = crate::api::service::shape_of;
        if let Ok(m) = serde_json::from_str::<OperationMetadata>(raw.get())
            && matches!(shape(m.type_url()), None | Some(MetaShape::Common))
            && is_operation_metadata_type(m.type_url())
        {
            return Ok(Metadata::Known(m));
        }
        let v = serde_json::from_str::<Value>(raw.get()).map_err(serde::de::Error::custom)?;
        // The common shape with a field of the wrong shape stays raw, as before; the other
        // shapes are read leniently, field by field.
        match v.get("@type").and_then(Value::as_str).and_then(shape) {
            Some(s) if s != MetaShape::Common => Ok(Metadata::Read(Box::new(ReadMeta {
                view: read_shape(s, &v),
                raw: v,
            }))),
            _ => Ok(Metadata::Raw(Box::new(v))),
        }
    }
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Metadata::Known(m) => m.serialize(s),
            Metadata::Read(r) => r.raw.serialize(s),
            Metadata::Raw(v) => v.serialize(s),
        }
    }
}

impl Serialize for OperationMetadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Defaults are omitted, as proto3 JSON writers do; `@type` always goes first.
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", self.type_url())?;
        if let Some(t) = self.create_time.get() {
            m.serialize_entry("createTime", &format_timestamp(t))?;
        }
        if let Some(t) = self.end_time.get() {
            m.serialize_entry("endTime", &format_timestamp(t))?;
        }
        for (key, v) in [
            ("target", self.target.as_str()),
            ("verb", self.verb()),
            ("statusMessage", self.status_message()),
        ] {
            if !v.is_empty() {
                m.serialize_entry(key, v)?;
            }
        }
        if self.requested_cancellation {
            m.serialize_entry("requestedCancellation", &true)?;
        }
        if !self.api_version().is_empty() {
            m.serialize_entry("apiVersion", self.api_version())?;
        }
        for (k, v) in self.extra.iter().flat_map(|e| e.iter()) {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A field name of `OperationMetadata`; only unknown ones are copied.
enum MetaField {
    Type,
    CreateTime,
    EndTime,
    Target,
    Verb,
    StatusMessage,
    RequestedCancellation,
    ApiVersion,
    Other(String),
}

impl<'de> Deserialize<'de> for MetaField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = MetaField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MetaField, E> {
                Ok(match v {
                    "@type" => MetaField::Type,
                    "createTime" => MetaField::CreateTime,
                    "endTime" => MetaField::EndTime,
                    "target" => MetaField::Target,
                    "verb" => MetaField::Verb,
                    "statusMessage" => MetaField::StatusMessage,
                    "requestedCancellation" => MetaField::RequestedCancellation,
                    "apiVersion" => MetaField::ApiVersion,
                    other => MetaField::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A proto3 JSON string field, borrowed from the input where it can be; null means "".
#[derive(Default)]
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Text<'de>, E> {
                Ok(Text::default())
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Text<'de>, E> {
                Ok(Text::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text<'de>, D::Error> {
                d.deserialize_str(self)
            }
        }
        d.deserialize_option(V)
    }
}

/// A proto3 JSON timestamp field: null or "" means unset.
struct TimeField(Stamp);

impl<'de> Deserialize<'de> for TimeField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TimeField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<TimeField, E> {
                if s.is_empty() {
                    return Ok(TimeField(Stamp::NONE));
                }
                parse_timestamp(s)
                    .and_then(Stamp::new)
                    .map(TimeField)
                    .ok_or_else(|| {
                        E::custom(format!("not an RFC 3339 timestamp in 1677–2262: {s:?}"))
                    })
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<TimeField, E> {
                Ok(TimeField(Stamp::NONE))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<TimeField, E> {
                Ok(TimeField(Stamp::NONE))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<TimeField, D::Error> {
                d.deserialize_str(self)
            }
        }
        d.deserialize_option(V)
    }
}

impl<'de> Deserialize<'de> for OperationMetadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OperationMetadata;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an OperationMetadata object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OperationMetadata, A::Error> {
                let mut m = OperationMetadata::default();
                // Read as borrowed text where the input allows; pooled once at the end.
                let (mut type_url, mut api_version, mut verb, mut status) = (
                    Text::default(),
                    Text::default(),
                    Text::default(),
                    Text::default(),
                );
                while let Some(field) = map.next_key::<MetaField>()? {
                    match field {
                        MetaField::Type => type_url = map.next_value()?,
                        MetaField::CreateTime => m.create_time = map.next_value::<TimeField>()?.0,
                        MetaField::EndTime => m.end_time = map.next_value::<TimeField>()?.0,
                        MetaField::Target => {
                            m.target = map.next_value::<Option<Shared>>()?.unwrap_or_default()
                        }
                        MetaField::Verb => verb = map.next_value()?,
                        MetaField::StatusMessage => status = map.next_value()?,
                        MetaField::ApiVersion => api_version = map.next_value()?,
                        MetaField::RequestedCancellation => {
                            m.requested_cancellation =
                                map.next_value::<Option<bool>>()?.unwrap_or_default()
                        }
                        MetaField::Other(k) => {
                            let v: Value = map.next_value()?;
                            m.extra.get_or_insert_default().insert(k, v);
                        }
                    }
                }
                m.text = MetaText::pooled(&type_url.0, &api_version.0, &verb.0, &status.0);
                Ok(m)
            }
        }
        d.deserialize_map(V)
    }
}

/// `google.longrunning.Operation`.
///
/// Held 100k at a time by the dashboard, so it is kept small: metadata inline, the error
/// boxed (most operations have none), the response as its JSON text.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Operation {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "is_false")]
    pub done: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Box<Status>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Json>,
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Entry::deserialize(d)?.0.map_err(serde::de::Error::custom)
    }
}

/// An operation as read, or why it could not be: a field of the wrong type is not a syntax
/// error, so a list page can leave the one operation out and keep the rest. Read in one
/// pass, as the operation itself is.
struct Entry(Result<Operation, String>);

/// The JSON type of a value that was read and dropped (inner values are skipped unbuilt).
enum Loose {
    Str(String),
    Bool(bool),
    Null,
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<Loose, E> {
                Ok(Loose::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Loose, E> {
                Ok(Loose::Str(s))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(b))
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Loose, E> {
                Ok(Loose::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Loose, E> {
                Ok(Loose::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Loose, E> {
                Ok(Loose::Other("a number"))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Other("an array"))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Loose::Other("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

impl Loose {
    fn kind(&self) -> &'static str {
        match self {
            Loose::Str(_) => "a string",
            Loose::Bool(_) => "a bool",
            Loose::Null => "null",
            Loose::Other(k) => k,
        }
    }
}

enum OpField {
    Name,
    Metadata,
    Done,
    Error,
    Response,
    Other,
}

impl<'de> Deserialize<'de> for OpField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = OpField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OpField, E> {
                Ok(match v {
                    "name" => OpField::Name,
                    "metadata" => OpField::Metadata,
                    "done" => OpField::Done,
                    "error" => OpField::Error,
                    "response" => OpField::Response,
                    _ => OpField::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an Operation object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entry, A::Error> {
                let mut op = Operation::default();
                let mut bad: Option<String> = None;
                while let Some(field) = map.next_key::<OpField>()? {
                    match field {
                        OpField::Name => match map.next_value::<Loose>()? {
                            Loose::Str(s) => op.name = s,
                            Loose::Null => op.name.clear(),
                            other => {
                                bad.get_or_insert(format!("name is {}", other.kind()));
                            }
                        },
                        // proto3 JSON writes a bool only as true or false: `"true"` is not one.
                        OpField::Done => match map.next_value::<Loose>()? {
                            Loose::Bool(b) => op.done = b,
                            Loose::Null => op.done = false,
                            other => {
                                bad.get_or_insert(format!("done is {}", other.kind()));
                            }
                        },
                        OpField::Metadata => op.metadata = map.next_value()?,
                        OpField::Response => op.response = map.next_value()?,
                        // Rare (done operations that failed), so its text is read twice
                        // rather than the common path made slower.
                        OpField::Error => match map.next_value::<Option<Box<RawValue>>>()? {
                            None => op.error = None,
                            Some(raw) => match serde_json::from_str::<Status>(raw.get()) {
                                Ok(s) => op.error = Some(Box::new(s)),
                                Err(e) => {
                                    bad.get_or_insert(format!("error is not a Status: {e}"));
                                }
                            },
                        },
                        OpField::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Entry(match bad {
                    None => Ok(op),
                    Some(why) if op.name.is_empty() => Err(why),
                    Some(why) => Err(format!("{}: {why}", crate::sanitize::one_line(&op.name))),
                }))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Entry, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Entry(Err("an operation is an array, not an object".into())))
            }
            fn visit_str<E>(self, _: &str) -> Result<Entry, E> {
                Ok(Entry(Err("an operation is a string, not an object".into())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Entry, E> {
                Ok(Entry(Err("an operation is a bool, not an object".into())))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Entry, E> {
                Ok(Entry(Err("an operation is a number, not an object".into())))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Entry, E> {
                Ok(Entry(Err("an operation is a number, not an object".into())))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Entry, E> {
                Ok(Entry(Err("an operation is a number, not an object".into())))
            }
            fn visit_unit<E>(self) -> Result<Entry, E> {
                Ok(Entry(Err("an operation is null".into())))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `operations` of a list page: those that could be read, and how many could not.
#[derive(Default)]
struct Entries {
    ops: Vec<Operation>,
    skipped: usize,
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of operations")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Entries, A::Error> {
                let mut out = Entries::default();
                let mut first_why = None;
                while let Some(Entry(e)) = a.next_element::<Entry>()? {
                    match e {
                        Ok(op) => out.ops.push(op),
                        Err(why) => {
                            out.skipped += 1;
                            first_why.get_or_insert(why);
                        }
                    }
                }
                if let Some(why) = first_why {
                    tracing::warn!(skipped = out.skipped, first = %why, "unreadable operations in a list page");
                }
                Ok(out)
            }
            fn visit_unit<E>(self) -> Result<Entries, E> {
                Ok(Entries::default())
            }
            fn visit_none<E>(self) -> Result<Entries, E> {
                Ok(Entries::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Entries, D::Error> {
                d.deserialize_seq(self)
            }
        }
        d.deserialize_option(V)
    }
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
        self.metadata.as_ref().and_then(Metadata::view)
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
        self.meta().and_then(|m| m.create_time.get())
    }

    /// `create_time` in the compact form, for sorting many rows.
    pub fn create_stamp(&self) -> Stamp {
        self.meta().map(|m| m.create_time).unwrap_or_default()
    }

    pub fn end_time(&self) -> Option<Timestamp> {
        self.meta().and_then(|m| m.end_time.get())
    }

    pub fn verb(&self) -> &str {
        self.meta().map(|m| m.verb()).unwrap_or("")
    }

    pub fn target(&self) -> &str {
        self.meta().map(|m| m.target.as_str()).unwrap_or("")
    }

    pub fn status_message(&self) -> &str {
        self.meta().map(|m| m.status_message()).unwrap_or("")
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
#[serde(rename_all = "camelCase", from = "WireList")]
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
    /// Entries of `operations` that could not be read as operations, left out. Not part of
    /// the message: it says what reading this one found.
    #[serde(skip)]
    pub skipped: usize,
}

/// The message as read: one unreadable operation does not cost the page.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireList {
    #[serde(default)]
    operations: Entries,
    #[serde(default, deserialize_with = "nullable")]
    next_page_token: String,
    #[serde(default, deserialize_with = "nullable")]
    unreachable: Vec<String>,
}

impl From<WireList> for ListOperationsResponse {
    fn from(w: WireList) -> Self {
        ListOperationsResponse {
            operations: w.operations.ops,
            next_page_token: w.next_page_token,
            unreachable: w.unreachable,
            skipped: w.operations.skipped,
        }
    }
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
        assert_eq!(
            op.meta().unwrap().extra.as_ref().unwrap()["brandNewField"],
            7
        );
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
    fn metadata_is_read_leniently_and_odd_shapes_are_kept_raw() {
        let read = |m: Value| -> Operation {
            serde_json::from_value(
                json!({"name": "projects/p/locations/l/operations/o", "metadata": m}),
            )
            .expect("an operation")
        };
        // Nulls and empty strings are the defaults; a later duplicate key wins.
        let op = read(
            json!({"@type": GEMINI_METADATA_TYPE, "createTime": "", "endTime": null,
            "verb": null, "requestedCancellation": null, "target": "a", "target": "b"}),
        );
        let m = op.meta().expect("known");
        assert!(m.create_time.get().is_none() && m.end_time.get().is_none());
        assert_eq!((m.verb(), m.target.as_str()), ("", "b"));
        assert!(!m.requested_cancellation && m.extra.is_none());
        // Out of the span a compact time holds, not a number, not an object: shown raw.
        for odd in [
            json!({"@type": GEMINI_METADATA_TYPE, "createTime": "2500-01-01T00:00:00Z"}),
            json!({"@type": GEMINI_METADATA_TYPE, "requestedCancellation": "yes"}),
            json!(["not", "an", "object"]),
            json!("text"),
        ] {
            let op = read(odd.clone());
            assert_eq!(op.metadata, Some(Metadata::Raw(Box::new(odd))));
            assert_eq!(op.verb(), "");
        }
        // The strings of known metadata are shared between operations.
        let (a, b) = (
            read(json!({"@type": GEMINI_METADATA_TYPE, "verb": "create"})),
            read(json!({"@type": GEMINI_METADATA_TYPE, "verb": "create"})),
        );
        assert!(std::ptr::eq(a.verb().as_ptr(), b.verb().as_ptr()));
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
        op.error = Some(Box::new(Status::new(Code::FailedPrecondition, "boom")));
        assert_eq!(op.outcome(), Outcome::Failed);
        op.error = Some(Box::new(Status::new(Code::Ok, "")));
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

    #[test]
    fn status_codes_in_every_proto3_form() {
        for (code, want) in [
            (json!(3), 3),
            (json!("3"), 3),
            (json!(" 14 "), 14),
            (json!(1.0), 1),
            (json!("1e1"), 10),
            (json!(null), 0),
            (json!("NOT_FOUND"), 5),
        ] {
            let s: Status = serde_json::from_value(json!({"code": code})).unwrap();
            assert_eq!(s.code, want, "{code}");
        }
        for bad in [
            json!(3.5),
            json!("three"),
            json!(true),
            json!(1u64 << 40),
            json!([1]),
        ] {
            assert!(
                serde_json::from_value::<Status>(json!({"code": bad})).is_err(),
                "{bad}"
            );
        }
        // Written back as proto3 writers do: a number.
        let s: Status = serde_json::from_str(r#"{"code": "1", "message": "m"}"#).unwrap();
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"code": 1, "message": "m"})
        );
    }

    #[test]
    fn a_bool_is_only_true_or_false() {
        for bad in [json!("true"), json!(1), json!({}), json!(["x"])] {
            let e = serde_json::from_value::<Operation>(
                json!({"name": "projects/p/locations/l/operations/o", "done": bad}),
            )
            .unwrap_err();
            assert!(e.to_string().contains("done is"), "{e}");
        }
        let op: Operation = serde_json::from_str(r#"{"done": null, "name": null}"#).unwrap();
        assert!(!op.done && op.name.is_empty());
    }

    #[test]
    fn a_page_keeps_what_it_can_read_and_counts_the_rest() {
        let page = r#"{"operations": [
            {"name": "projects/p/locations/l/operations/a", "done": true},
            {"name": "projects/p/locations/l/operations/b", "done": "true"},
            {"name": ["x"], "metadata": {"@type": "t"}},
            {"name": "projects/p/locations/l/operations/c", "error": {"code": {}}},
            {"name": "projects/p/locations/l/operations/d", "error": {"code": "9"}, "done": true},
            7, null, [1, {"done": 2}],
            {"name": "projects/p/locations/l/operations/e", "unknown": {"deep": [1, 2]}}
        ], "nextPageToken": "n"}"#;
        let r: ListOperationsResponse = serde_json::from_str(page).unwrap();
        let ids: Vec<&str> = r.operations.iter().map(Operation::id).collect();
        assert_eq!(ids, ["a", "d", "e"]);
        assert_eq!(r.skipped, 6);
        assert_eq!(r.next_page_token, "n");
        assert_eq!(r.operations[1].outcome(), Outcome::Failed);
        // The count is what reading found, not part of the message.
        assert!(!serde_json::to_string(&r).unwrap().contains("skipped"));
        // Text that is not JSON is still the whole page's error.
        assert!(
            serde_json::from_str::<ListOperationsResponse>(r#"{"operations": [{"name": }]}"#)
                .is_err()
        );
        // Every operation read alone still fails for the same fields.
        let e = serde_json::from_str::<Operation>(
            r#"{"name": "projects/p/locations/l/operations/b", "done": "true"}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("projects/p/locations/l/operations/b: done is a string"),
            "{e}"
        );
    }
}
