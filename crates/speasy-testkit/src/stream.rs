//! Server-sent-event bodies for streamed chat completions, framed byte for byte like OpenAI's.
//!
//! The builders keep a small script (content pieces, tool calls, framing options) and render it
//! into [`Stream::pieces`] after every builder call, so the options combine in any order.

use std::time::Duration;

use bytes::Bytes;

/// `id` of every chunk and completion the builders render.
pub const COMPLETION_ID: &str = "chatcmpl-speasytestkit0000000000001";
/// `created` of every chunk, completion and model the stub renders (2025-01-01T00:00:00Z).
pub const CREATED: u64 = 1_735_689_600;
/// `system_fingerprint` of every chunk and completion the builders render.
pub const SYSTEM_FINGERPRINT: &str = "fp_5e3t4k1t00";

/// The comment frame OpenRouter sends while it waits for the upstream model.
const KEEPALIVE: &str = ": OPENROUTER PROCESSING";
/// Target size of one piece when a big stream is coalesced.
const COALESCE_BYTES: usize = 64 * 1024;

/// One streamed (`text/event-stream`) reply: `pieces` are written in order, each as its own
/// write, with `delay` before every piece but the first.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The body, exactly as it goes on the wire. Builder methods re-render it.
    pub pieces: Vec<Bytes>,
    /// Pause before each piece after the first.
    pub delay: Duration,
    /// After the last piece keep the response open, until the client goes away.
    pub hang_after: bool,
    script: Option<Script>,
}

