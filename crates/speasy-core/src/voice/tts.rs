//! Text-to-speech: a sentence sent to OpenAI-compatible `POST /audio/speech` or ElevenLabs'
//! `POST /v1/text-to-speech/{voice_id}`, its audio read as it arrives. Both services are asked
//! for raw 16-bit PCM at 24 kHz, which plays as soon as the first bytes are in (no decoder
//! waiting for a frame); compatible servers that only make WAV or MP3 are read whole and
//! decoded. HTTP failures are the same typed errors as chat requests.

use std::io::Cursor;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::VoiceError;
use super::audio::{Resample, downmix};
use crate::error::ProviderError;
use crate::providers::openai::{Client, Endpoint};

/// OpenAI's default speech model and voice.
pub const OPENAI_TTS_MODEL: &str = "gpt-4o-mini-tts";
pub const OPENAI_TTS_VOICE: &str = "alloy";
/// ElevenLabs' low-latency model, and a voice from its default library ("Rachel").
pub const ELEVENLABS_TTS_MODEL: &str = "eleven_turbo_v2_5";
pub const ELEVENLABS_DEFAULT_VOICE: &str = "21m00Tcm4TlvDq8ikWAM";
/// The rate of the PCM both services are asked for.
pub const TTS_RATE: u32 = 24_000;

/// The audio format asked of an OpenAI-compatible server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SpeechFormat {
    /// Raw 16-bit little-endian mono at 24 kHz, played as it streams in (OpenAI's `pcm`).
    #[default]
    Pcm,
    /// A WAV file, played once whole.
    Wav,
    /// An MP3 file, played once whole.
    Mp3,
}

impl SpeechFormat {
    fn wire(self) -> &'static str {
        match self {
            Self::Pcm => "pcm",
            Self::Wav => "wav",
            Self::Mp3 => "mp3",
        }
    }
}

