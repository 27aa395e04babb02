//! What the model sees: the system prompt (the persona's prompt, then the saved facts relevant to
//! this turn), then the thread's history trimmed to the model's budget.
//!
//! Facts: those matching the person's latest message (full-text, best first), then the most
//! recently saved, without duplicates, within [`FACT_SHARE`] of the budget. History: oldest
//! messages are dropped first; the system prompt and the latest user turn are always kept.
//! Tokens are estimated from bytes ([`estimate_tokens`]): models use different tokenizers, and a
//! slight over-estimate is the safe side of a context window.

use serde_json::Value;

use crate::chatkit::ThreadItem;
use crate::providers::openai::ChatMessage;
use crate::store::{Fact, Persona};

/// Context window assumed when the provider does not say (fits every current local model).
pub const DEFAULT_CONTEXT_WINDOW: u32 = 16_384;
/// Tokens kept free for the answer and the tool definitions.
pub const RESERVED_TOKENS: u32 = 2_048;
/// The most of the budget recalled facts may take.
pub const FACT_SHARE: f32 = 0.15;
/// How many facts are recalled at most.
pub const MAX_FACTS: usize = 12;

/// A conservative token estimate: about 3 bytes per token for English text (real tokenizers
/// average ~4 characters), plus a per-message overhead.
pub fn estimate_tokens(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(3)).unwrap_or(u32::MAX).saturating_add(4)
}

/// The text of an item as the model should read it, and whether it is the person speaking.
/// Items the model has no use for (tool calls awaiting the client, markers) give `None`.
pub fn item_message(item: &ThreadItem) -> Option<ChatMessage> {
    match item.kind.as_str() {
        "user_message" => {
            let mut text = item.content_text("input_");
            if let Some(q) = item.fields.get("quoted_text").and_then(Value::as_str) {
                text = format!("> {}\n\n{text}", q.replace('\n', "\n> "));
            }
            Some(ChatMessage::User { content: text })
        }
        "assistant_message" => {
            let text = item.content_text("output_text");
            (!text.is_empty())
                .then_some(ChatMessage::Assistant { content: Some(text), tool_calls: vec![] })
        }
        "widget" => {
            let copy = item.fields.get("copy_text").and_then(Value::as_str).unwrap_or_default();
            Some(ChatMessage::Assistant {
                content: Some(format!("[Shown to the user as a card]\n{copy}")),
                tool_calls: vec![],
            })
        }
        "hidden_context_item" | "sdk_hidden_context" => {
            let content = match item.fields.get("content") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => return None,
            };
            Some(ChatMessage::User { content: format!("<context>\n{content}\n</context>") })
        }
        "client_tool_call" => {
            let name = item.fields.get("name").and_then(Value::as_str).unwrap_or("tool");
            let output = item.fields.get("output").map(Value::to_string)?;
            Some(ChatMessage::User {
                content: format!("<context>\nThe app ran {name}; result: {output}\n</context>"),
            })
        }
        _ => None,
    }
}

/// Merge neighbouring messages of the same role: many local chat templates require user and
/// assistant turns to alternate.
fn merge_neighbours(messages: Vec<ChatMessage>) -> Vec<ChatMessage> {
    let mut out: Vec<ChatMessage> = Vec::with_capacity(messages.len());
    for m in messages {
        match (out.last_mut(), m) {
            (Some(ChatMessage::User { content: a }), ChatMessage::User { content: b }) => {
                a.push_str("\n\n");
                a.push_str(&b);
            }
            (
                Some(ChatMessage::Assistant { content: Some(a), tool_calls: ta }),
                ChatMessage::Assistant { content: Some(b), tool_calls: tb },
            ) if ta.is_empty() && tb.is_empty() => {
                a.push_str("\n\n");
                a.push_str(&b);
            }
            (_, m) => out.push(m),
        }
    }
    out
}

