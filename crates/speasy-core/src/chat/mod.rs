//! The chat engine: the ChatKit server, in-process. [`Core::chatkit`] is the one entry every front
//! end uses (the Tauri shell over IPC, `speasy-cli serve` over HTTP): it takes a request body and
//! answers either JSON or a stream of ChatKit events ([`EventStream`]).
//!
//! - [`turn`]: one assistant response — context, the provider stream, tools, titles.
//! - [`context`]: the system prompt (persona + recalled facts) and history trimmed to a budget.
//! - [`tools`]: `save_fact`, `list_facts`, `search_history`, their widgets and widget actions.
//! - [`ops`]: Speasy's own `speasy.*` request types (facts, personas, providers, search...).
//!
//! Cancellation follows ownership: an [`EventStream`] holds its turn's cancellation token, and
//! dropping it (the HTTP client went away, the UI stopped listening) stops the provider stream
//! at once; the turn then keeps the partial answer and notes the cancellation for the model.

pub mod context;
pub mod ops;
pub mod tools;
pub mod turn;

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::Core;
use crate::chatkit::protocol::{
    AddClientToolOutputParams, AddUserMessageParams, CreateParams, CustomActionParams,
    FeedbackKind, FeedbackParams, ListItemsParams, ListThreadsParams, RawRequest, StreamEvent,
    Thread, ThreadItemParams, ThreadParams, TranscribeParams, UpdateThreadParams,
};
use crate::chatkit::{Order, ThreadMetadata};
use crate::error::{ApiError, ErrorKind};
use crate::store::ItemQuery;

/// Default and largest page sizes for listings.
const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 200;

/// What the entry answers.
pub enum ChatKitResponse {
    /// A JSON body (`application/json`).
    Json(Value),
    /// A stream of events (`text/event-stream`).
    Stream(EventStream),
}

/// The events of one streamed response. Dropping it cancels the turn.
pub struct EventStream {
    rx: mpsc::Receiver<StreamEvent>,
    _cancel: DropGuard,
}

impl EventStream {
    pub async fn next(&mut self) -> Option<StreamEvent> {
        self.rx.recv().await
    }

    /// Collect every event until the turn ends (for tests and scripts).
    pub async fn collect(mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        while let Some(e) = self.next().await {
            out.push(e);
        }
        out
    }
}

/// The sending half a turn writes to.
#[derive(Clone)]
pub struct Emitter {
    tx: mpsc::Sender<StreamEvent>,
    cancel: CancellationToken,
}

impl Emitter {
    /// Send an event; `false` once nobody listens any more (then the turn is cancelled).
    pub async fn send(&self, event: StreamEvent) -> bool {
        if self.tx.send(event).await.is_err() {
            self.cancel.cancel();
            return false;
        }
        true
    }

    /// Send without cancelling on failure (closing events after a cancel).
    pub(crate) async fn send_anyway(&self, event: StreamEvent) {
        let _ = self.tx.send(event).await;
    }

    /// Whether the receiving side is gone.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }
}

/// A new stream and the emitter feeding it.
pub(crate) fn channel() -> (Emitter, EventStream) {
    let (tx, rx) = mpsc::channel(256);
    let cancel = CancellationToken::new();
    let guard = cancel.clone().drop_guard();
    (Emitter { tx, cancel }, EventStream { rx, _cancel: guard })
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidInput, msg)
}

fn params<T: serde::de::DeserializeOwned>(kind: &str, v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| invalid(format!("invalid params for {kind}: {e}")))
}

fn page_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
}

