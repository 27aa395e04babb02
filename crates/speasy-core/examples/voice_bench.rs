//! Voice figures (`bench/voice.sh` runs this, optimised, inside a throwaway PulseAudio server
//! with virtual devices): prints, never asserts.
//!
//! 1. CPU while listening idle: the microphone open with the endpointer running on silence,
//!    as hands-free listening is between utterances (process CPU time over wall time).
//! 2. End of speech → transcription request: espeak speech played into the virtual mic and
//!    transcribed as hands-free listening does (the request starts at the 200 ms pause and is
//!    kept when the pause becomes the end, 0.8 s): from the last voiced frame to the request
//!    arriving at a local speech server.
//! 3. First TTS bytes → first audio out: a reading of a streamed answer; from the first audio
//!    bytes received to the first sample handed to the device, and from the server sending them
//!    to the sound heard back on the speaker's monitor.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use speasy_core::providers::ProviderKind;
use speasy_core::providers::openai::{Client, Endpoint, Policy};
use speasy_core::voice::audio::{SPEECH_RATE, level_dbfs};
use speasy_core::voice::capture::{Capture, CaptureEvent, input_devices};
use speasy_core::voice::endpoint::{EndpointConfig, EndpointEvent, Endpointer};
use speasy_core::voice::playback::Speaker;
use speasy_core::voice::read_aloud::ReadAloud;
use speasy_core::voice::stt::{SpeechToText, transcribe};
use speasy_core::voice::tts::{SpeechFormat, TextToSpeech};
use speasy_testkit::{SpeechStub, espeak};

const PHRASE: &str = "What is the weather like in Lisbon tomorrow";
const RUNS: usize = 5;

fn endpoint(stub: &SpeechStub) -> Endpoint {
    Endpoint {
        label: "Speech".into(),
        kind: ProviderKind::Custom,
        base_url: stub.openai_base_url(),
        api_key: Some(SecretString::from("k")),
    }
}

/// This process's CPU time (user + system), from /proc.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    let hz =
        Command::new("getconf").arg("CLK_TCK").output().ok().and_then(|o| {
            String::from_utf8(o.stdout).ok().and_then(|s| s.trim().parse::<u64>().ok())
        });
    Duration::from_millis(ticks * 1000 / hz.unwrap_or(100))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn listening_idle() {
    let (capture, mut events) = Capture::start(None).unwrap();
    let mut endpointer = Endpointer::new(EndpointConfig::default());
    tokio::time::sleep(Duration::from_millis(500)).await;
    while events.try_recv().is_ok() {}
    let (cpu0, t0) = (cpu_time(), Instant::now());
    let until = t0 + Duration::from_secs(10);
    let mut blocks = 0;
    while Instant::now() < until {
        if let Ok(Some(CaptureEvent::Audio(s))) =
            tokio::time::timeout(Duration::from_millis(100), events.recv()).await
        {
            blocks += 1;
            let _ = endpointer.push(&s);
        }
    }
    let (cpu, wall) = (cpu_time() - cpu0, t0.elapsed());
    tokio::task::spawn_blocking(move || capture.stop()).await.unwrap();
    println!(
        "voice-bench cpu-listening-idle {:.2} % of one core ({} ms CPU over {:.1} s, {blocks} blocks from the default microphone)",
        cpu.as_secs_f64() * 100.0 / wall.as_secs_f64(),
        cpu.as_millis(),
        wall.as_secs_f64(),
    );
}

