/**
 * The sidebar's first page, asked for by `main.tsx` before React has even loaded (so the IPC
 * round trip overlaps loading the app's code) and taken by `useThreadSummaries`. No React here:
 * this module is part of the small start-up chunk.
 */
import type { Page } from "../bindings/Page";
import type { ThreadSummary } from "../bindings/ThreadSummary";
import { speasy } from "../ipc/chatkit";

export const SUMMARY_PAGE = 100;

let request: Promise<Page<ThreadSummary>> | null = null;
let arrived: Page<ThreadSummary> | null = null;

/** Asks for the first page. Settles either way; a failure is reported by whoever takes the
 *  request (`takePrefetched`). */
export function prefetchThreadSummaries(): Promise<void> {
  const asked = speasy("speasy.threads.list", { limit: SUMMARY_PAGE });
  request = asked;
  arrived = null;
  return asked.then(
    (page) => {
      if (request === asked) arrived = page;
      performance.mark("thread list received");
    },
    () => undefined,
  );
}

/** The prefetched page if it has arrived and was not taken yet. */
export function prefetchedPage(): Page<ThreadSummary> | null {
  return arrived;
}

/** Takes the prefetched request (still pending or not), if there is one: it is used once. */
export function takePrefetched(): Promise<Page<ThreadSummary>> | null {
  const taken = request;
  request = null;
  arrived = null;
  return taken;
}
