//! `update`, action by action, without IO.

mod common;

use common::*;
use lrotop::api::error::parse_error_body;
use lrotop::api::{ApiError, Code, Operation, OperationName, Status};
use lrotop::app::keys::Key;
use lrotop::app::row::{CancelTrack, RowState};
use lrotop::app::{
    Action, App, CANCEL_POLL, Column, Confirmed, Effect, Facts, Level, Mode, Pane, Signal, update,
};
use std::time::Duration;

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    update(app, Action::Key(k))
}

fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, Key::Char(c));
    }
}

fn status_text(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn server_error(http: u16, status: &str, message: &str) -> ApiError {
    let body =
        format!(r#"{{"error": {{"code": {http}, "message": "{message}", "status": "{status}"}}}}"#);
    parse_error_body(http, None, body.as_bytes()).into()
}

fn finished(mut op: Operation, error: Option<Code>) -> Operation {
    op.done = true;
    op.error = error.map(|c| Box::new(Status::new(c, "x")));
    op
}

#[test]
fn first_load_shows_every_row_without_marking_them_new() {
    let mut w = world(1, 2, 8);
    let app = loaded_app(&mut w, &["global", "us-central1"]);
    assert_eq!(app.rows.len(), 16);
    assert_eq!(app.view.len(), 16);
    assert!(
        app.rows
            .iter()
            .all(|r| !r.new_at.is_some() && !r.changed_at.is_some())
    );
    assert_eq!(app.targets[0].total, 8);
    assert_eq!(app.targets[0].active, 4);
    // Sorted by state: what needs attention first.
    let states: Vec<RowState> = app.view.iter().map(|i| app.rows[*i].state).collect();
    let mut sorted = states.clone();
    sorted.sort();
    assert_eq!(states, sorted);
}

#[test]
fn moving_the_selection() {
    let mut w = world(1, 1, 30);
    let mut app = loaded_app(&mut w, &["global"]);
    update(
        &mut app,
        Action::Resize {
            table_rows: 10,
            locations_fit: true,
        },
    );
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Down);
    assert_eq!(app.selected, 2);
    key(&mut app, Key::Char('k'));
    assert_eq!(app.selected, 1);
    key(&mut app, Key::Char('G'));
    assert_eq!(app.selected, 29);
    assert_eq!(app.offset, 20, "the selection stays in view");
    key(&mut app, Key::Char('j'));
    assert_eq!(app.selected, 29, "no wrap past the end");
    key(&mut app, Key::PageUp);
    assert_eq!(app.selected, 19);
    key(&mut app, Key::Char('g'));
    assert_eq!((app.selected, app.offset), (0, 0));
    key(&mut app, Key::PageDown);
    assert_eq!(app.selected, 10);
    assert_eq!(app.offset, 1);
}

#[test]
fn the_selection_follows_its_operation_across_refreshes_and_sorts() {
    let mut w = world(1, 1, 12);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('j'));
    let chosen = app.selected_row().unwrap().op.name.clone();
    key(&mut app, Key::Char('s'));
    assert_eq!(app.sort, Column::Location);
    assert_eq!(app.selected_row().unwrap().op.name, chosen);
    key(&mut app, Key::Char('S'));
    assert!(app.reverse);
    assert_eq!(app.selected_row().unwrap().op.name, chosen);
    load(
        &mut app,
        "global",
        Ok(w.snapshot("demo-project-1", "global")),
    );
    assert_eq!(app.selected_row().unwrap().op.name, chosen);
}

#[test]
fn filters_apply_as_typed_and_esc_restores() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    key(&mut app, Key::Char('/'));
    assert!(matches!(app.mode, Mode::FilterInput { .. }));
    keys(&mut app, "state=running");
    assert_eq!(app.view.len(), 8);
    keys(&mut app, " location=us-central1");
    assert_eq!(app.view.len(), 4);
    key(&mut app, Key::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.filter.as_str(), "state=running location=us-central1");

    key(&mut app, Key::Char('/'));
    for _ in 0.."location=us-central1".len() {
        key(&mut app, Key::Backspace);
    }
    keys(&mut app, "verb=");
    assert_eq!(
        app.filter.as_str(),
        "state=running location=us-central1",
        "a half-typed predicate applies nothing: the filter from before the prompt stays"
    );
    key(&mut app, Key::Esc);
    assert_eq!(app.filter.as_str(), "state=running location=us-central1");
    assert_eq!(app.view.len(), 4);

    // Text matches the name, target or status message.
    let id = app.rows[0].op.id().to_string();
    key(&mut app, Key::Char('/'));
    for _ in 0..40 {
        key(&mut app, Key::Backspace);
    }
    keys(&mut app, &id);
    key(&mut app, Key::Enter);
    assert_eq!(app.view.len(), 1);

    key(&mut app, Key::Char('/'));
    for _ in 0..60 {
        key(&mut app, Key::Backspace);
    }
    keys(&mut app, "colour=red");
    key(&mut app, Key::Enter);
    // Not kept: the prompt stays open, saying why, and the table keeps the filter before.
    let Mode::FilterInput { text, .. } = &app.mode else {
        panic!("the prompt closed on a bad filter: {:?}", app.mode);
    };
    let why = lrotop::app::modes::filter::prompt_error(text).unwrap_or_default();
    assert!(why.contains("colour"), "{why}");
    assert_eq!(app.filter.as_str(), id);
    assert_eq!(app.view.len(), 1);
}

