//! Drives the stub with a plain reqwest client and checks what goes over the wire.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use speasy_testkit::{OpenAiStub, Reply, Stream};

const MODEL: &str = "gpt-4o-mini";

async fn post_chat(stub: &OpenAiStub, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/chat/completions", stub.base_url()))
        .bearer_auth("sk-test")
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn chat(stub: &OpenAiStub) -> reqwest::Response {
    post_chat(stub, json!({"model": MODEL, "stream": true, "messages": []})).await
}

/// The JSON payloads of the `data:` events, `[DONE]` left out.
fn events(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter_map(|frame| frame.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

fn deltas(body: &str) -> Vec<Value> {
    events(body).into_iter().map(|e| e["choices"][0]["delta"].clone()).collect()
}

#[tokio::test]
async fn text_stream_is_byte_exact_and_request_is_recorded() {
    let stub = OpenAiStub::start().await;
    stub.push(Stream::text(MODEL, &["Hel", "lo"]));
    let response = reqwest::Client::new()
        .post(format!("{}/chat/completions", stub.base_url()))
        .bearer_auth("sk-test")
        .header("HTTP-Referer", "https://speasy.app")
        .header("X-Title", "Speasy")
        .json(&json!({"model": MODEL, "stream": true, "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let head = r#"data: {"id":"chatcmpl-speasytestkit0000000000001","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","system_fingerprint":"fp_5e3t4k1t00","choices":[{"index":0,"delta":"#;
    let expected = [
        head,
        r#"{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}"#,
        "\n\n",
        head,
        r#"{"content":"Hel"},"logprobs":null,"finish_reason":null}]}"#,
        "\n\n",
        head,
        r#"{"content":"lo"},"logprobs":null,"finish_reason":null}]}"#,
        "\n\n",
        head,
        r#"{},"logprobs":null,"finish_reason":"stop"}]}"#,
        "\n\n",
        "data: [DONE]\n\n",
    ]
    .concat();
    assert_eq!(response.text().await.unwrap(), expected);

    let requests = stub.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(request.header("Authorization"), Some("Bearer sk-test"));
    assert_eq!(request.header("http-referer"), Some("https://speasy.app"));
    assert_eq!(request.header("X-TITLE"), Some("Speasy"));
    assert_eq!(request.body["messages"][0]["content"], "hi");
    assert_eq!(stub.pending(), 0);
}

#[tokio::test]
async fn tool_call_fragments_are_split_like_openai() {
    let stub = OpenAiStub::start().await;
    let calls: &[(&str, &str, &[&str])] = &[
        ("call_a1", "save_fact", &["{\"fact\":", "\"likes tea\"}"]),
        ("call_b2", "get_time", &["{}"]),
    ];
    stub.push(Stream::tool_calls(MODEL, calls));
    stub.push(Stream::tool_calls(MODEL, calls).with_text(&["Saving."]));

    let body = chat(&stub).await.text().await.unwrap();
    let d = deltas(&body);
    assert_eq!(
        d[0],
        json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [
            {"index": 0, "id": "call_a1", "type": "function", "function": {"name": "save_fact", "arguments": ""}}
        ]})
    );
    assert_eq!(
        d[1],
        json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"fact\":"}}]})
    );
    assert_eq!(
        d[2],
        json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"likes tea\"}"}}]})
    );
    assert_eq!(
        d[3],
        json!({"tool_calls": [{"index": 1, "id": "call_b2", "type": "function", "function": {"name": "get_time", "arguments": ""}}]})
    );
    assert_eq!(d[4], json!({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}));
    assert_eq!(d[5], json!({}));
    assert_eq!(d.len(), 6);
    assert_eq!(events(&body)[5]["choices"][0]["finish_reason"], "tool_calls");
    assert!(body.ends_with("data: [DONE]\n\n"));

    let d = deltas(&chat(&stub).await.text().await.unwrap());
    assert_eq!(d[0], json!({"role": "assistant", "content": "", "refusal": null}));
    assert_eq!(d[1], json!({"content": "Saving."}));
    assert_eq!(d[2]["tool_calls"][0]["id"], "call_a1");
    assert_eq!(d.len(), 8);
}

