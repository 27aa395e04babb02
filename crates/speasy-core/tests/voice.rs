//! Voice: end-of-utterance detection on real synthetic speech (espeak-ng), speech-to-text
//! through a stand-in that speaks OpenAI's and ElevenLabs' wire formats and recognises the
//! audio it knows, and — under a PulseAudio server with a virtual microphone (see
//! scripts/test.sh) — capture from the system microphone end to end.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use speasy_core::error::ProviderError;
use speasy_core::providers::ProviderKind;
use speasy_core::providers::openai::{Client, Endpoint, Policy};
use speasy_core::voice::VoiceError;
use speasy_core::voice::audio::{SPEECH_RATE, To16k};
use speasy_core::voice::capture::{Capture, CaptureEvent, input_devices};
use speasy_core::voice::endpoint::{EndpointConfig, EndpointEvent, Endpointer, Utterance};
use speasy_core::voice::stt::{ELEVENLABS_STT_MODEL, SpeechToText, transcribe, transcribe_file};
use speasy_testkit::{SpeechApi, SpeechStub, best_correlation, decode_wav, espeak_to_file};

/// espeak-ng's rendering of `text` as a WAV file (its native 22,050 Hz), at 150 words a minute.
fn espeak_wav(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("speech.wav");
    espeak_to_file(text, 150, &path);
    (dir, path)
}

/// `text` spoken, at 16 kHz, without espeak-ng's silence before and after.
fn speech(text: &str) -> Vec<f32> {
    let (_dir, path) = espeak_wav(text);
    let (samples, rate) =
        decode_wav(&std::fs::read(path).unwrap()).expect("espeak-ng wrote a WAV file");
    let mut r = To16k::new(rate).unwrap();
    let mut out = r.push(&samples).unwrap();
    out.extend(r.push(&vec![0.0; rate as usize / 10]).unwrap()); // flush the resampler
    let first = out.iter().position(|s| s.abs() > 0.01).unwrap_or(0);
    let last = out.iter().rposition(|s| s.abs() > 0.01).unwrap_or(out.len());
    out[first..=last].to_vec()
}

fn silence(ms: u64) -> Vec<f32> {
    vec![0.0; (SPEECH_RATE as u64 * ms / 1000) as usize]
}

fn run(samples: &[f32]) -> Vec<EndpointEvent> {
    let mut e = Endpointer::new(EndpointConfig::default());
    // In 10 ms pieces, as a capture delivers them.
    samples.chunks(160).flat_map(|c| e.push(c)).collect()
}

fn utterances(events: &[EndpointEvent]) -> Vec<&Utterance> {
    events
        .iter()
        .filter_map(|e| match e {
            EndpointEvent::Utterance(u) => Some(u),
            EndpointEvent::SpeechStarted
            | EndpointEvent::Interrupt
            | EndpointEvent::Pause(_)
            | EndpointEvent::Resumed => None,
        })
        .collect()
}

const PHRASE: &str = "What is the weather like in Lisbon tomorrow";

#[test]
fn one_phrase_is_one_utterance_holding_that_speech() {
    let phrase = speech(PHRASE);
    let input = [silence(500), phrase.clone(), silence(1500)].concat();
    let events = run(&input);
    assert_eq!(events[..2], [EndpointEvent::Interrupt, EndpointEvent::SpeechStarted], "{events:?}");
    let found = utterances(&events);
    assert_eq!(found.len(), 1, "{events:?}");
    let u = found[0];
    // The pause before the end offered the very same utterance, for early transcription.
    let paused: Vec<&Utterance> = events
        .iter()
        .filter_map(|e| if let EndpointEvent::Pause(p) = e { Some(p) } else { None })
        .collect();
    assert_eq!(paused.len(), 1, "{events:?}");
    assert_eq!(paused[0].samples, u.samples);
    let spoken = phrase.len() as f32 / SPEECH_RATE as f32;
    let detected = u.speech.as_secs_f32();
    assert!((detected - spoken).abs() < 0.6, "speech {detected} s, spoken {spoken} s");
    // The utterance is that phrase (its start not clipped), not the silence around it.
    assert!(best_correlation(&phrase, &u.samples, 8000) > 0.95);
    assert!(u.samples.len() < phrase.len() + SPEECH_RATE as usize, "{} samples", u.samples.len());
}