#[test]
fn active_only_and_location_scope() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    key(&mut app, Key::Char('f'));
    assert_eq!(app.view.len(), 8);
    assert!(app.view.iter().all(|i| app.rows[*i].state.is_active()));
    key(&mut app, Key::Char('f'));
    assert_eq!(app.view.len(), 16);
    key(&mut app, Key::Tab);
    assert_eq!(app.focus, Pane::Locations);
    key(&mut app, Key::Char('j'));
    assert_eq!(app.location_scope().unwrap().name.location(), "global");
    assert_eq!(app.view.len(), 8);
    key(&mut app, Key::Char('j'));
    assert_eq!(app.location_scope().unwrap().name.location(), "us-central1");
    key(&mut app, Key::Char('j'));
    assert_eq!(app.location_sel, 2, "stops at the last location");
    key(&mut app, Key::Char('g'));
    assert!(app.location_scope().is_none());
    key(&mut app, Key::Enter);
    assert_eq!(app.focus, Pane::Operations);
}

/// Selects the `i`-th archetype of `global` and presses `c`.
fn ask_to_cancel(app: &mut App, w: &mut lrotop::emulator::state::World, i: usize) -> String {
    let name = w.snapshot("demo-project-1", "global")[i].name.clone();
    select(app, &name);
    assert!(
        key(app, Key::Char('c')).is_empty(),
        "nothing is sent before confirming"
    );
    name
}

#[test]
fn cancel_asks_first_and_defaults_to_no() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = ask_to_cancel(&mut app, &mut w, 0);
    let Mode::Confirm(c) = &app.mode else {
        panic!("{:?}", app.mode)
    };
    assert!(!c.yes_focused, "No has the focus");
    assert!(
        matches!(&c.facts, Facts::One(op) if op.name == name && op.state == RowState::Running),
        "the dialog is about the operation: {:?}",
        c.facts
    );
    assert!(
        dialog_words(&app).lines.iter().any(|l| l == &name),
        "the dialog names the operation"
    );
    assert_eq!(
        c.on_yes,
        Confirmed::CancelOne(OperationName::parse(&name).unwrap())
    );
    assert!(
        key(&mut app, Key::Enter).is_empty(),
        "enter takes the default: No"
    );
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(status_text(&app), "nothing sent");

    ask_to_cancel(&mut app, &mut w, 0);
    assert!(key(&mut app, Key::Esc).is_empty());
    ask_to_cancel(&mut app, &mut w, 0);
    assert!(key(&mut app, Key::Char('n')).is_empty());
    ask_to_cancel(&mut app, &mut w, 0);
    key(&mut app, Key::Tab);
    let fx = key(&mut app, Key::Enter);
    assert_eq!(
        fx,
        vec![Effect::Cancel {
            name: OperationName::parse(&name).unwrap()
        }]
    );
}

#[test]
fn cancel_accepted_then_cancelled() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = ask_to_cancel(&mut app, &mut w, 0);
    let fx = key(&mut app, Key::Char('y'));
    assert_eq!(fx.len(), 1);
    assert_eq!(
        app.row(&name).unwrap().state,
        RowState::Cancelling,
        "CANCELLING at once"
    );
    assert_eq!(app.row(&name).unwrap().changed_at.get(), Some(app.now));

    let fx = update(
        &mut app,
        Action::CancelSent {
            name: name.clone(),
            result: Ok(()),
        },
    );
    assert_eq!(
        fx,
        vec![Effect::Get {
            name: OperationName::parse(&name).unwrap()
        }]
    );
    assert!(matches!(
        app.row(&name).unwrap().cancel,
        CancelTrack::Pending(_)
    ));
    // Polled fast until done.
    let later = app.now + CANCEL_POLL;
    let fx = update(&mut app, Action::Tick(later));
    assert!(
        fx.contains(&Effect::Get {
            name: OperationName::parse(&name).unwrap()
        }),
        "{fx:?}"
    );

    w.cancel("demo-project-1", "global", name.rsplit('/').next().unwrap())
        .unwrap();
    let op = w.snapshot("demo-project-1", "global")[0].clone();
    update(
        &mut app,
        Action::Got {
            name: name.clone(),
            result: Ok(op),
        },
    );
    let row = app.row(&name).unwrap();
    assert_eq!(row.state, RowState::Cancelled);
    assert_eq!(row.cancel, CancelTrack::Settled);
    assert!(status_text(&app).contains("cancelled"));
    assert_eq!(app.status.as_ref().unwrap().level, Level::Success);
    // No more polls once done.
    let fx = update(&mut app, Action::Tick(later + Duration::from_secs(2)));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Get { .. })),
        "{fx:?}"
    );
}

