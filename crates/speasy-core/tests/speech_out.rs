//! Speech out: text-to-speech against the testkit's speech stand-in (OpenAI's and ElevenLabs'
//! wire formats, real espeak-ng audio), and — in a PulseAudio server with virtual devices
//! (`scripts/test.sh` runs the ignored tests in one) — the speaker: what Speasy plays is
//! recorded back from the speaker's monitor and compared with what the service sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use speasy_core::error::ProviderError;
use speasy_core::providers::ProviderKind;
use speasy_core::providers::openai::{Client, Endpoint, Policy};
use speasy_core::voice::VoiceError;
use speasy_core::voice::audio::{Resample, SPEECH_RATE, level_dbfs};
use speasy_core::voice::capture::{Capture, CaptureEvent, input_devices, output_devices};
use speasy_core::voice::playback::Speaker;
use speasy_core::voice::read_aloud::ReadAloud;
use speasy_core::voice::tts::{
    ELEVENLABS_TTS_MODEL, SpeechFormat, TTS_RATE, TextToSpeech, synthesize,
};
use speasy_testkit::{SpeechApi, SpeechStub, best_correlation};
use tokio::sync::mpsc::UnboundedReceiver;

fn client() -> Client {
    Client::new(Policy { retries: 0, ..Policy::default() }).unwrap()
}

fn openai(stub: &SpeechStub, key: &str, format: SpeechFormat) -> TextToSpeech {
    TextToSpeech::OpenAiCompatible {
        endpoint: Endpoint {
            label: "OpenAI".into(),
            kind: ProviderKind::Openai,
            base_url: stub.openai_base_url(),
            api_key: Some(SecretString::from(key)),
        },
        model: "gpt-4o-mini-tts".into(),
        voice: "alloy".into(),
        format,
    }
}

fn elevenlabs(stub: &SpeechStub, key: &str) -> TextToSpeech {
    TextToSpeech::ElevenLabs {
        base_url: stub.elevenlabs_base_url(),
        api_key: SecretString::from(key),
        voice_id: "voice-of-ada".into(),
        model: ELEVENLABS_TTS_MODEL.into(),
    }
}

/// Every piece of a synthesis, with when it arrived.
async fn collect(
    service: &TextToSpeech,
    text: &str,
) -> Result<Vec<(Instant, Vec<f32>)>, VoiceError> {
    let mut audio = synthesize(&client(), service, text).await?;
    assert_eq!(audio.rate(), TTS_RATE);
    let mut pieces = Vec::new();
    while let Some(piece) = audio.next().await {
        pieces.push((Instant::now(), piece?));
    }
    Ok(pieces)
}

fn joined(pieces: &[(Instant, Vec<f32>)]) -> Vec<f32> {
    pieces.iter().flat_map(|(_, p)| p.iter().copied()).collect()
}

#[tokio::test]
async fn openai_speech_streams_pcm_that_plays_before_it_is_all_made() {
    let stub = SpeechStub::start().await;
    stub.require_key("sk-right");
    stub.pace_speech(Duration::ZERO, Duration::from_millis(40));
    let text = "The forecast for Lisbon is sunny.";
    let pieces = collect(&openai(&stub, "sk-right", SpeechFormat::Pcm), text).await.unwrap();

    let spoken = stub.spoken();
    let sent = &spoken[0];
    assert_eq!(
        (
            sent.api,
            sent.text.as_str(),
            sent.voice.as_str(),
            sent.model.as_str(),
            sent.format.as_str()
        ),
        (SpeechApi::OpenAi, text, "alloy", "gpt-4o-mini-tts", "pcm")
    );
    // Exactly the samples sent (16-bit), in order.
    let got = joined(&pieces);
    assert_eq!(got.len(), sent.samples.len());
    let worst = got.iter().zip(&sent.samples).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(worst <= 1.0 / 16384.0, "samples differ by up to {worst}");
    // Streamed: the first piece was in hand long before the last (40 ms apart, ≥ 10 pieces).
    assert!(pieces.len() >= 10, "{} pieces", pieces.len());
    let spread = pieces.last().unwrap().0.duration_since(pieces[0].0);
    assert!(spread >= Duration::from_millis(300), "all audio arrived within {spread:?}");
}

