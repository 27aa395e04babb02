//! Voice through the core's one entry: ChatKit's `input.transcribe`, the voice settings picking
//! a speech service, spoken turns (`metadata.speak`) — and, on PulseAudio virtual devices
//! (`scripts/test.sh` runs the ignored test in one), a hands-free conversation: speech into the
//! microphone becomes the user message of a real turn, the answer is read aloud on the
//! speaker, and talking over it stops it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;
use common::chat::{Harness, MODEL, create, items_of};
use serde_json::{Value, json};
use speasy_core::ErrorKind;
use speasy_core::voice::audio::{Resample, SPEECH_RATE, level_dbfs, wav_bytes};
use speasy_core::voice::capture::{Capture, CaptureEvent, input_devices};
use speasy_core::voice::service::{ListenMode, VoiceEvent};
use speasy_core::voice::tts::TTS_RATE;
use speasy_testkit::{SpeechStub, Stream, best_correlation, espeak, espeak_to_file};
use tokio::sync::broadcast;

const PHRASE: &str = "What is the weather like in Lisbon tomorrow";
const SPEECH_KEY: &str = "sk-speech";

/// A harness whose voice goes to `speech` (a provider of its own, as a person would add a
/// Groq or local Whisper server), not to the chat stub.
async fn harness_with_speech(speech: &SpeechStub) -> Harness {
    let h = Harness::new().await;
    speech.require_key(SPEECH_KEY);
    h.json(json!({"type": "speasy.providers.upsert", "params": {"provider": {
        "id": "speech", "kind": "custom", "name": "Speech server",
        "base_url": speech.openai_base_url(), "api_key": SPEECH_KEY
    }}}))
    .await;
    set_voice(&h, json!({"stt": {"kind": "provider", "id": "speech"}, "tts": {"kind": "provider", "id": "speech"}})).await;
    h
}

async fn set_voice(h: &Harness, voice: Value) {
    h.json(json!({"type": "speasy.settings.update", "params": {"patch": {"voice": voice}}})).await;
}

fn transcribe_req(samples: &[f32]) -> Value {
    let wav = wav_bytes(samples, SPEECH_RATE).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(wav);
    json!({"type": "input.transcribe", "params": {"audio_base64": b64, "mime_type": "audio/wav"}})
}

#[tokio::test]
async fn input_transcribe_answers_the_text_of_the_recording() {
    let speech = SpeechStub::start().await;
    let phrase = espeak(PHRASE, SPEECH_RATE);
    speech.know(PHRASE, phrase.clone(), SPEECH_RATE);
    let h = harness_with_speech(&speech).await;

    let answer = h.json(transcribe_req(&phrase)).await;
    assert_eq!(answer, json!({"text": PHRASE}));
    let upload = &speech.uploads()[0];
    assert_eq!(upload.field("model"), Some("gpt-4o-mini-transcribe"));

    // Not base64, a format no service takes: typed errors, nothing sent.
    let bad = |b64: &str, mime: &str| json!({"type": "input.transcribe", "params": {"audio_base64": b64, "mime_type": mime}});
    let err = h.call(bad("%%%", "audio/wav")).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    let err = h.call(bad("AAAA", "audio/aiff")).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("WAV, WebM"), "{}", err.message);
    assert_eq!(speech.uploads().len(), 1);
}

#[tokio::test]
async fn voice_settings_pick_the_service_and_say_when_there_is_none() {
    let speech = SpeechStub::start().await;
    let h = harness_with_speech(&speech).await;
    let req = transcribe_req(&espeak("hello", SPEECH_RATE));

    set_voice(&h, json!({"stt": {"kind": "off"}})).await;
    let err = h.call(req.clone()).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::VoiceNotConfigured);
    assert!(err.message.contains("Settings → Voice"), "{}", err.message);

    // ElevenLabs without its key.
    set_voice(&h, json!({"stt": {"kind": "elevenlabs"}})).await;
    let err = h.call(req.clone()).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::NoProvider, "{err:?}");

    // With its key (in the keychain, never in settings), the ElevenLabs API is called.
    h.core.secret_set("voice.elevenlabs", "xi-key".into()).unwrap();
    let settings = h.json(json!({"type": "speasy.settings.get", "params": {}})).await;
    assert!(!settings.to_string().contains("xi-key"));
    assert_eq!(settings["voice"]["stt"], json!({"kind": "elevenlabs"}));

    // The wrong key for the speech server: the service's refusal, typed.
    set_voice(&h, json!({"stt": {"kind": "provider", "id": "speech"}})).await;
    speech.require_key("another-key");
    let err = h.call(req).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::ProviderAuth, "{err:?}");
}

