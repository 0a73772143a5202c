//! Keys, and the tables that bind them. Every mode (see [`super::modes`]) has one table; its
//! handler dispatches through it, and the help screen and the hint lines are generated from
//! it, so what is shown cannot drift from what a key does.

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

impl Key {
    /// How the key is written in help and hints.
    pub fn name(self) -> String {
        match self {
            Key::Char(' ') => "space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("ctrl-{c}"),
            Key::Enter => "enter".into(),
            Key::Esc => "esc".into(),
            Key::Tab => "tab".into(),
            Key::BackTab => "shift-tab".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "home".into(),
            Key::End => "end".into(),
            Key::Backspace => "backspace".into(),
        }
    }
}

/// Keys that do one thing in one mode. `C` is the mode's own command type.
#[derive(Clone, Copy, Debug)]
pub struct Binding<C: 'static> {
    pub keys: &'static [Key],
    pub command: C,
    /// The help screen's line for it.
    pub help: &'static str,
    /// The hint line's word for it; empty when only help names it.
    pub hint: &'static str,
    /// How many of `keys`, from the first, a hint names ("n/esc no"); help names them all.
    pub shown: usize,
    /// Sends a cancel or a delete: left out of hint lines where nothing may be changed.
    pub mutates: bool,
}

impl<C: Copy> Binding<C> {
    pub const fn new(keys: &'static [Key], command: C, help: &'static str) -> Binding<C> {
        Binding {
            keys,
            command,
            help,
            hint: "",
            shown: 1,
            mutates: false,
        }
    }

    /// A key that sends a cancel or a delete.
    pub const fn mutating(self) -> Binding<C> {
        Binding {
            mutates: true,
            ..self
        }
    }

    /// Named in hint lines by its first key.
    pub const fn hint(self, word: &'static str) -> Binding<C> {
        Binding { hint: word, ..self }
    }

    /// Named in hint lines by its first `shown` keys.
    pub const fn hint_keys(self, shown: usize, word: &'static str) -> Binding<C> {
        Binding {
            hint: word,
            shown,
            ..self
        }
    }

    /// Every key, as help writes them: `q/ctrl-c`.
    pub fn label(&self) -> String {
        join(self.keys)
    }
}

fn join(keys: &[Key]) -> String {
    keys.iter().map(|k| k.name()).collect::<Vec<_>>().join("/")
}

/// The command `key` is bound to in `table`.
pub fn lookup<C: Copy>(table: &[Binding<C>], key: Key) -> Option<C> {
    table
        .iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.command)
}

/// One line of the help screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpRow {
    pub keys: String,
    pub help: &'static str,
}

pub fn help_rows<C: Copy>(table: &[Binding<C>]) -> Vec<HelpRow> {
    table
        .iter()
        .map(|b| HelpRow {
            keys: b.label(),
            help: b.help,
        })
        .collect()
}

/// One entry of a hint line: `j/k` `scroll`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HintItem {
    pub keys: String,
    pub word: &'static str,
}

/// A hint line: each group of commands is one entry, named by the keys each member shows
/// and by the first member's word (`[Down, Up]` gives `j/k scroll`). A command not in the
/// table is left out, so a hint can only name what the table binds.
pub fn hints<C: Copy + PartialEq>(table: &[Binding<C>], groups: &[&[C]]) -> Vec<HintItem> {
    hints_where(table, groups, |_| true)
}

/// A hint line of the bindings `keep` keeps: read-only mode offers no key it would refuse.
pub fn hints_where<C: Copy + PartialEq>(
    table: &[Binding<C>],
    groups: &[&[C]],
    keep: impl Fn(&Binding<C>) -> bool,
) -> Vec<HintItem> {
    groups
        .iter()
        .filter_map(|group| {
            let members: Vec<&Binding<C>> = group
                .iter()
                .filter_map(|c| table.iter().find(|b| b.command == *c))
                .filter(|b| keep(b))
                .collect();
            let first = members.first()?;
            let keys: Vec<Key> = members
                .iter()
                .flat_map(|b| b.keys.iter().take(b.shown).copied())
                .collect();
            Some(HintItem {
                keys: join(&keys),
                word: first.hint,
            })
        })
        .collect()
}

/// `y yes · n/esc no`: a hint line as plain text, for a border or a test.
pub fn hint_text(items: &[HintItem]) -> String {
    items
        .iter()
        .map(|h| {
            if h.word.is_empty() {
                h.keys.clone()
            } else {
                format!("{} {}", h.keys, h.word)
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum C {
        A,
        B,
        Gone,
    }

    const T: &[Binding<C>] = &[
        Binding::new(&[Key::Char('j'), Key::Down], C::A, "down").hint("scroll"),
        Binding::new(&[Key::Char('k'), Key::Up], C::B, "up").hint_keys(2, "scroll"),
    ];

    #[test]
    fn hints_and_help_are_read_from_the_table() {
        assert_eq!(lookup(T, Key::Up), Some(C::B));
        assert_eq!(lookup(T, Key::Esc), None);
        assert_eq!(
            hint_text(&hints(T, &[&[C::A, C::B], &[C::Gone]])),
            "j/k/↑ scroll"
        );
        assert_eq!(help_rows(T)[0].keys, "j/↓");
        assert_eq!(Key::Ctrl('c').name(), "ctrl-c");
        assert_eq!(Key::Char(' ').name(), "space");
    }
}
