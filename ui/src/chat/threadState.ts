/**
 * The state of one open conversation and how ChatKit stream events change it. Pure: the
 * reducer returns new objects only along what changed, so React re-renders just the item that
 * is streaming. Event semantics follow `../shared/reference/chatkit-protocol.md` §3.
 */
import type { ErrorKind } from "../bindings/ErrorKind";
import type { StreamEvent } from "../bindings/StreamEvent";
import type { ThreadItem } from "../bindings/ThreadItem";
import type { JsonValue } from "../bindings/serde_json/JsonValue";
// Only the update functions: the renderer itself loads with the first widget shown.
import { applyWidgetUpdate, type WidgetUpdate } from "../widgets/applyWidgetUpdate";

/** Item types the core stores for the model but never shows. */
const HIDDEN = new Set(["hidden_context_item", "sdk_hidden_context"]);

export type TurnError = {
  message: string;
  allowRetry: boolean;
  /** From the `speasy.error` client effect that precedes the error event. */
  kind?: ErrorKind;
  retryAfterSecs?: number;
};

export type ThreadState = {
  /** `null` until the core created the thread (a new chat before its first answer). */
  threadId: string | null;
  title: string | null;
  items: ThreadItem[];
  /** Cursor of the oldest loaded page, for loading older items; `null`: all loaded. */
  olderCursor: string | null;
  streaming: boolean;
  allowCancel: boolean;
  progress: string | null;
  error: TurnError | null;
  notice: { level: string; message: string; title?: string } | null;
  /** The assistant message a stream in this view added last: the one read aloud. */
  liveAssistantId: string | null;
  /** The kind announced by the last `speasy.error` effect, waiting for its error event. */
  pendingErrorKind: { kind?: ErrorKind; retryAfterSecs?: number } | null;
};

export function emptyThread(threadId: string | null = null): ThreadState {
  return {
    threadId,
    title: null,
    items: [],
    olderCursor: null,
    streaming: false,
    allowCancel: false,
    progress: null,
    error: null,
    notice: null,
    liveAssistantId: null,
    pendingErrorKind: null,
  };
}

export type ThreadAction =
  | { type: "reset"; threadId: string | null }
  | { type: "loaded"; threadId: string; title: string | null; items: ThreadItem[]; olderCursor: string | null }
  | { type: "older"; items: ThreadItem[]; olderCursor: string | null }
  | { type: "stream.start" }
  | { type: "stream.end" }
  | { type: "event"; event: StreamEvent }
  | { type: "failed"; error: TurnError }
  | { type: "replace"; item: ThreadItem }
  | { type: "dismiss" }
  | { type: "renamed"; title: string };

type OutputPart = { type: string; text: string; annotations?: JsonValue[] };

export function visible(item: ThreadItem): boolean {
  return !HIDDEN.has(item.type);
}

function upsert(items: ThreadItem[], item: ThreadItem): ThreadItem[] {
  if (!visible(item)) return items;
  const at = items.findIndex((i) => i.id === item.id);
  if (at === -1) return [...items, item];
  const next = items.slice();
  next[at] = item;
  return next;
}

function contentOf(item: ThreadItem): OutputPart[] {
  const content = (item as { content?: unknown }).content;
  return Array.isArray(content) ? (content as OutputPart[]) : [];
}

/** Applies a `thread.item.updated` payload to its item. */
function updateItem(item: ThreadItem, update: { type: string } & Record<string, unknown>): ThreadItem {
  switch (update.type) {
    case "assistant_message.content_part.added":
    case "assistant_message.content_part.done": {
      const content = contentOf(item).slice();
      content[update.content_index as number] = update.content as OutputPart;
      return { ...item, content } as ThreadItem;
    }
    case "assistant_message.content_part.text_delta": {
      const content = contentOf(item).slice();
      const index = update.content_index as number;
      const part = content[index] ?? { type: "output_text", text: "", annotations: [] };
      content[index] = { ...part, text: part.text + (update.delta as string) };
      return { ...item, content } as ThreadItem;
    }
    case "widget.root.updated":
    case "widget.component.updated":
    case "widget.streaming_text.value_delta": {
      const widget = (item as { widget?: unknown }).widget;
      if (widget === undefined) return item;
      const next = applyWidgetUpdate(widget as never, update as unknown as WidgetUpdate);
      return next === widget ? item : ({ ...item, widget: next } as ThreadItem);
    }
    default:
      return item;
  }
}