#[test]
fn a_short_pause_does_not_end_the_utterance_but_a_long_one_does() {
    let (a, b) = (speech("Remind me tomorrow"), speech("to call my sister"));
    let short = run(&[a.clone(), silence(400), b.clone(), silence(1200)].concat());
    assert_eq!(utterances(&short).len(), 1, "{short:?}");
    // The 400 ms pause was offered early, then withdrawn when the speech went on.
    let at = |e: fn(&EndpointEvent) -> bool| short.iter().position(e);
    let (pause, resumed) =
        (at(|e| matches!(e, EndpointEvent::Pause(_))), at(|e| *e == EndpointEvent::Resumed));
    assert!(pause.is_some() && resumed > pause, "{short:?}");
    let long = run(&[a, silence(1300), b, silence(1200)].concat());
    assert_eq!(utterances(&long).len(), 2, "{long:?}");
}

#[test]
fn blips_and_noise_are_not_speech() {
    // A 160 ms burst of speech (a cough, a word fragment) and quiet noise.
    let phrase = speech(PHRASE);
    let start = phrase.iter().position(|s| s.abs() > 0.05).unwrap();
    let blip = phrase[start..start + 160 * 16].to_vec();
    let noise: Vec<f32> = (0..SPEECH_RATE * 2)
        .map(|i| (((i.wrapping_mul(2_654_435_761) >> 16) as f32 / 65_536.0) - 0.5) * 0.01)
        .collect();
    // The blip may stop playback (barge-in answers within 120 ms of voice) but is no speech.
    let events = run(&[silence(300), blip, silence(1500)].concat());
    assert!(events.iter().all(|e| *e == EndpointEvent::Interrupt), "{events:?}");
    let events = run(&[silence(300), noise].concat());
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn an_interruption_is_reported_within_a_quarter_second_of_speech() {
    // Measured in audio, not wall-clock time: how much speech the endpointer had been given
    // when it said Interrupt.
    let phrase = speech(PHRASE);
    let lead = silence(500);
    let onset = lead.len();
    let mut e = Endpointer::new(EndpointConfig::default());
    let mut fed = 0;
    let mut at = None;
    for chunk in [lead, phrase].concat().chunks(160) {
        fed += chunk.len();
        if e.push(chunk).contains(&EndpointEvent::Interrupt) {
            at = Some(fed);
            break;
        }
    }
    let after = at.expect("no interruption") - onset;
    let ms = after * 1000 / SPEECH_RATE as usize;
    println!("voice figures: speech onset -> interrupt decided after {ms} ms of audio");
    assert!(ms <= 250, "interrupt after {ms} ms of speech");
}

#[test]
fn push_to_talk_release_gives_what_was_said() {
    let phrase = speech(PHRASE);
    let mut e = Endpointer::new(EndpointConfig::default());
    let during: Vec<_> = phrase.chunks(160).flat_map(|c| e.push(c)).collect();
    assert!(utterances(&during).is_empty());
    let u = e.finish().expect("an utterance on release");
    assert!(best_correlation(&phrase, &u.samples, 8000) > 0.95);
    // Releasing after silence only gives nothing.
    let mut quiet = Endpointer::new(EndpointConfig::default());
    quiet.push(&silence(1000));
    assert!(quiet.finish().is_none());
}

fn client() -> Client {
    Client::new(Policy { retries: 0, ..Policy::default() }).unwrap()
}

fn openai(stub: &SpeechStub, key: &str) -> SpeechToText {
    SpeechToText::OpenAiCompatible {
        endpoint: Endpoint {
            label: "OpenAI".into(),
            kind: ProviderKind::Openai,
            base_url: stub.openai_base_url(),
            api_key: Some(SecretString::from(key)),
        },
        model: "whisper-1".into(),
    }
}

#[tokio::test]
async fn openai_transcription_uploads_the_utterance_as_a_wav_file() {
    let stub = SpeechStub::start().await;
    stub.require_key("sk-right");
    let phrase = speech(PHRASE);
    stub.know(PHRASE, phrase.clone(), SPEECH_RATE);
    stub.know("Something else entirely", speech("Something else entirely"), SPEECH_RATE);
    let utterance = [silence(200), phrase].concat();

    let text =
        transcribe(&client(), &openai(&stub, "sk-right"), &utterance, Some("en")).await.unwrap();
    assert_eq!(text, PHRASE);
    let up = &stub.uploads()[0];
    assert_eq!(up.api, SpeechApi::OpenAi);
    assert_eq!(up.field("model"), Some("whisper-1"));
    assert_eq!(up.field("language"), Some("en"));
    assert_eq!(up.field("response_format"), Some("json"));
    assert_eq!(up.file_name.as_deref(), Some("speech.wav"));
    assert_eq!(up.content_type.as_deref(), Some("audio/wav"));
    assert_eq!((up.rate, up.samples), (SPEECH_RATE, utterance.len()));
    assert!(up.best.as_ref().is_some_and(|(t, c)| t == PHRASE && *c > 0.99), "{:?}", up.best);

    // Audio it does not know comes back empty: no speech.
    let other = speech("Completely different words here");
    let err = transcribe(&client(), &openai(&stub, "sk-right"), &other, None).await.unwrap_err();
    assert!(matches!(err, VoiceError::NoSpeech), "{err:?}");
}

#[tokio::test]
async fn transcription_errors_are_typed() {
    let stub = SpeechStub::start().await;
    stub.require_key("sk-right");
    let audio = speech("hello");

    let err = transcribe(&client(), &openai(&stub, "sk-wrong"), &audio, None).await.unwrap_err();
    assert!(matches!(err, VoiceError::Speech(ProviderError::Unauthorized { .. })), "{err:?}");
    assert!(err.to_string().contains("rejected the API key"), "{err}");

    stub.fail_next(500);
    let err = transcribe(&client(), &openai(&stub, "sk-right"), &audio, None).await.unwrap_err();
    assert!(
        matches!(err, VoiceError::Speech(ProviderError::Server { status: 500, .. })),
        "{err:?}"
    );

    // A file the server cannot read: its message reaches the person.
    let service = openai(&stub, "sk-right");
    let err = transcribe_file(&client(), &service, b"OggS not audio".to_vec(), "audio/ogg", None)
        .await
        .unwrap_err();
    match err {
        VoiceError::Speech(ProviderError::BadRequest { status: 400, message, .. }) => {
            assert!(message.contains("Invalid file format"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let sent = stub.uploads().last().cloned().unwrap();
    assert_eq!(
        (sent.file_name.as_deref(), sent.content_type.as_deref()),
        (Some("speech.ogg"), Some("audio/ogg"))
    );

    // A format no speech service takes is refused before any upload, saying which ones work.
    let uploads = stub.uploads().len();
    let err =
        transcribe_file(&client(), &service, vec![1, 2, 3], "audio/aiff", None).await.unwrap_err();
    assert!(matches!(err, VoiceError::UnsupportedAudio { .. }), "{err:?}");
    assert!(err.to_string().contains("WAV, WebM"), "{err}");
    assert_eq!(stub.uploads().len(), uploads);

    assert!(matches!(
        transcribe(&client(), &openai(&stub, "sk-right"), &[], None).await,
        Err(VoiceError::NoSpeech)
    ));

    // Nothing listening.
    let closed = {
        let s = SpeechStub::start().await;
        openai(&s, "k")
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = transcribe(&client(), &closed, &audio, None).await.unwrap_err();
    assert!(matches!(err, VoiceError::Speech(ProviderError::Network { .. })), "{err:?}");
}

#[tokio::test]
async fn elevenlabs_transcription() {
    let stub = SpeechStub::start().await;
    stub.require_key("xi-right");
    let phrase = speech(PHRASE);
    stub.know(PHRASE, phrase.clone(), SPEECH_RATE);
    let service = |key: &str| SpeechToText::ElevenLabs {
        base_url: stub.elevenlabs_base_url(),
        api_key: SecretString::from(key),
        model: ELEVENLABS_STT_MODEL.into(),
    };
    let text = transcribe(&client(), &service("xi-right"), &phrase, Some("en")).await.unwrap();
    assert_eq!(text, PHRASE);
    let up = &stub.uploads()[0];
    assert_eq!(up.api, SpeechApi::ElevenLabs);
    assert_eq!(up.field("model_id"), Some("scribe_v1"));
    assert_eq!(up.field("language_code"), Some("en"));

    let err = transcribe(&client(), &service("xi-wrong"), &phrase, None).await.unwrap_err();
    assert!(
        matches!(err, VoiceError::Speech(ProviderError::Unauthorized { ref provider }) if provider == "ElevenLabs"),
        "{err:?}"
    );
}

/// Run by scripts/test.sh inside a PulseAudio server whose default source is a virtual
/// microphone fed from the `micfeed` sink: espeak-ng's speech played there is captured by
/// Speasy's capture, endpointed, and transcribed by the stand-in, which recognises it.
#[tokio::test]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up"]
async fn microphone_speech_is_captured_endpointed_and_transcribed() {
    let devices = input_devices().unwrap();
    assert!(devices.iter().any(|d| d.is_default), "no default input among {devices:?}");

    let (_dir, wav) = espeak_wav(PHRASE);
    let phrase = speech(PHRASE);
    let stub = SpeechStub::start().await;
    stub.know(PHRASE, phrase.clone(), SPEECH_RATE);
    let (client, service) = (client(), openai(&stub, "k"));

    let (capture, mut events) = Capture::start(None).unwrap();
    println!(
        "capturing from {} at {} Hz, {} channels",
        capture.device_name, capture.device_rate, capture.device_channels
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let play = Command::new("paplay").args(["--device=micfeed"]).arg(&wav).status().unwrap();
    assert!(play.success(), "paplay failed");
    let played_at = Instant::now();

    let mut endpointer = Endpointer::new(EndpointConfig::default());
    let mut loudest = -100.0_f32;
    let utterance = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = events.recv().await {
            match event {
                CaptureEvent::Level(db) => loudest = loudest.max(db),
                CaptureEvent::Audio(samples) => {
                    for e in endpointer.push(&samples) {
                        if let EndpointEvent::Utterance(u) = e {
                            return Ok(u);
                        }
                    }
                }
                CaptureEvent::Failed(e) => return Err(e),
            }
        }
        Err(VoiceError::DeviceUnplugged)
    })
    .await
    .expect("no utterance within 10 s")
    .unwrap();
    let detected_at = Instant::now();
    // Straight to transcription, as the app does; the microphone stays open meanwhile, as it
    // does in hands-free listening.
    let text = transcribe(&client, &service, &utterance.samples, Some("en")).await.unwrap();
    capture.stop();
    assert_eq!(text, PHRASE);
    assert!(loudest > -40.0, "the level meter never saw speech (loudest {loudest} dBFS)");
    let correlation = best_correlation(&phrase, &utterance.samples, 8000);
    assert!(correlation > 0.9, "captured audio correlates {correlation} with what was played");
    let sent = stub.uploads()[0].received_at;
    println!(
        "voice figures: paplay done -> utterance detected {} ms (the end of speech waits for {} ms of silence); utterance detected -> transcription request at the server {} ms; captured/played correlation {correlation:.3}",
        detected_at.duration_since(played_at).as_millis(),
        EndpointConfig::default().end_silence.as_millis(),
        sent.duration_since(detected_at).as_millis(),
    );
}

/// Unplugging the microphone picked in settings ends the capture with `DeviceUnplugged` (a
/// message a person can act on), not silence: the device is a throwaway null sink's monitor,
/// and "unplugging" it unloads its module from the sound server.
#[tokio::test]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up"]
async fn unplugging_the_picked_microphone_ends_the_capture_with_a_clear_error() {
    let pactl = |args: &[&str]| {
        let out = Command::new("pactl").args(args).output().unwrap();
        assert!(out.status.success(), "pactl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let module = pactl(&["load-module", "module-null-sink", "sink_name=usbmic"]);
    let module = module.trim().to_owned();
    let mic = input_devices()
        .unwrap()
        .into_iter()
        .find(|d| d.id.ends_with(":usbmic.monitor"))
        .expect("the new source is listed");
    assert!(!mic.is_default);

    let (capture, mut events) = Capture::start(Some(&mic.id)).unwrap();
    // It records: audio arrives (silence) before the unplug.
    let first = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Some(CaptureEvent::Audio(_)) => return,
                Some(CaptureEvent::Failed(e)) => panic!("failed before the unplug: {e}"),
                Some(CaptureEvent::Level(_)) => {}
                None => panic!("the capture ended before the unplug"),
            }
        }
    })
    .await;
    assert!(first.is_ok(), "no audio from the picked microphone within 5 s");

    pactl(&["unload-module", &module]);
    let unplugged_at = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Some(CaptureEvent::Failed(e)) => return Some(e),
                Some(_) => {}
                None => return None,
            }
        }
    })
    .await
    .expect("the capture went on for 5 s after its device was unplugged");
    println!("unplug noticed after {} ms", unplugged_at.elapsed().as_millis());
    assert!(
        matches!(outcome, Some(VoiceError::DeviceUnplugged)),
        "expected DeviceUnplugged, got {outcome:?}"
    );
    capture.stop();

    // A device id that names nothing is refused up front, by name.
    let gone = Capture::start(Some(&mic.id)).err();
    assert!(
        matches!(&gone, Some(VoiceError::DeviceNotFound { id }) if *id == mic.id),
        "expected DeviceNotFound for {}, got {gone:?}",
        mic.id
    );
}

/// No microphone to be had — no sound server answers, and ALSA has no capture device — is a
/// typed error at once, neither a hang nor a capture that never delivers. scripts/test.sh runs
/// it with `PULSE_SERVER` pointing at nothing and `ALSA_CONFIG_PATH` at an empty config.
#[test]
#[ignore = "needs PULSE_SERVER and ALSA_CONFIG_PATH pointing at nothing (scripts/test.sh)"]
fn with_no_microphone_starting_a_capture_fails_with_a_clear_error() {
    let started = Instant::now();
    let outcome = Capture::start(None).err();
    println!("no microphone: {outcome:?} after {} ms", started.elapsed().as_millis());
    assert!(
        matches!(outcome, Some(VoiceError::NoInputDevice)),
        "expected a typed 'no microphone' error, got {outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}
