//! A JSON value kept as the text the server sent.
//!
//! An operation's `response` (and unknown metadata) is only ever shown, never inspected, so
//! it is held as compact text: a few hundred bytes in one allocation instead of a tree of
//! maps and strings (about three times the size). It is parsed again only when shown.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Clone, Debug)]
pub struct Json(Box<RawValue>);

impl Json {
    /// The text as received (valid JSON: it was parsed to get here).
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The value as a tree, for showing. Never fails: the text was valid JSON when stored.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    pub fn from_value(v: &Value) -> Json {
        // A `Value` always serializes, and its text is always valid JSON.
        let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
        Json(RawValue::from_string(text).unwrap_or_else(|_| null()))
    }
}

fn null() -> Box<RawValue> {
    RawValue::from_string("null".into()).expect("`null` is JSON")
}

impl From<Value> for Json {
    fn from(v: Value) -> Json {
        Json::from_value(&v)
    }
}

/// Equal when the text is: what a refresh needs to tell "unchanged".
impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.0.get() == other.0.get()
    }
}

/// Written as a value, not as the text received: indented like the rest when printed
/// pretty, and a server's own line breaks never split a JSON Lines record.
impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        // serde_json reads this from its own text without building a tree, and from a
        // `Value` by printing it.
        Box::<RawValue>::deserialize(d).map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_text_and_round_trips_through_values() {
        let j: Json = serde_json::from_str(r#"{"@type": "t", "n": [1, 2]}"#).expect("JSON");
        assert_eq!(j.text(), r#"{"@type": "t", "n": [1, 2]}"#);
        assert_eq!(j.value(), json!({"@type": "t", "n": [1, 2]}));
        let from_tree: Json = serde_json::from_value(json!({"a": 1})).expect("from a Value");
        assert_eq!(from_tree.value(), json!({"a": 1}));
        assert_eq!(
            serde_json::to_value(&from_tree).expect("to a Value"),
            json!({"a": 1})
        );
        assert_eq!(Json::from(json!([true])).text(), "[true]");
        assert_ne!(j, from_tree);
        let spaced: Json = serde_json::from_str("{\n  \"a\": [1,\n 2]\n}").expect("JSON");
        assert_eq!(
            serde_json::to_string(&spaced).expect("writes"),
            r#"{"a":[1,2]}"#
        );
    }
}
