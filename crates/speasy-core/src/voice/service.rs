//! The voice parts of [`Core`]: which services and devices the settings pick, listening
//! (push-to-talk or hands-free) with its events, reading answers aloud, and ChatKit's
//! `input.transcribe`.
//!
//! Front ends follow voice through one event stream ([`Core::voice_events`]): levels for the
//! meter, speech heard, transcripts, speaking started / done, and errors — each error a typed
//! [`ApiError`] the UI turns into a message with a next step. A transcript is not sent by the
//! core: the front end sends it as the user message (with `metadata.speak` in hands-free mode,
//! so the answer is read aloud as it streams — see [`Core::speak_stream`]).
//!
//! Hands-free barge-in: while listening hands-free, voice that lasts 120 ms stops whatever is
//! being read. Without echo cancellation the microphone hears the speaker too; desktop
//! systems provide it (PipeWire/PulseAudio echo-cancel, macOS voice processing, Windows
//! communications devices), and headsets avoid the question.

use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use ts_rs::TS;

use super::VoiceError;
use super::capture::{AudioDevice, Capture, CaptureEvent, input_devices, output_devices};
use super::endpoint::{EndpointConfig, EndpointEvent, Endpointer};
use super::playback::Speaker;
use super::read_aloud::ReadAloud;
use super::stt::{
    ELEVENLABS_BASE_URL, ELEVENLABS_STT_MODEL, SpeechToText, transcribe, transcribe_file,
};
use super::system_voice::SystemVoice;
use super::tts::{
    ELEVENLABS_DEFAULT_VOICE, ELEVENLABS_TTS_MODEL, OPENAI_TTS_MODEL, OPENAI_TTS_VOICE,
    SpeechFormat, TextToSpeech,
};
use crate::Core;
use crate::chat::EventStream;
use crate::chatkit::protocol::{ItemUpdate, NoticeLevel, StreamEvent};
use crate::error::{ApiError, ErrorKind};
use crate::providers::{Provider, ProviderKind};
use crate::secrets::SecretName;
use crate::store::{ELEVENLABS_SECRET, SpeechService};

/// OpenAI's default transcription model.
pub const OPENAI_STT_MODEL: &str = "gpt-4o-mini-transcribe";

/// How listening ends an utterance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ListenMode {
    /// Until [`Core::voice_release`] (the shortcut or mic button let go).
    PushToTalk,
    /// Utterance after utterance, each ended by a pause, until stopped; speech interrupts
    /// what is being read.
    HandsFree,
}

/// What voice is doing, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum VoiceEvent {
    /// The microphone is open.
    Listening {
        mode: ListenMode,
    },
    /// Loudness of the last 50 ms (dBFS, -100 to 0), for the level ring.
    Level {
        db: f32,
    },
    /// Someone is talking.
    SpeechStarted,
    /// An utterance went to the speech service.
    Transcribing,
    /// What was said: the front end sends it as the user message.
    Transcript {
        text: String,
    },
    /// The microphone is closed.
    ListeningStopped,
    /// Reading aloud started (`item_id`: the message, when known).
    Speaking {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        item_id: Option<String>,
    },
    /// Reading aloud ended: read out, stopped or failed.
    SpeakingDone {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        item_id: Option<String>,
    },
    Error {
        error: ApiError,
    },
}

/// The devices to pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VoiceDevices {
    pub inputs: Vec<AudioDevice>,
    pub outputs: Vec<AudioDevice>,
}

enum Control {
    Release,
    Stop,
}

struct Listening {
    id: u64,
    control: mpsc::UnboundedSender<Control>,
}

struct Reading {
    id: u64,
    reading: Arc<ReadAloud>,
}

/// The voice state a [`Core`] holds.
pub struct VoiceState {
    events: broadcast::Sender<VoiceEvent>,
    speaker: tokio::sync::Mutex<Option<(Option<String>, Arc<Speaker>)>>,
    system: tokio::sync::Mutex<Option<Arc<SystemVoice>>>,
    reading: Mutex<Option<Reading>>,
    listening: Mutex<Option<Listening>>,
    next: std::sync::atomic::AtomicU64,
    /// ElevenLabs' API (tests point it at a stand-in).
    pub(crate) elevenlabs_base_url: String,
}

