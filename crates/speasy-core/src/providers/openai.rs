//! The one Chat Completions client, for every OpenAI-compatible provider.
//!
//! Streaming reads the SSE body (framing by `eventsource-stream`: split frames, CRLF, comments
//! such as OpenRouter's `: OPENROUTER PROCESSING` keep-alives) and turns chunks into
//! [`StreamItem`]s: text deltas as they come, and at the end one [`Finish`] with the tool calls
//! reassembled from their fragments (index, id, name and argument pieces may each arrive in a
//! different chunk), the finish reason and usage. HTTP statuses and OpenAI-shaped error bodies
//! become typed [`ProviderError`]s. Transient failures are retried with backoff, but only before
//! the first token: once text was shown, a failure is reported and the partial answer kept.
//! Dropping a [`ChatStream`] closes the HTTP stream at once.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{ModelInfo, ProviderKind};
use crate::error::ProviderError;

/// Where to send a request: a provider resolved with its key.
#[derive(Clone)]
pub struct Endpoint {
    /// For messages ("OpenAI", "Ollama at 127.0.0.1:11434").
    pub label: String,
    pub kind: ProviderKind,
    pub base_url: String,
    pub api_key: Option<SecretString>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("label", &self.label)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// Time limits and the retry policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub connect_timeout: Duration,
    /// Until the response headers arrive (a local model may first have to load).
    pub first_byte_timeout: Duration,
    /// Between two parts of a streamed answer.
    pub idle_timeout: Duration,
    /// Extra attempts after the first, for transient failures before the first token.
    pub retries: u32,
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; longer asks are reported instead of waited out.
    pub max_retry_wait: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(90),
            retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(20),
        }
    }
}

/// A chat message in the Chat Completions format.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum ChatMessage {
    System {
        content: String,
    },
    User {
        content: String,
    },
    Assistant {
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

impl ChatMessage {
    /// The text this message carries (for token estimates).
    pub fn text_len(&self) -> usize {
        match self {
            Self::System { content } | Self::User { content } => content.len(),
            Self::Tool { content, .. } => content.len() + 16,
            Self::Assistant { content, tool_calls } => {
                content.as_ref().map_or(0, String::len)
                    + tool_calls
                        .iter()
                        .map(|c| c.function.name.len() + c.function.arguments.len() + 16)
                        .sum::<usize>()
            }
        }
    }
}

/// A complete tool call requested by the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionCall,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionCall {
    pub name: String,
    /// JSON text, as the model wrote it.
    pub arguments: String,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
}

impl Serialize for ToolSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            }
        })
        .serialize(s)
    }
}

/// One Chat Completions request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
}

#[derive(Serialize)]
struct Wire<'a> {
    #[serde(flatten)]
    req: &'a ChatRequest,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<Value>,
}

/// Token counts reported by the provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    Stop,
    ToolCalls,
    Length,
    ContentFilter,
    Other(String),
}

impl FinishReason {
    fn parse(s: &str) -> Self {
        match s {
            "stop" | "eos" | "end_turn" => Self::Stop,
            "tool_calls" | "function_call" => Self::ToolCalls,
            "length" => Self::Length,
            "content_filter" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// The end of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub reason: FinishReason,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Option<Usage>,
}

/// What a [`ChatStream`] yields.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    Text(String),
    /// The model started writing a call to this tool (arguments follow).
    ToolCallStarted(String),
    Finished(Finish),
}

// ---- wire chunks -------------------------------------------------------------------------

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<DeltaMsg>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct DeltaMsg {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

/// Why the body stopped: the connection failed, or nothing at all (not even a keep-alive
/// comment) arrived within the idle timeout.
#[derive(Debug)]
enum BodyError {
    Http(reqwest::Error),
    Idle,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Http(e) => e.fmt(f),
            Self::Idle => f.write_str("no data within the idle timeout"),
        }
    }
}

type Events = Pin<
    Box<dyn Stream<Item = Result<eventsource_stream::Event, EventStreamError<BodyError>>> + Send>,
>;

