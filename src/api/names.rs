//! Resource names, validated before anything becomes a URL.
//!
//! A name is only ever built from checked segments, so a hostile or mistyped name (one with
//! `..`, `?`, `#`, `%`, `/`, spaces or control characters inside a segment) can never turn
//! into a request for some other path.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource name {input:?}: {reason}")]
pub struct NameError {
    pub input: String,
    pub reason: String,
}

fn err(input: &str, reason: impl Into<String>) -> NameError {
    NameError {
        input: crate::sanitize::one_line(input).into_owned(),
        reason: reason.into(),
    }
}

/// Checks one path segment; `what` names it in the error ("project", "location", …).
pub fn check_segment(input: &str, what: &str, seg: &str) -> Result<(), NameError> {
    if seg.is_empty() {
        return Err(err(input, format!("the {what} is empty")));
    }
    if seg.len() > 255 {
        return Err(err(input, format!("the {what} is longer than 255 bytes")));
    }
    if seg == "." || seg.contains("..") {
        return Err(err(input, format!("the {what} contains '..' or is '.'")));
    }
    if let Some(c) = seg.chars().find(|c| !allowed(*c)) {
        let shown = if c.is_control() || c.is_whitespace() || !c.is_ascii() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("'{c}'")
        };
        return Err(err(input, format!("the {what} contains {shown}")));
    }
    Ok(())
}

fn allowed(c: char) -> bool {
    c.is_ascii_graphic()
        && !matches!(
            c,
            '/' | '?'
                | '#'
                | '%'
                | ':'
                | '\\'
                | '"'
                | '<'
                | '>'
                | '['
                | ']'
                | '{'
                | '}'
                | '|'
                | '^'
                | '`'
        )
}

/// The collection word between the project and the location: most APIs say `locations`,
/// Dataproc says `regions` (`projects/*/regions/*/operations`). A name is of exactly one;
/// the word is part of its identity and of its path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    #[default]
    Locations,
    Regions,
}

impl Collection {
    pub const ALL: [Collection; 2] = [Collection::Locations, Collection::Regions];

    /// The path segment: `locations` or `regions`.
    pub fn word(self) -> &'static str {
        match self {
            Collection::Locations => "locations",
            Collection::Regions => "regions",
        }
    }

    pub fn from_word(w: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.word() == w)
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// `projects/{project}/locations/{location}` (or `…/regions/{region}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocationName {
    project: String,
    collection: Collection,
    location: String,
}

impl LocationName {
    pub fn new(project: &str, location: &str) -> Result<Self, NameError> {
        Self::in_collection(project, Collection::Locations, location)
    }

    pub fn in_collection(
        project: &str,
        collection: Collection,
        location: &str,
    ) -> Result<Self, NameError> {
        let input = format!("projects/{project}/{collection}/{location}");
        check_segment(&input, "project", project)?;
        check_segment(&input, "location", location)?;
        Ok(LocationName {
            project: project.to_string(),
            collection,
            location: location.to_string(),
        })
    }

    pub fn parse(s: &str) -> Result<Self, NameError> {
        let parts: Vec<&str> = s.split('/').collect();
        if let ["projects", p, c, l] = parts.as_slice()
            && let Some(c) = Collection::from_word(c)
        {
            return LocationName::in_collection(p, c, l).map_err(|e| err(s, e.reason));
        }
        Err(err(
            s,
            "expected projects/{project}/locations/{location} (or regions/{region})",
        ))
    }

    pub fn project(&self) -> &str {
        &self.project
    }

    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn collection(&self) -> Collection {
        self.collection
    }

    /// The same project and collection, every location: `projects/P/locations/-`.
    pub fn every_location(&self) -> LocationName {
        LocationName {
            project: self.project.clone(),
            collection: self.collection,
            location: "-".into(),
        }
    }

    pub fn operation(&self, id: &str) -> Result<OperationName, NameError> {
        OperationName::in_collection(&self.project, self.collection, &self.location, id)
    }

    /// Whether `name` is a valid operation name under this location. Cheap (no allocation
    /// when it is): every name a listing returns is checked against the parent it was
    /// listed from.
    pub fn holds(&self, name: &str) -> bool {
        name.strip_prefix("projects/")
            .and_then(|r| r.strip_prefix(self.project.as_str()))
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.strip_prefix(self.collection.word()))
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.strip_prefix(self.location.as_str()))
            .and_then(|r| r.strip_prefix("/operations/"))
            .is_some_and(|id| check_segment(name, "operation id", id).is_ok())
    }
}

impl fmt::Display for LocationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "projects/{}/{}/{}",
            self.project, self.collection, self.location
        )
    }
}

/// `projects/{project}/locations/{location}/operations/{id}` (or `…/regions/{region}/…`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperationName {
    parent: LocationName,
    id: String,
}

impl OperationName {
    pub fn new(project: &str, location: &str, id: &str) -> Result<Self, NameError> {
        Self::in_collection(project, Collection::Locations, location, id)
    }

    pub fn in_collection(
        project: &str,
        collection: Collection,
        location: &str,
        id: &str,
    ) -> Result<Self, NameError> {
        let input = format!("projects/{project}/{collection}/{location}/operations/{id}");
        let parent = LocationName::in_collection(project, collection, location)
            .map_err(|e| err(&input, e.reason))?;
        check_segment(&input, "operation id", id)?;
        Ok(OperationName {
            parent,
            id: id.to_string(),
        })
    }

