//! Frame cost and update cost: `ui::render` of the main screen at 200×50 with 100, 10k and
//! 100k operations in the `App`, `update` applying refreshes at 100k operations, and a key
//! press in the details pane of an operation with a 1 MB status message.
//!
//! `cargo bench --bench frame` (`-- render`, `-- update` or `-- details` for one part)

mod common;

use common::{Summary, fmt_d, time, time_with};
use jiff::{SignedDuration, Timestamp};
use lrotop::api::{LocationName, Operation};
use lrotop::app::keys::Key;
use lrotop::app::row::RowState;
use lrotop::app::{Action, App, Settings, update, update_batch};
use lrotop::emulator::Scenario;
use lrotop::emulator::scenario::location_ids;
use lrotop::emulator::state::{World, WorldConfig};
use lrotop::ui::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::time::Duration;

const PROJECT: &str = "demo-project-1";
const AREA: Rect = Rect {
    x: 0,
    y: 0,
    width: 200,
    height: 50,
};
const FRAME_GOAL: Duration = Duration::from_millis(1);
const UPDATE_GOAL: Duration = Duration::from_millis(50);

fn t0() -> Timestamp {
    "2026-01-01T12:00:00Z".parse().expect("timestamp")
}

/// Every location's operations from a frozen static world, as the dashboard receives them:
/// through their JSON, so repeated strings come from the pool as they do when parsed.
fn population(locations: usize, per_location: usize) -> Vec<(String, Vec<Operation>)> {
    let mut world = World::new(&WorldConfig {
        scenario: Scenario::Static,
        projects: 1,
        locations,
        ops_per_location: per_location,
        seed: 1,
        empty_pages: false,
        frozen_at: Some(t0()),
    });
    location_ids(locations)
        .into_iter()
        .map(|l| {
            let json = serde_json::to_vec(&world.snapshot(PROJECT, &l)).expect("json");
            let ops = serde_json::from_slice(&json).expect("parse");
            (l, ops)
        })
        .collect()
}

/// An app over these locations, due for its first refresh (targets in flight), at T0 + 5 min.
fn empty_app(locations: &[(String, Vec<Operation>)]) -> App {
    let locs = locations.iter().map(|(l, _)| l.clone()).collect();
    let mut app = App::new(
        Settings::new(PROJECT, Duration::from_secs(5), false),
        vec![PROJECT.into()],
        Some(locs),
        t0(),
    );
    update(&mut app, Action::Tick(t0() + SignedDuration::from_mins(5)));
    let resize = ui::resize(AREA, &app);
    update(&mut app, resize);
    app
}

fn loaded(location: &str, ops: Vec<Operation>) -> Action {
    Action::Loaded {
        location: LocationName::new(PROJECT, location).expect("name"),
        result: Ok(ops),
    }
}

fn loaded_app(locations: &[(String, Vec<Operation>)]) -> App {
    let mut app = empty_app(locations);
    for (l, ops) in locations {
        update(&mut app, loaded(l, ops.clone()));
    }
    app
}

fn verdict(s: &Summary, goal: Duration) -> String {
    if s.median <= goal {
        format!("meets ≤ {}", fmt_d(goal))
    } else {
        format!(
            "MISSES ≤ {} by {:.1}×",
            fmt_d(goal),
            s.median.as_secs_f64() / goal.as_secs_f64()
        )
    }
}

fn frames() {
    println!(
        "\n[ui::render of the main screen, {}×{}]",
        AREA.width, AREA.height
    );
    for (total, locations) in [(100, 10), (10_000, 10), (100_000, 10)] {
        let pop = population(locations, total / locations);
        let app = loaded_app(&pop);
        assert_eq!(app.total(), total);
        // What the terminal loop does each time it wakes: a fresh buffer, the whole screen
        // drawn into it, then compared with the last frame.
        let render = time(200, 2000, || {
            let mut buf = Buffer::empty(AREA);
            ui::render(&app, Theme::Default, AREA, &mut buf);
            buf
        });
        let mut last = Buffer::empty(AREA);
        ui::render(&app, Theme::Default, AREA, &mut last);
        let with_compare = time(200, 2000, || {
            let mut buf = Buffer::empty(AREA);
            ui::render(&app, Theme::Default, AREA, &mut buf);
            buf == last
        });
        println!(
            "  {total:>6} ops: render {render}  [{}]",
            verdict(&render, FRAME_GOAL)
        );
        println!("  {total:>6} ops: render + compare with the last frame {with_compare}");
    }
}

