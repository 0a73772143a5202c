//! Keys, and the keymap that both dispatches them and generates the help screen.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    SwitchPane,
    Details,
    Cancel,
    Filter,
    SortNext,
    SortReverse,
    ActiveOnly,
    Refresh,
    Pause,
    Faster,
    Slower,
    Help,
    Mark,
    MarkRange,
    MarkAll,
    ClearMarks,
    CancelMarked,
    Delete,
    Copy,
    ErrorLog,
    SwitchProject,
    Quit,
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in help and hints.
    pub label: &'static str,
    pub help: &'static str,
    pub command: Command,
}

/// The main screen's keys. Help is generated from this table, so it cannot drift.
pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[Key::Char('j'), Key::Down],
        label: "j/↓",
        help: "move down",
        command: Command::Down,
    },
    Binding {
        keys: &[Key::Char('k'), Key::Up],
        label: "k/↑",
        help: "move up",
        command: Command::Up,
    },
    Binding {
        keys: &[Key::Char('g'), Key::Home],
        label: "g",
        help: "go to the first row",
        command: Command::Top,
    },
    Binding {
        keys: &[Key::Char('G'), Key::End],
        label: "G",
        help: "go to the last row",
        command: Command::Bottom,
    },
    Binding {
        keys: &[Key::PageDown, Key::Ctrl('f')],
        label: "PgDn",
        help: "page down",
        command: Command::PageDown,
    },
    Binding {
        keys: &[Key::PageUp, Key::Ctrl('b')],
        label: "PgUp",
        help: "page up",
        command: Command::PageUp,
    },
    Binding {
        keys: &[Key::Tab, Key::BackTab],
        label: "tab",
        help: "switch between locations and operations",
        command: Command::SwitchPane,
    },
    Binding {
        keys: &[Key::Enter],
        label: "enter",
        help: "details of the selected operation",
        command: Command::Details,
    },
    Binding {
        keys: &[Key::Char('c')],
        label: "c",
        help: "cancel the selected operation (asks first)",
        command: Command::Cancel,
    },
    Binding {
        keys: &[Key::Char(' ')],
        label: "space",
        help: "mark or unmark the selected operation",
        command: Command::Mark,
    },
    Binding {
        keys: &[Key::Char('V')],
        label: "V",
        help: "mark the range from the last marked row to here",
        command: Command::MarkRange,
    },
    Binding {
        keys: &[Key::Char('*')],
        label: "*",
        help: "mark every visible running operation",
        command: Command::MarkAll,
    },
    Binding {
        keys: &[Key::Char('u')],
        label: "u",
        help: "clear all marks",
        command: Command::ClearMarks,
    },
    Binding {
        keys: &[Key::Char('C')],
        label: "C",
        help: "cancel the marked operations (asks first)",
        command: Command::CancelMarked,
    },
    Binding {
        keys: &[Key::Char('D')],
        label: "D",
        help: "delete the records of the marked (or selected) operations; does not cancel",
        command: Command::Delete,
    },
    Binding {
        keys: &[Key::Char('y')],
        label: "y",
        help: "copy the selected operation's name (OSC 52, works over SSH)",
        command: Command::Copy,
    },
    Binding {
        keys: &[Key::Char('e')],
        label: "e",
        help: "error log: the last 100 errors and bulk summaries",
        command: Command::ErrorLog,
    },
    Binding {
        keys: &[Key::Char('P'), Key::Char(':')],
        label: "P",
        help: "switch project (fuzzy: type part of an alias or id)",
        command: Command::SwitchProject,
    },
    Binding {
        keys: &[Key::Char('/')],
        label: "/",
        help: "filter: text, state=, verb=, location=, project=",
        command: Command::Filter,
    },
    Binding {
        keys: &[Key::Char('s')],
        label: "s",
        help: "sort by the next column",
        command: Command::SortNext,
    },
    Binding {
        keys: &[Key::Char('S')],
        label: "S",
        help: "reverse the sort",
        command: Command::SortReverse,
    },
    Binding {
        keys: &[Key::Char('f')],
        label: "f",
        help: "show only active operations",
        command: Command::ActiveOnly,
    },
    Binding {
        keys: &[Key::Char('r')],
        label: "r",
        help: "refresh now",
        command: Command::Refresh,
    },
    Binding {
        keys: &[Key::Char('p')],
        label: "p",
        help: "pause or resume refreshing",
        command: Command::Pause,
    },
    Binding {
        keys: &[Key::Char('+'), Key::Char('=')],
        label: "+",
        help: "refresh less often",
        command: Command::Slower,
    },
    Binding {
        keys: &[Key::Char('-')],
        label: "-",
        help: "refresh more often (at least every 1s)",
        command: Command::Faster,
    },
    Binding {
        keys: &[Key::Char('?')],
        label: "?",
        help: "this help",
        command: Command::Help,
    },
    Binding {
        keys: &[Key::Char('q'), Key::Ctrl('c')],
        label: "q",
        help: "quit",
        command: Command::Quit,
    },
];

pub fn command_for(key: Key) -> Option<Command> {
    KEYMAP
        .iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.command)
}

pub fn label_of(command: Command) -> &'static str {
    KEYMAP
        .iter()
        .find(|b| b.command == command)
        .map(|b| b.label)
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = std::collections::HashSet::new();
        for b in KEYMAP {
            for k in b.keys {
                assert!(seen.insert(*k), "{k:?} bound twice");
            }
        }
        assert_eq!(command_for(Key::Ctrl('c')), Some(Command::Quit));
        assert_eq!(label_of(Command::Cancel), "c");
    }
}
