//! The desktop shell: starts the core, registers the IPC commands and opens the window.
//! It holds no behaviour of its own — see `commands` (one-line adapters onto
//! `speasy_core::Core`) and ARCHITECTURE.md. Around the window: a single instance (a second
//! launch focuses the first) and remembered window size and position.

mod commands;

use std::sync::Arc;
use std::time::Instant;

use speasy_core::{Core, CoreConfig};
use tauri::{Builder, Manager, Runtime};
use tracing_subscriber::EnvFilter;

/// When the process started, for the first-paint figure (`commands::ui_painted`).
pub struct Started(pub Instant);

/// Register state and commands on a builder (tests pass `tauri::test::mock_builder()`).
pub fn build_app<R: Runtime>(builder: Builder<R>, core: Arc<Core>, started: Instant) -> Builder<R> {
    let api_core = Arc::clone(&core);
    builder
        .setup(move |_app| {
            // The local API, if it was left on (Settings → Local API).
            tauri::async_runtime::spawn(async move {
                if let Err(e) = api_core.api_apply().await {
                    tracing::warn!(error = %e.message, "could not start the local API");
                }
            });
            Ok(())
        })
        .manage(core)
        .manage(Started(started))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::store_status,
            commands::store_move_aside,
            commands::settings_get,
            commands::settings_update,
            commands::secret_set,
            commands::secret_delete,
            commands::secret_exists,
            commands::search,
            commands::chatkit,
            commands::ui_painted,
        ])
}

/// Run the desktop app.
pub fn run() {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SPEASY_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let core = Arc::new(Core::start(CoreConfig::default()));
    tracing::info!(data_dir = %core.data_dir().display(), "starting Speasy");
    let builder = Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build());
    let app = match build_app(builder, Arc::clone(&core), started).build(tauri::generate_context!())
    {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "the app could not start");
            std::process::exit(1);
        }
    };
    app.run(move |_app, event| {
        // Deletes still in their Undo window go through before the app quits.
        if let tauri::RunEvent::Exit = event {
            core.flush_pending_deletes();
        }
    });
}