impl VoiceState {
    pub(crate) fn new(elevenlabs_base_url: Option<String>) -> Self {
        Self {
            events: broadcast::channel(256).0,
            speaker: tokio::sync::Mutex::new(None),
            system: tokio::sync::Mutex::new(None),
            reading: Mutex::new(None),
            listening: Mutex::new(None),
            next: std::sync::atomic::AtomicU64::new(1),
            elevenlabs_base_url: elevenlabs_base_url
                .unwrap_or_else(|| ELEVENLABS_BASE_URL.to_owned()),
        }
    }

    fn emit(&self, event: VoiceEvent) {
        let _ = self.events.send(event);
    }

    fn next_id(&self) -> u64 {
        self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Providers that speak OpenAI's audio API.
fn speaks_audio(p: &Provider) -> bool {
    matches!(p.kind, ProviderKind::Openai | ProviderKind::Custom)
}

impl Core {
    /// Voice events (levels, transcripts, speaking, errors) from now on.
    pub fn voice_events(&self) -> broadcast::Receiver<VoiceEvent> {
        self.voice.events.subscribe()
    }

    /// The microphones and speakers.
    pub async fn voice_devices(&self) -> Result<VoiceDevices, ApiError> {
        let list = tokio::task::spawn_blocking(|| -> Result<VoiceDevices, VoiceError> {
            Ok(VoiceDevices { inputs: input_devices()?, outputs: output_devices()? })
        });
        Ok(list.await.map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??)
    }

    /// The ElevenLabs key, when set.
    async fn elevenlabs_key(&self) -> Result<Option<secrecy::SecretString>, ApiError> {
        let name = SecretName::new(ELEVENLABS_SECRET)?;
        let secrets = Arc::clone(self.secrets());
        Ok(tokio::task::spawn_blocking(move || secrets.get(&name))
            .await
            .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??)
    }

    /// The provider a speech setting names (`Auto`: the first that speaks OpenAI's audio API,
    /// the default provider first, else ElevenLabs, else — when `system` is allowed, for
    /// reading aloud — the system voice); `None` for `Off` or nothing usable.
    async fn speech_backend(
        &self,
        service: &SpeechService,
        system: bool,
    ) -> Result<Option<Backend>, ApiError> {
        let store = self.store()?;
        match service {
            SpeechService::Off => Ok(None),
            SpeechService::System => Ok(system.then_some(Backend::System)),
            SpeechService::ElevenLabs => match self.elevenlabs_key().await? {
                Some(key) => Ok(Some(Backend::ElevenLabs(key))),
                None => {
                    Err(crate::error::ProviderError::MissingKey { provider: "ElevenLabs".into() }
                        .into())
                }
            },
            SpeechService::Provider { id } => {
                let p = store.load_provider(id)?;
                Ok(Some(Backend::OpenAi(self.endpoint(&p).await?)))
            }
            SpeechService::Auto => {
                if let Some(ep) = self.override_endpoint()?
                    && matches!(ep.kind, ProviderKind::Openai | ProviderKind::Custom)
                {
                    return Ok(Some(Backend::OpenAi(ep)));
                }
                let default = store.settings()?.default_provider;
                let mut providers: Vec<Provider> =
                    store.list_providers()?.into_iter().filter(speaks_audio).collect();
                providers.sort_by_key(|p| Some(&p.id) != default.as_ref());
                for p in &providers {
                    if let Ok(ep) = self.endpoint(p).await {
                        return Ok(Some(Backend::OpenAi(ep)));
                    }
                }
                Ok(self
                    .elevenlabs_key()
                    .await?
                    .map(Backend::ElevenLabs)
                    .or(system.then_some(Backend::System)))
            }
        }
    }

    /// The speech-to-text service the settings pick.
    pub async fn stt_service(&self) -> Result<SpeechToText, ApiError> {
        let voice = self.settings()?.voice;
        let model = voice.stt_model.clone();
        match self.speech_backend(&voice.stt, false).await? {
            Some(Backend::OpenAi(endpoint)) => Ok(SpeechToText::OpenAiCompatible {
                endpoint,
                model: model.unwrap_or_else(|| OPENAI_STT_MODEL.into()),
            }),
            Some(Backend::ElevenLabs(api_key)) => Ok(SpeechToText::ElevenLabs {
                base_url: self.voice.elevenlabs_base_url.clone(),
                api_key,
                model: model.unwrap_or_else(|| ELEVENLABS_STT_MODEL.into()),
            }),
            Some(Backend::System) | None => {
                Err(VoiceError::NotConfigured { what: "speech-to-text" }.into())
            }
        }
    }

    /// What reads aloud, per the settings; `persona_voice` (the thread's persona's) overrides
    /// the voice setting.
    pub async fn tts_service(&self, persona_voice: Option<String>) -> Result<ReadWith, ApiError> {
        let voice = self.settings()?.voice;
        let model = voice.tts_model.clone();
        let chosen = persona_voice.or(voice.tts_voice.clone());
        let service = match self.speech_backend(&voice.tts, true).await? {
            Some(Backend::System) => return Ok(ReadWith::System),
            Some(Backend::OpenAi(endpoint)) => Ok(TextToSpeech::OpenAiCompatible {
                endpoint,
                model: model.unwrap_or_else(|| OPENAI_TTS_MODEL.into()),
                voice: chosen.unwrap_or_else(|| OPENAI_TTS_VOICE.into()),
                format: SpeechFormat::Pcm,
            }),
            Some(Backend::ElevenLabs(api_key)) => Ok(TextToSpeech::ElevenLabs {
                base_url: self.voice.elevenlabs_base_url.clone(),
                api_key,
                voice_id: chosen.unwrap_or_else(|| ELEVENLABS_DEFAULT_VOICE.into()),
                model: model.unwrap_or_else(|| ELEVENLABS_TTS_MODEL.into()),
            }),
            None => Err(VoiceError::NotConfigured { what: "reading aloud" }.into()),
        };
        service.map(ReadWith::Service)
    }

    /// The system voice, connected once.
    async fn system_voice(&self) -> Result<Arc<SystemVoice>, ApiError> {
        let mut slot = self.voice.system.lock().await;
        if let Some(v) = slot.as_ref() {
            return Ok(Arc::clone(v));
        }
        let voice = tokio::task::spawn_blocking(SystemVoice::open)
            .await
            .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??;
        let voice = Arc::new(voice);
        *slot = Some(Arc::clone(&voice));
        Ok(voice)
    }

    /// ChatKit's `input.transcribe`: a recording (base64) of a MIME type speech services take.
    pub async fn transcribe_recording(
        &self,
        audio_base64: &str,
        mime_type: &str,
    ) -> Result<String, ApiError> {
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(audio_base64.trim()).map_err(|e| {
                ApiError::new(ErrorKind::InvalidInput, format!("audio_base64 is not base64: {e}"))
            })?;
        let service = self.stt_service().await?;
        let language = self.settings()?.voice.language;
        Ok(transcribe_file(self.client()?, &service, bytes, mime_type, language.as_deref()).await?)
    }

    /// The speaker the settings pick, opened once and reopened when the setting changes or the
    /// device failed.
    async fn speaker(&self) -> Result<Arc<Speaker>, ApiError> {
        let device = self.settings()?.voice.output_device;
        let mut slot = self.voice.speaker.lock().await;
        if let Some((open_on, speaker)) = slot.as_ref()
            && *open_on == device
            && speaker.failure().is_none()
        {
            return Ok(Arc::clone(speaker));
        }
        *slot = None;
        let id = device.clone();
        let speaker = tokio::task::spawn_blocking(move || Speaker::open(id.as_deref()))
            .await
            .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??;
        let speaker = Arc::new(speaker);
        *slot = Some((device, Arc::clone(&speaker)));
        Ok(speaker)
    }

    /// Start reading aloud (whatever was being read stops); text comes through the returned
    /// reading. `item_id` names the message in the events.
    async fn start_reading(
        self: &Arc<Self>,
        item_id: Option<String>,
        persona_voice: Option<String>,
    ) -> Result<Arc<ReadAloud>, ApiError> {
        let reading = match self.tts_service(persona_voice).await? {
            ReadWith::Service(service) => {
                let speaker = self.speaker().await?;
                self.voice_stop_speaking();
                ReadAloud::start(speaker, self.client()?.clone(), service)
            }
            ReadWith::System => {
                let voice = self.system_voice().await?;
                self.voice_stop_speaking();
                ReadAloud::system(voice)
            }
        };
        let reading = Arc::new(reading);
        let id = self.voice.next_id();
        *lock(&self.voice.reading) = Some(Reading { id, reading: Arc::clone(&reading) });
        self.voice.emit(VoiceEvent::Speaking { item_id: item_id.clone() });
        let core = Arc::clone(self);
        let watched = Arc::clone(&reading);
        tokio::spawn(async move {
            let result = watched.finished().await;
            {
                let mut slot = lock(&core.voice.reading);
                if slot.as_ref().is_some_and(|r| r.id == id) {
                    *slot = None;
                }
            }
            if let Err(e) = result {
                tracing::warn!(error = %e, "reading aloud failed");
                core.voice.emit(VoiceEvent::Error { error: e.into() });
            }
            core.voice.emit(VoiceEvent::SpeakingDone { item_id });
        });
        Ok(reading)
    }

    /// Read a message aloud (an assistant message's text; a user message's too). Returns once
    /// reading has started; the events say when it ends.
    pub async fn voice_read_item(
        self: &Arc<Self>,
        thread_id: &str,
        item_id: &str,
    ) -> Result<(), ApiError> {
        let store = self.store()?;
        let item = store.load_item(thread_id, item_id)?;
        let text = item.content_text("");
        if text.trim().is_empty() {
            return Err(ApiError::new(
                ErrorKind::InvalidInput,
                "This message has no text to read.",
            ));
        }
        let voice = self.persona_voice(Some(thread_id), None)?;
        let reading = self.start_reading(Some(item_id.to_owned()), voice).await?;
        reading.push(&text);
        reading.end();
        Ok(())
    }

    /// The voice of a thread's persona (or of `persona_id` for a new thread).
    fn persona_voice(
        &self,
        thread_id: Option<&str>,
        persona_id: Option<&str>,
    ) -> Result<Option<String>, ApiError> {
        let store = self.store()?;
        let id = match (persona_id, thread_id) {
            (Some(p), _) => Some(p.to_owned()),
            (None, Some(t)) => store.thread_persona_id(t)?,
            (None, None) => None,
        };
        Ok(match id {
            Some(id) => store.load_persona(&id).ok().and_then(|p| p.voice_id),
            None => None,
        })
    }

    /// Stop reading aloud.
    pub fn voice_stop_speaking(&self) {
        if let Some(r) = lock(&self.voice.reading).take() {
            r.reading.stop();
        }
    }

    /// Skip the sentence being read.
    pub async fn voice_skip(&self) {
        if let Some((_, speaker)) = self.voice.speaker.lock().await.as_ref() {
            speaker.skip();
        }
    }

    /// A turn's events, with its answer read aloud as it streams (`metadata.speak`, or the
    /// auto-read setting). A reading that cannot start (no TTS service, no speaker) or fails
    /// is reported as a `notice` in the stream and as a voice error; the answer is unaffected.
    pub(crate) fn speak_stream(
        self: &Arc<Self>,
        mut inner: EventStream,
        thread_id: Option<String>,
        persona_id: Option<String>,
    ) -> EventStream {
        let (emitter, outer) = crate::chat::channel();
        let core = Arc::clone(self);
        tokio::spawn(async move {
            let mut reading: Option<Arc<ReadAloud>> = None;
            let mut gave_up = false;
            let mut thread_id = thread_id;
            while let Some(event) = inner.next().await {
                let mut notice = None;
                match &event {
                    StreamEvent::ThreadCreated { thread } => {
                        thread_id = Some(thread.meta.id.clone())
                    }
                    StreamEvent::ItemUpdated {
                        item_id,
                        update: ItemUpdate::TextDelta { delta, .. },
                    } => {
                        if reading.is_none() && !gave_up {
                            let voice = core
                                .persona_voice(thread_id.as_deref(), persona_id.as_deref())
                                .unwrap_or_default();
                            match core.start_reading(Some(item_id.clone()), voice).await {
                                Ok(r) => reading = Some(r),
                                Err(e) => {
                                    gave_up = true;
                                    core.voice.emit(VoiceEvent::Error { error: e.clone() });
                                    notice = Some(StreamEvent::Notice {
                                        level: NoticeLevel::Warning,
                                        title: Some("Couldn’t read the answer aloud".into()),
                                        message: e.message,
                                    });
                                }
                            }
                        }
                        if let Some(r) = &reading {
                            r.push(delta);
                        }
                    }
                    StreamEvent::ItemDone { item } if item.kind == "assistant_message" => {
                        if let Some(r) = reading.take() {
                            r.end();
                        }
                    }
                    _ => {}
                }
                if let Some(n) = notice
                    && !emitter.send(n).await
                {
                    break;
                }
                if !emitter.send(event).await {
                    break;
                }
            }
            // The turn ended (or nobody listens): read what came, unless it was stopped.
            if let Some(r) = reading {
                if emitter.is_closed() { r.stop() } else { r.end() }
            }
        });
        outer
    }

    /// Open the microphone and listen. Whatever was listening stops first.
    pub async fn voice_listen(self: &Arc<Self>, mode: ListenMode) -> Result<(), ApiError> {
        self.voice_stop_listening();
        let service = self.stt_service().await?;
        let voice = self.settings()?.voice;
        let device = voice.input_device.clone();
        let (capture, events) =
            tokio::task::spawn_blocking(move || Capture::start(device.as_deref()))
                .await
                .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))??;
        let (control, control_rx) = mpsc::unbounded_channel();
        let id = self.voice.next_id();
        *lock(&self.voice.listening) = Some(Listening { id, control });
        self.voice.emit(VoiceEvent::Listening { mode });
        let core = Arc::clone(self);
        tokio::spawn(async move {
            core.listen_loop(mode, capture, events, control_rx, service, voice.language).await;
            let mut slot = lock(&core.voice.listening);
            if slot.as_ref().is_some_and(|l| l.id == id) {
                *slot = None;
            }
            drop(slot);
            core.voice.emit(VoiceEvent::ListeningStopped);
        });
        Ok(())
    }

