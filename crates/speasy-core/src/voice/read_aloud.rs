//! Reading text aloud as it streams in: text deltas are cut into sentences ([`Sentences`]),
//! each sentence is queued on the [`Speaker`] at once (so they play in order) and its speech
//! requested from the TTS service; the audio is pushed to the speaker as it arrives. Up to
//! [`AHEAD`] sentences are being made at a time, so the next one is ready when the current one
//! ends — and the first sentence plays while the answer is still being written.
//!
//! [`ReadAloud::stop`] ends it all (requests dropped, speaker silenced); a failing request (bad
//! key, server error) stops the reading and is its result, with the audio already played kept.
//!
//! [`ReadAloud::system`] reads with the offline system voice instead: the same sentences, each
//! queued on the OS synthesiser as soon as it is complete.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::VoiceError;
use super::playback::{Speaker, Utterance, UtteranceWatch};
use super::sentences::Sentences;
use super::system_voice::SystemVoice;
use super::tts::{TTS_RATE, TextToSpeech, synthesize};
use crate::providers::openai::Client;

/// How many sentences' speech is requested at once.
pub const AHEAD: usize = 2;

enum Input {
    Text(String),
    End,
}

/// What happened to one sentence (for the measures and tests).
#[derive(Debug, Clone)]
pub struct SentenceReport {
    pub text: String,
    /// When its first audio bytes arrived.
    pub first_bytes_at: Option<Instant>,
    /// When its first sample went to the device.
    pub first_audio_at: Option<Instant>,
}

/// A reading in progress.
pub struct ReadAloud {
    tx: mpsc::UnboundedSender<Input>,
    cancel: CancellationToken,
    out: Output,
    task: std::sync::Mutex<Option<Task>>,
}

type Task = JoinHandle<Result<Vec<SentenceReport>, VoiceError>>;

/// Where a reading sounds.
enum Output {
    Device(Arc<Speaker>),
    System(Arc<SystemVoice>),
}

impl ReadAloud {
    /// Start reading (text comes through [`ReadAloud::push`]) on `speaker` with `service`.
    pub fn start(speaker: Arc<Speaker>, client: Client, service: TextToSpeech) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let task = tokio::spawn(run(Arc::clone(&speaker), client, service, rx, cancel.clone()));
        Self { tx, cancel, out: Output::Device(speaker), task: std::sync::Mutex::new(Some(task)) }
    }

    /// Start reading with the offline system voice.
    pub fn system(voice: Arc<SystemVoice>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let task = tokio::spawn(run_system(Arc::clone(&voice), rx, cancel.clone()));
        Self { tx, cancel, out: Output::System(voice), task: std::sync::Mutex::new(Some(task)) }
    }

    /// Read `text` from start to end.
    pub fn text(speaker: Arc<Speaker>, client: Client, service: TextToSpeech, text: &str) -> Self {
        let reading = Self::start(speaker, client, service);
        reading.push(text);
        reading.end();
        reading
    }

    /// More text (a delta of the answer).
    pub fn push(&self, delta: &str) {
        let _ = self.tx.send(Input::Text(delta.to_owned()));
    }

    /// No more text: what is left is read, then the reading ends.
    pub fn end(&self) {
        let _ = self.tx.send(Input::End);
    }

    /// Stop at once: nothing more is requested or played.
    pub fn stop(&self) {
        self.cancel.cancel();
        match &self.out {
            Output::Device(speaker) => speaker.stop(),
            Output::System(voice) => voice.stop(),
        }
    }

    /// Whether it has ended (read out, stopped or failed), or is being waited for.
    pub fn is_finished(&self) -> bool {
        self.task().as_ref().is_none_or(JoinHandle::is_finished)
    }

    fn task(&self) -> std::sync::MutexGuard<'_, Option<Task>> {
        self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wait until everything has been played (or the reading stopped or failed). Only the
    /// first caller gets the outcome; later ones get an empty report.
    pub async fn finished(&self) -> Result<Vec<SentenceReport>, VoiceError> {
        let Some(task) = self.task().take() else { return Ok(Vec::new()) };
        match task.await {
            Ok(r) => r,
            Err(e) => Err(VoiceError::Device { message: format!("reading aloud failed: {e}") }),
        }
    }
}

