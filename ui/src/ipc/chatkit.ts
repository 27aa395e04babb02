/**
 * ChatKit requests and Speasy's own `speasy.*` operations, over the core's single `chatkit`
 * command. JSON requests resolve with their answer; streaming requests deliver each
 * `StreamEvent` through a Tauri `Channel` (in order) and resolve when the turn ends.
 *
 * Request shapes follow `../shared/reference/chatkit-protocol.md` §2; the events, items and
 * `speasy.*` request union are generated from the Rust core (ts-rs).
 */
import { Channel, invoke } from "@tauri-apps/api/core";

import type { ApiStatus } from "../bindings/ApiStatus";
import type { ChatKitThread } from "../bindings/ChatKitThread";
import type { Fact } from "../bindings/Fact";
import type { Health } from "../bindings/Health";
import type { ModelInfo } from "../bindings/ModelInfo";
import type { Page } from "../bindings/Page";
import type { Persona } from "../bindings/Persona";
import type { ProviderView } from "../bindings/ProviderView";
import type { SearchHit } from "../bindings/SearchHit";
import type { SignUp } from "../bindings/SignUp";
import type { Settings } from "../bindings/Settings";
import type { SpeasyOp } from "../bindings/SpeasyOp";
import type { StreamEvent } from "../bindings/StreamEvent";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { ThreadItem } from "../bindings/ThreadItem";
import type { ThreadSummary } from "../bindings/ThreadSummary";
import type { VoiceDevices } from "../bindings/VoiceDevices";
import { toSpeasyError } from "./errors";

/** What the person typed, as ChatKit's `UserMessageInput`. */
export type UserInput = {
  content: Array<{ type: "input_text"; text: string }>;
  attachments: string[];
  quoted_text?: string;
  inference_options: { model?: string };
};

export type WireAction = { type: string; payload?: unknown };

/** Speasy's request metadata: the persona of a new thread; whether to read the answer aloud as
 *  it streams (unset: the auto-read setting decides). */
export type TurnMetadata = { persona_id?: string; speak?: boolean };

/** Requests answered by a stream of events. */
export type StreamingRequest =
  | { type: "threads.create"; params: { input: UserInput }; metadata?: TurnMetadata }
  | { type: "threads.add_user_message"; params: { thread_id: string; input: UserInput }; metadata?: TurnMetadata }
  | { type: "threads.retry_after_item"; params: { thread_id: string; item_id: string } }
  | { type: "threads.custom_action"; params: { thread_id: string; item_id?: string; action: WireAction } }
  | { type: "threads.add_client_tool_output"; params: { thread_id: string; result: unknown } };

/** ChatKit requests answered by one JSON value, with the type of that value. */
export type JsonRequests = {
  "threads.get_by_id": [{ thread_id: string }, ChatKitThread];
  "threads.list": [{ limit?: number; order?: "asc" | "desc"; after?: string }, Page<ChatKitThread>];
  "items.list": [
    { thread_id: string; limit?: number; order?: "asc" | "desc"; after?: string },
    Page<ThreadItem>,
  ];
  "threads.update": [{ thread_id: string; title: string }, ChatKitThread];
  "threads.delete": [{ thread_id: string }, Record<string, never>];
  "items.feedback": [
    { thread_id: string; item_ids: string[]; kind: "positive" | "negative" },
    Record<string, never>,
  ];
  "threads.sync_custom_action": [
    { thread_id: string; item_id?: string; action: WireAction },
    { updated_item?: ThreadItem },
  ];
};

/** What each `speasy.*` operation answers. */
export type SpeasyResults = {
  "speasy.facts.list": Fact[];
  "speasy.facts.save": Fact;
  "speasy.facts.discard": Fact;
  "speasy.facts.update": Fact;
  "speasy.facts.delete": Record<string, never>;
  "speasy.personas.list": Persona[];
  "speasy.personas.create": Persona;
  "speasy.personas.update": Persona;
  "speasy.personas.delete": Record<string, never>;
  "speasy.threads.set_persona": Record<string, never>;
  "speasy.threads.list": Page<ThreadSummary>;
  "speasy.threads.get": ThreadSummary;
  "speasy.threads.pin": Record<string, never>;
  "speasy.threads.cancel": { cancelled: boolean };
  "speasy.search": SearchHit[];
  "speasy.settings.get": Settings;
  "speasy.settings.update": Settings;
  "speasy.providers.list": ProviderView[];
  "speasy.providers.upsert": ProviderView;
  "speasy.providers.delete": Record<string, never>;
  "speasy.providers.models": ModelInfo[];
  "speasy.providers.detect": ProviderView[];
  "speasy.providers.active": ActiveProvider;
  "speasy.api.status": ApiStatus;
  "speasy.api.configure": ApiStatus;
  "speasy.health": Health;
  "speasy.voice.devices": VoiceDevices;
  "speasy.voice.listen": Record<string, never>;
  "speasy.voice.release": Record<string, never>;
  "speasy.voice.stop_listening": Record<string, never>;
  "speasy.voice.read": Record<string, never>;
  "speasy.voice.stop_speaking": Record<string, never>;
  "speasy.voice.skip": Record<string, never>;
  "speasy.sync.status": SyncStatus;
  "speasy.sync.configure": SyncStatus;
  "speasy.sync.sign_up": SignUp;
  "speasy.sync.sign_in": SyncStatus;
  "speasy.sync.sign_out": SyncStatus;
  "speasy.sync.now": SyncStatus;
};

/** The provider and model a new message would use. */
export type ActiveProvider = { provider_name: string; model: string };

type OpType = SpeasyOp["type"];
type ParamsOf<K extends OpType> = Extract<SpeasyOp, { type: K }>["params"];

/**
 * One call of the `chatkit` command. JSON requests go without a channel: a channel costs the
 * shell a script evaluation when it closes (and with it a JavaScript engine in the app's own
 * process, about 6 MB), which only streaming requests need.
 */
async function send(request: unknown, channel?: Channel<StreamEvent>): Promise<unknown> {
  try {
    return await invoke<unknown>("chatkit", channel ? { request, onEvent: channel } : { request });
  } catch (reason) {
    throw toSpeasyError(reason);
  }
}

/** A ChatKit request answered with JSON. */
export async function chatkit<K extends keyof JsonRequests>(
  type: K,
  params: JsonRequests[K][0],
): Promise<JsonRequests[K][1]> {
  return (await send({ type, params })) as JsonRequests[K][1];
}

/** A `speasy.*` operation. */
export async function speasy<K extends OpType>(
  type: K,
  params: ParamsOf<K>,
): Promise<K extends keyof SpeasyResults ? SpeasyResults[K] : unknown> {
  return (await send({ type, params })) as K extends keyof SpeasyResults
    ? SpeasyResults[K]
    : unknown;
}

/**
 * A streaming ChatKit request: `onEvent` gets every event in order. Resolves when the stream
 * ends; rejects (with a `SpeasyError`) only if the request could not start at all.
 */
export async function chatkitStream(
  request: StreamingRequest,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  let received = 0;
  let expected: number | null = null;
  let allIn: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allIn = resolve));
  const channel = new Channel<StreamEvent>();
  channel.onmessage = (event) => {
    received += 1;
    onEvent(event);
    if (expected !== null && received >= expected) allIn();
  };
  const answer = (await send(request, channel)) as { streamed?: unknown } | null;
  // The command answers how many events it sent; a large one may still be on its way.
  expected = typeof answer?.streamed === "number" ? answer.streamed : received;
  if (received >= expected) return;
  await done;
}
