//! The desktop shell: starts the core, registers the IPC commands and opens the window.
//! It holds no behaviour of its own — see `commands` (one-line adapters onto
//! `speasy_core::Core`) and ARCHITECTURE.md.

mod commands;

use std::sync::Arc;

use speasy_core::{Core, CoreConfig};
use tauri::{Builder, Runtime};
use tracing_subscriber::EnvFilter;

/// Register state and commands on a builder (tests pass `tauri::test::mock_builder()`).
pub fn build_app<R: Runtime>(builder: Builder<R>, core: Arc<Core>) -> Builder<R> {
    builder.manage(core).invoke_handler(tauri::generate_handler![
        commands::app_info,
        commands::store_status,
        commands::store_move_aside,
        commands::settings_get,
        commands::settings_update,
        commands::secret_set,
        commands::secret_delete,
        commands::secret_exists,
        commands::search,
        commands::threads_list,
        commands::chatkit,
    ])
}

/// Run the desktop app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SPEASY_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let core = Arc::new(Core::start(CoreConfig::default()));
    tracing::info!(data_dir = %core.data_dir().display(), "starting Speasy");
    if let Err(e) = build_app(Builder::default(), core).run(tauri::generate_context!()) {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}