#[tokio::test]
async fn usage_chunk_follows_the_finish_chunk() {
    let stub = OpenAiStub::start().await;
    stub.push(Stream::text(MODEL, &["Hi"]).with_usage(9, 2).finish_reason("length"));
    let body = chat(&stub).await.text().await.unwrap();
    let events = events(&body);
    assert_eq!(events.len(), 4);
    for event in &events[..3] {
        assert_eq!(event["usage"], Value::Null);
        assert!(event.as_object().unwrap().contains_key("usage"));
    }
    assert_eq!(events[2]["choices"][0]["finish_reason"], "length");
    assert_eq!(events[3]["choices"], json!([]));
    assert_eq!(events[3]["usage"]["prompt_tokens"], 9);
    assert_eq!(events[3]["usage"]["completion_tokens"], 2);
    assert_eq!(events[3]["usage"]["total_tokens"], 11);
    assert!(body.ends_with(",\"usage\":null}\n\ndata: {\"id\":\"chatcmpl-speasytestkit0000000000001\",\"object\":\"chat.completion.chunk\",\"created\":1735689600,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_5e3t4k1t00\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\ndata: [DONE]\n\n"));
}

#[tokio::test]
async fn split_every_arrives_in_many_pieces_with_the_same_bytes() {
    let parts = ["Héllo ", "wörld ", "🌍"];
    let whole = Stream::text(MODEL, &parts).pieces.concat();
    let split = Stream::text(MODEL, &parts).split_every(5);
    assert!(split.pieces.iter().all(|p| p.len() <= 5));
    assert!(split.pieces.iter().any(|p| std::str::from_utf8(p).is_err()), "cuts a char");

    let stub = OpenAiStub::start().await;
    stub.push(split);
    let mut body = chat(&stub).await.bytes_stream();
    let mut received = Vec::new();
    let mut reads = 0;
    while let Some(piece) = body.next().await {
        received.extend_from_slice(&piece.unwrap());
        reads += 1;
    }
    assert_eq!(received, whole);
    assert!(reads > 20, "only {reads} reads");
}

#[tokio::test]
async fn framing_variants() {
    let stub = OpenAiStub::start().await;
    stub.push(Stream::text(MODEL, &["a"]).crlf().keepalive_comments());
    let body = chat(&stub).await.text().await.unwrap();
    assert!(body.starts_with(": OPENROUTER PROCESSING\r\n\r\ndata: {"));
    assert!(body.ends_with("}\r\n\r\n: OPENROUTER PROCESSING\r\n\r\ndata: [DONE]\r\n\r\n"));
    assert_eq!(events(&body.replace("\r\n", "\n")).len(), 3);

    stub.push(Stream::text(MODEL, &["a", "b", "c"]).truncate_after(2));
    let body = chat(&stub).await.text().await.unwrap();
    assert_eq!(deltas(&body)[1], json!({"content": "a"}));
    assert_eq!(events(&body).len(), 2);
    assert!(!body.contains("[DONE]") && !body.contains("\"stop\""));

    stub.push(Stream::text(MODEL, &["a"]).without_done());
    let body = chat(&stub).await.text().await.unwrap();
    assert!(body.ends_with("\"finish_reason\":\"stop\"}]}\n\n"));

    stub.push(Stream::text(MODEL, &["a"]).malformed(1));
    let body = chat(&stub).await.text().await.unwrap();
    assert_eq!(body.split("\n\n").nth(1), Some("data: {not json"));

    stub.push(Stream::raw(["data: x\n", "\n"]).with_delay(Duration::from_millis(5)));
    assert_eq!(chat(&stub).await.text().await.unwrap(), "data: x\n\n");
}