#[test]
fn cancel_outcomes_ignored_failed_refused_and_lost() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let ops = w.snapshot("demo-project-1", "global");

    // Accepted, then the operation finishes anyway.
    let ignored = ask_to_cancel(&mut app, &mut w, 1);
    key(&mut app, Key::Char('y'));
    update(
        &mut app,
        Action::CancelSent {
            name: ignored.clone(),
            result: Ok(()),
        },
    );
    update(
        &mut app,
        Action::Got {
            name: ignored.clone(),
            result: Ok(finished(ops[1].clone(), None)),
        },
    );
    assert_eq!(
        app.row(&ignored).unwrap().state,
        RowState::DoneCancelIgnored
    );
    assert!(
        app.row(&ignored)
            .unwrap()
            .note()
            .unwrap()
            .contains("cancel ignored")
    );

    // Accepted, then it fails on its own.
    let failed = ask_to_cancel(&mut app, &mut w, 0);
    key(&mut app, Key::Char('y'));
    update(
        &mut app,
        Action::CancelSent {
            name: failed.clone(),
            result: Ok(()),
        },
    );
    update(
        &mut app,
        Action::Got {
            name: failed.clone(),
            result: Ok(finished(ops[0].clone(), Some(Code::Internal))),
        },
    );
    assert_eq!(app.row(&failed).unwrap().state, RowState::Failed);

    // Refused: UNIMPLEMENTED and PERMISSION_DENIED, with the server's message.
    for (i, http, status) in [(2, 501, "UNIMPLEMENTED"), (3, 403, "PERMISSION_DENIED")] {
        let name = ask_to_cancel(&mut app, &mut w, i);
        key(&mut app, Key::Char('y'));
        let fx = update(
            &mut app,
            Action::CancelSent {
                name: name.clone(),
                result: Err(server_error(http, status, "not allowed")),
            },
        );
        assert!(fx.is_empty(), "a refusal is final: no polling");
        let row = app.row(&name).unwrap();
        assert_eq!(row.state, RowState::CancelRefused);
        assert_eq!(row.cancel, CancelTrack::refused(status, "not allowed"));
        assert!(status_text(&app).contains(status));
        assert_eq!(
            app.log.back().unwrap().text,
            status_text(&app),
            "kept in the error log"
        );
    }

    // Lost on the network: still running, and the user is told it may not have arrived.
    let mut w2 = world(1, 1, 8);
    let mut app2 = loaded_app(&mut w2, &["global"]);
    let name = ask_to_cancel(&mut app2, &mut w2, 0);
    key(&mut app2, Key::Char('y'));
    update(
        &mut app2,
        Action::CancelSent {
            name: name.clone(),
            result: Err(ApiError::Transport("connection reset".into())),
        },
    );
    assert_eq!(app2.row(&name).unwrap().state, RowState::Running);
    assert!(status_text(&app2).contains("may not have reached"));
}

#[test]
fn cancel_on_a_finished_or_read_only_row_sends_nothing() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    for i in 4..8 {
        ask_to_cancel(&mut app, &mut w, i);
        assert_eq!(app.mode, Mode::Normal, "no dialog for a finished operation");
        assert!(
            status_text(&app).contains("nothing sent"),
            "{}",
            status_text(&app)
        );
    }
    app.settings.read_only = true;
    ask_to_cancel(&mut app, &mut w, 0);
    assert_eq!(app.mode, Mode::Normal);
    assert!(status_text(&app).contains("read-only"));
}

#[test]
fn an_operation_that_finished_while_the_dialog_was_open_is_not_cancelled() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = ask_to_cancel(&mut app, &mut w, 0);
    let mut ops = w.snapshot("demo-project-1", "global");
    ops[0] = finished(ops[0].clone(), None);
    load(&mut app, "global", Ok(ops));
    assert!(matches!(app.mode, Mode::Confirm(_)), "the dialog stays");
    assert!(key(&mut app, Key::Char('y')).is_empty());
    assert!(status_text(&app).contains("meanwhile"));
    assert_eq!(app.row(&name).unwrap().state, RowState::Done);
}

