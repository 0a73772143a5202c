//! Marks and bulk actions in `update`: what is marked, counted, confirmed and sent.

mod common;

use common::*;
use lrotop::api::error::parse_error_body;
use lrotop::api::{ApiError, Code, Operation, OperationName, Status};
use lrotop::app::keys::Key;
use lrotop::app::policy::Skip;
use lrotop::app::row::RowState;
use lrotop::app::{Action, App, Confirmed, Effect, Mode, MutationKind, ProjectFlags, update};
use std::collections::HashSet;

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    update(app, Action::Key(k))
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, Key::Char(c));
    }
}

fn filter(app: &mut App, f: &str) {
    key(app, Key::Char('/'));
    for _ in 0..80 {
        key(app, Key::Backspace);
    }
    type_text(app, f);
    key(app, Key::Enter);
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn confirm(app: &App) -> lrotop::app::Confirm {
    match &app.mode {
        Mode::Confirm(c) => c.clone(),
        other => panic!("no dialog: {other:?}; status {}", status(app)),
    }
}

fn running_names(app: &App) -> Vec<String> {
    app.view
        .iter()
        .map(|i| &app.rows[*i])
        .filter(|r| r.state.is_active())
        .map(|r| r.op.name.clone())
        .collect()
}

fn sent(fx: &[Effect]) -> HashSet<String> {
    fx.iter()
        .flat_map(|e| match e {
            Effect::CancelMany { names } | Effect::Delete { names } => {
                names.iter().map(|n| n.to_string()).collect()
            }
            Effect::Cancel { name } => vec![name.to_string()],
            _ => vec![],
        })
        .collect()
}

#[test]
fn space_marks_by_name_and_moves_on() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let first = app.selected_row().unwrap().op.name.clone();
    key(&mut app, Key::Char(' '));
    assert!(app.marks.contains(&first));
    assert_eq!(app.selected, 1, "moves to the next row");
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Char(' '));
    assert!(app.marks.is_empty(), "space again unmarks");
    // A finished row is marked too: `D` cleans up finished records.
    key(&mut app, Key::Char('G'));
    let last = app.selected_row().unwrap();
    assert!(!last.state.is_active());
    let last = last.op.name.clone();
    key(&mut app, Key::Char(' '));
    assert!(app.marks.contains(&last));
}

#[test]
fn marks_survive_sorting_filtering_and_refresh() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    key(&mut app, Key::Char(' '));
    key(&mut app, Key::Char(' '));
    let marked = app.marks.clone();
    assert_eq!(marked.len(), 2);
    key(&mut app, Key::Char('s'));
    key(&mut app, Key::Char('S'));
    filter(&mut app, "location=us-east4");
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
    assert_eq!(app.marks, marked);
    assert_eq!(app.view.len(), 0);
}

#[test]
fn marks_are_pruned_when_operations_vanish_not_when_they_finish() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('*'));
    assert_eq!(app.marks.len(), 8, "every visible operation");
    let mut ops = w.snapshot("demo-project-1", "global");
    let (finished, vanished) = (ops[0].name.clone(), ops[1].name.clone());
    ops[0].done = true;
    ops[0].error = Some(Box::new(Status::new(Code::Cancelled, "x")));
    ops.remove(1);
    load(&mut app, "global", Ok(ops));
    assert!(
        app.marks.contains(&finished),
        "finished: still marked for D"
    );
    assert!(!app.marks.contains(&vanished));
    assert_eq!(app.marks.len(), 7);
}

#[test]
fn mark_all_respects_the_filter_and_range_marks_between() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    filter(&mut app, "location=global");
    key(&mut app, Key::Char('*'));
    assert_eq!(app.marks.len(), 8);
    assert!(app.marks.iter().all(|n| n.contains("/locations/global/")));
    key(&mut app, Key::Char('u'));
    assert!(app.marks.is_empty());

    filter(&mut app, "");
    key(&mut app, Key::Char('g'));
    key(&mut app, Key::Char(' ')); // anchor at row 0, selection moves to 1
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('V'));
    let want: HashSet<String> = running_names(&app).into_iter().take(4).collect();
    assert_eq!(app.marks, want, "rows 0..=3 in view order");
}

