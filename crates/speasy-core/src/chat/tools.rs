//! The assistant's tools and the widgets they answer with.
//!
//! - `save_fact(text)`: records a *pending* fact and shows a card with Save / Discard buttons;
//!   nothing is remembered until the person presses Save.
//! - `list_facts`: a list of saved facts, each with a delete button.
//! - `search_history(query)`: matching past messages; clicking one opens its thread.
//!
//! Widget actions (`threads.custom_action` / `sync_custom_action`) are handled from what is
//! stored: the fact id travels in the action payload and the widget item is re-rendered from the
//! database, so a card still works after the app restarted.

use serde_json::{Map, Value, json};

use crate::chatkit::protocol::CustomActionParams;
use crate::chatkit::widgets::{
    ActionConfig, Button, ButtonStyle, Caption, Card, CardSize, Col, Icon, ListView, ListViewItem,
    Markdown, Row, Text, Title, WidgetComponent, WidgetRoot, copy_text,
};
use crate::chatkit::{ThreadItem, format_time};
use crate::clock::{new_id, now_ms};
use crate::error::{ApiError, ErrorKind, StoreError};
use crate::providers::openai::{ToolCall, ToolSpec};
use crate::store::{Fact, FactStatus, HIGHLIGHT_END, HIGHLIGHT_START, NewFact, SearchHit, Store};

/// Search results shown by `search_history`.
const HISTORY_HITS: usize = 8;

/// The tools offered to the model.
pub fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "save_fact",
            description: "Propose remembering a lasting fact about the user (who they are, their \
                          preferences, plans, people in their life). The user confirms or \
                          discards it; it is not saved until they press Save.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "text": {
                        "type": "string",
                        "description": "The fact as one short sentence, e.g. \"The user's daughter is called Mia.\""
                    }
                },
                "required": ["text"],
                "additionalProperties": false
            }),
        },
        ToolSpec {
            name: "list_facts",
            description: "Show the user every fact they have saved, as a list they can prune.",
            parameters: json!({ "type": "object", "properties": {}, "additionalProperties": false }),
        },
        ToolSpec {
            name: "search_history",
            description: "Search the user's past conversations (full text) and show the matching \
                          messages; use it when they refer to something discussed before.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "query": { "type": "string", "description": "Words to look for." }
                },
                "required": ["query"],
                "additionalProperties": false
            }),
        },
    ]
}

/// The status line shown while the model writes a call to `tool`.
pub fn progress_text(tool: &str) -> Option<(&'static str, &'static str)> {
    Some(match tool {
        "save_fact" => ("Writing that down…", "notebook-pencil"),
        "list_facts" => ("Looking at what I remember…", "notebook"),
        "search_history" => ("Searching your conversations…", "search"),
        _ => return None,
    })
}

/// What running a tool produced: a widget item to show (already stored by the caller) and the
/// result the model reads.
pub struct ToolOutcome {
    pub item: Option<ThreadItem>,
    pub result: String,
}

/// What a widget action produced.
#[derive(Default)]
pub struct ActionOutcome {
    /// The widget item re-rendered (stored already).
    pub replaced: Option<ThreadItem>,
    /// A client effect to fire (`name`, `data`).
    pub effect: Option<(String, Map<String, Value>)>,
}

fn widget_item(thread_id: &str, id: String, root: WidgetRoot) -> ThreadItem {
    let mut fields = Map::new();
    fields.insert("copy_text".into(), json!(copy_text(&root)));
    fields.insert("widget".into(), serde_json::to_value(&root).unwrap_or_default());
    ThreadItem {
        id,
        thread_id: thread_id.to_owned(),
        created_at: format_time(now_ms()),
        kind: "widget".into(),
        fields,
    }
}

fn model_error(msg: &str) -> ToolOutcome {
    ToolOutcome { item: None, result: json!({ "error": msg }).to_string() }
}

