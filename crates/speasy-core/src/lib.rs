//! Speasy's core: everything the app does, with no UI and no Tauri. The desktop shell and
//! `speasy-cli` are thin front ends over [`Core`].
//!
//! - [`store`]: the local SQLite store (threads, items, facts, settings, full-text search).
//! - [`secrets`]: API keys in the OS keychain.
//! - [`chat`]: the chat engine — the ChatKit server in-process, tools, personas, context.
//! - [`chatkit`]: ChatKit protocol types and widget builders.
//! - [`providers`]: the OpenAI-compatible client for OpenAI, OpenRouter and local servers.
//! - [`voice`]: the microphone, end-of-utterance detection, speech-to-text.
//! - [`sync`]: sync through Supabase (sign-in, push the outbox, pull and merge).
//! - [`clock`]: UUIDv7 ids and the hybrid logical clock used for sync.
//! - [`error`]: typed errors and the one `{kind, message}` error front ends receive.

pub mod api;
pub mod chat;
pub mod chatkit;
pub mod clock;
mod core;
pub mod error;
pub mod paths;
pub mod providers;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod voice;

pub use crate::chat::{ChatKitResponse, EventStream};
pub use crate::core::{
    AppInfo, Core, CoreConfig, FirstScreen, ProviderOverride, Resolved, StoreStatus,
};
pub use crate::error::{ApiError, CoreError, ErrorKind, SecretError, StoreError};
