import { useCallback, useEffect, useState } from "react";

import type { ThreadMetadata } from "../bindings/ThreadMetadata";
import type { ThreadStatus } from "../bindings/ThreadStatus";
import { threadsList, toSpeasyError, type SpeasyError } from "../ipc";
import { formatDate, formatTimestamp } from "../lib/format";
import { ErrorMessage } from "./ErrorMessage";

export const THREADS_PAGE_SIZE = 50;

type Listing = { threads: ThreadMetadata[]; after: string | null; hasMore: boolean };

function statusLabel(status: ThreadStatus): string | null {
  switch (status.type) {
    case "active":
      return null;
    case "locked":
      return "Locked";
    case "closed":
      return "Closed";
  }
}

/** The sidebar's list of conversations, newest first, a page at a time. */
export function ThreadList() {
  const [listing, setListing] = useState<Listing | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<SpeasyError | null>(null);

  const load = useCallback(async (after: string | null, isLive: () => boolean = () => true) => {
    setLoading(true);
    setError(null);
    try {
      const page = await threadsList(after, THREADS_PAGE_SIZE);
      if (!isLive()) return;
      setListing((previous) => ({
        threads: after && previous ? [...previous.threads, ...page.data] : page.data,
        after: page.after ?? null,
        hasMore: page.has_more,
      }));
    } catch (reason) {
      if (isLive()) setError(toSpeasyError(reason));
    } finally {
      if (isLive()) setLoading(false);
    }
  }, []);

  useEffect(() => {
    let live = true;
    void load(null, () => live);
    return () => {
      live = false;
    };
  }, [load]);

  // Loads the page after the last one shown (the first page when nothing is shown yet).
  const loadNext = () => void load(listing?.after ?? null);

  return (
    <nav aria-label="Threads" className="threads">
      <h2 className="section-title">Conversations</h2>
      {error && <ErrorMessage error={error} title="Couldn’t load conversations" onRetry={loadNext} />}
      {listing && listing.threads.length === 0 && !error && (
        <p className="empty">No conversations yet</p>
      )}
      {listing && listing.threads.length > 0 && (
        <ul className="thread-list">
          {listing.threads.map((thread) => {
            const badge = statusLabel(thread.status);
            return (
              <li key={thread.id} className="thread" data-testid="thread-item">
                <span className="thread-title" title={thread.title?.trim() || undefined}>
                  {thread.title?.trim() || "Untitled"}
                </span>
                <span className="thread-meta">
                  <time dateTime={thread.created_at} title={formatTimestamp(thread.created_at)}>
                    {formatDate(thread.created_at)}
                  </time>
                  {badge && <span className="badge">{badge}</span>}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {loading && <p className="muted small">Loading…</p>}
      {!loading && listing?.hasMore && listing.after && (
        <button type="button" className="button button-small" onClick={loadNext}>
          Load more
        </button>
      )}
    </nav>
  );
}