#[tokio::test]
async fn many_tokens_is_cheap() {
    let started = Instant::now();
    let stream = Stream::many_tokens(MODEL, 10_000, " tok");
    assert!(stream.pieces.len() > 1 && stream.pieces.iter().all(|p| p.len() < 70 * 1024));
    let stub = OpenAiStub::start().await;
    stub.push(stream);
    let body = chat(&stub).await.text().await.unwrap();
    let d = deltas(&body);
    assert_eq!(d.len(), 10_002);
    assert!(d[1..10_001].iter().all(|d| *d == json!({"content": " tok"})));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn json_replies_and_openai_errors() {
    let stub = OpenAiStub::start().await;
    stub.push(Reply::completion(MODEL, "Hello there"));
    let body: Value = chat(&stub).await.json().await.unwrap();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["choices"][0]["message"]["content"], "Hello there");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(body["usage"]["completion_tokens"], 2);

    stub.push(Reply::rate_limited(7));
    let response = chat(&stub).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "requests");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    assert_eq!(body["error"]["param"], Value::Null);

    let cases = [
        (
            Reply::invalid_api_key(),
            401,
            "invalid_api_key",
            "Incorrect API key provided: sk-wro****.",
        ),
        (Reply::model_not_found("gpt-9"), 404, "model_not_found", "The model `gpt-9` does not"),
        (Reply::context_length_exceeded(), 400, "context_length_exceeded", "This model's maximum"),
        (Reply::forbidden(), 403, "unsupported_country_region_territory", "Country, region"),
        (Reply::error(418, "teapot", "odd", Some("tea")), 418, "tea", "teapot"),
    ];
    for (reply, status, code, message) in cases {
        stub.push(reply);
        let response = chat(&stub).await;
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
        assert!(body["error"]["message"].as_str().unwrap().starts_with(message), "{body}");
    }

    for status in [500, 502, 503] {
        stub.push(Reply::server_error(status));
        let response = chat(&stub).await;
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["type"], "server_error");
        assert_eq!(body["error"]["code"], Value::Null);
    }
}

#[tokio::test]
async fn models_and_required_key() {
    let stub = OpenAiStub::start().await;
    stub.set_models(&["gpt-4o-mini", "gpt-4o"]);
    let models = |key: Option<&str>| {
        let mut request = reqwest::Client::new().get(format!("{}/models", stub.base_url()));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    let body: Value = models(None).await.unwrap().json().await.unwrap();
    assert_eq!(body["object"], "list");
    assert_eq!(body["data"][1]["id"], "gpt-4o");
    assert_eq!(body["data"][0]["object"], "model");
    assert_eq!(body["data"][0]["owned_by"], "speasy-testkit");

    stub.require_key(Some("sk-right-key-0123456789"));
    let response = models(None).await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with("You didn't provide an API key")
    );
    assert_eq!(body["error"]["code"], Value::Null);

    let response = models(Some("sk-wrong-key-0123456789")).await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Incorrect API key provided: sk-wro*************6789."));

    assert_eq!(models(Some("sk-right-key-0123456789")).await.unwrap().status(), 200);

    stub.push(Stream::text(MODEL, &["x"]));
    assert_eq!(chat(&stub).await.status(), 401, "chat sends sk-test");
    assert_eq!(stub.pending(), 1, "a rejected request consumes no reply");
    assert_eq!(stub.requests().len(), 5);
    assert_eq!(stub.requests()[0].body, Value::Null);
}

#[tokio::test]
async fn no_reply_is_a_loud_500() {
    let stub = OpenAiStub::start().await;
    let response = chat(&stub).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("speasy-testkit: no scripted reply")
    );

    let response = reqwest::get(format!("{}/nope", stub.base_url())).await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(stub.requests()[1].path, "/v1/nope");
}

#[tokio::test]
async fn close_drops_the_connection() {
    let stub = OpenAiStub::start().await;
    stub.push(Reply::completion(MODEL, "before"));
    stub.push(Reply::Close);
    stub.push(Reply::completion(MODEL, "after"));
    let client = reqwest::Client::new();
    let url = format!("{}/chat/completions", stub.base_url());
    // The pooled connection of the first request carries the Close: it must not be retried.
    assert_eq!(client.post(&url).json(&json!({})).send().await.unwrap().status(), 200);
    let error = client.post(&url).json(&json!({})).send().await.unwrap_err();
    assert!(!error.is_status(), "{error:?}");
    let response = client.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(stub.requests().len(), 3);
    assert_eq!(stub.pending(), 0);
}

#[tokio::test]
async fn hanging_stream_sees_the_client_leave() {
    let stub = OpenAiStub::start().await;
    stub.push(Stream::text(MODEL, &["a"]));
    chat(&stub).await.text().await.unwrap();
    assert!(
        !stub.wait_disconnect(Duration::from_millis(100)).await,
        "a full stream is no disconnect"
    );

    stub.push(Stream::text(MODEL, &["a", "b"]).truncate_after(2).hang());
    let mut body = chat(&stub).await.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"data: {"));
    let second = tokio::time::timeout(Duration::from_millis(300), async {
        while body.next().await.is_some() {}
    })
    .await;
    assert!(second.is_err(), "the body must not end");
    drop(body);
    assert!(stub.wait_disconnect(Duration::from_secs(5)).await);
    assert_eq!(stub.disconnects(), 1);
}
