//! The config file: where it lives, what it may say, and errors that point at the offending
//! line, column and key. Pure: no UI, no HTTP.

mod locate;
mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = crate::api::DEFAULT_ENDPOINT;

/// The variable naming the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "LROTOP_CONFIG";

/// A config is a few kilobytes; anything past this is the wrong file.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

const DEFAULT_REFRESH: Duration = Duration::from_secs(5);
const DEFAULT_BULK_CONFIRM_THRESHOLD: usize = 20;
const DEFAULT_REQUEST_BUDGET: f64 = crate::app::DEFAULT_REQUEST_BUDGET;

#[derive(Clone, Debug, PartialEq)]
pub enum Locations {
    List(Vec<String>),
    /// Ask `locations.list` which locations the project has.
    Discover,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeName {
    Default,
    Mono,
}

impl ThemeName {
    /// The spelling used in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeName::Default => "default",
            ThemeName::Mono => "mono",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectEntry {
    pub id: String,
    pub alias: Option<String>,
    pub locations: Option<Locations>,
    pub endpoint: Option<String>,
    pub read_only: bool,
    pub protected: bool,
    pub quota_project: Option<String>,
    /// The APIs watched in this project; default: `[defaults].services`.
    pub services: Option<Vec<String>>,
    /// `colour = "red"`: the header and frame take it while the project is in view.
    pub colour: Option<crate::app::Accent>,
}

/// A `[[service]]` table: a new API, or a built-in one changed (its endpoint, mostly).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceEntry {
    /// The profile, built-in fields overridden by the table's.
    pub profile: std::sync::Arc<crate::api::ServiceProfile>,
    /// Where to send its requests instead of its host (same form: may hold `{location}`).
    pub endpoint: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The file it came from; `None` when no file exists.
    pub path: Option<PathBuf>,
    pub refresh: Duration,
    pub theme: ThemeName,
    pub read_only: bool,
    pub bulk_confirm_threshold: usize,
    /// Background refresh requests a second, per endpoint.
    pub request_budget: f64,
    /// The operations table's columns in order, for the dashboard and `lrotop list`;
    /// `None`: each one's defaults.
    pub columns: Option<Vec<crate::app::Column>>,
    /// `[[view]]`s, in file order: what `v` steps through in the dashboard.
    pub views: Vec<crate::app::SavedView>,
    pub default_endpoint: String,
    pub default_locations: Locations,
    pub projects: Vec<ProjectEntry>,
    /// `[[service]]` tables, in file order.
    pub services: Vec<ServiceEntry>,
    /// `[defaults].services`; `None`: cloudaicompanion alone (the old setup).
    pub default_services: Option<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            refresh: DEFAULT_REFRESH,
            theme: ThemeName::Default,
            read_only: false,
            bulk_confirm_threshold: DEFAULT_BULK_CONFIRM_THRESHOLD,
            request_budget: DEFAULT_REQUEST_BUDGET,
            columns: None,
            views: Vec::new(),
            default_endpoint: DEFAULT_ENDPOINT.to_string(),
            default_locations: Locations::Discover,
            projects: Vec::new(),
            services: Vec::new(),
            default_services: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {key}: {message}", .path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        key: String,
        message: String,
    },
    /// Several mistakes, in file order, one a line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<ConfigError>),
    /// Not read at all: not a regular file, or too large to be a config.
    #[error("{}: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: crate::userfile::ReadError,
    },
    #[error("{} already exists; not overwriting it", .0.display())]
    Exists(PathBuf),
    #[error(
        "cannot find a config directory (is $HOME set?); pass --config FILE or set {CONFIG_ENV}"
    )]
    NoConfigDir,
}

/// Where the config is read from: `--config` if given, else `$LROTOP_CONFIG` if set and
/// non-empty, else the platform's config directory (`~/.config/lrotop/config.toml` on Linux).
pub fn config_path(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, ConfigError> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    // An exported-but-empty variable is how shells "unset" things in scripts; treat it so.
    if let Some(v) = env(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(v));
    }
    directories::ProjectDirs::from("", "", "lrotop")
        .map(|d| d.config_dir().join("config.toml"))
        .ok_or(ConfigError::NoConfigDir)
}

/// Parses text; `path` only labels errors (and becomes `Config::path`).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    validate::parse(text, path)
}

