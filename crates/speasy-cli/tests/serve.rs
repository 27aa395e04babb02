//! `speasy-cli serve` as a user runs it: the real binary on an ephemeral loopback port, its
//! provider from `OPENAI_BASE_URL`/`OPENAI_API_KEY`/`SPEASY_MODEL` pointing at a scripted
//! OpenAI-compatible server, driven over real HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use speasy_testkit::{OpenAiStub, Reply, Stream};

const TOKEN: &str = "test-token-7f3a9c";
const MODEL: &str = "gpt-test";

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(stub: &OpenAiStub) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_speasy-cli"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["serve", "--port", "0"])
        .env("SPEASY_API_TOKEN", TOKEN)
        .env("OPENAI_BASE_URL", stub.base_url())
        .env("OPENAI_API_KEY", "sk-cli-test")
        .env("SPEASY_MODEL", MODEL)
        .env_remove("OPENROUTER_API_KEY")
        .env("SPEASY_KEYRING_SERVICE", "app.speasy.cli-test")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = serde_json::from_str::<Value>(&line).unwrap()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    Server { child, url, _dir: dir }
}

fn dump(kind: &str, v: &Value) {
    if let Some(dir) = std::env::var_os("SPEASY_CONFORMANCE_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        let path = std::path::Path::new(&dir).join(format!("{kind}.serve.jsonl"));
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        writeln!(f, "{v}").unwrap();
    }
}

async fn post(s: &Server, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/chatkit", s.url))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The events of an SSE body (`data: {json}\n\n` frames, nothing else).
async fn events(resp: reqwest::Response) -> Vec<Value> {
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let body = resp.text().await.unwrap();
    assert!(body.ends_with("\n\n"), "{body}");
    let events: Vec<Value> = body
        .split_terminator("\n\n")
        .map(|f| serde_json::from_str(f.strip_prefix("data: ").unwrap()).unwrap())
        .collect();
    for e in &events {
        dump("event", e);
        if let Some(item) = e.get("item") {
            dump("item", item);
            if let Some(w) = item.get("widget") {
                dump("widget", w);
            }
        }
    }
    events
}

fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_auth() {
    let stub = OpenAiStub::start().await;
    let s = serve(&stub);
    let health = reqwest::get(format!("{}/health", s.url)).await.unwrap();
    assert_eq!(health.status(), 200);
    let h: Value = health.json().await.unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["database"]["ok"], true);
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));

    let client = reqwest::Client::new();
    for auth in [None, Some("Bearer wrong-token-123"), Some(TOKEN)] {
        let mut rb = client.get(format!("{}/facts", s.url));
        if let Some(a) = auth {
            rb = rb
                .header("authorization", if a == TOKEN { format!("Bearer {a}") } else { a.into() });
        }
        let resp = rb.send().await.unwrap();
        if auth == Some(TOKEN) {
            assert_eq!(resp.status(), 200);
            assert_eq!(resp.json::<Value>().await.unwrap(), json!({"data": []}));
        } else {
            assert_eq!(resp.status(), 401);
            assert_eq!(resp.headers()["www-authenticate"], "Bearer");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["kind"], "unauthorized");
        }
    }
    let resp = client.post(format!("{}/chatkit", s.url)).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), 401, "POST /chatkit needs the token too");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_over_http_with_a_fact_saved_through_the_facts_route() {
    let stub = OpenAiStub::start().await;
    stub.require_key(Some("sk-cli-test"));
    let s = serve(&stub);
    stub.push(Reply::Stream(Stream::tool_calls(
        MODEL,
        &[("call_1", "save_fact", &["{\"text\":", " \"Prefers window seats.\"}"])],
    )));
    stub.push(Reply::Stream(Stream::text(MODEL, &["I can remember ", "that."])));
    stub.push(Reply::completion(MODEL, "Seats"));
    let ev = events(post(&s, json!({"type": "threads.create", "params": {"input": input("I always pick a window seat")}})).await).await;
    let types: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types[..3], ["thread.created", "thread.item.done", "stream_options"]);
    assert_eq!(*types.last().unwrap(), "thread.updated");
    assert!(ev.iter().any(|e| e["item"]["type"] == "widget"));

    let client = reqwest::Client::new();
    let facts: Value = client
        .get(format!("{}/facts", s.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(facts["data"][0]["status"], "pending");
    let id = facts["data"][0]["id"].as_str().unwrap();
    let saved =
        client.post(format!("{}/facts/{id}/save", s.url)).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(saved.status(), 200);
    assert_eq!(saved.json::<Value>().await.unwrap()["status"], "saved");
    let missing = client
        .post(format!("{}/facts/nope/discard", s.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["kind"], "not_found");

    // JSON ops answer JSON.
    let thread_id = ev[0]["thread"]["id"].as_str().unwrap();
    let got =
        post(&s, json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})).await;
    assert_eq!(got.headers()["content-type"], "application/json");
    let thread: Value = got.json().await.unwrap();
    assert_eq!(thread["title"], "Seats");
    for item in thread["items"]["data"].as_array().unwrap() {
        dump("item", item);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_json_errors() {
    let stub = OpenAiStub::start().await;
    let s = serve(&stub);
    let client = reqwest::Client::new();
    let send = |body: &'static str| {
        client
            .post(format!("{}/chatkit", s.url))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, status, kind) in [
        ("{oops", 400, "invalid_input"),
        (r#"{"type":"threads.nope","params":{}}"#, 400, "invalid_input"),
        (r#"{"type":"threads.get_by_id","params":{"thread_id":"missing"}}"#, 404, "not_found"),
        (r#"{"type":"threads.delete","params":{}}"#, 400, "invalid_input"),
    ] {
        let resp = send(body).await.unwrap();
        assert_eq!(resp.status(), status, "{body}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"]["kind"], kind, "{body}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    // An unknown thread in a streaming op: an error event (after the effect naming its kind),
    // and the stream ends cleanly.
    let ev = events(post(&s, json!({"type": "threads.add_user_message", "params": {"thread_id": "missing", "input": input("hi")}})).await).await;
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["data"]["kind"], "not_found");
    assert_eq!(ev[1]["type"], "error");
    let resp = client.get(format!("{}/nowhere", s.url)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_hangs_up_cancels_the_model_stream() {
    let stub = OpenAiStub::start().await;
    let s = serve(&stub);
    let words: Vec<String> = (0..300).map(|i| format!("w{i} ")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    stub.push(Reply::Stream(Stream::text(MODEL, &refs).with_delay(Duration::from_millis(20))));
    let mut resp =
        post(&s, json!({"type": "threads.create", "params": {"input": input("talk")}})).await;
    let mut seen = String::new();
    while !seen.contains("text_delta") {
        seen.push_str(&String::from_utf8_lossy(&resp.chunk().await.unwrap().unwrap()));
    }
    drop(resp);
    assert!(stub.wait_disconnect(Duration::from_secs(5)).await, "the provider stream was closed");
}