#[tokio::test]
async fn elevenlabs_speech_uses_the_voice_model_and_pcm_output() {
    let stub = SpeechStub::start().await;
    stub.require_key("xi-right");
    let text = "Hello from ElevenLabs.";
    let pieces = collect(&elevenlabs(&stub, "xi-right"), text).await.unwrap();
    let sent = &stub.spoken()[0];
    assert_eq!(
        (sent.api, sent.voice.as_str(), sent.model.as_str(), sent.format.as_str(), sent.rate),
        (SpeechApi::ElevenLabs, "voice-of-ada", "eleven_turbo_v2_5", "pcm_24000", 24_000)
    );
    assert_eq!(joined(&pieces).len(), sent.samples.len());
}

#[tokio::test]
async fn a_server_that_only_makes_wav_is_decoded() {
    let stub = SpeechStub::start().await;
    let pieces = collect(&openai(&stub, "k", SpeechFormat::Wav), "Decoded whole.").await.unwrap();
    let sent = &stub.spoken()[0];
    assert_eq!(sent.format, "wav");
    let got = joined(&pieces);
    assert!(got.len().abs_diff(sent.samples.len()) <= 1, "{} vs {}", got.len(), sent.samples.len());
    let c = best_correlation(&sent.samples, &got, 200);
    assert!(c > 0.99, "decoded audio correlates {c}");
}

#[tokio::test]
async fn speech_errors_are_typed() {
    let stub = SpeechStub::start().await;
    stub.require_key("sk-right");
    let err = collect(&openai(&stub, "sk-wrong", SpeechFormat::Pcm), "Hi.").await.unwrap_err();
    assert!(matches!(err, VoiceError::Speech(ProviderError::Unauthorized { .. })), "{err:?}");
    assert!(err.to_string().contains("rejected the API key"), "{err}");

    let err = collect(&elevenlabs(&stub, "xi-wrong"), "Hi.").await.unwrap_err();
    assert!(matches!(err, VoiceError::Speech(ProviderError::Unauthorized { .. })), "{err:?}");

    stub.fail_next(500);
    let err = collect(&openai(&stub, "sk-right", SpeechFormat::Pcm), "Hi.").await.unwrap_err();
    assert!(
        matches!(err, VoiceError::Speech(ProviderError::Server { status: 500, .. })),
        "{err:?}"
    );

    // A format the server does not make: its own message.
    let err = collect(&openai(&stub, "sk-right", SpeechFormat::Mp3), "Hi.").await.unwrap_err();
    match err {
        VoiceError::Speech(ProviderError::BadRequest { message, .. }) => {
            assert!(message.contains("not mp3"), "{message}")
        }
        other => panic!("{other:?}"),
    }

    let closed = {
        let s = SpeechStub::start().await;
        openai(&s, "k", SpeechFormat::Pcm)
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = collect(&closed, "Hi.").await.unwrap_err();
    assert!(matches!(err, VoiceError::Speech(ProviderError::Network { .. })), "{err:?}");
}

// ---- On the (virtual) speaker -------------------------------------------------------------

/// Record what the speaker plays: a capture of its monitor source (`spk.monitor`).
fn monitor() -> (Capture, UnboundedReceiver<CaptureEvent>) {
    let devices = input_devices().unwrap();
    let spk = devices
        .iter()
        .find(|d| d.id.contains("spk.monitor") || d.name.contains("Monitor of spk"))
        .unwrap_or_else(|| panic!("no monitor of the virtual speaker among {devices:?}"));
    Capture::start(Some(&spk.id)).unwrap()
}

/// 16 kHz audio heard on the monitor, each block with when it arrived.
#[derive(Default)]
struct Heard {
    blocks: Vec<(Instant, Vec<f32>)>,
}

impl Heard {
    fn drain(&mut self, events: &mut UnboundedReceiver<CaptureEvent>) {
        while let Ok(e) = events.try_recv() {
            if let CaptureEvent::Audio(samples) = e {
                self.blocks.push((Instant::now(), samples));
            }
        }
    }

    fn samples(&self) -> Vec<f32> {
        self.blocks.iter().flat_map(|(_, b)| b.iter().copied()).collect()
    }

    /// When the first / last block louder than -45 dBFS arrived.
    fn loud(&self) -> (Option<Instant>, Option<Instant>) {
        let loud: Vec<Instant> =
            self.blocks.iter().filter(|(_, b)| level_dbfs(b) > -45.0).map(|(t, _)| *t).collect();
        (loud.first().copied(), loud.last().copied())
    }
}

/// Listen to the monitor for `d`.
async fn listen(events: &mut UnboundedReceiver<CaptureEvent>, heard: &mut Heard, d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
        heard.drain(events);
    }
}

