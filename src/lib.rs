//! lrotop: top for Google Cloud long-running operations.
//!
//! Layers, arrows pointing down only: the runtime (`cli`, `headless`, `serve`, `session`) →
//! `tui` → `ui` and `sync` → `app` (pure state) → `api` (wire model and client), with
//! `emulator` (a local server) beside `app` and `config` beside `ui`; `human`, `width`,
//! `sanitize` and `userfile` are leaves anyone may use. docs/ARCHITECTURE.md draws it, and
//! tests/layers.rs fails when a layer names one above it.

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
