//! End-of-utterance detection for hands-free listening: a voice-activity detector (earshot, a
//! small neural network in pure Rust) scores 16 ms frames of 16 kHz audio, and a small state
//! machine turns scores into utterances — speech starts once it has lasted `min_speech`
//! (shorter blips: a cough, a click, a door are ignored), and ends after `end_silence` without
//! voice. An utterance keeps a little audio from before its first voiced frame, so the first
//! syllable is not clipped.
//!
//! Transcription need not wait either: after `eager_silence` (200 ms) of silence the utterance
//! so far is reported as [`EndpointEvent::Pause`] — the listener can start transcribing it
//! then, and use that request if the pause becomes the end ([`EndpointEvent::Utterance`] with
//! the same samples), or drop it if the person goes on ([`EndpointEvent::Resumed`]).
//!
//! Barge-in cannot wait that long: voice that lasts `barge_in` (120 ms) is reported at once as
//! [`EndpointEvent::Interrupt`], so hands-free playback stops while the person is still
//! starting their sentence. (A 120–300 ms blip may thus stop playback without becoming an
//! utterance: the price of answering an interruption within 300 ms.)

use std::collections::VecDeque;
use std::time::Duration;

use earshot::Detector;

use super::audio::SPEECH_RATE;

/// Samples per detector frame (16 ms at 16 kHz: what the detector takes).
pub const FRAME: usize = 256;
const FRAME_MS: u32 = (FRAME as u32 * 1000) / SPEECH_RATE;
/// Audio kept after the last voiced frame.
const TAIL: Duration = Duration::from_millis(200);
/// The quietest voice that interrupts playback.
const BARGE_IN_DBFS: f32 = -45.0;

/// When speech starts and ends.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// Detector score at or over which a frame is voice (0–1).
    pub threshold: f32,
    /// Voice shorter than this is not speech (it is dropped).
    pub min_speech: Duration,
    /// Voice this long without a break interrupts playback (hands-free barge-in).
    pub barge_in: Duration,
    /// Silence that ends an utterance.
    pub end_silence: Duration,
    /// Silence after which the utterance so far is offered for early transcription.
    pub eager_silence: Duration,
    /// Audio kept from before the first voiced frame.
    pub pre_roll: Duration,
    /// An utterance is cut here even if the speaker goes on (a stuck-open microphone).
    pub max_utterance: Duration,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            min_speech: Duration::from_millis(300),
            barge_in: Duration::from_millis(120),
            end_silence: Duration::from_millis(800),
            eager_silence: Duration::from_millis(200),
            pre_roll: Duration::from_millis(300),
            max_utterance: Duration::from_secs(60),
        }
    }
}

/// What the endpointer saw.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointEvent {
    /// Voice has lasted `barge_in`: stop speaking over the person (once per utterance, before
    /// `SpeechStarted`).
    Interrupt,
    /// Speech has lasted `min_speech`: someone is talking (hands-free: stop playback).
    SpeechStarted,
    /// `eager_silence` without voice: the utterance so far, should this be its end (the same
    /// samples as the `Utterance` that follows if the silence lasts).
    Pause(Utterance),
    /// Voice again after a `Pause`: that utterance was not the end.
    Resumed,
    /// The speaker stopped for `end_silence` (or the utterance reached `max_utterance`).
    Utterance(Utterance),
}

/// One utterance, as 16 kHz mono samples.
#[derive(Clone, PartialEq)]
pub struct Utterance {
    pub samples: Vec<f32>,
    /// From the first to the last voiced frame.
    pub speech: Duration,
}

impl std::fmt::Debug for Utterance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Utterance")
            .field("samples", &self.samples.len())
            .field("speech", &self.speech)
            .finish()
    }
}

fn frames(d: Duration) -> usize {
    (d.as_millis() as usize).div_ceil(FRAME_MS as usize)
}

enum State {
    /// No voice yet; the last `pre_roll` of audio is kept.
    Idle,
    /// Voice heard, not yet `min_speech` of it.
    Maybe { silent: usize },
    /// Speech.
    Speaking { silent: usize },
}

/// Turns a stream of 16 kHz samples into utterances. Feed it with [`Endpointer::push`].
pub struct Endpointer {
    config: EndpointConfig,
    detector: Box<Detector>,
    partial: Vec<f32>,
    /// Frames kept while idle (pre-roll).
    before: VecDeque<Vec<f32>>,
    /// The utterance so far (pre-roll included).
    current: Vec<f32>,
    /// Frames in `current` up to and including the last voiced one.
    voiced_end: usize,
    /// Frames in `current` before the first voiced one (the pre-roll).
    voiced_start: usize,
    state: State,
    /// `Interrupt` was sent for the voice under way.
    interrupted: bool,
    /// Voiced frames in a row (barge-in wants sustained voice, not scattered noise).
    run: usize,
}

impl Endpointer {
    pub fn new(config: EndpointConfig) -> Self {
        Self {
            config,
            detector: Detector::default_boxed(),
            partial: Vec::with_capacity(FRAME),
            before: VecDeque::new(),
            current: Vec::new(),
            voiced_end: 0,
            voiced_start: 0,
            state: State::Idle,
            interrupted: false,
            run: 0,
        }
    }

    /// Whether speech is under way (past `min_speech`).
    pub fn speaking(&self) -> bool {
        matches!(self.state, State::Speaking { .. })
    }

