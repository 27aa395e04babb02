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
#![allow(clippy::print_stdout)]

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

/// A step that could not run: the bench stops and says why.
type Res<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn endpoint(stub: &SpeechStub) -> Endpoint {
    Endpoint {
        label: "Speech".into(),
        kind: ProviderKind::Custom,
        base_url: stub.openai_base_url(),
        api_key: Some(SecretString::from("k")),
    }
}

/// This process's CPU time (user + system), from /proc.
fn cpu_time() -> Res<Duration> {
    cpu_time_of("self")
}

/// The sound server's pid, when it is the throwaway one `scripts/with-virtual-audio.sh` runs.
fn sound_server() -> Option<String> {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")?;
    let pid = std::fs::read_to_string(std::path::Path::new(&runtime).join("pulse/pid")).ok()?;
    Some(pid.trim().to_owned())
}

/// A process's CPU time (user + system), from /proc.
fn cpu_time_of(pid: &str) -> Res<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(") ").ok_or("/proc/self/stat: no command name")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field =
        |i: usize| -> Res<u64> { Ok(f.get(i).ok_or("/proc/self/stat: too short")?.parse()?) };
    let ticks = field(11)? + field(12)?;
    let hz =
        Command::new("getconf").arg("CLK_TCK").output().ok().and_then(|o| {
            String::from_utf8(o.stdout).ok().and_then(|s| s.trim().parse::<u64>().ok())
        });
    Ok(Duration::from_millis(ticks * 1000 / hz.unwrap_or(100)))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn listening_idle() -> Res {
    let (capture, mut events) = Capture::start(None)?;
    let mut endpointer = Endpointer::new(EndpointConfig::default());
    tokio::time::sleep(Duration::from_millis(500)).await;
    while events.try_recv().is_ok() {}
    let server = sound_server();
    let server0 = server.as_deref().map(cpu_time_of).transpose()?;
    let (cpu0, t0) = (cpu_time()?, Instant::now());
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
    let (cpu, wall) = (cpu_time()? - cpu0, t0.elapsed());
    let server_cpu = match (&server, server0) {
        (Some(pid), Some(before)) => Some(cpu_time_of(pid)? - before),
        _ => None,
    };
    tokio::task::spawn_blocking(move || capture.stop()).await?;
    println!(
        "voice-bench cpu-listening-idle {:.2} % of one core ({} ms CPU over {:.1} s, {blocks} blocks from the default microphone)",
        cpu.as_secs_f64() * 100.0 / wall.as_secs_f64(),
        cpu.as_millis(),
        wall.as_secs_f64(),
    );
    // The server converts the source to the 16 kHz mono the capture asks for: its share, for
    // information (it also runs the virtual devices, and serves whoever else is recording).
    if let Some(server_cpu) = server_cpu {
        println!(
            "voice-bench sound-server-cpu-while-listening {:.2} % of one core ({} ms over the same {:.1} s)",
            server_cpu.as_secs_f64() * 100.0 / wall.as_secs_f64(),
            server_cpu.as_millis(),
            wall.as_secs_f64(),
        );
    }
    Ok(())
}

