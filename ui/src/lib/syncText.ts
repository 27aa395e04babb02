/** What sync's status says in words: the indicator's line and the account section's summary. */
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";

const TABLE_NOUN = { threads: "conversations", thread_items: "messages", facts: "memories" } as const;

/** "3 min ago", "just now" — `now` in ms, for tests. */
export function ago(at: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(at).toLocaleDateString();
}

const count = (n: number) => n.toLocaleString("en-US");

export function progressText(p: SyncProgress): string {
  if (p.phase === "push") return `Sending changes: ${count(p.done)} of ${count(p.total)}`;
  const noun = TABLE_NOUN[p.table];
  return p.total === undefined ? `Receiving ${noun}: ${count(p.done)}` : `Receiving ${noun}: ${count(p.done)} of ${count(p.total)}`;
}

/** A fraction for a progress bar, when the total is known. */
export function progressFraction(p: SyncProgress): number | null {
  if (p.total === undefined || p.total <= 0) return null;
  return Math.min(1, p.done / p.total);
}

function waiting(n: number): string {
  return n === 1 ? "1 change waiting" : `${count(n)} changes waiting`;
}

/** One line for the sidebar. */
export function syncLine(s: SyncStatus, now: number = Date.now()): string {
  switch (s.state) {
    case "off":
      return "Sync off";
    case "signed_out":
      return s.error ? "Sync paused: sign in again" : "Not signed in";
    case "syncing":
      return s.progress ? progressText(s.progress) : "Syncing…";
    case "retrying": {
      const inS = s.retry_at === undefined ? null : Math.max(1, Math.round((s.retry_at - now) / 1000));
      const base = inS === null ? "Offline, will retry" : `Offline, retrying in ${inS} s`;
      return s.pending > 0 ? `${base} · ${waiting(s.pending)}` : base;
    }
    case "stopped":
      return "Sync stopped: see Settings";
    case "idle":
      if (s.pending > 0) return waiting(s.pending);
      return s.last_synced_at === undefined ? "Waiting to sync" : `Synced ${ago(s.last_synced_at, now)}`;
  }
}