#[test]
fn bulk_cancel_counts_hidden_and_skipped_and_sends_only_visible() {
    let mut w = world(1, 2, 8);
    let mut app = loaded_app(&mut w, &["global", "us-central1"]);
    key(&mut app, Key::Char('*'));
    assert_eq!(app.marks.len(), 16);
    // One marked row already has a cancel under way.
    let under_way = running_names(&app)
        .into_iter()
        .find(|n| n.contains("/global/"))
        .unwrap();
    lrotop_select_and_cancel(&mut app, &under_way);
    assert!(
        !app.marks.contains(&under_way),
        "a cancel sent unmarks its row"
    );
    select(&mut app, &under_way);
    key(&mut app, Key::Char(' '));
    filter(&mut app, "location=global");
    let fx = key(&mut app, Key::Char('C'));
    assert!(fx.is_empty(), "nothing sent before confirming");
    let c = confirm(&app);
    let m = many_facts(&app);
    assert_eq!((m.kind, m.hidden, m.running), (MutationKind::Cancel, 8, 0));
    assert_eq!(
        m.skipped.into_iter().collect::<Vec<_>>(),
        vec![(Skip::Done, 4), (Skip::UnderWay, 1)]
    );
    let words = dialog_words(&app);
    assert_eq!(words.title, "Cancel 3 operations?");
    let text = words.lines.join("\n");
    assert!(text.contains("3 will be sent"), "{text}");
    assert!(
        text.contains("8 marked are hidden by the filter and will not be sent"),
        "{text}"
    );
    assert!(
        text.contains("1 skipped: a cancel is already under way"),
        "{text}"
    );
    assert!(text.contains("4 skipped: already finished"), "{text}");
    assert!(c.typed.is_none(), "3 is under the threshold");
    assert!(!c.yes_focused);
    let Confirmed::CancelMany(names) = &c.on_yes else {
        panic!()
    };
    assert!(names.iter().all(|n| n.location() == "global"));

    let fx = key(&mut app, Key::Char('y'));
    let sent = sent(&fx);
    assert_eq!(sent.len(), 3);
    assert!(!sent.contains(&under_way));
    assert!(
        sent.iter()
            .all(|n| app.row(n).unwrap().state == RowState::Cancelling)
    );
    assert!(
        sent.iter().all(|n| !app.marks.contains(n)),
        "sent rows are unmarked"
    );
    assert_eq!(
        app.marks.len(),
        13,
        "the hidden marks (and the skipped ones) stay for later"
    );
}

fn lrotop_select_and_cancel(app: &mut App, name: &str) {
    select(app, name);
    key(app, Key::Char('c'));
    key(app, Key::Char('y'));
    update(
        app,
        Action::CancelSent {
            name: name.to_string(),
            result: Ok(()),
        },
    );
}

#[test]
fn progress_and_summary_of_a_bulk_cancel() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('C'));
    let fx = key(&mut app, Key::Char('y'));
    let names: Vec<String> = sent(&fx).into_iter().collect();
    assert_eq!(names.len(), 4);
    let denied: ApiError = parse_error_body(
        403,
        None,
        br#"{"error": {"code": 403, "message": "no", "status": "PERMISSION_DENIED"}}"#,
    )
    .into();
    update(
        &mut app,
        Action::CancelSent {
            name: names[0].clone(),
            result: Ok(()),
        },
    );
    update(
        &mut app,
        Action::CancelSent {
            name: names[1].clone(),
            result: Err(denied),
        },
    );
    let b = app.bulk.as_ref().unwrap();
    assert_eq!(
        (b.accepted, b.refused, b.failed, b.pending.len()),
        (1, 1, 0, 2)
    );
    assert!(
        b.progress()
            .contains("2 sent · 1 accepted · 1 refused · 0 failed"),
        "{}",
        b.progress()
    );
    update(
        &mut app,
        Action::CancelSent {
            name: names[2].clone(),
            result: Err(ApiError::Transport("reset".into())),
        },
    );
    update(
        &mut app,
        Action::CancelSent {
            name: names[3].clone(),
            result: Ok(()),
        },
    );
    assert!(app.bulk.is_none());
    let summary = "bulk cancel: 4 sent, 2 accepted, 1 refused, 1 failed";
    assert_eq!(status(&app), summary);
    assert_eq!(
        app.log.back().unwrap().text,
        summary,
        "kept in the error log"
    );
    assert_eq!(app.row(&names[1]).unwrap().state, RowState::CancelRefused);
}

