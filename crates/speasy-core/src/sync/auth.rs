//! Supabase Auth (GoTrue) for sync: email/password sign-up and sign-in, refresh-token rotation
//! and sign-out (`supabase-sync.md` §1.5). A session's expiry is measured on the monotonic clock
//! from when it arrived (`expires_in`), not from `expires_at`, so a wrong device clock does not
//! matter. Sessions are kept in the OS keychain as one entry, never in the database.

use std::time::{Duration, Instant};

use reqwest::{Client, Response, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::rest::network;
use super::{Project, SyncError};
use crate::clock::now_ms;
use crate::secrets::{SecretName, SecretStore};

/// The keychain entry holding the session.
pub const SESSION_SECRET: &str = "sync.session";

/// Who is signed in (what the UI may know: no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Account {
    pub user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub email: Option<String>,
}

/// How a sign-up ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum SignUp {
    /// The project confirms addresses automatically: signed in.
    SignedIn { account: Account },
    /// The project sent a confirmation email; sign in after following it.
    ConfirmEmail { email: String },
}

/// A signed-in session. Its `Debug` shows no token.
#[derive(Clone)]
pub struct Session {
    pub(crate) access_token: SecretString,
    pub(crate) refresh_token: SecretString,
    pub account: Account,
    /// When the access token stops working, on this process's monotonic clock.
    pub(crate) expires: Instant,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("account", &self.account).finish_non_exhaustive()
    }
}

impl Session {
    /// Whether the access token has less than `margin` left.
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expires.saturating_duration_since(Instant::now()) < margin
    }

    pub(crate) fn access_token(&self) -> &str {
        self.access_token.expose_secret()
    }
}

/// The session as the keychain keeps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    access_token: String,
    refresh_token: String,
    user_id: String,
    #[serde(default)]
    email: Option<String>,
    /// Unix ms by the device clock when the access token expires (a hint: a wrong clock only
    /// means one early or late refresh).
    expires_at_ms: i64,
}

/// GoTrue's session response.
#[derive(Deserialize)]
struct SessionBody {
    access_token: String,
    refresh_token: String,
    expires_in: u64,
    user: UserBody,
}

#[derive(Deserialize)]
struct UserBody {
    id: String,
    #[serde(default)]
    email: Option<String>,
}

/// GoTrue's error body: `{code, message}` with `X-Supabase-Api-Version: 2024-01-01`, else
/// `{code: <status>, error_code, msg}` (and OAuth-style `{error, error_description}`).
#[derive(Default, Deserialize)]
struct ErrorBody {
    code: Option<serde_json::Value>,
    error_code: Option<String>,
    message: Option<String>,
    msg: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Supabase Auth of one project.
#[derive(Debug, Clone)]
pub struct AuthClient {
    http: Client,
    base: Url,
    key: String,
}

impl AuthClient {
    pub fn new(http: Client, project: &Project) -> Result<Self, SyncError> {
        project.check()?;
        Ok(Self {
            http,
            base: project.service("auth/v1/")?,
            key: project.publishable_key.trim().to_owned(),
        })
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        let url = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        self.http
            .post(url)
            .header("apikey", &self.key)
            .header("X-Supabase-Api-Version", "2024-01-01")
    }

    /// Create an account.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
    ) -> Result<(SignUp, Option<Session>), SyncError> {
        let resp = self
            .post("signup")
            .json(&serde_json::json!({ "email": email.trim(), "password": password }))
            .send()
            .await
            .map_err(|e| network(&e))?;
        if !resp.status().is_success() {
            return Err(auth_error(resp).await);
        }
        let body: serde_json::Value =
            resp.json().await.map_err(|e| SyncError::BadResponse(e.to_string()))?;
        if body.get("access_token").is_some() {
            let session = session_from(serde_json::from_value(body).map_err(bad)?);
            Ok((SignUp::SignedIn { account: session.account.clone() }, Some(session)))
        } else {
            Ok((SignUp::ConfirmEmail { email: email.trim().to_owned() }, None))
        }
    }

    /// Sign in with email and password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Session, SyncError> {
        let resp = self
            .post("token?grant_type=password")
            .json(&serde_json::json!({ "email": email.trim(), "password": password }))
            .send()
            .await
            .map_err(|e| network(&e))?;
        read_session(resp).await
    }

    /// Trade the refresh token for a new session (the old refresh token is then used up).
    pub async fn refresh(&self, session: &Session) -> Result<Session, SyncError> {
        let resp = self
            .post("token?grant_type=refresh_token")
            .json(&serde_json::json!({ "refresh_token": session.refresh_token.expose_secret() }))
            .send()
            .await
            .map_err(|e| network(&e))?;
        read_session(resp).await
    }

    /// End this session on the server (its refresh tokens stop working; access tokens already
    /// issued stay valid until they expire, as on Supabase).
    pub async fn sign_out(&self, session: &Session) -> Result<(), SyncError> {
        let resp = self
            .post("logout?scope=local")
            .bearer_auth(session.access_token())
            .send()
            .await
            .map_err(|e| network(&e))?;
        if resp.status().is_success() { Ok(()) } else { Err(auth_error(resp).await) }
    }
}

