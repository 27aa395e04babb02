//! `speasy-stub`: the scripted OpenAI-compatible server as a process, for end-to-end tests of
//! the desktop app (which cannot link the test kit). It prints one JSON line,
//! `{"base_url": "http://127.0.0.1:P/v1", "control_url": "http://127.0.0.1:Q"}`, then serves
//! until it is killed.
//!
//! Control API (JSON over HTTP on `control_url`):
//! - `POST /replies` with a script, queued for the next `POST /v1/chat/completions`:
//!   `{"type": "text", "parts": ["Hel", "lo"], "delay_ms": 40, "hang": false}`,
//!   `{"type": "tool_call", "id": "call_1", "name": "save_fact", "arguments": "{...}"}`,
//!   `{"type": "completion", "text": "A title"}` (non-streamed, e.g. for titles),
//!   `{"type": "error", "status": 401}` (OpenAI's real body for that status).
//! - `POST /models` with `["model-a", "model-b"]`: what `GET /v1/models` lists.
//! - `GET /requests`: every request received so far, `Recorded` as JSON.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use speasy_testkit::{OpenAiStub, Reply, Stream};

const MODEL: &str = "speasy-stub-model";

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Script {
    Text {
        parts: Vec<String>,
        #[serde(default)]
        delay_ms: u64,
        #[serde(default)]
        hang: bool,
    },
    ToolCall {
        id: String,
        name: String,
        arguments: String,
    },
    Completion {
        text: String,
    },
    Error {
        status: u16,
    },
}

impl Script {
    fn into_reply(self) -> Result<Reply, String> {
        Ok(match self {
            Script::Text { parts, delay_ms, hang } => {
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                let mut stream =
                    Stream::text(MODEL, &parts).with_delay(Duration::from_millis(delay_ms));
                if hang {
                    stream = stream.hang();
                }
                stream.into()
            }
            Script::ToolCall { id, name, arguments } => {
                Stream::tool_calls(MODEL, &[(id.as_str(), name.as_str(), &[arguments.as_str()])])
                    .into()
            }
            Script::Completion { text } => Reply::completion(MODEL, &text),
            Script::Error { status } => match status {
                401 => Reply::invalid_api_key(),
                403 => Reply::forbidden(),
                404 => Reply::model_not_found(MODEL),
                429 => Reply::rate_limited(1),
                s if s >= 500 => Reply::server_error(s),
                s => return Err(format!("no scripted error body for status {s}")),
            },
        })
    }
}

async fn push(
    State(stub): State<Arc<OpenAiStub>>,
    Json(script): Json<Script>,
) -> Result<StatusCode, (StatusCode, String)> {
    let reply = script.into_reply().map_err(|e| (StatusCode::BAD_REQUEST, e))?;
    stub.push(reply);
    Ok(StatusCode::NO_CONTENT)
}

async fn models(State(stub): State<Arc<OpenAiStub>>, Json(ids): Json<Vec<String>>) -> StatusCode {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    stub.set_models(&ids);
    StatusCode::NO_CONTENT
}

async fn requests(State(stub): State<Arc<OpenAiStub>>) -> Json<Vec<speasy_testkit::Recorded>> {
    Json(stub.requests())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let stub = Arc::new(OpenAiStub::start().await);
    let control = Router::new()
        .route("/replies", post(push))
        .route("/models", post(models))
        .route("/requests", get(requests))
        .with_state(Arc::clone(&stub));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let control_url = format!("http://{}", listener.local_addr()?);
    println!("{}", serde_json::json!({ "base_url": stub.base_url(), "control_url": control_url }));
    axum::serve(listener, control).await
}
