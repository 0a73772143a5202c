//! Colours and emphasis. The default palette is the terminal's own 16 ANSI colours, which
//! survive SSH, tmux and every colour scheme; `mono` uses only bold, dim, italic and reverse.

use crate::app::row::RowState;
use crate::app::{Accent, Level};
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Default,
    Mono,
}

impl Theme {
    /// `NO_COLOR` (any non-empty value, per no-color.org) and `--no-color` mean mono.
    pub fn choose(no_color_flag: bool, no_color_env: Option<&str>, configured: Theme) -> Theme {
        if no_color_flag || no_color_env.is_some_and(|v| !v.is_empty()) {
            Theme::Mono
        } else {
            configured
        }
    }

    fn fg(self, c: Color) -> Style {
        match self {
            Theme::Default => Style::new().fg(c),
            Theme::Mono => Style::new(),
        }
    }

    pub fn state(self, s: RowState) -> Style {
        match (self, s) {
            (_, RowState::Running) => Style::new(),
            (Theme::Default, RowState::Cancelling) => Style::new().fg(Color::Magenta),
            (Theme::Default, RowState::Cancelled) => {
                Style::new().fg(Color::Magenta).add_modifier(Modifier::DIM)
            }
            (Theme::Default, RowState::Done | RowState::DoneCancelIgnored) => {
                Style::new().fg(Color::Green)
            }
            (Theme::Default, RowState::Failed) => Style::new().fg(Color::Red),
            (Theme::Default, RowState::CancelRefused) => Style::new().fg(Color::Yellow),
            (Theme::Mono, RowState::Cancelling) => Style::new().add_modifier(Modifier::ITALIC),
            (Theme::Mono, RowState::Cancelled) => Style::new().add_modifier(Modifier::DIM),
            (Theme::Mono, RowState::Done | RowState::DoneCancelIgnored) => Style::new(),
            (Theme::Mono, RowState::Failed) => Style::new().add_modifier(Modifier::BOLD),
            (Theme::Mono, RowState::CancelRefused) => {
                Style::new().add_modifier(Modifier::BOLD | Modifier::ITALIC)
            }
        }
    }

    pub fn level(self, l: Level) -> Style {
        match l {
            Level::Info => Style::new(),
            Level::Success => self.fg(Color::Green),
            Level::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Level::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn error_badge(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn badge(self) -> Style {
        match self {
            Theme::Default => Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Theme::Mono => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected(self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn flash(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
        } else {
            self.dim()
        }
    }

    /// A project's colour as a badge: the header's project name.
    pub fn accent_badge(self, a: Accent) -> Style {
        match self {
            Theme::Default => Style::new()
                .fg(Color::Black)
                .bg(accent_colour(a))
                .add_modifier(Modifier::BOLD),
            Theme::Mono => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// A pane's frame, in the project's colour when it has one.
    pub fn frame(self, focused: bool, accent: Option<Accent>) -> Style {
        match (self, accent) {
            (Theme::Default, Some(a)) if focused => Style::new()
                .fg(accent_colour(a))
                .add_modifier(Modifier::BOLD),
            (Theme::Default, Some(a)) => Style::new().fg(accent_colour(a)),
            _ => self.border(focused),
        }
    }
}

fn accent_colour(a: Accent) -> Color {
    match a {
        Accent::Red => Color::Red,
        Accent::Green => Color::Green,
        Accent::Yellow => Color::Yellow,
        Accent::Blue => Color::Blue,
        Accent::Magenta => Color::Magenta,
        Accent::Cyan => Color::Cyan,
    }
}
