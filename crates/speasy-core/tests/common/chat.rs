//! A core wired to a scripted OpenAI-compatible server (real HTTP on 127.0.0.1), and a dump of
//! every event, item and widget the scenarios see, for the ChatKit conformance check
//! (`SPEASY_CONFORMANCE_DIR`, validated by `scripts/test.sh` with openai-chatkit's models).
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use speasy_core::providers::ProviderKind;
use speasy_core::providers::openai::Policy;
use speasy_core::secrets::{MemoryStore, SecretString};
use speasy_core::{ApiError, ChatKitResponse, Core, CoreConfig, ProviderOverride};
use speasy_testkit::OpenAiStub;

pub const MODEL: &str = "gpt-test";
pub const KEY: &str = "sk-test-0123456789";

/// Short limits so failure scenarios run fast.
pub fn test_policy() -> Policy {
    Policy {
        connect_timeout: Duration::from_secs(2),
        first_byte_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(3),
        retries: 2,
        backoff: Duration::from_millis(20),
        max_retry_wait: Duration::from_secs(2),
    }
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub stub: OpenAiStub,
    pub core: Arc<Core>,
    pub secrets: Arc<MemoryStore>,
    pub kind: ProviderKind,
    pub policy: Policy,
}

impl Harness {
    /// A core whose provider is the stub (as `speasy-cli serve` gets it from the environment).
    pub async fn new() -> Self {
        Self::with_kind(ProviderKind::Custom).await
    }

    pub async fn with_kind(kind: ProviderKind) -> Self {
        Self::with(kind, test_policy()).await
    }

    pub async fn with(kind: ProviderKind, policy: Policy) -> Self {
        let stub = OpenAiStub::start().await;
        stub.require_key(Some(KEY));
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let core = start_core(dir.path(), &stub, kind, secrets.clone(), policy.clone());
        Self { dir, stub, core, secrets, kind, policy }
    }

    /// Drop the core and start a new one on the same data dir (an app restart).
    pub fn restart(&mut self) {
        self.core = start_core(
            self.dir.path(),
            &self.stub,
            self.kind,
            self.secrets.clone(),
            self.policy.clone(),
        );
    }

    pub async fn call(&self, req: Value) -> Result<ChatKitResponse, ApiError> {
        if !req["type"].as_str().unwrap_or_default().starts_with("speasy.") {
            dump("request", &req);
        }
        self.core.chatkit(req.to_string().as_bytes()).await
    }

    /// A JSON op's answer.
    pub async fn json(&self, req: Value) -> Value {
        match self.call(req.clone()).await {
            Ok(ChatKitResponse::Json(v)) => {
                record_json(&v);
                v
            }
            Ok(ChatKitResponse::Stream(_)) => panic!("{req} streamed"),
            Err(e) => panic!("{req} failed: {e:?}"),
        }
    }

    /// Every event of a streaming op, as JSON.
    pub async fn stream(&self, req: Value) -> Vec<Value> {
        match self.call(req.clone()).await {
            Ok(ChatKitResponse::Stream(s)) => {
                let events: Vec<Value> =
                    s.collect().await.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
                for e in &events {
                    record_event(e);
                }
                events
            }
            Ok(ChatKitResponse::Json(v)) => panic!("{req} answered JSON {v}"),
            Err(e) => panic!("{req} failed: {e:?}"),
        }
    }
}

pub fn start_core(
    dir: &std::path::Path,
    stub: &OpenAiStub,
    kind: ProviderKind,
    secrets: Arc<MemoryStore>,
    policy: Policy,
) -> Arc<Core> {
    Arc::new(Core::start(CoreConfig {
        data_dir: Some(dir.to_owned()),
        secrets: Some(secrets),
        provider_override: Some(ProviderOverride {
            kind,
            base_url: stub.base_url(),
            api_key: Some(SecretString::from(KEY)),
            model: Some(MODEL.into()),
        }),
        http_policy: Some(policy),
        local_candidates: Some(Vec::new()),
        elevenlabs_base_url: None,
        sync_options: None,
        sync_schedule: None,
    }))
}

pub fn text(t: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": t}], "attachments": [], "inference_options": {}})
}

pub fn create(t: &str) -> Value {
    json!({"type": "threads.create", "params": {"input": text(t)}})
}

pub fn add(thread_id: &str, t: &str) -> Value {
    json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": text(t)}})
}

/// The `type` of each event, with the update type for `thread.item.updated`.
pub fn shape(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let t = e["type"].as_str().unwrap().to_owned();
            match e["update"]["type"].as_str() {
                Some(u) => format!("{t}:{u}"),
                None => match e["item"]["type"].as_str() {
                    Some(i) => format!("{t}:{i}"),
                    None => t,
                },
            }
        })
        .collect()
}

/// The thread id of a `threads.create` stream.
pub fn thread_id(events: &[Value]) -> String {
    events[0]["thread"]["id"].as_str().unwrap().to_owned()
}

pub fn items_of<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["type"] == "thread.item.done" || e["type"] == "thread.item.replaced")
        .map(|e| &e["item"])
        .filter(|i| i["type"] == kind)
        .collect()
}

pub fn assistant_text(item: &Value) -> String {
    item["content"][0]["text"].as_str().unwrap().to_owned()
}

/// The chat requests the stub received (JSON bodies), in order.
pub fn chat_bodies(stub: &OpenAiStub) -> Vec<Value> {
    stub.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .map(|r| r.body)
        .collect()
}

// ---- conformance dump --------------------------------------------------------------------

static DUMP: OnceLock<Option<Mutex<PathBuf>>> = OnceLock::new();

fn dump(kind: &str, v: &Value) {
    let Some(dir) = DUMP
        .get_or_init(|| std::env::var_os("SPEASY_CONFORMANCE_DIR").map(|d| Mutex::new(d.into())))
    else {
        return;
    };
    let dir = dir.lock().unwrap();
    std::fs::create_dir_all(&*dir).unwrap();
    let exe = std::env::current_exe().unwrap();
    let bin = exe.file_stem().unwrap().to_string_lossy().into_owned();
    let path = dir.join(format!("{kind}.{bin}.jsonl"));
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    writeln!(f, "{v}").unwrap();
}

fn record_item(item: &Value) {
    dump("item", item);
    if item["type"] == "widget" {
        dump("widget", &item["widget"]);
    }
}

pub fn record_event(e: &Value) {
    dump("event", e);
    for key in ["item"] {
        if let Some(i) = e.get(key) {
            record_item(i);
        }
    }
    if let Some(w) = e.pointer("/update/widget") {
        dump("widget", w);
    }
}

/// Items inside JSON answers (`Thread`, `Page<ThreadItem>`, `{updated_item}`).
pub fn record_json(v: &Value) {
    if let Some(i) = v.get("updated_item") {
        record_item(i);
    }
    let page = v.get("items").unwrap_or(v);
    if let Some(data) = page.get("data").and_then(Value::as_array) {
        for i in data {
            if i.get("thread_id").is_some() && i.get("type").is_some() {
                record_item(i);
            }
        }
    }
}
