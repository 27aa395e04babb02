//! The microphone: the system's input and output devices (cpal: CoreAudio, WASAPI, and on
//! Linux PulseAudio — PipeWire's pulse server included — else ALSA), and a capture that turns
//! whatever the device delivers (any sample format, rate and channel count) into 16 kHz mono
//! blocks with a loudness level for the meter.
//!
//! The stream lives on a thread of its own (a cpal stream is not `Send` on every OS); the
//! device's callback only converts and hands samples over, the thread resamples and measures.
//! On Linux, recording goes through the sound server's client library when a server answers
//! ([`pulse`]); cpal's Linux paths cost too much CPU while listening idle.

#[cfg(target_os = "linux")]
mod pulse;

use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use serde::Serialize;
use tokio::sync::mpsc;
use ts_rs::TS;

use super::VoiceError;
use super::audio::{To16k, downmix, level_dbfs};

/// An audio device, as a settings picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AudioDevice {
    /// Stable across runs where the OS allows (what settings store).
    pub id: String,
    /// What to show.
    pub name: String,
    pub is_default: bool,
}

/// The microphones.
pub fn input_devices() -> Result<Vec<AudioDevice>, VoiceError> {
    let host = cpal::default_host();
    let default = host.default_input_device().and_then(|d| d.id().ok());
    let devices = host.input_devices().map_err(VoiceError::from_cpal)?;
    Ok(devices.filter_map(|d| describe(&d, default.as_ref())).collect())
}

/// The speakers.
pub fn output_devices() -> Result<Vec<AudioDevice>, VoiceError> {
    let host = cpal::default_host();
    let default = host.default_output_device().and_then(|d| d.id().ok());
    let devices = host.output_devices().map_err(VoiceError::from_cpal)?;
    Ok(devices.filter_map(|d| describe(&d, default.as_ref())).collect())
}

fn describe(device: &cpal::Device, default: Option<&cpal::DeviceId>) -> Option<AudioDevice> {
    let id = device.id().ok()?;
    let name =
        device.description().map(|d| d.name().to_owned()).unwrap_or_else(|_| device.to_string());
    Some(AudioDevice { is_default: Some(&id) == default, id: id.to_string(), name })
}

/// The input device with this id, or the system default, through cpal.
fn input_device(id: Option<&str>) -> Result<cpal::Device, VoiceError> {
    let host = cpal::default_host();
    match id {
        None => host.default_input_device().ok_or(VoiceError::NoInputDevice),
        Some(id) => device_by_id(&host, id),
    }
}

/// The output device with this id, or the system default.
pub(super) fn output_device(id: Option<&str>) -> Result<cpal::Device, VoiceError> {
    let host = cpal::default_host();
    match id {
        None => host.default_output_device().ok_or(VoiceError::NoOutputDevice),
        Some(id) => device_by_id(&host, id),
    }
}

fn device_by_id(host: &cpal::Host, id: &str) -> Result<cpal::Device, VoiceError> {
    let parsed: cpal::DeviceId =
        id.parse().map_err(|_| VoiceError::DeviceNotFound { id: id.to_owned() })?;
    host.device_by_id(&parsed).ok_or_else(|| VoiceError::DeviceNotFound { id: id.to_owned() })
}

/// What a capture sends.
#[derive(Debug, Clone)]
pub enum CaptureEvent {
    /// 16 kHz mono samples, in order, without gaps.
    Audio(Vec<f32>),
    /// Loudness of the last ~50 ms, in dBFS (-100 to 0), for the level meter.
    Level(f32),
    /// The device failed (unplugged, taken away); the capture has stopped.
    Failed(VoiceError),
}

/// A running capture; dropping it (or [`Capture::stop`]) closes the device.
pub struct Capture {
    stop: Option<std_mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// The device's own format, for diagnostics.
    pub device_name: String,
    pub device_rate: u32,
    pub device_channels: u16,
}

/// The audio block asked of the device.
const CAPTURE_BLOCK_MS: u32 = 30;

/// How often a level is reported.
const LEVEL_EVERY: Duration = Duration::from_millis(50);

enum Raw {
    Samples(Vec<f32>),
    Error(VoiceError),
}

impl Capture {
    /// Open the microphone (`device`: an [`AudioDevice::id`], or the default) and start
    /// sending [`CaptureEvent`]s.
    pub fn start(
        device: Option<&str>,
    ) -> Result<(Self, mpsc::UnboundedReceiver<CaptureEvent>), VoiceError> {
        let device_id = device.map(str::to_owned);
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = std_mpsc::channel::<()>();
        let ((device_name, device_rate, device_channels), thread) =
            super::spawn_owner("capture", move |ready| {
                run(device_id.as_deref(), ready, stop_rx, events_tx)
            })?;
        let capture = Self {
            stop: Some(stop_tx),
            thread: Some(thread),
            device_name,
            device_rate,
            device_channels,
        };
        Ok((capture, events_rx))
    }