/// The response body as SSE events. The idle timeout applies to raw bytes, so keep-alive
/// comments (which the SSE parser drops) keep a slow answer alive.
fn body_events(resp: reqwest::Response, idle: Duration) -> Events {
    let bytes = Box::pin(resp.bytes_stream());
    let timed =
        futures_util::stream::unfold((bytes, false), move |(mut bytes, failed)| async move {
            if failed {
                return None;
            }
            match tokio::time::timeout(idle, bytes.next()).await {
                Err(_) => Some((Err(BodyError::Idle), (bytes, true))),
                Ok(None) => None,
                Ok(Some(chunk)) => Some((chunk.map_err(BodyError::Http), (bytes, false))),
            }
        });
    Box::pin(timed.eventsource())
}

/// A streamed answer. Pull with [`ChatStream::next`]; drop it to stop the HTTP stream.
pub struct ChatStream {
    label: String,
    events: Events,
    calls: BTreeMap<u32, PartialCall>,
    finish: Option<String>,
    usage: Option<Usage>,
    first: Option<Result<StreamItem, ProviderError>>,
    queued: Option<StreamItem>,
    ended: bool,
}

impl ChatStream {
    /// The next item; `None` after [`StreamItem::Finished`] or an error.
    pub async fn next(&mut self) -> Option<Result<StreamItem, ProviderError>> {
        if let Some(first) = self.first.take() {
            if matches!(first, Err(_) | Ok(StreamItem::Finished(_))) {
                self.ended = true;
            }
            return Some(first);
        }
        if let Some(item) = self.queued.take() {
            return Some(Ok(item));
        }
        if self.ended {
            return None;
        }
        let out = self.pull().await;
        if matches!(out, Err(_) | Ok(StreamItem::Finished(_))) {
            self.ended = true;
        }
        Some(out)
    }

    async fn pull(&mut self) -> Result<StreamItem, ProviderError> {
        loop {
            let event = match self.events.next().await {
                None => {
                    return if self.finish.is_some() {
                        Ok(StreamItem::Finished(self.take_finish()))
                    } else {
                        Err(ProviderError::Interrupted { provider: self.label.clone() })
                    };
                }
                Some(Err(EventStreamError::Transport(BodyError::Idle))) => {
                    return Err(ProviderError::Timeout {
                        provider: self.label.clone(),
                        what: "waiting for the rest of the answer",
                    });
                }
                Some(Err(EventStreamError::Transport(BodyError::Http(e)))) => {
                    return Err(if e.is_timeout() {
                        ProviderError::Timeout {
                            provider: self.label.clone(),
                            what: "reading the answer",
                        }
                    } else {
                        ProviderError::Interrupted { provider: self.label.clone() }
                    });
                }
                Some(Err(e)) => return Err(self.malformed(e.to_string())),
                Some(Ok(event)) => event,
            };
            let data = event.data.trim();
            if data.is_empty() {
                continue;
            }
            if data == "[DONE]" {
                return Ok(StreamItem::Finished(self.take_finish()));
            }
            let chunk: Chunk = serde_json::from_str(data)
                .map_err(|e| self.malformed(format!("a chunk is not valid JSON ({e})")))?;
            if let Some(err) = chunk.error {
                return Err(stream_error(&self.label, &err));
            }
            if chunk.usage.is_some() {
                self.usage = chunk.usage;
            }
            let mut text = String::new();
            let mut started = None;
            for choice in chunk.choices {
                if let Some(delta) = choice.delta {
                    if let Some(c) = delta.content {
                        text.push_str(&c);
                    }
                    for tc in delta.tool_calls.into_iter().flatten() {
                        let index = match tc.index {
                            Some(i) => i,
                            // No index (some OpenAI-compatible servers): a new id or a second
                            // name starts a new call, anything else continues the last one.
                            None => {
                                let last = self.calls.iter().next_back();
                                let starts_new = last.is_none_or(|(_, c)| {
                                    tc.id.as_ref().is_some_and(|id| !id.is_empty() && *id != c.id)
                                        || (tc.id.is_none()
                                            && !c.name.is_empty()
                                            && tc
                                                .function
                                                .as_ref()
                                                .and_then(|f| f.name.as_ref())
                                                .is_some_and(|n| !n.is_empty() && *n != c.name))
                                });
                                match last {
                                    Some((i, _)) if !starts_new => *i,
                                    Some((i, _)) => i + 1,
                                    None => 0,
                                }
                            }
                        };
                        let call = self.calls.entry(index).or_default();
                        if let Some(id) = tc.id.filter(|s| !s.is_empty()) {
                            call.id = id;
                        }
                        if let Some(f) = tc.function {
                            if let Some(name) = f.name.filter(|s| !s.is_empty()) {
                                if call.name.is_empty() {
                                    started = Some(name.clone());
                                    call.name = name;
                                } else if name != call.name {
                                    // Some servers repeat the name in every delta; others split it.
                                    call.name.push_str(&name);
                                }
                            }
                            if let Some(a) = f.arguments {
                                call.arguments.push_str(&a);
                            }
                        }
                    }
                }
                if let Some(reason) = choice.finish_reason {
                    self.finish = Some(reason);
                }
            }
            match (text.is_empty(), started) {
                (false, started) => {
                    self.queued = started.map(StreamItem::ToolCallStarted);
                    return Ok(StreamItem::Text(text));
                }
                (true, Some(name)) => return Ok(StreamItem::ToolCallStarted(name)),
                (true, None) => {}
            }
        }
    }

