//! ChatKit wire shapes: requests (`{type, params, metadata}`), the `Thread` object and the
//! stream events, serialised exactly as chatkit-python does (`None` omitted, snake_case).
//! See `../shared/reference/chatkit-protocol.md` §1–§3.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::types::{Order, Page, ThreadItem, ThreadMetadata};
use super::widgets::WidgetRoot;

/// A request as posted: the `type` decides how `params` is read.
#[derive(Debug, Clone, Deserialize)]
pub struct RawRequest {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub params: Value,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// `UserMessageInput`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserMessageInput {
    pub content: Vec<Value>,
    #[serde(default)]
    pub attachments: Vec<String>,
    #[serde(default)]
    pub quoted_text: Option<String>,
    #[serde(default)]
    pub inference_options: Map<String, Value>,
}

impl UserMessageInput {
    /// The text of the message: `input_text` parts and tag labels, in order.
    pub fn text(&self) -> String {
        let parts: Vec<&str> =
            self.content.iter().filter_map(|c| c.get("text").and_then(Value::as_str)).collect();
        parts.join("\n")
    }

    /// Reject content parts ChatKit does not define.
    pub fn validate(&self) -> Result<(), String> {
        if self.content.is_empty() {
            return Err("a message needs some content".into());
        }
        for c in &self.content {
            let kind = c.get("type").and_then(Value::as_str);
            let text = c.get("text").and_then(Value::as_str);
            match (kind, text) {
                (Some("input_text"), Some(_)) => {}
                (Some("input_tag"), Some(_)) if c.get("id").is_some_and(Value::is_string) => {}
                _ => return Err(format!("unsupported message content: {c}")),
            }
        }
        Ok(())
    }

    /// The model the person picked in the composer, if any.
    pub fn model(&self) -> Option<&str> {
        self.inference_options.get("model").and_then(Value::as_str).filter(|m| !m.is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateParams {
    pub input: UserMessageInput,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AddUserMessageParams {
    pub thread_id: String,
    pub input: UserMessageInput,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AddClientToolOutputParams {
    pub thread_id: String,
    #[serde(default)]
    pub result: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ThreadItemParams {
    pub thread_id: String,
    pub item_id: String,
}

/// `Action` in requests: `type` is required (the Python SDK forgets to enforce it).
#[derive(Debug, Clone, Deserialize)]
pub struct Action {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub payload: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CustomActionParams {
    pub thread_id: String,
    #[serde(default)]
    pub item_id: Option<String>,
    pub action: Action,
}

/// `input.transcribe` params.
#[derive(Debug, Clone, Deserialize)]
pub struct TranscribeParams {
    pub audio_base64: String,
    pub mime_type: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ThreadParams {
    pub thread_id: String,
}

/// `threads.list` params; `items.list` adds a `thread_id`.
#[derive(Debug, Clone, Deserialize)]
pub struct ListThreadsParams {
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub order: Order,
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ListItemsParams {
    pub thread_id: String,
    #[serde(flatten)]
    pub page: ListThreadsParams,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UpdateThreadParams {
    pub thread_id: String,
    pub title: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    Positive,
    Negative,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeedbackParams {
    pub thread_id: String,
    pub item_ids: Vec<String>,
    pub kind: FeedbackKind,
}

/// `Thread`: metadata plus a page of items.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "ChatKitThread")]
pub struct Thread {
    #[serde(flatten)]
    pub meta: ThreadMetadata,
    pub items: Page<ThreadItem>,
}

impl Thread {
    /// A thread with an empty items page (how `thread.created/updated` and lists carry it).
    pub fn bare(meta: ThreadMetadata) -> Self {
        Self { meta, items: Page::default() }
    }
}

/// `output_text` content of an assistant message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutputText {
    #[serde(rename = "type")]
    pub kind: OutputTextType,
    pub text: String,
    pub annotations: Vec<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum OutputTextType {
    #[serde(rename = "output_text")]
    OutputText,
}

impl OutputText {
    pub fn new(text: impl Into<String>) -> Self {
        Self { kind: OutputTextType::OutputText, text: text.into(), annotations: Vec::new() }
    }
}

/// `ThreadItemUpdate`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type")]
#[ts(export)]
pub enum ItemUpdate {
    #[serde(rename = "assistant_message.content_part.added")]
    ContentPartAdded { content_index: usize, content: OutputText },
    #[serde(rename = "assistant_message.content_part.text_delta")]
    TextDelta { content_index: usize, delta: String },
    #[serde(rename = "assistant_message.content_part.done")]
    ContentPartDone { content_index: usize, content: OutputText },
    #[serde(rename = "widget.root.updated")]
    WidgetRootUpdated { widget: WidgetRoot },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StreamOptions {
    pub allow_cancel: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NoticeLevel {
    Info,
    Warning,
    Danger,
}

/// `ThreadStreamEvent`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type")]
#[ts(export)]
pub enum StreamEvent {
    #[serde(rename = "thread.created")]
    ThreadCreated { thread: Thread },
    #[serde(rename = "thread.updated")]
    ThreadUpdated { thread: Thread },
    #[serde(rename = "thread.item.added")]
    ItemAdded { item: ThreadItem },
    #[serde(rename = "thread.item.updated")]
    ItemUpdated { item_id: String, update: ItemUpdate },
    #[serde(rename = "thread.item.done")]
    ItemDone { item: ThreadItem },
    #[serde(rename = "thread.item.removed")]
    ItemRemoved { item_id: String },
    #[serde(rename = "thread.item.replaced")]
    ItemReplaced { item: ThreadItem },
    #[serde(rename = "stream_options")]
    StreamOptions { stream_options: StreamOptions },
    #[serde(rename = "progress_update")]
    Progress {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        icon: Option<String>,
    },
    #[serde(rename = "client_effect")]
    ClientEffect { name: String, data: Map<String, Value> },
    #[serde(rename = "error")]
    Error {
        code: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        message: Option<String>,
        allow_retry: bool,
    },
    #[serde(rename = "notice")]
    Notice {
        level: NoticeLevel,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        title: Option<String>,
    },
}

impl StreamEvent {
    /// An `error` event showing `message` (code `custom`).
    pub fn error(message: impl Into<String>, allow_retry: bool) -> Self {
        Self::Error { code: "custom", message: Some(message.into()), allow_retry }
    }

    /// The SSE frame: `data: <json>\n\n`.
    pub fn to_sse(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|e| {
            serde_json::json!({"type": "error", "code": "custom", "message": e.to_string(),
                               "allow_retry": false})
            .to_string()
        });
        format!("data: {json}\n\n")
    }
}
