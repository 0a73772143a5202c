//! Where projects, endpoints and locations come from: flags > environment > config > ADC
//! for the project; flags > the project's entry > [defaults] for the rest.

use clap::Parser;
use lrotop::cli::Cli;
use lrotop::config::Locations;
use lrotop::session::Session;
use std::collections::HashMap;
use std::path::Path;

const CONFIG: &str = r#"
refresh = "7s"
theme = "mono"
bulk_confirm_threshold = 5

[defaults]
endpoint = "http://127.0.0.1:9/"
locations = ["global", "us-central1"]

[[project]]
id = "my-prod-project"
alias = "prod"
locations = ["europe-west1"]
endpoint = "http://127.0.0.1:10/"
read_only = true
protected = true
quota_project = "billing-proj"

[[project]]
id = "my-dev-project"
alias = "dev"
"#;

fn write_config(dir: &Path, text: &str) -> String {
    let p = dir.join("config.toml");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

async fn resolve(
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<Session, lrotop::headless::CliError> {
    let mut argv = vec!["lrotop"];
    argv.extend(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Session::resolve(&cli.global, &|k| env.get(k).cloned(), true).await
}

#[tokio::test]
async fn the_config_supplies_projects_and_their_settings() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), CONFIG);
    let s = resolve(&["--config", &cfg], &[]).await.unwrap();
    assert_eq!(s.project_ids(), ["my-prod-project", "my-dev-project"]);
    let prod = s.project("my-prod-project").unwrap();
    assert_eq!(prod.endpoint, "http://127.0.0.1:10/");
    assert_eq!(prod.locations, Locations::List(vec!["europe-west1".into()]));
    assert!(prod.read_only && prod.protected);
    assert_eq!(prod.quota_project.as_deref(), Some("billing-proj"));
    assert_eq!(prod.label(), "prod (my-prod-project)");
    let dev = s.project("my-dev-project").unwrap();
    assert_eq!(dev.endpoint, "http://127.0.0.1:9/", "[defaults].endpoint");
    assert_eq!(
        dev.locations,
        Locations::List(vec!["global".into(), "us-central1".into()])
    );
    assert!(!dev.read_only);
    assert!(s.read_only_for("my-prod-project") && !s.read_only_for("my-dev-project"));
    assert_eq!(s.refresh, std::time::Duration::from_secs(7));
    assert_eq!(s.config.bulk_confirm_threshold, 5);
    assert_eq!(
        s.client_for("my-prod-project").base().as_str(),
        "http://127.0.0.1:10/v1/"
    );
    assert_eq!(
        s.client_for("my-dev-project").base().as_str(),
        "http://127.0.0.1:9/v1/"
    );
}

#[tokio::test]
async fn flags_beat_the_environment_which_beats_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), CONFIG);
    let s = resolve(&["--config", &cfg], &[("LROTOP_PROJECT", "dev")])
        .await
        .unwrap();
    assert_eq!(
        s.project_ids(),
        ["my-dev-project"],
        "the environment names an alias"
    );
    let s = resolve(
        &["--config", &cfg, "-p", "prod"],
        &[("LROTOP_PROJECT", "dev")],
    )
    .await
    .unwrap();
    assert_eq!(s.project_ids(), ["my-prod-project"], "the flag wins");
    assert!(
        s.project("my-prod-project").unwrap().read_only,
        "the entry's flags still apply"
    );

    // Flags beat the project's entry for the rest.
    let s = resolve(
        &[
            "--config",
            &cfg,
            "-p",
            "prod",
            "-l",
            "asia-southeast1",
            "--endpoint",
            "http://localhost:11",
            "--quota-project",
            "other-bill",
            "--refresh",
            "2s",
        ],
        &[],
    )
    .await
    .unwrap();
    let prod = s.project("my-prod-project").unwrap();
    assert_eq!(
        prod.locations,
        Locations::List(vec!["asia-southeast1".into()])
    );
    assert_eq!(prod.endpoint, "http://localhost:11");
    assert_eq!(prod.quota_project.as_deref(), Some("other-bill"));
    assert_eq!(s.refresh, std::time::Duration::from_secs(2));

    // A project the config does not know gets the defaults.
    let s = resolve(&["--config", &cfg, "-p", "someone-else"], &[])
        .await
        .unwrap();
    let p = s.project("someone-else").unwrap();
    assert_eq!(p.endpoint, "http://127.0.0.1:9/");
    assert!(!p.read_only);

    // LROTOP_CONFIG names the file when --config does not.
    let s = resolve(&[], &[("LROTOP_CONFIG", cfg.as_str())])
        .await
        .unwrap();
    assert_eq!(s.projects.len(), 2);
    let s = resolve(&["--read-only"], &[("LROTOP_CONFIG", cfg.as_str())])
        .await
        .unwrap();
    assert!(
        s.read_only_for("my-dev-project"),
        "--read-only covers every project"
    );
}

#[tokio::test]
async fn errors_name_the_file_line_and_key_and_nothing_means_usage() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "refresh = \"5s\"\nread_only = \"yes\"\n");
    let e = resolve(&["--config", &cfg], &[]).await.err().unwrap();
    assert_eq!(e.status, 2);
    assert!(
        e.message.contains(&format!("{cfg}:2:13")) && e.message.contains("read_only"),
        "{}",
        e.message
    );

    let missing = dir.path().join("nope.toml").display().to_string();
    let e = resolve(&["--config", &missing], &[]).await.err().unwrap();
    assert_eq!(e.status, 2, "a config named explicitly must exist");

    let empty = write_config(
        dir.path(),
        "[defaults]\nendpoint = \"http://127.0.0.1:9\"\n",
    );
    let e = resolve(&["--config", &empty], &[]).await.err().unwrap();
    assert_eq!(e.status, 2);
    assert!(e.message.contains("no project"), "{}", e.message);
}
