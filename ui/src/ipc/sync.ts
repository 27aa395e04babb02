/**
 * Sync's status from the core: one channel (`sync_events`) that sends the status at once and
 * then at every change. It is opened only once sync is set up (a project is configured) or the
 * account section is shown: a channel costs the shell a script engine, which a person who never
 * syncs should not pay. Listeners come and go; the channel stays for the life of the window.
 */
import { Channel, invoke } from "@tauri-apps/api/core";

import type { SyncStatus } from "../bindings/SyncStatus";
import { toSpeasyError } from "./errors";

type Listener = (status: SyncStatus) => void;

const listeners = new Set<Listener>();
let opened = false;
let latest: SyncStatus | null = null;

function open(): void {
  if (opened) return;
  opened = true;
  const channel = new Channel<SyncStatus>();
  channel.onmessage = (status) => {
    latest = status;
    for (const listener of [...listeners]) listener(status);
  };
  // The command runs as long as the window listens; it resolves only when the core stops.
  invoke("sync_events", { onEvent: channel }).catch((reason: unknown) => {
    opened = false;
    console.warn("sync status channel closed", toSpeasyError(reason).message);
  });
}

/** Listen to sync's status (the current one first, when known); returns the function that stops. */
export function onSyncStatus(listener: Listener): () => void {
  listeners.add(listener);
  open();
  if (latest) listener(latest);
  return () => listeners.delete(listener);
}

/** For tests: forget the channel, as a new window would. */
export function resetSyncChannel(): void {
  opened = false;
  latest = null;
  listeners.clear();
}
