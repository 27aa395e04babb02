#!/usr/bin/env bash
# Runs every test: formatting, lints, Rust tests (including the real-keychain ones), the UI
# typecheck and unit tests, and an end-to-end smoke test of the real app under Xvfb through
# tauri-driver + WebKitWebDriver. Installs what it needs first (idempotent).
#
#   scripts/test.sh            everything
#   SPEASY_SKIP_E2E=1 ...      everything but the end-to-end test and the desktop benchmark
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
start=$SECONDS

system_deps "${APT_TEST[@]}"
rust_deps
node_deps
python_deps
[[ -n "${SPEASY_SKIP_E2E:-}" ]] || tauri_driver_deps

say "cargo fmt --check"
cargo fmt --all --check

say "UI build (the app embeds ui/dist)"
(cd "$UI" && npm run build --silent)

say "cargo clippy (all crates, all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "Rust tests (the chat scenarios record what they put on the wire)"
CONFORMANCE="$(mktemp -d)"
SPEASY_CONFORMANCE_DIR="$CONFORMANCE" cargo test --locked

say "ChatKit conformance: openai-chatkit $CHATKIT_PY_VERSION's models, strict mode"
VALIDATOR="$ROOT/../shared/tools/validate_chatkit.py"
[[ -f "$VALIDATOR" ]] || die "missing $VALIDATOR (CI runs with ../shared beside the clone)"
for kind in event item widget request; do
  files=("$CONFORMANCE/$kind".*.jsonl)
  [[ -e "${files[0]}" ]] || die "the chat scenarios recorded no $kind: the conformance check would prove nothing"
  lines=$(cat "${files[@]}" | wc -l)
  result="$(cat "${files[@]}" | "$VENV/bin/python" "$VALIDATOR" --kind "$kind" | tail -1)"
  printf '    %-8s %6d lines: %s\n' "$kind" "$lines" "$result" >&2
  [[ "$result" == *" 0 failed" ]] || { cat "${files[@]}" | "$VENV/bin/python" "$VALIDATOR" --kind "$kind" | head -40 >&2; die "ChatKit conformance failed for $kind"; }
done
rm -rf "$CONFORMANCE"
# The UI's golden widget fixtures (what vitest renders) must be valid ChatKit widgets too.
fixtures=("$UI"/src/widgets/fixtures/*.json)
result="$("$VENV/bin/python" -c 'import json, sys
for f in sys.argv[1:]: print(json.dumps(json.load(open(f))))' "${fixtures[@]}" \
  | "$VENV/bin/python" "$VALIDATOR" --kind widget | tail -1)"
printf '    %-8s %6d files: %s\n' "UI widget fixtures" "${#fixtures[@]}" "$result" >&2
[[ "$result" == *" 0 failed" && "$result" != "0 passed"* ]] || die "the UI's widget fixtures are not valid ChatKit widgets: $result"

say "chat engine benchmark (figures printed, never asserted)"
SPEASY_BENCH_RUNS="${SPEASY_BENCH_RUNS:-7}" cargo bench --locked -p speasy-core --bench stream

say "sync: a 100,000-message first push and pull through the Supabase stand-in, one change's round trip (figures printed, never asserted; the first sync must be whole)"
cargo run --release --locked -q -p speasy-core --example sync_bench

say "TypeScript bindings are up to date"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  changed="$(git -C "$ROOT" status --porcelain -- ui/src/bindings)"
  [[ -z "$changed" ]] || die "ui/src/bindings differs from what ts-rs generates (commit the regenerated files):
$changed"
fi

# test_binary NAME: the path of speasy-core's integration-test binary NAME (built already), to
# run it inside an environment of its own.
test_binary() {
  local bin
  bin="$(cargo test --locked -p speasy-core --test "$1" --no-run --message-format=json 2>/dev/null \
    | sed -n "s/.*\"executable\":\"\([^\"]*$1[^\"]*\)\".*/\1/p" | tail -1)"
  [[ -x "$bin" ]] || die "could not build the $1 test"
  printf '%s\n' "$bin"
}

say "keychain: Secret Service (gnome-keyring in a throwaway home)"
KEYRING_TEST="$(test_binary keyring_backends)"
khome="$(mktemp -d)"; krun="$(mktemp -d)"; chmod 700 "$krun"
HOME="$khome" XDG_RUNTIME_DIR="$krun" timeout 120 dbus-run-session -- bash -c \
  'echo -n speasy | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$0" --ignored --exact secret_service_round_trip' \
  "$KEYRING_TEST"
say "keychain: kernel keyutils fallback (no D-Bus session)"
env -u DBUS_SESSION_BUS_ADDRESS timeout 60 keyctl session - "$KEYRING_TEST" --ignored --exact keyutils_fallback_when_no_secret_service
rm -rf "$khome" "$krun" 2>/dev/null || true

say "voice: capture from a virtual microphone (PulseAudio), endpointing, transcription"
VOICE_TEST="$(test_binary voice)"
timeout 120 "$ROOT/scripts/with-virtual-audio.sh" "$VOICE_TEST" --ignored --nocapture --skip with_no_microphone
say "voice: no microphone at all (no sound server, no ALSA device) is a clear error"
: >"${TMPDIR:-/tmp}/speasy-no-alsa.conf"
PULSE_SERVER=unix:/nonexistent ALSA_CONFIG_PATH="${TMPDIR:-/tmp}/speasy-no-alsa.conf" \
  timeout 60 "$VOICE_TEST" --ignored --nocapture --exact with_no_microphone_starting_a_capture_fails_with_a_clear_error
say "voice: spoken answers on a virtual speaker, recorded back from its monitor"
SPEECH_OUT_TEST="$(test_binary speech_out)"
timeout 120 "$ROOT/scripts/with-virtual-audio.sh" "$SPEECH_OUT_TEST" --ignored --nocapture --test-threads=1
say "voice: a hands-free conversation through the core (transcript -> turn -> spoken answer -> barge-in), and the offline system voice (one at a time: both play on the one virtual speaker)"
VOICE_CORE_TEST="$(test_binary voice_core)"
timeout 120 "$ROOT/scripts/with-virtual-audio.sh" "$VOICE_CORE_TEST" --ignored --nocapture --test-threads=1
say "voice benchmark: CPU while listening, end of speech -> request, first TTS bytes -> audio (figures printed, never asserted)"
"$ROOT/bench/voice.sh"

say "UI typecheck and unit tests"
(cd "$UI" && npm run typecheck --silent && npm test --silent)

if [[ -n "${SPEASY_SKIP_E2E:-}" ]]; then
  say "skipping the end-to-end test and the desktop benchmark (SPEASY_SKIP_E2E is set)"
else
  "$ROOT/scripts/e2e.sh"
  say "desktop benchmark: start-up, idle memory, .deb size (figures printed, never asserted)"
  "$ROOT/bench/desktop.sh"
fi

say "all tests passed in $((SECONDS - start)) s"