#[test]
fn errors_stay_with_their_location_and_back_off() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    let now = app.now;
    load(
        &mut app,
        "us-central1",
        Err(server_error(403, "PERMISSION_DENIED", "denied")),
    );
    let t = &app.targets[1];
    assert_eq!(t.error.as_ref().unwrap().badge, "403");
    assert_eq!(t.total, 8, "the last good data is kept");
    assert!(
        t.next_due.unwrap() >= now + Duration::from_secs(10),
        "backed off: {:?}",
        t.next_due
    );
    assert!(app.targets[0].error.is_none());
    assert_eq!(app.rows.len(), 16);
    assert!(status_text(&app).contains("us-central1"));

    load(
        &mut app,
        "us-central1",
        Err(server_error(503, "UNAVAILABLE", "down")),
    );
    assert_eq!(app.targets[1].error.as_ref().unwrap().badge, "503");
    assert_eq!(app.targets[1].failures, 2);
    let second = app.targets[1].next_due.unwrap();
    assert!(second >= now + Duration::from_secs(20), "{second}");

    // The other location keeps refreshing on its own schedule.
    let fx = update(&mut app, Action::Tick(now + Duration::from_secs(6)));
    assert_eq!(
        fx,
        vec![Effect::Refresh {
            location: loc("global")
        }]
    );

    load(
        &mut app,
        "us-central1",
        Ok(w.snapshot("demo-project-1", "us-central1")),
    );
    assert!(app.targets[1].error.is_none());
    assert_eq!(app.targets[1].failures, 0);
    assert!(status_text(&app).contains("reachable again"));
}

#[test]
fn refreshes_mark_new_changed_and_drop_vanished_rows() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut ops = w.snapshot("demo-project-1", "global");
    let gone = ops.remove(4).name;
    let mut extra = ops[0].clone();
    extra.name = format!("{}-new", extra.name);
    ops.push(extra.clone());
    ops[1] = finished(ops[1].clone(), None);
    let changed = ops[1].name.clone();
    app.now += Duration::from_secs(5);
    load(&mut app, "global", Ok(ops));
    assert!(app.row(&gone).is_none());
    assert_eq!(app.row(&extra.name).unwrap().new_at.get(), Some(app.now));
    assert_eq!(app.row(&changed).unwrap().changed_at.get(), Some(app.now));
    assert_eq!(app.rows.len(), 8);
}

#[test]
fn scheduling_pause_refresh_and_interval() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    let now = app.now;
    assert!(
        update(&mut app, Action::Tick(now + Duration::from_secs(1))).is_empty(),
        "not due yet"
    );
    let fx = key(&mut app, Key::Char('r'));
    assert_eq!(fx.len(), 2, "r refreshes every location now");
    assert!(
        key(&mut app, Key::Char('r')).is_empty(),
        "at most one refresh in flight per location"
    );
    load(
        &mut app,
        "global",
        Ok(w.snapshot("demo-project-1", "global")),
    );
    load(
        &mut app,
        "us-central1",
        Ok(w.snapshot("demo-project-1", "us-central1")),
    );

    key(&mut app, Key::Char('p'));
    assert!(app.paused);
    assert!(
        update(&mut app, Action::Tick(now + Duration::from_secs(60))).is_empty(),
        "paused"
    );
    let fx = key(&mut app, Key::Char('p'));
    assert_eq!(fx.len(), 2, "resuming refreshes what is due");

    key(&mut app, Key::Char('-'));
    assert_eq!(app.settings.interval, Duration::from_secs(3));
    for _ in 0..10 {
        key(&mut app, Key::Char('-'));
    }
    assert_eq!(app.settings.interval, Duration::from_secs(1), "floor 1s");
    key(&mut app, Key::Char('+'));
    assert_eq!(app.settings.interval, Duration::from_secs(2));
}

#[test]
fn discovery_adds_targets_in_order() {
    let mut app = App::new(settings(), vec!["p1".into(), "p2".into()], None, t0());
    let fx = update(&mut app, Action::Tick(t0()));
    assert_eq!(
        fx,
        vec![
            Effect::Discover {
                project: "p1".into()
            },
            Effect::Discover {
                project: "p2".into()
            }
        ]
    );
    assert!(
        update(&mut app, Action::Tick(t0())).is_empty(),
        "asked once"
    );
    let fx = update(
        &mut app,
        Action::Discovered {
            project: "p2".into(),
            result: Ok(vec!["global".into(), "us-east4".into()]),
        },
    );
    assert_eq!(fx.len(), 2);
    update(
        &mut app,
        Action::Discovered {
            project: "p1".into(),
            result: Ok(vec!["global".into()]),
        },
    );
    let labels: Vec<&str> = app.targets.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        ["p1/global", "p2/global", "p2/us-east4"],
        "projects in the order given"
    );

    let mut app = App::new(settings(), vec!["p1".into()], None, t0());
    update(&mut app, Action::Tick(t0()));
    update(
        &mut app,
        Action::Discovered {
            project: "p1".into(),
            result: Err(server_error(404, "NOT_FOUND", "no such method")),
        },
    );
    assert!(app.targets.is_empty());
    assert!(status_text(&app).contains("--location"));
}