    fn take_finish(&mut self) -> Finish {
        let calls = std::mem::take(&mut self.calls);
        let tool_calls: Vec<ToolCall> = calls
            .into_iter()
            .filter(|(_, c)| !c.name.is_empty())
            .map(|(i, c)| ToolCall {
                id: if c.id.is_empty() { format!("call_{i}") } else { c.id },
                kind: "function",
                function: FunctionCall { name: c.name, arguments: c.arguments },
            })
            .collect();
        let reason = match self.finish.take() {
            Some(r) => FinishReason::parse(&r),
            None if !tool_calls.is_empty() => FinishReason::ToolCalls,
            None => FinishReason::Stop,
        };
        // Some servers say "stop" after tool calls; the calls are what matters.
        let reason = if !tool_calls.is_empty() && reason == FinishReason::Stop {
            FinishReason::ToolCalls
        } else {
            reason
        };
        Finish { reason, tool_calls, usage: self.usage.take() }
    }

    fn malformed(&self, message: String) -> ProviderError {
        ProviderError::MalformedStream { provider: self.label.clone(), message }
    }
}

/// The HTTP client. Cheap to clone; one per app.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    policy: Policy,
}

const USER_AGENT: &str = concat!("Speasy/", env!("CARGO_PKG_VERSION"));

