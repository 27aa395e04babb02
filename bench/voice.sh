#!/usr/bin/env bash
# Voice benchmark: prints figures, never asserts them. Builds crates/speasy-core's
# `voice_bench` example optimised (the `bench` profile) and runs it inside a throwaway
# PulseAudio server with a virtual microphone and speaker (scripts/with-virtual-audio.sh):
#
#   - CPU while listening idle (microphone open, endpointer on silence): target <= 3 % of one core
#   - end of speech (the last voiced frame) -> transcription request at a local speech server,
#     transcribing as hands-free listening does (from the 200 ms pause): <= 300 ms
#   - first TTS bytes -> first sample to the device, and the server's first bytes -> heard on the
#     speaker's monitor: <= 150 ms
#
# Needs pulseaudio, pulseaudio-utils and espeak-ng (scripts/test.sh installs them).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
cargo build --locked --profile bench -p speasy-core --example voice_bench
# (the bench profile builds into release/)
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
out="$(timeout 300 scripts/with-virtual-audio.sh "$TARGET/release/examples/voice_bench")"
echo "$out"
verdict() { # NAME VALUE LIMIT
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "$1: $2 (target <= $3) within target"
  else echo "$1: $2 (target <= $3) OVER target"; fi
}
cpu="$(sed -n 's/^voice-bench cpu-listening-idle \([0-9.]*\) .*/\1/p' <<<"$out")"
req="$(sed -n 's/^voice-bench end-of-speech-to-request median \([0-9.]*\) .*/\1/p' <<<"$out")"
played="$(sed -n 's/^voice-bench played-speech-end-to-request median \([0-9.]*\) .*/\1/p' <<<"$out")"
tts="$(sed -n 's/^voice-bench first-tts-bytes-to-device median \([0-9.]*\) .*/\1/p' <<<"$out")"
ear="$(sed -n 's/^voice-bench server-first-bytes-to-heard-on-monitor median \([0-9.]*\) .*/\1/p' <<<"$out")"
echo "== voice figures =="
verdict "CPU while listening idle, % of one core" "$cpu" 3
verdict "end of speech (last voiced frame) -> transcription request, ms" "$req" 300
echo "end of the played speech -> transcription request: $played ms (an upper bound, for information: it includes paplay's start-up and the capture's own latency)"
verdict "first TTS bytes -> first sample to the device, ms" "$tts" 150
verdict "server's first TTS bytes -> heard on the speaker's monitor, ms" "$ear" 150