/// One streamed tool call: `(id, function name, argument fragments)`.
pub type ToolCall<'a> = (&'a str, &'a str, &'a [&'a str]);

#[derive(Debug, Clone)]
struct Script {
    model: String,
    text: Vec<String>,
    calls: Vec<(String, String, Vec<String>)>,
    finish: String,
    usage: Option<(u64, u64)>,
    keepalive: bool,
    crlf: bool,
    done: bool,
    truncate_after: Option<usize>,
    malformed_at: Option<usize>,
    split_every: Option<usize>,
    coalesce: bool,
}

impl Stream {
    /// A body given as raw pieces; only [`with_delay`](Self::with_delay), [`hang`](Self::hang)
    /// and [`split_every`](Self::split_every) apply to it.
    pub fn raw<I: IntoIterator<Item = B>, B: Into<Bytes>>(pieces: I) -> Self {
        let pieces = pieces.into_iter().map(Into::into).collect();
        Self { pieces, delay: Duration::ZERO, hang_after: false, script: None }
    }

    /// An assistant answer streamed as the given content pieces, finishing with `"stop"`.
    pub fn text(model: &str, parts: &[&str]) -> Self {
        Self::scripted(model, parts.iter().map(|p| (*p).to_owned()).collect(), &[], "stop", false)
    }

    /// Tool calls streamed the way OpenAI splits them, finishing with `"tool_calls"`.
    pub fn tool_calls(model: &str, calls: &[ToolCall<'_>]) -> Self {
        Self::scripted(model, Vec::new(), calls, "tool_calls", false)
    }

    /// `n` content chunks of `token`, rendered into pieces of about 64 KiB (for benchmarks).
    pub fn many_tokens(model: &str, n: usize, token: &str) -> Self {
        Self::scripted(model, vec![token.to_owned(); n], &[], "stop", true)
    }

    fn scripted(
        model: &str,
        text: Vec<String>,
        calls: &[ToolCall<'_>],
        finish: &str,
        coalesce: bool,
    ) -> Self {
        let calls = calls
            .iter()
            .map(|(id, name, args)| {
                (
                    (*id).to_owned(),
                    (*name).to_owned(),
                    args.iter().map(|a| (*a).to_owned()).collect(),
                )
            })
            .collect();
        let script = Script {
            model: model.to_owned(),
            text,
            calls,
            finish: finish.to_owned(),
            usage: None,
            keepalive: false,
            crlf: false,
            done: true,
            truncate_after: None,
            malformed_at: None,
            split_every: None,
            coalesce,
        };
        let mut stream = Self::raw(Vec::<Bytes>::new());
        stream.script = Some(script);
        stream.render();
        stream
    }

    /// Content streamed before the tool calls (for [`tool_calls`](Self::tool_calls)).
    pub fn with_text(self, parts: &[&str]) -> Self {
        self.edit(|s| s.text = parts.iter().map(|p| (*p).to_owned()).collect())
    }

    /// Replaces the final chunk's `finish_reason` (e.g. `"length"`).
    pub fn finish_reason(self, reason: &str) -> Self {
        self.edit(|s| s.finish = reason.to_owned())
    }

    /// Renders as with `"stream_options":{"include_usage":true}`: `"usage":null` on every
    /// chunk, then a `"choices":[]` chunk carrying the usage.
    pub fn with_usage(self, prompt_tokens: u64, completion_tokens: u64) -> Self {
        self.edit(|s| s.usage = Some((prompt_tokens, completion_tokens)))
    }

    /// Pause before each piece after the first.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Adds OpenRouter's `: OPENROUTER PROCESSING` comment frame before and between events.
    pub fn keepalive_comments(self) -> Self {
        self.edit(|s| s.keepalive = true)
    }

    /// Re-splits the whole body into pieces of `n` bytes, cutting frames and UTF-8 characters.
    /// Raises the delay to at least 1 ms so that each piece reaches the client on its own.
    pub fn split_every(mut self, n: usize) -> Self {
        assert!(n > 0, "split_every(0)");
        self.delay = self.delay.max(Duration::from_millis(1));
        match self.script {
            Some(_) => self.edit(|s| s.split_every = Some(n)),
            None => {
                self.pieces = resplit(&self.pieces.concat(), n);
                self
            }
        }
    }

    /// Ends lines with `\r\n` (still valid SSE).
    pub fn crlf(self) -> Self {
        self.edit(|s| s.crlf = true)
    }

    /// Leaves out the final `data: [DONE]`: the body just ends.
    pub fn without_done(self) -> Self {
        self.edit(|s| s.done = false)
    }

    /// Ends the body after `n` data events, with neither a finish reason nor `[DONE]`.
    pub fn truncate_after(self, n: usize) -> Self {
        self.edit(|s| s.truncate_after = Some(n))
    }

    /// Inserts a `data: {not json` frame before the data event at index `at` (0-based).
    pub fn malformed(self, at: usize) -> Self {
        self.edit(|s| s.malformed_at = Some(at))
    }

    /// After the last piece keep the response open until the client goes away.
    pub fn hang(mut self) -> Self {
        self.hang_after = true;
        self
    }

    fn edit(mut self, change: impl FnOnce(&mut Script)) -> Self {
        let script = self.script.as_mut().expect("this builder needs a scripted Stream, not raw");
        change(script);
        self.render();
        self
    }

    fn render(&mut self) {
        if let Some(script) = &self.script {
            self.pieces = script.render();
        }
    }
}

impl Script {
    fn render(&self) -> Vec<Bytes> {
        let mut deltas = Vec::new();
        let mut calls = self.calls.iter().enumerate();
        if self.text.is_empty()
            && let Some((i, call)) = calls.next()
        {
            // Tool calls without text: OpenAI merges the role into the first call's chunk.
            let header = call_header(i, call);
            deltas.push(format!(
                r#"{{"role":"assistant","content":null,"tool_calls":[{header}],"refusal":null}}"#
            ));
            deltas.extend(call.2.iter().map(|a| call_fragment(i, a)));
        } else {
            deltas.push(r#"{"role":"assistant","content":"","refusal":null}"#.to_owned());
            deltas.extend(self.text.iter().map(|t| format!(r#"{{"content":{}}}"#, json_str(t))));
        }
        for (i, call) in calls {
            deltas.push(format!(r#"{{"tool_calls":[{}]}}"#, call_header(i, call)));
            deltas.extend(call.2.iter().map(|a| call_fragment(i, a)));
        }

        let mut events: Vec<String> = deltas.iter().map(|d| self.chunk(d, "null")).collect();
        let mut done = self.done;
        if let Some(n) = self.truncate_after {
            events.truncate(n);
            done = false;
        } else {
            events.push(self.chunk("{}", &json_str(&self.finish)));
            if let Some((prompt, completion)) = self.usage {
                let usage = format!(r#","usage":{}"#, usage_json(prompt, completion));
                events.push(self.envelope("[]", &usage));
            }
        }
        let mut frames: Vec<String> = events.iter().map(|e| format!("data: {e}")).collect();
        if let Some(at) = self.malformed_at {
            frames.insert(at.min(frames.len()), "data: {not json".to_owned());
        }
        if done {
            frames.push("data: [DONE]".to_owned());
        }
        if self.keepalive {
            frames = frames.into_iter().flat_map(|f| [KEEPALIVE.to_owned(), f]).collect();
        }
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let frames = frames.into_iter().map(|f| format!("{f}{eol}{eol}"));

        if let Some(n) = self.split_every {
            resplit(frames.collect::<String>().as_bytes(), n)
        } else if self.coalesce {
            let mut pieces = Vec::new();
            let mut buf = String::with_capacity(COALESCE_BYTES + 1024);
            for frame in frames {
                buf.push_str(&frame);
                if buf.len() >= COALESCE_BYTES {
                    pieces.push(Bytes::from(std::mem::take(&mut buf)));
                }
            }
            if !buf.is_empty() {
                pieces.push(Bytes::from(buf));
            }
            pieces
        } else {
            frames.map(Bytes::from).collect()
        }
    }

    /// A `chat.completion.chunk` with one choice; `finish` is already JSON.
    fn chunk(&self, delta: &str, finish: &str) -> String {
        let choices =
            format!(r#"[{{"index":0,"delta":{delta},"logprobs":null,"finish_reason":{finish}}}]"#);
        self.envelope(&choices, if self.usage.is_some() { r#","usage":null"# } else { "" })
    }

    /// The chunk object around `choices`; `tail` adds fields after them.
    fn envelope(&self, choices: &str, tail: &str) -> String {
        format!(
            r#"{{"id":"{COMPLETION_ID}","object":"chat.completion.chunk","created":{CREATED},"model":{},"system_fingerprint":"{SYSTEM_FINGERPRINT}","choices":{choices}{tail}}}"#,
            json_str(&self.model)
        )
    }
}

/// The `usage` object as OpenAI renders it, details included.
pub(crate) fn usage_json(prompt: u64, completion: u64) -> String {
    format!(
        r#"{{"prompt_tokens":{prompt},"completion_tokens":{completion},"total_tokens":{},"prompt_tokens_details":{{"cached_tokens":0,"audio_tokens":0}},"completion_tokens_details":{{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}}"#,
        prompt + completion
    )
}

fn call_header(index: usize, (id, name, _): &(String, String, Vec<String>)) -> String {
    format!(
        r#"{{"index":{index},"id":{},"type":"function","function":{{"name":{},"arguments":""}}}}"#,
        json_str(id),
        json_str(name)
    )
}

fn call_fragment(index: usize, fragment: &str) -> String {
    format!(
        r#"{{"tool_calls":[{{"index":{index},"function":{{"arguments":{}}}}}]}}"#,
        json_str(fragment)
    )
}

/// A JSON string literal, escaped like OpenAI's (compact) serializer.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serializes")
}

fn resplit(body: &[u8], n: usize) -> Vec<Bytes> {
    body.chunks(n).map(Bytes::copy_from_slice).collect()
}