#[test]
fn a_vanished_operation_is_dropped_when_polled() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = app.rows[0].op.name.clone();
    update(
        &mut app,
        Action::Got {
            name: name.clone(),
            result: Err(server_error(404, "NOT_FOUND", "gone")),
        },
    );
    assert!(app.row(&name).is_none());
    assert_eq!(app.rows.len(), 7);
}

#[test]
fn help_details_and_quit() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('?'));
    assert_eq!(app.mode, Mode::Help { scroll: 0 });
    key(&mut app, Key::Char('j'));
    assert_eq!(app.mode, Mode::Help { scroll: 1 });
    key(&mut app, Key::Esc);
    key(&mut app, Key::Enter);
    assert_eq!(app.mode, Mode::Details { scroll: 0 });
    key(&mut app, Key::Char('q'));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(
        key(&mut app, Key::Char('q')),
        vec![],
        "quitting is app.quit, not an effect"
    );
    assert!(app.quit);
}

#[test]
fn a_batch_rebuilds_once_and_keys_see_a_fresh_view() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    let mut ops = w.snapshot("demo-project-1", "global");
    ops.truncate(3);
    let fx = lrotop::app::update_batch(
        &mut app,
        vec![
            Action::Loaded {
                location: loc("global"),
                result: Ok(ops),
            },
            Action::Key(Key::Char('G')),
        ],
    );
    assert!(fx.is_empty());
    assert_eq!(app.rows.len(), 11);
    assert_eq!(app.view.len(), 11, "the key saw the rebuilt view");
    assert_eq!(app.selected, 10);
}

#[test]
fn rows_vanishing_under_the_selection_keep_it_on_its_operation() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('G'));
    let last = app.selected_row().unwrap().op.name.clone();
    let ops: Vec<Operation> = w
        .snapshot("demo-project-1", "global")
        .into_iter()
        .filter(|o| o.name == last || o.done)
        .collect();
    load(&mut app, "global", Ok(ops));
    assert_eq!(app.rows.len(), 4);
    assert_eq!(app.selected_row().unwrap().op.name, last);
    // Everything gone: no selection, no panic.
    load(&mut app, "global", Ok(vec![]));
    assert!(app.selected_row().is_none());
    assert!(app.view.is_empty());
}

#[test]
fn the_same_name_twice_in_one_answer_is_one_row() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut ops = w.snapshot("demo-project-1", "global");
    ops.push(ops[0].clone());
    let mut extra = ops[1].clone();
    extra.name = format!("{}-x", extra.name);
    ops.push(extra.clone());
    ops.push(extra);
    load(&mut app, "global", Ok(ops));
    assert_eq!(app.rows.len(), 9);
}

#[test]
fn a_location_bigger_than_the_budget_still_refreshes() {
    // 4,500 rows cost five pages a refresh, more than the bucket of the default 2/s holds.
    let mut w = world(1, 1, 4500);
    let mut app = loaded_app(&mut w, &["global"]);
    let start = app.now;
    let mut refreshes = 0;
    for s in 1..=60u64 {
        let fx = update(&mut app, Action::Tick(start + Duration::from_secs(s)));
        for e in fx {
            if let Effect::Refresh { .. } = e {
                refreshes += 1;
                load(
                    &mut app,
                    "global",
                    Ok(w.snapshot("demo-project-1", "global")),
                );
            }
        }
    }
    assert!(
        (9..=12).contains(&refreshes),
        "{refreshes} refreshes in 60 s at 5 s"
    );
}

fn page(app: &mut App, l: &str, ops: &[Operation], first: bool, last: bool) -> Vec<Effect> {
    update(
        app,
        Action::Page {
            location: loc(l),
            ops: ops.to_vec(),
            skipped: 0,
            first,
            last,
        },
    )
}