    pub fn parse(s: &str) -> Result<Self, NameError> {
        let parts: Vec<&str> = s.split('/').collect();
        if let ["projects", p, c, l, "operations", id] = parts.as_slice()
            && let Some(c) = Collection::from_word(c)
        {
            return OperationName::in_collection(p, c, l, id).map_err(|e| err(s, e.reason));
        }
        Err(err(
            s,
            "expected projects/{project}/locations/{location}/operations/{id} (or regions/{region})",
        ))
    }

    pub fn parent(&self) -> &LocationName {
        &self.parent
    }

    pub fn project(&self) -> &str {
        self.parent.project()
    }

    pub fn location(&self) -> &str {
        self.parent.location()
    }

    pub fn collection(&self) -> Collection {
        self.parent.collection()
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for OperationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/operations/{}", self.parent, self.id)
    }
}

/// A project id as it appears in `projects/{project}`.
pub fn check_project(project: &str) -> Result<(), NameError> {
    check_segment(&format!("projects/{project}"), "project", project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_parse_and_print_back() {
        let s = "projects/my-proj/locations/us-central1/operations/operation-1737646069712-62c6140bb04bb-49261230-43701daf";
        let n = OperationName::parse(s).unwrap();
        assert_eq!(n.to_string(), s);
        assert_eq!(n.project(), "my-proj");
        assert_eq!(n.location(), "us-central1");
        assert_eq!(
            n.id(),
            "operation-1737646069712-62c6140bb04bb-49261230-43701daf"
        );
        let l = LocationName::parse("projects/p/locations/-").unwrap();
        assert_eq!(l.location(), "-");
        assert_eq!(
            l.operation("x").unwrap().to_string(),
            "projects/p/locations/-/operations/x"
        );
    }

    #[test]
    fn hostile_names_are_rejected() {
        for bad in [
            "projects/p/locations/l/operations/../../../admin",
            "projects/p/locations/l/operations/..",
            "projects/p/locations/l/operations/.",
            "projects/p/locations/l/operations/a?b=c",
            "projects/p/locations/l/operations/a#frag",
            "projects/p/locations/l/operations/a%2Fb",
            "projects/p/locations/l/operations/a b",
            "projects/p/locations/l/operations/a\tb",
            "projects/p/locations/l/operations/a\nb",
            "projects/p/locations/l/operations/a\u{1b}[31m",
            "projects/p/locations/l/operations/x:cancel",
            "projects/p/locations/l/operations/\u{202e}evil",
            "projects/p/locations/l/operations/",
            "projects/p/locations/l/operations/a/b",
            "projects/p/locations/l/operations",
            "projects/p%2e%2e/locations/l/operations/x",
            "projects/p/locations/u s/operations/x",
            "projects//locations/l/operations/x",
            "folders/p/locations/l/operations/x",
            "/projects/p/locations/l/operations/x",
            "",
        ] {
            assert!(OperationName::parse(bad).is_err(), "accepted {bad:?}");
        }
        let parent = LocationName::new("p", "l").unwrap();
        assert!(parent.holds("projects/p/locations/l/operations/x"));
        for other in [
            "projects/evil/locations/l/operations/x",
            "projects/p/locations/l2/operations/x",
            "projects/pp/locations/l/operations/x",
            "projects/p/locations/l/operations/x/y",
            "projects/p/locations/l/operations/..",
            "projects/p/locations/l/operations/",
            "projects/p/locations/l/other/x",
        ] {
            assert!(!parent.holds(other), "{other}");
        }
        assert!(LocationName::new("p", "a/b").is_err());
        assert!(LocationName::new("p?", "l").is_err());
        assert!(check_project("ok-project-1").is_ok());
        assert!(check_project("bad project").is_err());
    }

    #[test]
    fn regions_are_a_collection_of_their_own() {
        let s = "projects/p/regions/us-central1/operations/op-1";
        let n = OperationName::parse(s).unwrap();
        assert_eq!(n.to_string(), s);
        assert_eq!(n.collection(), Collection::Regions);
        assert_eq!(n.location(), "us-central1");
        let regions = LocationName::in_collection("p", Collection::Regions, "us-central1").unwrap();
        let locations = LocationName::new("p", "us-central1").unwrap();
        assert_eq!(n.parent(), &regions);
        assert!(regions.holds(s));
        assert!(
            !locations.holds(s),
            "the collection word is part of the name"
        );
        assert!(!regions.holds("projects/p/locations/us-central1/operations/op-1"));
        assert_eq!(regions.every_location().to_string(), "projects/p/regions/-");
        for bad in [
            "projects/p/zones/z/operations/x",
            "projects/p/Regions/r/operations/x",
            "projects/p/region/r/operations/x",
        ] {
            assert!(OperationName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_never_echo_control_characters() {
        let e = OperationName::parse("projects/p/locations/l/operations/a\u{1b}]0;pwned\u{7}")
            .unwrap_err();
        let msg = e.to_string();
        assert!(!msg.chars().any(|c| c.is_control()), "{msg:?}");
        assert!(msg.contains("U+001B"), "{msg}");
    }
}