fn bad(e: serde_json::Error) -> SyncError {
    SyncError::BadResponse(format!("a session: {e}"))
}

fn session_from(b: SessionBody) -> Session {
    Session {
        access_token: SecretString::from(b.access_token),
        refresh_token: SecretString::from(b.refresh_token),
        account: Account { user_id: b.user.id, email: b.user.email },
        expires: Instant::now() + Duration::from_secs(b.expires_in),
    }
}

async fn read_session(resp: Response) -> Result<Session, SyncError> {
    if !resp.status().is_success() {
        return Err(auth_error(resp).await);
    }
    let text = resp.text().await.map_err(|e| network(&e))?;
    Ok(session_from(serde_json::from_str(&text).map_err(bad)?))
}

async fn auth_error(resp: Response) -> SyncError {
    let status = resp.status();
    let header_code =
        resp.headers().get("x-sb-error-code").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let retry = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let body: ErrorBody = resp.json().await.unwrap_or_default();
    let code = header_code
        .or(body.error_code)
        .or(body.code.and_then(|c| c.as_str().map(str::to_owned)))
        .or(body.error.clone())
        .unwrap_or_default();
    let message =
        body.message.or(body.msg).or(body.error_description).unwrap_or_else(|| status.to_string());
    match code.as_str() {
        // Older GoTrue answers a dead refresh token with OAuth's invalid_grant too.
        "invalid_grant" if message.to_lowercase().contains("refresh token") => {
            SyncError::SessionExpired(message)
        }
        "invalid_credentials" | "invalid_grant" => SyncError::InvalidCredentials,
        "email_not_confirmed" => SyncError::EmailNotConfirmed,
        "user_already_exists" | "email_exists" => SyncError::UserExists,
        "weak_password" => SyncError::WeakPassword(message),
        "refresh_token_not_found"
        | "refresh_token_already_used"
        | "session_not_found"
        | "session_expired"
        | "bad_jwt"
        | "user_not_found" => SyncError::SessionExpired(message),
        "over_request_rate_limit" => SyncError::RateLimited { retry_after_secs: retry },
        _ if status.as_u16() == 429 => SyncError::RateLimited { retry_after_secs: retry },
        _ if status.is_server_error() => SyncError::Server { status: status.as_u16(), message },
        _ => SyncError::Rejected {
            status: status.as_u16(),
            code: (!code.is_empty()).then_some(code),
            message,
        },
    }
}

/// Keep the session in the keychain (called before a new refresh token is used, so a crash
/// right after a rotation cannot lose the only valid token).
pub fn save_session(secrets: &dyn SecretStore, session: &Session) -> Result<(), SyncError> {
    let left = session.expires.saturating_duration_since(Instant::now());
    let stored = Stored {
        access_token: session.access_token.expose_secret().to_owned(),
        refresh_token: session.refresh_token.expose_secret().to_owned(),
        user_id: session.account.user_id.clone(),
        email: session.account.email.clone(),
        expires_at_ms: now_ms() + i64::try_from(left.as_millis()).unwrap_or(i64::MAX / 2),
    };
    let json = serde_json::to_string(&stored).map_err(|e| SyncError::BadResponse(e.to_string()))?;
    secrets.set(&SecretName::new(SESSION_SECRET)?, &SecretString::from(json))?;
    Ok(())
}

/// The session the keychain holds, if any (an unreadable entry counts as none).
pub fn load_session(secrets: &dyn SecretStore) -> Result<Option<Session>, SyncError> {
    let Some(raw) = secrets.get(&SecretName::new(SESSION_SECRET)?)? else {
        return Ok(None);
    };
    let Ok(s) = serde_json::from_str::<Stored>(raw.expose_secret()) else {
        tracing::warn!("ignoring an unreadable sync session in the keychain");
        return Ok(None);
    };
    let left = u64::try_from(s.expires_at_ms - now_ms()).unwrap_or(0);
    Ok(Some(Session {
        access_token: SecretString::from(s.access_token),
        refresh_token: SecretString::from(s.refresh_token),
        account: Account { user_id: s.user_id, email: s.email },
        expires: Instant::now() + Duration::from_millis(left),
    }))
}

/// Forget the session.
pub fn delete_session(secrets: &dyn SecretStore) -> Result<(), SyncError> {
    secrets.delete(&SecretName::new(SESSION_SECRET)?)?;
    Ok(())
}
