//! The filter prompt (`/`): every other key is typed into the filter.

use crate::app::filter::Filter;
use crate::app::keys::{Binding, Key, lookup};
use crate::app::{App, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    Keep,
    Undo,
    Erase,
    Left,
    Right,
    Start,
    End,
    EraseToStart,
    EraseWord,
}

pub const KEYS: &[Binding<Prompt>] = &[
    Binding::new(
        &[Key::Enter],
        Prompt::Keep,
        "keep the filter and close the prompt (only one that parses)",
    )
    .hint("keep"),
    Binding::new(
        &[Key::Esc, Key::Ctrl('c')],
        Prompt::Undo,
        "back to the filter there was before",
    )
    .hint("undo"),
    Binding::new(
        &[Key::Backspace],
        Prompt::Erase,
        "erase the character before the cursor",
    ),
    Binding::new(&[Key::Left], Prompt::Left, "cursor left"),
    Binding::new(&[Key::Right], Prompt::Right, "cursor right"),
    Binding::new(
        &[Key::Home, Key::Ctrl('a')],
        Prompt::Start,
        "cursor to the start",
    ),
    Binding::new(
        &[Key::End, Key::Ctrl('e')],
        Prompt::End,
        "cursor to the end",
    ),
    Binding::new(
        &[Key::Ctrl('u')],
        Prompt::EraseToStart,
        "erase from the start to the cursor",
    ),
    Binding::new(
        &[Key::Ctrl('w')],
        Prompt::EraseWord,
        "erase the word before the cursor",
    ),
];

pub const HINTS: &[&[Prompt]] = &[&[Prompt::Keep], &[Prompt::Undo]];

pub(super) fn on_key(app: &mut App, key: Key) {
    let Mode::FilterInput {
        text,
        previous,
        cursor,
    } = &mut app.mode
    else {
        return;
    };
    // The cursor counts chars; edits go through byte offsets at char boundaries.
    let chars = text.chars().count();
    *cursor = (*cursor).min(chars);
    let at = |t: &str, c: usize| t.char_indices().nth(c).map_or(t.len(), |(i, _)| i);
    match (lookup(KEYS, key), key) {
        (Some(Prompt::Keep), _) => {
            // A filter that does not parse is not kept: the prompt stays open with its
            // error beside it, and the table keeps the filter from before the prompt, so
            // nothing half-typed is ever applied.
            if Filter::parse(text).is_err() {
                return;
            }
            app.mode = Mode::Normal;
            return;
        }
        (Some(Prompt::Undo), _) => {
            let p = std::mem::take(previous);
            app.mode = Mode::Normal;
            app.filter = Filter::parse(&p).unwrap_or_default();
            app.rebuild();
            return;
        }
        (Some(Prompt::Left), _) => *cursor = cursor.saturating_sub(1),
        (Some(Prompt::Right), _) => *cursor = (*cursor + 1).min(chars),
        (Some(Prompt::Start), _) => *cursor = 0,
        (Some(Prompt::End), _) => *cursor = chars,
        (Some(Prompt::Erase), _) if *cursor > 0 => {
            let from = at(text, *cursor - 1);
            text.replace_range(from..at(text, *cursor), "");
            *cursor -= 1;
        }
        (Some(Prompt::Erase), _) => {}
        (Some(Prompt::EraseToStart), _) => {
            text.replace_range(..at(text, *cursor), "");
            *cursor = 0;
        }
        (Some(Prompt::EraseWord), _) => {
            // Like a shell: the spaces before the cursor, then the word before them.
            let head: Vec<char> = text.chars().take(*cursor).collect();
            let mut from = head.len();
            while from > 0 && head[from - 1] == ' ' {
                from -= 1;
            }
            while from > 0 && head[from - 1] != ' ' {
                from -= 1;
            }
            text.replace_range(at(text, from)..at(text, *cursor), "");
            *cursor = from;
        }
        (None, Key::Char(c)) => {
            text.insert(at(text, *cursor), c);
            *cursor += 1;
        }
        (None, _) => return,
    }
    // Filters apply as they are typed. While the text does not parse, what applies is the
    // filter from before the prompt, never a prefix of the text: `foo=bar` must not show
    // what `foo` matches.
    let applied = Filter::parse(text).or_else(|_| Filter::parse(previous));
    let f = applied.unwrap_or_default();
    if f != app.filter {
        app.filter = f;
        app.selected = 0;
        app.rebuild();
    }
}

/// Why the prompt's text is not a filter, if it is not: shown beside it while typing.
pub fn prompt_error(text: &str) -> Option<String> {
    Filter::parse(text).err().map(|e| e.to_string())
}
