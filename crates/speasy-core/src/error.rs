//! Errors. Each part of the core has its own `thiserror` enum; [`ApiError`] is the one
//! serialisable `{kind, message}` shape that crosses the IPC and HTTP boundaries. Messages are
//! written for the person using the app: they say what happened and, where there is one, what to
//! do next. No secret ever appears in an error (see `secrets`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Failures of the local store (the SQLite file).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{} is not a Speasy database (it is not an SQLite file). Move it aside and start fresh? \
         The file is kept, renamed, so nothing is lost.",
        path.display()
    )]
    NotADatabase { path: PathBuf },

    #[error(
        "The database {} is damaged ({detail}). Move it aside and start fresh? \
         The damaged file is kept, renamed, so it can still be recovered.",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error(
        "The database {} was written by a newer version of Speasy (schema {found}; this version \
         understands up to {supported}). Update Speasy to open it.",
        path.display()
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },

    #[error(
        "Speasy cannot write to {}: the file or its folder is read-only. Check its permissions.",
        path.display()
    )]
    ReadOnly { path: PathBuf },

    #[error("The disk holding {} is full. Free some space and try again.", path.display())]
    DiskFull { path: PathBuf },

    #[error("The database {} is busy (another Speasy may be using it). Try again.", path.display())]
    Busy { path: PathBuf },

    #[error("Could not use {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },

    #[error("{0}")]
    Invalid(String),

    #[error("Migration {name} failed: {source}")]
    Migration {
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("Database error: {0}")]
    Sqlite(#[source] rusqlite::Error),

    #[error("Stored data is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// Whether moving the file aside and starting with a fresh one is a sensible remedy.
    pub fn can_move_aside(&self) -> bool {
        matches!(self, Self::NotADatabase { .. } | Self::Corrupt { .. })
    }
}

/// Failures of the OS keychain.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("The system keychain is not available: {0}")]
    Unavailable(String),
    #[error("The system keychain refused access (is it locked?): {0}")]
    Denied(String),
    #[error("\"{0}\" is not a valid secret name")]
    InvalidName(String),
    #[error("The secret value is empty")]
    EmptyValue,
    #[error("Keychain error: {0}")]
    Other(String),
}

/// Failures talking to a model provider. Messages say what to do about it; none carries a key.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    #[error(
        "No model provider is set up. Add an OpenAI or OpenRouter key, or start a local \
             server (Ollama, LM Studio, llama.cpp), in Settings → Providers."
    )]
    NoProvider,
    #[error("{provider} needs an API key. Add it in Settings → Providers.")]
    MissingKey { provider: String },
    #[error("{provider} rejected the API key (401). Check the key in Settings → Providers.")]
    Unauthorized { provider: String },
    #[error("{provider} refused the request (403): {message}")]
    Forbidden { provider: String, message: String },
    #[error("{provider} has no model \"{model}\" (or this key cannot use it). Pick another model.")]
    ModelNotFound { provider: String, model: String },
    #[error("{provider} answered 404 for {url}: is the base URL right?")]
    EndpointNotFound { provider: String, url: String },
    #[error("The conversation is too long for this model's context window: {message}")]
    ContextTooLong { message: String },
    #[error("{provider} is rate limiting requests (429){}. Try again in a moment.",
            retry_after_secs.map(|s| format!("; it asks to wait {s} s")).unwrap_or_default())]
    RateLimited { provider: String, retry_after_secs: Option<u64> },
    #[error("{provider} had a server error ({status}): {message}")]
    Server { provider: String, status: u16, message: String },
    #[error("{provider} rejected the request ({status}): {message}")]
    BadRequest { provider: String, status: u16, message: String },
    #[error("Could not reach {provider}: {message}")]
    Network { provider: String, message: String },
    #[error("{provider} did not answer in time ({what}).")]
    Timeout { provider: String, what: &'static str },
    #[error("{provider} sent a response Speasy could not read: {message}")]
    MalformedStream { provider: String, message: String },
    #[error("The connection to {provider} closed before the answer was finished.")]
    Interrupted { provider: String },
    #[error("{0}")]
    InvalidConfig(String),
}

impl ProviderError {
    /// Whether trying the same request again may work (before any token was shown).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Network { .. }
                | Self::Timeout { .. }
                | Self::Interrupted { .. }
        )
    }

    /// Whether the person can sensibly press "retry" (after fixing something or waiting).
    pub fn allow_retry(&self) -> bool {
        !matches!(self, Self::InvalidConfig(_) | Self::ContextTooLong { .. })
    }
}