#[test]
fn a_refresh_applied_page_by_page_ends_where_a_whole_answer_would() {
    let mut w = world(1, 1, 30);
    // The first load in three pages: nothing is shown or counted as new until the last.
    let locs = vec!["global".to_string()];
    let mut app = App::new(settings(), vec!["demo-project-1".into()], Some(locs), t0());
    update(&mut app, Action::Tick(t0() + Duration::from_secs(300)));
    let ops = w.snapshot("demo-project-1", "global");
    page(&mut app, "global", &ops[..10], true, false);
    assert!(app.targets[0].in_flight && !app.targets[0].loaded);
    page(&mut app, "global", &ops[10..20], false, false);
    page(&mut app, "global", &ops[20..], false, true);
    assert!(!app.targets[0].in_flight && app.targets[0].loaded);
    assert_eq!((app.rows.len(), app.view.len()), (30, 30));
    assert!(app.rows.iter().all(|r| !r.new_at.is_some()));

    // A refresh in pages: one operation gone, one new, one changed, one repeated across
    // pages (the first copy wins).
    let mut next = w.snapshot("demo-project-1", "global");
    let gone = next.remove(4).name;
    let mut extra = next[0].clone();
    extra.name = format!("{}-new", extra.name);
    next.push(extra.clone());
    next[1] = finished(next[1].clone(), None);
    let changed = next[1].name.clone();
    let mut repeated = finished(next[2].clone(), Some(Code::Internal));
    repeated.name = next[2].name.clone();
    next.push(repeated);
    app.now += Duration::from_secs(5);
    page(&mut app, "global", &next[..15], true, false);
    assert!(
        app.row(&gone).is_some(),
        "nothing is dropped before the refresh has seen every page"
    );
    assert_eq!(app.row(&changed).unwrap().state, RowState::Done);
    page(&mut app, "global", &next[15..], false, true);
    assert!(app.row(&gone).is_none(), "gone once the last page is in");
    assert_eq!(app.row(&extra.name).unwrap().new_at.get(), Some(app.now));
    assert_eq!(
        app.row(&next[2].name).unwrap().state,
        RowState::Running,
        "the first copy of a name in one refresh wins, across pages too"
    );
    assert_eq!((app.rows.len(), app.view.len()), (30, 30));
    assert_eq!(app.targets[0].total, 30);
}

#[test]
fn an_error_after_some_pages_keeps_every_row_and_backs_off() {
    let mut w = world(1, 1, 20);
    let mut app = loaded_app(&mut w, &["global"]);
    let ops = w.snapshot("demo-project-1", "global");
    let now = app.now + Duration::from_secs(5);
    update(&mut app, Action::Tick(now));
    page(&mut app, "global", &ops[..5], true, false);
    load(
        &mut app,
        "global",
        Err(server_error(503, "UNAVAILABLE", "try later")),
    );
    assert_eq!(
        app.rows.len(),
        20,
        "rows the failed refresh did not reach stay"
    );
    let t = &app.targets[0];
    assert!(!t.in_flight && t.error.is_some() && t.failures == 1);
    // The next refresh, complete, drops nothing that is still there.
    app.now += Duration::from_secs(60);
    load(&mut app, "global", Ok(ops));
    assert_eq!(app.rows.len(), 20);
    assert!(app.targets[0].error.is_none());
}

#[test]
fn a_row_deleted_during_a_paged_refresh_does_not_hide_one_that_vanished() {
    let mut w = world(1, 1, 20);
    let mut app = loaded_app(&mut w, &["global"]);
    assert_eq!(app.targets[0].held, 20);
    let mut ops = w.snapshot("demo-project-1", "global");
    let vanished = ops.remove(19).name; // gone on the server
    let deleted = ops[0].name.clone();
    app.now += Duration::from_secs(5);
    page(&mut app, "global", &ops[..10], true, false); // sees `deleted`
    // Our own delete of a row this refresh has already seen lands mid-refresh.
    update(
        &mut app,
        Action::DeleteSent {
            name: deleted.clone(),
            result: Ok(()),
        },
    );
    page(&mut app, "global", &ops[10..], false, true);
    assert!(app.row(&vanished).is_none(), "the vanished row is dropped");
    assert!(app.row(&deleted).is_none());
    assert_eq!((app.rows.len(), app.targets[0].held), (18, 18));
}

/// Marks every running row of one location and confirms a bulk cancel of them; returns the
/// names sent, sorted.
fn bulk_cancel_in_flight(app: &mut App) -> Vec<String> {
    key(app, Key::Char('*'));
    key(app, Key::Char('C'));
    let fx = key(app, Key::Char('y'));
    let [Effect::CancelMany { names }] = fx.as_slice() else {
        panic!("one bulk cancel: {fx:?}");
    };
    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    names.sort();
    assert!(app.bulk.is_some());
    names
}

fn answer(app: &mut App, name: &str, result: Result<(), ApiError>) {
    update(
        app,
        Action::CancelSent {
            name: name.to_string(),
            result,
        },
    );
}

/// How the error log's one line shortens a long operation id: its last 12 characters.
fn id(name: &str) -> String {
    format!("…{}", &name[name.len() - 12..])
}

