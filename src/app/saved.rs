//! Saved views (`[[view]]` in the config): `v` steps through them and back to none. A view
//! sets the filter, the sort and the columns together; choosing none clears all three.

use super::{App, Column, Level, filter::Filter};

pub(crate) fn next(app: &mut App) {
    let count = app.settings.views.len();
    if count == 0 {
        app.say(
            Level::Info,
            "no saved views: add a [[view]] (name, filter, sort, columns) to the config",
        );
        return;
    }
    app.view_choice = match app.view_choice {
        None => Some(0),
        Some(i) if i + 1 < count => Some(i + 1),
        Some(_) => None,
    };
    let text = match app
        .view_choice
        .and_then(|i| app.settings.views.get(i))
        .cloned()
    {
        Some(v) => {
            // Checked when the config was read; a filter that no longer parses shows all.
            app.filter = Filter::parse(&v.filter).unwrap_or_default();
            app.sort = v.sort.unwrap_or(Column::State);
            app.reverse = v.reverse;
            let what = if v.filter.is_empty() {
                "every operation".to_string()
            } else {
                v.filter.clone()
            };
            format!("view {}: {what} (v for the next)", v.name)
        }
        None => {
            app.filter = Filter::default();
            app.sort = Column::State;
            app.reverse = false;
            "no view: every operation, by state".to_string()
        }
    };
    app.selected = 0;
    app.offset = 0;
    app.rebuild();
    app.say(Level::Info, text);
}

impl App {
    /// The saved view in use, if any.
    pub fn saved_view(&self) -> Option<&super::SavedView> {
        self.view_choice.and_then(|i| self.settings.views.get(i))
    }
}