    /// Feed samples (any amount); returns what happened in them, in order.
    pub fn push(&mut self, samples: &[f32]) -> Vec<EndpointEvent> {
        let mut events = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() == FRAME {
                let frame = std::mem::replace(&mut self.partial, Vec::with_capacity(FRAME));
                self.frame(frame, &mut events);
            }
        }
        events
    }

    /// Forget everything heard so far (after playback, or when listening restarts).
    pub fn reset(&mut self) {
        self.detector.reset();
        self.partial.clear();
        self.before.clear();
        self.current.clear();
        self.state = State::Idle;
        self.interrupted = false;
    }

    fn frame(&mut self, mut frame: Vec<f32>, events: &mut Vec<EndpointEvent>) {
        // The detector takes [-1, 1]; louder samples are clipped audio anyway.
        frame.iter_mut().for_each(|s| *s = s.clamp(-1.0, 1.0));
        let voiced = self.detector.predict_f32(&frame) >= self.config.threshold;
        // Barge-in also wants the voice loud enough: the detector scores even faint steady noise
        // as voice now and then, and stopping an answer for it would be worse than late.
        let loud = super::audio::level_dbfs(&frame) > BARGE_IN_DBFS;
        self.run = if voiced && loud { self.run + 1 } else { 0 };
        let frame_count = |v: &Vec<f32>| v.len() / FRAME;
        match self.state {
            State::Idle => {
                if voiced {
                    self.current = self.before.drain(..).flatten().collect();
                    self.voiced_start = frame_count(&self.current);
                    self.current.extend_from_slice(&frame);
                    self.voiced_end = frame_count(&self.current);
                    self.state = State::Maybe { silent: 0 };
                    self.check_started(events);
                } else {
                    self.before.push_back(frame);
                    while self.before.len() > frames(self.config.pre_roll) {
                        self.before.pop_front();
                    }
                }
            }
            State::Maybe { silent } => {
                self.current.extend_from_slice(&frame);
                if voiced {
                    self.voiced_end = frame_count(&self.current);
                    self.state = State::Maybe { silent: 0 };
                    self.check_started(events);
                } else if silent + 1 >= frames(self.config.end_silence) {
                    // A blip: voice that never lasted `min_speech`. Keep the tail as pre-roll.
                    self.back_to_idle();
                } else {
                    self.state = State::Maybe { silent: silent + 1 };
                }
            }
            State::Speaking { silent } => {
                self.current.extend_from_slice(&frame);
                let eager = frames(self.config.eager_silence);
                let silent = if voiced {
                    self.voiced_end = frame_count(&self.current);
                    if silent >= eager {
                        events.push(EndpointEvent::Resumed);
                    }
                    0
                } else {
                    silent + 1
                };
                if silent == eager && eager < frames(self.config.end_silence) {
                    events.push(EndpointEvent::Pause(self.utterance_so_far()));
                }
                let too_long = frame_count(&self.current) >= frames(self.config.max_utterance);
                if silent >= frames(self.config.end_silence) || too_long {
                    events.push(EndpointEvent::Utterance(self.take_utterance()));
                } else {
                    self.state = State::Speaking { silent };
                }
            }
        }
    }

    /// Voice from the first voiced frame to now counts once it spans `min_speech`.
    fn check_started(&mut self, events: &mut Vec<EndpointEvent>) {
        let span = self.voiced_end - self.voiced_start;
        if self.run >= frames(self.config.barge_in) && !self.interrupted {
            self.interrupted = true;
            events.push(EndpointEvent::Interrupt);
        }
        if span >= frames(self.config.min_speech) {
            self.state = State::Speaking { silent: 0 };
            events.push(EndpointEvent::SpeechStarted);
        }
    }

    fn back_to_idle(&mut self) {
        let keep = frames(self.config.pre_roll) * FRAME;
        let tail_start = self.current.len().saturating_sub(keep);
        self.before = self.current[tail_start..].chunks(FRAME).map(<[f32]>::to_vec).collect();
        self.current.clear();
        self.state = State::Idle;
        self.interrupted = false;
    }

    /// The utterance so far, ending a little after its last voiced frame (a natural fade,
    /// and some room for a trailing consonant the detector scored low).
    fn utterance_so_far(&self) -> Utterance {
        let end = ((self.voiced_end + frames(TAIL)) * FRAME).min(self.current.len());
        let speech_frames = self.voiced_end - self.voiced_start;
        Utterance {
            samples: self.current[..end].to_vec(),
            speech: Duration::from_millis((speech_frames as u32 * FRAME_MS) as u64),
        }
    }

    fn take_utterance(&mut self) -> Utterance {
        let utterance = self.utterance_so_far();
        self.current.clear();
        self.state = State::Idle;
        self.interrupted = false;
        self.before.clear();
        utterance
    }

    /// End of push-to-talk: what was said so far, if it was speech at all (`None` for
    /// silence or a blip).
    pub fn finish(&mut self) -> Option<Utterance> {
        if !self.partial.is_empty() {
            let mut last = std::mem::take(&mut self.partial);
            last.resize(FRAME, 0.0);
            let mut events = Vec::new();
            self.frame(last, &mut events);
            if let Some(EndpointEvent::Utterance(u)) =
                events.into_iter().find(|e| matches!(e, EndpointEvent::Utterance(_)))
            {
                self.reset();
                return Some(u);
            }
        }
        let out = match self.state {
            State::Speaking { .. } => Some(self.take_utterance()),
            _ => None,
        };
        self.reset();
        out
    }
}
