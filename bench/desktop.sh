#!/usr/bin/env bash
# Desktop benchmark: the release app against an empty Tauri app built the same way.
#
# Prints figures, never asserts them (a bench is not a test): each target is printed beside the
# measured value with "within target" or "OVER target". Exits non-zero only when something
# failed to build or run. What it does:
#
#   1. builds Speasy in release with its .deb (`tauri build --ci --bundles deb -- -p speasy`)
#      and the baseline in bench/empty-app (`tauri build --ci --no-bundle`): same Tauri CLI,
#      same tauri crate and features, the workspace's release profile;
#   2. seeds a fresh data dir with $BENCH_THREADS threads (default 10,000) of 4 messages through
#      the core (`speasy-cli seed-bench`, debug build: it is only the setup);
#   3. under one Xvfb (1280x800x24) and one D-Bus session, launches each app once to warm the
#      caches (not counted), then, alternating between the apps:
#      - start-up, $BENCH_RUNS launches each (default 31): wall time from spawn to the
#        `speasy-painted <ms>` line that the app prints on stdout (with SPEASY_STARTUP_PROBE=1)
#        once its UI called `ui_painted` after the first painted frame (Speasy: the thread list;
#        the baseline: an empty page). Both apps also print their milestones (window created,
#        page load, the page's own `performance.mark`s) as `speasy-mark <ms> <name>`, shown as
#        a median timeline. A window shown before its page loaded stalls about 500 ms here in a
#        quarter to a third of the launches (WebKitGTK's first draw waits for the page, whose
#        files that blocked thread serves; Speasy shows its window when the page is ready),
#        hence many launches and medians; the report counts the late launches of each app and
#        gives the figures without them;
#      - idle memory, $BENCH_MEM_RUNS launches each (default 3): $BENCH_IDLE s (default 5)
#        after the painted line, RSS, PSS and USS (private) from /proc/PID/smaps_rollup summed
#        over the app and all its descendants (WebKitWebProcess, WebKitNetworkProcess, ...);
#      each launch is then stopped (SIGTERM, and SIGKILL for anything left), so the next launch
#      is a first instance again (the app has a single-instance plugin);
#   4. prints medians (and min/max for start-up) against the targets: start <= 1.2 x the empty
#      app's, memory (PSS, RSS and USS each) <= the empty app's + 40 MB, .deb <= 10 MB
#      (MB = 10^6 bytes).
#
#   bench/desktop.sh                              build, seed, measure
#   BENCH_RUNS=31 BENCH_IDLE=10 bench/desktop.sh  more launches, a longer idle wait
#   BENCH_SKIP_BUILD=1 bench/desktop.sh           measure the binaries already built
#   (knobs are whole numbers; BENCH_MEM_RUNS=3, BENCH_THREADS=10000 and BENCH_TIMEOUT=60 s are
#   the others)
#   BENCH_SKIP_BUILD=1 BENCH_APP_BIN=target/debug/speasy bench/desktop.sh
#                                                 another build of Speasy (say `tauri build
#                                                 --debug`, quicker to rebuild while working
#                                                 on the UI: compare its timeline, not its ratio)
#
# Needs what scripts/test.sh installs (the UI's node_modules for the Tauri CLI, xvfb, dbus,
# python3); downloads nothing itself. Honours CARGO_TARGET_DIR. Each app gets its own HOME (kept
# across its runs, like a user's) under a temporary folder, removed at the end.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
start=$SECONDS

RUNS="${BENCH_RUNS:-31}"
MEM_RUNS="${BENCH_MEM_RUNS:-3}"
IDLE="${BENCH_IDLE:-5}"
THREADS="${BENCH_THREADS:-10000}"
TIMEOUT="${BENCH_TIMEOUT:-60}"

[[ -x "$TAURI" ]] || die "no Tauri CLI at $TAURI: install the UI packages first (scripts/test.sh or npm install in ui/)"
for tool in xvfb-run dbus-run-session python3; do
  command -v "$tool" >/dev/null || die "$tool is needed (scripts/test.sh installs it)"
