/**
 * The sidebar's first page, given by the shell with the page or asked for by `main.tsx` before
 * the app renders, and taken by `useThreadSummaries` (so its first render has the rows).
 */
import type { Page } from "../bindings/Page";
import type { ThreadSummary } from "../bindings/ThreadSummary";
import { speasy } from "../ipc/chatkit";

export const SUMMARY_PAGE = 100;

let request: Promise<Page<ThreadSummary>> | null = null;
let arrived: Page<ThreadSummary> | null = null;

/** Asks for the first page, unless the shell already gave it (`given`, read at start for
 *  `SUMMARY_PAGE` threads). Settles either way; a failure is reported by whoever takes the
 *  request (`takePrefetched`). */
export function prefetchThreadSummaries(given?: Page<ThreadSummary>): Promise<void> {
  const asked = given ? Promise.resolve(given) : speasy("speasy.threads.list", { limit: SUMMARY_PAGE });
  request = asked;
  arrived = given ?? null;
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
