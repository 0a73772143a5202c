//! `lrotop config path|check|init`.

use super::output::CliError;
use crate::cli::{ConfigCommand, Global};
use crate::config;

pub fn run(
    g: &Global,
    c: ConfigCommand,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), CliError> {
    let path = config::config_path(g.config.as_deref(), env)
        .map_err(|e| CliError::usage(e.to_string()))?;
    match c {
        ConfigCommand::Path => {
            let state = if path.exists() {
                ""
            } else {
                "  (does not exist yet: `lrotop config init` writes a starter)"
            };
            println!("{}{state}", path.display());
            Ok(())
        }
        ConfigCommand::Check { file } => {
            let (path, must_exist) = match file {
                Some(f) => (f, true),
                None => (path, g.config.is_some()),
            };
            let cfg =
                config::load(&path, must_exist).map_err(|e| CliError::usage(e.to_string()))?;
            if cfg.path.is_none() {
                println!(
                    "{}: no such file; the built-in defaults apply",
                    path.display()
                );
            }
            print!("{}", crate::sanitize::multi_line(&config::summary(&cfg)));
            Ok(())
        }
        ConfigCommand::Init => match config::init(&path) {
            Ok(()) => {
                println!("wrote {}", path.display());
                Ok(())
            }
            Err(e) => Err(CliError::usage(e.to_string())),
        },
    }
}
