#!/usr/bin/env bash
# Runs a command inside a throwaway PulseAudio server with virtual devices: a speaker `spk`
# (record what was played from `spk.monitor`) and a microphone `vmic` fed by the sink
# `micfeed` (`paplay --device=micfeed speech.wav` speaks into it). Both are the defaults.
#
#   scripts/with-virtual-audio.sh <command> [args...]
set -euo pipefail
RT="$(mktemp -d)"
chmod 700 "$RT"
export XDG_RUNTIME_DIR="$RT" PULSE_SERVER="unix:$RT/pulse/native"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$RT/pulse/pid" ]] && kill "$(cat "$RT/pulse/pid")" 2>/dev/null || true
  rm -rf "$RT" 2>/dev/null || true
}
trap cleanup EXIT
cat >"$RT/ci.pa" <<'PA'
load-module module-native-protocol-unix auth-anonymous=1
load-module module-null-sink sink_name=spk rate=48000 channels=2
load-module module-null-sink sink_name=micfeed rate=48000 channels=2
load-module module-remap-source master=micfeed.monitor source_name=vmic
set-default-sink spk
set-default-source vmic
PA
HOME="$RT" pulseaudio -D -n -F "$RT/ci.pa" --exit-idle-time=-1 --use-pid-file=yes \
  --log-target="file:$RT/pulse.log"
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null || { cat "$RT/pulse.log" >&2; echo "PulseAudio did not start" >&2; exit 1; }
# Keep the null sinks running: idle, they render in ~2 s blocks and lose the start of streams.
for s in spk micfeed; do
  pacat --playback -d "$s" --latency-msec=20 --raw --format=s16le --rate=48000 --channels=2 /dev/zero &
  pids+=($!)
done
for s in spk micfeed; do pactl suspend-sink "$s" 1; pactl suspend-sink "$s" 0; done
"$@"
