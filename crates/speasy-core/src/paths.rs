//! Where Speasy keeps its data: the OS app data dir (the same folder Tauri's `app_data_dir`
//! names for our identifier), or `SPEASY_DATA_DIR` when set.

use std::path::PathBuf;

/// The app identifier (matches `identifier` in tauri.conf.json).
pub const APP_ID: &str = "app.speasy.desktop";

/// Environment variable that overrides the data dir.
pub const DATA_DIR_ENV: &str = "SPEASY_DATA_DIR";

/// The data dir: `$SPEASY_DATA_DIR`, else e.g. `~/.local/share/app.speasy.desktop` on Linux,
/// `~/Library/Application Support/app.speasy.desktop` on macOS, `%APPDATA%\app.speasy.desktop`
/// on Windows. `None` only when the OS reports no home directory.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::BaseDirs::new().map(|b| b.data_dir().join(APP_ID)),
    }
}
