//! Audio plumbing between a device and the speech services: down-mixing to mono, resampling
//! (any device rate to the 16 kHz speech rate; a speech server's odd rate to the one played),
//! loudness for the level meter, and WAV encoding for transcription uploads.

use std::io::Cursor;

use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::VoiceError;

/// The rate speech is captured, detected and transcribed at (what Whisper models take).
pub const SPEECH_RATE: u32 = 16_000;

/// Mono from interleaved frames of `channels` channels (their mean).
pub fn downmix(interleaved: &[f32], channels: usize) -> Vec<f32> {
    match channels {
        0 => Vec::new(),
        1 => interleaved.to_vec(),
        n => {
            interleaved.chunks_exact(n).map(|frame| frame.iter().sum::<f32>() / n as f32).collect()
        }
    }
}

/// Resamples a mono stream, in 10 ms blocks (an FFT resampler: band-limited, so no aliasing
/// from 44.1 or 48 kHz microphones).
pub struct Resample {
    inner: Option<Fft<f32>>,
    block: usize,
    pending: Vec<f32>,
}

/// The resampler from a device's rate to [`SPEECH_RATE`].
pub type To16k = Resample;

impl Resample {
    /// From `from_rate` to [`SPEECH_RATE`].
    pub fn new(from_rate: u32) -> Result<Self, VoiceError> {
        Self::between(from_rate, SPEECH_RATE)
    }

    /// From `from_rate` to `to_rate`.
    pub fn between(from_rate: u32, to_rate: u32) -> Result<Self, VoiceError> {
        if from_rate == 0 || to_rate == 0 {
            return Err(VoiceError::Resampler("a sample rate of 0".into()));
        }
        if from_rate == to_rate {
            return Ok(Self { inner: None, block: 0, pending: Vec::new() });
        }
        let block = (from_rate as usize / 100).max(1);
        let inner =
            Fft::<f32>::new(from_rate as usize, to_rate as usize, block, 1, FixedSync::Input)
                .map_err(|e| VoiceError::Resampler(e.to_string()))?;
        Ok(Self { inner: Some(inner), block, pending: Vec::with_capacity(block * 2) })
    }

    /// A whole recording at once: the resampler's delay removed and its tail flushed.
    pub fn all(samples: &[f32], from_rate: u32, to_rate: u32) -> Result<Vec<f32>, VoiceError> {
        let mut r = Self::between(from_rate, to_rate)?;
        let expected = (samples.len() as u64 * u64::from(to_rate) / u64::from(from_rate)) as usize;
        let delay = r.delay();
        let mut out = r.push(samples)?;
        // Push silence until the last input sample has come out.
        let pad = vec![0.0; r.block.max(1)];
        while out.len() < expected + delay && r.inner.is_some() {
            out.extend(r.push(&pad)?);
        }
        out.drain(..delay.min(out.len()));
        out.truncate(expected);
        Ok(out)
    }

    /// Feed samples; returns the resampled samples ready so far.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<f32>, VoiceError> {
        let Some(inner) = self.inner.as_mut() else {
            return Ok(samples.to_vec());
        };
        self.pending.extend_from_slice(samples);
        let mut out = Vec::new();
        let mut start = 0;
        while self.pending.len() - start >= self.block {
            let block = &self.pending[start..start + self.block];
            let input = SequentialSlice::new(block, 1, self.block)
                .map_err(|e| VoiceError::Resampler(e.to_string()))?;
            let resampled =
                inner.process(&input, None).map_err(|e| VoiceError::Resampler(e.to_string()))?;
            out.extend(resampled.take_data());
            start += self.block;
        }
        self.pending.drain(..start);
        Ok(out)
    }

    /// How many output samples the resampler holds back (its delay).
    pub fn delay(&self) -> usize {
        self.inner.as_ref().map_or(0, |r| r.output_delay())
    }
}

/// Loudness of a block: RMS in dBFS, from -100 (silence) to 0 (full scale).
pub fn level_dbfs(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return -100.0;
    }
    let mean_square = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
    if mean_square <= 1e-10 { -100.0 } else { (10.0 * mean_square.log10()).max(-100.0) }
}

