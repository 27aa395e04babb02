//! Speasy's own operations, sent through the same entry as ChatKit's under `speasy.*` types:
//! `{"type": "speasy.facts.list", "params": {...}}`. Each answers JSON. The request enum is
//! exported to TypeScript (`SpeasyOp`), so the UI's calls are checked against it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

use crate::Core;
use crate::error::{ApiError, ErrorKind};
use crate::providers::{self, ModelInfo, Provider, ProviderInput, ProviderKind};
use crate::secrets::{Incoming, SecretName};
use crate::store::{FactStatus, PersonaInput, SettingsPatch};

/// The sidebar's page size for `speasy.threads.list` (and the first screen): 100 unless asked,
/// at most 500.
pub(crate) fn summary_page_size(limit: Option<usize>) -> usize {
    limit.unwrap_or(100).clamp(1, 500)
}

/// A `speasy.*` request.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(tag = "type", content = "params")]
#[ts(export, rename = "SpeasyOp")]
pub enum Op {
    /// Facts with the given statuses (default: saved), most recently changed first.
    #[serde(rename = "speasy.facts.list")]
    FactsList {
        #[serde(default)]
        #[ts(optional)]
        status: Option<Vec<FactStatus>>,
    },
    #[serde(rename = "speasy.facts.save")]
    FactsSave { fact_id: String },
    #[serde(rename = "speasy.facts.discard")]
    FactsDiscard { fact_id: String },
    #[serde(rename = "speasy.facts.update")]
    FactsUpdate { fact_id: String, text: String },
    #[serde(rename = "speasy.facts.delete")]
    FactsDelete { fact_id: String },
    #[serde(rename = "speasy.personas.list")]
    PersonasList {},
    #[serde(rename = "speasy.personas.create")]
    PersonasCreate { persona: PersonaInput },
    #[serde(rename = "speasy.personas.update")]
    PersonasUpdate { persona_id: String, persona: PersonaInput },
    #[serde(rename = "speasy.personas.delete")]
    PersonasDelete { persona_id: String },
    /// Bind a thread to a persona.
    #[serde(rename = "speasy.threads.set_persona")]
    ThreadsSetPersona { thread_id: String, persona_id: String },
    /// Threads for the sidebar: pinned first, then most recently active.
    #[serde(rename = "speasy.threads.list")]
    ThreadsList {
        #[serde(default)]
        #[ts(optional)]
        after: Option<String>,
        #[serde(default)]
        #[ts(optional)]
        limit: Option<usize>,
    },
    /// One thread's summary: persona, pinned state, last activity.
    #[serde(rename = "speasy.threads.get")]
    ThreadsGet { thread_id: String },
    /// Delete a thread after `delay_ms` (its Undo window), unless restored first.
    #[serde(rename = "speasy.threads.delete_later")]
    ThreadsDeleteLater { thread_id: String, delay_ms: u32 },
    /// Undo a delete still in its window.
    #[serde(rename = "speasy.threads.restore")]
    ThreadsRestore { thread_id: String },
    /// Pin or unpin a thread.
    #[serde(rename = "speasy.threads.pin")]
    ThreadsPin { thread_id: String, pinned: bool },
    /// Stop the answer being written in a thread (the partial text is kept).
    #[serde(rename = "speasy.threads.cancel")]
    ThreadsCancel { thread_id: String },
    /// The microphones and speakers to pick from.
    #[serde(rename = "speasy.voice.devices")]
    VoiceDevices {},
    /// Open the microphone (events: `VoiceEvent`s).
    #[serde(rename = "speasy.voice.listen")]
    VoiceListen { mode: crate::voice::service::ListenMode },
    /// Push-to-talk let go: transcribe what was said.
    #[serde(rename = "speasy.voice.release")]
    VoiceRelease {},
    #[serde(rename = "speasy.voice.stop_listening")]
    VoiceStopListening {},
    /// Read a message aloud.
    #[serde(rename = "speasy.voice.read")]
    VoiceRead { thread_id: String, item_id: String },
    #[serde(rename = "speasy.voice.stop_speaking")]
    VoiceStopSpeaking {},
    /// Skip the sentence being read.
    #[serde(rename = "speasy.voice.skip")]
    VoiceSkip {},
    #[serde(rename = "speasy.search")]
    Search {
        query: String,
        #[serde(default)]
        #[ts(optional)]
        limit: Option<usize>,
    },
    #[serde(rename = "speasy.settings.get")]
    SettingsGet {},
    #[serde(rename = "speasy.settings.update")]
    SettingsUpdate { patch: SettingsPatch },
    #[serde(rename = "speasy.providers.list")]
    ProvidersList {},
    /// Create (no `id` or an unknown one) or change a provider; an `api_key` goes to the keychain.
    #[serde(rename = "speasy.providers.upsert")]
    ProvidersUpsert { provider: ProviderInput },
    #[serde(rename = "speasy.providers.delete")]
    ProvidersDelete { provider_id: String },
    /// The provider's models (`GET /models`).
    #[serde(rename = "speasy.providers.models")]
    ProvidersModels { provider_id: String },
    /// Look for local servers (Ollama, LM Studio, llama.cpp) and add those found.
    /// The provider and model a new message would use (with this model chosen in the
    /// composer), or the reason none is usable — what the composer shows before sending.
    #[serde(rename = "speasy.providers.active")]
    ProvidersActive {
        #[serde(default)]
        #[ts(optional)]
        model: Option<String>,
    },
    #[serde(rename = "speasy.providers.detect")]
    ProvidersDetect {},
    /// The local API's state (never its token).
    #[serde(rename = "speasy.api.status")]
    ApiStatus {},
    /// Turn the local API on or off, move it, or set its token (write-only).
    #[serde(rename = "speasy.api.configure")]
    ApiConfigure {
        #[serde(default)]
        #[ts(optional)]
        enabled: Option<bool>,
        #[serde(default)]
        #[ts(optional)]
        port: Option<u16>,
        #[serde(default)]
        #[ts(optional)]
        token: Option<crate::secrets::Incoming>,
    },
    #[serde(rename = "speasy.health")]
    Health {},
    /// Sync's state: project, account, last synced, pending changes, errors, progress.
    #[serde(rename = "speasy.sync.status")]
    SyncStatus {},
    /// Sync through this Supabase project (URL and publishable key), or stop (`null`).
    #[serde(rename = "speasy.sync.configure")]
    SyncConfigure { project: Option<crate::sync::Project> },
    /// Create an account in the project (signed in at once unless it confirms emails).
    #[serde(rename = "speasy.sync.sign_up")]
    SyncSignUp { email: String, password: Incoming },
    #[serde(rename = "speasy.sync.sign_in")]
    SyncSignIn { email: String, password: Incoming },
    #[serde(rename = "speasy.sync.sign_out")]
    SyncSignOut {},
    /// Run a pass now ("Sync now", window focus).
    #[serde(rename = "speasy.sync.now")]
    SyncNow {},
}

