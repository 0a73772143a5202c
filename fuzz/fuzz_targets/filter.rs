//! The filter language of `/` and `--filter`: any string.
//!
//! It parses or is refused, never a panic; a parsed filter's own text parses to the same
//! filter; and, the comparison being case-insensitive, `verb=V`, `location=V`,
//! `project=V` and the bare word `V` match an operation whose field is V (and `!=` does not).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lrotop::app::filter::{Filter, Subject};

fuzz_target!(|input: &str| {
    if let Ok(f) = Filter::parse(input) {
        let _ = f.is_empty();
        let again = Filter::parse(f.as_str()).expect("its own text parses");
        assert_eq!(again, f);
        let s = Subject {
            state: input,
            verb: input,
            location: input,
            project: input,
            project_alias: None,
            service: input,
            text: [input, "", ""],
            age: Some(std::time::Duration::from_secs(input.len() as u64)),
        };
        let _ = f.matches(&s);
    }
    let Some(v) = input.split_whitespace().next() else {
        return;
    };
    // Field terms and age comparisons are not words.
    if v.contains(['=', ',', '<', '>']) {
        return;
    }
    let s = Subject {
        state: "RUNNING",
        verb: v,
        location: v,
        project: v,
        project_alias: None,
        service: v,
        text: [v, "", ""],
        age: None,
    };
    for key in ["verb", "location", "project", "service"] {
        let f = Filter::parse(&format!("{key}={v}")).expect("a field filter");
        assert!(f.matches(&s), "{key}={v} does not match {v:?}");
        let not = Filter::parse(&format!("{key}!={v}")).expect("a negated field filter");
        assert!(!not.matches(&s), "{key}!={v} matches {v:?}");
    }
    let word = Filter::parse(v).expect("a word");
    assert!(word.matches(&s), "{v:?} does not match itself");
});
