//! The name grammar, by property: whatever string a server or a user hands us, only a name
//! of the grammar is accepted, and an accepted name becomes exactly one request path under
//! the endpoint's base, with nothing of it read as a query, a fragment or a parent directory.

use lrotop::api::client::base_url;
use lrotop::api::names::Collection;
use lrotop::api::{LocationName, OperationName};
use proptest::prelude::*;

/// The characters a segment may hold (printable ASCII but the URL and name delimiters).
fn allowed(c: char) -> bool {
    c.is_ascii_graphic() && !"/?#%:\\\"<>[]{}|^`".contains(c)
}

/// The collection word: both real ones, and near misses that must be refused.
fn collection_word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("locations".to_string()),
        3 => Just("regions".to_string()),
        1 => prop_oneof![
            Just("region".to_string()),
            Just("Regions".to_string()),
            Just("zones".to_string()),
            Just(String::new()),
        ],
    ]
}

fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~!$&'()*+,;=@-]{1,40}"
        .prop_filter("no dot-segments", |s| s != "." && !s.contains(".."))
}

/// Any string at all, weighted towards the shapes that matter: names with a hostile
/// character or segment somewhere.
fn anything() -> impl Strategy<Value = String> {
    let hostile = prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just(String::new()),
        "[/?#%:\\\\\"<>\\[\\]{}|^` \t\n\u{1b}\u{9b}\u{202e}\u{0}]{1,3}",
        any::<String>(),
    ];
    prop_oneof![
        any::<String>(),
        (
            segment(),
            segment(),
            segment(),
            hostile.clone(),
            0..4usize,
            collection_word()
        )
            .prop_map(|(p, l, id, bad, at, c)| {
                let mut parts = [p, l, id];
                match at {
                    0..=2 => {
                        let mid = parts[at].len() / 2;
                        parts[at].insert_str(mid, &bad)
                    }
                    _ => parts[2] = bad,
                }
                format!(
                    "projects/{}/{c}/{}/operations/{}",
                    parts[0], parts[1], parts[2]
                )
            }),
        (segment(), collection_word(), segment(), segment())
            .prop_map(|(p, c, l, id)| format!("projects/{p}/{c}/{l}/operations/{id}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn only_names_of_the_grammar_are_accepted(s in anything()) {
        let parsed = OperationName::parse(&s);
        let parts: Vec<&str> = s.split('/').collect();
        let grammatical = parts.len() == 6
            && parts[0] == "projects"
            && (parts[2] == "locations" || parts[2] == "regions")
            && parts[4] == "operations"
            && [parts[1], parts[3], parts[5]].iter().all(|seg| {
                !seg.is_empty()
                    && seg.len() <= 255
                    && *seg != "."
                    && !seg.contains("..")
                    && seg.chars().all(allowed)
            });
        prop_assert_eq!(parsed.is_ok(), grammatical, "{:?}", s);
        if let Ok(n) = parsed {
            prop_assert_eq!(n.to_string(), s.clone());
            let word = if n.collection() == Collection::Regions { "regions" } else { "locations" };
            prop_assert_eq!(word, parts[2]);
            let parent = LocationName::in_collection(n.project(), n.collection(), n.location()).unwrap();
            prop_assert!(parent.holds(&s));
            // The other collection never holds it: the word is part of the name.
            let other = Collection::ALL.into_iter().find(|c| *c != n.collection()).unwrap();
            let beside = LocationName::in_collection(n.project(), other, n.location()).unwrap();
            prop_assert!(!beside.holds(&s));
        }
    }

    #[test]
    fn an_accepted_name_is_exactly_one_path_under_the_base(s in anything()) {
        let Ok(n) = OperationName::parse(&s) else { return Ok(()) };
        let base = base_url("http://127.0.0.1:8080/v1").unwrap();
        for path in [n.to_string(), format!("{n}:cancel")] {
            let url = base.join(&path).unwrap();
            prop_assert_eq!(url.host_str(), Some("127.0.0.1"));
            prop_assert_eq!(url.query(), None);
            prop_assert_eq!(url.fragment(), None);
            prop_assert_eq!(url.path(), format!("/v1/{path}"));
        }
    }

    #[test]
    fn holds_agrees_with_parsing(s in anything(), p in segment(), l in segment(), regions in any::<bool>()) {
        let c = if regions { Collection::Regions } else { Collection::Locations };
        let parent = LocationName::in_collection(&p, c, &l).unwrap();
        let under = OperationName::parse(&s).is_ok_and(|n| *n.parent() == parent);
        prop_assert_eq!(parent.holds(&s), under, "{:?} under {}", s, parent);
        let own = format!("{parent}/operations/{}", s.replace('/', "_"));
        prop_assert_eq!(parent.holds(&own), OperationName::parse(&own).is_ok());
    }
}
