//! Speech-to-text: an utterance (16 kHz mono) uploaded as a WAV file — or a recording the UI
//! made (ChatKit's `input.transcribe`: WebM/Opus, MP4...) as it is — to OpenAI-compatible
//! `POST /audio/transcriptions` (OpenAI, Groq, local Whisper servers) or to ElevenLabs'
//! `POST /v1/speech-to-text`. HTTP failures become the same typed errors as chat requests
//! (bad key, rate limit, server error), with the service's own message.

use secrecy::{ExposeSecret, SecretString};

use super::VoiceError;
use super::audio::{SPEECH_RATE, wav_bytes};
use crate::error::ProviderError;
use crate::providers::openai::{AudioFile, Client, Endpoint, transcript_text};

/// ElevenLabs' API.
pub const ELEVENLABS_BASE_URL: &str = "https://api.elevenlabs.io";
/// ElevenLabs' speech-to-text model.
pub const ELEVENLABS_STT_MODEL: &str = "scribe_v1";

/// Where speech is transcribed.
#[derive(Debug, Clone)]
pub enum SpeechToText {
    /// An OpenAI-compatible server, with its model (`whisper-1`, `gpt-4o-mini-transcribe`...).
    OpenAiCompatible { endpoint: Endpoint, model: String },
    /// ElevenLabs (`base_url` is [`ELEVENLABS_BASE_URL`] unless testing).
    ElevenLabs { base_url: String, api_key: SecretString, model: String },
}

/// Transcribe an utterance; `language` (ISO 639-1, "en") helps when known. An empty
/// transcript (noise, a cough) is [`VoiceError::NoSpeech`].
pub async fn transcribe(
    client: &Client,
    service: &SpeechToText,
    samples: &[f32],
    language: Option<&str>,
) -> Result<String, VoiceError> {
    if samples.is_empty() {
        return Err(VoiceError::NoSpeech);
    }
    let wav = AudioFile {
        bytes: wav_bytes(samples, SPEECH_RATE)?,
        file_name: "speech.wav".into(),
        mime_type: "audio/wav".into(),
    };
    transcribe_upload(client, service, wav, language).await
}

/// The container formats both services accept, by MIME type (parameters such as
/// `;codecs=opus` aside), with the file extension they go by.
const FORMATS: &[(&str, &str)] = &[
    ("audio/wav", "wav"),
    ("audio/wave", "wav"),
    ("audio/x-wav", "wav"),
    ("audio/webm", "webm"),
    ("video/webm", "webm"),
    ("audio/ogg", "ogg"),
    ("audio/mpeg", "mp3"),
    ("audio/mp3", "mp3"),
    ("audio/mp4", "m4a"),
    ("audio/m4a", "m4a"),
    ("audio/x-m4a", "m4a"),
    ("video/mp4", "mp4"),
    ("audio/flac", "flac"),
    ("audio/x-flac", "flac"),
];

/// Transcribe a recording in one of the formats speech services take (what ChatKit's
/// `input.transcribe` carries: `audio/webm;codecs=opus` from a browser, `audio/mp4` from
/// Safari, WAV...). Other formats are [`VoiceError::UnsupportedAudio`], before any upload.
pub async fn transcribe_file(
    client: &Client,
    service: &SpeechToText,
    bytes: Vec<u8>,
    mime_type: &str,
    language: Option<&str>,
) -> Result<String, VoiceError> {
    let essence = mime_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Some((_, ext)) = FORMATS.iter().find(|(m, _)| *m == essence) else {
        return Err(VoiceError::UnsupportedAudio { mime_type: mime_type.to_owned() });
    };
    if bytes.is_empty() {
        return Err(VoiceError::NoSpeech);
    }
    let file = AudioFile { bytes, file_name: format!("speech.{ext}"), mime_type: essence };
    transcribe_upload(client, service, file, language).await
}

async fn transcribe_upload(
    client: &Client,
    service: &SpeechToText,
    file: AudioFile,
    language: Option<&str>,
) -> Result<String, VoiceError> {
    let text = match service {
        SpeechToText::OpenAiCompatible { endpoint, model } => {
            client.transcribe(endpoint, file, model, language).await?
        }
        SpeechToText::ElevenLabs { base_url, api_key, model } => {
            elevenlabs(client, base_url, api_key, model, file, language).await?
        }
    };
    if text.is_empty() { Err(VoiceError::NoSpeech) } else { Ok(text) }
}

async fn elevenlabs(
    client: &Client,
    base_url: &str,
    api_key: &SecretString,
    model: &str,
    file: AudioFile,
    language: Option<&str>,
) -> Result<String, ProviderError> {
    let label = "ElevenLabs";
    let mut form = reqwest::multipart::Form::new()
        .text("model_id", model.to_owned())
        .part("file", file.part()?);
    if let Some(language) = language {
        form = form.text("language_code", language.to_owned());
    }
    let rb = client
        .http()
        .post(format!("{}/v1/speech-to-text", base_url.trim_end_matches('/')))
        .header("xi-api-key", api_key.expose_secret())
        .multipart(form);
    let resp = client.send(label, rb, None).await?;
    let body = client.read_json(label, resp, "the transcription").await?;
    transcript_text(label, &body)
}
