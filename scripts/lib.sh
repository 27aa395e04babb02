# Shared helpers for scripts/run.sh and scripts/test.sh (sourced, not run).
# Everything here is idempotent: it checks first and installs only what is missing.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UI="$ROOT/ui"
TAURI="$UI/node_modules/.bin/tauri"
NODE_MIN="20.19"
TAURI_DRIVER_VERSION="2.1.0"
CHATKIT_PY_VERSION="1.6.5" # openai-chatkit, whose pydantic models check our ChatKit output
VENV="${SPEASY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/speasy-venv}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Debian/Ubuntu packages needed to build and run the Tauri app.
APT_BUILD=(build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev libasound2-dev libpulse-dev
  libspeechd-dev libclang-dev)
# ...and to test it headless: a virtual display, WebKit's WebDriver, a real keychain, a
# PulseAudio server for virtual microphones and speakers, synthetic speech, and PostgreSQL for
# the sync schema (the tests run their own throwaway server; the package's service is not used).
APT_TEST=(xvfb xauth dbus dbus-x11 webkit2gtk-driver fonts-dejavu-core gnome-keyring
  libsecret-tools keyutils procps imagemagick python3 python3-venv
  pulseaudio pulseaudio-utils libasound2-plugins espeak-ng
  speech-dispatcher speech-dispatcher-espeak-ng postgresql)

is_debian_like() { [[ -r /etc/debian_version ]] && command -v apt-get >/dev/null; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"; fi
}

# apt_ensure PKG...: install the packages that are not installed yet.
apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

system_deps() {
  if is_debian_like; then
    apt_ensure "${APT_BUILD[@]}" "$@"
  else
    case "$(uname -s)" in
      Darwin) say "macOS: needs Xcode Command Line Tools (xcode-select --install), Rust (rustup) and Node.js >= $NODE_MIN." ;;
      MINGW*|MSYS*|CYGWIN*) say "Windows: needs the MSVC build tools, WebView2 (preinstalled on Windows 10/11), Rust (rustup) and Node.js >= $NODE_MIN." ;;
      *) say "not Debian/Ubuntu: install the Tauri prerequisites for your OS (https://v2.tauri.app/start/prerequisites/)." ;;
    esac
  fi
}

version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]; }

rust_deps() {
  command -v cargo >/dev/null || die "Rust is not installed: install it with rustup (https://rustup.rs), then re-run."
  for c in rustfmt clippy; do
    if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
      say "adding rustup component $c"
      rustup component add "$c"
    fi
  done
}

node_deps() {
  local v=""
  command -v node >/dev/null && v="$(node -p 'process.versions.node')"
  if [[ -z "$v" ]] || ! version_ge "$v" "$NODE_MIN"; then
    if is_debian_like && [[ -z "$v" ]]; then apt_ensure nodejs npm; v="$(node -p 'process.versions.node')"; fi
    version_ge "${v:-0}" "$NODE_MIN" || die "Node.js >= $NODE_MIN is needed (found ${v:-none}): install it from nodejs.org, NodeSource or nvm, then re-run."
  fi
  # Reinstall UI packages only when package.json or the lockfile changed since the last install.
  local stamp="$UI/node_modules/.speasy-installed"
  if [[ ! -f "$stamp" || "$UI/package.json" -nt "$stamp" || "$UI/package-lock.json" -nt "$stamp" ]]; then
    say "installing UI packages (npm install)"
    (cd "$UI" && npm install --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}

tauri_driver_deps() {
  # tauri-driver has no --version: ask cargo what it installed.
  if ! command -v tauri-driver >/dev/null \
    || ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    say "installing tauri-driver $TAURI_DRIVER_VERSION (cargo install)"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION" --quiet
  fi
}

# A Python venv with openai-chatkit (the conformance check validates our wire output with the
# official SDK's own models).
python_deps() {
  command -v python3 >/dev/null || die "python3 is needed for the ChatKit conformance check"
  if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('openai-chatkit') != '$CHATKIT_PY_VERSION')" 2>/dev/null; then
    say "installing openai-chatkit $CHATKIT_PY_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "openai-chatkit==$CHATKIT_PY_VERSION"
  fi
}
