//! `speasy-cli`: the core without a window, for scripts and for tests. It opens the same data
//! dir as the app (`--data-dir` or `SPEASY_DATA_DIR`, else the OS app data dir). The local
//! HTTP API (`serve`) arrives with the chat engine.

mod demo;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use speasy_core::{ApiError, Core, CoreConfig, StoreStatus};

#[derive(Parser)]
#[command(name = "speasy-cli", version, about = "Speasy's core from the command line")]
struct Cli {
    /// Data directory (default: $SPEASY_DATA_DIR, else the OS app data dir).
    #[arg(long, global = true, env = "SPEASY_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Version, data dir, database and keychain in use (JSON).
    Info,
    /// Search all conversations (JSON lines: one hit per line).
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// List threads, newest first (JSON lines).
    Threads {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Add a few example conversations (to try the app, and for end-to-end tests).
    SeedDemo,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SPEASY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("speasy-cli: {} ({:?})", e.message, e.kind);
            ExitCode::FAILURE
        }
    }
}

fn print(v: &impl serde::Serialize) -> Result<(), ApiError> {
    let line = serde_json::to_string(v)
        .map_err(|e| ApiError::new(speasy_core::ErrorKind::Internal, e.to_string()))?;
    println!("{line}");
    Ok(())
}

fn run(cli: Cli) -> Result<(), ApiError> {
    let core = Arc::new(Core::start(CoreConfig { data_dir: cli.data_dir, secrets: None }));
    if let StoreStatus::Failed { error, .. } = core.store_status() {
        return Err(error);
    }
    match cli.command {
        Command::Info => print(&core.app_info()?),
        Command::Search { query, limit } => core.search(&query, limit)?.iter().try_for_each(print),
        Command::Threads { limit } => {
            core.threads_list(None, Some(limit))?.data.iter().try_for_each(print)
        }
        Command::SeedDemo => {
            let store = core.store()?;
            let n = demo::seed(&store)?;
            eprintln!("added {n} example conversations");
            Ok(())
        }
    }
}