impl Client {
    pub fn new(policy: Policy) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(policy.connect_timeout)
            .build()
            .map_err(|e| ProviderError::InvalidConfig(format!("HTTP client: {e}")))?;
        Ok(Self { http, policy })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn request(
        &self,
        ep: &Endpoint,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, format!("{}{path}", ep.base_url));
        if let Some(key) = &ep.api_key {
            rb = rb.bearer_auth(key.expose_secret());
        }
        if ep.kind == ProviderKind::Openrouter {
            // OpenRouter's app attribution headers.
            rb = rb.header("HTTP-Referer", "https://speasy.app").header("X-Title", "Speasy");
        }
        rb
    }

    /// The HTTP client, for services with an API of their own (ElevenLabs): requests built on
    /// it go through [`Client::send`] for the same time limits and error mapping.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Send a request; an unsuccessful status becomes a typed error (`label` names the
    /// service in it).
    pub(crate) async fn send(
        &self,
        label: &str,
        rb: reqwest::RequestBuilder,
        model: Option<&str>,
    ) -> Result<reqwest::Response, ProviderError> {
        let resp = tokio::time::timeout(self.policy.first_byte_timeout, rb.send())
            .await
            .map_err(|_| ProviderError::Timeout {
                provider: label.to_owned(),
                what: "waiting for the server to answer",
            })?
            .map_err(|e| network(label, &e))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let url = resp.url().to_string();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = tokio::time::timeout(self.policy.idle_timeout, resp.text())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        Err(status_error(label, status, &body, retry_after, model, &url))
    }

    /// A JSON response body (`what` names it in errors).
    pub(crate) async fn read_json(
        &self,
        label: &str,
        resp: reqwest::Response,
        what: &'static str,
    ) -> Result<Value, ProviderError> {
        tokio::time::timeout(self.policy.idle_timeout, resp.json::<Value>())
            .await
            .map_err(|_| ProviderError::Timeout { provider: label.to_owned(), what })?
            .map_err(|e| ProviderError::MalformedStream {
                provider: label.to_owned(),
                message: format!("{what} is not valid JSON ({e})"),
            })
    }

    /// Synthesise speech: `POST /audio/speech` with the text, voice and audio format; the
    /// response body is the audio (streamed as it is made).
    pub async fn speech(
        &self,
        ep: &Endpoint,
        body: &Value,
        model: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        let rb = self.request(ep, reqwest::Method::POST, "/audio/speech").json(body);
        self.send(&ep.label, rb, Some(model)).await
    }

    /// Transcribe speech: `POST /audio/transcriptions`, multipart with an audio file, the model
    /// (`whisper-1`, `gpt-4o-mini-transcribe`, a local server's model) and the language when
    /// known. OpenAI, Groq and local Whisper servers speak this.
    pub async fn transcribe(
        &self,
        ep: &Endpoint,
        audio: AudioFile,
        model: &str,
        language: Option<&str>,
    ) -> Result<String, ProviderError> {
        let mut form = reqwest::multipart::Form::new()
            .part("file", audio.part()?)
            .text("model", model.to_owned())
            .text("response_format", "json");
        if let Some(language) = language {
            form = form.text("language", language.to_owned());
        }
        let rb = self.request(ep, reqwest::Method::POST, "/audio/transcriptions").multipart(form);
        let resp = self.send(&ep.label, rb, Some(model)).await?;
        let body = self.read_json(&ep.label, resp, "the transcription").await?;
        transcript_text(&ep.label, &body)
    }

    /// Open a streamed chat completion. Transient failures before the first token (connection
    /// refused, 429, 5xx, a stream cut before any output) are retried per the [`Policy`];
    /// `cancel` stops the waiting.
    pub async fn stream_chat(
        &self,
        ep: &Endpoint,
        req: &ChatRequest,
        cancel: &CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        let mut attempt = 0;
        loop {
            let result = tokio::select! {
                r = self.open_once(ep, req) => r,
                () = cancel.cancelled() => return Err(cancelled(ep)),
            };
            let err = match result {
                Ok(s) => return Ok(s),
                Err(e) => e,
            };
            if !err.is_transient() || attempt >= self.policy.retries {
                return Err(err);
            }
            let wait = match &err {
                ProviderError::RateLimited { retry_after_secs: Some(s), .. } => {
                    let asked = Duration::from_secs(*s);
                    if asked > self.policy.max_retry_wait {
                        return Err(err);
                    }
                    asked
                }
                _ => self.policy.backoff * 2u32.pow(attempt),
            };
            tracing::info!(provider = %ep.label, attempt, error = %err, ?wait, "retrying");
            attempt += 1;
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = cancel.cancelled() => return Err(cancelled(ep)),
            }
        }
    }

    async fn open_once(
        &self,
        ep: &Endpoint,
        req: &ChatRequest,
    ) -> Result<ChatStream, ProviderError> {
        let wire = Wire {
            req,
            stream: true,
            stream_options: Some(serde_json::json!({ "include_usage": true })),
        };
        let rb = self
            .request(ep, reqwest::Method::POST, "/chat/completions")
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .json(&wire);
        let resp = self.send(&ep.label, rb, Some(&req.model)).await?;
        let mut stream = ChatStream {
            label: ep.label.clone(),
            events: body_events(resp, self.policy.idle_timeout),
            calls: BTreeMap::new(),
            finish: None,
            usage: None,
            first: None,
            queued: None,
            ended: false,
        };
        // Read up to the first item so that a stream failing before any output can be retried.
        match stream.next().await {
            Some(Err(e)) => Err(e),
            Some(Ok(item)) => {
                stream.first = Some(Ok(item));
                stream.ended = false;
                Ok(stream)
            }
            None => Err(ProviderError::Interrupted { provider: ep.label.clone() }),
        }
    }

    /// A short non-streamed completion (used for thread titles).
    pub async fn complete(
        &self,
        ep: &Endpoint,
        req: &ChatRequest,
    ) -> Result<String, ProviderError> {
        let wire = Wire { req, stream: false, stream_options: None };
        let rb = self.request(ep, reqwest::Method::POST, "/chat/completions").json(&wire);
        let resp = self.send(&ep.label, rb, Some(&req.model)).await?;
        let body: Value = tokio::time::timeout(self.policy.idle_timeout, resp.json())
            .await
            .map_err(|_| ProviderError::Timeout {
                provider: ep.label.clone(),
                what: "reading the answer",
            })?
            .map_err(|e| ProviderError::MalformedStream {
                provider: ep.label.clone(),
                message: format!("the answer is not valid JSON ({e})"),
            })?;
        body.pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ProviderError::MalformedStream {
                provider: ep.label.clone(),
                message: "the answer has no message content".into(),
            })
    }

    /// The provider's models (`GET /models`), sorted by id.
    pub async fn list_models(&self, ep: &Endpoint) -> Result<Vec<ModelInfo>, ProviderError> {
        let rb = self.request(ep, reqwest::Method::GET, "/models");
        let resp = self.send(&ep.label, rb, None).await?;
        #[derive(Deserialize)]
        struct List {
            data: Vec<ModelInfo>,
        }
        let body = tokio::time::timeout(self.policy.idle_timeout, resp.json::<List>())
            .await
            .map_err(|_| ProviderError::Timeout {
                provider: ep.label.clone(),
                what: "reading the model list",
            })?;
        let mut list: List = body.map_err(|e| ProviderError::MalformedStream {
            provider: ep.label.clone(),
            message: format!("the model list is not what OpenAI's API returns ({e})"),
        })?;
        list.data.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(list.data)
    }
}

