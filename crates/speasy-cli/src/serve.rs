//! `speasy-cli serve`: the core's protocol over HTTP on loopback, for scripts and tests.
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
use serde_json::json;
use speasy_core::store::FactStatus;
use speasy_core::{ApiError, ChatKitResponse, Core, ErrorKind};

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

/// Serve until Ctrl-C. Prints `{"url": ...}` on stdout once listening.
pub async fn serve(core: Arc<Core>, port: u16, token: String) -> Result<(), ApiError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        ApiError::new(ErrorKind::InvalidInput, format!("cannot listen on {addr}: {e}"))
    })?;
    let local =
        listener.local_addr().map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
    println!("{}", json!({ "url": format!("http://{local}") }));
    axum::serve(listener, router(core, token))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))
}