#[test]
fn large_or_protected_bulk_actions_need_typing() {
    let mut w = world(1, 1, 60);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('*'));
    // Only the running ones are cancelled, so only they are counted.
    let n = running_names(&app).len();
    assert!(n > 20 && app.marks.len() > n, "{n}");
    key(&mut app, Key::Char('C'));
    let c = confirm(&app);
    assert_eq!(c.typed.as_ref().unwrap().expected, n.to_string());
    assert!(
        key(&mut app, Key::Char('y')).is_empty(),
        "y is just a typed letter here"
    );
    assert!(
        key(&mut app, Key::Enter).is_empty(),
        "wrong text: nothing sent"
    );
    assert!(matches!(app.mode, Mode::Confirm(_)));
    key(&mut app, Key::Backspace);
    type_text(&mut app, &n.to_string());
    let fx = key(&mut app, Key::Enter);
    assert_eq!(sent(&fx).len(), n);

    // A protected project wants its alias, even for one operation.
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    app.settings.project_flags.insert(
        "demo-project-1".into(),
        ProjectFlags {
            alias: Some("prod".into()),
            read_only: false,
            protected: true,
            accent: None,
        },
    );
    key(&mut app, Key::Char('c'));
    assert_eq!(confirm(&app).typed.unwrap().expected, "prod");
    type_text(&mut app, "prod");
    let fx = key(&mut app, Key::Enter);
    assert_eq!(fx.len(), 1);
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('C'));
    assert_eq!(confirm(&app).typed.unwrap().expected, "prod");
    key(&mut app, Key::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(status(&app), "nothing sent");
}

#[test]
fn delete_says_it_does_not_cancel_and_removes_rows_when_done() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('G'));
    let name = app.selected_row().unwrap().op.name.clone();
    key(&mut app, Key::Char('D'));
    assert_eq!(many_facts(&app).kind, MutationKind::Delete);
    assert!(
        dialog_words(&app)
            .lines
            .join(" ")
            .contains("does NOT cancel")
    );
    let fx = key(&mut app, Key::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Delete {
            names: vec![OperationName::parse(&name).unwrap()]
        }]
    );
    update(
        &mut app,
        Action::DeleteSent {
            name: name.clone(),
            result: Ok(()),
        },
    );
    assert!(app.row(&name).is_none());
    assert_eq!(app.rows.len(), 7);

    // Marked running rows: the dialog warns they keep running.
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('D'));
    assert_eq!(many_facts(&app).running, 4);
    assert!(
        dialog_words(&app)
            .lines
            .join(" ")
            .contains("4 of them are still running (use C or c to cancel instead)")
    );
}

#[test]
fn read_only_refuses_every_mutating_key() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    app.settings.read_only = true;
    key(&mut app, Key::Char('*'));
    for k in ['c', 'C', 'D'] {
        assert!(key(&mut app, Key::Char(k)).is_empty());
        assert_eq!(app.mode, Mode::Normal);
        assert!(status(&app).contains("read-only"), "{k}: {}", status(&app));
    }
    // Per project, too.
    let mut app = loaded_app(&mut w, &["global"]);
    app.settings.project_flags.insert(
        "demo-project-1".into(),
        ProjectFlags {
            read_only: true,
            ..Default::default()
        },
    );
    key(&mut app, Key::Char('c'));
    assert_eq!(app.mode, Mode::Normal);
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('C'));
    assert_eq!(app.mode, Mode::Normal);
    assert!(status(&app).contains("read-only"), "{}", status(&app));
}