/// An audio file to transcribe: its bytes, a file name whose extension says the format
/// (services go by it), and its MIME type.
#[derive(Debug, Clone)]
pub struct AudioFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub mime_type: String,
}

impl AudioFile {
    /// The `file` part of a speech upload.
    pub(crate) fn part(self) -> Result<reqwest::multipart::Part, ProviderError> {
        reqwest::multipart::Part::bytes(self.bytes)
            .file_name(self.file_name)
            .mime_str(&self.mime_type)
            .map_err(|e| ProviderError::InvalidConfig(format!("audio upload: {e}")))
    }
}

/// The `text` of a transcription answer (OpenAI's and ElevenLabs' both have one), trimmed.
pub(crate) fn transcript_text(label: &str, body: &Value) -> Result<String, ProviderError> {
    body.get("text").and_then(Value::as_str).map(|t| t.trim().to_owned()).ok_or_else(|| {
        ProviderError::MalformedStream {
            provider: label.to_owned(),
            message: "the transcription has no \"text\"".into(),
        }
    })
}

fn cancelled(ep: &Endpoint) -> ProviderError {
    ProviderError::Interrupted { provider: ep.label.clone() }
}

fn network(label: &str, e: &reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        return ProviderError::Timeout { provider: label.to_owned(), what: "connecting" };
    }
    // The innermost cause says the most ("Connection refused").
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    ProviderError::Network { provider: label.to_owned(), message: cause.to_string() }
}

/// `(message, code)` from an error body: OpenAI's `{"error":{"message","code"}}`, Ollama's and
/// LM Studio's `{"error":"..."}`, or plain text.
fn error_parts(body: &str) -> (String, Option<String>) {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let err = v.get("error").unwrap_or(&v);
    let message = err
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| err.as_str())
        .or_else(|| v.get("detail").and_then(Value::as_str))
        // ElevenLabs: {"detail": {"status": "invalid_api_key", "message": "..."}}
        .or_else(|| v.pointer("/detail/message").and_then(Value::as_str))
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(300).collect::<String>().trim().to_owned());
    let code = err.get("code").or_else(|| v.pointer("/detail/status")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    (message, code)
}

fn looks_like_context_overflow(message: &str, code: Option<&str>) -> bool {
    let m = message.to_ascii_lowercase();
    code == Some("context_length_exceeded")
        || m.contains("context length")
        || m.contains("context window")
        || m.contains("maximum context")
        || m.contains("too many tokens")
}