    /// Close the device and wait for the capture thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The capture thread: opens the stream, then resamples and measures until told to stop.
fn run(
    device: Option<&str>,
    ready: std_mpsc::Sender<Result<(String, u32, u16), VoiceError>>,
    stop: std_mpsc::Receiver<()>,
    events: mpsc::UnboundedSender<CaptureEvent>,
) {
    let (raw_tx, raw_rx) = std_mpsc::channel::<Raw>();
    let opened = open(device, raw_tx);
    let (_stream, rate, channels) = match opened {
        Ok((stream, name, rate, channels)) => {
            let _ = ready.send(Ok((name, rate, channels)));
            (stream, rate, channels)
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let mut resampler = match To16k::new(rate) {
        Ok(r) => r,
        Err(e) => {
            let _ = events.send(CaptureEvent::Failed(e));
            return;
        }
    };
    let level_block =
        (super::audio::SPEECH_RATE as usize * LEVEL_EVERY.as_millis() as usize) / 1000;
    let mut level_buf: Vec<f32> = Vec::with_capacity(level_block);
    loop {
        if !matches!(stop.try_recv(), Err(std_mpsc::TryRecvError::Empty)) {
            break;
        }
        match raw_rx.recv_timeout(Duration::from_millis(20)) {
            Ok(Raw::Samples(interleaved)) => {
                let mono = downmix(&interleaved, channels as usize);
                let speech = match resampler.push(&mono) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = events.send(CaptureEvent::Failed(e));
                        break;
                    }
                };
                if speech.is_empty() {
                    continue;
                }
                for s in &speech {
                    level_buf.push(*s);
                    if level_buf.len() == level_block {
                        let _ = events.send(CaptureEvent::Level(level_dbfs(&level_buf)));
                        level_buf.clear();
                    }
                }
                if events.send(CaptureEvent::Audio(speech)).is_err() {
                    break; // Nobody listens any more.
                }
            }
            Ok(Raw::Error(e)) => {
                let _ = events.send(CaptureEvent::Failed(e));
                break;
            }
            Err(std_mpsc::RecvTimeoutError::Timeout) => {}
            Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
}

/// An open recording; dropping it closes the device.
enum Stream {
    Cpal {
        _stream: cpal::Stream,
    },
    #[cfg(target_os = "linux")]
    Pulse {
        _reader: pulse::Reader,
    },
}

/// Open the device: the stream, the device's name, rate and channel count.
fn open(
    device: Option<&str>,
    raw: std_mpsc::Sender<Raw>,
) -> Result<(Stream, String, u32, u16), VoiceError> {
    #[cfg(target_os = "linux")]
    if pulse::handles(device)
        && let pulse::Opened::Reading(reader, name) = pulse::open(device, raw.clone())?
    {
        return Ok((Stream::Pulse { _reader: reader }, name, super::audio::SPEECH_RATE, 1));
    }
    // A device that is not there when opening is missing, not unplugged.
    let (stream, name, rate, channels) = open_cpal(device, raw).map_err(|e| match (e, device) {
        (VoiceError::DeviceUnplugged, None) => VoiceError::NoInputDevice,
        (VoiceError::DeviceUnplugged, Some(id)) => VoiceError::DeviceNotFound { id: id.to_owned() },
        (e, _) => e,
    })?;
    Ok((Stream::Cpal { _stream: stream }, name, rate, channels))
}

fn open_cpal(
    device: Option<&str>,
    raw: std_mpsc::Sender<Raw>,
) -> Result<(cpal::Stream, String, u32, u16), VoiceError> {
    let device = input_device(device)?;
    let name = device.to_string();
    let supported = device.default_input_config().map_err(VoiceError::from_cpal)?;
    let format = supported.sample_format();
    let mut config: cpal::StreamConfig = supported.config();
    // Blocks of ~30 ms where the host takes a block size (fewer wake-ups while listening for
    // minutes; barge-in still answers within 300 ms).
    let block = config.sample_rate * CAPTURE_BLOCK_MS / 1000;
    if let cpal::SupportedBufferSize::Range { min, max } = supported.buffer_size()
        && (*min..=*max).contains(&block)
    {
        config.buffer_size = cpal::BufferSize::Fixed(block);
    }
    let (rate, channels) = (config.sample_rate, config.channels);
    let stream = match format {
        SampleFormat::I8 => build::<i8>(&device, config, raw),
        SampleFormat::I16 => build::<i16>(&device, config, raw),
        SampleFormat::I24 => build::<cpal::I24>(&device, config, raw),
        SampleFormat::I32 => build::<i32>(&device, config, raw),
        SampleFormat::I64 => build::<i64>(&device, config, raw),
        SampleFormat::U8 => build::<u8>(&device, config, raw),
        SampleFormat::U16 => build::<u16>(&device, config, raw),
        SampleFormat::U24 => build::<cpal::U24>(&device, config, raw),
        SampleFormat::U32 => build::<u32>(&device, config, raw),
        SampleFormat::U64 => build::<u64>(&device, config, raw),
        SampleFormat::F32 => build::<f32>(&device, config, raw),
        SampleFormat::F64 => build::<f64>(&device, config, raw),
        other => return Err(VoiceError::UnsupportedFormat { format: other.to_string() }),
    }?;
    stream.play().map_err(VoiceError::from_cpal)?;
    Ok((stream, name, rate, channels))
}

/// An input stream of samples of type `T`, converted to f32 in the callback.
fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    raw: std_mpsc::Sender<Raw>,
) -> Result<cpal::Stream, VoiceError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let errors = raw.clone();
    device
        .build_input_stream::<T, _, _>(
            config,
            move |data: &[T], _info| {
                let samples = data.iter().map(|s| s.to_sample::<f32>()).collect();
                let _ = raw.send(Raw::Samples(samples));
            },
            move |err: cpal::Error| {
                // Over- and underruns, a route change (the OS moved the stream to another
                // device) and real-time refusals are survivable; the rest end the capture.
                use cpal::ErrorKind as K;
                if matches!(err.kind(), K::Xrun | K::DeviceChanged | K::RealtimeDenied) {
                    tracing::debug!(error = %err, "capture: recoverable stream error");
                } else {
                    let _ = errors.send(Raw::Error(VoiceError::from_cpal(err)));
                }
            },
            None,
        )
        .map_err(VoiceError::from_cpal)
}
