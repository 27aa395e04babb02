//! Sync through Supabase (`../shared/reference/supabase/supabase-sync.md`): the local database
//! stays the source of truth and the person's Supabase project carries row states between
//! their devices.
//!
//! - [`auth`]: Supabase Auth (GoTrue) email/password: sign-up, sign-in, refresh-token rotation
//!   (one refresh at a time; the new tokens reach the keychain before they are used), sign-out.
//! - [`rest`]: PostgREST calls (bulk merge-upserts, `server_seq` pages) and what an error
//!   response means for sync.
//! - [`service`]: when passes run (start, focus, after writes, periodically, backing off) and
//!   the status the UI shows.
//! - [`engine`]: one sync pass — push the outbox parents first in batches (a refused batch is
//!   bisected down to the bad row, which is parked as a dead letter), then pull each table by
//!   `server_seq` (`PulledPage::parse`, a few pages ahead) and merge it (`Store::apply_page`),
//!   refreshing the session on a 401.
//!
//! What a row is and how two states of it merge is decided by the server's triggers
//! (`supabase/migrations`) and, identically, by `store::sync`.

pub mod auth;
pub mod engine;
pub mod rest;
pub mod service;

use reqwest::Url;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{SecretError, StoreError};

pub use auth::{Account, AuthClient, Session, SignUp};
pub use engine::{SyncOptions, SyncProgress, SyncReport, Syncer};
pub use service::{Schedule, SyncService, SyncState, SyncStatus};

/// A Supabase project: its URL and publishable (or legacy anon) key. Neither is a secret: the
/// key only identifies the project, and row-level security decides what a signed-in person
/// may touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Project {
    /// `https://<ref>.supabase.co` (or a self-hosted URL).
    pub url: String,
    /// `sb_publishable_…` or the legacy anon JWT.
    pub publishable_key: String,
}

impl Project {
    /// The base URL of a service (`auth/v1/`, `rest/v1/`), checked.
    pub(crate) fn service(&self, path: &str) -> Result<Url, SyncError> {
        let bad = || SyncError::InvalidProject(format!("\"{}\" is not a project URL", self.url));
        let mut base = Url::parse(self.url.trim()).map_err(|_| bad())?;
        if !matches!(base.scheme(), "https" | "http") || base.host_str().is_none() {
            return Err(bad());
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        base.join(path).map_err(|_| bad())
    }

    /// Whether this looks like a project Speasy can talk to (a URL and a key), before saving.
    pub fn validate(&self) -> Result<(), SyncError> {
        self.check()?;
        self.service("auth/v1/").map(|_| ())
    }

    pub(crate) fn check(&self) -> Result<(), SyncError> {
        if self.publishable_key.trim().is_empty() {
            return Err(SyncError::InvalidProject(
                "the project's publishable key is missing (Supabase dashboard → Project Settings \
                 → API Keys)"
                    .into(),
            ));
        }
        self.service("rest/v1/").map(|_| ())
    }
}

/// Why sync (or signing in) did not work. Messages are for the person using the app.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Sync is not set up: {0}")]
    InvalidProject(String),
    #[error("Not signed in: sign in to sync.")]
    SignedOut,
    #[error("Wrong email or password.")]
    InvalidCredentials,
    #[error("Confirm your email address first (see the message Supabase sent), then sign in.")]
    EmailNotConfirmed,
    #[error("An account with this email already exists: sign in instead.")]
    UserExists,
    #[error("Choose a stronger password: {0}")]
    WeakPassword(String),
    #[error(
        "Your session has ended ({0}). Sign in again to resume sync; nothing on this device \
             is lost and unsent changes stay queued."
    )]
    SessionExpired(String),
    #[error(
        "This device's history is linked to another account. Sign in with that account to \
             keep syncing it."
    )]
    OtherAccount { user_id: String },
    #[error(
        "The Supabase project does not match this version of Speasy ({0}). Apply Speasy's \
             migrations to the project (see the README) or update Speasy; sync is stopped and \
             unsent changes stay queued."
    )]
    SchemaMismatch(String),
    #[error("Supabase is limiting requests (429); sync will try again{}.",
            retry_after_secs.map(|s| format!(" in {s} s")).unwrap_or_default())]
    RateLimited { retry_after_secs: Option<u64> },
    #[error("Could not reach Supabase: {0}. Changes stay queued until it can be reached.")]
    Network(String),
    #[error("Supabase had a server error ({status}): {message}. Sync will try again.")]
    Server { status: u16, message: String },
    #[error("Supabase refused the request ({status}{}): {message}",
            code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Rejected { status: u16, code: Option<String>, message: String },
    #[error("Supabase sent a response Speasy could not read: {0}")]
    BadResponse(String),
    #[error("Sync could not start: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

impl SyncError {
    /// Whether the same pass may work later without anyone doing anything (back off and retry).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Network(_) | Self::Server { .. })
    }

    /// Whether it takes the person signing in (again) before sync can resume.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Self::SignedOut | Self::SessionExpired(_))
    }

    /// Whether only the person can fix it (sign in, the project settings, the server's
    /// schema, the account): retrying as things are would fail the same way.
    pub fn needs_person(&self) -> bool {
        self.needs_sign_in()
            || matches!(
                self,
                Self::InvalidProject(_)
                    | Self::OtherAccount { .. }
                    | Self::SchemaMismatch(_)
                    | Self::InvalidCredentials
                    | Self::EmailNotConfirmed
                    | Self::UserExists
                    | Self::WeakPassword(_)
            )
    }
}
