//! Model providers. Every provider Speasy talks to speaks OpenAI's Chat Completions API: OpenAI
//! itself, OpenRouter, and local servers (Ollama, LM Studio, llama.cpp). A [`Provider`] is its
//! id, kind, base URL, the name of the keychain entry holding its key, and a default model;
//! [`openai::Client`] does the HTTP. [`detect`] finds local servers on loopback.

pub mod detect;
pub mod openai;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ProviderError;

/// Which service a provider is. Decides defaults (URL, headers, whether a key is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProviderKind {
    Openai,
    Openrouter,
    Ollama,
    LmStudio,
    LlamaCpp,
    Custom,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Openai => "openai",
            Self::Openrouter => "openrouter",
            Self::Ollama => "ollama",
            Self::LmStudio => "lm_studio",
            Self::LlamaCpp => "llama_cpp",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "openai" => Self::Openai,
            "openrouter" => Self::Openrouter,
            "ollama" => Self::Ollama,
            "lm_studio" => Self::LmStudio,
            "llama_cpp" => Self::LlamaCpp,
            "custom" => Self::Custom,
            _ => return None,
        })
    }

    /// The service's usual base URL.
    pub fn default_base_url(self) -> Option<&'static str> {
        Some(match self {
            Self::Openai => "https://api.openai.com/v1",
            Self::Openrouter => "https://openrouter.ai/api/v1",
            Self::Ollama => "http://127.0.0.1:11434/v1",
            Self::LmStudio => "http://127.0.0.1:1234/v1",
            Self::LlamaCpp => "http://127.0.0.1:8080/v1",
            Self::Custom => return None,
        })
    }

    /// A display name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Openai => "OpenAI",
            Self::Openrouter => "OpenRouter",
            Self::Ollama => "Ollama",
            Self::LmStudio => "LM Studio",
            Self::LlamaCpp => "llama.cpp",
            Self::Custom => "Custom",
        }
    }

    /// Cloud services refuse requests without a key; local servers don't need one.
    pub fn needs_key(self) -> bool {
        matches!(self, Self::Openai | Self::Openrouter)
    }
}

/// A configured provider. The key itself is in the keychain under `key_secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Provider {
    pub id: String,
    pub kind: ProviderKind,
    pub name: String,
    pub base_url: String,
    /// Name of the keychain entry with this provider's API key (`None`: no key).
    pub key_secret: Option<String>,
    pub default_model: Option<String>,
    /// The model's context window in tokens, when known (history is trimmed to fit it).
    pub context_window: Option<u32>,
}

impl Provider {
    /// The keychain entry name used for a provider's key.
    pub fn secret_name_for(id: &str) -> String {
        format!("provider.{id}")
    }
}

/// What to create or change a provider from. Absent fields take the kind's defaults (create)
/// or stay as they are (update).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kind: Option<ProviderKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub context_window: Option<u32>,
    /// A new API key: stored in the keychain, never in the database, never returned.
    #[serde(default, skip_serializing)]
    #[ts(optional)]
    pub api_key: Option<crate::secrets::Incoming>,
}

/// A provider id for `kind` that is not in `taken`: `ollama`, then `ollama-2`, ...
pub fn free_id(kind: ProviderKind, taken: &[String]) -> String {
    let base = kind.as_str().replace('_', "-");
    (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|c| !taken.contains(c))
        .unwrap_or(base)
}

/// Check and normalise a base URL: http(s), no trailing slash.
pub fn normalise_base_url(raw: &str) -> Result<String, ProviderError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed)
        .map_err(|e| ProviderError::InvalidConfig(format!("\"{raw}\" is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ProviderError::InvalidConfig(format!(
            "\"{raw}\" must be an http:// or https:// URL"
        )));
    }
    Ok(trimmed.to_owned())
}

/// Check a provider id: lowercase letters, digits and `-`, 1–40 characters, starting with a
/// letter or digit (it also names the keychain entry).
pub fn check_id(id: &str) -> Result<(), ProviderError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && !id.starts_with('-')
        && id.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ProviderError::InvalidConfig(format!(
            "\"{id}\" is not a valid provider id (lowercase letters, digits and -)"
        )))
    }
}

/// A model offered by a provider (`GET /models`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ModelInfo {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub owned_by: Option<String>,
}
