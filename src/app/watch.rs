//! Watching: `w` on the selected (or marked) operations; when one finishes, the status line
//! says how and an `Effect::Notify` rings the bell and asks the terminal for a desktop
//! notification. Watches are kept by name, like marks, and end when the operation does.

use super::bulk::short;
use super::{App, Effect, Level};

pub(crate) fn toggle(app: &mut App) {
    let names: Vec<String> = if app.marks.is_empty() {
        app.selected_row()
            .map(|r| r.op.name.clone())
            .into_iter()
            .collect()
    } else {
        app.marks.iter().cloned().collect()
    };
    let Some(first) = names.first() else {
        app.say(Level::Info, "no operation selected");
        return;
    };
    // One selected and already watched: `w` again stops watching it.
    if names.len() == 1 && app.watching.remove(first) {
        let text = format!("no longer watching {}", short(first));
        app.say(Level::Info, text);
        return;
    }
    let mut added = 0;
    let mut finished = 0;
    for n in names {
        match app.row(&n) {
            Some(r) if !r.state.is_active() => finished += 1,
            Some(_) => added += usize::from(app.watching.insert(n)),
            None => {}
        }
    }
    let mut text = format!(
        "watching {added} more ({} in all): the bell rings when one finishes",
        app.watching.len()
    );
    if finished > 0 {
        text.push_str(&format!("; {finished} already finished"));
    }
    app.say(Level::Info, text);
}

/// After the rows changed: every watched operation that finished (or vanished) is told once.
pub(crate) fn check(app: &mut App) {
    if app.watching.is_empty() {
        return;
    }
    let mut ended: Vec<(String, String)> = Vec::new();
    for n in &app.watching {
        match app.row(n) {
            Some(r) if r.state.is_active() => {}
            Some(r) => ended.push((n.clone(), r.state.word().to_string())),
            None => ended.push((n.clone(), "GONE".to_string())),
        }
    }
    for (name, state) in ended {
        app.watching.remove(&name);
        let level = match state.as_str() {
            "DONE" => Level::Success,
            _ => Level::Warn,
        };
        let id = short(&name);
        app.say(level, format!("watched {id} finished: {state}"));
        app.notices.push(Effect::Notify {
            title: format!("lrotop: {id} {state}"),
            body: name,
        });
    }
}
