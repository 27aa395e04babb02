//! What the chat engine costs on top of the provider's stream.
//!
//! The scripted OpenAI-compatible server streams `SPEASY_BENCH_TOKENS` (default 10,000) content
//! chunks as fast as it can. The same stream is read by (a) a raw client (reqwest, SSE framing and
//! a typed parse of each chunk's delta text: the least any client must do) and (b) the core answering a
//! `threads.add_user_message` (request parsing, context from SQLite, the provider stream, one
//! ChatKit event per token through the channel, persistence of the items).
//!
//! Printed (medians over `SPEASY_BENCH_RUNS`, default 15):
//!
//! - per-token overhead = (core total − raw total) / tokens (fixed costs included: an upper bound)
//! - time to first token added = core's first `text_delta` − raw client's first content chunk
//!
//! `cargo bench -p speasy-core --bench stream`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde_json::{Map, json};
use speasy_core::chatkit::protocol::{ItemUpdate, StreamEvent};
use speasy_core::chatkit::{ThreadMetadata, ThreadStatus, format_time};
use speasy_core::providers::ProviderKind;
use speasy_core::providers::openai::Policy;
use speasy_core::secrets::{MemoryStore, SecretString};
use speasy_core::{ChatKitResponse, Core, CoreConfig, ProviderOverride};
use speasy_testkit::{OpenAiStub, Stream};

const MODEL: &str = "bench-model";

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The least a client reads of a chunk: the delta's text (typed, like the core does).
#[derive(serde::Deserialize)]
struct Chunk {
    choices: Vec<Choice>,
}
#[derive(serde::Deserialize)]
struct Choice {
    delta: Delta,
}
#[derive(serde::Deserialize)]
struct Delta {
    content: Option<String>,
}

struct Run {
    first: Duration,
    total: Duration,
    tokens: usize,
}

async fn raw(client: &reqwest::Client, stub: &OpenAiStub) -> Run {
    let start = Instant::now();
    let resp = client
        .post(format!("{}/chat/completions", stub.base_url()))
        .json(&json!({"model": MODEL, "stream": true, "messages": [{"role": "user", "content": "go"}]}))
        .send()
        .await
        .unwrap();
    let mut events = resp.bytes_stream().eventsource();
    let mut first = None;
    let mut tokens = 0;
    while let Some(ev) = events.next().await {
        let ev = ev.unwrap();
        if ev.data == "[DONE]" {
            break;
        }
        let chunk: Chunk = serde_json::from_str(&ev.data).unwrap();
        let text = chunk.choices.first().and_then(|c| c.delta.content.as_deref());
        if text.is_some_and(|s| !s.is_empty()) {
            first.get_or_insert_with(|| start.elapsed());
            tokens += 1;
        }
    }
    Run { first: first.unwrap(), total: start.elapsed(), tokens }
}

async fn through_core(core: &Arc<Core>) -> Run {
    let store = core.store().unwrap();
    let thread = ThreadMetadata {
        id: store.generate_thread_id(),
        title: Some("bench".into()),
        created_at: format_time(speasy_core::clock::now_ms()),
        status: ThreadStatus::Active,
        metadata: Map::new(),
    };
    store.save_thread(&thread).unwrap();
    let req = json!({"type": "threads.add_user_message", "params": {"thread_id": thread.id,
        "input": {"content": [{"type": "input_text", "text": "go"}], "attachments": [], "inference_options": {}}}})
    .to_string();
    let start = Instant::now();
    let ChatKitResponse::Stream(mut s) = core.chatkit(req.as_bytes()).await.unwrap() else {
        panic!("not a stream")
    };
    let mut first = None;
    let mut tokens = 0;
    while let Some(e) = s.next().await {
        match e {
            StreamEvent::ItemUpdated { update: ItemUpdate::TextDelta { .. }, .. } => {
                first.get_or_insert_with(|| start.elapsed());
                tokens += 1;
            }
            StreamEvent::Error { message, .. } => panic!("turn failed: {message:?}"),
            _ => {}
        }
    }
    Run { first: first.unwrap(), total: start.elapsed(), tokens }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n = env_usize("SPEASY_BENCH_TOKENS", 10_000);
    let runs = env_usize("SPEASY_BENCH_RUNS", 15);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let stub = OpenAiStub::start().await;
        let dir = tempfile::tempdir().unwrap();
        let core = Arc::new(Core::start(CoreConfig {
            data_dir: Some(dir.path().to_owned()),
            secrets: Some(Arc::new(MemoryStore::default())),
            provider_override: Some(ProviderOverride {
                kind: ProviderKind::Custom,
                base_url: stub.base_url(),
                api_key: Some(SecretString::from("sk-bench")),
                model: Some(MODEL.into()),
            }),
            http_policy: Some(Policy::default()),
            local_candidates: Some(Vec::new()),
            elevenlabs_base_url: None,
            sync_options: None,
            sync_schedule: None,
        }));
        let client = reqwest::Client::new();
        let body = Stream::many_tokens(MODEL, n, "tok ");
        // Warm up both paths (connection pools, SQLite page cache).
        for _ in 0..2 {
            stub.push(body.clone());
            raw(&client, &stub).await;
            stub.push(body.clone());
            through_core(&core).await;
        }
        let (mut raw_first, mut raw_total, mut core_first, mut core_total) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            stub.push(body.clone());
            let r = raw(&client, &stub).await;
            assert_eq!(r.tokens, n);
            raw_first.push(r.first);
            raw_total.push(r.total);
            stub.push(body.clone());
            let c = through_core(&core).await;
            assert_eq!(c.tokens, n);
            core_first.push(c.first);
            core_total.push(c.total);
        }
        let (rf, rt_, cf, ct) =
            (median(raw_first), median(raw_total), median(core_first), median(core_total));
        let per_token = (ct.as_secs_f64() - rt_.as_secs_f64()) * 1e6 / n as f64;
        let ttft_added = (cf.as_secs_f64() - rf.as_secs_f64()) * 1e3;
        println!("stream of {n} tokens, median of {runs} runs");
        println!(
            "  raw client:  first token {:>8.3} ms   total {:>8.2} ms",
            rf.as_secs_f64() * 1e3,
            rt_.as_secs_f64() * 1e3
        );
        println!(
            "  via core:    first token {:>8.3} ms   total {:>8.2} ms",
            cf.as_secs_f64() * 1e3,
            ct.as_secs_f64() * 1e3
        );
        println!("  core overhead per token: {per_token:.2} µs (target ≤ 20 µs)");
        println!("  time to first token added: {ttft_added:.3} ms (target ≤ 5 ms)");
    });
}
