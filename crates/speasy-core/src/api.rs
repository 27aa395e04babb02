//! The local API: the core's protocol over HTTP on loopback, for scripts and other apps —
//! served by `speasy-cli serve`, and by the desktop app while "Local API" is on in Settings.
//!
//! - `POST /chatkit`: the same entry the app uses — `text/event-stream` for streaming ChatKit
//!   requests, JSON otherwise (including Speasy's `speasy.*` requests).
//! - `GET /health`: status, version, whether the database answers (no token needed).
//! - `GET /facts`, `POST /facts/{id}/save`, `POST /facts/{id}/discard`.
//!
//! Every route but `/health` needs `Authorization: Bearer <token>`. Errors are JSON
//! `{"error": {"kind", "message"}}` with a 4xx/5xx status; failures inside a stream are `error`
//! events. The server binds 127.0.0.1 only. A client that disconnects cancels its turn.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::secrets::SecretName;
use crate::store::FactStatus;
use crate::{ApiError, ChatKitResponse, Core, ErrorKind};

/// Keychain entry of the token the app's local API requires.
pub const TOKEN_SECRET: &str = "api.token";
/// Shortest token accepted.
pub const MIN_TOKEN_LEN: usize = 8;

#[derive(Clone)]
struct App {
    core: Arc<Core>,
    token: Arc<str>,
}

/// An error as an HTTP response.
struct HttpError(ApiError);

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

fn status_of(kind: ErrorKind) -> StatusCode {
    use ErrorKind as K;
    match kind {
        K::NotFound => StatusCode::NOT_FOUND,
        K::InvalidInput => StatusCode::BAD_REQUEST,
        K::Unauthorized => StatusCode::UNAUTHORIZED,
        K::NoProvider
        | K::ProviderAuth
        | K::ProviderModelNotFound
        | K::ProviderContextTooLong
        | K::ProviderRejected => StatusCode::UNPROCESSABLE_ENTITY,
        K::ProviderRateLimited => StatusCode::TOO_MANY_REQUESTS,
        K::ProviderUnavailable | K::ProviderBadResponse => StatusCode::BAD_GATEWAY,
        K::StoreBusy | K::StoreUnavailable | K::SecretUnavailable => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        K::SyncProject | K::SyncAccount | K::SyncOtherAccount => StatusCode::UNPROCESSABLE_ENTITY,
        K::SyncSignedOut => StatusCode::UNAUTHORIZED,
        K::SyncSchema | K::SyncUnavailable | K::SyncRejected => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "kind": self.0.kind, "message": self.0.message } });
        (status_of(self.0.kind), axum::Json(body)).into_response()
    }
}

/// Compare without an early exit, so response time says nothing about the token.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(State(app): State<App>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(t) if same_secret(t.trim().as_bytes(), app.token.as_bytes()) => next.run(req).await,
        Some(_) => unauthorized("The bearer token is wrong."),
        None => unauthorized("This route needs an Authorization: Bearer <token> header."),
    }
}

fn unauthorized(message: &str) -> Response {
    let mut resp = HttpError(ApiError::new(ErrorKind::Unauthorized, message)).into_response();
    resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

async fn health(State(app): State<App>) -> Response {
    let h = app.core.health();
    let status = if h.database.ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(h)).into_response()
}

async fn chatkit(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/json") || ct.starts_with("text/plain"));
    if !is_json {
        return Err(
            ApiError::new(ErrorKind::InvalidInput, "send the request as application/json").into()
        );
    }
    match app.core.chatkit(&body).await? {
        ChatKitResponse::Json(v) => Ok(axum::Json(v).into_response()),
        ChatKitResponse::Stream(events) => {
            let frames = futures_util::stream::unfold(events, |mut events| async move {
                let event = events.next().await?;
                Some((Ok::<_, std::convert::Infallible>(Bytes::from(event.to_sse())), events))
            });
            Ok(Response::builder()
                .header(header::CONTENT_TYPE, "text/event-stream")
                .header(header::CACHE_CONTROL, "no-cache")
                .body(Body::from_stream(frames))
                .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?)
        }
    }
}

async fn facts(State(app): State<App>) -> Result<Response, HttpError> {
    let store = app.core.store().map_err(ApiError::from)?;
    let facts =
        store.list_facts(&[FactStatus::Pending, FactStatus::Saved]).map_err(ApiError::from)?;
    Ok(axum::Json(json!({ "data": facts })).into_response())
}

async fn set_fact(app: &App, id: &str, status: FactStatus) -> Result<Response, HttpError> {
    let store = app.core.store().map_err(ApiError::from)?;
    let fact = store.set_fact_status(id, status).map_err(ApiError::from)?;
    Ok(axum::Json(fact).into_response())
}

async fn save_fact(State(app): State<App>, Path(id): Path<String>) -> Result<Response, HttpError> {
    set_fact(&app, &id, FactStatus::Saved).await
}

async fn discard_fact(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    set_fact(&app, &id, FactStatus::Discarded).await
}

async fn not_found() -> HttpError {
    HttpError(ApiError::new(ErrorKind::NotFound, "no such route"))
}

/// Build the router (tests serve it on an ephemeral port).
pub fn router(core: Arc<Core>, token: String) -> Router {
    let app = App { core, token: token.into() };
    let protected = Router::new()
        .route("/chatkit", post(chatkit))
        .route("/facts", get(facts))
        .route("/facts/{id}/save", post(save_fact))
        .route("/facts/{id}/discard", post(discard_fact))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_token));
    Router::new().route("/health", get(health)).merge(protected).fallback(not_found).with_state(app)
}

