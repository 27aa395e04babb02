//! `speasy-cli`: the core without a window, for scripts and for tests. It opens the same data
//! dir as the app (`--data-dir` or `SPEASY_DATA_DIR`, else the OS app data dir). `serve` exposes
//! the core's protocol over HTTP on loopback (see `serve.rs`).

mod bench;
mod demo;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use speasy_core::{ApiError, Core, CoreConfig, ErrorKind, ProviderOverride, StoreStatus};

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
    /// Add many generated conversations (for benchmarks: bench/desktop.sh seeds 10,000).
    SeedBench {
        /// How many threads to add.
        #[arg(long, default_value_t = 10_000)]
        threads: usize,
        /// Messages in each thread, alternating user and assistant.
        #[arg(long, default_value_t = 4)]
        messages_per_thread: usize,
    },
    /// Serve the core's protocol on 127.0.0.1 (POST /chatkit, GET /health, /facts...).
    ///
    /// The model provider comes from the environment like the official OpenAI SDKs:
    /// OPENAI_API_KEY and OPENAI_BASE_URL, or OPENROUTER_API_KEY; the model from SPEASY_MODEL.
    /// Without any, the providers configured in the app are used.
    Serve {
        /// Port on 127.0.0.1 (0: any free port; the URL is printed as JSON on stdout).
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Bearer token every route but /health requires.
        #[arg(long, env = "SPEASY_API_TOKEN", hide_env_values = true)]
        token: String,
    },
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
    let line =
        serde_json::to_string(v).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
    println!("{line}");
    Ok(())
}

fn run(cli: Cli) -> Result<(), ApiError> {
    let core = Arc::new(Core::start(CoreConfig {
        data_dir: cli.data_dir,
        provider_override: ProviderOverride::from_env(),
        ..CoreConfig::default()
    }));
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
        Command::SeedBench { threads, messages_per_thread } => {
            let store = core.store()?;
            let started = std::time::Instant::now();
            let done = bench::seed(&store, threads, messages_per_thread)?;
            eprintln!(
                "added {} threads and {} messages in {:.1} s",
                done.threads,
                done.messages,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Serve { port, token } => {
            speasy_core::api::check_token(&token)?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
            rt.block_on(serve(core, port, token.trim().to_owned()))
        }
    }
}

/// Serve the local API until Ctrl-C, syncing meanwhile when a project is set up. Prints
/// `{"url": ...}` on stdout once listening.
async fn serve(core: Arc<Core>, port: u16, token: String) -> Result<(), ApiError> {
    let listener = speasy_core::api::bind(port).await?;
    if let Err(e) = core.sync_start() {
        tracing::warn!(error = %e.message, "sync could not start");
    }
    let local =
        listener.local_addr().map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
    print(&serde_json::json!({ "url": format!("http://{local}") }))?;
    axum::serve(listener, speasy_core::api::router(core, token))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))
}
