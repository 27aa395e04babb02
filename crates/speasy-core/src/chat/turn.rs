//! One streamed response, in the event order of chatkit-protocol.md §1.3: (`thread.created`),
//! the user item's `thread.item.done`, `stream_options`, the assistant's events, then
//! `thread.updated` if the title changed; an `error` event on failure.
//!
//! The assistant's text streams as `thread.item.added` → `content_part.added` → `text_delta`* →
//! `content_part.done` → `thread.item.done`, and the item is stored before its `done` is sent.
//! Tool calls run between model rounds (at most [`MAX_TOOL_ROUNDS`]); their widgets are stored
//! and sent as `thread.item.done`. A failure keeps what was already written; a cancellation keeps
//! the partial text and stores a hidden note so the next answer does not resume the old one.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{Emitter, context, tools};
use crate::Core;
use crate::chatkit::protocol::{
    CustomActionParams, ItemUpdate, OutputText, StreamEvent, StreamOptions, Thread,
    UserMessageInput,
};
use crate::chatkit::{ThreadItem, ThreadMetadata, ThreadStatus, format_time};
use crate::clock::{new_id, now_ms};
use crate::core::Resolved;
use crate::error::{ApiError, ErrorKind, ProviderError, StoreError};
use crate::providers::openai::{ChatMessage, ChatRequest, FinishReason, StreamItem};
use crate::store::{DEFAULT_PERSONA_ID, ItemQuery, Persona, Store};

/// Model rounds per turn (each tool round trip costs one).
pub const MAX_TOOL_ROUNDS: usize = 4;

/// What the model is told when the person stopped an answer (the reference server's wording).
pub const CANCELLED_NOTE: &str =
    "The user cancelled the stream. Stop responding to the prior request.";

/// What starts a streamed response.
pub enum Start {
    Create { input: UserMessageInput, persona: Option<String> },
    UserMessage { thread_id: String, input: UserMessageInput },
    Retry { thread_id: String, item_id: String },
    ClientToolOutput { thread_id: String, result: Value },
    Action(CustomActionParams),
}

/// Why a turn stopped early.
enum Stop {
    /// Nobody listens any more: nothing more to send.
    Cancelled,
    /// Report to the person.
    Failed { message: String, allow_retry: bool, kind: ErrorKind, retry_after_secs: Option<u64> },
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Self {
        let allow_retry = !matches!(e.kind, ErrorKind::InvalidInput | ErrorKind::NotFound);
        Stop::Failed { message: e.message, allow_retry, kind: e.kind, retry_after_secs: None }
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ProviderError> for Stop {
    fn from(e: ProviderError) -> Self {
        let retry_after_secs = match &e {
            ProviderError::RateLimited { retry_after_secs, .. } => *retry_after_secs,
            _ => None,
        };
        Stop::Failed {
            message: e.to_string(),
            allow_retry: e.allow_retry(),
            kind: ErrorKind::from(&e),
            retry_after_secs,
        }
    }
}

/// Run a turn to its end, reporting failures as an `error` event. Just before it, a
/// `client_effect` named `speasy.error` carries what ChatKit's error event cannot: the
/// [`ErrorKind`] (so the app can offer the next step, such as opening Settings) and, for rate
/// limits, how long the provider asked to wait.
pub async fn run(core: Arc<Core>, start: Start, em: Emitter) {
    let result = run_inner(&core, start, &em).await;
    if let Err(Stop::Failed { message, allow_retry, kind, retry_after_secs }) = result {
        tracing::warn!(error = %message, "turn failed");
        let mut data = Map::new();
        data.insert("kind".into(), serde_json::to_value(kind).unwrap_or(Value::Null));
        if let Some(secs) = retry_after_secs {
            data.insert("retry_after_secs".into(), secs.into());
        }
        if em.send(StreamEvent::ClientEffect { name: ERROR_EFFECT.into(), data }).await {
            em.send(StreamEvent::error(message, allow_retry)).await;
        }
    }
}

/// The `client_effect` name that precedes an `error` event with its kind.
pub const ERROR_EFFECT: &str = "speasy.error";

async fn send(em: &Emitter, event: StreamEvent) -> Result<(), Stop> {
    if em.send(event).await { Ok(()) } else { Err(Stop::Cancelled) }
}

fn new_item(thread_id: &str, kind: &str, fields: Map<String, Value>) -> ThreadItem {
    ThreadItem {
        id: new_id(),
        thread_id: thread_id.to_owned(),
        created_at: format_time(now_ms()),
        kind: kind.to_owned(),
        fields,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Marks a thread as answering; a second turn on the same thread is refused until it ends.
struct Busy<'a> {
    core: &'a Core,
    thread_id: String,
    id: u64,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.core.end_turn(&self.thread_id, self.id);
    }
}

fn begin<'a>(core: &'a Core, thread_id: &str, em: &Emitter) -> Result<Busy<'a>, Stop> {
    if let Some(id) = core.begin_turn(thread_id, em.cancel_token().clone()) {
        Ok(Busy { core, thread_id: thread_id.to_owned(), id })
    } else {
        Err(Stop::Failed {
            message: "Speasy is still answering in this conversation. Wait for it, or stop it \
                      first."
                .into(),
            // Retrying would answer the previous message again: the person sends anew instead.
            allow_retry: false,
            kind: ErrorKind::InvalidInput,
            retry_after_secs: None,
        })
    }
}

