import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";

import type { StreamEvent } from "../bindings/StreamEvent";
import { installFakeCore, Streamed, type ChatKitCall } from "../test/fakeCore";
import { chatkit, chatkitStream, speasy } from "./chatkit";
import { SpeasyError } from "./errors";

describe("the chatkit IPC layer", () => {
  it("sends JSON requests as the command's `request` without a channel, and resolves their answers", async () => {
    const core = installFakeCore({ chatkit: (r: ChatKitCall) => ({ echoed: r }) });
    const answer = await chatkit("threads.update", { thread_id: "t1", title: "New" });
    expect(answer).toEqual({ echoed: { type: "threads.update", params: { thread_id: "t1", title: "New" } } });
    await speasy("speasy.health", {});
    // No channel: closing one makes the shell evaluate a script, which JSON answers do not need.
    for (const call of core.callsTo("chatkit")) expect(Object.keys(call.args)).toEqual(["request"]);
  });

  it("sends streaming requests with a channel", async () => {
    const core = installFakeCore({ chatkit: () => new Streamed([{ type: "progress_update", text: "one" }]) });
    await chatkitStream({ type: "threads.retry_after_item", params: { thread_id: "t", item_id: "i" } }, () => undefined);
    expect(Object.keys(core.callsTo("chatkit")[0]?.args ?? {}).sort()).toEqual(["onEvent", "request"]);
  });

  it("delivers streamed events in order and resolves when the stream ends", async () => {
    const events: StreamEvent[] = [
      { type: "progress_update", text: "one" },
      { type: "progress_update", text: "two" },
      { type: "notice", level: "info", message: "three" },
    ];
    installFakeCore({ chatkit: () => new Streamed(events, { delayMs: 1 }) });
    const seen: StreamEvent[] = [];
    await chatkitStream({ type: "threads.retry_after_item", params: { thread_id: "t", item_id: "i" } }, (e) => seen.push(e));
    expect(seen).toEqual(events);
  });

  it("waits for events that arrive after the command answered (large ones are fetched late)", async () => {
    const late: StreamEvent = { type: "notice", level: "info", message: "late and large" };
    mockIPC((_cmd, payload) => {
      const channel = (payload as { onEvent: Channel<StreamEvent> }).onEvent;
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, d: unknown) => void } })
        .__TAURI_INTERNALS__;
      internals.runCallback(channel.id, { index: 0, message: { type: "progress_update", text: "first" } });
      setTimeout(() => internals.runCallback(channel.id, { index: 1, message: late }), 30);
      return { streamed: 2 };
    });
    const seen: StreamEvent[] = [];
    await chatkitStream({ type: "threads.retry_after_item", params: { thread_id: "t", item_id: "i" } }, (e) => seen.push(e));
    expect(seen).toEqual([{ type: "progress_update", text: "first" }, late]);
  });

  it("rejects with a typed SpeasyError carrying the core's kind", async () => {
    installFakeCore({
      chatkit: () => {
        throw { kind: "provider_auth", message: "OpenAI rejected the API key (401)." };
      },
    });
    const failure = speasy("speasy.providers.active", {});
    await expect(failure).rejects.toBeInstanceOf(SpeasyError);
    await expect(failure).rejects.toMatchObject({ kind: "provider_auth", message: "OpenAI rejected the API key (401)." });
  });
});
