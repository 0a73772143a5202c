//! The client against the emulator over real HTTP on 127.0.0.1.

use lrotop::api::{
    ApiError, ClientOptions, Code, ListQuery, LocationName, OperationName, OperationsClient,
    Outcome, RetryPolicy,
};
use lrotop::emulator::{Emulator, EmulatorConfig, Scenario};
use std::time::{Duration, Instant};

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        deadline: Duration::from_secs(10),
        max_attempts: 4,
    }
}

fn client(url: &str) -> OperationsClient {
    OperationsClient::new(ClientOptions {
        retry: fast_retry(),
        ..ClientOptions::for_endpoint(url)
    })
    .unwrap()
}

async fn static_emulator(per_location: usize) -> Emulator {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = per_location;
    Emulator::start(cfg).await.unwrap()
}

fn loc(l: &str) -> LocationName {
    LocationName::new("demo-project-1", l).unwrap()
}

fn names(ops: &[lrotop::api::Operation]) -> Vec<String> {
    ops.iter().map(|o| o.name.clone()).collect()
}

#[tokio::test]
async fn every_page_size_yields_every_operation_once() {
    let emu = static_emulator(120).await;
    let c = client(&emu.url());
    let want = names(&emu.snapshot("demo-project-1", "us-central1"));
    assert_eq!(want.len(), 120);
    for size in [1u32, 7, 0, 1000] {
        let got = c.list_all(&loc("us-central1"), "", size).await.unwrap();
        assert_eq!(names(&got), want, "page size {size}");
    }
    // pageSize absent or 0 means the default of 50; a larger one is clamped to 1000.
    let first = c
        .list_page(&loc("us-central1"), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(first.operations.len(), 50);
    assert!(!first.next_page_token.is_empty());
    // Pages of 1, 7, 50 and 1000, then the single page above: no page is fetched twice.
    assert_eq!(emu.stats().method("list"), 120 + 18 + 3 + 1 + 1);
}

#[tokio::test]
async fn empty_pages_that_carry_a_token_are_followed() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 10;
    cfg.faults.empty_pages = true;
    let emu = Emulator::start(cfg).await.unwrap();
    let c = client(&emu.url());
    let first = c
        .list_page(
            &loc("global"),
            &ListQuery {
                page_size: 3,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(first.operations.is_empty());
    assert!(
        !first.next_page_token.is_empty(),
        "an empty page still carries a token"
    );
    let all = c.list_all(&loc("global"), "", 3).await.unwrap();
    assert_eq!(
        names(&all),
        names(&emu.snapshot("demo-project-1", "global"))
    );
}

#[tokio::test]
async fn filter_done_true_and_false() {
    let emu = static_emulator(16).await;
    let c = client(&emu.url());
    let done = c.list_all(&loc("global"), "done=true", 3).await.unwrap();
    let running = c.list_all(&loc("global"), "done = FALSE", 3).await.unwrap();
    assert!(!done.is_empty() && done.iter().all(|o| o.done));
    assert!(!running.is_empty() && running.iter().all(|o| !o.done));
    assert_eq!(done.len() + running.len(), 16);
    let err = c
        .list_all(&loc("global"), "verb=create", 0)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidArgument));
    assert_eq!(err.http_status(), Some(400));
}

#[tokio::test]
async fn get_returns_exactly_what_list_returned() {
    let emu = static_emulator(8).await;
    let c = client(&emu.url());
    for op in c.list_all(&loc("us-east4"), "", 0).await.unwrap() {
        let name = OperationName::parse(&op.name).unwrap();
        assert_eq!(c.get(&name).await.unwrap(), op);
    }
}

/// In `static`, the first eight operations of a location are the eight archetypes in order.
async fn archetype(c: &OperationsClient, i: usize) -> OperationName {
    let ops = c.list_all(&loc("global"), "", 0).await.unwrap();
    OperationName::parse(&ops[i].name).unwrap()
}

