//! The dashboard's app across several APIs: targets are (project, service, location), each
//! refresh and each mutation names its API, a method an API lacks is refused in the app,
//! and each host has its own request budget. No IO.

mod common;

use common::*;
use lrotop::api::service::builtin;
use lrotop::api::{LocationName, Operation};
use lrotop::app::keys::Key;
use lrotop::app::{Action, App, Column, Effect, Mode, Settings, update};
use std::time::Duration;

const P: &str = "demo-project-1";

/// The world's operations at `l`, renamed so that each API's names are its own (one world
/// serves both; the row store holds one row per name).
fn ops(world: &mut lrotop::emulator::state::World, l: &str, tag: &str) -> Vec<Operation> {
    world
        .snapshot(P, l)
        .into_iter()
        .map(|op| {
            let mut v = serde_json::to_value(&op).unwrap();
            v["name"] = format!("{}-{tag}", op.name).into();
            serde_json::from_value(v).unwrap()
        })
        .collect()
}

fn host(service: &str) -> impl Fn(&str) -> String {
    let service = service.to_string();
    move |l: &str| match service.as_str() {
        // Regional: one host per location.
        "aiplatform" => format!("https://{l}-aiplatform.googleapis.com/v1/"),
        s => format!("https://{s}.googleapis.com/v2/"),
    }
}

/// An app over Cloud Run and Vertex AI in one project, `locations` each.
fn two_services(settings: Settings, locations: &[&str]) -> App {
    let locs: Vec<String> = locations.iter().map(|s| s.to_string()).collect();
    let mut app = App::with_projects(settings, vec![(P.to_string(), Some(Vec::new()))], t0());
    for s in ["run", "aiplatform"] {
        let profile = builtin(s).unwrap().clone();
        app.add_service_targets(P, profile, &locs, &host(s));
    }
    app
}

