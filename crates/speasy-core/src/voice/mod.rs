//! Voice: the system microphone in, speech out of it. [`capture`] opens an input device and
//! delivers 16 kHz mono audio with levels; [`endpoint`] finds where an utterance starts and
//! ends; [`stt`] sends an utterance to a speech-to-text service (OpenAI-compatible
//! `/audio/transcriptions`, or ElevenLabs); [`audio`] holds the conversions between them.
//!
//! Speech out: [`sentences`] cuts a streaming answer into sentences worth speaking, [`tts`]
//! makes each one's audio (OpenAI-compatible `/audio/speech`, ElevenLabs), [`playback`] plays
//! it on the chosen speaker, and [`read_aloud`] runs the three as a pipeline — the next
//! sentence's speech is being made while the current one plays.

pub mod audio;
pub mod capture;
pub mod endpoint;
pub mod playback;
pub mod read_aloud;
pub mod sentences;
pub mod service;
pub mod stt;
pub mod system_voice;
pub mod tts;

use crate::error::ProviderError;

/// What can go wrong with voice, in words a person can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VoiceError {
    #[error("No microphone was found. Plug one in, or pick another input in Settings → Voice.")]
    NoInputDevice,
    #[error(
        "The audio device \"{id}\" is not available any more. Pick another one in Settings → Voice."
    )]
    DeviceNotFound { id: String },
    #[error(
        "Speasy is not allowed to use the microphone. Allow microphone access for Speasy in the system's privacy settings."
    )]
    PermissionDenied,
    #[error("The microphone is in use by another application. Close it, or pick another input.")]
    DeviceBusy,
    #[error(
        "The microphone was disconnected. Plug it back in, or pick another input in Settings → Voice."
    )]
    DeviceUnplugged,
    #[error("The audio device failed: {message}")]
    Device { message: String },
    #[error("The microphone delivers audio as {format}, which Speasy cannot read.")]
    UnsupportedFormat { format: String },
    #[error("Could not convert the audio: {0}")]
    Resampler(String),
    #[error("Could not read or write the audio file: {0}")]
    Wav(String),
    #[error("{0}")]
    Speech(#[from] ProviderError),
    #[error("The recording held no speech to transcribe.")]
    NoSpeech,
    #[error(
        "Recordings in the format \"{mime_type}\" cannot be transcribed. Use WAV, WebM, Ogg, MP3, MP4 or FLAC."
    )]
    UnsupportedAudio { mime_type: String },
    #[error("The speech service sent audio Speasy cannot play: {0}")]
    BadAudio(String),
    #[error("No speaker was found. Plug one in, or pick another output in Settings → Voice.")]
    NoOutputDevice,
    #[error(
        "The speaker was disconnected. Plug it back in, or pick another output in Settings → Voice."
    )]
    SpeakerUnplugged,
    #[error("The speaker is in use by another application. Close it, or pick another output.")]
    SpeakerBusy,
    #[error(
        "No service is set up for {what}. Add an OpenAI key or an ElevenLabs key in Settings → Voice."
    )]
    NotConfigured { what: &'static str },
    #[error(
        "The system voice is not available: {0}. Install Speech Dispatcher (Linux), or set up a speech service in Settings → Voice."
    )]
    SystemVoice(String),
}

/// Start a thread that owns an audio device (cpal streams and the system synthesiser are not
/// `Send` on every OS) and wait for it to say whether the device opened: `body` sends `Ok` with
/// what the caller needs, or the error, once. The thread is joined if it fails to open.
pub(crate) fn spawn_owner<T: Send + 'static>(
    what: &str,
    body: impl FnOnce(std::sync::mpsc::Sender<Result<T, VoiceError>>) + Send + 'static,
) -> Result<(T, std::thread::JoinHandle<()>), VoiceError> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(format!("speasy-{what}"))
        .spawn(move || body(ready_tx))
        .map_err(|e| VoiceError::Device {
            message: format!("could not start the {what} thread: {e}"),
        })?;
    match ready_rx.recv() {
        Ok(Ok(opened)) => Ok((opened, thread)),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(VoiceError::Device { message: format!("the {what} thread stopped while starting") })
        }
    }
}

impl VoiceError {
    pub(crate) fn from_cpal(e: cpal::Error) -> Self {
        use cpal::ErrorKind as K;
        match e.kind() {
            K::DeviceNotAvailable | K::StreamInvalidated => Self::DeviceUnplugged,
            K::PermissionDenied => Self::PermissionDenied,
            K::DeviceBusy => Self::DeviceBusy,
            _ => Self::Device { message: e.to_string() },
        }
    }

    /// The same for an output device.
    pub(crate) fn from_cpal_output(e: cpal::Error) -> Self {
        use cpal::ErrorKind as K;
        match e.kind() {
            K::DeviceNotAvailable | K::StreamInvalidated => Self::SpeakerUnplugged,
            K::DeviceBusy => Self::SpeakerBusy,
            _ => Self::Device { message: e.to_string() },
        }
    }
}