async fn end_of_speech_to_request() {
    let stub = SpeechStub::start().await;
    stub.know(PHRASE, espeak(PHRASE, SPEECH_RATE), SPEECH_RATE);
    let service =
        SpeechToText::OpenAiCompatible { endpoint: endpoint(&stub), model: "whisper-1".into() };
    let client = Client::new(Policy::default()).unwrap();
    let dir = std::env::temp_dir().join(format!("speasy-voice-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wav = dir.join("phrase.wav");
    speasy_testkit::espeak_to_file(PHRASE, 160, &wav);

    // As hands-free listening does: the transcription starts at the pause (after 200 ms of
    // silence), and is kept when the pause becomes the end of the utterance (0.8 s).
    let eager = EndpointConfig::default().eager_silence;
    let frame_ms = 16;
    let silence_counted =
        Duration::from_millis(eager.as_millis().div_ceil(frame_ms) as u64 * frame_ms as u64);
    // Where the speech in the file ends: the played audio's end, seen from outside the detector.
    let (file, file_rate) = speasy_testkit::decode_wav(&std::fs::read(&wav).unwrap()).unwrap();
    let last_loud = file.iter().rposition(|s| s.abs() > 0.02).unwrap_or(file.len());
    let speech_len = Duration::from_secs_f64(last_loud as f64 / f64::from(file_rate));
    let (mut decided, mut from_speech, mut from_played) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (capture, mut events) = Capture::start(None).unwrap();
        let mut endpointer = Endpointer::new(EndpointConfig::default());
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = stub.uploads().len();
        let spawned = Instant::now();
        let play = Command::new("paplay").arg("--device=micfeed").arg(&wav).spawn().unwrap();
        let mut early: Option<(Instant, usize, tokio::task::JoinHandle<String>)> = None;
        let (paused_at, job) = 'listen: loop {
            match events.recv().await.unwrap() {
                CaptureEvent::Audio(s) => {
                    for e in endpointer.push(&s) {
                        match e {
                            EndpointEvent::Pause(u) => {
                                let at = Instant::now();
                                let (client, service) = (client.clone(), service.clone());
                                let len = u.samples.len();
                                let job = tokio::spawn(async move {
                                    transcribe(&client, &service, &u.samples, Some("en"))
                                        .await
                                        .unwrap()
                                });
                                early = Some((at, len, job));
                            }
                            EndpointEvent::Resumed => {
                                if let Some((_, _, job)) = early.take() {
                                    job.abort();
                                }
                            }
                            EndpointEvent::Utterance(u) => {
                                let (at, len, job) = early.take().expect("a pause before the end");
                                assert_eq!(
                                    len,
                                    u.samples.len(),
                                    "the end is the pause's utterance"
                                );
                                break 'listen (at, job);
                            }
                            _ => {}
                        }
                    }
                }
                CaptureEvent::Failed(e) => panic!("{e}"),
                CaptureEvent::Level(_) => {}
            }
        };
        assert_eq!(job.await.unwrap(), PHRASE);
        let upload = stub.uploads()[before].received_at;
        decided.push(upload.duration_since(paused_at).as_secs_f64() * 1000.0);
        // The last voiced frame was the counted silence before the pause was decided.
        let end_of_speech = paused_at - silence_counted;
        from_speech.push(upload.duration_since(end_of_speech).as_secs_f64() * 1000.0);
        // paplay's own start-up delay only makes this later than the real end: an upper bound.
        from_played.push(upload.duration_since(spawned + speech_len).as_secs_f64() * 1000.0);
        let mut play = play;
        play.wait().unwrap();
        tokio::task::spawn_blocking(move || capture.stop()).await.unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "voice-bench pause-decided-to-request median {:.1} ms (runs: {:?})",
        median(decided.clone()),
        decided.iter().map(|v| (v * 10.0).round() / 10.0).collect::<Vec<_>>()
    );
    println!(
        "voice-bench end-of-speech-to-request median {:.0} ms (last voiced frame -> request at the server; {} ms of it is the silence counted before transcribing starts; the utterance ends after {} ms; runs: {:?})",
        median(from_speech.clone()),
        silence_counted.as_millis(),
        EndpointConfig::default().end_silence.as_millis(),
        from_speech.iter().map(|v| v.round()).collect::<Vec<_>>()
    );
    println!(
        "voice-bench played-speech-end-to-request median {:.0} ms (paplay started + the file's last loud sample -> request: an upper bound, paplay's start-up included; runs: {:?})",
        median(from_played.clone()),
        from_played.iter().map(|v| v.round()).collect::<Vec<_>>()
    );
}

async fn first_tts_bytes_to_audio() {
    let stub = SpeechStub::start().await;
    stub.pace_speech(Duration::from_millis(20), Duration::from_millis(30));
    let service = TextToSpeech::OpenAiCompatible {
        endpoint: endpoint(&stub),
        model: "gpt-4o-mini-tts".into(),
        voice: "alloy".into(),
        format: SpeechFormat::Pcm,
    };
    let client = Client::new(Policy::default()).unwrap();
    let speaker = Arc::new(Speaker::open(None).unwrap());
    let monitor =
        input_devices().unwrap().into_iter().find(|d| d.id.contains("spk.monitor")).unwrap();
    let (capture, mut heard) = Capture::start(Some(&monitor.id)).unwrap();
    let (mut to_device, mut to_ear) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        tokio::time::sleep(Duration::from_millis(400)).await;
        while heard.try_recv().is_ok() {}
        let reading = ReadAloud::text(
            Arc::clone(&speaker),
            client.clone(),
            service.clone(),
            &format!("This is sentence number {}.", i + 1),
        );
        let mut first_loud = None;
        while first_loud.is_none() {
            if let Some(CaptureEvent::Audio(b)) = heard.recv().await
                && level_dbfs(&b) > -45.0
            {
                first_loud = Some(Instant::now());
            }
        }
        let reports = reading.finished().await.unwrap();
        let r = &reports[0];
        to_device.push(
            r.first_audio_at.unwrap().duration_since(r.first_bytes_at.unwrap()).as_secs_f64()
                * 1000.0,
        );
        let sent = stub.spoken()[i].first_byte_at.unwrap();
        to_ear.push(first_loud.unwrap().duration_since(sent).as_secs_f64() * 1000.0);
    }
    tokio::task::spawn_blocking(move || capture.stop()).await.unwrap();
    println!(
        "voice-bench first-tts-bytes-to-device median {:.1} ms (runs: {:?})",
        median(to_device.clone()),
        to_device.iter().map(|v| (v * 10.0).round() / 10.0).collect::<Vec<_>>()
    );
    println!(
        "voice-bench server-first-bytes-to-heard-on-monitor median {:.0} ms (includes the device buffer and the monitor capture's own latency; runs: {:?})",
        median(to_ear.clone()),
        to_ear.iter().map(|v| v.round()).collect::<Vec<_>>()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    listening_idle().await;
    end_of_speech_to_request().await;
    first_tts_bytes_to_audio().await;
}
