//! The text-to-speech half of [`crate::SpeechStub`]: OpenAI's `POST /v1/audio/speech` (JSON
//! `{model, input, voice, response_format}`; `pcm` is raw 16-bit little-endian mono at 24 kHz,
//! `wav` a WAV file) and ElevenLabs' `POST /v1/text-to-speech/{voice_id}` (JSON
//! `{text, model_id}`, `?output_format=pcm_<rate>`). The speech is real — espeak-ng says the
//! text — and is streamed in 100 ms pieces at the pace the test sets; what was sent, and when
//! its first bytes went out, is recorded ([`Spoken`]) for tests to compare with what played.

use std::convert::Infallible;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::speech::{Api, Shared, lock, lock_spoken};

/// One text-to-speech request answered.
#[derive(Debug, Clone)]
pub struct Spoken {
    pub api: Api,
    pub text: String,
    pub voice: String,
    pub model: String,
    /// `pcm`, `wav` (OpenAI) or `pcm_24000`... (ElevenLabs).
    pub format: String,
    /// The rate of `samples`.
    pub rate: u32,
    /// The audio sent, mono.
    pub samples: Vec<f32>,
    pub received_at: Instant,
    /// When the first audio bytes were handed to the connection.
    pub first_byte_at: Option<Instant>,
}

/// espeak-ng saying `text` (US English, `words_per_minute`), written to `path` as a WAV file
/// (its native 22,050 Hz). A file, not `--stdout`: piped, espeak-ng cannot fill in the WAV
/// header's lengths.
///
/// # Panics
/// If espeak-ng is not installed or fails: the tests that speak need it.
pub fn espeak_to_file(text: &str, words_per_minute: u32, path: &std::path::Path) {
    let out = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", &words_per_minute.to_string(), "-w"])
        .arg(path)
        .arg(text)
        .output()
        .expect("run espeak-ng (apt install espeak-ng)");
    assert!(out.status.success(), "espeak-ng failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// `text` said by espeak-ng (US English, 160 words a minute), mono at `rate`.
///
/// # Panics
/// If espeak-ng is not installed or fails.
pub fn espeak(text: &str, rate: u32) -> Vec<f32> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "speasy-espeak-{}-{}.wav",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    espeak_to_file(text, 160, &path);
    let wav = std::fs::read(&path).expect("espeak-ng's WAV file");
    let _ = std::fs::remove_file(&path);
    let (samples, from) = crate::speech::decode(&wav).expect("espeak-ng writes WAV");
    resample_linear(&samples, from, rate)
}

/// Linear interpolation to another rate (what a simple server might do; good enough for
/// speech that is compared with itself).
fn resample_linear(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || x.is_empty() {
        return x.to_vec();
    }
    let n = (x.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    (0..n)
        .map(|i| {
            let pos = i as f64 * f64::from(from) / f64::from(to);
            let j = pos as usize;
            let frac = (pos - j as f64) as f32;
            let a = x[j.min(x.len() - 1)];
            let b = x[(j + 1).min(x.len() - 1)];
            a + (b - a) * frac
        })
        .collect()
}

pub(crate) async fn openai(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let api = Api::OpenAi;
    if let Some(denied) = gate(&shared, api, &headers) {
        return denied;
    }
    let bad = |message: &str| api.error(StatusCode::BAD_REQUEST, "invalid_request", message);
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return bad("We could not parse the JSON body of your request.");
    };
    let field = |name: &str| req.get(name).and_then(Value::as_str).map(str::to_owned);
    let (Some(model), Some(text), Some(voice)) = (field("model"), field("input"), field("voice"))
    else {
        return bad("model, input and voice are required");
    };
    if text.trim().is_empty() {
        return bad("input must not be empty");
    }
    let format = field("response_format").unwrap_or_else(|| "mp3".into());
    if format != "pcm" && format != "wav" {
        return bad(&format!("the stand-in makes pcm and wav, not {format}"));
    }
    speak(shared, api, text, voice, model, format, 24_000).await
}

pub(crate) async fn elevenlabs(
    State(shared): State<Shared>,
    Path(voice_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let api = Api::ElevenLabs;
    if let Some(denied) = gate(&shared, api, &headers) {
        return denied;
    }
    let bad = |message: &str| api.error(StatusCode::BAD_REQUEST, "invalid_request", message);
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return bad("Invalid JSON body");
    };
    let Some(text) = req.get("text").and_then(Value::as_str).map(str::to_owned) else {
        return bad("text is required");
    };
    let model = req.get("model_id").and_then(Value::as_str).unwrap_or("eleven_multilingual_v2");
    let format = query
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("output_format=").map(str::to_owned))
        .unwrap_or_else(|| "mp3_44100_128".into());
    let rate = match format.strip_prefix("pcm_").map(str::parse::<u32>) {
        Some(Ok(rate @ (8_000 | 16_000 | 22_050 | 24_000 | 44_100 | 48_000))) => rate,
        _ => return bad(&format!("the stand-in makes pcm_<rate> output, not {format}")),
    };
    speak(shared, api, text, voice_id, model.to_owned(), format, rate).await
}

/// The key check and a scripted failure, as for transcriptions.
fn gate(shared: &Shared, api: Api, headers: &HeaderMap) -> Option<Response> {
    let mut state = lock(shared);
    if state.key.as_ref().is_some_and(|key| !api.authorised(headers, key)) {
        let message = "Incorrect API key provided.";
        return Some(api.error(StatusCode::UNAUTHORIZED, "invalid_api_key", message));
    }
    let status = state.fail_next.pop()?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = format!("The server had an error while processing your request ({status}).");
    Some(api.error(status, "server_error", &message))
}

async fn speak(
    shared: Shared,
    api: Api,
    text: String,
    voice: String,
    model: String,
    format: String,
    rate: u32,
) -> Response {
    let received_at = Instant::now();
    let said = text.clone();
    let Ok(samples) = tokio::task::spawn_blocking(move || espeak(&said, rate)).await else {
        return api.error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "espeak-ng failed");
    };
    let (delay, interval) = lock(&shared).speech_pace.unwrap_or_default();
    let bytes: Vec<u8> = if format == "wav" {
        wav(&samples, rate)
    } else {
        samples.iter().flat_map(|s| ((s.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes()).collect()
    };
    let record = Arc::new(Mutex::new(Spoken {
        api,
        text,
        voice,
        model,
        format: format.clone(),
        rate,
        samples,
        received_at,
        first_byte_at: None,
    }));
    lock(&shared).spoken.push(Arc::clone(&record));
    // 100 ms pieces (16-bit mono), the first after `delay`, then one every `interval`.
    let piece = (rate as usize / 10) * 2;
    let pieces: Vec<Bytes> = bytes.chunks(piece).map(Bytes::copy_from_slice).collect();
    let stream = futures_util::stream::unfold((pieces.into_iter(), 0usize), move |(mut it, n)| {
        let record = Arc::clone(&record);
        async move {
            let next = it.next()?;
            tokio::time::sleep(if n == 0 { delay } else { interval }).await;
            if n == 0 {
                lock_spoken(&record).first_byte_at = Some(Instant::now());
            }
            Some((Ok::<_, Infallible>(next), (it, n + 1)))
        }
    });
    let content_type = if format == "wav" { "audio/wav" } else { "audio/pcm" };
    ([(header::CONTENT_TYPE, content_type)], Body::from_stream(stream)).into_response()
}

fn wav(samples: &[f32], rate: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    if let Ok(mut w) = hound::WavWriter::new(&mut buf, spec) {
        for s in samples {
            let _ = w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16);
        }
        let _ = w.finalize();
    }
    buf.into_inner()
}
