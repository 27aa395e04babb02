//! What one `POST /v1/chat/completions` answers, with helpers for OpenAI's real bodies.

use serde_json::{Value, json};

use crate::stream::{COMPLETION_ID, CREATED, SYSTEM_FINGERPRINT, Stream, usage_json};

/// One scripted answer to `POST /v1/chat/completions`.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `200 text/event-stream`, the body written piece by piece.
    Stream(Stream),
    /// A JSON body with the given status and extra headers.
    Json { status: u16, body: Value, headers: Vec<(String, String)> },
    /// Read the request, then drop the connection without any response.
    Close,
}

impl From<Stream> for Reply {
    fn from(stream: Stream) -> Self {
        Self::Stream(stream)
    }
}

impl Reply {
    /// A `200` JSON reply without extra headers.
    pub fn json(body: Value) -> Self {
        Self::Json { status: 200, body, headers: Vec::new() }
    }

    /// A non-streaming `chat.completion` answering `text`, shaped like OpenAI's.
    pub fn completion(model: &str, text: &str) -> Self {
        let completion_tokens = text.split_whitespace().count().max(1) as u64;
        let usage: Value =
            serde_json::from_str(&usage_json(12, completion_tokens)).expect("usage_json is JSON");
        Self::json(json!({
            "id": COMPLETION_ID,
            "object": "chat.completion",
            "created": CREATED,
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": null, "annotations": []},
                "logprobs": null,
                "finish_reason": "stop",
            }],
            "usage": usage,
            "system_fingerprint": SYSTEM_FINGERPRINT,
        }))
    }

    /// An OpenAI error body `{"error":{"message","type","param":null,"code"}}`.
    pub fn error(status: u16, message: &str, kind: &str, code: Option<&str>) -> Self {
        Self::Json { status, body: error_body(message, kind, code), headers: Vec::new() }
    }

    /// `401`: OpenAI's answer to a wrong key.
    pub fn invalid_api_key() -> Self {
        Self::error(
            401,
            &incorrect_key_message("sk-wrong"),
            INVALID_REQUEST,
            Some("invalid_api_key"),
        )
    }

    /// `404`: OpenAI's answer to an unknown model.
    pub fn model_not_found(model: &str) -> Self {
        let message =
            format!("The model `{model}` does not exist or you do not have access to it.");
        Self::error(404, &message, INVALID_REQUEST, Some("model_not_found"))
    }

    /// `400`: OpenAI's answer to a conversation longer than the model's context.
    pub fn context_length_exceeded() -> Self {
        let message = "This model's maximum context length is 128000 tokens. However, your \
                       messages resulted in 130000 tokens. Please reduce the length of the messages.";
        let mut reply = Self::error(400, message, INVALID_REQUEST, Some("context_length_exceeded"));
        if let Self::Json { body, .. } = &mut reply {
            body["error"]["param"] = json!("messages");
        }
        reply
    }

    /// `429` with a `retry-after` header: OpenAI's requests-per-minute limit.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let message = format!(
            "Rate limit reached for gpt-4o-mini in organization org-speasytestkit on requests \
             per min (RPM): Limit 3, Used 3, Requested 1. Please try again in \
             {retry_after_secs}s. Visit https://platform.openai.com/account/rate-limits to \
             learn more."
        );
        Self::Json {
            status: 429,
            body: error_body(&message, "requests", Some("rate_limit_exceeded")),
            headers: vec![("retry-after".to_owned(), retry_after_secs.to_string())],
        }
    }

    /// A `5xx` (500, 502, 503, …) with OpenAI's generic server error.
    pub fn server_error(status: u16) -> Self {
        let message = "The server had an error while processing your request. Sorry about that!";
        Self::error(status, message, "server_error", None)
    }

    /// `403`: OpenAI's answer from an unsupported country.
    pub fn forbidden() -> Self {
        let message = "Country, region, or territory not supported";
        Self::error(403, message, "request_forbidden", Some("unsupported_country_region_territory"))
    }
}

pub(crate) const INVALID_REQUEST: &str = "invalid_request_error";

fn error_body(message: &str, kind: &str, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

/// OpenAI's message for a wrong key, which shows the key masked.
pub(crate) fn incorrect_key_message(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let masked = if chars.len() > 12 {
        let stars = "*".repeat(chars.len() - 10);
        format!(
            "{}{stars}{}",
            chars[..6].iter().collect::<String>(),
            chars[chars.len() - 4..].iter().collect::<String>()
        )
    } else {
        format!("{}****", chars.iter().take(6).collect::<String>())
    };
    format!(
        "Incorrect API key provided: {masked}. You can find your API key at \
         https://platform.openai.com/account/api-keys."
    )
}

/// OpenAI's message when no key was sent at all.
pub(crate) const MISSING_KEY_MESSAGE: &str = "You didn't provide an API key. You need to provide \
    your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer \
    YOUR_KEY), or as the password field (with blank username) if you're accessing the API from \
    your browser and are prompted for a username and password. You can obtain an API key from \
    https://platform.openai.com/account/api-keys.";
