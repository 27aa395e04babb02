//! Example conversations written through the core's store API, so a new install (or a test)
//! has something to browse and search.

use serde_json::json;
use speasy_core::chat::tools::fact_card;
use speasy_core::chatkit::{ThreadItem, ThreadMetadata, ThreadStatus, format_time};
use speasy_core::clock::now_ms;
use speasy_core::store::{FactStatus, NewFact, Store};
use speasy_core::{ApiError, StoreError};

const CONVERSATIONS: &[(&str, &[&str])] = &[
    (
        "Weekend trip to the coast",
        &[
            "I have two days on the coast. What should I see?",
            "Start at the old lighthouse at sunrise, then walk the cliff path to the harbour for lunch. On day two, rent a bike and follow the dunes south.",
            "Is the lighthouse open to visitors?",
            "Yes: the lighthouse tower opens at 10:00 from April to October; the gallery has the best view of the bay.",
        ],
    ),
    (
        "Sourdough starter help",
        &[
            "My sourdough starter smells like nail polish. Is it dead?",
            "Not dead, just hungry: that acetone smell means it ran out of food. Feed it twice a day at a 1:1:1 ratio for a few days and it will recover.",
        ],
    ),
    (
        "Rust lifetimes question",
        &[
            "Why does the borrow checker reject returning a reference to a local variable?",
            "Because the local is dropped when the function returns, so the reference would dangle. Return an owned value (String instead of &str), or take the buffer as a parameter.",
        ],
    ),
];

/// A user (even `i`) or assistant (odd `i`) message of `thread_id`, created at `at` (unix ms).
pub(crate) fn message(
    store: &Store,
    thread_id: &str,
    i: usize,
    text: &str,
    at: i64,
) -> Result<ThreadItem, ApiError> {
    let v = if i.is_multiple_of(2) {
        json!({"type": "user_message", "content": [{"type": "input_text", "text": text}],
               "attachments": [], "inference_options": {}})
    } else {
        json!({"type": "assistant_message",
               "content": [{"type": "output_text", "text": text, "annotations": []}]})
    };
    let mut v = v;
    v["id"] = json!(store.generate_item_id());
    v["thread_id"] = json!(thread_id);
    v["created_at"] = json!(format_time(at));
    serde_json::from_value(v).map_err(|e| StoreError::from(e).into())
}

/// A fact the assistant offered to remember and the person saved, with its confirmation card
/// (the same widget the `save_fact` tool shows), so a fresh install has a widget to look at.
fn remembered(store: &Store, thread_id: &str, at: i64) -> Result<(), ApiError> {
    let fact = store.add_fact(&NewFact {
        text: "The user keeps a sourdough starter.".into(),
        source_thread_id: Some(thread_id.to_owned()),
        source_item_id: None,
        persona_id: None,
    })?;
    let fact = store.set_fact_status(&fact.id, FactStatus::Saved)?;
    let widget = serde_json::to_value(fact_card(Some(&fact))).map_err(StoreError::from)?;
    let item: ThreadItem = serde_json::from_value(json!({
        "id": store.generate_item_id(), "thread_id": thread_id, "created_at": format_time(at),
        "type": "widget", "widget": widget, "copy_text": fact.text,
    }))
    .map_err(StoreError::from)?;
    store.add_thread_item(thread_id, &item)?;
    Ok(())
}

/// Add the example conversations; returns how many threads were added.
pub fn seed(store: &Store) -> Result<usize, ApiError> {
    let base = now_ms() - 3 * 86_400_000;
    for (n, (title, turns)) in CONVERSATIONS.iter().enumerate() {
        let start = base + n as i64 * 86_400_000;
        let thread = ThreadMetadata {
            id: store.generate_thread_id(),
            title: Some((*title).to_owned()),
            created_at: format_time(start),
            status: ThreadStatus::Active,
            metadata: Default::default(),
        };
        store.save_thread(&thread)?;
        let items = turns
            .iter()
            .enumerate()
            .map(|(i, t)| message(store, &thread.id, i, t, start + i as i64 * 30_000))
            .collect::<Result<Vec<_>, _>>()?;
        store.add_thread_items(&thread.id, &items)?;
        if n == 1 {
            remembered(store, &thread.id, start + turns.len() as i64 * 30_000)?;
        }
    }
    Ok(CONVERSATIONS.len())
}