#[tokio::test]
async fn a_spoken_turn_without_a_speech_service_answers_and_says_why_it_is_silent() {
    let speech = SpeechStub::start().await;
    let h = harness_with_speech(&speech).await;
    set_voice(&h, json!({"tts": {"kind": "off"}})).await;
    h.stub.push(Stream::text(MODEL, &["Sunny. ", "Twenty degrees."]));
    let mut req = create("Weather?");
    req["metadata"] = json!({"speak": true});
    let events = h.stream(req).await;
    let notice = events.iter().find(|e| e["type"] == "notice").expect("a notice");
    assert_eq!(notice["level"], "warning");
    assert!(notice["message"].as_str().unwrap().contains("Settings → Voice"), "{notice}");
    let answer = items_of(&events, "assistant_message");
    assert_eq!(common::chat::assistant_text(answer[0]), "Sunny. Twenty degrees.");
    assert!(speech.spoken().is_empty());
}

#[tokio::test]
async fn a_microphone_that_is_gone_is_a_typed_error_naming_the_fix() {
    let speech = SpeechStub::start().await;
    let h = harness_with_speech(&speech).await;
    set_voice(
        &h,
        json!({"input_device": "unplugged-usb-microphone", "stt": {"kind": "provider", "id": "speech"}}),
    )
    .await;
    let err = h
        .call(json!({"type": "speasy.voice.listen", "params": {"mode": "push_to_talk"}}))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::VoiceNoDevice, "{err:?}");
    assert!(err.message.contains("unplugged-usb-microphone"), "{}", err.message);
    assert!(err.message.contains("Settings → Voice"), "{}", err.message);
}

// ---- A hands-free conversation on virtual devices ------------------------------------------

fn espeak_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("say.wav");
    espeak_to_file(text, 160, &path);
    (dir, path)
}

/// Play a file into the virtual microphone; returns when the speech in it starts, roughly
/// (paplay started + the file's leading silence).
fn say_into_mic(path: &std::path::Path) -> (std::process::Child, Instant) {
    let (samples, rate) = speasy_testkit::decode_wav(&std::fs::read(path).unwrap()).unwrap();
    let lead = samples.iter().position(|s| s.abs() > 0.02).unwrap_or(0);
    let child = Command::new("paplay").arg("--device=micfeed").arg(path).spawn().unwrap();
    let onset = Instant::now() + Duration::from_secs_f64(lead as f64 / f64::from(rate));
    (child, onset)
}

async fn next_event(
    events: &mut broadcast::Receiver<VoiceEvent>,
    want: impl Fn(&VoiceEvent) -> bool,
) -> VoiceEvent {
    tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let e = events.recv().await.unwrap();
            if let VoiceEvent::Error { error } = &e {
                panic!("voice error: {error:?}");
            }
            if want(&e) {
                return e;
            }
        }
    })
    .await
    .expect("voice event within 15 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up"]
