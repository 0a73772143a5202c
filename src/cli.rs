//! Command-line flags.

use crate::emulator::Scenario;
use crate::emulator::faults::{parse_fail_location, parse_rate};
use crate::human::parse_human_duration;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// `--refresh`, held to the same floor as the config's `refresh` (never silently raised).
fn parse_refresh(s: &str) -> Result<Duration, String> {
    let d = parse_human_duration(s)?;
    if d < crate::app::MIN_INTERVAL {
        return Err(format!("{s:?} is too short: the floor is 1s"));
    }
    Ok(d)
}

#[derive(Parser, Debug)]
#[command(
    name = "lrotop",
    version,
    about = "top for Google Cloud long-running operations",
    long_about = "Watch and cancel Google Cloud long-running operations (google.longrunning.Operations \
                  under projects/*/locations/*) across projects and locations.\n\n\
                  Without a command, opens the dashboard. Try `lrotop --demo`: no account needed.",
    after_help = "Exit status: 0 all good; 1 error; 2 usage or config error; 3 partial (some locations \
                  or some operations failed, each named on stderr)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Global {
    /// Config file (default: $LROTOP_CONFIG, else ~/.config/lrotop/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use the built-in emulator (started in-process on 127.0.0.1): no account, no network.
    #[arg(long, global = true)]
    pub demo: bool,
    /// API endpoint, e.g. https://cloudaicompanion.googleapis.com (a URL with a path is used as given).
    #[arg(long, global = true, value_name = "URL", env = "LROTOP_ENDPOINT")]
    pub endpoint: Option<String>,
    /// Project id (repeatable).
    #[arg(long = "project", short = 'p', global = true, value_name = "ID")]
    pub projects: Vec<String>,
    /// The API to watch, e.g. run, aiplatform, dataproc (repeatable; default: the config's
    /// `services`, else cloudaicompanion). With one --service, --endpoint is that API's.
    #[arg(long = "service", short = 's', global = true, value_name = "NAME")]
    pub services: Vec<String>,
    /// Location (repeatable); default: every location that locations.list returns.
    #[arg(long = "location", short = 'l', global = true, value_name = "LOC")]
    pub locations: Vec<String>,
    /// A file holding an OAuth access token to use instead of Application Default Credentials.
    #[arg(long, global = true, value_name = "FILE")]
    pub access_token_file: Option<PathBuf>,
    /// Project to bill quota to (sent as x-goog-user-project).
    #[arg(long, global = true, value_name = "ID")]
    pub quota_project: Option<String>,
    /// Refuse every cancel and delete.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// No desktop notifications (OSC 9 / OSC 777) when a watched operation finishes; the
    /// bell still rings.
    #[arg(long, global = true)]
    pub no_notify: bool,
    /// No mouse in the dashboard (the wheel scrolls and a click selects otherwise); the
    /// terminal's own text selection then works as usual.
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// No colours (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Write logs to this file (stdout and the screen are never used for logs).
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// Where every cancel and delete sent is recorded, one JSON line each (default:
    /// $XDG_STATE_HOME/lrotop/audit.jsonl, i.e. ~/.local/state/lrotop/audit.jsonl).
    #[arg(long, global = true, value_name = "FILE", env = "LROTOP_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// More log detail (-v debug, -vv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Requests a second for confirmed bulk cancels and deletes.
    #[arg(long, global = true, value_name = "N", default_value_t = crate::sync::bulk::BULK_RATE_PER_SEC)]
    pub bulk_rate: f64,
    /// Background refresh requests a second per endpoint (default: the config's, else 2).
    #[arg(long, global = true, value_name = "N")]
    pub request_budget: Option<f64>,
    /// Dashboard refresh interval, at least 1s (default: the config's, else 5s).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_refresh)]
    pub refresh: Option<Duration>,
    /// Give up on one API call, retries included, after this long.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_human_duration, default_value = "30s")]
    pub call_timeout: Duration,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print operations across projects and locations.
    List(ListArgs),
    /// Print one operation as JSON.
    Describe {
        /// projects/P/locations/L/operations/ID (or ID with one --project and --location).
        name: String,
        /// Output format: `json` (the default, pretty), `jsonl` (one line), or `table`/`csv`
        /// (the fields `list` shows).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Print the operation's Cloud Console link instead: its audit entries in Logs
        /// Explorer, or the page its service's `console` template names. A hyperlink
        /// (OSC 8) when stdout is a terminal.
        #[arg(long, conflicts_with = "format")]
        url: bool,
    },
    /// Ask the server to cancel operations (best effort; the operation may still finish).
    Cancel(MutateArgs),
    /// Delete operation records. This does NOT cancel the operations.
    Delete(MutateArgs),
    /// Wait until operations are done; the exit status tells how they ended.
    Wait(WaitArgs),
    /// Run the local Operations server (the emulator) until interrupted.
    Emulator(EmulatorArgs),
    /// Where the config file is, check it, or write a starter.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Check credentials, endpoints and permissions for every project, and say what to fix.
    Doctor,
    /// Print a shell completion script (e.g. `lrotop completions bash > ~/.local/share/bash-completion/completions/lrotop`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `lrotop man | man -l -`.
    Man,
    /// Print the audit log: every cancel and delete sent, oldest first.
    Audit(AuditArgs),
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only entries from the last DURATION (e.g. `1h`, `2d`).
    #[arg(long, value_name = "DURATION", value_parser = parse_human_duration)]
    pub since: Option<Duration>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print where the config file is read from.
    Path,
    /// Validate a config file (default: the one in use) and summarise it.
    Check { file: Option<PathBuf> },
    /// Write a commented starter config; never overwrites an existing file.
    Init,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Jsonl,
    /// RFC 4180, a header row first; every field whole.
    Csv,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only operations matching this filter (e.g. `state=running verb=create idx-`).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// The table's columns, in order (default: the config's `columns`, else
    /// state,location,verb,target,age,name). Any of: state, project, location, verb,
    /// target, age, id, name.
    #[arg(long, value_name = "COLUMN,…", value_delimiter = ',')]
    pub columns: Option<Vec<crate::app::Column>>,
}

