//! Google's wire model and the HTTP client: the bottom layer, knowing nothing of terminals.

pub mod auth;
pub mod client;
pub mod code;
pub mod console;
pub mod error;
pub mod model;
pub mod names;
pub mod raw;
pub mod retry;
pub mod service;
pub mod shared;
pub mod time;

pub use client::{ClientOptions, DEFAULT_ENDPOINT, ListQuery, OperationsClient};
pub use code::Code;
pub use error::{ApiError, StatusError};
pub use model::{
    ListLocationsResponse, ListOperationsResponse, Location, MetaText, Metadata, Operation,
    OperationMetadata, Outcome, Status,
};
pub use names::{LocationName, NameError, OperationName};
pub use raw::Json;
pub use retry::RetryPolicy;
pub use service::{Method, ServiceProfile};
pub use shared::Shared;
