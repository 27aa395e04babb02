//! Speech-to-text: an utterance (16 kHz mono) uploaded as a WAV file to OpenAI-compatible
//! `POST /audio/transcriptions` (OpenAI, Groq, local Whisper servers) or to ElevenLabs'
//! `POST /v1/speech-to-text`. HTTP failures become the same typed errors as chat requests
//! (bad key, rate limit, server error), with the service's own message.

use secrecy::{ExposeSecret, SecretString};

use super::VoiceError;
use super::audio::{SPEECH_RATE, wav_bytes};
use crate::error::ProviderError;
use crate::providers::openai::{Client, Endpoint, transcript_text, wav_part};

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
    let wav = wav_bytes(samples, SPEECH_RATE)?;
    let text = match service {
        SpeechToText::OpenAiCompatible { endpoint, model } => {
            client.transcribe(endpoint, wav, model, language).await?
        }
        SpeechToText::ElevenLabs { base_url, api_key, model } => {
            elevenlabs(client, base_url, api_key, model, wav, language).await?
        }
    };
    if text.is_empty() { Err(VoiceError::NoSpeech) } else { Ok(text) }
}

async fn elevenlabs(
    client: &Client,
    base_url: &str,
    api_key: &SecretString,
    model: &str,
    wav: Vec<u8>,
    language: Option<&str>,
) -> Result<String, ProviderError> {
    let label = "ElevenLabs";
    let mut form = reqwest::multipart::Form::new()
        .text("model_id", model.to_owned())
        .part("file", wav_part(wav)?);
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
