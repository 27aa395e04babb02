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

/// Which service turns speech into text, or text into speech.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SpeechService {
    /// A configured provider that speaks OpenAI's audio API (OpenAI, or a custom server), else
    /// ElevenLabs when its key is set, else (reading aloud) the system voice.
    #[default]
    Auto,
    /// This provider (OpenAI or an OpenAI-compatible server: Groq, a local Whisper server...).
    Provider { id: String },
    /// ElevenLabs, with the key stored as [`ELEVENLABS_SECRET`].
    #[serde(rename = "elevenlabs")]
    ElevenLabs,
    /// The offline system voice (reading aloud only): Speech Dispatcher, AVSpeechSynthesizer,
    /// WinRT. `Auto` falls back to it when no service is set up.
    System,
    /// None: the microphone button or read-aloud says so.
    Off,
}

/// The keychain entry of the ElevenLabs API key.
pub const ELEVENLABS_SECRET: &str = "voice.elevenlabs";

/// Voice settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(default)]
#[ts(export)]
pub struct VoiceSettings {
    /// The microphone (an `AudioDevice` id); `None`: the system default.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub input_device: Option<String>,
    /// The speaker; `None`: the system default.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub output_device: Option<String>,
    pub stt: SpeechService,
    /// `None`: the service's default (`gpt-4o-mini-transcribe`, `scribe_v1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stt_model: Option<String>,
    pub tts: SpeechService,
    /// `None`: the service's default (`gpt-4o-mini-tts`, `eleven_turbo_v2_5`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tts_model: Option<String>,
    /// The voice (OpenAI voice name or ElevenLabs voice id) when the persona names none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tts_voice: Option<String>,
    /// What is spoken (ISO 639-1, "en"), to help transcription; `None`: detected.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub language: Option<String>,
    /// Read every answer aloud as it streams in.
    pub auto_read: bool,
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
    pub voice: VoiceSettings,
    /// The Supabase project this device syncs through (`None`: sync off). Set by
    /// `speasy.sync.configure`, which checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sync_project: Option<crate::sync::Project>,
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
            voice: VoiceSettings::default(),
            sync_project: None,
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
    /// Replaces the voice settings as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub voice: Option<VoiceSettings>,
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
            voice: read_key(&rows, "voice"),
            sync_project: read_key(&rows, "sync_project"),
        })
    }

    /// Sync through `project` (`None`: stop syncing). Callers check the project first.
    pub fn set_sync_project(
        &self,
        project: Option<&crate::sync::Project>,
    ) -> Result<Settings, StoreError> {
        let value = serde_json::to_string(&project)?;
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('sync_project', ?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                                                 updated_at = excluded.updated_at",
                params![value, w.now()],
            )?;
            Ok(())
        })?;
        self.settings()
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
        if let Some(voice) = &patch.voice {
            changes.push(("voice", serde_json::to_string(voice)?));
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