impl Core {
    /// The ChatKit entry. `body` is the request JSON (`{type, params, metadata}`).
    ///
    /// Errors (`Err`) are for requests that cannot be served at all: malformed JSON, an unknown
    /// type, bad params, an unknown id in a JSON op. A streaming op that fails once started
    /// reports an `error` event inside its stream instead.
    pub async fn chatkit(self: &Arc<Self>, body: &[u8]) -> Result<ChatKitResponse, ApiError> {
        let req: RawRequest = serde_json::from_slice(body)
            .map_err(|e| invalid(format!("the request is not valid ChatKit JSON: {e}")))?;
        let kind = req.kind.clone();
        let p = req.params;
        let json = |v: Result<Value, ApiError>| v.map(ChatKitResponse::Json);
        match kind.as_str() {
            "threads.create" => {
                let p: CreateParams = params(&kind, p)?;
                p.input.validate().map_err(invalid)?;
                let persona = req.metadata.get("persona_id").and_then(Value::as_str);
                let start =
                    turn::Start::Create { input: p.input, persona: persona.map(Into::into) };
                self.stream_maybe_spoken(start, &req.metadata, None, persona)
            }
            "threads.add_user_message" => {
                let p: AddUserMessageParams = params(&kind, p)?;
                p.input.validate().map_err(invalid)?;
                let thread = Some(p.thread_id.clone());
                let start = turn::Start::UserMessage { thread_id: p.thread_id, input: p.input };
                self.stream_maybe_spoken(start, &req.metadata, thread, None)
            }
            "threads.retry_after_item" => {
                let p: ThreadItemParams = params(&kind, p)?;
                self.stream(turn::Start::Retry { thread_id: p.thread_id, item_id: p.item_id })
            }
            "threads.add_client_tool_output" => {
                let p: AddClientToolOutputParams = params(&kind, p)?;
                self.stream(turn::Start::ClientToolOutput {
                    thread_id: p.thread_id,
                    result: p.result,
                })
            }
            "threads.custom_action" => {
                let p: CustomActionParams = params(&kind, p)?;
                self.stream(turn::Start::Action(p))
            }
            "threads.sync_custom_action" => {
                let p: CustomActionParams = params(&kind, p)?;
                let store = self.store()?;
                let item = tools::handle_action(&store, &p)?;
                json(Ok(match item.and_then(|a| a.replaced) {
                    Some(item) => json!({ "updated_item": item }),
                    None => json!({}),
                }))
            }
            "threads.get_by_id" => {
                let p: ThreadParams = params(&kind, p)?;
                let store = self.store()?;
                let meta = store.load_thread(&p.thread_id)?;
                let items = store.load_thread_items(
                    &p.thread_id,
                    &ItemQuery { limit: DEFAULT_PAGE, order: Order::Asc, ..ItemQuery::default() },
                )?;
                json(to_value(&Thread { meta, items }))
            }
            "threads.list" => {
                let p: ListThreadsParams = params(&kind, p)?;
                let page =
                    self.store()?.load_threads(page_limit(p.limit), p.after.as_deref(), p.order)?;
                let page = crate::chatkit::Page {
                    data: page.data.into_iter().map(Thread::bare).collect::<Vec<_>>(),
                    has_more: page.has_more,
                    after: page.after,
                };
                json(to_value(&page))
            }
            "items.list" => {
                let p: ListItemsParams = params(&kind, p)?;
                let page = self.store()?.load_thread_items(
                    &p.thread_id,
                    &ItemQuery {
                        after: p.page.after,
                        limit: page_limit(p.page.limit),
                        order: p.page.order,
                        include_hidden: false,
                    },
                )?;
                json(to_value(&page))
            }
            "threads.update" => {
                let p: UpdateThreadParams = params(&kind, p)?;
                let store = self.store()?;
                let mut meta: ThreadMetadata = store.load_thread(&p.thread_id)?;
                let title = p.title.trim();
                meta.title = (!title.is_empty()).then(|| title.to_owned());
                store.save_thread(&meta)?;
                json(to_value(&Thread::bare(meta)))
            }
            "threads.delete" => {
                let p: ThreadParams = params(&kind, p)?;
                self.cancel_turn(&p.thread_id);
                self.store()?.delete_thread(&p.thread_id)?;
                json(Ok(json!({})))
            }
            "items.feedback" => {
                let p: FeedbackParams = params(&kind, p)?;
                let store = self.store()?;
                store.load_thread(&p.thread_id)?;
                for id in &p.item_ids {
                    store.load_item(&p.thread_id, id)?;
                }
                store.set_feedback(&p.thread_id, &p.item_ids, p.kind == FeedbackKind::Positive)?;
                json(Ok(json!({})))
            }
            "input.transcribe" => {
                let p: TranscribeParams = params(&kind, p)?;
                let text = self.transcribe_recording(&p.audio_base64, &p.mime_type).await?;
                json(Ok(json!({ "text": text })))
            }
            "attachments.create" | "attachments.delete" | "threads.add_structured_input" => {
                Err(ApiError::new(
                    ErrorKind::InvalidInput,
                    format!("{kind} is not supported by this version of Speasy"),
                ))
            }
            k if k.starts_with("speasy.") => {
                let op: ops::Op = serde_json::from_value(json!({ "type": k, "params": p }))
                    .map_err(|e| invalid(format!("invalid {k} request: {e}")))?;
                json(ops::run(self, op).await)
            }
            other => Err(invalid(format!("unknown request type \"{other}\""))),
        }
    }

    /// A turn's stream, read aloud as it comes when the request asks (`metadata.speak: true`,
    /// as hands-free voice does) or the auto-read setting is on (`metadata.speak: false` opts
    /// out).
    fn stream_maybe_spoken(
        self: &Arc<Self>,
        start: turn::Start,
        metadata: &serde_json::Map<String, Value>,
        thread_id: Option<String>,
        persona_id: Option<&str>,
    ) -> Result<ChatKitResponse, ApiError> {
        let speak = match metadata.get("speak").and_then(Value::as_bool) {
            Some(asked) => asked,
            None => self.settings().map(|s| s.voice.auto_read).unwrap_or(false),
        };
        let response = self.stream(start)?;
        match response {
            ChatKitResponse::Stream(s) if speak => Ok(ChatKitResponse::Stream(self.speak_stream(
                s,
                thread_id,
                persona_id.map(Into::into),
            ))),
            other => Ok(other),
        }
    }

    fn stream(self: &Arc<Self>, start: turn::Start) -> Result<ChatKitResponse, ApiError> {
        let (emitter, stream) = channel();
        let core = Arc::clone(self);
        tokio::spawn(async move { turn::run(core, start, emitter).await });
        Ok(ChatKitResponse::Stream(stream))
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))
}
