//! The desktop shell: starts the core, registers the IPC commands and opens the window.
//! It holds no behaviour of its own — see `commands` (one-line adapters onto
//! `speasy_core::Core`) and ARCHITECTURE.md. Around the window: a single instance (a second
//! launch focuses the first), remembered window size and position, and a window that appears
//! when its page is ready to draw (created hidden; the page calls `window_show`). Sync starts
//! after the first paint and runs a pass whenever the window comes to the front.

mod commands;

use std::sync::Arc;
use std::time::Instant;

use speasy_core::{Core, CoreConfig, FirstScreen};
use tauri::{Builder, Manager, Runtime, WebviewWindowBuilder};
use tracing_subscriber::EnvFilter;

/// When the process started, for the first-paint figure (`commands::ui_painted`), and the
/// start-up milestones passed so far (printed with it when `SPEASY_STARTUP_PROBE` is set).
pub struct Started {
    pub at: Instant,
    /// The same moment on the wall clock, in ms since the Unix epoch: the UI's marks are on
    /// that clock (`performance.timeOrigin + performance.now()`).
    pub epoch_ms: f64,
    pub marks: std::sync::Mutex<Vec<(&'static str, f64)>>,
    /// Sync starts once the first screen is painted (its HTTP client costs start-up time).
    pub sync_started: std::sync::atomic::AtomicBool,
}

impl Started {
    pub fn now() -> Self {
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or_default();
        Self {
            at: Instant::now(),
            epoch_ms,
            marks: Default::default(),
            sync_started: Default::default(),
        }
    }

    /// Note a milestone (ms since start).
    pub fn mark(&self, name: &'static str) {
        let ms = self.at.elapsed().as_secs_f64() * 1000.0;
        if let Ok(mut marks) = self.marks.lock() {
            marks.push((name, ms));
        }
    }
}

/// How many threads the sidebar's first page has (`SUMMARY_PAGE` in ui/src/chat/firstPage.ts;
/// the UI asks for its page itself when the numbers differ).
const FIRST_PAGE: usize = 100;

/// The script that puts the first screen's data in the page (`ui/src/ipc/firstScreen.ts`), on
/// the window's first load only: a reload asks the core, whose answers may have changed since.
fn first_screen_script(first: &FirstScreen) -> Option<String> {
    let json = serde_json::to_string(first)
        .inspect_err(|e| tracing::warn!(error = %e, "first screen: not serialisable"))
        .ok()?;
    Some(format!(
        "(() => {{ try {{ if (sessionStorage.getItem('speasy.first-screen')) return; \
         sessionStorage.setItem('speasy.first-screen', '1'); }} catch (_) {{ return; }} \
         window.__SPEASY_FIRST_SCREEN__ = {json}; }})();"
    ))
}

/// The main window's label in tauri.conf.json.
const MAIN_WINDOW: &str = "main";

/// Open the main window (configured in tauri.conf.json, `create: false`), with the first
/// screen's data in its page when it could be read.
fn open_main_window<R: Runtime>(
    app: &tauri::App<R>,
    first: Option<FirstScreen>,
) -> tauri::Result<()> {
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN_WINDOW) else {
        return Err(tauri::Error::WindowNotFound);
    };
    let mut window = WebviewWindowBuilder::from_config(app.handle(), config)?;
    if let Some(script) = first.as_ref().and_then(first_screen_script) {
        window = window.initialization_script(script);
    }
    window.build()?;
    Ok(())
}

/// The main window is created hidden and the page shows it (`window_show`) once it has what
/// its first frame needs. Should the page never ask (it failed to load, its script broke), the
/// window is shown anyway after this long, so the person sees what happened.
const SHOW_WINDOW_AT_THE_LATEST: std::time::Duration = std::time::Duration::from_secs(3);

fn show_window_eventually<R: Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SHOW_WINDOW_AT_THE_LATEST).await;
        if let Some(window) = app.get_webview_window(MAIN_WINDOW)
            && !window.is_visible().unwrap_or(true)
        {
            tracing::warn!("the page did not show the window: showing it");
            if let Err(e) = window.show() {
                tracing::warn!(error = %e, "could not show the window");
            }
        }
    });
}

/// Register state and commands on a builder, and open the window. `first_screen` reads the
/// first screen's data (started early, on its own thread).
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    core: Arc<Core>,
    started: Arc<Started>,
    first_screen: std::thread::JoinHandle<FirstScreen>,
) -> Builder<R> {
    let api_core = Arc::clone(&core);
    let page_started = Arc::clone(&started);
    let setup_started = Arc::clone(&started);
    builder
        // The window coming to the front is a moment to sync (changes from other devices).
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Focused(true) = event {
                window.state::<Arc<Core>>().sync_wake();
            }
        })
        .on_page_load(move |_webview, payload| {
            page_started.mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page load started",
                tauri::webview::PageLoadEvent::Finished => "page loaded",
            });
        })
        .setup(move |app| {
            setup_started.mark("setup started");
            let first = first_screen
                .join()
                .inspect_err(|_| tracing::warn!("first screen: the reading thread panicked"))
                .ok();
            setup_started.mark("first screen read");
            open_main_window(app, first)?;
            setup_started.mark("window created");
            show_window_eventually(app.handle().clone());
            // The local API, if it was left on (Settings → Local API).
            tauri::async_runtime::spawn(async move {
                if let Err(e) = api_core.api_apply().await {
                    tracing::warn!(error = %e.message, "could not start the local API");
                }
            });
            Ok(())
        })
        .manage(core)
        .manage(started)
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
            commands::voice_events,
            commands::sync_events,
            commands::ui_painted,
            commands::window_show,
        ])
}

/// JavaScriptCore's optimizing compiler (DFG) warm-up, 30 times its default (1000 executions):
/// set for the web process on Linux (WebKitGTK reads `JSC_*` options from the environment it
/// inherits). With the default, the first screen's render — Preact's diff over a few hundred
/// elements, run once — made the DFG compile about 40 functions during start-up, on a second
/// thread competing with the render on small machines, and kept its compiler's code and data
/// resident (measured: 8.5 MB of the app's idle memory). Code that is really hot (parsing and
/// highlighting a long answer) still reaches the DFG; the baseline JIT runs the rest.
#[cfg(target_os = "linux")]
const JSC_TUNING: [(&str, &str); 3] = [
    ("JSC_thresholdForOptimizeAfterWarmUp", "30000"),
    ("JSC_thresholdForOptimizeAfterLongWarmUp", "30000"),
    ("JSC_thresholdForOptimizeSoon", "30000"),
];

/// Run the desktop app.
pub fn run() {
    #[cfg(target_os = "linux")]
    for (name, value) in JSC_TUNING {
        if std::env::var_os(name).is_some() {
            continue; // set by the person (or a test): theirs wins
        }
        // SAFETY: first thing in the process: no other thread exists yet to read the
        // environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(name, value)
        };
    }
    let started = Arc::new(Started::now());
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SPEASY_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let core = Arc::new(Core::start(CoreConfig::default()));
    started.mark("core started");
    // Read while Tauri starts; the window's page gets it (`build_app`).
    let first_screen = {
        let core = Arc::clone(&core);
        std::thread::spawn(move || core.first_screen(FIRST_PAGE))
    };
    tracing::info!(data_dir = %core.data_dir().display(), "starting Speasy");
    let builder = Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        // Size, position, maximized…, but not visibility: the page shows the window.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        );
    let app = match build_app(builder, Arc::clone(&core), started, first_screen)
        .build(tauri::generate_context!())
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
