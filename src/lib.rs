//! lrotop: top for Google Cloud long-running operations.
//!
//! Layers, arrows pointing down only: `cli`/`headless`/`serve` (the runtime) → `app`
//! (pure state) → `api` (wire model and client) and `emulator` (a local server).
//! `human` (ages and durations as people read and type them) serves `ui`, `headless` and
//! the flags and config; wire formats stay in `api::time`.

pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod exit;
pub mod headless;
pub mod human;
pub mod logging;
pub mod sanitize;
pub mod serve;
pub mod session;
pub mod sync;
pub mod tui;
pub mod ui;
pub mod userfile;
pub mod width;
