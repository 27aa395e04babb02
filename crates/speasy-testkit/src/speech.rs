//! [`SpeechStub`]: a speech service on `127.0.0.1` speaking OpenAI's and ElevenLabs' wire
//! formats both ways (their auth headers and error bodies).
//!
//! Speech-to-text (`POST /v1/audio/transcriptions`, `POST /v1/speech-to-text`, multipart): it
//! "recognises" speech by comparison — it knows reference recordings and their texts, decodes
//! each upload, and answers the text of the reference it correlates with (≥ 0.9), or an empty
//! text — so a test proves the audio arrived intact, not just that a request was made.
//!
//! Text-to-speech (`POST /v1/audio/speech`, `POST /v1/text-to-speech/{voice_id}`): see
//! [`crate::tts`]; it speaks with espeak-ng and streams the audio as real services do.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub use crate::tts::Spoken;

use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Which API an upload came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `POST /v1/audio/transcriptions`, `Authorization: Bearer <key>`.
    OpenAi,
    /// `POST /v1/speech-to-text`, `xi-api-key: <key>`.
    ElevenLabs,
}

impl Api {
    /// Whether the request carries `key` the way this API expects it.
    pub(crate) fn authorised(self, headers: &HeaderMap, key: &str) -> bool {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        match self {
            Self::OpenAi => header("authorization") == Some(&format!("Bearer {key}")),
            Self::ElevenLabs => header("xi-api-key") == Some(key),
        }
    }

    /// The API's error body with this status (`code`: its machine-readable reason).
    pub(crate) fn error(self, status: StatusCode, code: &str, message: &str) -> Response {
        let body = match self {
            Self::OpenAi => {
                let kind =
                    if status.is_server_error() { "server_error" } else { "invalid_request_error" };
                json!({ "error": { "message": message, "type": kind, "param": null, "code": code } })
            }
            Self::ElevenLabs => json!({ "detail": { "status": code, "message": message } }),
        };
        (status, axum::Json(body)).into_response()
    }

    fn model_field(self) -> &'static str {
        match self {
            Self::OpenAi => "model",
            Self::ElevenLabs => "model_id",
        }
    }

    fn transcript(self, text: &str) -> Response {
        let body = match self {
            Self::OpenAi => json!({ "text": text }),
            Self::ElevenLabs => {
                json!({ "language_code": "en", "language_probability": 0.98, "text": text, "words": [] })
            }
        };
        axum::Json(body).into_response()
    }
}

/// One upload the stand-in received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub api: Api,
    /// The text fields (model, language...), in order.
    pub fields: Vec<(String, String)>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub file_len: usize,
    /// The sample rate and length of the decoded file (0 if it could not be decoded).
    pub rate: u32,
    pub samples: usize,
    /// The best correlation with a reference, and which.
    pub best: Option<(String, f32)>,
    pub received_at: Instant,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub(crate) struct State_ {
    pub(crate) key: Option<String>,
    references: Vec<(String, Vec<f32>, u32)>,
    pub(crate) fail_next: Vec<u16>,
    uploads: Vec<Upload>,
    pub(crate) speech_pace: Option<(Duration, Duration)>,
    pub(crate) spoken: Vec<Arc<Mutex<Spoken>>>,
}

pub(crate) type Shared = Arc<Mutex<State_>>;