/// Run one tool call from the model.
pub fn execute(store: &Store, thread_id: &str, call: &ToolCall) -> Result<ToolOutcome, ApiError> {
    let args: Value = match serde_json::from_str(&call.function.arguments) {
        Ok(v) => v,
        Err(e) => return Ok(model_error(&format!("the arguments are not valid JSON: {e}"))),
    };
    let arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::trim).unwrap_or_default();
    match call.function.name.as_str() {
        "save_fact" => {
            let text = arg("text");
            if text.is_empty() {
                return Ok(model_error("save_fact needs a non-empty \"text\""));
            }
            let item_id = new_id();
            let fact = store.add_fact(&NewFact {
                text: text.to_owned(),
                source_thread_id: Some(thread_id.to_owned()),
                source_item_id: Some(item_id.clone()),
                persona_id: None,
            })?;
            let item = widget_item(thread_id, item_id, fact_card(Some(&fact)));
            let result = json!({
                "fact_id": fact.id,
                "status": "pending_confirmation",
                "note": "Shown to the user with Save and Discard buttons; it is remembered only if they press Save. Do not ask again."
            });
            Ok(ToolOutcome { item: Some(item), result: result.to_string() })
        }
        "list_facts" => {
            let facts = store.list_facts(&[FactStatus::Saved])?;
            let item = widget_item(thread_id, new_id(), facts_list(&facts));
            let texts: Vec<&str> = facts.iter().map(|f| f.text.as_str()).collect();
            let result = json!({ "shown_to_user": true, "facts": texts });
            Ok(ToolOutcome { item: Some(item), result: result.to_string() })
        }
        "search_history" => {
            let query = arg("query");
            if query.is_empty() {
                return Ok(model_error("search_history needs a non-empty \"query\""));
            }
            let hits = store.search(query, HISTORY_HITS)?;
            let item = widget_item(thread_id, new_id(), history_list(query, &hits));
            let found: Vec<Value> = hits
                .iter()
                .map(|h| {
                    json!({
                        "thread": h.thread_title,
                        "date": h.created_at,
                        "text": plain(&h.snippet),
                    })
                })
                .collect();
            let result = json!({ "shown_to_user": true, "matches": found });
            Ok(ToolOutcome { item: Some(item), result: result.to_string() })
        }
        other => Ok(model_error(&format!("there is no tool named {other}"))),
    }
}

fn plain(snippet: &str) -> String {
    snippet.replace([HIGHLIGHT_START, HIGHLIGHT_END], "")
}