function onEvent(state: ThreadState, event: StreamEvent): ThreadState {
  switch (event.type) {
    case "thread.created":
    case "thread.updated":
      return { ...state, threadId: event.thread.id, title: event.thread.title ?? state.title };
    case "thread.item.added":
      return {
        ...state,
        items: upsert(state.items, event.item),
        progress: null,
        liveAssistantId: event.item.type === "assistant_message" ? event.item.id : state.liveAssistantId,
      };
    case "thread.item.done":
    case "thread.item.replaced":
      return { ...state, items: upsert(state.items, event.item), progress: null };
    case "thread.item.updated": {
      const at = state.items.findIndex((i) => i.id === event.item_id);
      if (at === -1) return state;
      const current = state.items[at] as ThreadItem;
      const next = updateItem(current, event.update as { type: string } & Record<string, unknown>);
      if (next === current) return state;
      const items = state.items.slice();
      items[at] = next;
      return { ...state, items };
    }
    case "thread.item.removed":
      return { ...state, items: state.items.filter((i) => i.id !== event.item_id) };
    case "stream_options":
      return { ...state, allowCancel: event.stream_options.allow_cancel };
    case "progress_update":
      return { ...state, progress: event.text };
    case "client_effect":
      if (event.name === "speasy.error") {
        const kind = event.data.kind;
        const secs = event.data.retry_after_secs;
        return {
          ...state,
          pendingErrorKind: {
            ...(typeof kind === "string" ? { kind: kind as ErrorKind } : {}),
            ...(typeof secs === "number" ? { retryAfterSecs: secs } : {}),
          },
        };
      }
      return state;
    case "error":
      return {
        ...state,
        progress: null,
        pendingErrorKind: null,
        error: {
          message: event.message ?? "Something went wrong while answering.",
          allowRetry: event.allow_retry,
          ...state.pendingErrorKind,
        },
      };
    case "notice":
      return {
        ...state,
        notice: { level: event.level, message: event.message, ...(event.title ? { title: event.title } : {}) },
      };
  }
}

export function threadReducer(state: ThreadState, action: ThreadAction): ThreadState {
  switch (action.type) {
    case "reset":
      return emptyThread(action.threadId);
    case "loaded":
      return {
        ...emptyThread(action.threadId),
        title: action.title,
        items: action.items.filter(visible),
        olderCursor: action.olderCursor,
      };
    case "older": {
      const known = new Set(state.items.map((i) => i.id));
      const older = action.items.filter((i) => visible(i) && !known.has(i.id));
      return { ...state, items: [...older, ...state.items], olderCursor: action.olderCursor };
    }
    case "stream.start":
      return { ...state, streaming: true, allowCancel: false, error: null, notice: null, progress: null };
    case "stream.end":
      return { ...state, streaming: false, allowCancel: false, progress: null, pendingErrorKind: null };
    case "event":
      return onEvent(state, action.event);
    case "failed":
      return { ...state, streaming: false, progress: null, error: action.error };
    case "replace":
      return { ...state, items: upsert(state.items, action.item) };
    case "dismiss":
      return { ...state, error: null, notice: null };
    case "renamed":
      return { ...state, title: action.title };
  }
}

/** The text of a user or assistant message (all its text parts). */
export function itemText(item: ThreadItem): string {
  return contentOf(item)
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .join("\n");
}

/** The last user message, which "Retry" answers again. */
export function lastUserMessage(items: ThreadItem[]): ThreadItem | null {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i] as ThreadItem;
    if (item.type === "user_message") return item;
  }
  return null;
}
