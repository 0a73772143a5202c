//! The config file: every key, every error kind (with its exact line:column and key), where
//! the file is looked for, and `init`'s refusal to overwrite.

use lrotop::app::Column;
use lrotop::config::{
    self, Config, ConfigError, DEFAULT_ENDPOINT, Locations, ProjectEntry, ThemeName,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Writes `text` to a file and loads it, so errors carry a real path.
fn load_text(text: &str) -> (tempfile::TempDir, PathBuf, Result<Config, ConfigError>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let result = config::load(&path, true);
    (dir, path, result)
}

/// Asserts the error is `FILE:LINE:COLUMN: KEY: …` with `fragment` in the message.
#[track_caller]
fn assert_error(text: &str, line: usize, column: usize, key: &str, fragment: &str) {
    let (_dir, path, result) = load_text(text);
    let err = result.expect_err("the config should be refused");
    let shown = err.to_string();
    let prefix = format!("{}:{line}:{column}: {key}: ", path.display());
    assert!(
        shown.starts_with(&prefix),
        "expected {prefix:?}…\n     got {shown:?}"
    );
    assert!(shown.contains(fragment), "{shown:?} lacks {fragment:?}");
    let ConfigError::Invalid {
        path: p,
        line: l,
        column: c,
        key: k,
        ..
    } = err
    else {
        panic!("not Invalid: {err:?}")
    };
    assert_eq!((p, l, c, k.as_str()), (path, line, column, key));
}

fn list(items: &[&str]) -> Locations {
    Locations::List(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn the_example_file_loads_and_has_a_project() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let c = config::load(&path, true).unwrap();
    assert!(!c.projects.is_empty());
    assert_eq!(c.path.as_deref(), Some(path.as_path()));
    let (memcache, _) = c.profile("memcache").unwrap();
    assert!(
        memcache
            .console
            .as_deref()
            .is_some_and(|t| t.contains("{location}")),
        "{:?}",
        memcache.console
    );
}

#[test]
fn the_starter_parses_as_the_defaults() {
    let c = config::parse(&config::starter(), Path::new("starter.toml")).unwrap();
    assert_eq!(
        c,
        Config {
            path: Some(PathBuf::from("starter.toml")),
            ..Config::default()
        }
    );
}

#[test]
fn defaults() {
    let c = Config::default();
    assert_eq!(c.path, None);
    assert_eq!(c.refresh, Duration::from_secs(5));
    assert_eq!(c.theme, ThemeName::Default);
    assert!(!c.read_only);
    assert_eq!(c.bulk_confirm_threshold, 20);
    assert_eq!(c.default_endpoint, DEFAULT_ENDPOINT);
    assert_eq!(DEFAULT_ENDPOINT, lrotop::api::DEFAULT_ENDPOINT);
    assert_eq!(c.default_locations, Locations::Discover);
    assert!(c.projects.is_empty());
    // An empty file is the defaults too.
    let parsed = config::parse("", Path::new("e.toml")).unwrap();
    assert_eq!(parsed.path.as_deref(), Some(Path::new("e.toml")));
    assert_eq!(
        parsed,
        Config {
            path: parsed.path.clone(),
            ..c
        }
    );
}

const ALL_KEYS: &str = r#"
refresh = "2m"
theme = "mono"
read_only = true
bulk_confirm_threshold = 7
request_budget = 0.5
columns = ["state", "age", "verb", "target"]

[defaults]
endpoint = "http://127.0.0.1:8085"
locations = ["global", "us-central1"]

[[project]]
id = "my-prod-project"
alias = "prod"
locations = ["global", "europe-west1"]
endpoint = "https://example.googleapis.com/v2"
read_only = true
protected = true
quota_project = "my-billing-project"
colour = "red"

[[project]]
id = "my-dev-project"
locations = "discover"

[[view]]
name = "stuck"
filter = "state=running age>2h"
sort = "age"
reverse = true
columns = ["state", "target"]
"#;

#[test]
fn every_key_reaches_its_field() {
    let (_dir, path, result) = load_text(ALL_KEYS);
    let c = result.unwrap();
    assert_eq!(
        c,
        Config {
            path: Some(path),
            refresh: Duration::from_secs(120),
            theme: ThemeName::Mono,
            read_only: true,
            bulk_confirm_threshold: 7,
            request_budget: 0.5,
            columns: Some(vec![
                Column::State,
                Column::Age,
                Column::Verb,
                Column::Target
            ]),
            default_endpoint: "http://127.0.0.1:8085".to_string(),
            default_locations: list(&["global", "us-central1"]),
            projects: vec![
                ProjectEntry {
                    id: "my-prod-project".to_string(),
                    alias: Some("prod".to_string()),
                    locations: Some(list(&["global", "europe-west1"])),
                    endpoint: Some("https://example.googleapis.com/v2".to_string()),
                    read_only: true,
                    protected: true,
                    quota_project: Some("my-billing-project".to_string()),
                    services: None,
                    colour: Some(lrotop::app::Accent::Red),
                },
                ProjectEntry {
                    id: "my-dev-project".to_string(),
                    alias: None,
                    locations: Some(Locations::Discover),
                    endpoint: None,
                    read_only: false,
                    protected: false,
                    quota_project: None,
                    services: None,
                    colour: None,
                },
            ],
            views: vec![lrotop::app::SavedView {
                name: "stuck".into(),
                filter: "state=running age>2h".into(),
                sort: Some(Column::Age),
                reverse: true,
                columns: Some(vec![Column::State, Column::Target]),
            }],
            services: Vec::new(),
            default_services: None,
        }
    );
}

#[test]
fn durations_in_every_unit() {
    for (text, want) in [
        ("1s", Duration::from_secs(1)),
        ("1500ms", Duration::from_millis(1500)),
        ("1.5s", Duration::from_millis(1500)),
        ("2m", Duration::from_secs(120)),
        ("1h", Duration::from_secs(3600)),
        ("1h30m", Duration::from_secs(5400)),
        ("3 mins 4s", Duration::from_secs(184)),
        ("5", Duration::from_secs(5)),
    ] {
        let c = config::parse(&format!("refresh = {text:?}"), Path::new("c.toml")).unwrap();
        assert_eq!(c.refresh, want, "{text}");
    }
}

#[test]
fn unknown_top_level_key() {
    assert_error(
        "refresh = \"5s\"\ncolour = \"red\"\n",
        2,
        1,
        "colour",
        "unknown key (expected one of refresh, theme",
    );
}

#[test]
fn an_unknown_column() {
    assert_error(
        "theme = \"mono\"\ncolumns = [\"state\", \"colour\"]\n",
        2,
        21,
        "columns[1]",
        "unknown column \"colour\" (expected one of state, project, service, location, verb, target, age, id, name)",
    );
}

#[test]
fn columns_listed_twice_none_or_not_a_list() {
    assert_error(
        "columns = [\"age\", \"verb\",\n  \"age\"]\n",
        2,
        3,
        "columns[2]",
        "\"age\" is listed twice (already [0])",
    );
    assert_error(
        "read_only = true\ncolumns = []\n",
        2,
        11,
        "columns",
        "the list is empty",
    );
    assert_error(
        "columns = \"state\"\n",
        1,
        11,
        "columns",
        "expected an array, found a string",
    );
}

#[test]
fn columns_are_read_in_order_and_in_any_case() {
    let c = config::parse(
        "columns = [\"Target\", \"ID\", \"project\"]",
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(
        c.columns,
        Some(vec![Column::Target, Column::Id, Column::Project])
    );
    assert_eq!(Config::default().columns, None);
}

#[test]
fn unknown_key_in_defaults() {
    assert_error(
        "[defaults]\nendpoint = \"https://example.googleapis.com\"\n  region = \"x\"\n",
        3,
        3,
        "defaults.region",
        "unknown key (expected one of endpoint, locations, services)",
    );
}

#[test]
fn unknown_key_in_the_second_project() {
    assert_error(
        "[[project]]\nid = \"a\"\n\n[[project]]\nid = \"b\"\n    readonly = true\n",
        6,
        5,
        "project[1].readonly",
        "unknown key",
    );
}

#[test]
fn unknown_key_in_an_inline_table() {
    assert_error(
        // (`colour` was the example once; it is a key now.)
        "project = [{ id = \"a\" }, { id = \"b\", shade = 1 }]\n",
        1,
        38,
        "project[1].shade",
        "unknown key",
    );
}

#[test]
fn a_string_for_a_boolean() {
    assert_error(
        "[[project]]\nid = \"a\"\n\n[[project]]\nid = \"b\"\nread_only = \"yes\"\n",
        6,
        13,
        "project[1].read_only",
        "expected a boolean, found a string (\"yes\")",
    );
    assert_error(
        "theme = \"mono\"\nread_only = 1\n",
        2,
        13,
        "read_only",
        "expected a boolean, found an integer (1)",
    );
}

#[test]
fn other_wrong_types() {
    assert_error(
        "bulk_confirm_threshold = \"many\"\n",
        1,
        26,
        "bulk_confirm_threshold",
        "expected an integer, found a string",
    );
    assert_error(
        "[defaults]\nendpoint = 5\n",
        2,
        12,
        "defaults.endpoint",
        "expected a string, found an integer (5)",
    );
    assert_error(
        "[defaults]\nlocations = 3\n",
        2,
        13,
        "defaults.locations",
        "expected a list of location names or \"discover\", found an integer (3)",
    );
    assert_error(
        "[defaults]\nlocations = [\"global\", 3]\n",
        2,
        24,
        "defaults.locations[1]",
        "expected a string, found an integer (3)",
    );
    assert_error(
        "theme = \"mono\"\nrefresh = 1979-05-27\n",
        2,
        11,
        "refresh",
        "expected a string, found a datetime",
    );
    assert_error(
        "[project]\nid = \"a\"\n",
        1,
        1,
        "project",
        "expected an array, found a table (write [[project]], with double brackets)",
    );
}

#[test]
fn a_bad_duration() {
    assert_error(
        "theme = \"mono\"\nrefresh = \"5 parsecs\"\n",
        2,
        11,
        "refresh",
        "unknown unit \"parsecs\"",
    );
}

#[test]
fn refresh_below_one_second() {
    assert_error("refresh = \"500ms\"\n", 1, 11, "refresh", "the floor is 1s");
    assert_error("refresh = \"0.9s\"\n", 1, 11, "refresh", "the floor is 1s");
}

#[test]
fn a_bad_theme() {
    assert_error(
        "theme = \"dark\"\n",
        1,
        9,
        "theme",
        "unknown theme \"dark\" (expected \"default\" or \"mono\")",
    );
}

#[test]
fn threshold_zero_or_negative() {
    assert_error(
        "bulk_confirm_threshold = 0\n",
        1,
        26,
        "bulk_confirm_threshold",
        "must be at least 1",
    );
    assert_error(
        "read_only = false\nbulk_confirm_threshold = -3\n",
        2,
        26,
        "bulk_confirm_threshold",
        "must be at least 1, not -3",
    );
}

#[test]
fn request_budget_must_be_a_positive_number() {
    assert_error(
        "request_budget = 0\n",
        1,
        18,
        "request_budget",
        "must be above 0",
    );
    assert_error(
        "request_budget = \"fast\"\n",
        1,
        18,
        "request_budget",
        "expected a number",
    );
    let (_dir, _path, result) = load_text("request_budget = 3\n");
    assert_eq!(
        result.unwrap().request_budget,
        3.0,
        "an integer is a number too"
    );
}

#[test]
fn a_project_without_an_id() {
    assert_error(
        "[[project]]\nid = \"a\"\n\n[[project]]\nalias = \"b\"\n",
        4,
        1,
        "project[1].id",
        "required key is missing",
    );
}

#[test]
fn an_empty_or_invalid_project_id() {
    assert_error("[[project]]\nid = \"\"\n", 2, 6, "project[0].id", "empty");
    assert_error(
        "[[project]]\nid = \"a/../b\"\n",
        2,
        6,
        "project[0].id",
        "invalid \"a/../b\"",
    );
}

#[test]
fn a_duplicate_id() {
    assert_error(
        "[[project]]\nid = \"a\"\n[[project]]\nid = \"b\"\n[[project]]\nid = \"a\"\n",
        6,
        6,
        "project[2].id",
        "duplicate project id \"a\" (already project[0])",
    );
}

#[test]
fn a_duplicate_alias() {
    assert_error(
        "[[project]]\nid = \"a\"\nalias = \"x\"\n[[project]]\nid = \"b\"\nalias = \"x\"\n",
        6,
        9,
        "project[1].alias",
        "duplicate alias \"x\" (already project[0])",
    );
}

#[test]
fn an_alias_that_is_another_projects_id() {
    // Either order: the alias is the one that points at the wrong project.
    assert_error(
        "[[project]]\nid = \"a\"\n[[project]]\nid = \"b\"\nalias = \"a\"\n",
        5,
        9,
        "project[1].alias",
        "alias \"a\" is the id of project[0]",
    );
    assert_error(
        "[[project]]\nid = \"a\"\nalias = \"b\"\n[[project]]\nid = \"b\"\n",
        3,
        9,
        "project[0].alias",
        "alias \"b\" is the id of project[1]",
    );
    // Its own id is harmless.
    let c = config::parse("[[project]]\nid = \"a\"\nalias = \"a\"\n", Path::new("c")).unwrap();
    assert_eq!(c.projects[0].alias.as_deref(), Some("a"));
}

#[test]
fn an_invalid_location_name() {
    assert_error(
        "[[project]]\nid = \"a\"\nlocations = [\"global\", \"us central1\"]\n",
        3,
        24,
        "project[0].locations[1]",
        "invalid \"us central1\": the location contains U+0020",
    );
    assert_error(
        "[defaults]\nlocations = [\"us-east1\", \"../x\"]\n",
        2,
        26,
        "defaults.locations[1]",
        "invalid \"../x\"",
    );
}

#[test]
fn a_location_listed_twice() {
    assert_error(
        "[defaults]\nlocations = [\"global\", \"us-east1\", \"global\"]\n",
        2,
        36,
        "defaults.locations[2]",
        "listed twice (already defaults.locations[0])",
    );
}

#[test]
fn locations_as_a_word_other_than_discover() {
    assert_error(
        "[defaults]\nlocations = \"everywhere\"\n",
        2,
        13,
        "defaults.locations",
        "found \"everywhere\"",
    );
    assert_error(
        "[[project]]\nid = \"a\"\nlocations = \"Discover\"\n",
        3,
        13,
        "project[0].locations",
        "\"discover\"",
    );
}

#[test]
fn an_empty_locations_list() {
    assert_error(
        "[[project]]\nid = \"a\"\nlocations = []\n",
        3,
        13,
        "project[0].locations",
        "the list is empty",
    );
}

#[test]
fn a_bad_endpoint() {
    assert_error(
        "[[project]]\nid = \"a\"\nendpoint = \"ftp://x\"\n",
        3,
        12,
        "project[0].endpoint",
        "must be http:// or https://",
    );
    assert_error(
        "[defaults]\nendpoint = \"not a url\"\n",
        2,
        12,
        "defaults.endpoint",
        "is not a URL",
    );
}

#[test]
fn an_invalid_quota_project() {
    assert_error(
        "[[project]]\nid = \"a\"\nquota_project = \"a b\"\n",
        3,
        17,
        "project[0].quota_project",
        "invalid \"a b\"",
    );
}

#[test]
fn invalid_toml_syntax() {
    assert_error(
        "refresh = \"5s\ntheme = \"mono\"\n",
        1,
        14,
        "refresh",
        "invalid TOML",
    );
    assert_error(
        "[[project]]\nid = \"a\"\n[[project]\nid = \"b\"\n",
        3,
        11,
        "project[1]",
        "invalid TOML",
    );
    // Defining a key twice is a TOML error too.
    assert_error(
        "theme = \"mono\"\ntheme = \"default\"\n",
        2,
        1,
        "theme",
        "invalid TOML",
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    // "é" is two bytes in UTF-8; an editor shows the value at column 13.
    assert_error(
        "# café\n[[project]]\nid = \"a\"\nalias = \"é\" ; read_only = 1\n",
        4,
        13,
        "project[0].alias",
        "invalid TOML",
    );
}

#[test]
fn terminal_escapes_in_the_file_do_not_reach_the_message() {
    let (_dir, _path, result) = load_text("\"\\u001b[31mred\" = 1\n");
    let shown = result.unwrap_err().to_string();
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
}

#[test]
fn config_path_prefers_flag_then_env_then_default() {
    let env_set = |k: &str| (k == "LROTOP_CONFIG").then(|| "/from/env.toml".to_string());
    let env_empty = |k: &str| (k == "LROTOP_CONFIG").then(String::new);
    let env_none = |_: &str| None;

    let flag = Path::new("/from/flag.toml");
    assert_eq!(config::config_path(Some(flag), &env_set).unwrap(), flag);
    assert_eq!(
        config::config_path(None, &env_set).unwrap(),
        Path::new("/from/env.toml")
    );
    let default = config::config_path(None, &env_none).unwrap();
    assert!(
        default.ends_with(Path::new("lrotop").join("config.toml")),
        "{default:?}"
    );
    assert_eq!(config::config_path(None, &env_empty).unwrap(), default);
}

#[test]
fn a_missing_file_is_the_defaults_unless_it_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope").join("config.toml");
    assert_eq!(config::load(&path, false).unwrap(), Config::default());
    let err = config::load(&path, true).unwrap_err();
    assert!(
        matches!(&err, ConfigError::Io { path: p, source } if *p == path
        && source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn init_creates_parents_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("config.toml");
    config::init(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), config::starter());
    assert_eq!(
        config::load(&path, true).unwrap().path.as_deref(),
        Some(path.as_path())
    );

    std::fs::write(&path, "theme = \"mono\"\n").unwrap();
    let err = config::init(&path).unwrap_err();
    assert!(
        matches!(&err, ConfigError::Exists(p) if *p == path),
        "{err:?}"
    );
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "theme = \"mono\"\n"
    );
}

fn two_projects() -> Config {
    config::parse(
        r#"
read_only = false
[defaults]
endpoint = "https://defaults.googleapis.com"
locations = ["global"]

[[project]]
id = "prod-project"
alias = "Prod"
endpoint = "https://own.googleapis.com"
locations = "discover"
read_only = true

[[project]]
id = "dev-project"
"#,
        Path::new("c.toml"),
    )
    .unwrap()
}

#[test]
fn find_by_id_or_alias() {
    let c = two_projects();
    assert_eq!(c.find("prod-project").unwrap().id, "prod-project");
    assert_eq!(c.find("Prod").unwrap().id, "prod-project");
    assert_eq!(c.find("prod").unwrap().id, "prod-project");
    assert_eq!(c.find("DEV-PROJECT").unwrap().id, "dev-project");
    assert!(c.find("staging").is_none());
    assert!(c.find("").is_none());
}

#[test]
fn find_prefers_an_exact_match_and_refuses_an_ambiguous_one() {
    let text = "[[project]]\nid = \"a\"\nalias = \"x\"\n[[project]]\nid = \"b\"\nalias = \"X\"\n";
    let c = config::parse(text, Path::new("c")).unwrap();
    assert_eq!(c.find("X").unwrap().id, "b");
    assert_eq!(c.find("x").unwrap().id, "a");
    let text = "[[project]]\nid = \"a\"\nalias = \"Xy\"\n[[project]]\nid = \"b\"\nalias = \"xY\"\n";
    let c = config::parse(text, Path::new("c")).unwrap();
    assert!(c.find("xy").is_none());
}

#[test]
fn effective_values_fall_back_to_the_defaults() {
    let c = two_projects();
    let prod = c.find("prod").unwrap();
    let dev = c.find("dev-project").unwrap();
    assert_eq!(c.endpoint_for(prod), "https://own.googleapis.com");
    assert_eq!(c.endpoint_for(dev), "https://defaults.googleapis.com");
    assert_eq!(c.locations_for(prod), &Locations::Discover);
    assert_eq!(c.locations_for(dev), &list(&["global"]));
    assert!(c.read_only_for(prod));
    assert!(!c.read_only_for(dev));

    // Global read-only wins over every project.
    let c = Config {
        read_only: true,
        ..two_projects()
    };
    assert!(c.read_only_for(c.find("dev-project").unwrap()));

    // Without [defaults], the built-in defaults.
    let c = config::parse("[[project]]\nid = \"p\"\n", Path::new("c")).unwrap();
    let p = c.find("p").unwrap();
    assert_eq!(c.endpoint_for(p), DEFAULT_ENDPOINT);
    assert_eq!(c.locations_for(p), &Locations::Discover);
}

#[test]
fn the_summary_has_one_line_per_item() {
    let (_dir, path, result) = load_text(ALL_KEYS);
    let s = config::summary(&result.unwrap());
    let want = format!(
        "config: {}
refresh: 2m
theme: mono
read_only: true
bulk_confirm_threshold: 7
request_budget: 0.5/s
columns: state, age, verb, target
defaults.endpoint: http://127.0.0.1:8085
defaults.locations: global, us-central1
projects: 2
project my-prod-project (alias prod): locations global, europe-west1; endpoint https://example.googleapis.com/v2; read-only, protected, quota project my-billing-project
project my-dev-project: locations discover; endpoint http://127.0.0.1:8085; read-only
",
        path.display()
    );
    assert_eq!(s, want);
    let s = config::summary(&Config::default());
    assert!(
        s.starts_with("config: none (defaults)\nrefresh: 5s\n"),
        "{s}"
    );
    assert!(s.contains("defaults.locations: discover\n"), "{s}");
}

#[test]
fn service_tables_add_and_change_profiles() {
    use lrotop::api::Method;
    use lrotop::api::names::Collection;
    let (_dir, _path, result) = load_text(
        r#"
[defaults]
services = ["run", "memcache"]

[[project]]
id = "p1"
services = ["aiplatform", "dataproc", "cloudaicompanion"]

[[service]]
name = "memcache"
title = "Memorystore for Memcached"
host = "https://memcache.googleapis.com"
version = "v1beta2"
methods = ["list", "get", "delete"]
cross_location = true

[[service]]
name = "run"
endpoint = "http://127.0.0.1:9/_svc/run"
"#,
    );
    let c = result.unwrap();
    assert_eq!(
        c.default_services.as_deref(),
        Some(&["run".to_string(), "memcache".to_string()][..])
    );
    assert_eq!(
        c.services_for(&c.projects[0]),
        ["aiplatform", "dataproc", "cloudaicompanion"]
    );
    let (mem, endpoint) = c.profile("memcache").unwrap();
    assert_eq!(endpoint, None);
    assert!(mem.cross_location && !mem.has(Method::Cancel) && mem.has(Method::Delete));
    assert_eq!(mem.version, "v1beta2");
    assert_eq!(
        mem.lacks_text(Method::Cancel),
        "Memorystore for Memcached operations cannot be cancelled"
    );
    let (run, endpoint) = c.profile("run").unwrap();
    assert_eq!(endpoint, Some("http://127.0.0.1:9/_svc/run"));
    assert_eq!(
        (run.version.as_str(), run.has(Method::Cancel)),
        ("v2", false),
        "built-in fields kept"
    );
    assert_eq!(
        c.profile("dataproc").unwrap().0.collection,
        Collection::Regions
    );
    // No services anywhere: the old setup, cloudaicompanion alone.
    let (_d, _p, old) = load_text("[defaults]\nendpoint = \"http://127.0.0.1:8085\"\n");
    let old = old.unwrap();
    assert_eq!(
        old.services_for(&lrotop::config::ProjectEntry::bare("x")),
        ["cloudaicompanion"]
    );
}

#[test]
fn service_table_errors_name_the_line_and_key() {
    assert_error(
        "[defaults]\nservices = [\"run\", \"nope\"]\n",
        2,
        20,
        "defaults.services[1]",
        "unknown service \"nope\"",
    );
    assert_error(
        "[[project]]\nid = \"p\"\nservices = [\"run\", \"run\"]\n",
        3,
        20,
        "project[0].services[1]",
        "listed twice",
    );
    assert_error(
        "[[service]]\nname = \"memcache\"\nversion = \"v1\"\n",
        2,
        8,
        "service[0].host",
        "not a built-in service",
    );
    assert_error(
        "[[service]]\nname = \"run\"\nmethods = [\"get\", \"restart\"]\n",
        3,
        19,
        "service[0].methods[1]",
        "unknown method \"restart\"",
    );
    assert_error(
        "[[service]]\nname = \"aiplatform\"\ncross_location = true\n",
        3,
        18,
        "service[0].cross_location",
        "regional host",
    );
    assert_error(
        "[[service]]\nname = \"run\"\ncollection = \"zones\"\n",
        3,
        14,
        "service[0].collection",
        "unknown collection \"zones\"",
    );
    assert_error(
        "[[service]]\nname = \"run\"\nendpoint = \"https://{region}.x\"\n",
        3,
        12,
        "service[0].endpoint",
        "placeholder",
    );
    assert_error(
        "[[service]]\nname = \"run\"\nconsole = \"https://c.example/{region}/{id}\"\n",
        3,
        11,
        "service[0].console",
        "unknown placeholder {region}",
    );
    assert_error(
        "[[service]]\nname = \"run\"\nconsole = \"http://c.example/{id}\"\n",
        3,
        11,
        "service[0].console",
        "not an https:// address",
    );
    assert_error(
        "[[service]]\nname = \"run\"\n[[service]]\nname = \"run\"\n",
        4,
        8,
        "service[1].name",
        "duplicate service \"run\"",
    );
    assert_error(
        "[[service]]\nname = \"Run!\"\nhost = \"https://x\"\nversion = \"v1\"\n",
        2,
        8,
        "service[0].name",
        "invalid service name",
    );
    assert_error(
        "[[service]]\nname = \"run\"\nflavour = 1\n",
        3,
        1,
        "service[0].flavour",
        "unknown key",
    );
}

/// `config check` once reported one mistake, and not the first: every mistake is reported,
/// each with its line, in the order of the file.
#[test]
fn every_mistake_is_reported_in_file_order() {
    let text = "\
refresh = \"500ms\"
theme = \"neon\"
columns = [\"state\", \"colour\", \"shade\"]

[defaults]
locations = [\"us central1\", \"global\", \"global\"]

[[project]]
id = \"bad project\"
alias = \"has space\"

[[project]]
id = \"good-project\"
alias = \"good-project-2\"

[[project]]
id = \"good-project\"
";
    let (_dir, _path, result) = load_text(text);
    let shown = result.unwrap_err().to_string();
    let lines: Vec<&str> = shown.lines().collect();
    let at: Vec<(usize, &str)> = lines
        .iter()
        .map(|l| {
            let mut parts = l
                .rsplit_once(".toml:")
                .map(|(_, r)| r)
                .unwrap_or("")
                .splitn(3, ':');
            let line = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let key = parts
                .nth(1)
                .map(|r| r.trim_start().split(':').next().unwrap_or(""));
            (line, key.unwrap_or(""))
        })
        .collect();
    assert_eq!(
        at,
        vec![
            (1, "refresh"),
            (2, "theme"),
            (3, "columns[1]"),
            (3, "columns[2]"),
            (6, "defaults.locations[0]"),
            (6, "defaults.locations[2]"),
            (9, "project[0].id"),
            (10, "project[0].alias"),
            (17, "project[2].id"),
        ],
        "{shown}"
    );
    assert!(lines[5].contains("\"global\" is listed twice"), "{shown}");
    assert!(lines[8].contains("duplicate project id"), "{shown}");
}

/// Unknown keys are mistakes like any other: every one is reported, with the bad values,
/// in file order (serde alone stopped at the first unknown key).
#[test]
fn unknown_keys_are_reported_with_the_values_in_file_order() {
    let text = "\
colour = \"red\"
refresh = \"500ms\"

[defaults]
region = \"x\"

[[project]]
id = \"p\"
readonly = true
theme = \"neon\"

[[view]]
name = \"v\"
shade = 1
";
    let (_dir, _path, result) = load_text(text);
    let shown = result.unwrap_err().to_string();
    let keys: Vec<&str> = shown.lines().filter_map(|l| l.split(": ").nth(1)).collect();
    assert_eq!(
        keys,
        [
            "colour",
            "refresh",
            "defaults.region",
            "project[0].readonly",
            "project[0].theme",
            "view[0].shade"
        ],
        "{shown}"
    );
    assert!(
        shown.contains("unknown key (expected one of id, alias,"),
        "{shown}"
    );
    assert!(shown.contains("the floor is 1s"), "{shown}");
}
