/**
 * The sidebar's data: thread summaries a page at a time (`speasy.threads.list`), refreshed
 * after activity, with pin, rename and an undoable delete. A deleted thread disappears at once
 * but is only deleted in the core when its undo window closes (or the window is closed).
 */
import { useCallback, useEffect, useRef, useState } from "react";

import type { Page } from "../bindings/Page";
import type { ThreadSummary } from "../bindings/ThreadSummary";
import { chatkit, speasy } from "../ipc/chatkit";
import { toSpeasyError, type SpeasyError } from "../ipc/errors";
import { THREAD_RENAMED } from "./useThread";

export const SUMMARY_PAGE = 100;

let prefetched: Promise<Page<ThreadSummary>> | null = null;

/** Asks for the first page before React has even rendered (called by `main.tsx`): start-up
 *  then waits for one IPC round trip less. The first `refresh` takes this answer. */
export function prefetchThreadSummaries(): void {
  prefetched = speasy("speasy.threads.list", { limit: SUMMARY_PAGE });
  prefetched.catch(() => undefined); // a failure is reported by the refresh that takes it
}
export const UNDO_MS = 6000;
/** The most `speasy.threads.list` returns at once. */
const MAX_PAGE = 500;

export type PendingDelete = { id: string; title: string };

export function useThreadSummaries() {
  const [threads, setThreads] = useState<ThreadSummary[] | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<SpeasyError | null>(null);
  const [pending, setPending] = useState<PendingDelete | null>(null);
  const hidden = useRef(new Set<string>());
  const timers = useRef(new Map<string, number>());
  const generation = useRef(0);

  const visible = (list: ThreadSummary[]) => list.filter((t) => !hidden.current.has(t.id));

  // How many rows are loaded: a refresh reloads as many (up to the core's page limit), so the
  // list does not shrink under someone who scrolled far down.
  const loaded = useRef(0);
  loaded.current = threads?.length ?? 0;

  /** (Re)load from the top. */
  const refresh = useCallback(async () => {
    const gen = ++generation.current;
    setLoading(true);
    try {
      const early = prefetched;
      prefetched = null;
      const limit = Math.min(Math.max(loaded.current, SUMMARY_PAGE), MAX_PAGE);
      const page = await (early ?? speasy("speasy.threads.list", { limit }));
      if (gen !== generation.current) return;
      setThreads(visible(page.data));
      setAfter(page.after ?? null);
      setHasMore(page.has_more);
      setError(null);
    } catch (reason) {
      if (gen === generation.current) setError(toSpeasyError(reason));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, []);

  const loadMore = useCallback(async () => {
    if (!after) return;
    const gen = generation.current;
    setLoading(true);
    try {
      const page = await speasy("speasy.threads.list", { limit: SUMMARY_PAGE, after });
      if (gen !== generation.current) return;
      setThreads((current) => {
        const known = new Set((current ?? []).map((t) => t.id));
        return [...(current ?? []), ...visible(page.data).filter((t) => !known.has(t.id))];
      });
      setAfter(page.after ?? null);
      setHasMore(page.has_more);
    } catch (reason) {
      if (gen === generation.current) setError(toSpeasyError(reason));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, [after]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const pin = useCallback(
    async (id: string, pinned: boolean) => {
      try {
        await speasy("speasy.threads.pin", { thread_id: id, pinned });
        await refresh();
      } catch (reason) {
        setError(toSpeasyError(reason));
      }
    },
    [refresh],
  );

  const rename = useCallback(async (id: string, title: string) => {
    setThreads((current) => current?.map((t) => (t.id === id ? { ...t, title } : t)) ?? current);
    try {
      await chatkit("threads.update", { thread_id: id, title });
      window.dispatchEvent(new CustomEvent(THREAD_RENAMED, { detail: { threadId: id, title } }));
    } catch (reason) {
      setError(toSpeasyError(reason));
      void refresh();
    }
  }, [refresh]);

  const commitDelete = useCallback(async (id: string) => {
    timers.current.delete(id);
    setPending((p) => (p?.id === id ? null : p));
    try {
      await chatkit("threads.delete", { thread_id: id });
    } catch (reason) {
      hidden.current.delete(id);
      setError(toSpeasyError(reason));
      void refresh();
    }
  }, [refresh]);

  const remove = useCallback(
    (id: string) => {
      const title = threads?.find((t) => t.id === id)?.title?.trim() || "Untitled";
      // A delete still waiting for its undo window is committed when the next one starts.
      for (const [other, timer] of timers.current) {
        window.clearTimeout(timer);
        void commitDelete(other);
      }
      hidden.current.add(id);
      setThreads((current) => current?.filter((t) => t.id !== id) ?? current);
      setPending({ id, title });
      timers.current.set(id, window.setTimeout(() => void commitDelete(id), UNDO_MS));
    },
    [threads, commitDelete],
  );

  const undo = useCallback(() => {
    setPending((p) => {
      if (p) {
        window.clearTimeout(timers.current.get(p.id));
        timers.current.delete(p.id);
        hidden.current.delete(p.id);
      }
      return null;
    });
    void refresh();
  }, [refresh]);

  // Closing the window ends the undo window: the delete goes through.
  useEffect(() => {
    const flush = () => {
      for (const [id, timer] of timers.current) {
        window.clearTimeout(timer);
        void chatkit("threads.delete", { thread_id: id });
      }
    };
    window.addEventListener("pagehide", flush);
    return () => window.removeEventListener("pagehide", flush);
  }, []);

  return { threads, hasMore, loading, error, pending, refresh, loadMore, pin, rename, remove, undo };
}
