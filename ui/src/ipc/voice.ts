/**
 * Voice events from the core: one channel (`voice_events`) carrying listening state, levels,
 * transcripts, speaking and errors. It is opened the first time voice is used, not at start:
 * a channel costs the shell a script engine, which a session that never speaks should not pay.
 * Listeners come and go; the channel stays for the life of the window.
 */
import { Channel, invoke } from "@tauri-apps/api/core";

import type { VoiceEvent } from "../bindings/VoiceEvent";
import { toSpeasyError } from "./errors";

type Listener = (event: VoiceEvent) => void;

const listeners = new Set<Listener>();
let opened = false;

function open(): void {
  if (opened) return;
  opened = true;
  const channel = new Channel<VoiceEvent>();
  channel.onmessage = (event) => {
    for (const listener of [...listeners]) listener(event);
  };
  // The command runs as long as the window listens; it resolves only when the core stops.
  invoke("voice_events", { onEvent: channel }).catch((reason: unknown) => {
    opened = false;
    const error = toSpeasyError(reason);
    for (const listener of [...listeners]) listener({ type: "error", error: error.toApiError() });
  });
}

/** Listen to voice events; returns the function that stops listening. */
export function onVoiceEvent(listener: Listener): () => void {
  listeners.add(listener);
  open();
  return () => listeners.delete(listener);
}

/** For tests: forget the channel, as a new window would. */
export function resetVoiceChannel(): void {
  opened = false;
  listeners.clear();
}
