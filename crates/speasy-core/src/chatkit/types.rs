//! Threads, pages and thread items.
//!
//! A [`ThreadItem`] keeps its common envelope typed (`id`, `thread_id`, `created_at`, `type`)
//! and every other field as JSON, so any ChatKit item type, including ones added by later
//! ChatKit versions, is stored and returned losslessly.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// ChatKit timestamps: ISO-8601 in UTC with an explicit `Z`.
pub fn format_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parse a ChatKit timestamp (with or without an offset; naive times are taken as UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc().timestamp_millis())
}

/// `ThreadStatus`: whether the composer is usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ThreadStatus {
    #[default]
    Active,
    Locked {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reason: Option<String>,
    },
    Closed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reason: Option<String>,
    },
}

/// `ThreadMetadata`: a thread without its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ThreadMetadata {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub status: ThreadStatus,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// `Page<T>`: one page of a listing. `after` is the cursor for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub after: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self { data: Vec::new(), has_more: false, after: None }
    }
}

/// Listing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Order {
    Asc,
    #[default]
    Desc,
}

/// Item types that are stored but never sent to a client.
pub const HIDDEN_ITEM_TYPES: [&str; 2] = ["hidden_context_item", "sdk_hidden_context"];

/// A ChatKit thread item: typed envelope, lossless body. (The UI narrows `type` to the item
/// kinds it renders; the body's other fields travel as they are.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ThreadItem {
    pub id: String,
    pub thread_id: String,
    pub created_at: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub fields: Map<String, Value>,
}

impl ThreadItem {
    pub fn is_hidden(&self) -> bool {
        HIDDEN_ITEM_TYPES.contains(&self.kind.as_str())
    }

    /// The `text` of its `content` parts whose `type` starts with `part` (`"input_"`,
    /// `"output_text"`; `""` for all), joined by line breaks.
    pub fn content_text(&self, part: &str) -> String {
        self.fields
            .get("content")
            .and_then(Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .filter(|p| {
                        p.get("type").and_then(Value::as_str).is_some_and(|t| t.starts_with(part))
                    })
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }
}

/// A ChatKit `Attachment` (file or image). `metadata` is ours and never sent to a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AttachmentKind,
    pub name: String,
    pub mime_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_descriptor: Option<Value>,
    /// Byte size when known (ours; ChatKit does not send it back).
    #[serde(skip)]
    pub size: Option<i64>,
    /// Server-side metadata; never serialised to a client.
    #[serde(skip)]
    pub metadata: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    File,
    Image,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Image => "image",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn item_round_trips_unknown_fields() {
        let raw = json!({
            "id": "m1", "thread_id": "t1", "created_at": "2026-11-21T14:15:02.892205",
            "type": "assistant_message",
            "content": [{"type": "output_text", "text": "hi", "annotations": []}],
            "future_field": {"x": 1}
        });
        let item: ThreadItem = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(item.kind, "assistant_message");
        assert_eq!(serde_json::to_value(&item).unwrap(), raw);
    }

    #[test]
    fn times_parse_with_and_without_offset() {
        assert_eq!(parse_time("1970-01-01T00:00:01.500Z"), Some(1500));
        assert_eq!(parse_time("1970-01-01T00:00:01.5"), Some(1500));
        assert_eq!(parse_time("1970-01-01T01:00:01+01:00"), Some(1000));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(format_time(1500), "1970-01-01T00:00:01.500Z");
    }

    #[test]
    fn status_serialises_like_chatkit() {
        assert_eq!(serde_json::to_value(ThreadStatus::Active).unwrap(), json!({"type": "active"}));
        let locked = ThreadStatus::Locked { reason: Some("busy".into()) };
        assert_eq!(
            serde_json::to_value(locked).unwrap(),
            json!({"type": "locked", "reason": "busy"})
        );
    }
}
