/**
 * The sidebar's data: thread summaries a page at a time (`speasy.threads.list`), refreshed
 * after activity, with pin, rename and an undoable delete. A deleted thread disappears at once;
 * the core deletes it when its Undo window closes (`speasy.threads.delete_later`), or at once
 * if the app quits first, and Undo takes it back (`speasy.threads.restore`).
 */
import { useCallback, useEffect, useRef, useState } from "react";

import type { ThreadSummary } from "../bindings/ThreadSummary";
import { chatkit, speasy } from "../ipc/chatkit";
import { toSpeasyError, type SpeasyError } from "../ipc/errors";
import { prefetchedPage, SUMMARY_PAGE, takePrefetched } from "./firstPage";
import { THREAD_RENAMED } from "./useThread";

export const UNDO_MS = 6000;
/** The most `speasy.threads.list` returns at once. */
const MAX_PAGE = 500;

export type PendingDelete = { id: string; title: string };

export function useThreadSummaries() {
  // The page main.tsx prefetched, if it is already here (read, not taken: the mount effect
  // takes it, so a remount in development's StrictMode still starts from a fresh request).
  const [initial] = useState(prefetchedPage);
  const [threads, setThreads] = useState<ThreadSummary[] | null>(initial?.data ?? null);
  const [after, setAfter] = useState<string | null>(initial?.after ?? null);
  const [hasMore, setHasMore] = useState(initial?.has_more ?? false);
  const [loading, setLoading] = useState(initial === null);
  const [error, setError] = useState<SpeasyError | null>(null);
  const [pending, setPending] = useState<PendingDelete | null>(null);
  const hidden = useRef(new Set<string>());
  const barTimer = useRef<number | undefined>(undefined);
  const pendingRef = useRef<PendingDelete | null>(null);
  pendingRef.current = pending;
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
      const early = takePrefetched();
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
    if (initial !== null && prefetchedPage() === initial) {
      takePrefetched();
      return;
    }
    void refresh();
  }, [initial, refresh]);

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

  const remove = useCallback(
    (id: string) => {
      const title = threads?.find((t) => t.id === id)?.title?.trim() || "Untitled";
      hidden.current.add(id);
      setThreads((current) => current?.filter((t) => t.id !== id) ?? current);
      setPending({ id, title });
      // The core deletes it when the Undo window closes (or at once if the app quits first).
      speasy("speasy.threads.delete_later", { thread_id: id, delay_ms: UNDO_MS }).catch((reason: unknown) => {
        hidden.current.delete(id);
        setPending((p) => (p?.id === id ? null : p));
        setError(toSpeasyError(reason));
        void refresh();
      });
      window.clearTimeout(barTimer.current);
      barTimer.current = window.setTimeout(() => setPending((p) => (p?.id === id ? null : p)), UNDO_MS);
    },
    [threads, refresh],
  );

  const undo = useCallback(() => {
    const p = pendingRef.current;
    setPending(null);
    if (!p) return;
    window.clearTimeout(barTimer.current);
    hidden.current.delete(p.id);
    speasy("speasy.threads.restore", { thread_id: p.id }).then(
      () => void refresh(),
      (reason: unknown) => setError(toSpeasyError(reason)),
    );
  }, [refresh]);

  return { threads, hasMore, loading, error, pending, refresh, loadMore, pin, rename, remove, undo };
}
