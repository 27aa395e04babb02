//! [`Core`]: the one object front ends (the Tauri shell, the CLI) talk to. It owns the store
//! and the secret store and offers typed operations; the shell's commands are one-line adapters
//! onto these methods. A store that fails to open does not stop the app: the failure is kept and
//! reported through [`Core::store_status`], and [`Core::store_move_aside`] recovers from a bad
//! file without deleting it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::chatkit::{Order, Page, ThreadMetadata};
use crate::error::{ApiError, CoreError, ProviderError, StoreError};
use crate::paths::{self, APP_ID};
use crate::providers::openai::{Client, Endpoint, Policy};
use crate::providers::{Provider, ProviderKind, detect};
use crate::secrets::{KeyringStore, SecretName, SecretStore};
use crate::store::{self, DB_FILE, SearchHit, Settings, SettingsPatch, Store, ThreadSummary};

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

/// What the desktop app's first screen shows, read at start so the shell can put it in the page
/// with the page itself: the first frame then needs no request to the core. A part that cannot
/// be read is left out, and the UI asks for it the usual way (and shows that error).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FirstScreen {
    pub status: StoreStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub settings: Option<Settings>,
    /// The sidebar's first page: what `speasy.threads.list` answers for `threads_limit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub threads: Option<Page<ThreadSummary>>,
    #[ts(type = "number")]
    pub threads_limit: usize,
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
    /// A provider that takes precedence over the configured ones (the CLI's environment).
    pub provider_override: Option<ProviderOverride>,
    /// Timeouts and retries for provider calls.
    pub http_policy: Option<Policy>,
    /// Where to look for local model servers when no provider is configured.
    pub local_candidates: Option<Vec<(ProviderKind, String)>>,
    /// ElevenLabs' API base URL (tests point it at a stand-in).
    pub elevenlabs_base_url: Option<String>,
    /// Sync's batch sizes and timeouts.
    pub sync_options: Option<crate::sync::SyncOptions>,
    /// When sync runs.
    pub sync_schedule: Option<crate::sync::Schedule>,
}

/// A provider given from outside rather than configured (like the official OpenAI SDKs, the CLI
/// reads `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENROUTER_API_KEY` and `SPEASY_MODEL`).
#[derive(Clone)]
pub struct ProviderOverride {
    pub kind: ProviderKind,
    pub base_url: String,
    pub api_key: Option<SecretString>,
    pub model: Option<String>,
}

impl ProviderOverride {
    /// From the environment: `OPENAI_BASE_URL` (any OpenAI-compatible server) with
    /// `OPENAI_API_KEY`; else `OPENAI_API_KEY` alone (OpenAI); else `OPENROUTER_API_KEY`
    /// (OpenRouter, at `OPENROUTER_BASE_URL` if set). `None` when none is set.
    pub fn from_env() -> Option<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let model = var("SPEASY_MODEL");
        let openai_key = var("OPENAI_API_KEY").map(SecretString::from);
        if let Some(base) = var("OPENAI_BASE_URL") {
            let kind = if base.contains("api.openai.com") {
                ProviderKind::Openai
            } else {
                ProviderKind::Custom
            };
            return Some(Self { kind, base_url: base, api_key: openai_key, model });
        }
        if openai_key.is_some() {
            let base = ProviderKind::Openai.default_base_url().unwrap_or_default().to_owned();
            return Some(Self {
                kind: ProviderKind::Openai,
                base_url: base,
                api_key: openai_key,
                model,
            });
        }
        let key = var("OPENROUTER_API_KEY")?;
        let base = var("OPENROUTER_BASE_URL").unwrap_or_else(|| {
            ProviderKind::Openrouter.default_base_url().unwrap_or_default().to_owned()
        });
        Some(Self {
            kind: ProviderKind::Openrouter,
            base_url: base,
            api_key: Some(SecretString::from(key)),
            model,
        })
    }
}

/// A provider ready to call: endpoint with key, model and context window.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub endpoint: Endpoint,
    pub model: String,
    pub context_window: u32,
}

/// The model used when neither the message, the persona nor the provider names one.
fn fallback_model(kind: ProviderKind) -> Option<&'static str> {
    match kind {
        ProviderKind::Openai => Some("gpt-4o-mini"),
        ProviderKind::Openrouter => Some("openai/gpt-4o-mini"),
        _ => None,
    }
}

enum Slot {
    Open(Arc<Store>),
    Failed(StoreError),
}

