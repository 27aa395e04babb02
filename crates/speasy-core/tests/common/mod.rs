//! Shared helpers for the store's integration tests (real SQLite files in temp dirs).
#![allow(dead_code, clippy::unwrap_used)]

pub mod chat;

use serde_json::{Value, json};
use speasy_core::chatkit::{ThreadItem, ThreadMetadata, ThreadStatus, format_time};
use speasy_core::store::Store;

pub fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    (dir, store)
}

pub fn thread(store: &Store, title: Option<&str>, created_ms: i64) -> ThreadMetadata {
    let t = ThreadMetadata {
        id: store.generate_thread_id(),
        title: title.map(str::to_owned),
        created_at: format_time(created_ms),
        status: ThreadStatus::Active,
        metadata: Default::default(),
    };
    store.save_thread(&t).unwrap();
    t
}

pub fn item(store: &Store, thread_id: &str, body: Value) -> ThreadItem {
    let mut v = body;
    v["id"] = json!(store.generate_item_id());
    v["thread_id"] = json!(thread_id);
    if v.get("created_at").is_none() {
        v["created_at"] = json!(format_time(speasy_core::clock::now_ms()));
    }
    serde_json::from_value(v).unwrap()
}

pub fn user(store: &Store, thread_id: &str, text: &str) -> ThreadItem {
    item(
        store,
        thread_id,
        json!({"type": "user_message", "content": [{"type": "input_text", "text": text}],
               "attachments": [], "inference_options": {}}),
    )
}

pub fn assistant(store: &Store, thread_id: &str, text: &str) -> ThreadItem {
    item(
        store,
        thread_id,
        json!({"type": "assistant_message",
               "content": [{"type": "output_text", "text": text, "annotations": []}]}),
    )
}

pub fn widget(store: &Store, thread_id: &str, copy_text: &str) -> ThreadItem {
    item(
        store,
        thread_id,
        json!({"type": "widget", "copy_text": copy_text,
               "widget": {"type": "Card", "children": [{"type": "Text", "value": copy_text}]}}),
    )
}
