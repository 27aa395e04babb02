//! The Linux microphone through the sound server's own client library (libpulse; PipeWire
//! serves the same protocol through pipewire-pulse). One thread runs a libpulse main loop: it
//! wakes when the server sends audio, copies it, and hands over a block every
//! [`CAPTURE_BLOCK_MS`] — nothing spins, nothing else wakes. The server delivers 16 kHz mono
//! float, converting from the source's own format itself.
//!
//! Why not cpal here: its PulseAudio host (a pure-Rust client) zeroes a 1 MiB buffer for every
//! packet the server sends, ~10 % of a core while idle; its ALSA host on the servers' ALSA plugin
//! can spin — the plugin keeps its poll descriptor readable while ALSA's count of available
//! frames stays under a period (after a stall longer than the two-period buffer, for good) —
//! which cost 17–26 % of a core in about half of the runs measured.
//!
//! A source picked by name is not followed elsewhere when it goes away (the capture ends with
//! "unplugged"); the default one follows the server's default.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use libpulse_binding::context::{Context, FlagSet as ContextFlags, State as ContextState};
use libpulse_binding::def::BufferAttr;
use libpulse_binding::error::{Code, PAErr};
use libpulse_binding::mainloop::standard::Mainloop;
use libpulse_binding::sample::{Format, Spec};
use libpulse_binding::stream::{FlagSet as StreamFlags, PeekResult, State as StreamState, Stream};
use libpulse_binding::time::MicroSeconds;

use super::{CAPTURE_BLOCK_MS, Raw};
use crate::voice::VoiceError;
use crate::voice::audio::SPEECH_RATE;

/// Bytes per sample of the stream (32-bit float).
const SAMPLE: usize = size_of::<f32>();

/// The prefix of cpal's PulseAudio device ids, which the settings pickers store.
const ID_PREFIX: &str = "pulseaudio:";

/// A recording stream being read on its own thread; dropping it stops the thread.
pub(super) struct Reader {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // Returns within one block: the read in progress completes, then the flag is seen.
            let _ = thread.join();
        }
    }
}

/// What opening through the sound server gave.
pub(super) enum Opened {
    /// Recording: the reader and the source's name.
    Reading(Reader, String),
    /// No PulseAudio-protocol server answers (plain ALSA, or the server is not running): the
    /// caller opens the device through cpal instead.
    NoServer,
}

/// Whether this device id is for this path: the default device, or one of the server's sources.
pub(super) fn handles(id: Option<&str>) -> bool {
    id.is_none_or(|id| id.starts_with(ID_PREFIX))
}

