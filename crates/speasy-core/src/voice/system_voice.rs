//! The offline system voice, for reading aloud when no speech service is set up: the `tts`
//! crate over the OS's own synthesiser — Speech Dispatcher on Linux, AVSpeechSynthesizer on
//! macOS, WinRT on Windows. It speaks on the system's default output itself (no audio comes
//! back to Speasy, so no device choice); sentences are queued in order and it reports when
//! each ends, so a reading knows when it is over.
//!
//! `Tts` must stay on the thread that made it: a thread of its own takes the commands.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::VoiceError;

enum Command {
    Speak(String),
    Stop,
}

/// A connection to the system's synthesiser.
pub struct SystemVoice {
    tx: Option<std_mpsc::Sender<Command>>,
    /// Sentences sent and not yet ended.
    pending: Arc<AtomicUsize>,
    failure: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

fn system_error(e: impl std::fmt::Display) -> VoiceError {
    VoiceError::SystemVoice(e.to_string())
}

impl SystemVoice {
    /// Connect (on Linux this starts Speech Dispatcher if it is not running).
    pub fn open() -> Result<Self, VoiceError> {
        let pending = Arc::new(AtomicUsize::new(0));
        let failure = Arc::new(Mutex::new(None));
        let (tx, rx) = std_mpsc::channel::<Command>();
        let (p, f) = (Arc::clone(&pending), Arc::clone(&failure));
        let ((), thread) = super::spawn_owner("system-voice", move |ready| run(rx, ready, p, f))?;
        Ok(Self { tx: Some(tx), pending, failure, thread: Some(thread) })
    }

    /// Queue a sentence.
    pub fn speak(&self, text: &str) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if let Some(tx) = &self.tx
            && tx.send(Command::Speak(text.to_owned())).is_err()
        {
            self.pending.store(0, Ordering::SeqCst);
        }
    }

    /// Stop speaking and drop what is queued.
    pub fn stop(&self) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Command::Stop);
        }
    }

    /// Whether everything queued has been spoken (or stopped).
    pub fn is_idle(&self) -> bool {
        self.pending.load(Ordering::SeqCst) == 0
    }

    /// The last failure to speak, once (e.g. the synthesiser went away).
    pub fn take_failure(&self) -> Option<VoiceError> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .map(VoiceError::SystemVoice)
    }
}

impl Drop for SystemVoice {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    rx: std_mpsc::Receiver<Command>,
    ready: std_mpsc::Sender<Result<(), VoiceError>>,
    pending: Arc<AtomicUsize>,
    failure: Arc<Mutex<Option<String>>>,
) {
    let mut tts = match tts::Tts::default() {
        Ok(t) => t,
        Err(e) => {
            let _ = ready.send(Err(system_error(e)));
            return;
        }
    };
    let done = |pending: &Arc<AtomicUsize>| {
        let pending = Arc::clone(pending);
        Box::new(move |_| {
            let _ = pending.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        }) as Box<dyn FnMut(tts::UtteranceId)>
    };
    let features = tts.supported_features();
    if !features.utterance_callbacks {
        let _ = ready.send(Err(system_error("the system voice cannot say when it has finished")));
        return;
    }
    let callbacks =
        tts.on_utterance_end(Some(done(&pending))).and(tts.on_utterance_stop(Some(done(&pending))));
    if let Err(e) = callbacks {
        let _ = ready.send(Err(system_error(e)));
        return;
    }
    let _ = ready.send(Ok(()));
    while let Ok(command) = rx.recv() {
        match command {
            Command::Speak(text) => {
                if let Err(e) = tts.speak(text, false) {
                    tracing::warn!(error = %e, "system voice: could not speak");
                    *failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(e.to_string());
                    let _ = pending
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                }
            }
            Command::Stop => {
                let _ = tts.stop();
                pending.store(0, Ordering::SeqCst);
            }
        }
    }
    let _ = tts.stop();
}