#[test]
fn a_row_that_finished_after_confirming_is_not_sent() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('C'));
    let mut ops: Vec<Operation> = w.snapshot("demo-project-1", "global");
    ops[0].done = true;
    load(&mut app, "global", Ok(ops.clone()));
    let fx = key(&mut app, Key::Char('y'));
    let sent = sent(&fx);
    assert_eq!(sent.len(), 3);
    assert!(!sent.contains(&ops[0].name));
}

#[test]
fn copy_and_error_log() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let name = OperationName::parse(&app.selected_row().unwrap().op.name).unwrap();
    assert_eq!(key(&mut app, Key::Char('y')), vec![Effect::Copy { name }]);
    key(&mut app, Key::Char('e'));
    assert_eq!(app.mode, Mode::ErrorLog { scroll: 0 });
    key(&mut app, Key::Esc);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn unavailable_after_retries_is_a_failure_not_a_refusal() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('*'));
    key(&mut app, Key::Char('C'));
    let fx = key(&mut app, Key::Char('y'));
    let names: Vec<String> = sent(&fx).into_iter().collect();
    let unavailable = |http: u16| -> ApiError { parse_error_body(http, None, b"").into() };
    let results = [
        Err(unavailable(503)),
        Err(unavailable(429)),
        Err(unavailable(504)),
        Err(parse_error_body(501, None, b"").into()),
    ];
    for (n, result) in names.iter().zip(results) {
        update(
            &mut app,
            Action::CancelSent {
                name: n.clone(),
                result,
            },
        );
    }
    assert_eq!(
        status(&app),
        "bulk cancel: 4 sent, 0 accepted, 1 refused, 3 failed"
    );
    assert_ne!(app.row(&names[0]).unwrap().state, RowState::CancelRefused);
    assert_eq!(app.row(&names[3]).unwrap().state, RowState::CancelRefused);
}

/// Finished rows could not be marked, so `D` deleted records of running operations only
/// (the dangerous case) and never cleaned up finished ones.
#[test]
fn finished_rows_are_marked_for_delete_and_cancel_skips_them_with_a_count() {
    let mut w = world(1, 1, 8);
    let mut app = loaded_app(&mut w, &["global"]);
    let finished: HashSet<String> = app
        .view
        .iter()
        .map(|i| &app.rows[*i])
        .filter(|r| !r.state.is_active())
        .map(|r| r.op.name.clone())
        .collect();
    assert_eq!(finished.len(), 4);
    // V marks a range of finished rows.
    key(&mut app, Key::Char('G'));
    key(&mut app, Key::Char(' '));
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Char('V'));
    assert_eq!(app.marks, finished);
    let fx = key(&mut app, Key::Char('C'));
    assert!(fx.is_empty());
    assert_eq!(app.mode, Mode::Normal, "nothing running to cancel");
    assert!(status(&app).contains("4 already done"), "{}", status(&app));
    key(&mut app, Key::Char('D'));
    let m = many_facts(&app);
    assert_eq!((m.kind, m.running), (MutationKind::Delete, 0));
    let fx = key(&mut app, Key::Char('y'));
    assert_eq!(sent(&fx), finished, "D deletes what is marked");

    // Everything marked: C sends the running ones and says how many it skips.
    let mut app = loaded_app(&mut w, &["global"]);
    key(&mut app, Key::Char('*'));
    assert_eq!(app.marks.len(), 8);
    key(&mut app, Key::Char('C'));
    let words = dialog_words(&app);
    assert_eq!(words.title, "Cancel 4 operations?");
    let text = words.lines.join("\n");
    assert!(text.contains("4 skipped: already finished"), "{text}");
    let fx = key(&mut app, Key::Char('y'));
    let running: HashSet<String> = running_names(&app).into_iter().collect();
    assert_eq!(sent(&fx), running);
    assert!(sent(&fx).is_disjoint(&finished));
    assert_eq!(app.marks, finished, "the skipped stay marked, for D");
}
