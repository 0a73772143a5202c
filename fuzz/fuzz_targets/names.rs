//! The resource-name grammar: any string.
//!
//! An accepted name prints back exactly as it was given, every segment is free of
//! `/ ? # % :` and control characters (so it is one request path under the API base and
//! can never name another), and the parent it names holds it. Errors never echo control
//! characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lrotop::api::{LocationName, OperationName};

fn clean_segment(seg: &str) {
    assert!(!seg.is_empty(), "empty segment");
    assert!(
        !seg.chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '%' | ':') || c.is_control()),
        "segment {seg:?}"
    );
    assert!(seg != "." && !seg.contains(".."), "segment {seg:?}");
}

fuzz_target!(|input: &str| {
    match OperationName::parse(input) {
        Ok(n) => {
            assert_eq!(n.to_string(), input);
            for seg in [n.project(), n.location(), n.id()] {
                clean_segment(seg);
            }
            let parent = LocationName::new(n.project(), n.location()).expect("its own parent");
            assert_eq!(&parent, n.parent());
            assert!(parent.holds(input), "{parent} does not hold {input:?}");
            let again = parent.operation(n.id()).expect("rebuilt from its parts");
            assert_eq!(again, n);
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.chars().any(char::is_control), "{msg:?}");
        }
    }
    match LocationName::parse(input) {
        Ok(l) => {
            assert_eq!(l.to_string(), input);
            clean_segment(l.project());
            clean_segment(l.location());
            let same = LocationName::new(l.project(), l.location()).expect("rebuilt");
            assert_eq!(same, l);
            // A location is not an operation, and holds nothing that is not under it.
            assert!(!l.holds(input));
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.chars().any(char::is_control), "{msg:?}");
        }
    }
    // Whatever holds says yes to is a name that parses, under that parent.
    if let Some((project, location)) = input
        .strip_prefix("projects/")
        .and_then(|r| r.split_once("/locations/"))
        .and_then(|(p, r)| Some((p, r.split_once("/operations/")?.0)))
        && let Ok(parent) = LocationName::new(project, location)
        && parent.holds(input)
    {
        let n = OperationName::parse(input).expect("held, so it parses");
        assert_eq!(n.parent(), &parent);
    }
});
