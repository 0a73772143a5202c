//! From text to `Config`: serde does the shape and types, then every value that needs more than
//! a type is checked here, each carrying its span so the error can point at it.

use super::locate::{Position, Problem};
use super::{
    Config, ConfigError, DEFAULT_BULK_CONFIRM_THRESHOLD, DEFAULT_REFRESH, DEFAULT_REQUEST_BUDGET,
    Locations, ProjectEntry, ServiceEntry, ThemeName,
};
use crate::api::names::{LocationName, NameError, check_project, check_segment};
use crate::app::Column;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

const MIN_REFRESH: Duration = Duration::from_secs(1);

#[derive(Deserialize)]
struct RawConfig {
    refresh: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    read_only: Option<bool>,
    bulk_confirm_threshold: Option<Spanned<i64>>,
    request_budget: Option<Spanned<toml::Value>>,
    columns: Option<Spanned<Vec<Spanned<String>>>>,
    defaults: Option<RawDefaults>,
    #[serde(rename = "project")]
    projects: Option<Vec<Spanned<RawProject>>>,
    #[serde(rename = "service")]
    services: Option<Vec<Spanned<RawService>>>,
    #[serde(rename = "view")]
    views: Option<Vec<Spanned<RawView>>>,
}

/// `[[view]]`: a named filter, sort and choice of columns, chosen in the dashboard with `v`.
#[derive(Deserialize)]
struct RawView {
    name: Spanned<String>,
    filter: Option<Spanned<String>>,
    sort: Option<Spanned<String>>,
    reverse: Option<bool>,
    columns: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
struct RawService {
    name: Spanned<String>,
    title: Option<Spanned<String>>,
    host: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    collection: Option<Spanned<String>>,
    methods: Option<Spanned<Vec<Spanned<String>>>>,
    cross_location: Option<Spanned<bool>>,
    endpoint: Option<Spanned<String>>,
    console: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawDefaults {
    endpoint: Option<Spanned<String>>,
    locations: Option<Spanned<RawLocations>>,
    services: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
struct RawProject {
    id: Spanned<String>,
    alias: Option<Spanned<String>>,
    locations: Option<Spanned<RawLocations>>,
    endpoint: Option<Spanned<String>>,
    read_only: Option<bool>,
    protected: Option<bool>,
    quota_project: Option<Spanned<String>>,
    services: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(alias = "color")]
    colour: Option<Spanned<String>>,
}

/// A list or a word. Not `#[serde(untagged)]`: that buffers the value and loses the spans
/// of the list items, which the location errors need.
enum RawLocations {
    Word(String),
    List(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawLocations {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawLocations;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of location names or \"discover\"")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RawLocations, E> {
                Ok(RawLocations::Word(s.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawLocations, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(RawLocations::List(items))
            }
        }
        d.deserialize_any(V)
    }
}

/// Labels errors with the file and turns spans into line:column.
struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        Problem {
            at: Position::of(self.text, span.start),
            key: key.to_string(),
            message: message.into(),
        }
        .into_error(self.path)
    }
}

/// Every mistake is reported, in file order, not only the first (`config check` once made
/// the user fix one to learn of the next): unknown keys, found by a scan of the whole
/// document, and every value's check. Only a type error (a string where a number goes)
/// still stops serde at the first, beside the unknown keys found before it.
pub(super) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let cx = Ctx { text, path };
    // Unknown keys are found here, all of them, before serde reads the values (the raw
    // structs take what they know and leave the rest to this scan).
    let mut errors: Vec<ConfigError> = unknown_keys(&cx);
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            errors.push(super::locate::toml_error(text, &e).into_error(path));
            return Err(report(errors));
        }
    };
    let errs = &mut errors;

    let refresh = raw
        .refresh
        .as_ref()
        .and_then(|r| keep(errs, refresh(&cx, r)))
        .unwrap_or(DEFAULT_REFRESH);
    let theme = raw
        .theme
        .as_ref()
        .and_then(|t| keep(errs, theme(&cx, t)))
        .unwrap_or(ThemeName::Default);
    let bulk_confirm_threshold = raw
        .bulk_confirm_threshold
        .as_ref()
        .and_then(|n| keep(errs, threshold(&cx, n)))
        .unwrap_or(DEFAULT_BULK_CONFIRM_THRESHOLD);
    let request_budget = raw
        .request_budget
        .as_ref()
        .and_then(|v| keep(errs, budget(&cx, v)))
        .unwrap_or(DEFAULT_REQUEST_BUDGET);
    let columns = raw
        .columns
        .as_ref()
        .and_then(|list| columns(&cx, list, "columns", errs));

    let mut config = Config {
        path: Some(path.to_path_buf()),
        request_budget,
        columns,
        refresh,
        theme,
        read_only: raw.read_only.unwrap_or(false),
        bulk_confirm_threshold,
        ..Config::default()
    };

    // Services first: the projects' and defaults' lists name them.
    for (i, s) in raw
        .services
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(entry) = keep(errs, service(&cx, i, s.get_ref())) else {
            continue;
        };
        if let Some(first) = config
            .services
            .iter()
            .position(|e| e.profile.name == entry.profile.name)
        {
            errs.push(cx.err(
                s.get_ref().name.span(),
                &format!("service[{i}].name"),
                format!(
                    "duplicate service {:?} (already service[{first}])",
                    entry.profile.name
                ),
            ));
            continue;
        }
        config.services.push(entry);
    }

    if let Some(d) = &raw.defaults {
        if let Some(s) = &d.services
            && let Some(list) = keep(errs, service_list(&cx, &config, s, "defaults.services"))
        {
            config.default_services = Some(list);
        }
        if let Some(e) = &d.endpoint
            && let Some(e) = keep(errs, endpoint(&cx, e, "defaults.endpoint"))
        {
            config.default_endpoint = e;
        }
        if let Some(l) = &d.locations
            && let Some(l) = locations(&cx, l, "defaults.locations", errs, |loc| {
                check_segment(loc, "location", loc)
            })
        {
            config.default_locations = l;
        }
    }

    for (i, v) in raw.views.as_deref().unwrap_or_default().iter().enumerate() {
        if let Some(view) = view(&cx, i, v.get_ref(), errs) {
            if let Some(first) = config.views.iter().position(|w| w.name == view.name) {
                errs.push(cx.err(
                    v.get_ref().name.span(),
                    &format!("view[{i}].name"),
                    format!("duplicate view {:?} (already view[{first}])", view.name),
                ));
            } else {
                config.views.push(view);
            }
        }
    }

    let raw_projects = raw.projects.as_deref().unwrap_or_default();
    config.projects = raw_projects
        .iter()
        .enumerate()
        .filter_map(|(i, p)| project(&cx, &config, i, p.get_ref(), errs))
        .collect();
    unique_names(&cx, raw_projects, errs);
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(report(errors))
    }
}