    /// Push-to-talk let go: transcribe what was said.
    pub fn voice_release(&self) {
        if let Some(l) = lock(&self.voice.listening).as_ref() {
            let _ = l.control.send(Control::Release);
        }
    }

    /// Close the microphone.
    pub fn voice_stop_listening(&self) {
        if let Some(l) = lock(&self.voice.listening).take() {
            let _ = l.control.send(Control::Stop);
        }
    }

    /// Transcribe an utterance (a task: it can be dropped if the person goes on talking).
    fn transcription(
        self: &Arc<Self>,
        service: &SpeechToText,
        language: Option<String>,
        utterance: super::endpoint::Utterance,
    ) -> tokio::task::JoinHandle<Result<String, ApiError>> {
        let core = Arc::clone(self);
        let service = service.clone();
        tokio::spawn(async move {
            let client = core.client()?.clone();
            transcribe(&client, &service, &utterance.samples, language.as_deref())
                .await
                .map_err(ApiError::from)
        })
    }

    async fn listen_loop(
        self: &Arc<Self>,
        mode: ListenMode,
        capture: Capture,
        mut events: mpsc::UnboundedReceiver<CaptureEvent>,
        mut control: mpsc::UnboundedReceiver<Control>,
        service: SpeechToText,
        language: Option<String>,
    ) {
        let config = match mode {
            ListenMode::HandsFree => EndpointConfig::default(),
            // Only the release ends a push-to-talk utterance, however long the pauses.
            ListenMode::PushToTalk => EndpointConfig {
                end_silence: EndpointConfig::default().max_utterance,
                ..EndpointConfig::default()
            },
        };
        let mut endpointer = Endpointer::new(config);
        let emit = |e| self.voice.emit(e);
        // Hands-free: the transcription started at a pause, and the length of what it sent.
        let mut eager: Option<(usize, tokio::task::JoinHandle<Result<String, ApiError>>)> = None;
        loop {
            let utterance = tokio::select! {
                c = control.recv() => match c {
                    Some(Control::Release) => match endpointer.finish() {
                        Some(u) => Some(u),
                        None => {
                            emit(VoiceEvent::Error { error: VoiceError::NoSpeech.into() });
                            break;
                        }
                    },
                    Some(Control::Stop) | None => break,
                },
                e = events.recv() => match e {
                    Some(CaptureEvent::Level(db)) => {
                        emit(VoiceEvent::Level { db });
                        None
                    }
                    Some(CaptureEvent::Audio(samples)) => {
                        let mut done = None;
                        for e in endpointer.push(&samples) {
                            match e {
                                EndpointEvent::Interrupt if mode == ListenMode::HandsFree => {
                                    self.voice_stop_speaking();
                                }
                                EndpointEvent::SpeechStarted => emit(VoiceEvent::SpeechStarted),
                                // Start transcribing at the pause: if it is the end, the
                                // request is already on its way.
                                EndpointEvent::Pause(u) if mode == ListenMode::HandsFree => {
                                    let len = u.samples.len();
                                    let job = self.transcription(&service, language.clone(), u);
                                    if let Some((_, old)) = eager.replace((len, job)) {
                                        old.abort();
                                    }
                                }
                                EndpointEvent::Resumed => {
                                    if let Some((_, job)) = eager.take() {
                                        job.abort();
                                    }
                                }
                                EndpointEvent::Utterance(u) => done = Some(u),
                                EndpointEvent::Interrupt | EndpointEvent::Pause(_) => {}
                            }
                        }
                        done
                    }
                    Some(CaptureEvent::Failed(e)) => {
                        emit(VoiceEvent::Error { error: e.into() });
                        break;
                    }
                    None => break,
                },
            };
            let Some(utterance) = utterance else { continue };
            emit(VoiceEvent::Transcribing);
            // The request started at the pause, if it sent these very samples; else a new one.
            // Transcribed while the microphone stays open (hands-free: the next utterance may
            // already be starting).
            let job = match eager.take() {
                Some((len, job)) if len == utterance.samples.len() => job,
                other => {
                    if let Some((_, old)) = other {
                        old.abort();
                    }
                    self.transcription(&service, language.clone(), utterance)
                }
            };
            let core = Arc::clone(self);
            let handle = tokio::spawn(async move {
                match job.await {
                    Ok(Ok(text)) => core.voice.emit(VoiceEvent::Transcript { text }),
                    Ok(Err(error)) => core.voice.emit(VoiceEvent::Error { error }),
                    Err(e) => core.voice.emit(VoiceEvent::Error {
                        error: ApiError::new(ErrorKind::Internal, e.to_string()),
                    }),
                }
            });
            if mode == ListenMode::PushToTalk {
                let _ = handle.await;
                break;
            }
        }
        if let Some((_, job)) = eager {
            job.abort();
        }
        // Closing the device waits for its audio thread: not on an async worker.
        let _ = tokio::task::spawn_blocking(move || drop(capture)).await;
    }
}

/// Where speech goes: an OpenAI-compatible endpoint, ElevenLabs (with its key), or the system
/// voice.
enum Backend {
    OpenAi(crate::providers::openai::Endpoint),
    ElevenLabs(secrecy::SecretString),
    System,
}

/// What reads aloud.
#[derive(Debug, Clone)]
pub enum ReadWith {
    /// A speech service, played on the chosen speaker.
    Service(TextToSpeech),
    /// The offline system voice.
    System,
}
