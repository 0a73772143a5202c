//! How a command ends: a message and the exit status it implies: 0 all good, 1 error, 2 usage
//! (nothing was sent), 3 partial, 128+N ended by signal N (README, "Exit status").

use crate::api::ApiError;

/// An error that ends a command, with the exit status it implies.
#[derive(Debug)]
pub struct CliError {
    pub status: u8,
    pub message: String,
}

impl CliError {
    /// Exit 2: the command line or config is wrong; nothing was sent.
    pub fn usage(m: impl Into<String>) -> Self {
        CliError {
            status: 2,
            message: m.into(),
        }
    }

    /// Exit 1: it could not be done.
    pub fn fatal(m: impl Into<String>) -> Self {
        CliError {
            status: 1,
            message: m.into(),
        }
    }

    /// Exit 3: some parts failed, each already named on stderr.
    pub fn partial(m: impl Into<String>) -> Self {
        CliError {
            status: 3,
            message: m.into(),
        }
    }

    /// Exit 128+N: ended by signal N, as a shell reports it. Nothing is printed: after a
    /// hangup there is no terminal to print on.
    pub fn signalled(status: u8) -> Self {
        CliError {
            status,
            message: String::new(),
        }
    }

    pub fn api(what: &str, e: &ApiError) -> Self {
        CliError::fatal(format!("{what}: {e}"))
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::fatal(format!("cannot write output: {e}"))
    }
}