/// Reads and parses the file. A missing file is the normal first-run state, so it yields the
/// defaults, unless `must_exist` (the user named the file, so its absence is a mistake).
pub fn load(path: &Path, must_exist: bool) -> Result<Config, ConfigError> {
    use crate::userfile::{ReadError, read_capped};
    match read_capped(path, MAX_CONFIG_BYTES) {
        Ok(text) => parse(&text, path),
        Err(e) if e.is_not_found() && !must_exist => Ok(Config::default()),
        Err(ReadError::Io(source)) => Err(ConfigError::Io {
            path: path.to_path_buf(),
            source,
        }),
        Err(source) => Err(ConfigError::Unreadable {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The commented starter written by `lrotop config init`. Every setting is commented out, so
/// it loads as the defaults and later changes to the defaults still reach the user.
pub fn starter() -> String {
    STARTER.to_string()
}

const STARTER: &str = r#"# lrotop configuration (TOML). Every key is optional; the values shown are the defaults.
# Check it with `lrotop config check`. Unknown keys and bad values are errors.

# Dashboard refresh interval: 500ms, 5s, 2m, 1h. At least 1s.
# refresh = "5s"

# "default" (the terminal's 16 colours) or "mono".
# theme = "default"

# Refuse every cancel and delete, in every project.
# read_only = false

# Bulk actions on more than this many operations need the count typed to confirm.
# bulk_confirm_threshold = 20

# Background refresh requests a second, per endpoint (the API's quota is of this order).
# request_budget = 2

# The operations table's columns, in order, in the dashboard and `lrotop list`. Any of:
# state, project, service, location, verb, target, age, id (the id's end), name (the whole
# name). Default: the dashboard shows state, location, verb, target, age, id (and project,
# service, when several are in view); `lrotop list` shows name instead of id. On a narrow
# terminal whole columns are dropped: id first, then verb, location, project, age.
# columns = ["state", "age", "verb", "target"]

[defaults]
# The APIs watched: built-in ones are cloudaicompanion (Gemini for Google Cloud), aiplatform
# (Vertex AI, regional hosts), run (Cloud Run v2), alloydb, redis, workflows, filestore,
# dataproc (projects/*/regions/*); more with [[service]] tables below. --service NAME picks
# one on the command line.
# services = ["cloudaicompanion"]
# The cloudaicompanion endpoint (the old single-endpoint setup: any Google API serving
# projects/*/locations/*/operations works here, as before).
# endpoint = "https://cloudaicompanion.googleapis.com"
# A list of locations, or "discover" to ask locations.list.
# locations = "discover"

# Saved views, chosen in the dashboard with `v`: a filter, a sort and columns together.
# [[view]]
# name = "stuck"
# filter = "state=running age>2h"
# sort = "age"                            # any column name
# reverse = true
# columns = ["state", "age", "verb", "target"]

# One [[project]] table per project; only `id` is required.
# [[project]]
# id = "my-prod-project"
# alias = "prod"                          # a short name for --project; unique
# locations = ["global", "us-central1"]   # or "discover"; default: [defaults].locations
# endpoint = "https://cloudaicompanion.googleapis.com"   # default: [defaults].endpoint
# read_only = true                        # refuse cancel and delete in this project
# protected = true                        # cancel/delete need the alias typed (CLI: --confirm)
# colour = "red"                          # header and frame in this colour: red, green, yellow, blue, magenta, cyan
# quota_project = "my-billing-project"    # sent as x-goog-user-project
# services = ["aiplatform", "run"]        # default: [defaults].services

# One [[service]] table per API to add, or per built-in one to change. A new one needs
# host and version; every other key is optional (defaults shown).
# [[service]]
# name = "memcache"                        # for services = […] and --service
# title = "Memorystore for Memcached"      # "… operations cannot be cancelled"
# host = "https://memcache.googleapis.com" # or "https://{location}-NAME.googleapis.com"
# version = "v1"
# collection = "locations"                 # or "regions" (projects/*/regions/*/operations)
# methods = ["list", "get", "cancel", "delete"]   # and "wait" where it has :wait
# cross_location = false                   # true where the API documents locations/-
# endpoint = "http://127.0.0.1:8085/_svc/memcache" # send its requests here instead of host
# console = "https://console.cloud.google.com/memorystore/memcached/locations/{location}/instances?project={project}"
#                                          # what `o` opens; placeholders {project}, {location},
#                                          # {id}, {name}; default: the operation's audit
#                                          # entries in Logs Explorer
"#;

/// Writes `starter()` to `path`, creating parent directories. Never overwrites: `create_new`
/// makes the existence check and the creation one step, so a race cannot clobber a file either.
pub fn init(path: &Path) -> Result<(), ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(ConfigError::Exists(path.to_path_buf()));
        }
        Err(e) => return Err(io(e)),
    };
    if let Err(e) = file
        .write_all(STARTER.as_bytes())
        .and_then(|()| file.sync_all())
    {
        // A half-written file would make the next `init` refuse; it is ours, so remove it.
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(io(e));
    }
    Ok(())
}

/// Human summary for `lrotop config check`: one item per line, effective values.
pub fn summary(c: &Config) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&crate::sanitize::one_line(&s));
        out.push('\n');
    };
    line(match &c.path {
        Some(p) => format!("config: {}", p.display()),
        None => "config: none (defaults)".to_string(),
    });
    line(format!("refresh: {}", format_refresh(c.refresh)));
    line(format!("theme: {}", c.theme.as_str()));
    line(format!("read_only: {}", c.read_only));
    line(format!(
        "bulk_confirm_threshold: {}",
        c.bulk_confirm_threshold
    ));
    line(format!("request_budget: {}/s", c.request_budget));
    line(match &c.columns {
        Some(cols) => format!(
            "columns: {}",
            cols.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        ),
        None => "columns: default".to_string(),
    });
    line(format!("defaults.endpoint: {}", c.default_endpoint));
    line(format!(
        "defaults.locations: {}",
        format_locations(&c.default_locations)
    ));
    if let Some(s) = &c.default_services {
        line(format!("defaults.services: {}", s.join(", ")));
    }
    for s in &c.services {
        let p = &s.profile;
        line(format!(
            "service {} ({}): {} {} projects/*/{}/*; methods {}{}{}{}",
            p.name,
            p.title,
            p.host,
            p.version,
            p.collection,
            p.methods.words().join(", "),
            if p.cross_location {
                "; locations/-"
            } else {
                ""
            },
            s.endpoint
                .as_deref()
                .map(|e| format!("; endpoint {e}"))
                .unwrap_or_default(),
            p.console
                .as_deref()
                .map(|t| format!("; console {t}"))
                .unwrap_or_default()
        ));
    }
    line(format!("projects: {}", c.projects.len()));
    for p in &c.projects {
        let mut s = format!("project {}", p.id);
        if let Some(a) = &p.alias {
            s.push_str(&format!(" (alias {a})"));
        }
        s.push_str(&format!(
            ": locations {}; endpoint {}",
            format_locations(c.locations_for(p)),
            c.endpoint_for(p)
        ));
        let mut flags = Vec::new();
        if c.read_only_for(p) {
            flags.push("read-only".to_string());
        }
        if p.protected {
            flags.push("protected".to_string());
        }
        if let Some(q) = &p.quota_project {
            flags.push(format!("quota project {q}"));
        }
        if p.services.is_some() || c.default_services.is_some() {
            flags.push(format!("services {}", c.services_for(p).join(", ")));
        }
        if !flags.is_empty() {
            s.push_str("; ");
            s.push_str(&flags.join(", "));
        }
        line(s);
    }
    out
}

