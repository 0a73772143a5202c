//! `lrotop doctor`: for each project, are there credentials (from where), does the endpoint
//! answer, is `operations.list` permitted in each location, and what to do if not.

use super::output::CliError;
use crate::api::{ApiError, Code, ListQuery, LocationName};
use crate::config::Locations;
use crate::session::{Session, discovery_unavailable};
use std::fmt::Write as _;

/// Where Application Default Credentials would come from, in gcp_auth's order.
fn adc_source() -> String {
    if let Ok(p) = std::env::var("GOOGLE_APPLICATION_CREDENTIALS") {
        return format!("a service-account key (GOOGLE_APPLICATION_CREDENTIALS={p})");
    }
    let gcloud_adc = directories::BaseDirs::new().map(|d| {
        d.home_dir()
            .join(".config/gcloud/application_default_credentials.json")
    });
    match gcloud_adc {
        Some(p) if p.exists() => {
            format!("gcloud application-default credentials ({})", p.display())
        }
        _ => "the metadata server or the gcloud CLI, whichever answers".into(),
    }
}

fn fix(e: &ApiError, project: &str, location: &str, endpoint: &str) -> String {
    match e.code() {
        Some(Code::PermissionDenied) => format!(
            "the caller lacks cloudaicompanion.operations.list on projects/{project}: grant a role that has it, check the project id, and that the API is enabled there"
        ),
        Some(Code::Unauthenticated) => {
            "the credentials were rejected: run `gcloud auth application-default login`, or refresh the access token file".into()
        }
        Some(Code::NotFound) => format!("this API does not serve location {location}: remove it from the project's locations"),
        Some(Code::ResourceExhausted) => "quota exhausted: refresh less often (--refresh), or set a quota_project".into(),
        Some(Code::Unavailable | Code::DeadlineExceeded) => format!(
            "no good answer from {endpoint}: check the network, a proxy, or try again later"
        ),
        _ => match e {
            ApiError::Auth(_) => "set up credentials: `gcloud auth application-default login`, GOOGLE_APPLICATION_CREDENTIALS, or --access-token-file".into(),
            ApiError::Decode(_) => format!("{endpoint} does not answer like a Google API: check --endpoint or the config's endpoint"),
            _ => "see the message above".into(),
        },
    }
}

pub async fn run(s: &Session) -> Result<(), CliError> {
    let mut out = String::new();
    let mut problems = 0usize;
    let clean = |t: &str| crate::sanitize::one_line(t).into_owned();
    match &s.config.path {
        Some(p) => {
            let _ = writeln!(
                out,
                "config: {} ({} projects)",
                p.display(),
                s.config.projects.len()
            );
        }
        None => {
            let _ = writeln!(out, "config: none (flags and defaults only)");
        }
    }
    for p in &s.projects {
        let client = s.client_for(&p.id);
        let _ = writeln!(out, "project {}", clean(&p.label()));
        let auth = client.auth();
        let source = if auth.is_adc() {
            format!("{} from {}", auth.describe(), adc_source())
        } else {
            auth.describe().to_string()
        };
        match auth.header().await {
            Ok(_) => {
                let _ = writeln!(out, "  ✔ credentials: {}", clean(&source));
            }
            Err(e) => {
                problems += 1;
                let _ = writeln!(
                    out,
                    "  ✖ credentials: {}: {}",
                    clean(&source),
                    clean(&e.to_string())
                );
                let _ = writeln!(out, "      fix: {}", fix(&e, &p.id, "", &p.endpoint));
                continue;
            }
        }
        let locations = match &p.locations {
            Locations::List(l) => l.clone(),
            Locations::Discover => match client.list_location_ids(&p.id).await {
                Ok(l) => {
                    let _ = writeln!(
                        out,
                        "  ✔ endpoint {} answers; locations.list: {}",
                        clean(&p.endpoint),
                        l.len()
                    );
                    l
                }
                Err(e) if discovery_unavailable(&e) && s.fallback_locations.is_some() => {
                    let _ = writeln!(
                        out,
                        "  ! locations.list unavailable ({e}); using the [defaults] locations"
                    );
                    s.fallback_locations.clone().unwrap_or_default()
                }
                Err(e) => {
                    problems += 1;
                    let _ = writeln!(
                        out,
                        "  ✖ endpoint {}: locations.list: {}",
                        clean(&p.endpoint),
                        clean(&e.to_string())
                    );
                    let _ = writeln!(out, "      fix: {}", fix(&e, &p.id, "", &p.endpoint));
                    continue;
                }
            },
        };
        for l in &locations {
            let Ok(name) = LocationName::new(&p.id, l) else {
                continue;
            };
            let q = ListQuery {
                page_size: 1,
                ..Default::default()
            };
            match client.list_page(&name, &q).await {
                Ok(_) => {
                    let _ = writeln!(out, "  ✔ {l}: operations.list permitted");
                }
                Err(e) => {
                    problems += 1;
                    let _ = writeln!(out, "  ✖ {l}: {}", clean(&e.to_string()));
                    let _ = writeln!(out, "      fix: {}", fix(&e, &p.id, l, &p.endpoint));
                }
            }
        }
    }
    print!("{out}");
    if problems == 0 {
        println!("all good");
        Ok(())
    } else {
        Err(CliError::fatal(format!("{problems} problem(s) found")))
    }
}
