//! lrotop: top for Google Cloud long-running operations.
//!
//! Layers, arrows pointing down only: `cli`/`headless`/`tui` (the runtime) → `ui` → `app`
//! → `api` and `emulator`.

pub mod api;
pub mod emulator;
pub mod sanitize;
