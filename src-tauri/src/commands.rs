//! IPC commands: each forwards to one `Core` method and returns its result or the one
//! serialisable `ApiError`. `async` so the work runs off the UI thread.

use std::sync::Arc;

use speasy_core::chatkit::protocol::StreamEvent;
use speasy_core::store::{SearchHit, Settings, SettingsPatch};
use speasy_core::sync::SyncStatus;
use speasy_core::voice::service::VoiceEvent;
use speasy_core::{ApiError, AppInfo, ChatKitResponse, Core, ErrorKind, StoreStatus};
use tauri::State;
use tauri::ipc::JavaScriptChannelId;

type CoreState<'a> = State<'a, Arc<Core>>;

#[tauri::command]
pub async fn app_info(core: CoreState<'_>) -> Result<AppInfo, ApiError> {
    core.app_info()
}

#[tauri::command]
pub async fn store_status(core: CoreState<'_>) -> Result<StoreStatus, ApiError> {
    Ok(core.store_status())
}

#[tauri::command]
pub async fn store_move_aside(core: CoreState<'_>) -> Result<StoreStatus, ApiError> {
    core.store_move_aside()
}

#[tauri::command]
pub async fn settings_get(core: CoreState<'_>) -> Result<Settings, ApiError> {
    core.settings()
}

#[tauri::command]
pub async fn settings_update(
    core: CoreState<'_>,
    patch: SettingsPatch,
) -> Result<Settings, ApiError> {
    core.update_settings(&patch)
}

/// Keychain calls block (D-Bus, or an unlock prompt): run them off the async workers.
async fn keychain<T: Send + 'static>(
    core: &Arc<Core>,
    f: impl FnOnce(&Core) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let core = Arc::clone(core);
    tauri::async_runtime::spawn_blocking(move || f(&core))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?
}

#[tauri::command]
pub async fn secret_set(core: CoreState<'_>, name: String, value: String) -> Result<(), ApiError> {
    keychain(core.inner(), move |c| c.secret_set(&name, value)).await
}

#[tauri::command]
pub async fn secret_delete(core: CoreState<'_>, name: String) -> Result<(), ApiError> {
    keychain(core.inner(), move |c| c.secret_delete(&name)).await
}

#[tauri::command]
pub async fn secret_exists(core: CoreState<'_>, name: String) -> Result<bool, ApiError> {
    keychain(core.inner(), move |c| c.secret_exists(&name)).await
}

#[tauri::command]
pub async fn search(
    core: CoreState<'_>,
    query: String,
    limit: Option<usize>,
) -> Result<Vec<SearchHit>, ApiError> {
    core.search(&query, limit.unwrap_or(50))
}

/// The ChatKit entry (and `speasy.*` requests). JSON ops answer their body; the UI sends them
/// without a channel, since closing one costs a script evaluation. Streaming ops need
/// `on_event`: they send each event on it and, when the turn ends, answer `{"streamed": n}` —
/// how many events were sent, since a large event can reach the page after this answer does.
/// If the window stops listening, the turn is cancelled (its partial answer is kept).
#[tauri::command]
pub async fn chatkit<R: tauri::Runtime>(
    core: CoreState<'_>,
    webview: tauri::Webview<R>,
    request: serde_json::Value,
    on_event: Option<JavaScriptChannelId>,
) -> Result<serde_json::Value, ApiError> {
    let on_event = on_event.map(|id| id.channel_on::<R, StreamEvent>(webview));
    let body = serde_json::to_vec(&request)
        .map_err(|e| ApiError::new(ErrorKind::InvalidInput, e.to_string()))?;
    match (core.inner().chatkit(&body).await?, on_event) {
        (ChatKitResponse::Json(v), _) => Ok(v),
        // Dropping the stream cancels the turn, as a window that stopped listening does.
        (ChatKitResponse::Stream(_), None) => Err(ApiError::new(
            ErrorKind::InvalidInput,
            "this request streams its answer: pass a channel (onEvent)",
        )),
        (ChatKitResponse::Stream(mut events), Some(on_event)) => {
            let mut sent: u64 = 0;
            while let Some(event) = events.next().await {
                if on_event.send(event).is_err() {
                    break; // dropping `events` cancels the turn
                }
                sent += 1;
            }
            Ok(serde_json::json!({ "streamed": sent }))
        }
    }
}