async fn run_inner(core: &Arc<Core>, start: Start, em: &Emitter) -> Result<(), Stop> {
    let store = core.store().map_err(ApiError::from)?;
    match start {
        Start::Create { input, persona } => {
            let persona = match persona {
                Some(p) => store.load_persona(&p)?.id,
                None => DEFAULT_PERSONA_ID.to_owned(),
            };
            let meta = ThreadMetadata {
                id: store.generate_thread_id(),
                title: None,
                created_at: format_time(now_ms()),
                status: ThreadStatus::Active,
                metadata: Map::new(),
            };
            store.save_thread(&meta)?;
            store.set_thread_persona(&meta.id, &persona)?;
            let _busy = begin(core, &meta.id, em)?;
            send(em, StreamEvent::ThreadCreated { thread: Thread::bare(meta.clone()) }).await?;
            let model = input.model().map(str::to_owned);
            add_user_message(&store, &meta.id, &input, em).await?;
            respond(core, &store, &meta.id, model, em).await
        }
        Start::UserMessage { thread_id, input } => {
            store.load_thread(&thread_id)?;
            let _busy = begin(core, &thread_id, em)?;
            let model = input.model().map(str::to_owned);
            add_user_message(&store, &thread_id, &input, em).await?;
            respond(core, &store, &thread_id, model, em).await
        }
        Start::Retry { thread_id, item_id } => {
            let item = store.load_item(&thread_id, &item_id)?;
            if item.kind != "user_message" {
                return Err(ApiError::new(
                    ErrorKind::InvalidInput,
                    "retry_after_item needs the id of a user message",
                )
                .into());
            }
            let _busy = begin(core, &thread_id, em)?;
            store.delete_items_after(&thread_id, &item_id)?;
            let model = item
                .fields
                .get("inference_options")
                .and_then(|o| o.get("model"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            respond(core, &store, &thread_id, model, em).await
        }
        Start::ClientToolOutput { thread_id, result } => {
            store.load_thread(&thread_id)?;
            let _busy = begin(core, &thread_id, em)?;
            let recent = store.load_thread_items(
                &thread_id,
                &ItemQuery {
                    limit: 20,
                    order: crate::chatkit::Order::Desc,
                    include_hidden: true,
                    ..ItemQuery::default()
                },
            )?;
            let mut newest = match recent.data.first() {
                Some(i)
                    if i.kind == "client_tool_call"
                        && i.fields.get("status").and_then(Value::as_str) == Some("pending") =>
                {
                    i.clone()
                }
                _ => {
                    return Err(ApiError::new(
                        ErrorKind::InvalidInput,
                        "the newest item of this thread is not a pending client tool call",
                    )
                    .into());
                }
            };
            newest.fields.insert("output".into(), result);
            newest.fields.insert("status".into(), json!("completed"));
            store.save_item(&thread_id, &newest)?;
            for other in recent.data.iter().skip(1) {
                if other.kind == "client_tool_call"
                    && other.fields.get("status").and_then(Value::as_str) == Some("pending")
                {
                    store.delete_thread_item(&thread_id, &other.id)?;
                }
            }
            respond(core, &store, &thread_id, None, em).await
        }
        Start::Action(params) => {
            let outcome = tools::handle_action(&store, &params)?;
            send(
                em,
                StreamEvent::StreamOptions {
                    stream_options: StreamOptions { allow_cancel: false },
                },
            )
            .await?;
            if let Some(out) = outcome {
                if let Some(item) = out.replaced {
                    send(em, StreamEvent::ItemReplaced { item }).await?;
                }
                if let Some((name, data)) = out.effect {
                    send(em, StreamEvent::ClientEffect { name, data }).await?;
                }
            }
            Ok(())
        }
    }
}

async fn add_user_message(
    store: &Store,
    thread_id: &str,
    input: &UserMessageInput,
    em: &Emitter,
) -> Result<(), Stop> {
    let mut attachments = Vec::with_capacity(input.attachments.len());
    for id in &input.attachments {
        let mut att = store.load_attachment(id)?;
        att.thread_id = Some(thread_id.to_owned());
        store.save_attachment(&att)?;
        attachments.push(att);
    }
    let mut fields = Map::new();
    fields.insert("content".into(), Value::Array(input.content.clone()));
    fields.insert("attachments".into(), serde_json::to_value(&attachments).unwrap_or_default());
    if let Some(q) = &input.quoted_text {
        fields.insert("quoted_text".into(), json!(q));
    }
    fields.insert("inference_options".into(), Value::Object(input.inference_options.clone()));
    let item = new_item(thread_id, "user_message", fields);
    store.add_thread_item(thread_id, &item)?;
    send(em, StreamEvent::ItemDone { item }).await
}

/// The thread's newest items (hidden ones included), oldest first: as many as could fit in a
/// `window`-token context, so a long thread costs a bounded read per turn.
fn history(store: &Store, thread_id: &str, window: u32) -> Result<Vec<ThreadItem>, StoreError> {
    let mut budget = u64::from(window);
    let mut newest_first = Vec::new();
    let mut after = None;
    loop {
        let page = store.load_thread_items(
            thread_id,
            &ItemQuery {
                after,
                limit: 100,
                order: crate::chatkit::Order::Desc,
                include_hidden: true,
            },
        )?;
        for item in page.data {
            let cost = context::item_message(&item)
                .map_or(0, |m| u64::from(context::estimate_tokens(m.text_len())));
            newest_first.push(item);
            budget = budget.saturating_sub(cost);
            if budget == 0 {
                newest_first.reverse();
                return Ok(newest_first);
            }
        }
        if !page.has_more {
            newest_first.reverse();
            return Ok(newest_first);
        }
        after = page.after;
    }
}

fn last_user_text(items: &[ThreadItem]) -> String {
    items
        .iter()
        .rev()
        .find(|i| i.kind == "user_message")
        .and_then(context::item_message)
        .map(|m| match m {
            ChatMessage::User { content } => content,
            _ => String::new(),
        })
        .unwrap_or_default()
}

fn persona_of(store: &Store, thread_id: &str) -> Result<Persona, StoreError> {
    let id = store.thread_persona_id(thread_id)?;
    match id.map(|id| store.load_persona(&id)) {
        Some(Ok(p)) => Ok(p),
        _ => store.load_persona(DEFAULT_PERSONA_ID),
    }
}

/// The assistant message being written.
struct Draft {
    item: ThreadItem,
    text: String,
    started: bool,
}

impl Draft {
    fn new(thread_id: &str) -> Self {
        let item = new_item(thread_id, "assistant_message", obj(json!({ "content": [] })));
        Self { item, text: String::new(), started: false }
    }

    fn finished(&self) -> ThreadItem {
        let mut item = self.item.clone();
        item.created_at = format_time(now_ms());
        item.fields.insert("content".into(), json!([OutputText::new(self.text.clone())]));
        item
    }

    async fn push(&mut self, delta: String, em: &Emitter) -> Result<(), Stop> {
        if !self.started {
            self.started = true;
            send(em, StreamEvent::ItemAdded { item: self.item.clone() }).await?;
            send(
                em,
                StreamEvent::ItemUpdated {
                    item_id: self.item.id.clone(),
                    update: ItemUpdate::ContentPartAdded {
                        content_index: 0,
                        content: OutputText::new(""),
                    },
                },
            )
            .await?;
        }
        self.text.push_str(&delta);
        send(
            em,
            StreamEvent::ItemUpdated {
                item_id: self.item.id.clone(),
                update: ItemUpdate::TextDelta { content_index: 0, delta },
            },
        )
        .await
    }

    /// Store the item and send its `content_part.done` and `item.done`.
    async fn complete(&self, store: &Store, em: &Emitter) -> Result<(), Stop> {
        if self.text.is_empty() {
            return Ok(());
        }
        let item = self.finished();
        store.add_thread_item(&item.thread_id, &item)?;
        send(
            em,
            StreamEvent::ItemUpdated {
                item_id: item.id.clone(),
                update: ItemUpdate::ContentPartDone {
                    content_index: 0,
                    content: OutputText::new(self.text.clone()),
                },
            },
        )
        .await?;
        send(em, StreamEvent::ItemDone { item }).await
    }

    /// After a cancel: keep the partial text and tell the model the person stopped it. When the
    /// client still listens (a cancel asked through `speasy.threads.cancel`), the kept item is
    /// closed with its `content_part.done` and `item.done`.
    async fn keep_cancelled(&self, store: &Store, em: &Emitter) -> Result<Stop, Stop> {
        let thread_id = &self.item.thread_id;
        let mut items = Vec::new();
        let partial = (!self.text.is_empty()).then(|| self.finished());
        items.extend(partial.clone());
        items.push(new_item(
            thread_id,
            "sdk_hidden_context",
            obj(json!({ "content": CANCELLED_NOTE })),
        ));
        store.add_thread_items(thread_id, &items)?;
        if let Some(item) = partial.filter(|_| !em.is_closed()) {
            let content = OutputText::new(self.text.clone());
            let update = ItemUpdate::ContentPartDone { content_index: 0, content };
            em.send_anyway(StreamEvent::ItemUpdated { item_id: item.id.clone(), update }).await;
            em.send_anyway(StreamEvent::ItemDone { item }).await;
        }
        Ok(Stop::Cancelled)
    }
}

async fn respond(
    core: &Arc<Core>,
    store: &Store,
    thread_id: &str,
    model: Option<String>,
    em: &Emitter,
) -> Result<(), Stop> {
    send(em, StreamEvent::StreamOptions { stream_options: StreamOptions { allow_cancel: true } })
        .await?;
    let before = store.load_thread(thread_id)?;
    let persona = persona_of(store, thread_id)?;
    let cancel = em.cancel_token().clone();
    let resolved = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(Stop::Cancelled),
        r = core.resolve_provider(model.or_else(|| persona.default_model.clone())) => r?,
    };
    let window = resolved.context_window;
    let items = history(store, thread_id, window)?;
    let user_text = last_user_text(&items);
    let facts = context::pick_facts(
        store.search_saved_facts(&user_text, context::MAX_FACTS)?,
        store.list_facts(&[crate::store::FactStatus::Saved])?,
    );
    let fact_budget = (window as f32 * context::FACT_SHARE) as u32;
    let system = context::system_prompt(&persona, &facts, fact_budget);
    let mut messages = context::assemble(system, &items, window);

    let mut answer = String::new();
    for round in 0..MAX_TOOL_ROUNDS {
        let last_round = round + 1 == MAX_TOOL_ROUNDS;
        let req = ChatRequest {
            model: resolved.model.clone(),
            messages: messages.clone(),
            tools: if last_round { Vec::new() } else { tools::specs() },
            max_tokens: None,
            temperature: None,
        };
        let mut draft = Draft::new(thread_id);
        let cancel = em.cancel_token().clone();
        let client = core.client()?;
        let opened = tokio::select! {
            biased;
            () = cancel.cancelled() => Err(None),
            r = client.stream_chat(&resolved.endpoint, &req, &cancel) => r.map_err(Some),
        };
        let mut stream = match opened {
            Ok(s) => s,
            Err(None) => return Err(draft.keep_cancelled(store, em).await?),
            Err(Some(e)) => return Err(e.into()),
        };
        let finish = loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                n = stream.next() => Some(n),
            };
            let item = match next {
                None => {
                    drop(stream); // closes the HTTP stream now
                    return Err(draft.keep_cancelled(store, em).await?);
                }
                Some(None) => break None,
                Some(Some(item)) => item,
            };
            match item {
                Ok(StreamItem::Text(delta)) => {
                    if draft.push(delta, em).await.is_err() {
                        drop(stream);
                        return Err(draft.keep_cancelled(store, em).await?);
                    }
                }
                Ok(StreamItem::ToolCallStarted(name)) => {
                    if let Some((text, icon)) = tools::progress_text(&name) {
                        let event =
                            StreamEvent::Progress { text: text.into(), icon: Some(icon.into()) };
                        if send(em, event).await.is_err() {
                            drop(stream);
                            return Err(draft.keep_cancelled(store, em).await?);
                        }
                    }
                }
                Ok(StreamItem::Finished(f)) => break Some(f),
                Err(e) => {
                    // Keep what was written, then say what went wrong.
                    draft.complete(store, em).await?;
                    return Err(e.into());
                }
            }
        };
        draft.complete(store, em).await?;
        answer.push_str(&draft.text);
        let Some(finish) = finish else { break };
        if let Some(u) = finish.usage {
            tracing::debug!(prompt = u.prompt_tokens, completion = u.completion_tokens, "usage");
        }
        if finish.reason == FinishReason::Length {
            send(
                em,
                StreamEvent::Notice {
                    level: crate::chatkit::protocol::NoticeLevel::Warning,
                    message: "The answer was cut off at the model's output limit.".into(),
                    title: None,
                },
            )
            .await?;
        }
        if finish.tool_calls.is_empty() || last_round {
            break;
        }
        messages.push(ChatMessage::Assistant {
            content: (!draft.text.is_empty()).then(|| draft.text.clone()),
            tool_calls: finish.tool_calls.clone(),
        });
        for call in &finish.tool_calls {
            let outcome = tools::execute(store, thread_id, call)?;
            if let Some(item) = outcome.item {
                store.add_thread_item(thread_id, &item)?;
                send(em, StreamEvent::ItemDone { item }).await?;
            }
            messages
                .push(ChatMessage::Tool { tool_call_id: call.id.clone(), content: outcome.result });
        }
    }

    if before.title.is_none() {
        let title = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(Stop::Cancelled),
            t = make_title(core, &resolved, &user_text, &answer) => t,
        };
        let mut meta = store.load_thread(thread_id)?;
        if meta.title.is_none() {
            meta.title = Some(title);
            store.save_thread(&meta)?;
        }
    }
    let after = store.load_thread(thread_id)?;
    if after != before {
        send(em, StreamEvent::ThreadUpdated { thread: Thread::bare(after) }).await?;
    }
    Ok(())
}

