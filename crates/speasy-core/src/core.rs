//! [`Core`]: the one object front ends (the Tauri shell, the CLI) talk to. It owns the store
//! and the secret store and offers typed operations; the shell's commands are one-line adapters
//! onto these methods. A store that fails to open does not stop the app: the failure is kept and
//! reported through [`Core::store_status`], and [`Core::store_move_aside`] recovers from a bad
//! file without deleting it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chatkit::{Order, Page, ThreadMetadata};
use crate::error::{ApiError, CoreError, StoreError};
use crate::paths::{self, APP_ID};
use crate::secrets::{KeyringStore, SecretName, SecretStore};
use crate::store::{self, DB_FILE, SearchHit, Settings, SettingsPatch, Store};

/// What the app shows about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    #[ts(type = "number")]
    pub schema_version: i64,
    pub secret_backend: String,
}

/// Whether the local store is usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum StoreStatus {
    Ready,
    Failed { error: ApiError, can_move_aside: bool },
}

/// How to start the core.
#[derive(Default)]
pub struct CoreConfig {
    /// Defaults to [`paths::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// Defaults to the OS keychain under the service name `$SPEASY_KEYRING_SERVICE` or the app id.
    pub secrets: Option<Arc<dyn SecretStore>>,
}

enum Slot {
    Open(Arc<Store>),
    Failed(StoreError),
}

pub struct Core {
    data_dir: PathBuf,
    store: RwLock<Slot>,
    secrets: Arc<dyn SecretStore>,
}

const MAX_PAGE: usize = 200;

impl Core {
    /// Start the core. Never fails: a store that cannot open is reported by `store_status`.
    pub fn start(config: CoreConfig) -> Self {
        let data_dir = config
            .data_dir
            .or_else(paths::data_dir)
            .unwrap_or_else(|| std::env::temp_dir().join(APP_ID));
        let secrets = config.secrets.unwrap_or_else(|| {
            let service = std::env::var("SPEASY_KEYRING_SERVICE")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| APP_ID.to_owned());
            Arc::new(KeyringStore::detect(&service))
        });
        let slot = Self::open_slot(&data_dir);
        Self { data_dir, store: RwLock::new(slot), secrets }
    }

    fn open_slot(data_dir: &Path) -> Slot {
        match Store::open_in(data_dir) {
            Ok(s) => Slot::Open(Arc::new(s)),
            Err(e) => {
                tracing::error!(error = %e, "could not open the local store");
                Slot::Failed(e)
            }
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The open store, or why there is none.
    pub fn store(&self) -> Result<Arc<Store>, CoreError> {
        match &*self.store.read().unwrap_or_else(|p| p.into_inner()) {
            Slot::Open(s) => Ok(Arc::clone(s)),
            Slot::Failed(e) => Err(CoreError::StoreUnavailable(e.to_string())),
        }
    }

    pub fn store_status(&self) -> StoreStatus {
        match &*self.store.read().unwrap_or_else(|p| p.into_inner()) {
            Slot::Open(_) => StoreStatus::Ready,
            Slot::Failed(e) => StoreStatus::Failed {
                error: ApiError::new(e.into(), e.to_string()),
                can_move_aside: e.can_move_aside(),
            },
        }
    }

    /// Rename an unreadable database file out of the way (kept, not deleted) and open a fresh
    /// store. Only allowed when the failure is one that moving aside fixes.
    pub fn store_move_aside(&self) -> Result<StoreStatus, ApiError> {
        let mut slot = self.store.write().unwrap_or_else(|p| p.into_inner());
        match &*slot {
            Slot::Open(_) => return Ok(StoreStatus::Ready),
            Slot::Failed(e) if !e.can_move_aside() => {
                return Err(ApiError::new(e.into(), e.to_string()));
            }
            Slot::Failed(_) => {}
        }
        let moved = store::move_aside(&self.data_dir.join(DB_FILE))?;
        tracing::warn!(kept_at = %moved.display(), "started a fresh store");
        *slot = Self::open_slot(&self.data_dir);
        drop(slot);
        Ok(self.store_status())
    }

    pub fn app_info(&self) -> Result<AppInfo, ApiError> {
        let store = self.store()?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.data_dir.display().to_string(),
            database_path: store.path().display().to_string(),
            schema_version: store.schema_version()?,
            secret_backend: self.secrets.backend(),
        })
    }

    pub fn settings(&self) -> Result<Settings, ApiError> {
        Ok(self.store()?.settings()?)
    }

    pub fn update_settings(&self, patch: &SettingsPatch) -> Result<Settings, ApiError> {
        Ok(self.store()?.update_settings(patch)?)
    }

    /// Store a secret in the keychain. The value is never returned to a front end.
    pub fn secret_set(&self, name: &str, value: String) -> Result<(), ApiError> {
        let name = SecretName::new(name)?;
        Ok(self.secrets.set(&name, &SecretString::from(value))?)
    }

    pub fn secret_delete(&self, name: &str) -> Result<(), ApiError> {
        Ok(self.secrets.delete(&SecretName::new(name)?)?)
    }

    pub fn secret_exists(&self, name: &str) -> Result<bool, ApiError> {
        Ok(self.secrets.exists(&SecretName::new(name)?)?)
    }

    /// For the core's own callers (providers): the secret store.
    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, ApiError> {
        Ok(self.store()?.search(query, limit.clamp(1, MAX_PAGE))?)
    }

    pub fn threads_list(
        &self,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Page<ThreadMetadata>, ApiError> {
        let limit = limit.unwrap_or(20).clamp(1, MAX_PAGE);
        Ok(self.store()?.load_threads(limit, after, Order::Desc)?)
    }
}