pub(crate) fn lock(s: &Shared) -> MutexGuard<'_, State_> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn lock_spoken(s: &Mutex<Spoken>) -> MutexGuard<'_, Spoken> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The stand-in; it stops when dropped.
pub struct SpeechStub {
    shared: Shared,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for SpeechStub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SpeechStub {
    pub async fn start() -> SpeechStub {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared: Shared = Arc::default();
        let app = Router::new()
            .route("/v1/audio/transcriptions", post(openai))
            .route("/v1/speech-to-text", post(elevenlabs))
            .route("/v1/audio/speech", post(crate::tts::openai))
            .route("/v1/text-to-speech/{voice_id}", post(crate::tts::elevenlabs))
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SpeechStub { shared, addr, task }
    }

    /// OpenAI-style base URL: `http://127.0.0.1:PORT/v1`.
    pub fn openai_base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// ElevenLabs-style base URL: `http://127.0.0.1:PORT`.
    pub fn elevenlabs_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Text-to-speech: wait this long before the first audio bytes (the service "thinking"),
    /// then send a 100 ms piece every `interval` (faster than real time, as services do).
    pub fn pace_speech(&self, first_byte_delay: Duration, interval: Duration) {
        let mut s = lock(&self.shared);
        s.speech_pace = Some((first_byte_delay, interval));
    }

    /// What was spoken (text-to-speech requests answered), in order.
    pub fn spoken(&self) -> Vec<Spoken> {
        lock(&self.shared).spoken.iter().map(|s| lock_spoken(s).clone()).collect()
    }

    /// Requests without this key (bearer for OpenAI, `xi-api-key` for ElevenLabs) get a 401.
    pub fn require_key(&self, key: &str) {
        lock(&self.shared).key = Some(key.to_owned());
    }

    /// Speech it can recognise: mono `samples` at `rate`, and what was said.
    pub fn know(&self, text: &str, samples: Vec<f32>, rate: u32) {
        lock(&self.shared).references.push((text.to_owned(), samples, rate));
    }

    /// The next request gets this status, with the API's error body.
    pub fn fail_next(&self, status: u16) {
        lock(&self.shared).fail_next.push(status);
    }

    pub fn uploads(&self) -> Vec<Upload> {
        lock(&self.shared).uploads.clone()
    }
}

async fn openai(State(shared): State<Shared>, headers: HeaderMap, form: Multipart) -> Response {
    receive(shared, Api::OpenAi, &headers, form).await
}

async fn elevenlabs(State(shared): State<Shared>, headers: HeaderMap, form: Multipart) -> Response {
    receive(shared, Api::ElevenLabs, &headers, form).await
}

async fn receive(shared: Shared, api: Api, headers: &HeaderMap, mut form: Multipart) -> Response {
    let received_at = Instant::now();
    let key = lock(&shared).key.clone();
    if key.is_some_and(|key| !api.authorised(headers, &key)) {
        return api.error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Incorrect API key provided.",
        );
    }
    let bad = |message: String| api.error(StatusCode::BAD_REQUEST, "invalid_request", &message);
    let failure = lock(&shared).fail_next.pop();
    let mut fields = Vec::new();
    let (mut file, mut file_name, mut content_type) = (None, None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return bad(format!("malformed multipart body: {e}")),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            file_name = field.file_name().map(str::to_owned);
            content_type = field.content_type().map(str::to_owned);
            match field.bytes().await {
                Ok(b) => file = Some(b),
                Err(e) => return bad(format!("could not read the upload: {e}")),
            }
        } else {
            match field.text().await {
                Ok(t) => fields.push((name, t)),
                Err(e) => return bad(format!("could not read field {name}: {e}")),
            }
        }
    }
    if let Some(status) = failure {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = format!("The server had an error while processing your request ({status}).");
        return api.error(status, "server_error", &message);
    }
    if !fields.iter().any(|(n, _)| n == api.model_field()) {
        return bad(format!("{} is required", api.model_field()));
    }
    let Some(file) = file else { return bad("file is required".into()) };
    let decoded = decode(&file);
    let best = decoded.as_ref().and_then(|(samples, rate)| {
        let references: Vec<(String, Vec<f32>)> = lock(&shared)
            .references
            .iter()
            .filter(|(_, _, r)| r == rate)
            .map(|(text, reference, _)| (text.clone(), reference.clone()))
            .collect();
        references
            .into_iter()
            .map(|(text, reference)| {
                (text, best_correlation(&reference, samples, *rate as usize / 2))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    });
    // Recorded even when it cannot be decoded: tests check what was sent.
    lock(&shared).uploads.push(Upload {
        api,
        fields,
        file_name,
        content_type,
        file_len: file.len(),
        rate: decoded.as_ref().map_or(0, |(_, rate)| *rate),
        samples: decoded.as_ref().map_or(0, |(samples, _)| samples.len()),
        best: best.clone(),
        received_at,
    });
    if decoded.is_none() {
        return bad("Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']".into());
    }
    let text = best.filter(|(_, c)| *c >= 0.9).map(|(t, _)| t).unwrap_or_default();
    api.transcript(&text)
}

/// Mono samples and the rate of a WAV file; `None` if it is not one.
pub fn decode(bytes: &[u8]) -> Option<(Vec<f32>, u32)> {
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes)).ok()?;
    let spec = reader.spec();
    let channels = spec.channels.max(1) as usize;
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => {
            reader.into_samples::<f32>().collect::<Result<_, _>>().ok()?
        }
        hound::SampleFormat::Int => {
            let scale = (1_i64 << spec.bits_per_sample.saturating_sub(1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 / scale))
                .collect::<Result<_, _>>()
                .ok()?
        }
    };
    let mono = interleaved
        .chunks_exact(channels)
        .map(|f| f.iter().sum::<f32>() / channels as f32)
        .collect();
    Some((mono, spec.sample_rate))
}