/// One error, or all of them in file order.
fn report(mut errors: Vec<ConfigError>) -> ConfigError {
    if errors.len() == 1 {
        return errors.remove(0);
    }
    errors.sort_by_key(|e| match e {
        ConfigError::Invalid { line, column, .. } => (*line, *column),
        _ => (usize::MAX, usize::MAX),
    });
    ConfigError::Many(errors)
}

/// The keys each table of the file may hold, in the order the errors list them.
const TOP: &[&str] = &[
    "refresh",
    "theme",
    "read_only",
    "bulk_confirm_threshold",
    "request_budget",
    "columns",
    "defaults",
    "project",
    "service",
    "view",
];
const DEFAULTS: &[&str] = &["endpoint", "locations", "services"];
const PROJECT: &[&str] = &[
    "id",
    "alias",
    "locations",
    "endpoint",
    "read_only",
    "protected",
    "quota_project",
    "services",
    "colour",
];
const SERVICE: &[&str] = &[
    "name",
    "title",
    "host",
    "version",
    "collection",
    "methods",
    "cross_location",
    "endpoint",
    "console",
];
const VIEW: &[&str] = &["name", "filter", "sort", "reverse", "columns"];

/// Every key the file has that no table takes, with its place. A file that is not TOML
/// is left to the parser's own error.
fn unknown_keys(cx: &Ctx<'_>) -> Vec<ConfigError> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(cx.text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let expected = |known: &[&str]| match known {
        [one] => format!("expected {one}"),
        [a, b] => format!("expected {a} or {b}"),
        all => format!("expected one of {}", all.join(", ")),
    };
    let mut check = |table: &DeTable<'_>, known: &[&str], aliases: &[&str], prefix: &str| {
        for (k, _) in table.iter() {
            let name: &str = k.get_ref();
            if !known.contains(&name) && !aliases.contains(&name) {
                let key = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                out.push(cx.err(k.span(), &key, format!("unknown key ({})", expected(known))));
            }
        }
    };
    let top = doc.get_ref();
    check(top, TOP, &[], "");
    for (k, v) in top.iter() {
        let name: &str = k.get_ref();
        match (name, v.get_ref()) {
            ("defaults", DeValue::Table(t)) => check(t, DEFAULTS, &[], "defaults"),
            ("project" | "service" | "view", DeValue::Array(items)) => {
                let (known, aliases): (&[&str], &[&str]) = match name {
                    "project" => (PROJECT, &["color"]),
                    "service" => (SERVICE, &[]),
                    _ => (VIEW, &[]),
                };
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(t) = item.get_ref() {
                        check(t, known, aliases, &format!("{name}[{i}]"));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The value, or `None` with its error kept for the report.
fn keep<T>(errors: &mut Vec<ConfigError>, r: Result<T, ConfigError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn refresh(cx: &Ctx<'_>, r: &Spanned<String>) -> Result<Duration, ConfigError> {
    let d = crate::human::parse_human_duration(r.get_ref())
        .map_err(|m| cx.err(r.span(), "refresh", m))?;
    if d < MIN_REFRESH {
        return Err(cx.err(
            r.span(),
            "refresh",
            format!("{:?} is too short: the floor is 1s", r.get_ref()),
        ));
    }
    Ok(d)
}

fn theme(cx: &Ctx<'_>, t: &Spanned<String>) -> Result<ThemeName, ConfigError> {
    match t.get_ref().as_str() {
        "default" => Ok(ThemeName::Default),
        "mono" => Ok(ThemeName::Mono),
        other => Err(cx.err(
            t.span(),
            "theme",
            format!("unknown theme {other:?} (expected \"default\" or \"mono\")"),
        )),
    }
}

fn threshold(cx: &Ctx<'_>, n: &Spanned<i64>) -> Result<usize, ConfigError> {
    let key = "bulk_confirm_threshold";
    if *n.get_ref() < 1 {
        return Err(cx.err(
            n.span(),
            key,
            format!("must be at least 1, not {}", n.get_ref()),
        ));
    }
    usize::try_from(*n.get_ref())
        .map_err(|_| cx.err(n.span(), key, format!("{} is too large", n.get_ref())))
}

fn budget(cx: &Ctx<'_>, v: &Spanned<toml::Value>) -> Result<f64, ConfigError> {
    let n = match v.get_ref() {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        other => {
            return Err(cx.err(
                v.span(),
                "request_budget",
                format!(
                    "expected a number of requests per second, found {}",
                    other.type_str()
                ),
            ));
        }
    };
    if !(n > 0.0 && n.is_finite() && n <= 10_000.0) {
        return Err(cx.err(
            v.span(),
            "request_budget",
            format!("must be above 0 and at most 10000, not {n}"),
        ));
    }
    Ok(n)
}

/// One `[[project]]`; every field's mistake is kept, and the entry is left out if any.
fn project(
    cx: &Ctx<'_>,
    config: &Config,
    i: usize,
    p: &RawProject,
    errors: &mut Vec<ConfigError>,
) -> Option<ProjectEntry> {
    let before = errors.len();
    let key = |field: &str| format!("project[{i}].{field}");
    let id = p.id.get_ref();
    if id.is_empty() {
        errors.push(cx.err(p.id.span(), &key("id"), "the project id is empty"));
    } else if let Err(e) = check_project(id) {
        errors.push(cx.err(p.id.span(), &key("id"), reason(&e, id)));
    }
    let alias = p.alias.as_ref().and_then(|a| {
        // An alias stands in for the id on the command line, so it obeys the same rules.
        let checked = check_segment(a.get_ref(), "alias", a.get_ref())
            .map(|()| a.get_ref().clone())
            .map_err(|e| cx.err(a.span(), &key("alias"), reason(&e, a.get_ref())));
        keep(errors, checked)
    });
    let locations = p.locations.as_ref().and_then(|l| {
        locations(cx, l, &key("locations"), errors, |loc| {
            LocationName::new(id, loc).map(drop)
        })
    });
    let endpoint = p
        .endpoint
        .as_ref()
        .and_then(|e| keep(errors, endpoint(cx, e, &key("endpoint"))));
    let quota_project = p.quota_project.as_ref().and_then(|q| {
        let checked = check_project(q.get_ref())
            .map(|()| q.get_ref().clone())
            .map_err(|e| cx.err(q.span(), &key("quota_project"), reason(&e, q.get_ref())));
        keep(errors, checked)
    });
    let services = p
        .services
        .as_ref()
        .and_then(|s| keep(errors, service_list(cx, config, s, &key("services"))));
    let colour = p.colour.as_ref().and_then(|c| {
        let known: Vec<&str> = crate::app::Accent::ALL.iter().map(|(n, _)| *n).collect();
        let parsed = crate::app::Accent::parse(c.get_ref()).ok_or_else(|| {
            cx.err(
                c.span(),
                &key("colour"),
                format!(
                    "unknown colour {:?} (expected one of {})",
                    c.get_ref(),
                    known.join(", ")
                ),
            )
        });
        keep(errors, parsed)
    });
    (errors.len() == before).then(|| ProjectEntry {
        id: id.clone(),
        alias,
        locations,
        endpoint,
        read_only: p.read_only.unwrap_or(false),
        protected: p.protected.unwrap_or(false),
        quota_project,
        services,
        colour,
    })
}

/// `services = ["aiplatform", "run"]`: names of built-in or `[[service]]` profiles, each
/// once, at least one.
fn service_list(
    cx: &Ctx<'_>,
    config: &Config,
    list: &Spanned<Vec<Spanned<String>>>,
    key: &str,
) -> Result<Vec<String>, ConfigError> {
    if list.get_ref().is_empty() {
        return Err(cx.err(
            list.span(),
            key,
            "the list is empty; name at least one service",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in list.get_ref().iter().enumerate() {
        let name = item.get_ref();
        let item_key = format!("{key}[{i}]");
        if config.profile(name).is_none() {
            let known: Vec<String> = config.profiles().iter().map(|p| p.name.clone()).collect();
            return Err(cx.err(
                item.span(),
                &item_key,
                format!(
                    "unknown service {name:?} (known: {}; add a [[service]] table for another)",
                    known.join(", ")
                ),
            ));
        }
        if let Some(first) = out.iter().position(|o| o == name) {
            return Err(cx.err(
                item.span(),
                &item_key,
                format!("{name:?} is listed twice (already {key}[{first}])"),
            ));
        }
        out.push(name.clone());
    }
    Ok(out)
}

/// A `[[service]]` table: a built-in profile changed, or a new one (host and version
/// required).
fn service(cx: &Ctx<'_>, i: usize, s: &RawService) -> Result<ServiceEntry, ConfigError> {
    use crate::api::names::Collection;
    use crate::api::service::{self as svc, Method, Methods, ServiceProfile};
    let key = |field: &str| format!("service[{i}].{field}");
    let name = s.name.get_ref();
    let good_name = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !good_name {
        return Err(cx.err(
            s.name.span(),
            &key("name"),
            format!("invalid service name {name:?}: lowercase letters, digits and '-', starting with a letter"),
        ));
    }
    let base = svc::builtin(name).map(|p| p.as_ref().clone());
    let is_new = base.is_none();
    let mut p = base.unwrap_or_else(|| ServiceProfile {
        name: name.clone(),
        title: name.clone(),
        host: String::new(),
        version: String::new(),
        collection: Collection::Locations,
        methods: Methods::STANDARD,
        cross_location: false,
        types: Vec::new(),
        console: None,
    });
    if let Some(t) = &s.title {
        if t.get_ref().trim().is_empty() || t.get_ref().chars().any(char::is_control) {
            return Err(cx.err(
                t.span(),
                &key("title"),
                "the title is empty or has control characters",
            ));
        }
        p.title = t.get_ref().trim().to_string();
    }
    match &s.host {
        Some(h) => {
            svc::check_host(h.get_ref())
                .map_err(|e| cx.err(h.span(), &key("host"), e.to_string()))?;
            p.host = h.get_ref().trim().to_string();
        }
        None if is_new => {
            return Err(cx.err(
                s.name.span(),
                &key("host"),
                format!("{name:?} is not a built-in service: give its host (e.g. \"https://{name}.googleapis.com\") and version"),
            ));
        }
        None => {}
    }
    match &s.version {
        Some(v) => {
            let ok =
                !v.get_ref().is_empty() && v.get_ref().bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok {
                return Err(cx.err(
                    v.span(),
                    &key("version"),
                    format!(
                        "invalid version {:?}: letters and digits, e.g. \"v1\"",
                        v.get_ref()
                    ),
                ));
            }
            p.version = v.get_ref().clone();
        }
        None if is_new => {
            return Err(cx.err(
                s.name.span(),
                &key("version"),
                format!("{name:?} is not a built-in service: give its version (e.g. \"v1\")"),
            ));
        }
        None => {}
    }
    if let Some(c) = &s.collection {
        p.collection = Collection::from_word(c.get_ref()).ok_or_else(|| {
            cx.err(
                c.span(),
                &key("collection"),
                format!(
                    "unknown collection {:?} (expected \"locations\" or \"regions\")",
                    c.get_ref()
                ),
            )
        })?;
    }
    if let Some(m) = &s.methods {
        let mut methods = Vec::new();
        for (j, item) in m.get_ref().iter().enumerate() {
            let k = format!("{}[{j}]", key("methods"));
            let method = Method::from_word(item.get_ref()).ok_or_else(|| {
                cx.err(
                    item.span(),
                    &k,
                    format!(
                        "unknown method {:?} (expected list, get, cancel, delete or wait)",
                        item.get_ref()
                    ),
                )
            })?;
            if methods.contains(&method) {
                return Err(cx.err(
                    item.span(),
                    &k,
                    format!("{:?} is listed twice", item.get_ref()),
                ));
            }
            methods.push(method);
        }
        p.methods = Methods::from_list(&methods);
    }
    if let Some(c) = &s.cross_location {
        if *c.get_ref() && p.is_regional() {
            return Err(cx.err(
                c.span(),
                &key("cross_location"),
                "a regional host serves one location: locations/- cannot be listed there",
            ));
        }
        p.cross_location = *c.get_ref();
    }
    if let Some(c) = &s.console {
        crate::api::console::check_template(c.get_ref().trim())
            .map_err(|e| cx.err(c.span(), &key("console"), e))?;
        p.console = Some(c.get_ref().trim().to_string());
    }
    let endpoint = match &s.endpoint {
        None => None,
        Some(e) => {
            svc::check_host(e.get_ref())
                .map_err(|err| cx.err(e.span(), &key("endpoint"), err.to_string()))?;
            Some(e.get_ref().trim().to_string())
        }
    };
    Ok(ServiceEntry {
        profile: std::sync::Arc::new(p),
        endpoint,
    })
}

/// Ids and aliases together name projects on the command line, so no name may mean two
/// projects. Each error points at the later of the two, with the earlier one named.
fn unique_names(cx: &Ctx<'_>, projects: &[Spanned<RawProject>], errors: &mut Vec<ConfigError>) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, p) in projects.iter().enumerate() {
        let id = p.get_ref().id.get_ref().as_str();
        if let Some(&first) = ids.get(id) {
            errors.push(cx.err(
                p.get_ref().id.span(),
                &format!("project[{i}].id"),
                format!("duplicate project id {id:?} (already project[{first}])"),
            ));
        } else {
            ids.insert(id, i);
        }
    }
    let mut aliases: HashMap<&str, usize> = HashMap::new();
    for (i, p) in projects.iter().enumerate() {
        let Some(a) = &p.get_ref().alias else {
            continue;
        };
        let alias = a.get_ref().as_str();
        let key = format!("project[{i}].alias");
        if let Some(&owner) = ids.get(alias).filter(|&&owner| owner != i) {
            errors.push(cx.err(
                a.span(),
                &key,
                format!("alias {alias:?} is the id of project[{owner}]"),
            ));
            continue;
        }
        if let Some(&first) = aliases.get(alias) {
            errors.push(cx.err(
                a.span(),
                &key,
                format!("duplicate alias {alias:?} (already project[{first}])"),
            ));
        } else {
            aliases.insert(alias, i);
        }
    }
}

fn endpoint(cx: &Ctx<'_>, e: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
    crate::api::client::base_url(e.get_ref())
        .map_err(|err| cx.err(e.span(), key, err.to_string()))?;
    Ok(e.get_ref().trim().to_string())
}

/// A list of locations or `"discover"`; every bad item is reported, and the list is left
/// out if any is.
fn locations(
    cx: &Ctx<'_>,
    l: &Spanned<RawLocations>,
    key: &str,
    errors: &mut Vec<ConfigError>,
    check: impl Fn(&str) -> Result<(), NameError>,
) -> Option<Locations> {
    match l.get_ref() {
        RawLocations::Word(w) if w == "discover" => Some(Locations::Discover),
        RawLocations::Word(w) => {
            errors.push(cx.err(
                l.span(),
                key,
                format!("expected a list of locations or \"discover\", found {w:?}"),
            ));
            None
        }
        RawLocations::List(items) if items.is_empty() => {
            errors.push(cx.err(
                l.span(),
                key,
                "the list is empty; name at least one location, or write \"discover\"",
            ));
            None
        }
        RawLocations::List(items) => {
            let before = errors.len();
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let loc = item.get_ref();
                let item_key = format!("{key}[{i}]");
                if let Err(e) = check(loc) {
                    errors.push(cx.err(item.span(), &item_key, reason(&e, loc)));
                    continue;
                }
                // Listing a location twice would list its operations twice.
                if let Some(first) = items[..i].iter().position(|o| o.get_ref() == loc) {
                    errors.push(cx.err(
                        item.span(),
                        &item_key,
                        format!("{loc:?} is listed twice (already {key}[{first}])"),
                    ));
                    continue;
                }
                out.push(loc.clone());
            }
            (errors.len() == before).then_some(Locations::List(out))
        }
    }
}

/// `columns = ["state", "age", …]`: known names, each once, at least one; every unknown
/// name is reported.
fn columns(
    cx: &Ctx<'_>,
    list: &Spanned<Vec<Spanned<String>>>,
    key: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<Vec<Column>> {
    let before = errors.len();
    let mut out = Vec::with_capacity(list.get_ref().len());
    for (i, item) in list.get_ref().iter().enumerate() {
        match item.get_ref().parse::<Column>() {
            Ok(c) => out.push(c),
            Err(m) => errors.push(cx.err(item.span(), &format!("{key}[{i}]"), m)),
        }
    }
    if errors.len() > before {
        return None;
    }
    let checked = crate::app::columns::check(&out).map_err(|(i, m)| match list.get_ref().get(i) {
        Some(item) if !out.is_empty() => cx.err(item.span(), &format!("{key}[{i}]"), m),
        _ => cx.err(list.span(), key, m),
    });
    keep(errors, checked).map(|()| out)
}

/// One `[[view]]`; every mistake is kept, and the view left out if any.
fn view(
    cx: &Ctx<'_>,
    i: usize,
    v: &RawView,
    errors: &mut Vec<ConfigError>,
) -> Option<crate::app::SavedView> {
    let before = errors.len();
    let key = |field: &str| format!("view[{i}].{field}");
    let name = v.name.get_ref().trim().to_string();
    if name.is_empty() || name.chars().any(char::is_control) {
        errors.push(cx.err(v.name.span(), &key("name"), "a view needs a name"));
    }
    let filter = v
        .filter
        .as_ref()
        .map(|f| f.get_ref().clone())
        .unwrap_or_default();
    if let Some(f) = &v.filter
        && let Err(e) = crate::app::filter::Filter::parse(f.get_ref())
    {
        errors.push(cx.err(f.span(), &key("filter"), e.to_string()));
    }
    let sort = v.sort.as_ref().and_then(|s| {
        let parsed = s
            .get_ref()
            .parse::<Column>()
            .map_err(|m| cx.err(s.span(), &key("sort"), m));
        keep(errors, parsed)
    });
    let columns = v
        .columns
        .as_ref()
        .and_then(|list| columns(cx, list, &key("columns"), errors));
    (errors.len() == before).then_some(crate::app::SavedView {
        name,
        filter,
        sort,
        reverse: v.reverse.unwrap_or(false),
        columns,
    })
}

/// `NameError`'s own text shows a synthesized resource name; the file holds just the segment.
fn reason(e: &NameError, value: &str) -> String {
    format!("invalid {value:?}: {}", e.reason)
}