fn to_16k(samples: &[f32]) -> Vec<f32> {
    Resample::all(samples, TTS_RATE, SPEECH_RATE).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up"]
async fn spoken_answers_play_on_the_speaker_sentence_by_sentence() {
    let stub = SpeechStub::start().await;
    stub.pace_speech(Duration::from_millis(20), Duration::from_millis(25));
    // The speaker picked by its id from the device list (as Settings → Voice stores it).
    let outputs = output_devices().unwrap();
    let spk = outputs
        .iter()
        .find(|d| d.id.contains("spk") && !d.id.contains("micfeed"))
        .unwrap_or_else(|| panic!("no virtual speaker among {outputs:?}"));
    let speaker = Arc::new(Speaker::open(Some(&spk.id)).unwrap());
    println!("speaker: {} ({})", speaker.device_name, spk.id);
    let (capture, mut events) = monitor();
    let mut heard = Heard::default();
    listen(&mut events, &mut heard, Duration::from_millis(300)).await;
    heard.blocks.clear();

    // The answer streams in: the first sentence, then (1.5 s later) the rest.
    let reading =
        ReadAloud::start(Arc::clone(&speaker), client(), openai(&stub, "k", SpeechFormat::Pcm));
    reading.push("**Good morning!** It will be");
    listen(&mut events, &mut heard, Duration::from_millis(1500)).await;
    let before_rest = Instant::now();
    reading.push(" sunny in Lisbon today.\n\n```\ncode is not read\n```\n");
    reading.end();
    let t = Instant::now();
    let reports = loop {
        heard.drain(&mut events);
        if reading.is_finished() {
            break reading.finished().await.unwrap();
        }
        assert!(t.elapsed() < Duration::from_secs(15), "the reading did not end");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    listen(&mut events, &mut heard, Duration::from_millis(400)).await;
    capture.stop();

    let spoken = stub.spoken();
    let texts: Vec<&str> = spoken.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["Good morning!", "It will be sunny in Lisbon today."]);
    // The first sentence played before the answer was complete.
    let first_audio = reports[0].first_audio_at.expect("the first sentence played");
    assert!(first_audio < before_rest, "the first sentence waited for the whole answer");
    let (first_heard, _) = heard.loud();
    assert!(first_heard.unwrap() < before_rest, "nothing was heard before the answer ended");

    // What was heard is what was sent, sentence by sentence.
    let recorded = heard.samples();
    for s in &spoken {
        let c = best_correlation(&to_16k(&s.samples), &recorded, recorded.len());
        println!("heard/sent correlation for {:?}: {c:.3}", s.text);
        assert!(c >= 0.9, "{:?} was heard with correlation {c}", s.text);
    }
    let first_bytes = reports[0].first_bytes_at.unwrap();
    println!(
        "voice figures: first TTS bytes -> first sample to the device {} ms; server's first bytes -> heard on the monitor {} ms (includes the monitor capture's latency)",
        first_audio.duration_since(first_bytes).as_millis(),
        first_heard.unwrap().duration_since(spoken[0].first_byte_at.unwrap()).as_millis(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up"]
async fn skip_moves_to_the_next_sentence_and_stop_silences_the_speaker() {
    let stub = SpeechStub::start().await;
    let speaker = Arc::new(Speaker::open(None).unwrap());
    let (capture, mut events) = monitor();
    let mut heard = Heard::default();
    listen(&mut events, &mut heard, Duration::from_millis(300)).await;
    heard.blocks.clear();

    let text = "This first sentence is long enough to be skipped halfway through. \
                The second one is spoken for a while, then everything is stopped. \
                A third sentence that nobody hears.";
    let reading = ReadAloud::text(
        Arc::clone(&speaker),
        client(),
        openai(&stub, "k", SpeechFormat::Pcm),
        text,
    );
    // Skip a second into the first sentence.
    while stub.spoken().is_empty() || heard.loud().0.is_none() {
        listen(&mut events, &mut heard, Duration::from_millis(10)).await;
    }
    listen(&mut events, &mut heard, Duration::from_millis(1000)).await;
    speaker.skip();
    let skipped_at = Instant::now();
    listen(&mut events, &mut heard, Duration::from_millis(1200)).await;
    reading.stop();
    let stopped_at = Instant::now();
    listen(&mut events, &mut heard, Duration::from_millis(800)).await;
    let reports = reading.finished().await.unwrap();
    capture.stop();

    // (Requests run two at a time: the stand-in may have answered them in either order.)
    let spoken = stub.spoken();
    let said =
        |start: &str| to_16k(&spoken.iter().find(|s| s.text.starts_with(start)).unwrap().samples);
    let (first, second) = (said("This first"), said("The second"));
    // After the skip, the second sentence's start was heard.
    let after_skip: Vec<f32> = heard
        .blocks
        .iter()
        .filter(|(t, _)| *t > skipped_at && *t < stopped_at)
        .flat_map(|(_, b)| b.iter().copied())
        .collect();
    let c2 = best_correlation(&second[..after_skip.len().min(second.len())], &after_skip, 4000);
    assert!(c2 >= 0.8, "after skipping, what was heard correlates {c2} with the second sentence");
    // The first was cut: under half of it was played (the skip came 1 s into ~4 s).
    let played_first = heard
        .blocks
        .iter()
        .filter(|(t, b)| *t <= skipped_at && level_dbfs(b) > -100.0)
        .map(|(_, b)| b.len())
        .sum::<usize>();
    assert!(played_first < first.len() / 2, "{played_first} of {} samples", first.len());
    // Nothing after the stop but the device's buffer.
    let (_, last_heard) = heard.loud();
    let tail = last_heard.unwrap().saturating_duration_since(stopped_at);
    assert!(tail < Duration::from_millis(500), "still heard {tail:?} after stop");
    assert!(reports.len() <= 3);
    println!(
        "voice figures: stop -> last audio heard on the monitor {} ms (includes the monitor capture's latency)",
        tail.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up"]
async fn a_failing_speech_service_stops_the_reading_with_its_error() {
    let stub = SpeechStub::start().await;
    stub.require_key("sk-right");
    let speaker = Arc::new(Speaker::open(None).unwrap());
    let reading = ReadAloud::text(
        Arc::clone(&speaker),
        client(),
        openai(&stub, "sk-wrong", SpeechFormat::Pcm),
        "One. Two. Three.",
    );
    let err = tokio::time::timeout(Duration::from_secs(5), reading.finished())
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, VoiceError::Speech(ProviderError::Unauthorized { .. })), "{err:?}");
    speaker.idle().await;
    assert!(matches!(
        Speaker::open(Some("no-such-device")),
        Err(VoiceError::DeviceNotFound { .. })
    ));
}
