//! Service profiles over real HTTP on 127.0.0.1: the client against an emulator serving
//! every catalogue profile at once, each profile's host (regional ones per location)
//! mapped to the emulator's `/_svc/NAME[/LOCATION]` prefix.

use lrotop::api::names::Collection;
use lrotop::api::service::{self, Method, ServiceProfile};
use lrotop::api::{
    ApiError, ClientOptions, Code, LocationName, OperationName, OperationsClient, Outcome,
    RetryPolicy,
};
use lrotop::emulator::{Emulator, EmulatorConfig, Scenario};
use std::sync::Arc;
use std::time::Duration;

const PROJECT: &str = "demo-project-1";

async fn emulator(cfg: EmulatorConfig) -> Emulator {
    Emulator::start(cfg).await.unwrap()
}

fn static_cfg() -> EmulatorConfig {
    let mut cfg = EmulatorConfig::new(Scenario::Static).with_catalogue();
    cfg.projects = 1;
    cfg.ops_per_location = 12;
    cfg
}

fn client(emu: &Emulator, p: &Arc<ServiceProfile>) -> OperationsClient {
    OperationsClient::new(ClientOptions {
        retry: RetryPolicy {
            deadline: Duration::from_secs(10),
            ..RetryPolicy::default()
        },
        ..ClientOptions::for_service(p.clone(), Some(&emu.endpoint_for(p)))
    })
    .unwrap()
}

fn profile(name: &str) -> Arc<ServiceProfile> {
    service::builtin(name).unwrap().clone()
}

fn parent(p: &ServiceProfile, location: &str) -> LocationName {
    LocationName::in_collection(PROJECT, p.collection, location).unwrap()
}

#[tokio::test]
async fn every_catalogue_profile_lists_and_gets_at_its_own_host() {
    let emu = emulator(static_cfg()).await;
    for p in service::catalogue()
        .iter()
        .filter(|p| p.name != service::DEFAULT_SERVICE)
    {
        let c = client(&emu, p);
        let under = parent(p, "us-central1");
        let ops = c.list_all(&under, "", 1000).await.unwrap();
        assert_eq!(ops.len(), 12, "{}", p.name);
        let want = emu.service_snapshot(&p.name, PROJECT, "us-central1");
        assert_eq!(
            ops.iter().map(|o| &o.name).collect::<Vec<_>>(),
            want.iter().map(|o| &o.name).collect::<Vec<_>>(),
            "{}",
            p.name
        );
        for o in &ops {
            assert!(under.holds(&o.name), "{}: {}", p.name, o.name);
            // Each type is read into the common view: a verb for every one of them.
            assert!(o.meta().is_some(), "{}: metadata {:?}", p.name, o.metadata);
            let t = o.metadata.as_ref().and_then(|m| m.type_url()).unwrap_or("");
            assert!(p.knows_type(t), "{}: {t}", p.name);
            assert!(!o.verb().is_empty(), "{}: no verb from {t}", p.name);
        }
        let name = OperationName::parse(&ops[0].name).unwrap();
        let got = c.get(&name).await.unwrap();
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&ops[0]).unwrap(),
            "{}: get answers what list did",
            p.name
        );
        let st = emu.stats();
        assert_eq!(st.service(&p.name, "list"), 1, "{}", p.name);
        assert_eq!(st.service(&p.name, "get"), 1, "{}", p.name);
    }
    // Vertex AI is regional: each request went to its location's host.
    let ai = profile("aiplatform");
    let c = client(&emu, &ai);
    let third = static_cfg().location_ids()[2].clone();
    c.list_all(&parent(&ai, &third), "", 0).await.unwrap();
    let hosts = emu.stats().hosts;
    assert_eq!(hosts.get("aiplatform us-central1"), Some(&2));
    assert_eq!(hosts.get(&format!("aiplatform {third}")), Some(&1));
    // The metadata of each shape, read as its API spells it.
    let run = client(&emu, &profile("run"))
        .list_all(&parent(&profile("run"), "us-central1"), "", 0)
        .await
        .unwrap();
    assert!(run.iter().all(|o| o.target().contains("/services/")));
    let dp = client(&emu, &profile("dataproc"))
        .list_all(&parent(&profile("dataproc"), "us-central1"), "", 0)
        .await
        .unwrap();
    assert!(dp[0].name.contains("/regions/us-central1/operations/"));
    assert!(dp.iter().all(|o| o.target().starts_with("cluster-")));
}