/// Bind `127.0.0.1:port` (`0`: any free port).
pub async fn bind(port: u16) -> Result<tokio::net::TcpListener, ApiError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AddrInUse {
            "another program is using that port; pick another one".to_owned()
        } else {
            e.to_string()
        };
        ApiError::new(ErrorKind::InvalidInput, format!("cannot listen on {addr}: {why}"))
    })
}

/// Check a token before it is used or stored.
pub fn check_token(token: &str) -> Result<(), ApiError> {
    if token.trim().chars().count() < MIN_TOKEN_LEN {
        return Err(ApiError::new(
            ErrorKind::InvalidInput,
            format!("the API token must be at least {MIN_TOKEN_LEN} characters"),
        ));
    }
    Ok(())
}

/// The app's local API as Settings shows it. The token itself is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ApiStatus {
    pub enabled: bool,
    pub port: u16,
    /// Listening now (`url` says where).
    pub running: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub url: Option<String>,
    /// Whether a token is stored (every route but `/health` needs it).
    pub has_token: bool,
    /// Why it is enabled but not running (e.g. the port is taken).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// A running server.
pub(crate) struct Running {
    url: String,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stop serving and wait until the port is free again (open connections get a moment to
    /// finish; a stream still open after that is cut).
    async fn shut_down(mut self) {
        self.stop.cancel();
        if tokio::time::timeout(std::time::Duration::from_secs(2), &mut self.task).await.is_err() {
            self.task.abort();
            let _ = self.task.await;
        }
    }
}

/// The local API inside the app: on, off, its port and token.
#[derive(Default)]
pub(crate) struct LocalApi {
    state: tokio::sync::Mutex<(Option<Running>, Option<String>)>,
}

impl Core {
    fn api_token(&self) -> Result<Option<String>, ApiError> {
        use crate::secrets::ExposeSecret;
        let name = SecretName::new(TOKEN_SECRET)?;
        Ok(self.secrets().get(&name)?.map(|t| t.expose_secret().to_owned()))
    }

    /// Where the local API stands.
    pub async fn api_status(self: &Arc<Self>) -> Result<ApiStatus, ApiError> {
        let settings = self.settings()?;
        let core = Arc::clone(self);
        let has_token = tokio::task::spawn_blocking(move || core.secret_exists(TOKEN_SECRET))
            .await
            .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??;
        let state = self.local_api.state.lock().await;
        Ok(ApiStatus {
            enabled: settings.api_enabled,
            port: settings.api_port,
            running: state.0.is_some(),
            url: state.0.as_ref().map(|r| r.url.clone()),
            has_token,
            error: state.1.clone(),
        })
    }

    /// Change the local API (a new token goes to the keychain) and start, restart or stop it
    /// to match. Failing to listen is reported in the status, not as an error: the setting
    /// stays on, so the next start tries again.
    pub async fn api_configure(
        self: &Arc<Self>,
        enabled: Option<bool>,
        port: Option<u16>,
        token: Option<String>,
    ) -> Result<ApiStatus, ApiError> {
        if let Some(t) = &token {
            check_token(t)?;
            let core = Arc::clone(self);
            let t = t.trim().to_owned();
            tokio::task::spawn_blocking(move || core.secret_set(TOKEN_SECRET, t))
                .await
                .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??;
        }
        if enabled == Some(true) && !self.api_status().await?.has_token {
            return Err(ApiError::new(
                ErrorKind::InvalidInput,
                "set a token first: every request to the local API must carry it",
            ));
        }
        self.update_settings(&crate::store::SettingsPatch {
            api_enabled: enabled,
            api_port: port,
            ..Default::default()
        })?;
        self.api_apply().await?;
        self.api_status().await
    }

    /// Stop serving without changing the setting (the app is quitting).
    pub async fn api_stop(&self) {
        let running = self.local_api.state.lock().await.0.take();
        if let Some(r) = running {
            r.shut_down().await;
        }
    }

    /// Make the server match the settings (at start and after a change).
    pub async fn api_apply(self: &Arc<Self>) -> Result<(), ApiError> {
        let settings = self.settings()?;
        // The keychain may block (or prompt): read it before taking the lock.
        let token = if settings.api_enabled {
            let core = Arc::clone(self);
            tokio::task::spawn_blocking(move || core.api_token())
                .await
                .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??
        } else {
            None
        };
        let mut state = self.local_api.state.lock().await;
        if let Some(old) = state.0.take() {
            old.shut_down().await; // the port is free again before it is bound anew
        }
        state.1 = None;
        if !settings.api_enabled {
            return Ok(());
        }
        let Some(token) = token else {
            state.1 = Some("No token is set.".into());
            return Ok(());
        };
        match bind(settings.api_port).await {
            Ok(listener) => {
                let local = listener
                    .local_addr()
                    .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
                let stop = CancellationToken::new();
                let app = router(Arc::clone(self), token);
                let until = stop.clone();
                let task = tokio::spawn(async move {
                    let served = axum::serve(listener, app)
                        .with_graceful_shutdown(async move { until.cancelled().await })
                        .await;
                    if let Err(e) = served {
                        tracing::warn!(error = %e, "the local API stopped");
                    }
                });
                let url = format!("http://{local}");
                tracing::info!(%url, "local API listening");
                state.0 = Some(Running { url, stop, task });
            }
            Err(e) => state.1 = Some(e.message),
        }
        Ok(())
    }
}