/// The highest normalised cross-correlation between `a` and `b` over shifts of up to
/// `max_lag` samples either way (1.0: the same signal, shifted). A coarse search on 4×
/// decimated signals, then a fine one around its best shift.
pub fn best_correlation(a: &[f32], b: &[f32], max_lag: usize) -> f32 {
    fn decimate(x: &[f32]) -> Vec<f32> {
        x.chunks(4).map(|c| c.iter().sum::<f32>() / c.len() as f32).collect()
    }
    let (da, db) = (decimate(a), decimate(b));
    let coarse = (-(max_lag as isize / 4)..=(max_lag as isize / 4))
        .map(|lag| (lag, correlation_at(&da, &db, lag)))
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .map_or(0, |(lag, _)| lag * 4);
    (coarse - 8..=coarse + 8).map(|lag| correlation_at(a, b, lag)).fold(0.0, f32::max)
}

/// Normalised correlation of `a` against `b` shifted by `lag` (b later when positive), over
/// their overlap.
fn correlation_at(a: &[f32], b: &[f32], lag: isize) -> f32 {
    let (x, y) = if lag >= 0 {
        let l = lag as usize;
        if l >= b.len() {
            return 0.0;
        }
        (a, &b[l..])
    } else {
        let l = lag.unsigned_abs();
        if l >= a.len() {
            return 0.0;
        }
        (&a[l..], b)
    };
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let (mut dot, mut ex, mut ey) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (p, q) in x.iter().zip(y) {
        dot += f64::from(*p) * f64::from(*q);
        ex += f64::from(*p) * f64::from(*p);
        ey += f64::from(*q) * f64::from(*q);
    }
    if ex <= 0.0 || ey <= 0.0 { 0.0 } else { (dot / (ex * ey).sqrt()) as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_finds_a_shifted_copy_and_rejects_other_signals() {
        let x: Vec<f32> = (0..16_000)
            .map(|i| ((i as f32 * 0.037).sin() * (i as f32 * 0.0011).cos()) * 0.5)
            .collect();
        let shifted: Vec<f32> = std::iter::repeat_n(0.0, 1234).chain(x.iter().copied()).collect();
        assert!(best_correlation(&x, &shifted, 4000) > 0.99);
        let noise: Vec<f32> = (0..16_000_u32)
            .map(|i| ((i.wrapping_mul(2_654_435_761) >> 16) as f32 / 65_536.0) - 0.5)
            .collect();
        assert!(best_correlation(&x, &noise, 4000) < 0.3);
    }
}
