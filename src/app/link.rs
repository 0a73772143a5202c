//! `o`: the console address of the selected operation, shown in an overlay and copied to
//! the terminal's clipboard. What the address is (and why) is `api::console`'s.

use crate::api::OperationName;
use crate::api::console::{self, ConsoleUrl};
use crate::app::{App, Effect, Level, Link, Mode};

pub(crate) fn open(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(r) = app.selected_row() else {
        app.say(Level::Info, "no operation selected");
        return;
    };
    // A name outside the location that listed it would send the user to another
    // project's logs on a server's word: shown, never followed, as it is never acted on.
    if app.is_foreign(r) {
        app.say(
            Level::Warn,
            "no link: this name lies outside the location that listed it",
        );
        return;
    }
    let name = match OperationName::parse(&r.op.name) {
        Ok(n) => n,
        Err(e) => {
            app.say(Level::Warn, format!("no link: {e}"));
            return;
        }
    };
    let service = app.targets.get(r.target).and_then(|t| t.service.clone());
    let template = service.as_ref().and_then(|s| s.console.as_deref());
    let url = console::url_for(&name, r.op.create_time(), r.op.end_time(), template);
    copied(app, &name, &url, fx);
    let back = std::mem::replace(&mut app.mode, Mode::Normal);
    app.mode = Mode::Link(Box::new(Link {
        url,
        name,
        service: service.map(|s| s.title.clone()),
        back: Box::new(back),
    }));
}

/// Closes the overlay, back to where `o` was pressed.
pub(crate) fn close(app: &mut App) {
    if let Mode::Link(link) = std::mem::replace(&mut app.mode, Mode::Normal) {
        app.mode = *link.back;
    }
}

/// `y` in the overlay: the same address to the clipboard again.
pub(crate) fn copy_again(app: &mut App, fx: &mut Vec<Effect>) {
    if let Mode::Link(link) = &app.mode {
        let (name, url) = (link.name.clone(), link.url.clone());
        copied(app, &name, &url, fx);
    }
}

fn copied(app: &mut App, name: &OperationName, url: &ConsoleUrl, fx: &mut Vec<Effect>) {
    app.say(
        Level::Info,
        format!("copied the console link for {}", name.id()),
    );
    fx.push(Effect::CopyLink { url: url.clone() });
}
