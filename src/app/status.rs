//! What the dashboard tells the user: the status line and the error log.

use super::{App, ERROR_LOG_LEN, STATUS_TTL};
use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warn,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatusLine {
    pub text: String,
    pub level: Level,
    pub until: Timestamp,
    /// A summary that routine news does not push off the line before it expires.
    pub sticky: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub at: Timestamp,
    pub text: String,
}

impl App {
    /// Into the error log (`e`) without touching the status line.
    pub(crate) fn log_line(&mut self, text: impl Into<String>) {
        let text = crate::sanitize::one_line(&text.into()).into_owned();
        self.log.push_back(LogEntry { at: self.now, text });
        while self.log.len() > ERROR_LOG_LEN {
            self.log.pop_front();
        }
    }

    pub(crate) fn say(&mut self, level: Level, text: impl Into<String>) {
        self.put_status(level, text.into(), false);
    }

    /// A summary (of a bulk action) that stays up for twice as long and is not replaced by
    /// routine news; errors still get through.
    pub(crate) fn say_sticky(&mut self, level: Level, text: impl Into<String>) {
        self.put_status(level, text.into(), true);
    }

    fn put_status(&mut self, level: Level, text: String, sticky: bool) {
        let text = crate::sanitize::one_line(&text).into_owned();
        if matches!(level, Level::Error | Level::Warn) {
            self.log_line(text.clone());
        }
        let routine = matches!(level, Level::Info | Level::Success);
        if routine
            && !sticky
            && self
                .status
                .as_ref()
                .is_some_and(|s| s.sticky && s.until > self.now)
        {
            return;
        }
        let ttl = if sticky { STATUS_TTL * 2 } else { STATUS_TTL };
        self.status = Some(StatusLine {
            text,
            level,
            until: self.now + ttl,
            sticky,
        });
    }
}
