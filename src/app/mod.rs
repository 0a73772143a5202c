//! Pure state and logic: no HTTP, no terminal.

pub mod filter;
