use clap::Parser;
use lrotop::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = match lrotop::logging::init(&cli.global, cli.command.is_some()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("lrotop: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lrotop: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        match cli.command {
            Some(Command::Emulator(args)) => lrotop::serve::emulator(&args).await,
            Some(command) => lrotop::headless::run(&cli.global, command).await,
            None => lrotop::serve::dashboard(&cli.global).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.message.is_empty() {
                // Not eprintln: it panics when stderr is a tty that has hung up.
                use std::io::Write;
                let message = lrotop::sanitize::one_line(&e.message);
                let _ = writeln!(std::io::stderr(), "lrotop: {message}");
            }
            ExitCode::from(e.status)
        }
    }
}
