import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { ThreadSummary } from "../bindings/ThreadSummary";
import { installFakeCore, type ChatKitCall } from "../test/fakeCore";
import { SUMMARY_PAGE, UNDO_MS, useThreadSummaries } from "./useThreadSummaries";

function summaries(n: number): ThreadSummary[] {
  const at = "2026-11-21T10:00:00Z";
  return Array.from({ length: n }, (_, i) => ({ id: `t${i}`, title: `Chat ${i}`, created_at: at, updated_at: at, pinned: false, answering: false }));
}

function sidebarCore(all: ThreadSummary[]) {
  let rows = all.slice();
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
        case "threads.delete":
          rows = rows.filter((t) => t.id !== r.params.thread_id);
          return {};
        default:
          throw { kind: "invalid_input", message: r.type };
      }
    },
  });
  const requests = (type: string) =>
    core.callsTo("chatkit").map((c) => c.args.request as ChatKitCall).filter((q) => q.type === type);
  return { requests, rows: () => rows };
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

  it("hides a deleted thread at once, restores it on Undo, and deletes in the core only when the undo window closes", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const core = sidebarCore(summaries(3));
      const { result } = renderHook(() => useThreadSummaries());
      await waitFor(() => expect(result.current.threads).toHaveLength(3));

      act(() => result.current.remove("t1"));
      expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t2"]);
      expect(result.current.pending).toEqual({ id: "t1", title: "Chat 1" });
      act(() => result.current.undo());
      await waitFor(() => expect(result.current.threads?.map((t) => t.id)).toEqual(["t0", "t1", "t2"]));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(UNDO_MS + 100);
      });
      expect(core.requests("threads.delete")).toHaveLength(0);

      act(() => result.current.remove("t2"));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(UNDO_MS + 100);
      });
      expect(core.requests("threads.delete").map((r) => r.params)).toEqual([{ thread_id: "t2" }]);
      expect(core.rows().map((t) => t.id)).toEqual(["t0", "t1"]);
      expect(result.current.pending).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