/// Every error the core reports to a front end.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("The local store is not open: {0}")]
    StoreUnavailable(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Voice(#[from] crate::voice::VoiceError),
}

/// What kind of failure an [`ApiError`] is; front ends pick their next step from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    StoreNotADatabase,
    StoreCorrupt,
    StoreNewerSchema,
    StoreReadOnly,
    StoreDiskFull,
    StoreBusy,
    StoreIo,
    StoreUnavailable,
    SecretUnavailable,
    SecretDenied,
    Secret,
    NoProvider,
    ProviderAuth,
    ProviderModelNotFound,
    ProviderContextTooLong,
    ProviderRateLimited,
    ProviderUnavailable,
    ProviderBadResponse,
    ProviderRejected,
    Unauthorized,
    /// No microphone or speaker (or the one picked is gone).
    VoiceNoDevice,
    /// The OS refused the microphone.
    VoicePermissionDenied,
    /// The audio device failed: busy, unplugged, an unreadable format.
    VoiceDevice,
    /// Nothing was said.
    VoiceNoSpeech,
    /// No speech service is set up (Settings → Voice).
    VoiceNotConfigured,
    /// Sync's project settings are wrong or missing (URL, publishable key).
    SyncProject,
    /// Sync needs the person to sign in (again).
    SyncSignedOut,
    /// Signing in or up failed: wrong password, unconfirmed email, taken address, weak password.
    SyncAccount,
    /// This device's history belongs to another account.
    SyncOtherAccount,
    /// The Supabase project's tables are not what this version expects.
    SyncSchema,
    /// Supabase cannot be reached or is failing for now: sync retries by itself.
    SyncUnavailable,
    /// Supabase refused a request or answered something unreadable.
    SyncRejected,
    Internal,
}

/// The one error shape at the IPC/HTTP boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

impl From<&StoreError> for ErrorKind {
    fn from(e: &StoreError) -> Self {
        match e {
            StoreError::NotADatabase { .. } => Self::StoreNotADatabase,
            StoreError::Corrupt { .. } => Self::StoreCorrupt,
            StoreError::NewerSchema { .. } => Self::StoreNewerSchema,
            StoreError::ReadOnly { .. } => Self::StoreReadOnly,
            StoreError::DiskFull { .. } => Self::StoreDiskFull,
            StoreError::Busy { .. } => Self::StoreBusy,
            StoreError::Io { .. } => Self::StoreIo,
            StoreError::NotFound { .. } => Self::NotFound,
            StoreError::Invalid(_) => Self::InvalidInput,
            StoreError::Migration { .. } | StoreError::Sqlite(_) | StoreError::Json(_) => {
                Self::Internal
            }
        }
    }
}

impl From<&CoreError> for ErrorKind {
    fn from(e: &CoreError) -> Self {
        match e {
            CoreError::Store(s) => s.into(),
            CoreError::Secret(SecretError::Unavailable(_)) => Self::SecretUnavailable,
            CoreError::Secret(SecretError::Denied(_)) => Self::SecretDenied,
            CoreError::Secret(SecretError::InvalidName(_) | SecretError::EmptyValue) => {
                Self::InvalidInput
            }
            CoreError::Secret(SecretError::Other(_)) => Self::Secret,
            CoreError::StoreUnavailable(_) => Self::StoreUnavailable,
            CoreError::Provider(p) => p.into(),
            CoreError::InvalidInput(_) => Self::InvalidInput,
            CoreError::Voice(v) => v.into(),
        }
    }
}

impl From<&ProviderError> for ErrorKind {
    fn from(e: &ProviderError) -> Self {
        use ProviderError as P;
        match e {
            P::NoProvider | P::MissingKey { .. } => Self::NoProvider,
            P::Unauthorized { .. } | P::Forbidden { .. } => Self::ProviderAuth,
            P::ModelNotFound { .. } | P::EndpointNotFound { .. } => Self::ProviderModelNotFound,
            P::ContextTooLong { .. } => Self::ProviderContextTooLong,
            P::RateLimited { .. } => Self::ProviderRateLimited,
            P::Server { .. } | P::Network { .. } | P::Timeout { .. } | P::Interrupted { .. } => {
                Self::ProviderUnavailable
            }
            P::MalformedStream { .. } => Self::ProviderBadResponse,
            P::BadRequest { .. } => Self::ProviderRejected,
            P::InvalidConfig(_) => Self::InvalidInput,
        }
    }
}

impl From<&crate::voice::VoiceError> for ErrorKind {
    fn from(e: &crate::voice::VoiceError) -> Self {
        use crate::voice::VoiceError as V;
        match e {
            V::NoInputDevice | V::NoOutputDevice | V::DeviceNotFound { .. } => Self::VoiceNoDevice,
            V::PermissionDenied => Self::VoicePermissionDenied,
            V::DeviceBusy
            | V::DeviceUnplugged
            | V::SpeakerUnplugged
            | V::SpeakerBusy
            | V::Device { .. }
            | V::UnsupportedFormat { .. } => Self::VoiceDevice,
            V::Speech(p) => p.into(),
            V::NoSpeech => Self::VoiceNoSpeech,
            V::SystemVoice(_) => Self::VoiceNotConfigured,
            V::NotConfigured { .. } => Self::VoiceNotConfigured,
            V::UnsupportedAudio { .. } => Self::InvalidInput,
            V::BadAudio(_) => Self::ProviderBadResponse,
            V::Resampler(_) | V::Wav(_) => Self::Internal,
        }
    }
}

impl From<crate::voice::VoiceError> for ApiError {
    fn from(e: crate::voice::VoiceError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        Self { kind: (&e).into(), message: e.to_string() }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<SecretError> for ApiError {
    fn from(e: SecretError) -> Self {
        CoreError::from(e).into()
    }
}