#[tokio::test]
async fn a_method_a_profile_lacks_is_never_sent() {
    let emu = emulator(static_cfg()).await;
    for name in ["run", "workflows"] {
        let p = profile(name);
        let c = client(&emu, &p);
        let ops = emu.service_snapshot(name, PROJECT, "global");
        let running = ops
            .iter()
            .find(|o| o.outcome() == Outcome::Running)
            .expect("a running operation");
        let n = OperationName::parse(&running.name).unwrap();
        let before = emu.stats().requests;
        let e = c.cancel(&n).await.unwrap_err();
        assert!(
            matches!(
                e,
                ApiError::Unsupported {
                    method: Method::Cancel,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!("{} operations cannot be cancelled", p.title)
        );
        assert_eq!(emu.stats().requests, before, "{name}: nothing went out");
        // And the server agrees: there is no such path.
        let url = format!("{}/{}/{n}:cancel", emu.endpoint_for(&p), p.version);
        let r = reqwest::Client::new()
            .post(url)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404);
    }
    assert_eq!(emu.stats().mutations(), 0);
    // Where cancel exists it is sent, and the operation turns CANCELLED or says why not.
    let redis = profile("redis");
    let c = client(&emu, &redis);
    let running: Vec<OperationName> = emu
        .service_snapshot("redis", PROJECT, "global")
        .iter()
        .filter(|o| o.outcome() == Outcome::Running)
        .map(|o| OperationName::parse(&o.name).unwrap())
        .collect();
    let mut accepted = 0;
    for n in &running {
        match c.cancel(n).await {
            Ok(()) => accepted += 1,
            Err(e) => assert!(e.is_refusal(), "{e}"),
        }
    }
    assert!(accepted > 0);
    assert_eq!(emu.stats().service("redis", "cancel"), running.len() as u64);
    // A name of another collection is refused for the API, unsent.
    let wrong = OperationName::in_collection(PROJECT, Collection::Regions, "global", "x").unwrap();
    assert!(matches!(c.get(&wrong).await, Err(ApiError::Refused(_))));
}

#[tokio::test]
async fn wait_uses_the_servers_wait_where_there_is_one() {
    let mut cfg = EmulatorConfig::new(Scenario::Demo).with_catalogue();
    cfg.projects = 1;
    cfg.locations = 1;
    let emu = emulator(cfg).await;
    for name in ["aiplatform", "run"] {
        let p = profile(name);
        let c = client(&emu, &p);
        assert!(c.can_wait());
        let op = emu.service_snapshot(name, PROJECT, "global").remove(0);
        let n = OperationName::parse(&op.name).unwrap();
        let started = std::time::Instant::now();
        let got = c.wait(&n, Duration::from_secs(1)).await.unwrap();
        assert_eq!(got.name, op.name);
        // Held at most about the timeout asked for (the server caps it too).
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(emu.stats().service(name, "wait"), 1);
    }
    let redis = client(&emu, &profile("redis"));
    assert!(!redis.can_wait());
    let op = emu.service_snapshot("redis", PROJECT, "global").remove(0);
    let e = redis
        .wait(
            &OperationName::parse(&op.name).unwrap(),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Unsupported { .. }), "{e:?}");
    assert_eq!(emu.stats().service("redis", "wait"), 0);
}

/// A profile of the catalogue's shape that documents `locations/-` (as a `[[service]]`
/// table may say).
fn cross(name: &str) -> Arc<ServiceProfile> {
    let mut p = profile(name).as_ref().clone();
    p.cross_location = true;
    Arc::new(p)
}

#[tokio::test]
async fn one_cross_location_listing_replaces_one_per_location() {
    let alloy = cross("alloydb");
    let mut cfg = static_cfg();
    cfg.locations = 6;
    cfg.services = vec![alloy.clone(), profile("redis")];
    cfg.faults.fail_locations = vec![("us-west1".into(), 503)];
    cfg.max_page_size = Some(25);
    let emu = emulator(cfg.clone()).await;
    let locations = cfg.location_ids();
    let c = client(&emu, &alloy);
    let l = c.list_project(PROJECT, &locations, "", 1000, 4).await;
    assert!(l.cross_location);
    assert_eq!(l.results.len(), locations.len());
    for (parent, r) in &l.results {
        match parent.location() {
            "us-west1" => {
                let e = r.as_ref().unwrap_err();
                assert!(matches!(e, ApiError::Unreachable(_)), "{e:?}");
            }
            loc => {
                let got = r.as_ref().unwrap();
                let want = emu.service_snapshot("alloydb", PROJECT, loc);
                assert_eq!(got.operations.len(), want.len(), "{loc}");
                assert!(got.operations.iter().all(|o| parent.holds(&o.name)));
            }
        }
    }
    // 5 reachable locations × 12 operations in pages of 25: 3 requests, not 6.
    assert_eq!(emu.stats().service("alloydb", "list"), 3);

    // Where the API lacks it, one request per location.
    let redis = client(&emu, &profile("redis"));
    let l = redis.list_project(PROJECT, &locations, "", 1000, 4).await;
    assert!(!l.cross_location && l.fell_back.is_none());
    assert_eq!(emu.stats().service("redis", "list"), 5);
    let failed: Vec<_> = l.results.iter().filter(|(_, r)| r.is_err()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0.location(), "us-west1");

    // A profile that claims it where the server refuses falls back, saying so.
    let claims = cross("redis");
    let c = client(&emu, &claims);
    let l = c.list_project(PROJECT, &locations, "", 1000, 4).await;
    assert!(!l.cross_location);
    let why = l.fell_back.expect("a fallback note");
    assert!(why.contains("locations/-"), "{why}");
    let e = l
        .results
        .iter()
        .find(|(p, _)| p.location() == "us-west1")
        .and_then(|(_, r)| r.as_ref().err())
        .unwrap();
    assert_eq!(e.code(), Some(Code::Unavailable));
}