fn updates() {
    println!("\n[update applying a refresh]");
    // One target holding 100k operations.
    let one = population(1, 100_000);
    let (l, ops) = &one[0];
    let first = time_with(
        1,
        7,
        || (empty_app(&one), ops.clone()),
        |(mut app, ops)| {
            update(&mut app, loaded(l, ops));
            app
        },
    );
    println!(
        "  first load, 1 location × 100k: {first}  [{}]",
        verdict(&first, UPDATE_GOAL)
    );
    let mut app = loaded_app(&one);
    let diff = time_with(1, 7, || ops.clone(), |ops| update(&mut app, loaded(l, ops)));
    println!(
        "  same 100k again (the diff path), 1 location: {diff}  [{}]",
        verdict(&diff, UPDATE_GOAL)
    );
    // The same 100k as the dashboard receives them now: 100 pages of 1,000, each its own
    // `Page` action (the loop would batch pages that arrive together; here none are).
    let paged = time_with(
        1,
        7,
        || {
            ops.chunks(1000)
                .map(<[Operation]>::to_vec)
                .collect::<Vec<_>>()
        },
        |pages| {
            let n = pages.len();
            for (i, ops) in pages.into_iter().enumerate() {
                update(
                    &mut app,
                    Action::Page {
                        location: LocationName::new(PROJECT, l).expect("name"),
                        ops,
                        skipped: 0,
                        first: i == 0,
                        last: i + 1 == n,
                    },
                );
            }
        },
    );
    println!(
        "  same 100k again in 100 pages of 1,000, one `Page` action each: {paged}  [{}]",
        verdict(&paged, UPDATE_GOAL)
    );
    drop(app);
    drop(one);

    // The usual shape: many locations, each refreshed on its own.
    let ten = population(10, 10_000);
    let mut app = loaded_app(&ten);
    let (l, ops) = &ten[3];
    let one_of_ten = time_with(
        2,
        15,
        || ops.clone(),
        |ops| update(&mut app, loaded(l, ops)),
    );
    println!(
        "  one location of 10 (10k of 100k held) refreshed unchanged: {one_of_ten}  [{}]",
        verdict(&one_of_ten, UPDATE_GOAL)
    );
    let all_ten = time_with(
        1,
        5,
        || ten.clone(),
        // As the dashboard applies answers that arrive together: one batch.
        |pop| {
            update_batch(&mut app, pop.into_iter().map(|(l, ops)| loaded(&l, ops)));
        },
    );
    println!(
        "  all 10 locations refreshed (10 Loaded, 100k held): {all_ten}  [{}]",
        verdict(&all_ten, UPDATE_GOAL)
    );
    // Where a refresh's CPU goes before `update`: turning a location's answer into values.
    let body = serde_json::to_vec(ops).expect("json");
    let parse = time(2, 15, || {
        serde_json::from_slice::<Vec<Operation>>(&body).expect("parse")
    });
    println!(
        "  parsing one location's answer (10k operations, {:.1} MB of JSON): {parse}",
        body.len() as f64 / 1048576.0
    );
    // `S` only flips the order and calls `rebuild`: the cost every `Loaded` pays on top of
    // its own location, whatever it changed.
    let rebuild = time(2, 15, || update(&mut app, Action::Key(Key::Char('S'))));
    println!("  App::rebuild alone at 100k (the `S` key): {rebuild}");
    breakdown(&app);
    let mut now = t0() + SignedDuration::from_mins(5);
    let tick = time(5, 200, || {
        now += SignedDuration::from_millis(1);
        update(&mut app, Action::Tick(now))
    });
    println!("  the one-second Tick at 100k held: {tick}");
}

/// Replicas of `rebuild`'s two big parts, and of a cheaper sort, to size the fix.
fn breakdown(app: &App) {
    let index = time(2, 15, || {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, r) in app.rows.iter().enumerate() {
            index.insert(r.op.name.clone(), i);
        }
        index
    });
    println!(
        "    first-pass replica (before R2): the name → row index rebuilt (100k String clones): {index}"
    );
    let rows = &app.rows;
    let sort = time(2, 15, || {
        let mut view: Vec<usize> = (0..rows.len()).collect();
        view.sort_by(|a, b| {
            let (a, b) = (&rows[*a], &rows[*b]);
            a.state.cmp(&b.state).then_with(|| {
                (Reverse(a.op.create_time()), &a.op.name)
                    .cmp(&(Reverse(b.op.create_time()), &b.op.name))
            })
        });
        view
    });
    println!("    first-pass replica (before R2): the view sorted with its comparator: {sort}");
    let keyed = time(2, 15, || {
        let mut keys: Vec<(RowState, Reverse<Option<Timestamp>>, usize)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.state, Reverse(r.op.create_time()), i))
            .collect();
        keys.sort_unstable_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| rows[a.2].op.name.cmp(&rows[b.2].op.name))
        });
        keys.into_iter().map(|k| k.2).collect::<Vec<usize>>()
    });
    println!(
        "    first-pass alternative (R2 as done): the same order from precomputed keys: {keyed}"
    );
}