#[test]
fn quit_during_a_bulk_action_asks_first_and_only_a_yes_quits() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let names = bulk_cancel_in_flight(&mut app);
    assert_eq!(names.len(), 4);
    answer(&mut app, &names[0], Ok(()));

    for quit in [Key::Char('q'), Key::Ctrl('c')] {
        assert_eq!(key(&mut app, quit), vec![], "{quit:?} sends nothing");
        assert!(!app.quit);
        let Mode::Confirm(c) = &app.mode else {
            panic!("{quit:?}: no dialog but {:?}", app.mode);
        };
        assert_eq!(c.on_yes, Confirmed::Quit);
        assert!(!c.yes_focused, "No has the focus");
        // Every way of saying no, and enter on the default No, keeps it running.
        let no = if quit == Key::Char('q') {
            Key::Enter
        } else {
            Key::Ctrl('c')
        };
        assert_eq!(key(&mut app, no), vec![]);
        assert_eq!(app.mode, Mode::Normal);
        assert!(!app.quit && app.bulk.is_some());
        assert!(
            status_text(&app).contains("not quitting"),
            "{}",
            status_text(&app)
        );
    }
    // Ctrl-c from a pane over the table asks too.
    key(&mut app, Key::Enter);
    assert!(matches!(app.mode, Mode::Details { .. }));
    assert_eq!(key(&mut app, Key::Ctrl('c')), vec![]);
    assert!(matches!(&app.mode, Mode::Confirm(c) if c.on_yes == Confirmed::Quit));

    assert_eq!(
        key(&mut app, Key::Char('y')),
        vec![],
        "quitting is app.quit, not an effect"
    );
    assert!(app.quit);
    let line = &app.log.back().expect("a record of what was left").text;
    assert!(
        line.starts_with(
            "quit: bulk cancel of 4: 1 answered (1 accepted, 0 refused, 0 failed), 3 unanswered: "
        ),
        "{line}"
    );
    for n in &names[1..] {
        assert!(line.contains(&id(n)), "{n} named in {line}");
    }
}

#[test]
fn quit_is_immediate_without_a_bulk_action_or_after_it_ends() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    assert_eq!(
        key(&mut app, Key::Ctrl('c')),
        vec![],
        "quitting is app.quit, not an effect"
    );
    assert!(app.quit);

    let mut app = loaded_app(&mut w, &["global"]);
    for n in bulk_cancel_in_flight(&mut app) {
        answer(&mut app, &n, Ok(()));
    }
    assert!(app.bulk.is_none());
    let logged = app.log.len();
    assert_eq!(
        key(&mut app, Key::Char('q')),
        vec![],
        "quitting is app.quit, not an effect"
    );
    assert!(app.quit);
    assert_eq!(
        app.log.len(),
        logged,
        "nothing abandoned, nothing to record"
    );
}

#[test]
fn a_signal_quits_at_once_and_records_what_the_bulk_action_leaves_unanswered() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let names = bulk_cancel_in_flight(&mut app);
    answer(&mut app, &names[0], Ok(()));
    answer(
        &mut app,
        &names[1],
        Err(ApiError::Transport("reset".into())),
    );
    // Even with the quit dialog open: a signal does not wait for an answer.
    key(&mut app, Key::Char('q'));
    assert!(matches!(app.mode, Mode::Confirm(_)));
    assert_eq!(
        update(&mut app, Action::Signal(Signal::Term)),
        vec![],
        "quitting is app.quit, not an effect"
    );
    assert!(app.quit);
    let line = &app.log.back().unwrap().text;
    let unanswered = format!("{}, {}", id(&names[2]), id(&names[3]));
    assert_eq!(
        line,
        &format!(
            "signal SIGTERM: bulk cancel of 4: 2 answered (1 accepted, 0 refused, 1 failed), 2 unanswered: {unanswered}"
        )
    );

    let mut app = loaded_app(&mut w, &["global"]);
    let logged = app.log.len();
    assert_eq!(
        update(&mut app, Action::Signal(Signal::Hup)),
        vec![],
        "quitting is app.quit, not an effect"
    );
    assert!(app.quit);
    assert_eq!(app.log.len(), logged);
    assert_eq!(
        Signal::ALL.map(Signal::exit_status),
        [143, 129, 130, 131],
        "TERM, HUP, INT, QUIT as a shell reports them"
    );
}

fn paged(app: &mut App, ops: &[Operation], skipped: usize, first: bool, last: bool) {
    update(
        app,
        Action::Page {
            location: loc("global"),
            ops: ops.to_vec(),
            skipped,
            first,
            last,
        },
    );
}

#[test]
fn unreadable_operations_leave_a_warning_on_their_location() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let ops = w.snapshot("demo-project-1", "global");
    paged(&mut app, &ops[..4], 1, true, false);
    paged(&mut app, &ops[4..], 1, false, true);
    assert_eq!(app.rows.len(), 8, "the readable ones are all kept");
    assert_eq!(app.targets[0].unreadable, 2);
    let s = app.status.clone().expect("a warning");
    assert_eq!(s.level, Level::Warn);
    assert!(
        s.text.contains("2 unreadable operation(s) skipped"),
        "{}",
        s.text
    );
    assert!(app.log.iter().any(|l| l.text.contains("unreadable")));
    // Said once, not at every refresh that finds the same.
    app.status = None;
    paged(&mut app, &ops, 2, true, true);
    assert!(app.status.is_none(), "{:?}", app.status);
    paged(&mut app, &ops, 0, true, true);
    assert_eq!(app.targets[0].unreadable, 0);
    assert!(app.status.as_ref().unwrap().text.contains("readable again"));
}