/// The system prompt: persona, then facts (as many as fit in `budget` tokens).
pub fn system_prompt(persona: &Persona, facts: &[Fact], budget: u32) -> String {
    let mut prompt = persona.system_prompt.trim().to_owned();
    let mut used = 0u32;
    let mut lines = Vec::new();
    for f in facts.iter().take(MAX_FACTS) {
        let cost = estimate_tokens(f.text.len());
        if used + cost > budget {
            break;
        }
        used += cost;
        lines.push(format!("- {}", f.text.replace('\n', " ")));
    }
    if !lines.is_empty() {
        prompt.push_str(
            "\n\nFacts the user asked you to remember (use them when relevant; do not repeat \
             them back unprompted):\n",
        );
        prompt.push_str(&lines.join("\n"));
    }
    prompt
}

/// Recalled facts: matches first, then recent ones, without duplicates.
pub fn pick_facts(matching: Vec<Fact>, recent: Vec<Fact>) -> Vec<Fact> {
    let mut out = matching;
    for f in recent {
        if !out.iter().any(|o| o.id == f.id) {
            out.push(f);
        }
    }
    out.truncate(MAX_FACTS);
    out
}

/// System prompt + history within `window` tokens. `history` is oldest first and ends with the
/// latest user turn (or whatever the turn answers).
pub fn assemble(system: String, history: &[ThreadItem], window: u32) -> Vec<ChatMessage> {
    let budget = window.saturating_sub(RESERVED_TOKENS).max(window / 2);
    let system = ChatMessage::System { content: system };
    let mut msgs: Vec<ChatMessage> =
        merge_neighbours(history.iter().filter_map(item_message).collect());
    let mut used = estimate_tokens(system.text_len());
    // Keep from the newest back; the newest message is kept whatever it costs.
    let mut keep_from = msgs.len();
    for (i, m) in msgs.iter().enumerate().rev() {
        let cost = estimate_tokens(m.text_len());
        if keep_from != msgs.len() && used + cost > budget {
            break;
        }
        used += cost;
        keep_from = i;
    }
    // Never start the history with an assistant turn: some templates reject it.
    while keep_from < msgs.len().saturating_sub(1)
        && !matches!(msgs[keep_from], ChatMessage::User { .. })
    {
        keep_from += 1;
    }
    let mut out = Vec::with_capacity(msgs.len() - keep_from + 1);
    out.push(system);
    out.extend(msgs.drain(keep_from..));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(kind: &str, fields: Value) -> ThreadItem {
        ThreadItem {
            id: "i".into(),
            thread_id: "t".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            kind: kind.into(),
            fields: fields.as_object().cloned().unwrap_or_default(),
        }
    }
    fn user(t: &str) -> ThreadItem {
        item("user_message", json!({"content": [{"type": "input_text", "text": t}]}))
    }
    fn asst(t: &str) -> ThreadItem {
        item(
            "assistant_message",
            json!({"content": [{"type": "output_text", "text": t, "annotations": []}]}),
        )
    }

    #[test]
    fn trims_oldest_first_and_keeps_system_and_latest_user() {
        let big = "word ".repeat(3000); // ~5k tokens each
        let history = vec![user(&big), asst(&big), user(&big), asst(&big), user("latest question")];
        let out = assemble("sys".into(), &history, 12_000);
        assert!(matches!(&out[0], ChatMessage::System { content } if content == "sys"));
        assert!(
            matches!(out.last().unwrap(), ChatMessage::User { content } if content == "latest question")
        );
        assert!(out.len() < 6, "something was dropped: {}", out.len());
        assert!(matches!(out[1], ChatMessage::User { .. }), "history starts with the user");
        // Even a latest turn larger than the window is kept.
        let out = assemble("sys".into(), &[user(&big.repeat(10))], 4_000);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn hidden_context_and_widgets_reach_the_model() {
        let h = item("sdk_hidden_context", json!({"content": "The user cancelled the stream."}));
        let w = item("widget", json!({"copy_text": "Fact: likes tea", "widget": {}}));
        let out = assemble("s".into(), &[user("a"), w, h, user("b")], 8_000);
        assert_eq!(out.len(), 4);
        assert!(
            matches!(&out[2], ChatMessage::Assistant { content: Some(c), .. } if c.contains("likes tea"))
        );
        assert!(
            matches!(&out[3], ChatMessage::User { content } if content.contains("cancelled") && content.ends_with('b'))
        );
    }
}