/// The details pane of an operation whose status message is 1 MiB: `j` and the frame the
/// terminal loop then draws (twice: once to compare, once to the terminal).
fn details() {
    println!(
        "\n[a key press in the details pane, 1 MiB status message, {}×{}]",
        AREA.width, AREA.height
    );
    let mut pop = population(1, 100);
    let huge: Operation = serde_json::from_value(serde_json::json!({
        "name": format!("projects/{PROJECT}/locations/{}/operations/huge", pop[0].0),
        "metadata": {
            "@type": lrotop::api::model::GEMINI_METADATA_TYPE,
            "createTime": "2026-01-01T12:00:00Z",
            "verb": "create",
            "statusMessage": "m".repeat(1 << 20),
        },
    }))
    .expect("operation");
    let name = huge.name.clone();
    pop[0].1.push(huge);
    let mut app = loaded_app(&pop);
    let at = app
        .view
        .iter()
        .position(|i| app.rows[*i].op.name == name)
        .expect("row");
    app.selected = at;
    update(&mut app, Action::Key(Key::Enter));
    let key = |app: &mut App, n: &mut u32| {
        // Down and back up, so every frame shows the same part of the pane.
        *n += 1;
        let k = if (*n).is_multiple_of(2) {
            Key::Char('k')
        } else {
            Key::Char('j')
        };
        update(app, Action::Key(k));
    };
    let screen = ui::Screen::default();
    let mut n = 0;
    let cached = time(5, 200, || {
        key(&mut app, &mut n);
        let mut buf = Buffer::empty(AREA);
        screen.render(&app, Theme::Default, AREA, &mut buf);
        let mut again = Buffer::empty(AREA);
        screen.render(&app, Theme::Default, AREA, &mut again);
        buf == again
    });
    println!(
        "  now, laid out once (ui::Screen): {cached}  [{}]",
        verdict(&cached, FRAME_GOAL)
    );
    let fresh = time(2, 30, || {
        key(&mut app, &mut n);
        let mut buf = Buffer::empty(AREA);
        ui::render(&app, Theme::Default, AREA, &mut buf);
        buf
    });
    println!("  one layout (values cut at 4 KiB), as when the operation changes: {fresh}");
    let before = time(1, 5, || {
        key(&mut app, &mut n);
        let mut buf = Buffer::empty(AREA);
        ui::render(&app, Theme::Default, AREA, &mut buf);
        before_replica(&app, &mut buf);
        before_replica(&app, &mut buf);
        buf
    });
    println!(
        "  replica of before (every value whole, all of it serialized and wrapped each frame, twice): {before}"
    );
}

/// What each frame of the details pane did before it was cut and cached: the whole status
/// message on one line, the whole operation serialized, every line wrapped (for the scroll
/// limit, then again to draw).
fn before_replica(app: &App, buf: &mut Buffer) {
    use lrotop::sanitize::{multi_line, one_line};
    use ratatui::text::{Line, Text};
    use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
    let Some(r) = app.selected_row() else { return };
    let mut lines = vec![Line::from(format!(
        "status        {}",
        one_line(r.op.status_message())
    ))];
    let json = serde_json::to_string_pretty(&r.op).unwrap_or_default();
    lines.extend(
        multi_line(&json)
            .lines()
            .map(|l| Line::from(format!("  {l}"))),
    );
    let p = Paragraph::new(Text::from(lines))
        .block(Block::bordered())
        .wrap(Wrap { trim: false });
    let max = p
        .line_count(AREA.width)
        .saturating_sub(AREA.height as usize) as u16;
    p.scroll((1.min(max), 0)).render(AREA, buf);
}

fn main() {
    if !common::invoked_by_cargo_bench("frame") {
        return;
    }
    // `cargo bench --bench frame -- render` (or `-- update`) runs one half.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |part: &str| only.is_empty() || only.iter().any(|a| a == part);
    if wants("render") {
        frames();
    }
    if wants("update") {
        updates();
    }
    if wants("details") {
        details();
    }
}