#[derive(Args, Debug)]
pub struct MutateArgs {
    /// Operation names (or ids, with one --project and one --location).
    #[arg(
        value_name = "NAME",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub names: Vec<String>,
    /// Instead of names: every operation in --project/--location matching this filter
    /// (e.g. `state=running verb=create idx-`); cancel only ever sends to running ones.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Do it without asking (required when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// With --yes, in a project the config marks `protected`: its alias (or id), which
    /// --yes alone does not stand for. Repeat, or separate with commas, for several.
    #[arg(long, value_name = "ALIAS", value_delimiter = ',')]
    pub confirm: Vec<String>,
    /// Show what would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of the per-operation report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
    /// Stop waiting after this long (exit status 1). Default: wait as long as it takes.
    #[arg(long, value_parser = parse_human_duration, value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Time between polls of one operation.
    #[arg(long, value_parser = parse_human_duration, default_value = "2s", value_name = "DURATION")]
    pub interval: Duration,
    /// When it ends, ring the bell and send a desktop notification (OSC 9 / OSC 777) to the
    /// terminal on stderr, if it is one.
    #[arg(long)]
    pub notify: bool,
    /// Output format of the results.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug, Clone)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8085")]
    pub addr: std::net::SocketAddr,
    #[arg(long, value_enum, default_value_t = Scenario::Demo)]
    pub scenario: Scenario,
    /// Projects demo-project-1 … demo-project-N (default: 3 for demo, 2 for static).
    #[arg(long = "projects", id = "emulator_projects", value_name = "N")]
    pub projects: Option<usize>,
    /// Locations: global, then real regions, then region-K (default: 4 for demo, 3 for static).
    #[arg(long = "locations", id = "emulator_locations", value_name = "N")]
    pub locations: Option<usize>,
    /// Operations per location at start (default: 10 for demo, 12 for static).
    #[arg(long, value_name = "N")]
    pub ops_per_location: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Added to every response.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Up to this much more latency, uniformly.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub jitter_ms: u64,
    /// Probability (0–1) of answering a request with one of --error-codes.
    #[arg(long, value_parser = parse_rate, default_value = "0", value_name = "P")]
    pub error_rate: f64,
    /// HTTP statuses to inject, comma-separated.
    #[arg(long, value_parser = parse_error_codes, default_value = "429,503", value_name = "CODES")]
    pub error_codes: ErrorCodes,
    /// RetryInfo.retryDelay on injected 429/503 answers.
    #[arg(long, default_value_t = 100, value_name = "MS")]
    pub retry_delay_ms: u64,
    /// Make a location answer every request with this HTTP status, e.g. europe-west1=403 (repeatable).
    #[arg(long, value_parser = parse_fail_location, value_name = "LOC=CODE")]
    pub fail_location: Vec<(String, u16)>,
    /// Serve every other page of operations.list empty (with a page token), as AIP-158 allows.
    #[arg(long)]
    pub empty_pages: bool,
    /// Serve at most this many items a page, whatever pageSize asks (as real servers clamp).
    #[arg(long, value_name = "N")]
    pub max_page_size: Option<usize>,
    /// Give every operation a target of its own (by default targets repeat, as real ones do).
    #[arg(long)]
    pub distinct_targets: bool,
    /// The static scenario's stopped clock (RFC 3339); default: when it starts.
    #[arg(long, value_name = "TIMESTAMP")]
    pub frozen_at: Option<jiff::Timestamp>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ErrorCodes(pub Vec<u16>);

fn parse_error_codes(s: &str) -> Result<ErrorCodes, String> {
    crate::emulator::faults::parse_error_codes(s).map(ErrorCodes)
}

impl EmulatorArgs {
    pub fn config(&self) -> crate::emulator::EmulatorConfig {
        // Every catalogue API under /_svc/NAME beside the original world at /v1.
        let mut c = crate::emulator::EmulatorConfig::new(self.scenario).with_catalogue();
        c.addr = self.addr;
        if let Some(n) = self.projects {
            c.projects = n;
        }
        if let Some(n) = self.locations {
            c.locations = n;
        }
        if let Some(n) = self.ops_per_location {
            c.ops_per_location = n;
        }
        c.seed = self.seed;
        c.frozen_at = self.frozen_at;
        c.faults.latency = Duration::from_millis(self.latency_ms);
        c.faults.jitter = Duration::from_millis(self.jitter_ms);
        c.faults.error_rate = self.error_rate;
        c.faults.error_codes = self.error_codes.0.clone();
        c.faults.retry_delay = Duration::from_millis(self.retry_delay_ms);
        c.faults.fail_locations = self.fail_location.clone();
        c.faults.empty_pages = self.empty_pages;
        c.max_page_size = self.max_page_size;
        c.distinct_targets = self.distinct_targets;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_flag_set_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn emulator_flags() {
        let cli = Cli::try_parse_from([
            "lrotop",
            "emulator",
            "--scenario",
            "static",
            "--fail-location",
            "us-west1=503",
            "--error-rate",
            "0.1",
            "--error-codes",
            "429",
            "--locations",
            "9",
        ])
        .unwrap();
        let Some(Command::Emulator(a)) = cli.command else {
            panic!()
        };
        let c = a.config();
        assert_eq!(c.locations, 9);
        assert_eq!(c.faults.fail_locations, vec![("us-west1".to_string(), 503)]);
        assert_eq!(c.faults.error_codes, vec![429]);
        assert!(Cli::try_parse_from(["lrotop", "emulator", "--error-rate", "2"]).is_err());
    }
}