#[tokio::test]
async fn cancel_lifecycle_of_every_kind() {
    let emu = static_emulator(8).await;
    let c = client(&emu.url());

    let cancellable = archetype(&c, 0).await;
    assert_eq!(
        c.get(&cancellable).await.unwrap().outcome(),
        Outcome::Running
    );
    c.cancel(&cancellable).await.unwrap();
    let after = c.get(&cancellable).await.unwrap();
    assert!(after.done);
    assert_eq!(after.outcome(), Outcome::Cancelled);
    assert_eq!(after.error.as_ref().map(|e| e.code), Some(1));
    assert!(after.requested_cancellation());
    assert!(after.end_time().is_some());

    let ignores = archetype(&c, 1).await;
    c.cancel(&ignores).await.unwrap();
    let after = c.get(&ignores).await.unwrap();
    assert!(!after.done, "a cancel it ignores leaves it running");
    assert!(after.requested_cancellation());

    let unimplemented = archetype(&c, 2).await;
    let e = c.cancel(&unimplemented).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::Unimplemented));
    assert_eq!(e.http_status(), Some(501));
    assert!(!c.get(&unimplemented).await.unwrap().done);

    let denied = archetype(&c, 3).await;
    let e = c.cancel(&denied).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::PermissionDenied));
    assert_eq!(
        e.status().unwrap().reason.as_deref(),
        Some("IAM_PERMISSION_DENIED")
    );

    // Finished states are all there: done, failed, cancelled, done despite a cancel request.
    let ops = c.list_all(&loc("global"), "", 0).await.unwrap();
    assert_eq!(ops[4].outcome(), Outcome::Succeeded);
    assert_eq!(ops[5].outcome(), Outcome::Failed);
    assert!(matches!(
        ops[5].error.as_ref().map(|e| e.code()),
        Some(Code::FailedPrecondition | Code::Internal | Code::InvalidArgument)
    ));
    assert_eq!(ops[6].outcome(), Outcome::Cancelled);
    assert_eq!(ops[7].outcome(), Outcome::Succeeded);
    assert!(ops[7].requested_cancellation());

    // Each cancel reached the server exactly once: no retries of refusals.
    let stats = emu.stats();
    for n in [&cancellable, &ignores, &unimplemented, &denied] {
        assert_eq!(stats.cancels.get(&n.to_string()), Some(&1), "{n}");
    }
}

#[tokio::test]
async fn delete_then_get_is_not_found() {
    let emu = static_emulator(8).await;
    let c = client(&emu.url());
    let name = archetype(&c, 4).await;
    c.delete(&name).await.unwrap();
    let e = c.get(&name).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::NotFound));
    assert_eq!(c.list_all(&loc("global"), "", 0).await.unwrap().len(), 7);
}

#[tokio::test]
async fn locations_and_unknown_names() {
    let emu = static_emulator(6).await;
    let c = client(&emu.url());
    let locs = c.list_locations("demo-project-2").await.unwrap();
    let ids: Vec<&str> = locs.iter().map(|l| l.location_id.as_str()).collect();
    assert_eq!(ids, ["global", "us-central1", "us-east4"]);
    assert_eq!(
        locs[1].name,
        "projects/demo-project-2/locations/us-central1"
    );
    assert_eq!(
        c.get_location(&loc("us-east4")).await.unwrap().display_name,
        "Northern Virginia"
    );

    let e = c.list_locations("someone-elses-project").await.unwrap_err();
    assert_eq!(e.code(), Some(Code::PermissionDenied));
    let e = c
        .list_all(
            &LocationName::new("someone-elses-project", "global").unwrap(),
            "",
            0,
        )
        .await
        .unwrap_err();
    assert_eq!(e.http_status(), Some(403));
    let e = c.list_all(&loc("mars-north1"), "", 0).await.unwrap_err();
    assert_eq!(e.code(), Some(Code::NotFound));
    let e = c
        .get(&loc("global").operation("no-such-op").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::NotFound));
    // None of these were retried.
    assert_eq!(emu.stats().requests, 6);
}