/// A snippet as Markdown: matches in bold, Markdown syntax in the text escaped.
fn snippet_markdown(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 16);
    for c in snippet.chars() {
        match c {
            HIGHLIGHT_START | HIGHLIGHT_END => out.push_str("**"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn fact_payload(id: &str) -> Value {
    json!({ "fact_id": id })
}

/// The confirmation card of a proposed fact, in its current state (`None`: deleted since).
pub fn fact_card(fact: Option<&Fact>) -> WidgetRoot {
    let Some(fact) = fact else {
        return Card::new(vec![
            Caption::new("Memory").into(),
            Text::new("This fact was deleted.").color("tertiary").into(),
        ])
        .size(CardSize::Sm)
        .into();
    };
    let children: Vec<WidgetComponent> = match fact.status {
        FactStatus::Pending => vec![
            Row::new(vec![
                Icon::new("lightbulb").color("secondary").into(),
                Caption::new("Remember this?").into(),
            ])
            .gap(2)
            .into(),
            Text::new(fact.text.clone()).into(),
            Row::new(vec![
                Button::new("Save")
                    .on_click(ActionConfig::server("fact.save", fact_payload(&fact.id)))
                    .style(ButtonStyle::Primary)
                    .into(),
                Button::new("Discard")
                    .on_click(ActionConfig::server("fact.discard", fact_payload(&fact.id)))
                    .style(ButtonStyle::Secondary)
                    .into(),
            ])
            .gap(2)
            .into(),
        ],
        FactStatus::Saved => vec![
            Row::new(vec![
                Icon::new("check-circle-filled").color("success").into(),
                Caption::new("Saved to memory").into(),
            ])
            .gap(2)
            .into(),
            Text::new(fact.text.clone()).into(),
        ],
        FactStatus::Discarded => vec![
            Caption::new("Discarded").into(),
            Text::new(fact.text.clone()).line_through(true).color("tertiary").into(),
        ],
    };
    Card::new(children).size(CardSize::Sm).into()
}

/// Saved facts, each with a delete button.
pub fn facts_list(facts: &[Fact]) -> WidgetRoot {
    if facts.is_empty() {
        return Card::new(vec![
            Title::new("Memory").into(),
            Text::new("No saved facts yet. Tell me something about yourself and I'll offer to remember it.")
                .color("secondary")
                .into(),
        ])
        .size(CardSize::Sm)
        .into();
    }
    let items = facts
        .iter()
        .map(|f| {
            ListViewItem::new(vec![
                Text::new(f.text.clone()).into(),
                Button::new("Delete")
                    .on_click(ActionConfig::server("fact.delete", fact_payload(&f.id)))
                    .style(ButtonStyle::Secondary)
                    .into(),
            ])
            .key(f.id.clone())
        })
        .collect();
    ListView::new(items).into()
}

/// Matching messages; each opens its thread.
pub fn history_list(query: &str, hits: &[SearchHit]) -> WidgetRoot {
    if hits.is_empty() {
        return Card::new(vec![
            Caption::new("Search").into(),
            Text::new(format!("Nothing in your conversations matches \u{201c}{query}\u{201d}."))
                .into(),
        ])
        .size(CardSize::Sm)
        .into();
    }
    let items = hits
        .iter()
        .map(|h| {
            let title = h.thread_title.clone().unwrap_or_else(|| "Untitled conversation".into());
            let date = h.created_at.get(..10).unwrap_or(&h.created_at).to_owned();
            ListViewItem::new(vec![
                Col::new(vec![
                    Row::new(vec![
                        Text::new(title).weight_semibold().into(),
                        Caption::new(date).into(),
                    ])
                    .gap(2)
                    .into(),
                    Markdown::new(snippet_markdown(&h.snippet)).into(),
                ])
                .into(),
            ])
            .key(h.item_id.clone())
            .on_click(ActionConfig::client(
                "thread.open",
                json!({ "thread_id": h.thread_id, "item_id": h.item_id }),
            ))
        })
        .collect();
    ListView::new(items).into()
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidInput, msg)
}

fn fact_id(payload: &Value) -> Result<&str, ApiError> {
    payload
        .get("fact_id")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("this action needs payload.fact_id"))
}

/// Handle a widget action. `item_id`, when given, must be a widget of that thread; it is
/// re-rendered and stored.
pub fn handle_action(
    store: &Store,
    p: &CustomActionParams,
) -> Result<Option<ActionOutcome>, ApiError> {
    store.load_thread(&p.thread_id)?;
    let item = match &p.item_id {
        Some(id) => {
            let item = store.load_item(&p.thread_id, id)?;
            if item.kind != "widget" {
                return Err(invalid(format!("item {id} is not a widget")));
            }
            Some(item)
        }
        None => None,
    };
    let rerender = |root: WidgetRoot| -> Result<Option<ThreadItem>, ApiError> {
        let Some(old) = &item else { return Ok(None) };
        let mut new = widget_item(&p.thread_id, old.id.clone(), root);
        new.created_at = old.created_at.clone();
        store.save_item(&p.thread_id, &new)?;
        Ok(Some(new))
    };
    let note = |text: String| -> Result<(), ApiError> {
        let mut fields = Map::new();
        fields.insert("content".into(), json!(text));
        let hidden = ThreadItem {
            id: new_id(),
            thread_id: p.thread_id.clone(),
            created_at: format_time(now_ms()),
            kind: "hidden_context_item".into(),
            fields,
        };
        Ok(store.add_thread_item(&p.thread_id, &hidden)?)
    };
    match p.action.kind.as_str() {
        kind @ ("fact.save" | "fact.discard") => {
            let id = fact_id(&p.action.payload)?;
            let status =
                if kind == "fact.save" { FactStatus::Saved } else { FactStatus::Discarded };
            let fact = match store.set_fact_status(id, status) {
                Ok(f) => Some(f),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            if let Some(f) = &fact {
                let verb = if status == FactStatus::Saved { "saved" } else { "discarded" };
                note(format!("The user {verb} the proposed fact: {}", f.text))?;
            }
            Ok(Some(ActionOutcome { replaced: rerender(fact_card(fact.as_ref()))?, effect: None }))
        }
        "fact.delete" => {
            let id = fact_id(&p.action.payload)?;
            match store.delete_fact(id) {
                Ok(()) | Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            let facts = store.list_facts(&[FactStatus::Saved])?;
            Ok(Some(ActionOutcome { replaced: rerender(facts_list(&facts))?, effect: None }))
        }
        "thread.open" => {
            let thread = p
                .action
                .payload
                .get("thread_id")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("thread.open needs payload.thread_id"))?;
            let mut data = Map::new();
            data.insert("thread_id".into(), json!(thread));
            Ok(Some(ActionOutcome { replaced: None, effect: Some(("open_thread".into(), data)) }))
        }
        other => Err(invalid(format!("unknown widget action \"{other}\""))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_safe_markdown() {
        assert_eq!(
            snippet_markdown("a \u{2}lighthouse\u{3} *not* [link]"),
            "a **lighthouse** \\*not\\* \\[link\\]"
        );
    }
}
