import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { ThreadSummary } from "../bindings/ThreadSummary";
import { installFakeCore, type ChatKitCall } from "../test/fakeCore";
import { prefetchThreadSummaries, SUMMARY_PAGE } from "./firstPage";
import { UNDO_MS, useThreadSummaries } from "./useThreadSummaries";

function summaries(n: number): ThreadSummary[] {
  const at = "2026-11-21T10:00:00Z";
  return Array.from({ length: n }, (_, i) => ({ id: `t${i}`, title: `Chat ${i}`, created_at: at, updated_at: at, pinned: false, answering: false }));
}

function sidebarCore(all: ThreadSummary[]) {
  const rows = all.slice();
  // What the core was asked to delete after a delay (and not restored).
  const pending = new Map<string, number>();
  const core = installFakeCore({
    chatkit: (r: ChatKitCall) => {
      switch (r.type) {
        case "speasy.threads.list": {
          const after = r.params.after as string | undefined;
          const start = after ? rows.findIndex((t) => t.id === after) + 1 : 0;
          const limit = r.params.limit as number;
          const data = rows.slice(start, start + limit);
          const more = start + limit < rows.length;
          return { data, has_more: more, ...(more ? { after: data[data.length - 1]?.id } : {}) };
        }
        case "speasy.threads.delete_later":
          pending.set(r.params.thread_id as string, r.params.delay_ms as number);
          return {};
        case "speasy.threads.restore":
          return { restored: pending.delete(r.params.thread_id as string) };
        default:
          throw { kind: "invalid_input", message: r.type };
      }
    },
  });
  const requests = (type: string) =>
    core.callsTo("chatkit").map((c) => c.args.request as ChatKitCall).filter((q) => q.type === type);
  return { requests, pending };
}

describe("the sidebar's data", () => {
  it("pages, and a refresh reloads as many rows as were shown", async () => {
    const core = sidebarCore(summaries(SUMMARY_PAGE * 2 + 10));
    const { result } = renderHook(() => useThreadSummaries());
    await waitFor(() => expect(result.current.threads).toHaveLength(SUMMARY_PAGE));
    await act(() => result.current.loadMore());
    expect(result.current.threads).toHaveLength(SUMMARY_PAGE * 2);
    await act(() => result.current.refresh());
    expect(result.current.threads).toHaveLength(SUMMARY_PAGE * 2);
    expect(core.requests("speasy.threads.list").at(-1)?.params).toEqual({ limit: SUMMARY_PAGE * 2 });
  });

  it("starts from the page prefetched before the first render, without asking again", async () => {
    const core = sidebarCore(summaries(3));
    await prefetchThreadSummaries();
    const { result } = renderHook(() => useThreadSummaries());
    // The very first render has the rows (the first frame shows the list).
    expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t1", "t2"]);
    expect(result.current.loading).toBe(false);
    await act(() => Promise.resolve());
    expect(core.requests("speasy.threads.list")).toHaveLength(1);
    // Taken once: a later mount asks the core afresh.
    const again = renderHook(() => useThreadSummaries());
    expect(again.result.current.threads).toBeNull();
    await waitFor(() => expect(again.result.current.threads).toHaveLength(3));
    expect(core.requests("speasy.threads.list")).toHaveLength(2);
  });

  it("starts from the page the shell gave with the page, without asking the core", async () => {
    const core = sidebarCore(summaries(3));
    const given = { data: summaries(2), has_more: true, after: "t1" };
    const settled = prefetchThreadSummaries(given);
    // Synchronously there: a render before the promise settles has the rows too.
    const { result } = renderHook(() => useThreadSummaries());
    expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t1"]);
    expect(result.current.hasMore).toBe(true);
    await act(() => settled);
    expect(core.requests("speasy.threads.list")).toHaveLength(0);
    // The next page continues after it.
    await act(() => result.current.loadMore());
    expect(core.requests("speasy.threads.list").map((r) => r.params)).toEqual([{ limit: SUMMARY_PAGE, after: "t1" }]);
    expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t1", "t2"]);
  });

  it("hides a deleted thread at once and leaves the delete to the core; Undo restores it", async () => {
    const core = sidebarCore(summaries(3));
    const { result } = renderHook(() => useThreadSummaries());
    await waitFor(() => expect(result.current.threads).toHaveLength(3));

    act(() => result.current.remove("t1"));
    expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t2"]);
    expect(result.current.pending).toEqual({ id: "t1", title: "Chat 1" });
    await waitFor(() => expect(core.pending.get("t1")).toBe(UNDO_MS));

    act(() => result.current.undo());
    await waitFor(() => expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t1", "t2"]));
    expect(core.pending.has("t1")).toBe(false);
    expect(result.current.pending).toBeNull();
  });
});