done
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
app_bin="${BENCH_APP_BIN:-$target_dir/release/speasy}"
empty_bin="$target_dir/release/speasy-bench-empty"
deb_dir="$target_dir/release/bundle/deb"

if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  say "building Speasy in release with its .deb (tauri build --bundles deb)"
  rm -f "$deb_dir"/*.deb
  t=$SECONDS
  "$TAURI" build --ci --bundles deb -- -p speasy --locked >&2
  say "  built in $((SECONDS - t)) s"
  say "building the empty Tauri app in release (bench/empty-app, tauri build --no-bundle)"
  t=$SECONDS
  (cd "$ROOT/bench/empty-app" && "$TAURI" build --ci --no-bundle -- -p speasy-bench-empty --locked >&2)
  say "  built in $((SECONDS - t)) s"
fi
[[ -x "$app_bin" ]] || die "no app binary at $app_bin"
[[ -x "$empty_bin" ]] || die "no empty-app binary at $empty_bin"
debs=("$deb_dir"/*.deb)
[[ -f "${debs[0]}" ]] || die "no .deb in $deb_dir"
deb="$(ls -t "${debs[@]}" | head -1)"

work="$(mktemp -d)"
cleanup() {
  for m in "$work"/runtime/doc "$work"/home-*/.cache/doc; do
    mountpoint -q "$m" 2>/dev/null && { fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; }
  done
  rm -rf "$work" 2>/dev/null || say "left temporary files in $work"
}
trap cleanup EXIT

say "seeding $THREADS threads through the core (speasy-cli seed-bench, debug build)"
cargo build --locked --quiet -p speasy-cli
"$target_dir/debug/speasy-cli" --data-dir "$work/data" seed-bench --threads "$THREADS" --messages-per-thread 4

cat >"$work/measure.py" <<'PY'
"""Launch both apps in turn, time start-up to `speasy-painted`, sample idle memory, print."""
import os, select, signal, statistics, subprocess, sys, time

env = os.environ
runs, mem_runs = int(env["RUNS"]), int(env["MEM_RUNS"])
idle, timeout = float(env["IDLE"]), float(env["TIMEOUT"])
work = env["WORK"]
apps = [("empty Tauri app", env["EMPTY_BIN"]), ("Speasy", env["APP_BIN"])]

def children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return kids

def tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out