/// A 16-bit PCM WAV file of mono `samples` at `rate` (what transcription APIs accept
/// everywhere).
pub fn wav_bytes(samples: &[f32], rate: u32) -> Result<Vec<u8>, VoiceError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut buf = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    {
        let mut writer =
            hound::WavWriter::new(&mut buf, spec).map_err(|e| VoiceError::Wav(e.to_string()))?;
        for s in samples {
            let v = (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16;
            writer.write_sample(v).map_err(|e| VoiceError::Wav(e.to_string()))?;
        }
        writer.finalize().map_err(|e| VoiceError::Wav(e.to_string()))?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    fn zero_crossings(x: &[f32]) -> usize {
        x.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count()
    }

    #[test]
    fn downmix_averages_channels() {
        assert_eq!(downmix(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.5, 0.5]);
        assert_eq!(downmix(&[0.1, 0.2], 1), vec![0.1, 0.2]);
    }

    #[test]
    fn a_whole_recording_resamples_to_the_same_duration_and_pitch_in_place() {
        let input = sine(440.0, 22_050, 0.5);
        let out = Resample::all(&input, 22_050, 24_000).unwrap();
        assert_eq!(out.len(), 12_000);
        // 440 Hz over 0.5 s: 440 zero crossings, and no delay (it starts at 0, rising).
        assert!(zero_crossings(&out).abs_diff(440) <= 2, "{}", zero_crossings(&out));
        let reference = sine(440.0, 24_000, 0.5);
        let err: f32 = out[100..11_900]
            .iter()
            .zip(&reference[100..11_900])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.02, "max error {err}");
        assert_eq!(Resample::all(&input, 22_050, 22_050).unwrap(), input);
    }

    #[test]
    fn resampling_keeps_pitch_and_duration() {
        for rate in [8_000, 22_050, 44_100, 48_000] {
            let input = sine(440.0, rate, 1.0);
            let mut r = To16k::new(rate).unwrap();
            let mut out = Vec::new();
            // Odd-sized pieces, as a device delivers them.
            for piece in input.chunks(333) {
                out.extend(r.push(piece).unwrap());
            }
            let expected = SPEECH_RATE as usize;
            // Less the resampler's delay and what waits for a whole 10 ms block (under 50 ms).
            assert!(
                out.len() + 800 >= expected && out.len() <= expected,
                "{rate}: {} samples",
                out.len()
            );
            // 440 Hz: 880 zero crossings a second (the resampler's delay trims a few).
            let zc = zero_crossings(&out[r.delay()..]);
            assert!((850..=882).contains(&zc), "{rate}: {zc} crossings");
        }
    }

    #[test]
    fn speech_rate_passes_through() {
        let mut r = To16k::new(SPEECH_RATE).unwrap();
        assert_eq!(r.push(&[0.25, -0.25]).unwrap(), vec![0.25, -0.25]);
        assert!(matches!(To16k::new(0), Err(VoiceError::Resampler(_))));
    }

    #[test]
    fn levels_in_dbfs() {
        assert_eq!(level_dbfs(&[0.0; 160]), -100.0);
        assert!((level_dbfs(&[1.0; 160])).abs() < 0.01);
        let half = level_dbfs(&sine(1000.0, 16_000, 0.1));
        // A 0.5-amplitude sine: RMS 0.354, -9.03 dBFS.
        assert!((half + 9.03).abs() < 0.1, "{half}");
    }

    #[test]
    fn wav_round_trip() {
        let x = sine(300.0, 16_000, 0.5);
        let bytes = wav_bytes(&x, 16_000).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        let reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        let spec = reader.spec();
        assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (1, 16_000, 16));
        let y: Vec<i16> = reader.into_samples().collect::<Result<_, _>>().unwrap();
        assert_eq!(y.len(), x.len());
        // 16-bit: within one step of the original.
        assert!(
            x.iter().zip(&y).all(|(a, b)| (a - f32::from(*b) / 32_767.0).abs() <= 1.0 / 32_767.0)
        );
    }
}
