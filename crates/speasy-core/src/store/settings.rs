//! App settings: a typed [`Settings`] over a key/value table (values are JSON). Unknown or
//! unreadable stored values fall back to the default for that key, so a setting written by a
//! newer version never stops an older one from starting.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Store;
use crate::error::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    System,
}

/// Every setting, with its current value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    pub theme: Theme,
    /// The provider used when a thread's persona does not name one (`None`: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default_provider: Option<String>,
    /// Serve the local API (`POST /chatkit`...) on 127.0.0.1 while the app runs.
    pub api_enabled: bool,
    /// Its port.
    pub api_port: u16,
}

/// The local API's port unless the person picks another.
pub const DEFAULT_API_PORT: u16 = 8787;

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            default_provider: None,
            api_enabled: false,
            api_port: DEFAULT_API_PORT,
        }
    }
}

/// A change to some settings; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[ts(export)]
pub struct SettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub theme: Option<Theme>,
    /// `""` clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default_provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_enabled: Option<bool>,
    /// `0` is refused: the port must be fixed for clients to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_port: Option<u16>,
}

fn read_key<T: serde::de::DeserializeOwned + Default>(rows: &[(String, String)], key: &str) -> T {
    rows.iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| match serde_json::from_str(v) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(key, error = %e, "ignoring unreadable setting");
                None
            }
        })
        .unwrap_or_default()
}

impl Store {
    pub fn settings(&self) -> Result<Settings, StoreError> {
        let rows: Vec<(String, String)> = self.read(|c| {
            let mut st = c.prepare_cached("SELECT key, value FROM settings")?;
            Ok(st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        Ok(Settings {
            theme: read_key(&rows, "theme"),
            default_provider: read_key::<Option<String>>(&rows, "default_provider"),
            api_enabled: read_key(&rows, "api_enabled"),
            api_port: read_key::<Option<u16>>(&rows, "api_port")
                .filter(|p| *p != 0)
                .unwrap_or(DEFAULT_API_PORT),
        })
    }

    pub fn update_settings(&self, patch: &SettingsPatch) -> Result<Settings, StoreError> {
        let mut changes: Vec<(&str, String)> = Vec::new();
        if let Some(theme) = patch.theme {
            changes.push(("theme", serde_json::to_string(&theme)?));
        }
        if let Some(p) = &patch.default_provider {
            let v = (!p.is_empty()).then_some(p);
            changes.push(("default_provider", serde_json::to_string(&v)?));
        }
        if let Some(enabled) = patch.api_enabled {
            changes.push(("api_enabled", serde_json::to_string(&enabled)?));
        }
        if let Some(port) = patch.api_port {
            if port == 0 {
                return Err(StoreError::Invalid(
                    "the local API needs a fixed port (1-65535)".into(),
                ));
            }
            changes.push(("api_port", serde_json::to_string(&port)?));
        }
        self.write(|w| {
            for (key, value) in &changes {
                w.tx.execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                                                     updated_at = excluded.updated_at",
                    params![key, value, w.now()],
                )?;
            }
            Ok(())
        })?;
        self.settings()
    }
}