/// Start recording `id` (a `pulseaudio:` id, or the default source); 16 kHz mono blocks of
/// [`CAPTURE_BLOCK_MS`] go to `raw`.
pub(super) fn open(id: Option<&str>, raw: std_mpsc::Sender<Raw>) -> Result<Opened, VoiceError> {
    let source = match id {
        None => None,
        Some(id) => {
            let name = id.strip_prefix(ID_PREFIX).unwrap_or(id);
            if name.is_empty() || name.contains('\0') {
                return Err(VoiceError::DeviceNotFound { id: id.to_owned() });
            }
            Some(name.to_owned())
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std_mpsc::channel::<Result<(), PAErr>>();
    let thread = {
        let (stop, source, id) = (stop.clone(), source.clone(), id.map(str::to_owned));
        std::thread::Builder::new()
            .name("speasy-mic".into())
            .spawn(move || match record(source.as_deref(), &stop, &ready_tx, &raw) {
                // Before the stream was up: `open` reports it.
                Err((e, false)) => drop(ready_tx.send(Err(e))),
                Err((e, true)) => {
                    drop(raw.send(Raw::Error(VoiceError::from_pulse(e, id.as_deref()))))
                }
                Ok(()) => {}
            })
            .map_err(|e| VoiceError::Device {
                message: format!("could not start the microphone thread: {e}"),
            })?
    };
    let reader = Reader { stop, thread: Some(thread) };
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(Opened::Reading(reader, source.unwrap_or_else(|| "default".into()))),
        Ok(Err(e)) if code(e) == Some(Code::ConnectionRefused) => Ok(Opened::NoServer),
        Ok(Err(e)) => Err(VoiceError::from_pulse(e, id)),
        Err(_) => Err(VoiceError::Device {
            message: "the microphone thread stopped while opening the device".into(),
        }),
    }
}

/// A failure, and whether the stream had been started by then.
type Failure = (PAErr, bool);

/// How long the main loop sleeps at most, so that a stop is seen even when no audio comes.
const WAKE_AT_LEAST_EVERY: MicroSeconds = MicroSeconds(100_000);

/// The thread: connect, start the stream, say so, then pass blocks on until told to stop.
fn record(
    source: Option<&str>,
    stop: &AtomicBool,
    ready: &std_mpsc::Sender<Result<(), PAErr>>,
    raw: &std_mpsc::Sender<Raw>,
) -> Result<(), Failure> {
    let early = |e: PAErr| (e, false);
    let mut mainloop = Mainloop::new().ok_or((PAErr::from(Code::Internal), false))?;
    let mut context =
        Context::new(&mainloop, "Speasy").ok_or((PAErr::from(Code::Internal), false))?;
    // Never start a sound server of our own: without one, cpal's hosts are tried instead.
    // libpulse's calls fail with -1 and leave the reason in the context's errno.
    if context.connect(None, ContextFlags::NOAUTOSPAWN, None).is_err() {
        return Err(early(context.errno()));
    }
    until_ready(&mut mainloop, &context, || match context.get_state() {
        ContextState::Ready => Some(true),
        ContextState::Failed | ContextState::Terminated => Some(false),
        _ => None,
    })
    .map_err(early)?;

    let spec = Spec { format: Format::FLOAT32NE, channels: 1, rate: SPEECH_RATE };
    let block = (SPEECH_RATE * CAPTURE_BLOCK_MS / 1000) as usize;
    // The server's defaults for everything but the block it hands over, which with
    // ADJUST_LATENCY also sets the source's latency.
    let attr = BufferAttr {
        maxlength: u32::MAX,
        tlength: u32::MAX,
        prebuf: u32::MAX,
        minreq: u32::MAX,
        fragsize: u32::try_from(block * SAMPLE).unwrap_or(u32::MAX),
    };
    let mut stream = Stream::new(&mut context, "Microphone", &spec, None)
        .ok_or((PAErr::from(Code::Invalid), false))?;
    let mut flags = StreamFlags::ADJUST_LATENCY;
    if source.is_some() {
        flags |= StreamFlags::DONT_MOVE;
    }
    if stream.connect_record(source, Some(&attr), flags).is_err() {
        return Err(early(context.errno()));
    }
    until_ready(&mut mainloop, &context, || match stream.get_state() {
        StreamState::Ready => Some(true),
        StreamState::Failed | StreamState::Terminated => Some(false),
        _ => None,
    })
    .map_err(early)?;
    if ready.send(Ok(())).is_err() {
        return Ok(());
    }

    let started = |e: PAErr| (e, true);
    let mut pending: Vec<f32> = Vec::with_capacity(block * 2);
    while !stop.load(Ordering::Relaxed) {
        turn(&mut mainloop).map_err(started)?;
        if matches!(stream.get_state(), StreamState::Failed | StreamState::Terminated) {
            return Err(started(PAErr::from(Code::Killed)));
        }
        loop {
            let Ok(peeked) = stream.peek() else { return Err(started(context.errno())) };
            match peeked {
                PeekResult::Empty => break,
                // A gap the server reports (after an overrun): silence keeps the timeline.
                PeekResult::Hole(bytes) => pending.resize(pending.len() + bytes / SAMPLE, 0.0),
                PeekResult::Data(bytes) => pending.extend(
                    bytes
                        .chunks_exact(SAMPLE)
                        .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
                ),
            }
            if stream.discard().is_err() {
                return Err(started(context.errno()));
            }
        }
        while pending.len() >= block {
            let rest = pending.split_off(block);
            if raw.send(Raw::Samples(std::mem::replace(&mut pending, rest))).is_err() {
                return Ok(()); // The capture has ended.
            }
        }
    }
    let _ = stream.disconnect();
    context.disconnect();
    Ok(())
}

/// One turn of the main loop: wait for the server (or the wake-up interval), then run callbacks.
fn turn(mainloop: &mut Mainloop) -> Result<(), PAErr> {
    let turned = mainloop
        .prepare(Some(WAKE_AT_LEAST_EVERY))
        .and_then(|()| mainloop.poll())
        .and_then(|_| mainloop.dispatch());
    // The loop's own failures carry no reason worth more than "internal".
    turned.map(drop).map_err(|_| PAErr::from(Code::Internal))
}

/// Turn the loop until `state` says ready (`Some(true)`) or failed (`Some(false)`, with the
/// context's reason).
fn until_ready(
    mainloop: &mut Mainloop,
    context: &Context,
    state: impl Fn() -> Option<bool>,
) -> Result<(), PAErr> {
    loop {
        turn(mainloop)?;
        match state() {
            Some(true) => return Ok(()),
            Some(false) => return Err(context.errno()),
            None => {}
        }
    }
}

/// The error's code (`pa_context_errno` gives it positive, `PAErr` conversions expect it negated).
fn code(e: PAErr) -> Option<Code> {
    Code::try_from(PAErr(-e.0.abs())).ok()
}

impl VoiceError {
    /// A sound-server error as a person reads it.
    fn from_pulse(e: PAErr, id: Option<&str>) -> Self {
        match code(e) {
            Some(Code::NoEntity) => Self::DeviceNotFound { id: id.unwrap_or("default").into() },
            Some(Code::Access) => Self::PermissionDenied,
            // The source went away under the stream (unplugged, its module unloaded).
            Some(Code::Killed | Code::ConnectionTerminated) => Self::DeviceUnplugged,
            _ => Self::Device {
                message: format!(
                    "the sound server refused the microphone: {}",
                    e.to_string().unwrap_or_else(|| format!("error {}", e.0))
                ),
            },
        }
    }
}