pub struct Core {
    data_dir: PathBuf,
    store: RwLock<Slot>,
    secrets: Arc<dyn SecretStore>,
    policy: Policy,
    /// Built on first use: loading the TLS stack costs start-up time and memory that a
    /// session spent browsing offline never needs.
    client: OnceLock<Result<Client, ProviderError>>,
    provider_override: Option<ProviderOverride>,
    local_candidates: Vec<(ProviderKind, String)>,
    /// The turn answering in each thread, to refuse a second one and to stop it.
    turns: Mutex<HashMap<String, (u64, CancellationToken)>>,
    /// Deletes waiting out their undo window: thread id → the timer's cancel token.
    pending_deletes: Mutex<HashMap<String, CancellationToken>>,
    next_turn: std::sync::atomic::AtomicU64,
    /// The local API, when the app serves it.
    pub(crate) local_api: crate::api::LocalApi,
    /// Listening and reading aloud.
    pub(crate) voice: crate::voice::service::VoiceState,
    /// Sync through the person's Supabase project, once `sync_start` runs.
    sync: crate::sync::SyncService,
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
        let policy = config.http_policy.unwrap_or_default();
        Self {
            data_dir,
            store: RwLock::new(slot),
            secrets,
            policy,
            client: OnceLock::new(),
            provider_override: config.provider_override,
            local_candidates: config.local_candidates.unwrap_or_else(detect::default_candidates),
            turns: Mutex::new(HashMap::new()),
            pending_deletes: Mutex::new(HashMap::new()),
            next_turn: std::sync::atomic::AtomicU64::new(1),
            local_api: crate::api::LocalApi::default(),
            voice: crate::voice::service::VoiceState::new(config.elevenlabs_base_url),
            sync: crate::sync::SyncService::new(
                config.sync_options.unwrap_or_default(),
                config.sync_schedule.unwrap_or_default(),
            ),
        }
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
        // Sync follows the fresh file (which adopts its rows at the next pass).
        if let Err(e) = self.sync_start() {
            tracing::warn!(error = %e.message, "sync could not restart on the fresh store");
        }
        Ok(self.store_status())
    }

    /// Start sync with the project in the settings, if any (needs a Tokio runtime). Front ends
    /// call it once the core is up.
    pub fn sync_start(&self) -> Result<crate::sync::SyncStatus, ApiError> {
        let store = self.store()?;
        let project = store.settings()?.sync_project;
        self.sync.configure(store, Arc::clone(&self.secrets), project)?;
        Ok(self.sync.status())
    }

    /// Sync through `project` from now on, or stop (`None`). A different project than before
    /// (or none) ends the session and forgets the old server's account and cursors; the data
    /// stays, and is adopted by the next project at sign-in.
    pub async fn sync_configure(
        &self,
        project: Option<crate::sync::Project>,
    ) -> Result<crate::sync::SyncStatus, ApiError> {
        let project = project.map(|p| crate::sync::Project {
            url: p.url.trim().trim_end_matches('/').to_owned(),
            publishable_key: p.publishable_key.trim().to_owned(),
        });
        if let Some(p) = &project {
            p.validate()?;
        }
        let store = self.store()?;
        let before = store.settings()?.sync_project;
        let other_server = before.as_ref().map(|b| &b.url) != project.as_ref().map(|p| &p.url);
        if other_server && before.is_some() {
            // The session and what this device knows of the old server (account, cursors)
            // belong to it; with a new project, the data is adopted again at sign-in.
            if self.sync.status().account.is_some() {
                self.sync.sign_out().await?;
            }
            store.sync_unlink()?;
        }
        store.set_sync_project(project.as_ref())?;
        self.sync.configure(store, Arc::clone(&self.secrets), project)?;
        Ok(self.sync.status())
    }

    pub fn sync_status(&self) -> crate::sync::SyncStatus {
        self.sync.status()
    }

    /// The sync status as it changes (the sync indicator subscribes).
    pub fn sync_watch(&self) -> tokio::sync::watch::Receiver<crate::sync::SyncStatus> {
        self.sync.watch()
    }

    /// Run a sync pass now: "Sync now", or the window came to the front.
    pub fn sync_wake(&self) -> crate::sync::SyncStatus {
        self.sync.wake();
        self.sync.status()
    }

    pub async fn sync_sign_up(
        &self,
        email: &str,
        password: &str,
    ) -> Result<crate::sync::SignUp, ApiError> {
        Ok(self.sync.sign_up(email.trim(), password).await?)
    }

    pub async fn sync_sign_in(
        &self,
        email: &str,
        password: &str,
    ) -> Result<crate::sync::SyncStatus, ApiError> {
        self.sync.sign_in(email.trim(), password).await?;
        Ok(self.sync.status())
    }

    pub async fn sync_sign_out(&self) -> Result<crate::sync::SyncStatus, ApiError> {
        self.sync.sign_out().await?;
        Ok(self.sync.status())
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

    /// The first screen's data (see [`FirstScreen`]).
    pub fn first_screen(&self, threads_limit: usize) -> FirstScreen {
        let threads_limit = crate::chat::ops::summary_page_size(Some(threads_limit));
        let store = self.store().ok();
        let settings = store.as_ref().and_then(|s| {
            s.settings()
                .inspect_err(|e| tracing::warn!(error = %e, "first screen: no settings"))
                .ok()
        });
        let threads = store.as_ref().and_then(|s| {
            s.list_thread_summaries(threads_limit, None)
                .inspect_err(|e| tracing::warn!(error = %e, "first screen: no threads"))
                .ok()
        });
        FirstScreen { status: self.store_status(), settings, threads, threads_limit }
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

impl Core {
    /// The HTTP client for providers. Building it only fails when the TLS backend cannot
    /// load: kept and reported on every use, like a store that cannot open.
    pub(crate) fn client(&self) -> Result<&Client, ProviderError> {
        self.client
            .get_or_init(|| {
                Client::new(self.policy.clone()).inspect_err(|e| {
                    tracing::error!(error = %e, "no HTTP client: model providers cannot be reached");
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Register the turn answering in `thread_id`: its id, or `None` if one is already running.
    /// A cancelled turn that is still winding down does not block a new one.
    pub(crate) fn begin_turn(&self, thread_id: &str, token: CancellationToken) -> Option<u64> {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        if turns.get(thread_id).is_some_and(|(_, t)| !t.is_cancelled()) {
            return None;
        }
        let id = self.next_turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        turns.insert(thread_id.to_owned(), (id, token));
        Some(id)
    }

    /// Forget turn `id` of `thread_id` (not a newer turn that replaced it).
    pub(crate) fn end_turn(&self, thread_id: &str, id: u64) {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        if turns.get(thread_id).is_some_and(|(current, _)| *current == id) {
            turns.remove(thread_id);
        }
    }

    /// Delete a thread once `delay` has passed, unless [`restore_thread`](Self::restore_thread)
    /// comes first (the app's Undo). Quitting does not lose it:
    /// [`flush_pending_deletes`](Self::flush_pending_deletes) runs it at once.
    pub fn delete_thread_later(
        self: &Arc<Self>,
        thread_id: &str,
        delay: std::time::Duration,
    ) -> Result<(), ApiError> {
        self.store()?.load_thread(thread_id)?; // an unknown id is an error now, not later
        let token = CancellationToken::new();
        let replaced = self
            .pending_deletes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(thread_id.to_owned(), token.clone());
        if let Some(old) = replaced {
            old.cancel();
        }
        let core = Arc::clone(self);
        let id = thread_id.to_owned();
        tokio::spawn(async move {
            tokio::select! {
                () = token.cancelled() => {}
                () = tokio::time::sleep(delay) => core.delete_pending(&id, &token),
            }
        });
        Ok(())
    }

    /// Take back a delete still in its undo window; `false` if there was none.
    pub fn restore_thread(&self, thread_id: &str) -> bool {
        let token =
            self.pending_deletes.lock().unwrap_or_else(|p| p.into_inner()).remove(thread_id);
        token.inspect(CancellationToken::cancel).is_some()
    }

    /// Run every delete still waiting for its undo window (the app is quitting).
    pub fn flush_pending_deletes(&self) {
        let pending: Vec<(String, CancellationToken)> =
            self.pending_deletes.lock().unwrap_or_else(|p| p.into_inner()).drain().collect();
        for (id, token) in pending {
            token.cancel();
            self.delete_now(&id);
        }
    }

    /// The timer of `thread_id` fired: delete it if that timer is still the current one.
    fn delete_pending(&self, thread_id: &str, token: &CancellationToken) {
        let mut pending = self.pending_deletes.lock().unwrap_or_else(|p| p.into_inner());
        let current = pending.get(thread_id).is_some_and(|t| !t.is_cancelled() && t == token);
        if current {
            pending.remove(thread_id);
            drop(pending);
            self.delete_now(thread_id);
        }
    }

    fn delete_now(&self, thread_id: &str) {
        self.cancel_turn(thread_id);
        let deleted = self
            .store()
            .map_err(ApiError::from)
            .and_then(|s| s.delete_thread(thread_id).map_err(ApiError::from));
        if let Err(e) = deleted {
            tracing::warn!(thread = thread_id, error = %e.message, "could not delete the thread");
        }
    }

    /// Whether an answer is being written in a thread right now.
    pub fn is_answering(&self, thread_id: &str) -> bool {
        let turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        turns.get(thread_id).is_some_and(|(_, t)| !t.is_cancelled())
    }

    /// Stop the answer being written in a thread, if any (its partial text is kept).
    pub fn cancel_turn(&self, thread_id: &str) -> bool {
        let turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        match turns.get(thread_id) {
            Some((_, t)) if !t.is_cancelled() => {
                t.cancel();
                true
            }
            _ => false,
        }
    }

    /// Look for local model servers and add those found as providers. Returns the new ones.
    pub async fn detect_local_providers(&self) -> Result<Vec<Provider>, ApiError> {
        let store = self.store()?;
        let known: Vec<String> = store.list_providers()?.into_iter().map(|p| p.base_url).collect();
        let found = detect::probe(self.local_candidates.clone()).await;
        let mut taken: Vec<String> = store.list_providers()?.into_iter().map(|p| p.id).collect();
        let mut added = Vec::new();
        for f in found.into_iter().filter(|f| !known.contains(&f.base_url)) {
            let id = crate::providers::free_id(f.kind, &taken);
            taken.push(id.clone());
            let p = Provider {
                id,
                kind: f.kind,
                name: f.kind.label().to_owned(),
                base_url: f.base_url,
                key_secret: None,
                default_model: f.models.first().map(|m| m.id.clone()),
                context_window: None,
            };
            store.save_provider(&p)?;
            tracing::info!(provider = %p.name, url = %p.base_url, "found a local model server");
            added.push(p);
        }
        Ok(added)
    }

    /// An endpoint (with its key) for a configured provider. The keychain is asked off the
    /// async workers: on Linux it is a D-Bus round trip, and may wait for an unlock prompt.
    pub async fn endpoint(&self, p: &Provider) -> Result<Endpoint, ApiError> {
        let api_key = match &p.key_secret {
            Some(name) => {
                let name = SecretName::new(name)?;
                let secrets = Arc::clone(&self.secrets);
                tokio::task::spawn_blocking(move || secrets.get(&name))
                    .await
                    .map_err(|e| ApiError::new(crate::ErrorKind::Internal, e.to_string()))??
            }
            None => None,
        };
        if api_key.is_none() && p.kind.needs_key() {
            return Err(ProviderError::MissingKey { provider: p.name.clone() }.into());
        }
        Ok(Endpoint { label: p.name.clone(), kind: p.kind, base_url: p.base_url.clone(), api_key })
    }

    /// The endpoint of the provider given from outside (the CLI's environment), if any.
    pub(crate) fn override_endpoint(&self) -> Result<Option<Endpoint>, ApiError> {
        let Some(o) = &self.provider_override else { return Ok(None) };
        Ok(Some(Endpoint {
            label: o.kind.label().to_owned(),
            kind: o.kind,
            base_url: crate::providers::normalise_base_url(&o.base_url)?,
            api_key: o.api_key.clone(),
        }))
    }

    /// The provider and model for a turn: the override (CLI environment) if any, else the
    /// default provider (first run: local servers found on loopback). `model` is what the
    /// message or persona asked for.
    pub async fn resolve_provider(&self, model: Option<String>) -> Result<Resolved, ApiError> {
        let window = crate::chat::context::DEFAULT_CONTEXT_WINDOW;
        if let (Some(o), Some(endpoint)) = (&self.provider_override, self.override_endpoint()?) {
            let model = match model.or_else(|| o.model.clone()) {
                Some(m) => m,
                None => self.first_model(&endpoint, o.kind).await?,
            };
            return Ok(Resolved { endpoint, model, context_window: window });
        }
        let store = self.store()?;
        let mut providers = store.list_providers()?;
        if providers.is_empty() {
            providers = self.detect_local_providers().await?;
        }
        let wanted = store.settings()?.default_provider;
        let p = wanted
            .and_then(|id| providers.iter().find(|p| p.id == id).cloned())
            .or_else(|| providers.first().cloned())
            .ok_or(ProviderError::NoProvider)?;
        let endpoint = self.endpoint(&p).await?;
        let model = match model.or_else(|| p.default_model.clone()) {
            Some(m) => m,
            None => self.first_model(&endpoint, p.kind).await?,
        };
        Ok(Resolved { endpoint, model, context_window: p.context_window.unwrap_or(window) })
    }

    async fn first_model(&self, ep: &Endpoint, kind: ProviderKind) -> Result<String, ApiError> {
        if let Some(m) = fallback_model(kind) {
            return Ok(m.to_owned());
        }
        let models = self.client()?.list_models(ep).await?;
        models.into_iter().next().map(|m| m.id).ok_or_else(|| {
            ProviderError::InvalidConfig(format!(
                "{} offers no model. Load or download one there first.",
                ep.label
            ))
            .into()
        })
    }
}