async fn run(
    speaker: Arc<Speaker>,
    client: Client,
    service: TextToSpeech,
    mut rx: mpsc::UnboundedReceiver<Input>,
    cancel: CancellationToken,
) -> Result<Vec<SentenceReport>, VoiceError> {
    let permits = Arc::new(Semaphore::new(AHEAD));
    let service = Arc::new(service);
    let mut sentences = Sentences::new();
    let mut jobs: Vec<(UtteranceWatch, JoinHandle<Result<SentenceReport, VoiceError>>)> =
        Vec::new();
    let (failed_tx, mut failed_rx) = mpsc::unbounded_channel::<()>();
    loop {
        let input = tokio::select! {
            input = rx.recv() => input,
            () = cancel.cancelled() => break,
            // A sentence failed: no use reading on.
            _ = failed_rx.recv() => break,
        };
        let (batch, end) = match input {
            Some(Input::Text(delta)) => (sentences.push(&delta), false),
            Some(Input::End) | None => (sentences.finish(), true),
        };
        for text in batch {
            let utterance = speaker.queue(TTS_RATE)?;
            let watch = utterance.watch();
            let job = tokio::spawn(speak_one(
                client.clone(),
                Arc::clone(&service),
                text,
                utterance,
                Arc::clone(&permits),
                cancel.clone(),
                failed_tx.clone(),
            ));
            jobs.push((watch, job));
        }
        if end {
            break;
        }
    }
    let mut reports = Vec::with_capacity(jobs.len());
    let mut failure = None;
    for (watch, job) in jobs {
        match job.await {
            Ok(Ok(mut report)) => {
                // Played out (or stopped) before its report is final.
                while !watch.has_ended() && !cancel.is_cancelled() && failure.is_none() {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                report.first_audio_at = watch.first_audio_at();
                reports.push(report);
            }
            Ok(Err(e)) => {
                failure.get_or_insert(e);
                cancel.cancel();
            }
            Err(e) => {
                failure.get_or_insert(VoiceError::Device { message: e.to_string() });
                cancel.cancel();
            }
        }
    }
    match failure.or_else(|| speaker.failure()) {
        Some(e) => {
            speaker.stop();
            Err(e)
        }
        None => Ok(reports),
    }
}

async fn run_system(
    voice: Arc<SystemVoice>,
    mut rx: mpsc::UnboundedReceiver<Input>,
    cancel: CancellationToken,
) -> Result<Vec<SentenceReport>, VoiceError> {
    let mut sentences = Sentences::new();
    let mut reports = Vec::new();
    loop {
        let input = tokio::select! {
            input = rx.recv() => input,
            () = cancel.cancelled() => return Ok(reports),
        };
        let (batch, end) = match input {
            Some(Input::Text(delta)) => (sentences.push(&delta), false),
            Some(Input::End) | None => (sentences.finish(), true),
        };
        for text in batch {
            voice.speak(&text);
            reports.push(SentenceReport { text, first_bytes_at: None, first_audio_at: None });
        }
        if let Some(e) = voice.take_failure() {
            voice.stop();
            return Err(e);
        }
        if end {
            break;
        }
    }
    while !voice.is_idle() && !cancel.is_cancelled() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    match voice.take_failure() {
        Some(e) => Err(e),
        None => Ok(reports),
    }
}

async fn speak_one(
    client: Client,
    service: Arc<TextToSpeech>,
    text: String,
    utterance: Utterance,
    permits: Arc<Semaphore>,
    cancel: CancellationToken,
    failed: mpsc::UnboundedSender<()>,
) -> Result<SentenceReport, VoiceError> {
    let mut report = SentenceReport { text, first_bytes_at: None, first_audio_at: None };
    let result = async {
        let _permit = tokio::select! {
            p = permits.acquire_owned() => p.map_err(|e| VoiceError::Device { message: e.to_string() })?,
            () = cancel.cancelled() => return Ok(()),
        };
        let mut audio = tokio::select! {
            a = synthesize(&client, &service, &report.text) => a?,
            () = cancel.cancelled() => return Ok(()),
        };
        loop {
            let chunk = tokio::select! {
                c = audio.next() => c,
                () = cancel.cancelled() => None,
            };
            let Some(chunk) = chunk else { return Ok(()) };
            let chunk = chunk?;
            report.first_bytes_at.get_or_insert_with(Instant::now);
            if !utterance.push(chunk) {
                return Ok(()); // Skipped or stopped: the rest is not wanted.
            }
        }
    }
    .await;
    drop(utterance);
    match result {
        Ok(()) => Ok(report),
        Err(e) => {
            let _ = failed.send(());
            Err(e)
        }
    }
}