async fn end_of_speech_to_request() -> Res {
    let stub = SpeechStub::start().await;
    stub.know(PHRASE, espeak(PHRASE, SPEECH_RATE), SPEECH_RATE);
    let service =
        SpeechToText::OpenAiCompatible { endpoint: endpoint(&stub), model: "whisper-1".into() };
    let client = Client::new(Policy::default())?;
    let dir = std::env::temp_dir().join(format!("speasy-voice-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let wav = dir.join("phrase.wav");
    speasy_testkit::espeak_to_file(PHRASE, 160, &wav);

    // As hands-free listening does: the transcription starts at the pause (after 200 ms of
    // silence), and is kept when the pause becomes the end of the utterance (0.8 s).
    let eager = EndpointConfig::default().eager_silence;
    let frame_ms = 16;
    let silence_counted =
        Duration::from_millis(eager.as_millis().div_ceil(frame_ms) as u64 * frame_ms as u64);
    // Where the speech in the file ends: the played audio's end, seen from outside the detector.
    let (file, file_rate) =
        speasy_testkit::decode_wav(&std::fs::read(&wav)?).ok_or("espeak wrote no WAV")?;
    let last_loud = file.iter().rposition(|s| s.abs() > 0.02).unwrap_or(file.len());
    let speech_len = Duration::from_secs_f64(last_loud as f64 / f64::from(file_rate));
    let (mut decided, mut from_speech, mut from_played) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (capture, mut events) = Capture::start(None)?;
        let mut endpointer = Endpointer::new(EndpointConfig::default());
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = stub.uploads().len();
        let spawned = Instant::now();
        let play = Command::new("paplay").arg("--device=micfeed").arg(&wav).spawn()?;
        let mut early: Option<(Instant, usize, tokio::task::JoinHandle<Res<String>>)> = None;
        let (paused_at, job) = 'listen: loop {
            match events.recv().await.ok_or("the capture stopped")? {
                CaptureEvent::Audio(s) => {
                    for e in endpointer.push(&s) {
                        match e {
                            EndpointEvent::Pause(u) => {
                                let at = Instant::now();
                                let (client, service) = (client.clone(), service.clone());
                                let len = u.samples.len();
                                let job = tokio::spawn(async move {
                                    Ok(transcribe(&client, &service, &u.samples, Some("en"))
                                        .await?)
                                });
                                early = Some((at, len, job));
                            }
                            EndpointEvent::Resumed => {
                                if let Some((_, _, job)) = early.take() {
                                    job.abort();
                                }
                            }
                            EndpointEvent::Utterance(u) => {
                                let (at, len, job) = early
                                    .take()
                                    .ok_or("an utterance ended with no pause before")?;
                                if len != u.samples.len() {
                                    return Err("the end is not the pause's utterance".into());
                                }
                                break 'listen (at, job);
                            }
                            _ => {}
                        }
                    }
                }
                CaptureEvent::Failed(e) => return Err(e.into()),
                CaptureEvent::Level(_) => {}
            }
        };
        let heard = job.await??;
        if heard != PHRASE {
            return Err(format!("transcribed {heard:?}, not {PHRASE:?}").into());
        }
        let upload = stub.uploads().get(before).ok_or("no upload reached the server")?.received_at;
        decided.push(upload.duration_since(paused_at).as_secs_f64() * 1000.0);
        // The last voiced frame was the counted silence before the pause was decided.
        let end_of_speech = paused_at - silence_counted;
        from_speech.push(upload.duration_since(end_of_speech).as_secs_f64() * 1000.0);
        // paplay's own start-up delay only makes this later than the real end: an upper bound.
        from_played.push(upload.duration_since(spawned + speech_len).as_secs_f64() * 1000.0);
        let mut play = play;
        play.wait()?;
        tokio::task::spawn_blocking(move || capture.stop()).await?;
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
    Ok(())
}

async fn first_tts_bytes_to_audio() -> Res {
    let stub = SpeechStub::start().await;
    stub.pace_speech(Duration::from_millis(20), Duration::from_millis(30));
    let service = TextToSpeech::OpenAiCompatible {
        endpoint: endpoint(&stub),
        model: "gpt-4o-mini-tts".into(),
        voice: "alloy".into(),
        format: SpeechFormat::Pcm,
    };
    let client = Client::new(Policy::default())?;
    let speaker = Arc::new(Speaker::open(None)?);
    let monitor = input_devices()?
        .into_iter()
        .find(|d| d.id.contains("spk.monitor"))
        .ok_or("no spk.monitor source: run under scripts/with-virtual-audio.sh")?;
    let (capture, mut heard) = Capture::start(Some(&monitor.id))?;
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
        let first_loud = loop {
            match heard.recv().await.ok_or("the monitor capture stopped")? {
                CaptureEvent::Audio(b) if level_dbfs(&b) > -45.0 => break Instant::now(),
                _ => {}
            }
        };
        let reports = reading.finished().await?;
        let r = reports.first().ok_or("the reading reported no sentence")?;
        let (bytes, audio) = r.first_bytes_at.zip(r.first_audio_at).ok_or("nothing was played")?;
        to_device.push(audio.duration_since(bytes).as_secs_f64() * 1000.0);
        let sent = stub
            .spoken()
            .get(i)
            .and_then(|s| s.first_byte_at)
            .ok_or("the speech server sent nothing")?;
        to_ear.push(first_loud.duration_since(sent).as_secs_f64() * 1000.0);
    }
    tokio::task::spawn_blocking(move || capture.stop()).await?;
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
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Res {
    listening_idle().await?;
    end_of_speech_to_request().await?;
    first_tts_bytes_to_audio().await
}