#[test]
fn the_extra_pages_of_a_refresh_count_against_the_budget() {
    // Eight rows are expected to cost one page; the server hands them out one a page with
    // empty pages between, 40 requests in all: the 39 extra put the endpoint in debt, so
    // at 2/s the next background refresh waits about 20 s instead of going at 5 s.
    let run = |pages_each: usize| -> Vec<u64> {
        let mut w = world(1, 1, 8);
        let mut app = loaded_app(&mut w, &["global"]);
        let ops = w.snapshot("demo-project-1", "global");
        let start = app.now;
        let mut sent_at = Vec::new();
        for s in 1..=40u64 {
            let fx = update(&mut app, Action::Tick(start + Duration::from_secs(s)));
            if fx.iter().any(|e| matches!(e, Effect::Refresh { .. })) {
                sent_at.push(s);
                for p in 0..pages_each {
                    let slice: &[Operation] = if p < ops.len() { &ops[p..p + 1] } else { &[] };
                    paged(&mut app, slice, 0, p == 0, p + 1 == pages_each);
                }
            }
        }
        sent_at
    };
    let honest = run(8);
    let padded = run(40);
    assert!(honest.len() >= 6, "{honest:?}");
    assert!(padded.len() <= 3, "{padded:?}");
    assert!(padded[1] - padded[0] >= 15, "{padded:?}");
}

#[test]
fn y_refuses_a_name_that_is_not_a_valid_operation_name() {
    let mut w = world(1, 1, 2);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut ops = w.snapshot("demo-project-1", "global");
    let good = ops[1].name.clone();
    // C1 CSI (erase the screen) and an OSC 52 of its own, as a hostile server could send.
    ops[0].name = format!("{}\u{9b}2J\u{1b}]52;c;cm0gLXJmIH4K\u{7}", ops[0].name);
    let hostile = ops[0].name.clone();
    load(&mut app, "global", Ok(ops));
    select(&mut app, &hostile);
    let fx = key(&mut app, Key::Char('y'));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Copy { .. })),
        "{fx:?}"
    );
    let status = status_text(&app);
    assert!(
        status.starts_with("not copied: invalid resource name"),
        "{status}"
    );
    assert!(status.contains("U+009B"), "{status}");
    assert!(!status.chars().any(char::is_control), "{status:?}");

    select(&mut app, &good);
    let fx = key(&mut app, Key::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Copy {
            name: OperationName::parse(&good).unwrap()
        }]
    );
    assert_eq!(status_text(&app), format!("copied {good}"));
}

#[test]
fn sort_by_id_orders_by_the_end_of_the_id_the_column_shows() {
    let mut w = world(1, 1, 12);
    let mut app = loaded_app(&mut w, &["global"]);
    let mut said = Vec::new();
    while app.sort != Column::Id {
        key(&mut app, Key::Char('s'));
        said.push(status_text(&app));
        assert!(said.len() < 10, "never sorted by ID: {said:?}");
    }
    assert_eq!(said.last().map(String::as_str), Some("sorted by ID"));
    let shown: Vec<String> = app
        .view
        .iter()
        .map(|i| lrotop::ui::short_id(&app.rows[*i].op.name))
        .collect();
    let mut sorted = shown.clone();
    sorted.sort();
    assert_eq!(shown, sorted, "in the order the ID column reads");
    // The ids' own order (their start is a timestamp) is another one here.
    let ids: Vec<&str> = app.view.iter().map(|i| app.rows[*i].op.id()).collect();
    let mut by_whole = ids.clone();
    by_whole.sort();
    assert_ne!(ids, by_whole);
}

#[test]
fn s_cycles_through_the_columns_the_config_chose_in_their_order() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    app.settings.columns = Some(vec![
        Column::State,
        Column::Age,
        Column::Verb,
        Column::Target,
    ]);
    let mut seen = Vec::new();
    for _ in 0..4 {
        key(&mut app, Key::Char('s'));
        seen.push(app.sort);
    }
    assert_eq!(
        seen,
        [Column::Age, Column::Verb, Column::Target, Column::State]
    );
    key(&mut app, Key::Char('s'));
    key(&mut app, Key::Char('s'));
    key(&mut app, Key::Char('s'));
    assert_eq!(app.sort, Column::Target);
    let targets: Vec<&str> = app.view.iter().map(|i| app.rows[*i].op.target()).collect();
    let mut sorted = targets.clone();
    sorted.sort();
    assert_eq!(targets, sorted);
}
