//! IPC commands: each forwards to one `Core` method and returns its result or the one
//! serialisable `ApiError`. `async` so the work runs off the UI thread.

use std::sync::Arc;

use speasy_core::chatkit::protocol::StreamEvent;
use speasy_core::store::{SearchHit, Settings, SettingsPatch};
use speasy_core::{ApiError, AppInfo, ChatKitResponse, Core, ErrorKind, StoreStatus};
use tauri::State;
use tauri::ipc::Channel;

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

/// The ChatKit entry (and `speasy.*` requests): JSON ops answer their body; streaming ops send
/// each event on `on_event` and, when the turn ends, answer `{"streamed": n}` — how many events
/// were sent, since a large event can reach the page after this answer does. If the window
/// stops listening, the turn is cancelled (its partial answer is kept).
#[tauri::command]
pub async fn chatkit(
    core: CoreState<'_>,
    request: serde_json::Value,
    on_event: Channel<StreamEvent>,
) -> Result<serde_json::Value, ApiError> {
    let body = serde_json::to_vec(&request)
        .map_err(|e| ApiError::new(ErrorKind::InvalidInput, e.to_string()))?;
    match core.inner().chatkit(&body).await? {
        ChatKitResponse::Json(v) => Ok(v),
        ChatKitResponse::Stream(mut events) => {
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

/// The UI has painted its first screen (the thread list): logs how long start-up took and, when
/// `SPEASY_STARTUP_PROBE` is set (the start-up benchmark), prints it on stdout.
#[tauri::command]
pub fn ui_painted(started: State<'_, crate::Started>) {
    let ms = started.0.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(ms = format!("{ms:.1}"), "first screen painted");
    if std::env::var_os("SPEASY_STARTUP_PROBE").is_some() {
        println!("speasy-painted {ms:.1}");
    }
}
