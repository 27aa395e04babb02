#!/usr/bin/env bash
# Builds and runs the Speasy desktop app. Installs what it needs first (idempotent).
#
#   scripts/run.sh          release build, then start it
#   scripts/run.sh --dev    development mode: Vite dev server with hot reload + debug build
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# The app itself also uses Speech Dispatcher (with espeak-ng) as its offline voice.
system_deps speech-dispatcher speech-dispatcher-espeak-ng
rust_deps
node_deps

if [[ "${1:-}" == "--dev" ]]; then
  exec "$TAURI" dev -- -p speasy
fi
say "building Speasy (release; the first build takes several minutes)"
"$TAURI" build --no-bundle --ci -- -p speasy
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
say "starting $target_dir/release/speasy"
exec "$target_dir/release/speasy"
