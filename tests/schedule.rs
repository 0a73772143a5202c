//! The refresh scheduler's request budget, in a simulated run against the emulator: 200
//! projects × 8 locations on one endpoint at the default 2 requests/s. The clock is
//! simulated (a tick per second); the requests are real HTTP, counted by the emulator.

mod common;

use common::t0;
use lrotop::api::{ClientOptions, OperationsClient};
use lrotop::app::row::CancelTrack;
use lrotop::app::{Action, App, DEFAULT_REQUEST_BUDGET, Effect, Settings, update};
use lrotop::emulator::{Emulator, EmulatorConfig, Scenario};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

const PROJECTS: usize = 200;
const LOCATIONS: usize = 8;
const SECONDS: usize = 1200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_projects_stay_within_budget_and_none_is_starved() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.projects = PROJECTS;
    cfg.locations = LOCATIONS;
    cfg.ops_per_location = 1;
    let emu = Emulator::start(cfg.clone()).await.unwrap();
    let client = OperationsClient::new(ClientOptions::for_endpoint(emu.url())).unwrap();
    let settings = Settings::new("many", Duration::from_secs(5), false);
    assert_eq!(settings.request_budget, Some(DEFAULT_REQUEST_BUDGET));
    let projects: Vec<(String, Option<Vec<String>>)> = cfg
        .project_ids()
        .into_iter()
        .map(|p| (p, Some(cfg.location_ids())))
        .collect();
    let mut app = App::with_projects(settings, projects, t0());

    let mut per_second: Vec<u64> = Vec::new();
    let mut last_refresh: HashMap<String, usize> = HashMap::new();
    let mut worst_gap = 0usize;
    let mut polls_while_busy = 0;
    let mut pending: Option<String> = None;
    let mut queue: VecDeque<Effect> = VecDeque::new();
    for s in 0..SECONDS {
        let before = emu.stats().requests;
        queue.extend(update(
            &mut app,
            Action::Tick(t0() + Duration::from_secs(s as u64)),
        ));
        // A cancel is pending from second 100 on: its polls must not wait for budget.
        if s == 100 {
            let name = app.rows[0].op.name.clone();
            let now = app.now;
            app.rows.get_mut(0).unwrap().cancel =
                CancelTrack::pending(now, now, now + Duration::from_secs(600));
            pending = Some(name);
        }
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::Refresh { location } => {
                    let key = location.to_string();
                    if let Some(prev) = last_refresh.insert(key, s)
                        && s > 10
                    {
                        worst_gap = worst_gap.max(s - prev);
                    }
                    let result = client.list_all(&location, "", 1000).await;
                    queue.extend(update(&mut app, Action::Loaded { location, result }));
                }
                Effect::Get { name } => {
                    if Some(name.to_string()) == pending {
                        polls_while_busy += 1;
                    }
                    let result = client.get(&name).await;
                    let n = name.to_string();
                    queue.extend(update(&mut app, Action::Got { name: n, result }));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        per_second.push(emu.stats().requests - before);
    }

    // The first second is the start: the user asked, everything loads at once.
    assert_eq!(per_second[0], (PROJECTS * LOCATIONS) as u64);
    // Afterwards: background refresh within 2/s (plus the one poll a second of the pending
    // cancel), over any 10-second window.
    let steady = &per_second[1..];
    for (i, w) in steady.windows(10).enumerate() {
        let sum: u64 = w.iter().sum();
        let polls = (i + 1..i + 11).filter(|s| (100..700).contains(s)).count() as u64;
        assert!(
            sum <= 20 + 4 + polls,
            "window at {}s: {sum} requests",
            i + 1
        );
    }
    let total_steady: u64 = steady.iter().sum();
    let rate = total_steady as f64 / steady.len() as f64;
    assert!(rate > 1.8, "the budget is used, not wasted: {rate:.2}/s");
    // No location starves: each comes round in about locations ÷ budget seconds.
    let cycle = (PROJECTS * LOCATIONS) as f64 / DEFAULT_REQUEST_BUDGET;
    assert_eq!(last_refresh.len(), PROJECTS * LOCATIONS);
    assert!(
        (worst_gap as f64) < cycle * 1.1,
        "worst gap {worst_gap}s, cycle {cycle}s"
    );
    assert!(
        polls_while_busy >= 590,
        "pending cancel polled every second: {polls_while_busy}"
    );
    println!(
        "simulated {SECONDS}s: start burst {} requests; steady {rate:.2} req/s; oldest location {worst_gap}s stale (cycle {cycle:.0}s); pending-cancel polls {polls_while_busy}",
        per_second[0]
    );
}
