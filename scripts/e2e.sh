#!/usr/bin/env bash
# End-to-end test: builds the real app with its bundled UI, seeds a data dir through the core,
# starts the scripted OpenAI-compatible provider (speasy-stub), then the app under Xvfb via
# tauri-driver + WebKitWebDriver, and drives it with WebdriverIO (ui/e2e/). Screenshots go to
# $SPEASY_E2E_ARTIFACTS (default: artifacts/e2e, not committed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

say "building the app with its bundled UI (debug)"
"$TAURI" build --debug --no-bundle --ci -- -p speasy >/dev/null
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
export SPEASY_APP_BIN="$target_dir/debug/speasy"
[[ -x "$SPEASY_APP_BIN" ]] || die "no app binary at $SPEASY_APP_BIN"

say "building the scripted provider (speasy-stub)"
cargo build --locked --quiet -p speasy-testkit --bin speasy-stub
STUB_BIN="$target_dir/debug/speasy-stub"

work="$(mktemp -d)"
"$STUB_BIN" >"$work/stub.json" 2>"$work/stub.log" &
stub_pid=$!
trap 'kill $stub_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$work/stub.json" ]] && break; sleep 0.1; done
export SPEASY_STUB_BASE_URL="$(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' "$work/stub.json")"
export SPEASY_STUB_CONTROL_URL="$(sed -n 's/.*"control_url":"\([^"]*\)".*/\1/p' "$work/stub.json")"
[[ -n "$SPEASY_STUB_BASE_URL" && -n "$SPEASY_STUB_CONTROL_URL" ]] || die "speasy-stub did not start: $(cat "$work/stub.log")"
export SPEASY_DATA_DIR="$work/data"
export SPEASY_E2E_ARTIFACTS="${SPEASY_E2E_ARTIFACTS:-$ROOT/artifacts/e2e}"
mkdir -p "$SPEASY_E2E_ARTIFACTS"
say "seeding $SPEASY_DATA_DIR"
cargo run --locked --quiet -p speasy-cli -- --data-dir "$SPEASY_DATA_DIR" seed-demo
export SPEASY_E2E_SEARCH_TERM="lighthouse"
export SPEASY_E2E_SEARCH_EXPECT="lighthouse"
# Keys set by the test go to a throwaway keychain, never the developer's.
export SPEASY_KEYRING_SERVICE="app.speasy.e2e.$$"

cat >"$work/run.sh" <<'INNER'
set -euo pipefail
echo -n speasy | gnome-keyring-daemon --unlock --components=secrets >/dev/null
tauri-driver --native-driver /usr/bin/WebKitWebDriver </dev/null >"$WORK/tauri-driver.log" 2>&1 &
driver=$!
trap 'kill -TERM $driver 2>/dev/null; wait $driver 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break
  sleep 0.1
done
cd "$UI" && npm run e2e --silent
INNER

say "running the end-to-end test under Xvfb"
status=0
mkdir -m 700 "$work/runtime"
HOME="$work" XDG_RUNTIME_DIR="$work/runtime" WORK="$work" UI="$UI" NO_AT_BRIDGE=1 \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 \
  timeout 600 xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$work/run.sh" || status=$?
if ((status != 0)); then
  echo "--- tauri-driver log ---" >&2; tail -50 "$work/tauri-driver.log" >&2 || true
  die "end-to-end test failed (status $status)"
fi
# The session's document portal may still have its FUSE mount in the runtime dir: unmount it
# before removing the folder, and never fail a green run over a temp folder.
for m in "$work"/doc "$work"/runtime/doc; do
  mountpoint -q "$m" 2>/dev/null && { fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; }
done
rm -rf "$work" 2>/dev/null || say "left temporary files in $work"
