/**
 * One open conversation: loads it (newest page first, older pages on demand, or paging back
 * until a search hit's message is loaded), sends messages, stops and retries answers, sends
 * feedback and widget actions — all through the core's ChatKit entry — and folds the
 * resulting stream events into `ThreadState`.
 *
 * Switching conversation while an answer streams does not stop it: the core finishes and
 * stores it; this view just stops listening to it.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";

import type { ThreadItem } from "../bindings/ThreadItem";
import { chatkit, chatkitStream, speasy, type StreamingRequest, type UserInput } from "../ipc/chatkit";
import { toSpeasyError } from "../ipc/errors";
import type { WidgetAction } from "../widgets/types";
import { emptyThread, lastUserMessage, threadReducer, type ThreadState } from "./threadState";

export const ITEMS_PAGE = 30;
/** Window event sent when a conversation is renamed: `{ threadId, title }`. */
export const THREAD_RENAMED = "speasy:thread-renamed";
/** Pages loaded at most to reach a search hit's message. */
const MAX_PAGES_TO_FOCUS = 200;

export type ThreadCallbacks = {
  /** A new chat got its id (from `thread.created`). */
  onCreated?: (threadId: string) => void;
  /** Something the sidebar shows changed (a new thread, a title, new activity). */
  onChanged?: () => void;
  /** A widget's client action asked to open another conversation. */
  onOpenThread?: (threadId: string) => void;
};

export type ThreadController = {
  state: ThreadState;
  loading: boolean;
  loadError: Error | null;
  /** Resolves whether the message was stored (if not, the composer gives the text back). */
  send: (text: string, options: { model?: string; personaId?: string; speak?: boolean }) => Promise<boolean>;
  /** An answer started elsewhere (before this view opened) is still being written. */
  waiting: boolean;
  /** The open thread's persona, once known. */
  personaId: string | null;
  stop: () => Promise<void>;
  retry: () => Promise<void>;
  loadOlder: () => Promise<void>;
  feedback: (itemId: string, kind: "positive" | "negative") => Promise<void>;
  serverAction: (action: WidgetAction, itemId: string) => Promise<void>;
  clientAction: (action: WidgetAction, itemId: string) => void;
  dismiss: () => void;
  reload: () => void;
};

