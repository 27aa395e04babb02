/**
 * The sidebar's sync indicator: one line saying whether this device is up to date with the
 * person's other devices (synced when, changes waiting, offline and retrying, stopped), with a
 * button to the account settings. Shown only once sync is set up, so it costs nothing otherwise.
 */
import { useEffect, useState } from "react";
import { CloudCheck, CloudExclamationPoint, CloudOff, CloudSync } from "lucide-react";

import type { SyncStatus } from "../bindings/SyncStatus";
import { onSyncStatus } from "../ipc/sync";
import { syncLine } from "../lib/syncText";

export function SyncIndicator({ onOpen }: { onOpen: () => void }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [, setTick] = useState(0);
  useEffect(() => onSyncStatus(setStatus), []);
  // "Synced 3 min ago" and "retrying in 5 s" age: refresh the words now and then.
  useEffect(() => {
    const timer = window.setInterval(() => setTick((n) => n + 1), status?.state === "retrying" ? 1000 : 30_000);
    return () => window.clearInterval(timer);
  }, [status?.state]);
  if (!status || status.state === "off") return null;
  const line = syncLine(status);
  const Icon =
    status.state === "syncing"
      ? CloudSync
      : status.state === "retrying"
        ? CloudOff
        : status.state === "stopped" || status.state === "signed_out"
          ? CloudExclamationPoint
          : CloudCheck;
  return (
    <button
      type="button"
      className={`sync-indicator sync-${status.state}`}
      onClick={onOpen}
      title={status.error?.message ?? line}
      aria-label={`Sync: ${line}. Open account settings`}
    >
      <Icon size={14} aria-hidden="true" className={status.state === "syncing" ? "spin" : undefined} />
      <span role="status" aria-live="polite">
        {line}
      </span>
    </button>
  );
}
