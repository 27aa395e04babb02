//! The speaker: spoken answers played on the chosen output device (rodio over cpal, the same
//! host as capture), one [`Utterance`] after another in the order they were queued. An
//! utterance plays while its audio is still arriving — samples are pushed as the speech service
//! sends them — so the first sentence sounds before the last is made.
//!
//! [`Speaker::stop`] silences everything queued and [`Speaker::skip`] the utterance playing; both
//! take effect at the audio callback's next pull (within its ~50 ms buffer), without waiting
//! on the audio thread. The device's stream lives on a thread of its own (it is not `Send` on
//! every OS).

use std::num::NonZero;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::VoiceError;
use super::capture::output_device;

/// An open output device.
pub struct Speaker {
    player: rodio::Player,
    shared: Arc<Shared>,
    stop: Option<std_mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// The device's name, for diagnostics.
    pub device_name: String,
}

struct Shared {
    /// Bumped by [`Speaker::stop`]: utterances queued before it end.
    generation: AtomicU64,
    /// The stream's failure (device unplugged...), if any.
    failure: Mutex<Option<VoiceError>>,
}

impl Speaker {
    /// Open the speaker (`device`: an [`super::capture::AudioDevice::id`], or the default).
    pub fn open(device: Option<&str>) -> Result<Self, VoiceError> {
        let device_id = device.map(str::to_owned);
        let shared = Arc::new(Shared { generation: AtomicU64::new(0), failure: Mutex::new(None) });
        let (stop_tx, stop_rx) = std_mpsc::channel::<()>();
        let thread_shared = Arc::clone(&shared);
        let ((mixer, device_name), thread) = super::spawn_owner("speaker", move |ready| {
            let sink = match open_sink(device_id.as_deref(), thread_shared) {
                Ok((sink, name)) => {
                    let _ = ready.send(Ok((sink.mixer().clone(), name)));
                    sink
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            // Hold the stream open until told to stop (or the Speaker is gone).
            let _ = stop_rx.recv();
            drop(sink);
        })?;
        Ok(Self {
            player: rodio::Player::connect_new(&mixer),
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
            device_name,
        })
    }

    /// Queue an utterance of mono audio at `rate`; it plays after those queued before it, as
    /// its samples arrive through [`Utterance::push`].
    pub fn queue(&self, rate: u32) -> Result<Utterance, VoiceError> {
        let rate =
            NonZero::new(rate).ok_or_else(|| VoiceError::BadAudio("a sample rate of 0".into()))?;
        let (tx, rx) = std_mpsc::channel();
        let state = Arc::new(UtteranceState::default());
        self.player.append(Streamed {
            rx,
            buf: Vec::new(),
            pos: 0,
            rate,
            state: Arc::clone(&state),
            shared: Arc::clone(&self.shared),
            generation: self.shared.generation.load(Ordering::SeqCst),
        });
        Ok(Utterance { tx, state })
    }

    /// Silence everything queued or playing.
    pub fn stop(&self) {
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// End the utterance playing; the next one queued starts.
    pub fn skip(&self) {
        self.player.skip_one();
    }

    /// Whether nothing is queued or playing.
    pub fn is_idle(&self) -> bool {
        self.player.empty()
    }

    /// Wait until nothing is queued or playing (polled every 10 ms).
    pub async fn idle(&self) {
        while !self.is_idle() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The device's failure (unplugged, taken away), once it happened.
    pub fn failure(&self) -> Option<VoiceError> {
        self.shared.failure.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn open_sink(
    device: Option<&str>,
    shared: Arc<Shared>,
) -> Result<(rodio::MixerDeviceSink, String), VoiceError> {
    let device = output_device(device)?;
    let name = device.to_string();
    let sink_error = |e: rodio::DeviceSinkError| match e {
        rodio::DeviceSinkError::NoDevice => VoiceError::NoOutputDevice,
        rodio::DeviceSinkError::PlayError(e)
        | rodio::DeviceSinkError::DefaultSinkConfigError(e)
        | rodio::DeviceSinkError::BuildError(e)
        | rodio::DeviceSinkError::SupportedConfigsError(e) => VoiceError::from_cpal_output(e),
        other => VoiceError::Device { message: other.to_string() },
    };
    let mut sink = rodio::DeviceSinkBuilder::from_device(device)
        .map_err(sink_error)?
        .with_error_callback(move |err: cpal::Error| {
            use cpal::ErrorKind as K;
            if matches!(err.kind(), K::Xrun | K::DeviceChanged | K::RealtimeDenied) {
                tracing::debug!(error = %err, "speaker: recoverable stream error");
            } else {
                tracing::warn!(error = %err, "speaker: the output stream failed");
                *shared.failure.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(VoiceError::from_cpal_output(err));
                shared.generation.fetch_add(1, Ordering::SeqCst);
            }
        })
        .open_stream()
        .map_err(sink_error)?;
    sink.log_on_drop(false);
    Ok((sink, name))
}

#[derive(Default)]
struct UtteranceState {
    /// When its first sample went to the device (handed to the audio callback).
    first_audio: OnceLock<Instant>,
    /// It ended: played out, skipped or stopped.
    ended: AtomicBool,
}

/// One queued piece of speech, fed as its audio arrives. Dropping it marks the end of its
/// audio: it plays out what it has, then the next utterance starts.
pub struct Utterance {
    tx: std_mpsc::Sender<Vec<f32>>,
    state: Arc<UtteranceState>,
}

impl Utterance {
    /// Add samples; `false` once the utterance has ended (stopped or skipped): the rest of its
    /// audio is not wanted.
    pub fn push(&self, samples: Vec<f32>) -> bool {
        !self.state.ended.load(Ordering::SeqCst) && self.tx.send(samples).is_ok()
    }

    /// A handle that reports on it after the utterance itself is dropped (its audio complete).
    pub fn watch(&self) -> UtteranceWatch {
        UtteranceWatch(Arc::clone(&self.state))
    }
}

/// See [`Utterance::watch`].
#[derive(Clone)]
pub struct UtteranceWatch(Arc<UtteranceState>);

impl UtteranceWatch {
    /// When its first sample was handed to the device, if it has been.
    pub fn first_audio_at(&self) -> Option<Instant> {
        self.0.first_audio.get().copied()
    }

    /// Whether it has ended (played out, skipped or stopped).
    pub fn has_ended(&self) -> bool {
        self.0.ended.load(Ordering::SeqCst)
    }
}

/// The rodio source of an utterance, pulled on the audio thread: it never blocks — while the
/// next samples are still on their way it plays silence.
struct Streamed {
    rx: std_mpsc::Receiver<Vec<f32>>,
    buf: Vec<f32>,
    pos: usize,
    rate: rodio::SampleRate,
    state: Arc<UtteranceState>,
    shared: Arc<Shared>,
    generation: u64,
}

impl Streamed {
    fn end(&self) -> Option<f32> {
        self.state.ended.store(true, Ordering::SeqCst);
        None
    }
}

impl Iterator for Streamed {
    type Item = rodio::Sample;

    fn next(&mut self) -> Option<f32> {
        if self.shared.generation.load(Ordering::Relaxed) != self.generation {
            return self.end();
        }
        loop {
            if let Some(s) = self.buf.get(self.pos) {
                self.pos += 1;
                if self.state.first_audio.get().is_none() {
                    let _ = self.state.first_audio.set(Instant::now());
                }
                return Some(*s);
            }
            match self.rx.try_recv() {
                Ok(samples) => {
                    self.buf = samples;
                    self.pos = 0;
                }
                Err(std_mpsc::TryRecvError::Empty) => return Some(0.0),
                Err(std_mpsc::TryRecvError::Disconnected) => return self.end(),
            }
        }
    }
}

impl Drop for Streamed {
    // Skipped by the player (or dropped with it): ended too.
    fn drop(&mut self) {
        self.state.ended.store(true, Ordering::SeqCst);
    }
}

impl rodio::Source for Streamed {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        NonZero::<u16>::MIN
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        self.rate
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}