/// The longest title kept.
const TITLE_MAX_CHARS: usize = 60;

/// A short title from the model, or the first words of the person's message.
async fn make_title(core: &Core, resolved: &Resolved, user: &str, answer: &str) -> String {
    let fallback = || shorten(user.lines().find(|l| !l.trim().is_empty()).unwrap_or("New chat"));
    if user.trim().is_empty() {
        return fallback();
    }
    let excerpt: String = answer.chars().take(600).collect();
    let req = ChatRequest {
        model: resolved.model.clone(),
        messages: vec![
            ChatMessage::System {
                content: "Write a title of 2 to 6 words for this conversation. Reply with the \
                          title only: no quotes, no final period."
                    .into(),
            },
            ChatMessage::User {
                content: format!(
                    "User: {}\n\nAssistant: {excerpt}",
                    user.chars().take(600).collect::<String>()
                ),
            },
        ],
        tools: Vec::new(),
        max_tokens: Some(24),
        temperature: Some(0.2),
    };
    let Ok(client) = core.client() else { return fallback() };
    let asked =
        tokio::time::timeout(Duration::from_secs(15), client.complete(&resolved.endpoint, &req))
            .await;
    match asked {
        Ok(Ok(t)) => {
            let t = t.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
            let t =
                t.trim().trim_matches(|c| matches!(c, '"' | '\'' | '*' | '#' | '.' | '“' | '”'));
            let t = t.trim_start_matches("Title:").trim();
            if t.is_empty() { fallback() } else { shorten(t) }
        }
        Ok(Err(e)) => {
            tracing::info!(error = %e, "title call failed; using the first message");
            fallback()
        }
        Err(_) => fallback(),
    }
}

/// At most [`TITLE_MAX_CHARS`], cut at a word boundary, with an ellipsis when cut.
fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= TITLE_MAX_CHARS {
        return s.to_owned();
    }
    let cut: String = s.chars().take(TITLE_MAX_CHARS).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > TITLE_MAX_CHARS / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn titles_are_cut_at_words() {
        assert_eq!(shorten("  Plan a trip  "), "Plan a trip");
        let long = "Could you help me plan a two week trip along the coast of Portugal in spring";
        let t = shorten(long);
        assert!(t.ends_with('…') && t.chars().count() <= 61, "{t}");
        assert!(t.starts_with("Could you help me plan a two week trip along the coast"));
    }
}