/// Where speech is made.
#[derive(Debug, Clone)]
pub enum TextToSpeech {
    /// OpenAI or a compatible server, with its model and voice.
    OpenAiCompatible { endpoint: Endpoint, model: String, voice: String, format: SpeechFormat },
    /// ElevenLabs (`base_url` is [`super::stt::ELEVENLABS_BASE_URL`] unless testing).
    ElevenLabs { base_url: String, api_key: SecretString, voice_id: String, model: String },
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// The audio of one piece of text, mono at [`SpeechAudio::rate`], read in pieces as the
/// service sends it.
pub struct SpeechAudio {
    rate: u32,
    label: String,
    idle: Duration,
    source: Source,
}

enum Source {
    /// 16-bit PCM as it streams in; `odd` holds a sample's first byte split from its second.
    Pcm { body: ByteStream, odd: Option<u8> },
    /// Decoded audio, handed out once.
    Decoded(Option<Vec<f32>>),
}

impl SpeechAudio {
    /// The sample rate.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The next piece of audio; `None` at the end. A connection lost midway is an error (what
    /// came before it has been handed out and can be played).
    pub async fn next(&mut self) -> Option<Result<Vec<f32>, VoiceError>> {
        match &mut self.source {
            Source::Decoded(samples) => samples.take().map(Ok),
            Source::Pcm { body, odd } => loop {
                let chunk = match tokio::time::timeout(self.idle, body.next()).await {
                    Err(_) => {
                        let what = "waiting for more speech";
                        let provider = self.label.clone();
                        return Some(Err(ProviderError::Timeout { provider, what }.into()));
                    }
                    Ok(None) => return None,
                    Ok(Some(Err(_))) => {
                        let provider = self.label.clone();
                        return Some(Err(ProviderError::Interrupted { provider }.into()));
                    }
                    Ok(Some(Ok(chunk))) => chunk,
                };
                let samples = pcm16_samples(odd, &chunk);
                if !samples.is_empty() {
                    return Some(Ok(samples));
                }
            },
        }
    }
}

/// Little-endian 16-bit samples as floats; a byte left over waits in `odd` for the next chunk.
fn pcm16_samples(odd: &mut Option<u8>, chunk: &[u8]) -> Vec<f32> {
    let mut bytes = chunk;
    let mut out = Vec::with_capacity(chunk.len() / 2 + 1);
    if let Some(first) = odd.take() {
        match bytes.split_first() {
            Some((second, rest)) => {
                out.push(f32::from(i16::from_le_bytes([first, *second])) / 32768.0);
                bytes = rest;
            }
            None => {
                *odd = Some(first);
                return out;
            }
        }
    }
    let mut pairs = bytes.chunks_exact(2);
    out.extend(pairs.by_ref().map(|p| f32::from(i16::from_le_bytes([p[0], p[1]])) / 32768.0));
    *odd = pairs.remainder().first().copied();
    out
}

/// Ask for the speech of `text`. Returns once the service has answered (its status checked);
/// the audio then arrives through [`SpeechAudio::next`].
pub async fn synthesize(
    client: &Client,
    service: &TextToSpeech,
    text: &str,
) -> Result<SpeechAudio, VoiceError> {
    let idle = client.policy().idle_timeout;
    match service {
        TextToSpeech::OpenAiCompatible { endpoint, model, voice, format } => {
            let body = json!({
                "model": model,
                "input": text,
                "voice": voice,
                "response_format": format.wire(),
            });
            let resp = client.speech(endpoint, &body, model).await?;
            let label = endpoint.label.clone();
            match format {
                SpeechFormat::Pcm => Ok(pcm(resp, label, idle)),
                SpeechFormat::Wav | SpeechFormat::Mp3 => decoded(resp, label, idle).await,
            }
        }
        TextToSpeech::ElevenLabs { base_url, api_key, voice_id, model } => {
            let label = "ElevenLabs";
            let rb = client
                .http()
                .post(format!(
                    "{}/v1/text-to-speech/{voice_id}?output_format=pcm_{TTS_RATE}",
                    base_url.trim_end_matches('/')
                ))
                .header("xi-api-key", api_key.expose_secret())
                .json(&json!({ "text": text, "model_id": model }));
            let resp = client.send(label, rb, Some(model)).await?;
            Ok(pcm(resp, label.to_owned(), idle))
        }
    }
}

fn pcm(resp: reqwest::Response, label: String, idle: Duration) -> SpeechAudio {
    let body: ByteStream = Box::pin(resp.bytes_stream());
    SpeechAudio { rate: TTS_RATE, label, idle, source: Source::Pcm { body, odd: None } }
}

/// A whole WAV or MP3 file, decoded to mono.
async fn decoded(
    resp: reqwest::Response,
    label: String,
    idle: Duration,
) -> Result<SpeechAudio, VoiceError> {
    let bytes = tokio::time::timeout(idle, resp.bytes())
        .await
        .map_err(|_| ProviderError::Timeout { provider: label.clone(), what: "reading speech" })?
        .map_err(|_| ProviderError::Interrupted { provider: label.clone() })?;
    let decoder =
        rodio::Decoder::new(Cursor::new(bytes)).map_err(|e| VoiceError::BadAudio(e.to_string()))?;
    let rate = rodio::Source::sample_rate(&decoder).get();
    let channels = usize::from(rodio::Source::channels(&decoder).get());
    let interleaved: Vec<f32> = decoder.collect();
    // Played at the same rate as streamed speech, so utterances can be queued before their
    // audio (and its rate) is known.
    let samples = Resample::all(&downmix(&interleaved, channels), rate, TTS_RATE)?;
    Ok(SpeechAudio { rate: TTS_RATE, label, idle, source: Source::Decoded(Some(samples)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_samples_split_across_chunks_are_joined() {
        let samples: [i16; 4] = [0, 16384, -16384, i16::MAX];
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let mut odd = None;
        let mut out = Vec::new();
        // Split at every odd offset, including a chunk of one byte.
        for piece in [&bytes[..1], &bytes[1..2], &bytes[2..5], &bytes[5..]] {
            out.extend(pcm16_samples(&mut odd, piece));
        }
        assert_eq!(odd, None);
        assert_eq!(out, vec![0.0, 0.5, -0.5, f32::from(i16::MAX) / 32768.0]);
    }
}