fn status_error(
    label: &str,
    status: StatusCode,
    body: &str,
    retry_after: Option<u64>,
    model: Option<&str>,
    url: &str,
) -> ProviderError {
    let provider = label.to_owned();
    let (message, code) = error_parts(body);
    let message = if message.is_empty() { status.to_string() } else { message };
    match status.as_u16() {
        401 => ProviderError::Unauthorized { provider },
        403 => ProviderError::Forbidden { provider, message },
        404 => match model {
            Some(m)
                if code.as_deref() == Some("model_not_found")
                    || message.to_ascii_lowercase().contains("model") =>
            {
                ProviderError::ModelNotFound { provider, model: m.to_owned() }
            }
            _ => ProviderError::EndpointNotFound { provider, url: url.to_owned() },
        },
        429 => ProviderError::RateLimited { provider, retry_after_secs: retry_after },
        400 | 413 | 422 if looks_like_context_overflow(&message, code.as_deref()) => {
            ProviderError::ContextTooLong { message }
        }
        408 | 500..=599 => ProviderError::Server { provider, status: status.as_u16(), message },
        s => ProviderError::BadRequest { provider, status: s, message },
    }
}

/// An `{"error": ...}` object sent inside a stream (OpenAI and OpenRouter do this mid-answer).
fn stream_error(label: &str, err: &Value) -> ProviderError {
    let body = serde_json::json!({ "error": err }).to_string();
    let (message, code) = error_parts(&body);
    let status = code
        .as_deref()
        .and_then(|c| c.parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    if looks_like_context_overflow(&message, code.as_deref()) {
        return ProviderError::ContextTooLong { message };
    }
    match status_error(label, status, &body, None, None, "") {
        ProviderError::BadRequest { provider, status, message } if status < 400 => {
            ProviderError::Server { provider, status: 502, message }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_each_server_family() {
        let openai = r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        assert_eq!(
            error_parts(openai),
            ("Incorrect API key provided".into(), Some("invalid_api_key".into()))
        );
        assert_eq!(error_parts(r#"{"error":"model 'x' not found"}"#).0, "model 'x' not found");
        assert_eq!(error_parts("Bad Gateway").0, "Bad Gateway");
    }

    #[test]
    fn statuses_map_to_typed_errors() {
        let e = |s: u16, body: &str| {
            status_error("P", StatusCode::from_u16(s).unwrap(), body, Some(3), Some("m"), "u")
        };
        assert!(matches!(e(401, ""), ProviderError::Unauthorized { .. }));
        assert!(matches!(e(404, r#"{"error":{"code":"model_not_found","message":"x"}}"#),
            ProviderError::ModelNotFound { model, .. } if model == "m"));
        assert!(matches!(e(404, "Not Found"), ProviderError::EndpointNotFound { .. }));
        assert!(matches!(
            e(400, r#"{"error":{"code":"context_length_exceeded","message":"too long"}}"#),
            ProviderError::ContextTooLong { .. }
        ));
        assert!(matches!(e(400, r#"{"error":"bad"}"#), ProviderError::BadRequest { .. }));
        assert!(matches!(e(429, ""), ProviderError::RateLimited { retry_after_secs: Some(3), .. }));
        assert!(e(503, "").is_transient());
        assert!(!e(401, "").is_transient());
    }

    #[test]
    fn request_serialises_like_openai() {
        let req = ChatRequest {
            model: "gpt-4o".into(),
            messages: vec![
                ChatMessage::System { content: "s".into() },
                ChatMessage::Assistant {
                    content: None,
                    tool_calls: vec![ToolCall {
                        id: "c1".into(),
                        kind: "function",
                        function: FunctionCall { name: "f".into(), arguments: "{}".into() },
                    }],
                },
                ChatMessage::Tool { tool_call_id: "c1".into(), content: "ok".into() },
            ],
            tools: vec![],
            max_tokens: None,
            temperature: None,
        };
        let wire = Wire { req: &req, stream: true, stream_options: None };
        assert_eq!(
            serde_json::to_value(&wire).unwrap(),
            serde_json::json!({
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "assistant", "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ]},
                    {"role": "tool", "tool_call_id": "c1", "content": "ok"}
                ],
                "stream": true
            })
        );
    }
}