export function useThread(
  threadId: string | null,
  focusItemId: string | null,
  callbacks: ThreadCallbacks,
): ThreadController {
  const [state, dispatch] = useReducer(threadReducer, threadId, emptyThread);
  const [loadState, setLoadState] = useReducer(
    (_: { loading: boolean; error: Error | null }, next: { loading: boolean; error: Error | null }) => next,
    { loading: threadId !== null, error: null },
  );
  const [reloads, setReloads] = useState(0);
  const bumpReload = useCallback(() => setReloads((n) => n + 1), []);
  // An answer this view did not start is being written in the open thread.
  const [waiting, setWaiting] = useState(false);
  // The open thread's persona (from the same summary that says whether it is answering).
  const [personaId, setPersonaId] = useState<string | null>(null);
  // Bumped whenever the view switches conversation: events of older streams are then ignored.
  const generation = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;

  // Leaving this view: streams it started keep running in the core but stop reaching it.
  useEffect(
    () => () => {
      generation.current += 1;
    },
    [],
  );

  // The id a new chat in this view just got: opening it must not reload what is on screen.
  const created = useRef<string | null>(null);

  // Open the conversation (unless it is the one a new chat just became).
  useEffect(() => {
    if (threadId !== null && threadId === created.current) {
      created.current = null;
      return;
    }
    created.current = null;
    const gen = ++generation.current;
    const live = () => gen === generation.current;
    dispatch({ type: "reset", threadId });
    if (threadId === null) {
      setLoadState({ loading: false, error: null });
      return;
    }
    setLoadState({ loading: true, error: null });
    (async () => {
      const [thread, first] = await Promise.all([
        chatkit("threads.get_by_id", { thread_id: threadId }),
        chatkit("items.list", { thread_id: threadId, order: "desc", limit: ITEMS_PAGE }),
      ]);
      let items = first.data.slice().reverse();
      let cursor = first.has_more ? (first.after ?? null) : null;
      // A search hit: page back until its message is loaded.
      for (let n = 0; focusItemId && cursor && n < MAX_PAGES_TO_FOCUS; n += 1) {
        if (items.some((i) => i.id === focusItemId)) break;
        const page = await chatkit("items.list", {
          thread_id: threadId,
          order: "desc",
          limit: ITEMS_PAGE * 4,
          after: cursor,
        });
        if (!live()) return;
        items = [...page.data.slice().reverse(), ...items];
        cursor = page.has_more ? (page.after ?? null) : null;
      }
      if (!live()) return;
      dispatch({ type: "loaded", threadId, title: thread.title ?? null, items, olderCursor: cursor });
      setLoadState({ loading: false, error: null });
      // An answer started before this view opened is still being written: wait for it.
      const summary = await speasy("speasy.threads.get", { thread_id: threadId });
      if (!live()) return;
      setWaiting(summary.answering);
      setPersonaId(summary.persona_id ?? null);
    })().catch((reason: unknown) => {
      if (live()) setLoadState({ loading: false, error: toSpeasyError(reason) });
    });
  }, [threadId, focusItemId, reloads]);

  /** Runs a streaming request; resolves whether the core stored a new user message. */
  const stream = useCallback(async (request: StreamingRequest): Promise<boolean> => {
    const gen = generation.current;
    dispatch({ type: "stream.start" });
    let changed = false;
    let accepted = false;
    try {
      await chatkitStream(request, (event) => {
        if (gen !== generation.current) return;
        dispatch({ type: "event", event });
        if (event.type === "thread.created") {
          created.current = event.thread.id;
          callbacksRef.current.onCreated?.(event.thread.id);
          changed = true;
        } else if (event.type === "thread.updated" || event.type === "thread.item.done") {
          changed = true;
          if (event.type === "thread.item.done" && event.item.type === "user_message") accepted = true;
        } else if (event.type === "client_effect" && event.name === "thread.open") {
          const target = event.data.thread_id;
          if (typeof target === "string") callbacksRef.current.onOpenThread?.(target);
        }
      });
    } catch (reason) {
      const error = toSpeasyError(reason);
      if (gen === generation.current) {
        dispatch({ type: "failed", error: { message: error.message, allowRetry: true, kind: error.kind } });
      }
    } finally {
      if (gen === generation.current) dispatch({ type: "stream.end" });
      if (changed) callbacksRef.current.onChanged?.();
    }
    return accepted;
  }, []);

  const send = useCallback(
    async (text: string, options: { model?: string; personaId?: string; speak?: boolean }) => {
      const input: UserInput = {
        content: [{ type: "input_text", text }],
        attachments: [],
        inference_options: options.model ? { model: options.model } : {},
      };
      const id = stateRef.current.threadId;
      const speak = options.speak ? { speak: true } : {};
      const metadata = { ...(id === null && options.personaId ? { persona_id: options.personaId } : {}), ...speak };
      const withMetadata = Object.keys(metadata).length > 0 ? { metadata } : {};
      return stream(
        id === null
          ? { type: "threads.create", params: { input }, ...withMetadata }
          : { type: "threads.add_user_message", params: { thread_id: id, input }, ...withMetadata },
      );
    },
    [stream],
  );

  const stop = useCallback(async () => {
    const id = stateRef.current.threadId;
    if (id !== null) await speasy("speasy.threads.cancel", { thread_id: id });
  }, []);

  const retry = useCallback(async () => {
    const { threadId: id, items } = stateRef.current;
    const last = lastUserMessage(items);
    if (id === null || last === null) return;
    // The answers after that message are replaced: drop them from view now.
    const at = items.indexOf(last);
    for (const stale of items.slice(at + 1)) {
      dispatch({ type: "event", event: { type: "thread.item.removed", item_id: stale.id } });
    }
    await stream({ type: "threads.retry_after_item", params: { thread_id: id, item_id: last.id } });
    // (Retry answers a message already stored: nothing to give back to the composer.)
  }, [stream]);

  const loadOlder = useCallback(async () => {
    const { threadId: id, olderCursor } = stateRef.current;
    if (id === null || olderCursor === null) return;
    const gen = generation.current;
    const page = await chatkit("items.list", {
      thread_id: id,
      order: "desc",
      limit: ITEMS_PAGE,
      after: olderCursor,
    });
    if (gen !== generation.current) return;
    dispatch({
      type: "older",
      items: page.data.slice().reverse(),
      olderCursor: page.has_more ? (page.after ?? null) : null,
    });
  }, []);

  const feedback = useCallback(async (itemId: string, kind: "positive" | "negative") => {
    const id = stateRef.current.threadId;
    if (id !== null) await chatkit("items.feedback", { thread_id: id, item_ids: [itemId], kind });
  }, []);

  const serverAction = useCallback(
    async (action: WidgetAction, itemId: string) => {
      const id = stateRef.current.threadId;
      if (id === null) return;
      const wire = { type: action.type, ...(action.payload === undefined ? {} : { payload: action.payload }) };
      if (action.streaming === false) {
        const answer = await chatkit("threads.sync_custom_action", {
          thread_id: id,
          item_id: itemId,
          action: wire,
        });
        if (answer.updated_item) dispatch({ type: "replace", item: answer.updated_item as ThreadItem });
      } else {
        await stream({
          type: "threads.custom_action",
          params: { thread_id: id, item_id: itemId, action: wire },
        });
      }
      callbacksRef.current.onChanged?.();
    },
    [stream],
  );

  const clientAction = useCallback((action: WidgetAction) => {
    if (action.type === "thread.open") {
      const target = (action.payload as { thread_id?: unknown } | undefined)?.thread_id;
      if (typeof target === "string") callbacksRef.current.onOpenThread?.(target);
    }
  }, []);

  // While it is, check every second; once it ended, show what was stored.
  useEffect(() => {
    if (!waiting || threadId === null) return;
    const timer = window.setInterval(() => {
      speasy("speasy.threads.get", { thread_id: threadId }).then(
        (summary) => {
          if (!summary.answering) {
            setWaiting(false);
            bumpReload();
          }
        },
        () => setWaiting(false),
      );
    }, 1000);
    return () => window.clearInterval(timer);
  }, [waiting, threadId]);

  // A rename elsewhere (the sidebar) shows in this view's header.
  useEffect(() => {
    const onRenamed = (event: Event) => {
      const { threadId: id, title } = (event as CustomEvent<{ threadId: string; title: string }>).detail;
      if (id === stateRef.current.threadId) dispatch({ type: "renamed", title });
    };
    window.addEventListener(THREAD_RENAMED, onRenamed);
    return () => window.removeEventListener(THREAD_RENAMED, onRenamed);
  }, []);

  const dismiss = useCallback(() => dispatch({ type: "dismiss" }), []);
  const reload = useCallback(() => bumpReload(), []);

  return {
    state,
    waiting,
    personaId,
    loading: loadState.loading,
    loadError: loadState.error,
    send,
    stop,
    retry,
    loadOlder,
    feedback,
    serverAction,
    clientAction,
    dismiss,
    reload,
  };
}
