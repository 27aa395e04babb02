/** Shared fixtures for the chat view's tests: a thread's items, a streamed answer, a fake core
 *  that answers what the chat view asks, and the view rendered with its callbacks. */
import { render } from "@testing-library/react";
import { vi } from "vitest";

import type { ApiError } from "../bindings/ApiError";
import type { StreamEvent } from "../bindings/StreamEvent";
import type { ThreadItem } from "../bindings/ThreadItem";
import { ChatView } from "../components/chat/ChatView";
import { installFakeCore, type ChatKitCall } from "./fakeCore";

export const T = "thread-1";
export const at = "2026-11-21T10:00:00.000Z";

export function userItem(id: string, text: string): ThreadItem {
  return { id, thread_id: T, created_at: at, type: "user_message", content: [{ type: "input_text", text }], attachments: [], inference_options: {} };
}

export function assistant(id: string, text: string): ThreadItem {
  return { id, thread_id: T, created_at: at, type: "assistant_message", content: [{ type: "output_text", text, annotations: [] }] };
}

export function answerEvents(text: string[]): StreamEvent[] {
  const full = text.join("");
  return [
    { type: "thread.created", thread: { id: T, created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } } },
    { type: "thread.item.done", item: userItem("u1", "Hello") },
    { type: "stream_options", stream_options: { allow_cancel: true } },
    { type: "thread.item.added", item: assistant("a1", "") },
    { type: "thread.item.updated", item_id: "a1", update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } } },
    ...text.map((delta): StreamEvent => ({ type: "thread.item.updated", item_id: "a1", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta } })),
    { type: "thread.item.updated", item_id: "a1", update: { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text: full, annotations: [] } } },
    { type: "thread.item.done", item: assistant("a1", full) },
    { type: "thread.updated", thread: { id: T, title: "Greetings", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } } },
  ];
}

export type Handler = (request: ChatKitCall) => unknown;

export function core(handlers: Record<string, Handler>) {
  return installFakeCore({
    chatkit: (request) => {
      const handler = handlers[request.type];
      if (handler) return handler(request);
      if (request.type.startsWith("speasy.voice.")) return {};
      switch (request.type) {
        case "speasy.providers.active":
          return { provider_name: "Scripted", model: "m" };
        case "speasy.providers.models":
          return [];
        case "speasy.threads.get":
          return { id: T, created_at: at, updated_at: at, pinned: false, persona_id: "builtin-coach", answering: false };
        default: {
          const error: ApiError = { kind: "invalid_input", message: `unexpected ${request.type}` };
          throw error;
        }
      }
    },
  });
}

export const personas = [
  { id: "builtin-assistant", name: "Assistant", system_prompt: "", default_model: null, voice_id: null, avatar: null, builtin: true },
  { id: "builtin-coach", name: "Writing coach", system_prompt: "", default_model: null, voice_id: null, avatar: null, builtin: true },
];
export const providers = [
  { id: "custom", kind: "custom" as const, name: "Scripted", base_url: "http://127.0.0.1:1/v1", key_secret: null, has_key: false, default_model: "m", context_window: null },
];

export function view(props: Partial<Parameters<typeof ChatView>[0]> = {}) {
  const callbacks = { onCreated: vi.fn(), onChanged: vi.fn(), onOpenThread: vi.fn(), onOpenSettings: vi.fn(), onProvidersChanged: vi.fn() };
  render(
    <ChatView
      threadId={null}
      focusItemId={null}
      personas={personas}
      providers={providers}
      defaultProvider={undefined}
      providersVersion={0}
      {...callbacks}
      {...props}
    />,
  );
  return callbacks;
}

export function requests(fake: ReturnType<typeof core>, type: string) {
  return fake.callsTo("chatkit").map((c) => c.args.request as ChatKitCall).filter((r) => r.type === type);
}