def rollup(pid):
    """(name, rss_kib, pss_kib, uss_kib) of one process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            name = f.read().strip()
        vals = {}
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                    vals[k] = int(rest.split()[0])
        uss = vals.get("Private_Clean", 0) + vals.get("Private_Dirty", 0)
        return name, vals.get("Rss", 0), vals.get("Pss", 0), uss
    except OSError:
        return None

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1].split()[0] != "Z"
    except OSError:
        return False

def launch(label, binary, n, idle):
    home = os.path.join(work, "home-" + os.path.basename(binary))
    os.makedirs(home, exist_ok=True)
    child_env = dict(env, HOME=home, SPEASY_STARTUP_PROBE="1")
    log = open(os.path.join(work, f"{os.path.basename(binary)}.{n}.log"), "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen([binary], env=child_env, stdout=subprocess.PIPE, stderr=log,
                            stdin=subprocess.DEVNULL, cwd=home)
    wall = own = None
    marks = {}
    buf = b""
    deadline = t0 + timeout
    while own is None:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            break
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.startswith(b"speasy-mark "):
                _, ms, name = line.decode(errors="replace").split(" ", 2)
                marks[name] = float(ms)
            if line.startswith(b"speasy-painted ") and own is None:
                wall = (time.monotonic() - t0) * 1000
                own = float(line.split()[1])
    if own is None:
        stop(proc)
        log.close()
        sys.exit(f"{label} did not report a painted UI within {timeout:.0f} s "
                 f"(exit status {proc.poll()}); its log: {log.name}")
    if not idle:
        stop(proc)
        log.close()
        return {"wall": wall, "own": own, "marks": marks}
    time.sleep(idle)
    procs = [r for r in map(rollup, tree(proc.pid)) if r]
    stop(proc)
    log.close()
    rss = sum(r[1] for r in procs) * 1024
    pss = sum(r[2] for r in procs) * 1024
    uss = sum(r[3] for r in procs) * 1024
    names = sorted({r[0] for r in procs})
    return {"wall": wall, "own": own, "rss": rss, "pss": pss, "uss": uss, "procs": len(procs),
            "names": names}

def stop(proc):
    pids = tree(proc.pid)
    proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (proc.poll() is None or any(map(alive, pids[1:]))):
        time.sleep(0.05)
    for p in pids:
        if alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    proc.wait()

def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])

load_before = loadavg()
progress = os.fdopen(3, "w", buffering=1)  # the terminal: stderr is the session's log
starts = {label: [] for label, _ in apps}
results = {label: [] for label, _ in apps}
for label, binary in apps:
    launch(label, binary, 0, 0)  # warm-up: page cache, font cache, WebKit's first-run files
for n in range(1, runs + 1):
    for label, binary in apps:
        r = launch(label, binary, n, 0)
        starts[label].append(r)
        print(f"    start-up {n:2} {label:>15}: {r['wall']:7.1f} ms (own {r['own']:7.1f} ms)",
              file=progress)
for n in range(1, mem_runs + 1):
    for label, binary in apps:
        r = launch(label, binary, f"mem{n}", idle)
        results[label].append(r)
        print(f"    memory {n} {label:>15}: RSS {r['rss'] / 1e6:5.1f}  PSS {r['pss'] / 1e6:5.1f}  "
              f"USS {r['uss'] / 1e6:5.1f} MB  ({r['procs']} processes)", file=progress)

report = open(os.path.join(work, "report.txt"), "w")
def out(line=""):
    print(line, file=report)

MB = 1e6
E, A = "empty Tauri app", "Speasy"
def verdict(ok):
    return "within target" if ok else "OVER target"
def med(label, key, rows=None):
    return statistics.median(r[key] for r in (rows or results)[label])
def span(label, key):
    xs = [r[key] for r in starts[label]]
    return min(xs), max(xs)

out(f"Desktop benchmark: {runs} start-up and {mem_runs} memory launches of each app after one"
    f" warm-up; {env['THREADS']} threads seeded; idle memory {idle:g} s after first paint;"
    " MB = 10^6 bytes")
out(f"Load average before: {load_before}, after: {loadavg()} ({os.cpu_count()} CPUs; a busy"
    " machine makes start-up figures noisy)")
out()
out("Start-up: spawn -> first frame painted, as reported by the UI (ms)")
out(f"  {'':<16} {'median':>8} {'min':>8} {'max':>8}   {'own median':>10}")
for label in (E, A):
    lo, hi = span(label, "wall")
    out(f"  {label:<16} {med(label, 'wall', starts):8.1f} {lo:8.1f} {hi:8.1f}   "
        f"{med(label, 'own', starts):10.1f}")
ratio = med(A, "wall", starts) / med(E, "wall", starts)
out(f"  Speasy / empty: {ratio:.2f} x          target <= 1.20 x: {verdict(ratio <= 1.2)}")
out("  (own: the app's figure, from its main() to the UI's report)")
# A late launch: about 0.5 s more between the window's creation and the page's navigation start
# (about 150 ms otherwise): the stall of a window drawn before its page loaded (see the top).
def on_time(label):
    return [r for r in starts[label]
            if r["marks"].get("ui: navigation start", 0) - r["marks"].get("window created", 0) < 300]
late = {label: runs - len(on_time(label)) for label in (E, A)}
out(f"  The window stalled ~0.5 s before its page started in {late[E]} of {runs} launches of the"
    f" empty app and {late[A]} of Speasy's.")
if on_time(E) and on_time(A):
    e_ok, a_ok = (statistics.median(r["wall"] for r in on_time(label)) for label in (E, A))
    out(f"  The other launches only (for information): {e_ok:.1f} and {a_ok:.1f} ms,"
        f" {a_ok / e_ok:.2f} x")
out()
out("Start-up timeline: median ms since main() of each milestone over the launches whose page"
    " started on time (ui: the page's own marks)")
for label in (E, A):
    names = {}
    for r in on_time(label) or starts[label]:
        for name, ms in r["marks"].items():
            names.setdefault(name, []).append(ms)
    names["first frame painted (reported)"] = [r["own"] for r in on_time(label) or starts[label]]
    out(f"  {label}")
    for name, xs in sorted(names.items(), key=lambda kv: statistics.median(kv[1])):
        out(f"    {statistics.median(xs):8.1f}  {name}")
out()
out("Idle memory: the app and all its descendants, median (MB)")
out("  (USS: private pages; PSS: USS + each shared page divided by how many processes map it.")
out("  Both count library pages by who else on the machine maps them: another WebKit app")
out("  running at the same time lowers them for both apps. RSS does not depend on that.)")
out(f"  {'':<16} {'RSS':>8} {'PSS':>8} {'USS':>8}   processes")
for label in (E, A):
    names = sorted({n for r in results[label] for n in r["names"]})
    out(f"  {label:<16} {med(label, 'rss') / MB:8.1f} {med(label, 'pss') / MB:8.1f} "
        f"{med(label, 'uss') / MB:8.1f}   "
        f"{', '.join(names)}")
for key in ("pss", "rss", "uss"):
    d = (med(A, key) - med(E, key)) / MB
    out(f"  {key.upper()} Speasy - empty: {d:+7.1f} MB    target <= +40 MB: {verdict(d <= 40)}")
out()
out("Sizes")
deb, app, empty = int(env["DEB_BYTES"]), int(env["APP_BYTES"]), int(env["EMPTY_BYTES"])
out(f"  .deb           {deb:>12,} bytes = {deb / MB:6.2f} MB   target <= 10 MB: "
    f"{verdict(deb <= 10 * MB)}")
out(f"                 {env['DEB_PATH']}")
out(f"  Speasy binary  {app:>12,} bytes = {app / MB:6.2f} MB")
out(f"  empty binary   {empty:>12,} bytes = {empty / MB:6.2f} MB")
PY

cat >"$work/session.sh" <<'INNER'
set -euo pipefail
# A keychain for the session, as the app may look for one (throwaway, unlocked).
if command -v gnome-keyring-daemon >/dev/null; then
  echo -n speasy | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
fi
exec python3 "$WORK/measure.py"
INNER

say "launching each app $RUNS times for start-up and $MEM_RUNS for memory (plus one warm-up) under Xvfb"
mkdir -m 700 "$work/runtime" "$work/session-home"
status=0
HOME="$work/session-home" XDG_RUNTIME_DIR="$work/runtime" WORK="$work" NO_AT_BRIDGE=1 \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 SPEASY_DATA_DIR="$work/data" \
  SPEASY_KEYRING_SERVICE="app.speasy.bench.$$" SPEASY_LOG="${SPEASY_LOG:-info}" \
  RUNS="$RUNS" MEM_RUNS="$MEM_RUNS" IDLE="$IDLE" TIMEOUT="$TIMEOUT" THREADS="$THREADS" \
  APP_BIN="$app_bin" EMPTY_BIN="$empty_bin" DEB_PATH="$deb" \
  DEB_BYTES="$(stat -c %s "$deb")" APP_BYTES="$(stat -c %s "$app_bin")" \
  EMPTY_BYTES="$(stat -c %s "$empty_bin")" \
  timeout $(((RUNS + MEM_RUNS + 1) * 2 * (TIMEOUT + 10) + MEM_RUNS * 2 * IDLE + 120)) \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$work/session.sh" \
  3>&2 >"$work/session.log" 2>&1 || status=$?
if ((status != 0)); then
  echo "--- session log (last 40 lines) ---" >&2; tail -40 "$work/session.log" >&2 || true
  for f in "$work"/*.log; do
    [[ "$f" == */session.log ]] && continue
    echo "--- $(basename "$f") (last 15 lines) ---" >&2; tail -15 "$f" >&2 || true
  done
  die "the benchmark run failed (status $status)"
fi
say "done in $((SECONDS - start)) s"
echo
cat "$work/report.txt"
