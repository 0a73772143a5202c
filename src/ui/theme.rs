//! Colours and emphasis, as data: one `Palette` const per theme, and `Theme` picks one. The
//! default palette is the terminal's own 16 ANSI colours, which survive SSH, tmux and every
//! colour scheme; `mono` uses only bold, dim, italic and reverse. A new theme is a new const
//! and a variant here (and its name in `config::ThemeName`).

use crate::app::row::RowState;
use crate::app::{Accent, Level};
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Default,
    Mono,
}

/// Every style the screen uses, by what it means.
pub struct Palette {
    pub running: Style,
    pub cancelling: Style,
    pub cancelled: Style,
    pub done: Style,
    pub failed: Style,
    pub cancel_refused: Style,
    pub info: Style,
    pub success: Style,
    pub warn: Style,
    pub error: Style,
    pub error_badge: Style,
    pub badge: Style,
    pub title: Style,
    pub dim: Style,
    pub key: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub flash: Style,
    pub border: Style,
    pub border_unfocused: Style,
    /// Whether a project's colour is shown as a colour (else as emphasis only).
    pub colour: bool,
}

const NONE: Style = Style::new();
const DIM: Style = Style::new().add_modifier(Modifier::DIM);
const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);

pub const DEFAULT: Palette = Palette {
    running: NONE,
    cancelling: Style::new().fg(Color::Magenta),
    cancelled: Style::new().fg(Color::Magenta).add_modifier(Modifier::DIM),
    done: Style::new().fg(Color::Green),
    failed: Style::new().fg(Color::Red),
    cancel_refused: Style::new().fg(Color::Yellow),
    info: NONE,
    success: Style::new().fg(Color::Green),
    warn: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    error_badge: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    badge: Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD),
    title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    dim: DIM,
    key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    selected: Style::new().add_modifier(Modifier::REVERSED),
    selected_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
    flash: BOLD,
    border: Style::new().fg(Color::Cyan),
    border_unfocused: DIM,
    colour: true,
};

pub const MONO: Palette = Palette {
    running: NONE,
    cancelling: Style::new().add_modifier(Modifier::ITALIC),
    cancelled: DIM,
    done: NONE,
    failed: BOLD,
    cancel_refused: Style::new().add_modifier(Modifier::BOLD.union(Modifier::ITALIC)),
    info: NONE,
    success: NONE,
    warn: BOLD,
    error: BOLD,
    error_badge: BOLD,
    badge: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
    title: BOLD,
    dim: DIM,
    key: BOLD,
    selected: Style::new().add_modifier(Modifier::REVERSED),
    selected_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
    flash: BOLD,
    border: NONE,
    border_unfocused: DIM,
    colour: false,
};

impl Theme {
    /// `NO_COLOR` (any non-empty value, per no-color.org) and `--no-color` mean mono.
    pub fn choose(no_color_flag: bool, no_color_env: Option<&str>, configured: Theme) -> Theme {
        if no_color_flag || no_color_env.is_some_and(|v| !v.is_empty()) {
            Theme::Mono
        } else {
            configured
        }
    }

    pub fn palette(self) -> &'static Palette {
        match self {
            Theme::Default => &DEFAULT,
            Theme::Mono => &MONO,
        }
    }

    pub fn state(self, s: RowState) -> Style {
        let p = self.palette();
        match s {
            RowState::Running => p.running,
            RowState::Cancelling => p.cancelling,
            RowState::Cancelled => p.cancelled,
            RowState::Done | RowState::DoneCancelIgnored => p.done,
            RowState::Failed => p.failed,
            RowState::CancelRefused => p.cancel_refused,
        }
    }

    pub fn level(self, l: Level) -> Style {
        let p = self.palette();
        match l {
            Level::Info => p.info,
            Level::Success => p.success,
            Level::Warn => p.warn,
            Level::Error => p.error,
        }
    }

    pub fn error_badge(self) -> Style {
        self.palette().error_badge
    }

    pub fn badge(self) -> Style {
        self.palette().badge
    }

    pub fn title(self) -> Style {
        self.palette().title
    }

    pub fn dim(self) -> Style {
        self.palette().dim
    }

    pub fn key(self) -> Style {
        self.palette().key
    }

    pub fn selected(self, focused: bool) -> Style {
        let p = self.palette();
        if focused {
            p.selected
        } else {
            p.selected_unfocused
        }
    }

    pub fn flash(self) -> Style {
        self.palette().flash
    }

    pub fn border(self, focused: bool) -> Style {
        let p = self.palette();
        if focused {
            p.border
        } else {
            p.border_unfocused
        }
    }

    /// A project's colour as a badge: the header's project name.
    pub fn accent_badge(self, a: Accent) -> Style {
        if self.palette().colour {
            Style::new()
                .fg(Color::Black)
                .bg(accent_colour(a))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A pane's frame, in the project's colour when it has one.
    pub fn frame(self, focused: bool, accent: Option<Accent>) -> Style {
        match accent.filter(|_| self.palette().colour) {
            Some(a) if focused => Style::new()
                .fg(accent_colour(a))
                .add_modifier(Modifier::BOLD),
            Some(a) => Style::new().fg(accent_colour(a)),
            None => self.border(focused),
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
