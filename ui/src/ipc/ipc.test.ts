import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";

import type { ApiError } from "../bindings/ApiError";
import type { SearchHit } from "../bindings/SearchHit";
import { TEST_APP_INFO } from "../test/fakeCore";
import {
  SpeasyError,
  appInfo,
  search,
  secretDelete,
  secretExists,
  secretSet,
  settingsGet,
  settingsUpdate,
  storeMoveAside,
  storeStatus,
  windowShow,
} from "./index";

type Seen = { cmd: string; args: unknown };

/** Records every IPC request and answers with `reply(cmd)`. */
function recordIpc(reply: (cmd: string) => unknown): Seen[] {
  const seen: Seen[] = [];
  mockIPC((cmd, args) => {
    seen.push({ cmd, args });
    return reply(cmd);
  });
  return seen;
}

describe("ipc commands", () => {
  it("calls each command by its exact name with exactly the declared arguments", async () => {
    const hit: SearchHit = {
      thread_id: "t1",
      item_id: "i1",
      thread_title: null,
      snippet: "a \u0002b\u0003 c",
      created_at: "2026-11-20T10:00:00Z",
    };
    const replies: Record<string, unknown> = {
      app_info: TEST_APP_INFO,
      store_status: { state: "ready" },
      store_move_aside: { state: "ready" },
      settings_get: { theme: "light" },
      settings_update: { theme: "dark" },
      secret_set: null,
      secret_delete: null,
      secret_exists: true,
      search: [hit],
      window_show: null,
    };
    const seen = recordIpc((cmd) => replies[cmd]);

    expect(await appInfo()).toEqual(TEST_APP_INFO);
    expect(await storeStatus()).toEqual({ state: "ready" });
    expect(await storeMoveAside()).toEqual({ state: "ready" });
    expect(await settingsGet()).toEqual({ theme: "light" });
    expect(await settingsUpdate({ theme: "dark" })).toEqual({ theme: "dark" });
    expect(await secretSet("provider.openai", "sk-123")).toBeUndefined();
    expect(await secretDelete("provider.openai")).toBeUndefined();
    expect(await secretExists("provider.openrouter")).toBe(true);
    expect(await search("hello world", 20)).toEqual([hit]);
    expect(await windowShow()).toBeUndefined();

    expect(seen).toEqual([
      { cmd: "app_info", args: {} },
      { cmd: "store_status", args: {} },
      { cmd: "store_move_aside", args: {} },
      { cmd: "settings_get", args: {} },
      { cmd: "settings_update", args: { patch: { theme: "dark" } } },
      { cmd: "secret_set", args: { name: "provider.openai", value: "sk-123" } },
      { cmd: "secret_delete", args: { name: "provider.openai" } },
      { cmd: "secret_exists", args: { name: "provider.openrouter" } },
      { cmd: "search", args: { query: "hello world", limit: 20 } },
      { cmd: "window_show", args: {} },
    ]);
  });

  it("turns an ApiError rejection into a SpeasyError carrying its kind and message", async () => {
    const apiError: ApiError = {
      kind: "store_corrupt",
      message: "database disk image is malformed: /data/speasy.db",
    };
    mockIPC(() => {
      throw apiError;
    });

    const error = await settingsGet().catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(SpeasyError);
    expect(error).toBeInstanceOf(Error);
    const speasyError = error as SpeasyError;
    expect(speasyError.kind).toBe("store_corrupt");
    expect(speasyError.message).toBe(apiError.message);
    expect(speasyError.name).toBe("SpeasyError");
    expect(speasyError.cause).toEqual(apiError);
  });

  it("rejects with a SpeasyError for every command, not only reads", async () => {
    mockIPC((cmd) => {
      const error: ApiError = { kind: "secret_denied", message: `${cmd} was denied` };
      throw error;
    });

    await expect(secretSet("provider.openai", "sk")).rejects.toMatchObject({
      name: "SpeasyError",
      kind: "secret_denied",
      message: "secret_set was denied",
    });
    await expect(search("x", 1)).rejects.toBeInstanceOf(SpeasyError);
  });

  it("maps a rejection that is not an ApiError to kind internal, keeping the message", async () => {
    mockIPC(() => {
      throw "command search not found";
    });
    await expect(search("x", 1)).rejects.toMatchObject({
      kind: "internal",
      message: "command search not found",
    });

    mockIPC(() => {
      throw { kind: "no_such_kind", message: "made up" };
    });
    await expect(appInfo()).rejects.toMatchObject({ kind: "internal" });
  });
});
