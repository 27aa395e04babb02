/**
 * The sidebar's conversations: pinned first, then by last activity, grouped by date. The list
 * is virtualised (only the rows in view exist in the DOM), so 10,000 threads scroll smoothly;
 * further pages load as the end comes into view. Each row opens its thread and offers Pin,
 * Rename and Delete (deletion is undoable, see `Shell`). Arrow keys move between rows.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";

import type { ThreadSummary } from "../bindings/ThreadSummary";
import type { SpeasyError } from "../ipc";
import { dateGroup } from "../lib/dateGroups";
import { rowOffsets, rowTop, useRowWindow } from "../lib/rowWindow";
import { useAutoFocus } from "../lib/useAutoFocus";
import { ErrorMessage } from "./ErrorMessage";
import { Glyph } from "./Glyph";

type Row = { kind: "group"; label: string } | { kind: "thread"; thread: ThreadSummary };

// Rows are laid out in the list's normal flow, below a padding as tall as the rows above the
// window (one style on the list, none per row): these heights are the style sheet's
// (`.thread-list > li`), which the positions here must match.
const GROUP_HEIGHT = 30;
const THREAD_HEIGHT = 36;
/** Rows rendered beyond each edge of the view (px). */
const OVERSCAN = 240;

type Props = {
  threads: ThreadSummary[] | null;
  hasMore: boolean;
  loading: boolean;
  error: SpeasyError | null;
  activeId: string | null;
  onRetry: () => void;
  onLoadMore: () => void;
  onOpen: (id: string) => void;
  onPin: (id: string, pinned: boolean) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
  /** The list's viewport height before it is first observed (default: the window's). */
  initialHeight?: number;
};

function rowsOf(threads: ThreadSummary[]): Row[] {
  const rows: Row[] = [];
  let group: string | null = null;
  const now = Date.now();
  for (const thread of threads) {
    const label = dateGroup(thread.updated_at, thread.pinned, now);
    if (label !== group) {
      rows.push({ kind: "group", label });
      group = label;
    }
    rows.push({ kind: "thread", thread });
  }
  return rows;
}

/** The row's title as a text box: Enter keeps the new title, Escape or leaving it cancels. */
function RenameBox({ title, onDone }: { title: string; onDone: (title: string | null) => void }) {
  const box = useRef<HTMLInputElement>(null);
  useAutoFocus(box, true, true);
  return (
    <input
      ref={box}
      className="input thread-rename"
      aria-label="Conversation title"
      defaultValue={title}
      onKeyDown={(event) => {
        if (event.key === "Enter") onDone(event.currentTarget.value.trim());
        else if (event.key === "Escape") onDone(null);
      }}
      onBlur={() => onDone(null)}
    />
  );
}

/**
 * One conversation's row. No state or handlers of its own: the list handles its events (one
 * listener for all rows, see `ThreadList`) and knows which rows are armed or being renamed.
 */
function threadRow(thread: ThreadSummary, active: boolean, armed: boolean) {
  const title = thread.title?.trim() || "Untitled";
  return (
    <div className="thread" data-active={active || undefined} data-testid="thread-item">
      <button type="button" className="thread-open" aria-current={active ? "page" : undefined} title={title}>
        {thread.pinned && <Glyph icon="pin" size={12} label="Pinned" className="thread-pin" />}
        <span className="thread-title">{title}</span>
      </button>
      {armed && (
        <span className="thread-actions">
          <button
            type="button"
            className="icon-button"
            data-action="pin"
            aria-label={thread.pinned ? `Unpin ${title}` : `Pin ${title}`}
            title={thread.pinned ? "Unpin" : "Pin"}
          >
            <Glyph icon={thread.pinned ? "pinOff" : "pin"} size={14} />
          </button>
          <button type="button" className="icon-button" data-action="rename" aria-label={`Rename ${title}`} title="Rename (F2)">
            <Glyph icon="pencil" size={14} />
          </button>
          <button type="button" className="icon-button" data-action="delete" aria-label={`Delete ${title}`} title="Delete (Del)">
            <Glyph icon="trash2" size={14} />
          </button>
        </span>
      )}
    </div>
  );
}