#[tokio::test]
async fn unavailable_and_exhausted_are_retried_others_are_not() {
    for (status, retried) in [
        (503u16, true),
        (429, true),
        (400, false),
        (403, false),
        (404, false),
        (500, false),
        (501, false),
    ] {
        let mut cfg = EmulatorConfig::new(Scenario::Static);
        cfg.faults.fail_locations = vec![("global".into(), status)];
        cfg.faults.retry_delay = Duration::from_millis(10);
        let emu = Emulator::start(cfg).await.unwrap();
        let c = client(&emu.url());
        let e = c
            .list_page(&loc("global"), &ListQuery::default())
            .await
            .unwrap_err();
        assert_eq!(e.http_status(), Some(status));
        let want = if retried {
            fast_retry().max_attempts as u64
        } else {
            1
        };
        assert_eq!(emu.stats().requests, want, "HTTP {status}");
        // Other locations are unaffected.
        c.list_page(&loc("us-central1"), &ListQuery::default())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn injected_errors_are_ridden_out() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 40;
    cfg.faults.error_rate = 0.3;
    cfg.faults.retry_delay = Duration::from_millis(5);
    cfg.seed = 3;
    let emu = Emulator::start(cfg).await.unwrap();
    let c = OperationsClient::new(ClientOptions {
        retry: RetryPolicy {
            max_attempts: 12,
            ..fast_retry()
        },
        ..ClientOptions::for_endpoint(emu.url())
    })
    .unwrap();
    let got = c.list_all(&loc("global"), "", 5).await.unwrap();
    assert_eq!(got.len(), 40);
    let s = emu.stats();
    assert!(s.injected > 0, "the fault rate was exercised");
    assert_eq!(s.requests, s.injected + s.method("list"));
}

#[tokio::test]
async fn retry_delay_from_the_server_is_honoured() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.faults.fail_locations = vec![("global".into(), 429)];
    cfg.faults.retry_delay = Duration::from_millis(150);
    let emu = Emulator::start(cfg).await.unwrap();
    let c = OperationsClient::new(ClientOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            ..fast_retry()
        },
        ..ClientOptions::for_endpoint(emu.url())
    })
    .unwrap();
    let started = Instant::now();
    let e = c
        .list_page(&loc("global"), &ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::ResourceExhausted));
    assert_eq!(
        e.status().unwrap().retry_delay,
        Some(Duration::from_millis(150))
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "two waits of at least 150 ms"
    );
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let c = OperationsClient::new(ClientOptions {
        request_timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_attempts: 2,
            ..fast_retry()
        },
        ..ClientOptions::for_endpoint(format!("http://{addr}"))
    })
    .unwrap();
    let started = Instant::now();
    let e = c
        .get(&loc("global").operation("x").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Timeout(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // A cancel that timed out is not repeated: it may have reached the server.
    let started = Instant::now();
    let e = c
        .cancel(&loc("global").operation("x").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Timeout(_)));
    assert!(started.elapsed() < Duration::from_millis(600));
    hold.abort();
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client(&format!("http://{addr}"));
    let e = c.list_locations("p").await.unwrap_err();
    assert!(matches!(e, ApiError::Transport(_)), "{e:?}");
}

#[tokio::test]
async fn pages_come_one_at_a_time_and_the_runner_applies_them_as_they_arrive() {
    use futures::StreamExt;
    use lrotop::app::{Action, App, Effect, Settings, update};
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 25;
    cfg.max_page_size = Some(10);
    let emu = Emulator::start(cfg).await.unwrap();
    let c = client(&emu.url());
    let l = loc("us-central1");
    let pages: Vec<(usize, bool)> = c
        .list_pages(&l, "", 1000)
        .map(|p| p.map(|p| (p.operations.len(), p.more)).unwrap())
        .collect()
        .await;
    assert_eq!(pages, vec![(10, true), (10, true), (5, false)]);

    // The dashboard's runner: one `Page` per page, the first and last flagged.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = lrotop::sync::Runner::new(c.clone(), tx, false);
    let mut app = App::new(
        Settings::new("demo-project-1", Duration::from_secs(5), false),
        vec!["demo-project-1".into()],
        Some(vec!["us-central1".into()]),
        jiff::Timestamp::now(),
    );
    for e in update(&mut app, Action::Tick(jiff::Timestamp::now())) {
        assert!(matches!(e, Effect::Refresh { .. }), "{e:?}");
        runner.run(e);
    }
    let mut flags = Vec::new();
    while !app.targets[0].loaded {
        let a = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("an answer within 10 s")
            .expect("the runner is alive");
        if let Action::Page {
            ops, first, last, ..
        } = &a
        {
            flags.push((ops.len(), *first, *last));
        }
        update(&mut app, a);
    }
    assert_eq!(
        flags,
        vec![(10, true, false), (10, false, false), (5, false, true)]
    );
    assert_eq!((app.rows.len(), app.view.len()), (25, 25));
    assert!(!app.targets[0].in_flight);
}