fn refreshes(fx: &[Effect]) -> Vec<(String, String)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::ForService { service, effect } => match effect.as_ref() {
                Effect::Refresh { location } => Some((service.clone(), location.to_string())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn answer(app: &mut App, service: &str, l: &str, ops: Vec<Operation>) -> Vec<Effect> {
    update(
        app,
        Action::FromService {
            service: service.to_string(),
            action: Box::new(Action::Loaded {
                location: LocationName::new(P, l).unwrap(),
                result: Ok(ops),
            }),
        },
    )
}

/// Both APIs loaded at T0 + 5 min.
fn loaded(world: &mut lrotop::emulator::state::World) -> App {
    let mut app = two_services(settings(), &["global", "us-central1"]);
    let fx = update(
        &mut app,
        Action::Tick(t0() + jiff::SignedDuration::from_mins(5)),
    );
    let mut got = refreshes(&fx);
    got.sort();
    assert_eq!(
        got,
        [
            ("aiplatform", "global"),
            ("aiplatform", "us-central1"),
            ("run", "global"),
            ("run", "us-central1"),
        ]
        .map(|(s, l)| (s.to_string(), format!("projects/{P}/locations/{l}"))),
        "one refresh per (service, location), each naming its API: {fx:?}"
    );
    assert_eq!(fx.len(), 4, "nothing but the refreshes: {fx:?}");
    for s in ["run", "aiplatform"] {
        for l in ["global", "us-central1"] {
            answer(&mut app, s, l, ops(world, l, s));
        }
    }
    app
}

fn select_first(app: &mut App, pred: impl Fn(&lrotop::app::row::Row) -> bool) -> String {
    let pos = app
        .view
        .iter()
        .position(|i| pred(&app.rows[*i]))
        .expect("a row like that in view");
    app.selected = pos;
    app.rows[app.view[pos]].op.name.clone()
}

#[test]
fn each_api_s_answer_goes_to_its_own_target() {
    let mut w = world(1, 2, 8);
    let app = loaded(&mut w);
    assert_eq!(app.targets.len(), 4);
    assert_eq!(app.rows.len(), 32, "two APIs × two locations × eight");
    for t in &app.targets {
        assert!(t.loaded, "{}", t.label);
        assert_eq!(t.total, 8, "{}", t.label);
        let s = t.service_name().unwrap();
        // Project → service → location, in the order the services were given.
        assert!(t.label.starts_with(&format!("{s}/")), "{}", t.label);
    }
    let order: Vec<&str> = app
        .targets
        .iter()
        .map(|t| t.service_name().unwrap())
        .collect();
    assert_eq!(order, ["run", "run", "aiplatform", "aiplatform"]);
    // A Run answer for a location does not land on Vertex AI's target of the same name.
    for r in app.rows.iter() {
        let s = app.targets[r.target].service_name().unwrap();
        assert!(
            r.op.name.ends_with(&format!("-{s}")),
            "{} under {s}",
            r.op.name
        );
    }
    // An answer without a service is the old setup's: no target here takes it.
    let mut app = app;
    let before = app.rows.len();
    load(&mut app, "global", Ok(w.snapshot(P, "global")));
    assert_eq!(app.rows.len(), before);
}

#[test]
fn a_cloud_run_cancel_is_refused_in_the_app_with_the_api_s_words() {
    let mut w = world(1, 2, 8);
    let mut app = loaded(&mut w);
    let name = select_first(&mut app, |r| {
        r.state.is_active() && r.op.name.ends_with("-run")
    });
    let fx = update(&mut app, Action::Key(Key::Char('c')));
    assert!(fx.is_empty(), "nothing is sent: {fx:?}");
    assert_eq!(app.mode, Mode::Normal, "no dialog for what cannot be done");
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert_eq!(status, "Cloud Run operations cannot be cancelled", "{name}");
    // Nor does the footer offer it there.
    let hints = |app: &App| -> Vec<String> {
        lrotop::app::modes::current_hints(app)
            .iter()
            .map(|h| format!("{h:?}"))
            .collect()
    };
    assert!(
        !hints(&app).iter().any(|h| h.contains("cancel")),
        "{:?}",
        hints(&app)
    );

    // Vertex AI can: the cancel is sent by its client.
    let name = select_first(&mut app, |r| {
        r.state.is_active() && r.op.name.ends_with("-aiplatform")
    });
    assert!(
        hints(&app).iter().any(|h| h.contains("cancel")),
        "{:?}",
        hints(&app)
    );
    update(&mut app, Action::Key(Key::Char('c')));
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    let fx = update(&mut app, Action::Key(Key::Char('y')));
    assert_eq!(
        fx,
        vec![Effect::ForService {
            service: "aiplatform".into(),
            effect: Box::new(Effect::Cancel {
                name: lrotop::api::OperationName::parse(&name).unwrap()
            }),
        }]
    );
}

#[test]
fn a_bulk_delete_is_split_by_api() {
    let mut w = world(1, 1, 8);
    let mut app = two_services(settings(), &["global"]);
    update(
        &mut app,
        Action::Tick(t0() + jiff::SignedDuration::from_mins(5)),
    );
    for s in ["run", "aiplatform"] {
        answer(&mut app, s, "global", ops(&mut w, "global", s));
    }
    let done: Vec<String> = app
        .rows
        .iter()
        .filter(|r| !r.state.is_active())
        .map(|r| r.op.name.clone())
        .collect();
    assert!(done.iter().any(|n| n.ends_with("-run")));
    assert!(done.iter().any(|n| n.ends_with("-aiplatform")));
    app.marks.extend(done.iter().cloned());
    update(&mut app, Action::Key(Key::Char('D')));
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
    let fx = update(&mut app, Action::Key(Key::Char('y')));
    let mut per_service: Vec<(String, usize)> = fx
        .iter()
        .map(|e| match e {
            Effect::ForService { service, effect } => match effect.as_ref() {
                Effect::Delete { names } => {
                    assert!(
                        names
                            .iter()
                            .all(|n| n.to_string().ends_with(&format!("-{service}"))),
                        "{service}: {names:?}"
                    );
                    (service.clone(), names.len())
                }
                other => panic!("{other:?}"),
            },
            other => panic!("a delete without its API: {other:?}"),
        })
        .collect();
    per_service.sort();
    let count = |s: &str| {
        done.iter()
            .filter(|n| n.ends_with(&format!("-{s}")))
            .count()
    };
    assert_eq!(
        per_service,
        [
            ("aiplatform".to_string(), count("aiplatform")),
            ("run".to_string(), count("run"))
        ]
    );
}

#[test]
fn the_service_column_and_filter() {
    let mut w = world(1, 2, 8);
    let mut app = loaded(&mut w);
    assert!(app.several_services());
    assert!(
        app.columns().contains(&Column::Service),
        "{:?}",
        app.columns()
    );
    update(&mut app, Action::Key(Key::Char('/')));
    for c in "service=run".chars() {
        update(&mut app, Action::Key(Key::Char(c)));
    }
    update(&mut app, Action::Key(Key::Enter));
    assert_eq!(app.view.len(), 16);
    assert!(
        app.view
            .iter()
            .all(|i| app.rows[*i].op.name.ends_with("-run"))
    );
    // One API in view: no SERVICE column, as there is no PROJECT column for one project.
    let mut one = App::with_projects(settings(), vec![(P.to_string(), Some(Vec::new()))], t0());
    // `-` (every location) is never a target of its own.
    one.add_service_targets(
        P,
        builtin("run").unwrap().clone(),
        &["global".into(), "-".into()],
        &host("run"),
    );
    assert_eq!(one.targets.len(), 1);
    assert!(!one.several_services());
    assert!(!one.columns().contains(&Column::Service));
}

/// Ticks until every target has loaded once, then to the first background refresh, and
/// returns the refreshes sent then.
fn background_refreshes(hosts: &dyn Fn(&str, &str) -> String) -> Vec<(String, String)> {
    let mut w = world(1, 2, 8);
    let mut s = settings();
    // A bucket of one page per host: only one location per host refreshes at a time.
    s.request_budget = Some(0.5);
    let locs = ["us-central1".to_string(), "europe-west4".to_string()];
    let mut app = App::with_projects(s, vec![(P.to_string(), Some(Vec::new()))], t0());
    for svc in ["run", "aiplatform"] {
        let svc2 = svc.to_string();
        app.add_service_targets(P, builtin(svc).unwrap().clone(), &locs, &move |l| {
            hosts(&svc2, l)
        });
    }
    let start = t0() + jiff::SignedDuration::from_mins(5);
    let fx = update(&mut app, Action::Tick(start));
    assert_eq!(refreshes(&fx).len(), 4, "first loads go out at once");
    for svc in ["run", "aiplatform"] {
        for l in &locs {
            let listed = ops(&mut w, "us-central1", &format!("{svc}-{l}"))
                .into_iter()
                .map(|mut op| {
                    let v = serde_json::to_value(&op).unwrap();
                    let name = v["name"]
                        .as_str()
                        .unwrap()
                        .replace("/us-central1/", &format!("/{l}/"));
                    let mut v = v;
                    v["name"] = name.into();
                    op = serde_json::from_value(v).unwrap();
                    op
                })
                .collect();
            answer(&mut app, svc, l, listed);
        }
    }
    assert!(app.targets.iter().all(|t| t.loaded && t.error.is_none()));
    let due = start + jiff::SignedDuration::try_from(Duration::from_secs(5)).unwrap();
    refreshes(&update(&mut app, Action::Tick(due)))
}

#[test]
fn each_host_has_its_own_request_budget() {
    // Run at one global host, Vertex AI at one host per region: three budgets, so three
    // refreshes go out at once (Run's second location waits for its host's budget).
    let own = background_refreshes(&|s, l| host(s)(l));
    let mut services: Vec<&str> = own.iter().map(|(s, _)| s.as_str()).collect();
    services.sort();
    assert_eq!(services, ["aiplatform", "aiplatform", "run"], "{own:?}");
    // Everything behind one host shares one budget: one refresh at a time.
    let shared = background_refreshes(&|_, _| "https://one.example/v1/".to_string());
    assert_eq!(shared.len(), 1, "{shared:?}");
}

/// The screen's lines, as text.
fn screen(app: &App, w: u16, h: u16) -> Vec<String> {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| lrotop::ui::draw(f, app, lrotop::ui::Theme::Mono))
        .unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

#[test]
fn two_apis_on_screen_a_service_column_and_service_headings() {
    let mut w = world(1, 2, 8);
    let mut app = loaded(&mut w);
    update(
        &mut app,
        Action::Resize {
            table_rows: 30,
            locations_fit: true,
        },
    );
    let lines = screen(&app, 140, 40);
    let all = lines.join("\n");

    let header = lines
        .iter()
        .find(|l| l.contains("STATE") && l.contains("LOCATION"))
        .unwrap_or_else(|| panic!("no table header:\n{all}"));
    let cells = |l: &str| l.chars().collect::<Vec<char>>();
    let head = cells(header);
    let col = |title: &str| {
        let t = cells(title);
        head.windows(t.len()).position(|w| w == t.as_slice())
    };
    let (s, l) = (col("SERVICE"), col("LOCATION"));
    assert!(s.is_some() && s < l, "SERVICE before LOCATION:\n{header}");
    let s = s.unwrap_or_default();
    // Each table row names its API in the SERVICE column (the ID column ends with it here).
    let mut seen = 0;
    for line in &lines {
        let c = cells(line);
        let svc: String = c.get(s..s + 10).unwrap_or_default().iter().collect();
        if line.trim_end().ends_with("-run│") {
            assert_eq!(svc.trim_end(), "run", "{line}");
            seen += 1;
        } else if line.trim_end().ends_with("…platform│") {
            assert_eq!(svc.trim_end(), "aiplatform", "{line}");
            seen += 1;
        }
    }
    assert_eq!(seen, 32, "every row on screen:\n{all}");
    // The pane: each API's heading, its locations indented under it, in the targets' order.
    let pane: Vec<&str> = lines
        .iter()
        .map(|l| l.split('│').nth(1).unwrap_or("").trim_end())
        .collect();
    let at = |text: &str| {
        pane.iter()
            .position(|l| *l == text)
            .unwrap_or_else(|| panic!("{text:?} not in the pane:\n{}", pane.join("\n")))
    };
    let run = at(" run");
    let ai = at(" aiplatform");
    assert!(run < ai, "{}", pane.join("\n"));
    for (heading, next) in [(run, ai), (ai, pane.len())] {
        let under: Vec<&str> = pane[heading + 1..next]
            .iter()
            .copied()
            .take_while(|l| l.starts_with("   "))
            .collect();
        assert_eq!(
            under.len(),
            2,
            "two locations under it:\n{}",
            pane.join("\n")
        );
        assert!(under[0].trim_start().starts_with("global"), "{under:?}");
        assert!(
            under[1].trim_start().starts_with("us-central1"),
            "{under:?}"
        );
    }
    // Details: the API by its title, and the metadata's type.
    let name = select_first(&mut app, |r| r.op.name.ends_with("-run"));
    update(&mut app, Action::Key(Key::Enter));
    let details = screen(&app, 140, 40).join("\n");

    assert!(details.contains("Cloud Run (run)"), "{name}:\n{details}");
    let t = app
        .row(&name)
        .unwrap()
        .op
        .metadata
        .as_ref()
        .unwrap()
        .type_url()
        .unwrap()
        .to_string();
    assert!(details.contains(&t), "{t}:\n{details}");
}

/// Cloud Run as a `[[service]]` table with `cross_location = true` would make it, over
/// three locations.
fn cross_app() -> App {
    let mut run = builtin("run").unwrap().as_ref().clone();
    run.cross_location = true;
    let locs: Vec<String> = ["global", "us-central1", "europe-west4"]
        .map(String::from)
        .to_vec();
    let mut app = App::with_projects(settings(), vec![(P.to_string(), Some(Vec::new()))], t0());
    app.add_service_targets(P, std::sync::Arc::new(run), &locs, &host("run"));
    app
}

#[test]
fn an_api_listing_across_locations_is_refreshed_in_one_request() {
    let mut w = world(1, 2, 8);
    let mut app = cross_app();
    let fx = update(
        &mut app,
        Action::Tick(t0() + jiff::SignedDuration::from_mins(5)),
    );
    assert_eq!(
        refreshes(&fx),
        [("run".to_string(), format!("projects/{P}/locations/-"))],
        "{fx:?}"
    );
    assert!(app.targets.iter().all(|t| t.in_flight));
    let every = LocationName::new(P, "-").unwrap();
    let page = |ops: Vec<Operation>, unreachable: Vec<String>, first, last| Action::FromService {
        service: "run".into(),
        action: Box::new(Action::CrossPage {
            location: every.clone(),
            ops,
            skipped: 0,
            unreachable,
            first,
            last,
        }),
    };
    // Two pages: global's operations, then us-central1's; europe-west4 unreachable.
    update(
        &mut app,
        page(w.snapshot(P, "global"), Vec::new(), true, false),
    );
    update(
        &mut app,
        page(
            w.snapshot(P, "us-central1"),
            vec![format!("projects/{P}/locations/europe-west4")],
            false,
            true,
        ),
    );
    let by = |l: &str| app.targets.iter().find(|t| t.name.location() == l).unwrap();
    for l in ["global", "us-central1"] {
        let t = by(l);
        assert!(t.loaded && t.error.is_none() && !t.in_flight, "{l}");
        assert_eq!(t.total, 8, "{l}");
        assert_eq!(t.foreign, 0, "each row under its own location: {l}");
    }
    let lost = by("europe-west4");
    assert!(!lost.loaded && !lost.in_flight);
    assert_eq!(
        lost.error.as_ref().map(|e| e.badge.as_str()),
        Some("unreachable")
    );
    assert_eq!(app.rows.len(), 16);
}

#[test]
fn a_server_without_locations_dash_is_listed_per_location_from_then_on() {
    let mut app = cross_app();
    let start = t0() + jiff::SignedDuration::from_mins(5);
    update(&mut app, Action::Tick(start));
    let body = br#"{"error": {"code": 501, "message": "no", "status": "UNIMPLEMENTED"}}"#;
    let e: lrotop::api::ApiError = lrotop::api::error::parse_error_body(501, None, body).into();
    update(
        &mut app,
        Action::FromService {
            service: "run".into(),
            action: Box::new(Action::Loaded {
                location: LocationName::new(P, "-").unwrap(),
                result: Err(e),
            }),
        },
    );
    assert!(
        app.targets
            .iter()
            .all(|t| !t.in_flight && t.error.is_none())
    );
    let fx = update(
        &mut app,
        Action::Tick(start + jiff::SignedDuration::from_secs(1)),
    );
    let mut got: Vec<String> = refreshes(&fx).into_iter().map(|(_, l)| l).collect();
    got.sort();
    assert_eq!(
        got,
        ["europe-west4", "global", "us-central1"].map(|l| format!("projects/{P}/locations/{l}"))
    );
}

/// Over the emulator, through the runner: one `locations/-` request refreshes both of Run's
/// locations, sent by Run's client, and each location's rows land on its own target.
#[tokio::test]
async fn over_the_emulator_one_cross_location_request_for_the_project() {
    use lrotop::api::{ClientOptions, OperationsClient};
    use lrotop::emulator::{Emulator, EmulatorConfig, Scenario};
    let mut run = builtin("run").unwrap().as_ref().clone();
    run.cross_location = true;
    let run = std::sync::Arc::new(run);
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.projects = 1;
    cfg.ops_per_location = 8;
    cfg.services = vec![run.clone()];
    let emu = Emulator::start(cfg).await.unwrap();
    let client = OperationsClient::new(ClientOptions::for_service(
        run.clone(),
        Some(&emu.endpoint_for(&run)),
    ))
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // The default client is the old setup's: a refresh sent by it would find no Run world.
    let legacy = OperationsClient::new(ClientOptions::for_endpoint(emu.url())).unwrap();
    let runner = lrotop::sync::Runner::new(legacy, tx, false).with_service_clients(
        [((P.to_string(), "run".to_string()), client)]
            .into_iter()
            .collect(),
    );
    let locs = vec!["global".to_string(), "us-central1".to_string()];
    let mut app = App::with_projects(settings(), vec![(P.to_string(), Some(Vec::new()))], t0());
    app.add_service_targets(P, run.clone(), &locs, &|_| emu.url());
    for e in update(&mut app, Action::Tick(jiff::Timestamp::now())) {
        runner.run(e);
    }
    while app.targets.iter().any(|t| t.in_flight) {
        let a = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("an answer within 10 s")
            .expect("the runner is alive");
        update(&mut app, a);
    }
    for t in &app.targets {
        assert!(t.loaded && t.error.is_none(), "{}: {:?}", t.label, t.error);
        assert_eq!(t.total, 8, "{}", t.label);
        assert_eq!(t.foreign, 0, "{}", t.label);
    }
    for l in ["global", "us-central1"] {
        let want: Vec<String> = emu
            .service_snapshot("run", P, l)
            .into_iter()
            .map(|o| o.name)
            .collect();
        let t = app.target_of(&LocationName::new(P, l).unwrap(), Some("run"));
        for n in &want {
            assert_eq!(app.row(n).map(|r| Some(r.target)), Some(t), "{n}");
        }
    }
    assert_eq!(
        emu.stats().service("run", "list"),
        1,
        "one request for both"
    );
}

/// The header's `⟳` for an API listed across locations: one `locations/-` listing pays for
/// all of a project's locations, so the budget allows what one listing costs, not one per
/// location (which would claim a refresh four times slower than the real one here).
#[test]
fn a_cross_location_group_is_one_listing_in_the_effective_interval() {
    let locs: Vec<String> = (0..8).map(|i| format!("loc-{i}")).collect();
    let interval = |cross: bool| {
        let mut s = settings();
        s.interval = Duration::from_secs(1);
        s.request_budget = Some(2.0);
        let mut app = App::with_projects(s, vec![(P.to_string(), Some(Vec::new()))], t0());
        let mut p = builtin("alloydb").unwrap().as_ref().clone();
        p.cross_location = cross;
        app.add_service_targets(P, std::sync::Arc::new(p), &locs, &|_: &str| {
            "https://alloydb.googleapis.com/v1/".to_string()
        });
        for t in &mut app.targets {
            t.total = 10;
        }
        app.effective_interval()
    };
    // Eight locations of one page each at 2 requests/s: 4 s apart when listed one by one.
    assert_eq!(interval(false), Duration::from_secs(4));
    // One listing of 80 rows, one page: the configured 1 s holds.
    assert_eq!(interval(true), Duration::from_secs(1));
}