/// Voice events (levels, transcripts, speaking, errors) on a channel until the window stops
/// listening; the UI subscribes once. Level events can come 20 times a second: a slow window
/// misses some (the channel keeps the latest), never a transcript's place in order.
#[tauri::command]
pub async fn voice_events<R: tauri::Runtime>(
    core: CoreState<'_>,
    webview: tauri::Webview<R>,
    on_event: JavaScriptChannelId,
) -> Result<(), ApiError> {
    let on_event = on_event.channel_on::<R, VoiceEvent>(webview);
    let mut events = core.voice_events();
    loop {
        match events.recv().await {
            Ok(event) => {
                if on_event.send(event).is_err() {
                    return Ok(());
                }
            }
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                tracing::debug!(missed = n, "voice events: the window fell behind");
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
        }
    }
}

/// Sync's status on a channel, now and at every change, until the window stops listening (the
/// sync indicator and the account section subscribe).
#[tauri::command]
pub async fn sync_events<R: tauri::Runtime>(
    core: CoreState<'_>,
    webview: tauri::Webview<R>,
    on_event: JavaScriptChannelId,
) -> Result<(), ApiError> {
    let on_event = on_event.channel_on::<R, SyncStatus>(webview);
    let mut status = core.sync_watch();
    loop {
        let now = status.borrow_and_update().clone();
        if on_event.send(now).is_err() || status.changed().await.is_err() {
            return Ok(());
        }
    }
}

/// The page is ready to draw its first screen: show the window (created hidden, see
/// `lib.rs`). A window shown before its page has loaded can stall on Linux: WebKitGTK's first
/// draw of the view waits up to 500 ms for the page's first frame while the page waits for its
/// files, which the same (waiting) thread serves.
#[tauri::command]
pub fn window_show<R: tauri::Runtime>(window: tauri::WebviewWindow<R>) -> Result<(), ApiError> {
    window.show().map_err(|e| {
        tracing::warn!(error = %e, "could not show the window");
        ApiError::new(ErrorKind::Internal, format!("could not show the window: {e}"))
    })
}

/// The UI has painted its first screen (the thread list): logs how long start-up took, starts
/// sync (once) and, when `SPEASY_STARTUP_PROBE` is set (the start-up benchmark), prints it on
/// stdout, after the milestones on the way (the shell's, and the UI's `marks`: name → wall-clock ms since the
/// epoch) as `speasy-mark <ms> <name>` lines, all in ms since the process started.
#[tauri::command]
pub fn ui_painted(
    core: CoreState<'_>,
    started: State<'_, Arc<crate::Started>>,
    marks: Option<Vec<(String, f64)>>,
) {
    let ms = started.at.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(ms = format!("{ms:.1}"), "first screen painted");
    if !started.sync_started.swap(true, std::sync::atomic::Ordering::Relaxed) {
        let core = Arc::clone(core.inner());
        tauri::async_runtime::spawn(async move {
            if let Err(e) = core.sync_start() {
                tracing::warn!(error = %e.message, "sync could not start");
            }
        });
    }
    if std::env::var_os("SPEASY_STARTUP_PROBE").is_some() {
        let mut all: Vec<(String, f64)> = started
            .marks
            .lock()
            .map(|m| m.iter().map(|(n, t)| (n.to_string(), *t)).collect())
            .unwrap_or_default();
        all.extend(
            marks
                .unwrap_or_default()
                .into_iter()
                .map(|(n, t)| (format!("ui: {n}"), t - started.epoch_ms)),
        );
        all.sort_by(|a, b| a.1.total_cmp(&b.1));
        for (name, t) in all {
            println!("speasy-mark {t:.1} {name}");
        }
        println!("speasy-painted {ms:.1}");
    }
}