export function ThreadList(props: Props) {
  const { threads, hasMore, loading, error, activeId } = props;
  const rows = useMemo(() => rowsOf(threads ?? []), [threads]);
  const scroller = useRef<HTMLDivElement>(null);
  const offsets = useMemo(() => rowOffsets(rows.length, (i) => (rows[i]?.kind === "group" ? GROUP_HEIGHT : THREAD_HEIGHT)), [rows]);
  const view = useRowWindow(offsets, scroller, OVERSCAN, props.initialHeight);
  const lastIndex = view.end - 1;

  // Load the next page as the end of what is loaded comes into view.
  const { onLoadMore } = props;
  useEffect(() => {
    if (hasMore && !loading && lastIndex >= rows.length - 20) onLoadMore();
  }, [hasMore, loading, lastIndex, rows.length, onLoadMore]);

  // A row's Pin / Rename / Delete buttons are created the first time it is hovered or focused
  // (the style sheet shows them only then): 30 rows of three icon buttons were most of the
  // first screen's DOM, for buttons nobody sees until they point at a row.
  const [armed, setArmed] = useState<ReadonlySet<string>>(() => new Set());
  const [editing, setEditing] = useState<string | null>(null);
  const arm = (id: string) => setArmed((a) => (a.has(id) ? a : new Set(a).add(id)));

  const focusRow = (index: number) =>
    scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"] .thread-open`)?.focus();

  // Leaving the rename box (Enter, Escape or elsewhere) gives focus back to its row.
  const wasEditing = useRef<string | null>(null);
  useEffect(() => {
    const left = wasEditing.current;
    wasEditing.current = editing;
    if (left === null || editing !== null || document.activeElement !== document.body) return;
    const index = rows.findIndex((r) => r.kind === "thread" && r.thread.id === left);
    if (index >= 0) focusRow(index);
  }, [editing, rows]);

  // Arrow keys: focus the previous/next thread row (scrolling it into view if needed).
  const move = (from: number, step: 1 | -1) => {
    let to = from + step;
    while (rows[to]?.kind === "group") to += step;
    if (to < 0 || to >= rows.length) return;
    view.scrollToRow(to);
    window.requestAnimationFrame(() => focusRow(to));
  };

  /** The conversation whose row holds `target`, with the row's index. */
  const rowOf = (target: EventTarget | null): { index: number; thread: ThreadSummary } | null => {
    const li = target instanceof Element ? target.closest<HTMLElement>("li[data-index]") : null;
    const index = Number(li?.dataset.index);
    const row = rows[index];
    return row?.kind === "thread" ? { index, thread: row.thread } : null;
  };

  // One listener each for all the rows (not four per row: the first screen renders fewer
  // handlers and hooks).
  const onClick = (event: MouseEvent<HTMLElement>) => {
    const hit = rowOf(event.target);
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!hit || !button) return;
    const { id, pinned } = hit.thread;
    const action = button.dataset.action;
    if (action === "pin") props.onPin(id, !pinned);
    else if (action === "rename") setEditing(id);
    else if (action === "delete") props.onDelete(id);
    else if (button.classList.contains("thread-open")) props.onOpen(id);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (!(event.target instanceof Element) || !event.target.classList.contains("thread-open")) return;
    const hit = rowOf(event.target);
    if (!hit) return;
    if (event.key === "F2") {
      event.preventDefault();
      setEditing(hit.thread.id);
    } else if (event.key === "Delete") {
      event.preventDefault();
      props.onDelete(hit.thread.id);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(hit.index, event.key === "ArrowDown" ? 1 : -1);
    }
  };
  const onArm = (event: { target: EventTarget | null }) => {
    const hit = rowOf(event.target);
    if (hit) arm(hit.thread.id);
  };

  return (
    <nav aria-label="Threads" className="threads">
      {error && <ErrorMessage error={error} title="Couldn’t load conversations" onRetry={props.onRetry} />}
      {threads && threads.length === 0 && !error && <p className="empty">No conversations yet</p>}
      <div className="thread-scroll" ref={scroller}>
        <ul
          className="thread-list"
          style={{ height: view.total, paddingTop: rowTop(offsets, view.start) }}
          onClick={onClick}
          onKeyDown={onKeyDown}
          onMouseOver={onArm}
          onFocusCapture={onArm}
        >
          {rows.slice(view.start, view.end).map((row, n) => {
            const index = view.start + n;
            if (row.kind === "group") {
              return (
                <li key={`g:${row.label}`} data-index={index} className="thread-group" role="presentation">
                  <h3 className="section-title">{row.label}</h3>
                </li>
              );
            }
            const { thread } = row;
            return (
              <li key={thread.id} data-index={index} className="thread-row">
                {editing === thread.id ? (
                  <RenameBox
                    title={thread.title ?? ""}
                    onDone={(value) => {
                      setEditing(null);
                      if (value !== null && value !== "" && value !== thread.title) props.onRename(thread.id, value);
                    }}
                  />
                ) : (
                  threadRow(thread, thread.id === activeId, armed.has(thread.id))
                )}
              </li>
            );
          })}
        </ul>
        {loading && <p className="muted small">Loading…</p>}
      </div>
    </nav>
  );
}