async fn hands_free_speech_becomes_a_turn_whose_answer_is_spoken_and_can_be_interrupted() {
    let speech = SpeechStub::start().await;
    let phrase = espeak(PHRASE, SPEECH_RATE);
    speech.know(PHRASE, phrase, SPEECH_RATE);
    let follow_up = "Thank you that is enough";
    speech.know(follow_up, espeak(follow_up, SPEECH_RATE), SPEECH_RATE);
    speech.pace_speech(Duration::from_millis(30), Duration::from_millis(40));
    let h = harness_with_speech(&speech).await;
    let answer = [
        "Tomorrow Lisbon will be sunny and warm. ",
        "Expect a high of twenty four degrees in the afternoon, with a light breeze from the sea. ",
        "In the evening it cools to about seventeen degrees, so bring a light jacket along.",
    ];
    h.stub.push(Stream::text(MODEL, &answer).with_delay(Duration::from_millis(150)));

    let mut events = h.core.voice_events();
    h.core.voice_listen(ListenMode::HandsFree).await.unwrap();
    next_event(&mut events, |e| matches!(e, VoiceEvent::Listening { .. })).await;

    // 1. Speech into the microphone becomes a transcript...
    let (_d1, question) = espeak_file(PHRASE);
    let (mut play, _) = say_into_mic(&question);
    let transcript =
        match next_event(&mut events, |e| matches!(e, VoiceEvent::Transcript { .. })).await {
            VoiceEvent::Transcript { text } => text,
            _ => unreachable!(),
        };
    play.wait().unwrap();
    assert_eq!(transcript, PHRASE);

    // 2. ...sent as the user message of a real turn, spoken as it streams (what the UI does).
    let monitor =
        input_devices().unwrap().into_iter().find(|d| d.id.contains("spk.monitor")).unwrap();
    let (capture, mut heard_rx) = Capture::start(Some(&monitor.id)).unwrap();
    // The thread's persona has a voice of its own: the answer is read with it.
    let persona = h
        .json(json!({"type": "speasy.personas.create", "params": {"persona": {
            "name": "Weather presenter", "system_prompt": "You present the weather.", "voice_id": "nova"
        }}}))
        .await;
    let mut req = create(&transcript);
    req["metadata"] = json!({"speak": true, "persona_id": persona["id"]});
    let turn = h.stream(req).await;
    let user = items_of(&turn, "user_message");
    assert_eq!(user[0]["content"][0]["text"], PHRASE);
    assert!(h.stub.requests().last().unwrap().body.to_string().contains(PHRASE));
    next_event(&mut events, |e| matches!(e, VoiceEvent::Speaking { .. })).await;

    // 3. Talking over the answer stops it.
    let mut heard: Vec<(Instant, Vec<f32>)> = Vec::new();
    let drain = |rx: &mut tokio::sync::mpsc::UnboundedReceiver<CaptureEvent>,
                 heard: &mut Vec<(Instant, Vec<f32>)>| {
        while let Ok(e) = rx.try_recv() {
            if let CaptureEvent::Audio(b) = e {
                heard.push((Instant::now(), b));
            }
        }
    };
    let until = Instant::now() + Duration::from_millis(2500);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
        drain(&mut heard_rx, &mut heard);
    }
    let (_d2, interruption) = espeak_file(follow_up);
    let (mut play, onset) = say_into_mic(&interruption);
    next_event(&mut events, |e| matches!(e, VoiceEvent::SpeakingDone { .. })).await;
    let done_at = Instant::now();
    let until = Instant::now() + Duration::from_millis(1000);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
        drain(&mut heard_rx, &mut heard);
    }
    // The follow-up is transcribed too: listening goes on.
    let next = next_event(&mut events, |e| matches!(e, VoiceEvent::Transcript { .. })).await;
    play.wait().unwrap();
    assert_eq!(next, VoiceEvent::Transcript { text: follow_up.into() });
    // One request per utterance: each was sent at its pause and kept when the pause became its
    // end (not sent again then).
    assert_eq!(
        speech.uploads().len(),
        2,
        "{:?}",
        speech.uploads().iter().map(|u| u.samples).collect::<Vec<_>>()
    );
    h.core.voice_stop_listening();
    next_event(&mut events, |e| *e == VoiceEvent::ListeningStopped).await;
    tokio::task::spawn_blocking(move || capture.stop()).await.unwrap();

    // What played before the interruption was the answer's first sentence.
    let spoken = speech.spoken();
    assert_eq!(spoken[0].text, answer[0].trim());
    assert_eq!(spoken[0].voice, "nova");
    let recorded: Vec<f32> = heard.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    let first = Resample::all(&spoken[0].samples, TTS_RATE, SPEECH_RATE).unwrap();
    let c = best_correlation(&first, &recorded, recorded.len().min(4 * SPEECH_RATE as usize));
    assert!(c >= 0.9, "the first sentence was heard with correlation {c}");
    // The answer is ~12 s of speech; it stopped long before its end.
    let last_loud =
        heard.iter().filter(|(_, b)| level_dbfs(b) > -45.0).map(|(t, _)| *t).next_back().unwrap();
    let total: usize = spoken.iter().map(|s| s.samples.len()).sum();
    assert!(total > 8 * TTS_RATE as usize, "the answer was only {total} samples");
    assert!(
        last_loud < done_at + Duration::from_millis(500),
        "playback went on after the interruption"
    );
    println!(
        "voice figures: barge-in — speech onset in the microphone -> speaker silent on its monitor {} ms (includes paplay's start and the monitor capture's latency); -> reading stopped (event) {} ms",
        last_loud.saturating_duration_since(onset).as_millis(),
        done_at.saturating_duration_since(onset).as_millis(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PulseAudio virtual devices scripts/test.sh sets up (and Speech Dispatcher)"]
async fn the_offline_system_voice_reads_a_message_aloud() {
    let h = Harness::new().await;
    set_voice(&h, json!({"tts": {"kind": "system"}})).await;
    h.stub
        .push(Stream::text(MODEL, &["The system voice can read this answer without any service."]));
    let turn = h.stream(create("Read me something")).await;
    let answer = items_of(&turn, "assistant_message")[0]["id"].as_str().unwrap().to_owned();
    let thread = common::chat::thread_id(&turn);

    let monitor =
        input_devices().unwrap().into_iter().find(|d| d.id.contains("spk.monitor")).unwrap();
    let (capture, mut heard_rx) = Capture::start(Some(&monitor.id)).unwrap();
    let mut events = h.core.voice_events();
    h.core.voice_read_item(&thread, &answer).await.unwrap();
    next_event(&mut events, |e| matches!(e, VoiceEvent::Speaking { .. })).await;
    let started = Instant::now();
    next_event(&mut events, |e| matches!(e, VoiceEvent::SpeakingDone { .. })).await;
    let spoke_for = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut loud = 0;
    while let Ok(e) = heard_rx.try_recv() {
        if let CaptureEvent::Audio(b) = e
            && level_dbfs(&b) > -45.0
        {
            loud += b.len();
        }
    }
    tokio::task::spawn_blocking(move || capture.stop()).await.unwrap();
    let heard = loud as f64 / f64::from(SPEECH_RATE);
    println!(
        "system voice: read for {spoke_for:?}, {heard:.1} s of it heard on the speaker's monitor"
    );
    assert!(heard > 1.5, "only {heard:.2} s of speech was heard");
}