/// A provider as front ends see it: whether a key is set, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderView {
    #[serde(flatten)]
    pub provider: Provider,
    pub has_key: bool,
}

/// `GET /health` and `speasy.health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Health {
    /// `ok`, or `degraded` when the database is not usable.
    pub status: String,
    pub version: String,
    pub database: DatabaseHealth,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DatabaseHealth {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

fn to_json<T: Serialize>(v: T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))
}

impl Core {
    /// Health: version and whether the database answers.
    pub fn health(&self) -> Health {
        let db = self.store().map_err(ApiError::from).and_then(|s| {
            s.schema_version().map_err(ApiError::from)?;
            Ok(())
        });
        let (status, error) = match db {
            Ok(()) => ("ok", None),
            Err(e) => ("degraded", Some(e.message)),
        };
        Health {
            status: status.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            database: DatabaseHealth { ok: error.is_none(), error },
        }
    }

    fn provider_view(&self, p: Provider) -> Result<ProviderView, ApiError> {
        let has_key = match &p.key_secret {
            Some(name) => self.secrets().exists(&SecretName::new(name)?)?,
            None => false,
        };
        Ok(ProviderView { provider: p, has_key })
    }

    fn upsert_provider(&self, input: ProviderInput) -> Result<Provider, ApiError> {
        let store = self.store()?;
        let existing = match &input.id {
            Some(id) => match store.load_provider(id) {
                Ok(p) => Some(p),
                Err(crate::StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let mut p = match existing {
            Some(p) => p,
            None => {
                let kind = input.kind.unwrap_or(ProviderKind::Custom);
                let id = match &input.id {
                    Some(id) => id.clone(),
                    None => {
                        let taken: Vec<String> =
                            store.list_providers()?.into_iter().map(|p| p.id).collect();
                        providers::free_id(kind, &taken)
                    }
                };
                let base_url = input
                    .base_url
                    .clone()
                    .or_else(|| kind.default_base_url().map(str::to_owned))
                    .ok_or_else(|| {
                        ApiError::new(ErrorKind::InvalidInput, "a custom provider needs a base URL")
                    })?;
                Provider {
                    id,
                    kind,
                    name: kind.label().to_owned(),
                    base_url,
                    key_secret: None,
                    default_model: None,
                    context_window: None,
                }
            }
        };
        providers::check_id(&p.id)?;
        if let Some(kind) = input.kind {
            p.kind = kind;
        }
        if let Some(name) = input.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) {
            p.name = name;
        }
        let old_url = p.base_url.clone();
        if let Some(url) = &input.base_url {
            p.base_url = url.clone();
        }
        p.base_url = providers::normalise_base_url(&p.base_url)?;
        // A key belongs to the server it was given for: pointing the provider elsewhere without
        // a new key forgets it, so it is never sent to a host it was not meant for.
        if p.base_url != old_url
            && input.api_key.is_none()
            && let Some(name) = p.key_secret.take()
        {
            self.secret_delete(&name)?;
        }
        if let Some(m) = input.default_model {
            p.default_model = Some(m.trim().to_owned()).filter(|m| !m.is_empty());
        }
        if input.context_window.is_some() {
            p.context_window = input.context_window.filter(|w| *w > 0);
        }
        if let Some(key) = input.api_key {
            let name = Provider::secret_name_for(&p.id);
            self.secret_set(&name, key.into_inner())?;
            p.key_secret = Some(name);
        }
        store.save_provider(&p)?;
        Ok(p)
    }
}

/// Run a `speasy.*` operation.
pub async fn run(core: &Arc<Core>, op: Op) -> Result<Value, ApiError> {
    let store = || core.store().map_err(ApiError::from);
    match op {
        Op::FactsList { status } => {
            let status = status.unwrap_or_else(|| vec![FactStatus::Saved]);
            to_json(store()?.list_facts(&status)?)
        }
        Op::FactsSave { fact_id } => {
            to_json(store()?.set_fact_status(&fact_id, FactStatus::Saved)?)
        }
        Op::FactsDiscard { fact_id } => {
            to_json(store()?.set_fact_status(&fact_id, FactStatus::Discarded)?)
        }
        Op::FactsUpdate { fact_id, text } => to_json(store()?.set_fact_text(&fact_id, &text)?),
        Op::FactsDelete { fact_id } => {
            store()?.delete_fact(&fact_id)?;
            Ok(json!({}))
        }
        Op::PersonasList {} => to_json(store()?.list_personas()?),
        Op::PersonasCreate { persona } => to_json(store()?.create_persona(&persona)?),
        Op::PersonasUpdate { persona_id, persona } => {
            to_json(store()?.update_persona(&persona_id, &persona)?)
        }
        Op::PersonasDelete { persona_id } => {
            store()?.delete_persona(&persona_id)?;
            Ok(json!({}))
        }
        Op::ThreadsSetPersona { thread_id, persona_id } => {
            store()?.set_thread_persona(&thread_id, &persona_id)?;
            Ok(json!({}))
        }
        Op::ThreadsList { after, limit } => {
            let limit = summary_page_size(limit);
            to_json(store()?.list_thread_summaries(limit, after.as_deref())?)
        }
        Op::ThreadsGet { thread_id } => {
            let mut summary = store()?.load_thread_summary(&thread_id)?;
            summary.answering = core.is_answering(&thread_id);
            to_json(summary)
        }
        Op::ThreadsDeleteLater { thread_id, delay_ms } => {
            let delay = std::time::Duration::from_millis(u64::from(delay_ms.min(60_000)));
            core.delete_thread_later(&thread_id, delay)?;
            Ok(json!({}))
        }
        Op::ThreadsRestore { thread_id } => {
            Ok(json!({ "restored": core.restore_thread(&thread_id) }))
        }
        Op::ThreadsPin { thread_id, pinned } => {
            store()?.set_thread_pinned(&thread_id, pinned)?;
            Ok(json!({}))
        }
        Op::ThreadsCancel { thread_id } => Ok(json!({ "cancelled": core.cancel_turn(&thread_id) })),
        Op::Search { query, limit } => to_json(core.search(&query, limit.unwrap_or(20))?),
        Op::SettingsGet {} => to_json(core.settings()?),
        Op::SettingsUpdate { patch } => to_json(core.update_settings(&patch)?),
        Op::ProvidersList {} => {
            let list = store()?.list_providers()?;
            to_json(list.into_iter().map(|p| core.provider_view(p)).collect::<Result<Vec<_>, _>>()?)
        }
        Op::ProvidersUpsert { provider } => {
            let p = core.upsert_provider(provider)?;
            to_json(core.provider_view(p)?)
        }
        Op::ProvidersDelete { provider_id } => {
            let store = store()?;
            let p = store.load_provider(&provider_id)?;
            if let Some(name) = &p.key_secret {
                core.secret_delete(name)?;
            }
            store.delete_provider(&provider_id)?;
            Ok(json!({}))
        }
        Op::ProvidersModels { provider_id } => {
            let p = store()?.load_provider(&provider_id)?;
            let ep = core.endpoint(&p).await?;
            let models: Vec<ModelInfo> = core.client()?.list_models(&ep).await?;
            to_json(models)
        }
        Op::ProvidersActive { model } => {
            let resolved = core.resolve_provider(model).await?;
            Ok(json!({ "provider_name": resolved.endpoint.label, "model": resolved.model }))
        }
        Op::ProvidersDetect {} => {
            let added = core.detect_local_providers().await?;
            to_json(
                added.into_iter().map(|p| core.provider_view(p)).collect::<Result<Vec<_>, _>>()?,
            )
        }
        Op::ApiStatus {} => to_json(core.api_status().await?),
        Op::ApiConfigure { enabled, port, token } => {
            to_json(core.api_configure(enabled, port, token.map(Incoming::into_inner)).await?)
        }
        Op::Health {} => to_json(core.health()),
        Op::SyncStatus {} => to_json(core.sync_status()),
        Op::SyncConfigure { project } => to_json(core.sync_configure(project).await?),
        Op::SyncSignUp { email, password } => {
            to_json(core.sync_sign_up(&email, password.as_str()).await?)
        }
        Op::SyncSignIn { email, password } => {
            to_json(core.sync_sign_in(&email, password.as_str()).await?)
        }
        Op::SyncSignOut {} => to_json(core.sync_sign_out().await?),
        Op::SyncNow {} => to_json(core.sync_wake()),
        Op::VoiceDevices {} => to_json(core.voice_devices().await?),
        Op::VoiceListen { mode } => {
            core.voice_listen(mode).await?;
            Ok(json!({}))
        }
        Op::VoiceRelease {} => {
            core.voice_release();
            Ok(json!({}))
        }
        Op::VoiceStopListening {} => {
            core.voice_stop_listening();
            Ok(json!({}))
        }
        Op::VoiceRead { thread_id, item_id } => {
            core.voice_read_item(&thread_id, &item_id).await?;
            Ok(json!({}))
        }
        Op::VoiceStopSpeaking {} => {
            core.voice_stop_speaking();
            Ok(json!({}))
        }
        Op::VoiceSkip {} => {
            core.voice_skip().await;
            Ok(json!({}))
        }
    }
}