fn format_locations(l: &Locations) -> String {
    match l {
        Locations::Discover => "discover".to_string(),
        Locations::List(v) => v.join(", "),
    }
}

/// In the unit the user most likely wrote, so the summary reads like the file.
fn format_refresh(d: Duration) -> String {
    let ms = d.as_millis();
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{d:?}")
    } else if ms.is_multiple_of(3_600_000) {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

impl ProjectEntry {
    /// A project known by id alone: everything else from `[defaults]`.
    pub fn bare(id: &str) -> ProjectEntry {
        ProjectEntry {
            id: id.to_string(),
            alias: None,
            locations: None,
            endpoint: None,
            read_only: false,
            protected: false,
            quota_project: None,
            services: None,
            colour: None,
        }
    }
}

impl Config {
    /// Finds a project by id or alias: an exact match first, then a case-insensitive one, but
    /// only when that is unambiguous (ids and aliases are unique only as written).
    pub fn find(&self, id_or_alias: &str) -> Option<&ProjectEntry> {
        let exact =
            |p: &&ProjectEntry| p.id == id_or_alias || p.alias.as_deref() == Some(id_or_alias);
        if let Some(p) = self.projects.iter().find(exact) {
            return Some(p);
        }
        let folded = |p: &&ProjectEntry| {
            p.id.eq_ignore_ascii_case(id_or_alias)
                || p.alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(id_or_alias))
        };
        let mut matches = self.projects.iter().filter(folded);
        match (matches.next(), matches.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }

    pub fn endpoint_for<'a>(&'a self, p: &'a ProjectEntry) -> &'a str {
        p.endpoint.as_deref().unwrap_or(&self.default_endpoint)
    }

    pub fn locations_for<'a>(&'a self, p: &'a ProjectEntry) -> &'a Locations {
        p.locations.as_ref().unwrap_or(&self.default_locations)
    }

    /// The services a project watches: its own list, else `[defaults].services`, else
    /// cloudaicompanion alone.
    pub fn services_for(&self, p: &ProjectEntry) -> Vec<String> {
        p.services
            .clone()
            .or_else(|| self.default_services.clone())
            .unwrap_or_else(|| vec![crate::api::service::DEFAULT_SERVICE.to_string()])
    }

    /// A profile by name, as this config has it (a `[[service]]` table wins over the
    /// built-in one of that name), with its endpoint override.
    pub fn profile(
        &self,
        name: &str,
    ) -> Option<(std::sync::Arc<crate::api::ServiceProfile>, Option<&str>)> {
        if let Some(s) = self.services.iter().find(|s| s.profile.name == name) {
            return Some((s.profile.clone(), s.endpoint.as_deref()));
        }
        crate::api::service::builtin(name).map(|p| (p.clone(), None))
    }

    /// Every profile this config knows: the built-in ones and its own.
    pub fn profiles(&self) -> Vec<std::sync::Arc<crate::api::ServiceProfile>> {
        let mut out: Vec<_> = crate::api::service::catalogue()
            .iter()
            .filter(|p| !self.services.iter().any(|s| s.profile.name == p.name))
            .cloned()
            .collect();
        out.extend(self.services.iter().map(|s| s.profile.clone()));
        out
    }

    /// Read-only anywhere wins: a project cannot opt out of a global read-only.
    pub fn read_only_for(&self, p: &ProjectEntry) -> bool {
        self.read_only || p.read_only
    }
}
