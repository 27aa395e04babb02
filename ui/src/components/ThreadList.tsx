/**
 * The sidebar's conversations: pinned first, then by last activity, grouped by date. The list
 * is virtualised (only the rows in view exist in the DOM), so 10,000 threads scroll smoothly;
 * further pages load as the end comes into view. Each row opens its thread and offers Pin,
 * Rename and Delete (deletion is undoable, see `Shell`). Arrow keys move between rows.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Pencil, Pin, PinOff, Trash2 } from "lucide-react";

import type { ThreadSummary } from "../bindings/ThreadSummary";
import type { SpeasyError } from "../ipc";
import { dateGroup } from "../lib/dateGroups";
import { rowOffsets, rowTop, useRowWindow } from "../lib/rowWindow";
import { useAutoFocus } from "../lib/useAutoFocus";
import { ErrorMessage } from "./ErrorMessage";

type Row = { kind: "group"; label: string } | { kind: "thread"; thread: ThreadSummary };

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

function ThreadRow({
  thread,
  active,
  onOpen,
  onPin,
  onRename,
  onDelete,
  onKeyDown,
}: {
  thread: ThreadSummary;
  active: boolean;
  onOpen: () => void;
  onPin: () => void;
  onRename: (title: string) => void;
  onDelete: () => void;
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
}) {
  const [editing, setEditing] = useState(false);
  // The Pin / Rename / Delete buttons are created the first time the row is hovered or focused
  // (the style sheet shows them only then, as before): 30 rows of three icon buttons were most
  // of the first screen's DOM, for buttons nobody sees until they point at a row.
  const [armed, setArmed] = useState(false);
  const openButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  // Leaving the rename box (Enter, Escape or elsewhere) gives focus back to the row.
  useEffect(() => {
    if (wasEditing.current && !editing && document.activeElement === document.body) openButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const title = thread.title?.trim() || "Untitled";
  if (editing) {
    return (
      <RenameBox
        title={thread.title ?? ""}
        onDone={(value) => {
          setEditing(false);
          if (value !== null && value !== "" && value !== thread.title) onRename(value);
        }}
      />
    );
  }
  return (
    <div
      className="thread"
      data-active={active || undefined}
      data-testid="thread-item"
      onMouseEnter={() => setArmed(true)}
      onFocus={() => setArmed(true)}
    >
      <button
        ref={openButton}
        type="button"
        className="thread-open"
        aria-current={active ? "page" : undefined}
        title={title}
        onClick={onOpen}
        onKeyDown={(event) => {
          if (event.key === "F2") {
            event.preventDefault();
            setEditing(true);
          } else if (event.key === "Delete") {
            event.preventDefault();
            onDelete();
          } else {
            onKeyDown(event);
          }
        }}
      >
        {thread.pinned && <Pin size={12} aria-label="Pinned" className="thread-pin" />}
        <span className="thread-title">{title}</span>
      </button>
      {armed && (
        <span className="thread-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={thread.pinned ? `Unpin ${title}` : `Pin ${title}`}
            title={thread.pinned ? "Unpin" : "Pin"}
            onClick={onPin}
          >
            {thread.pinned ? <PinOff size={14} aria-hidden="true" /> : <Pin size={14} aria-hidden="true" />}
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Rename ${title}`}
            title="Rename (F2)"
            onClick={() => setEditing(true)}
          >
            <Pencil size={14} aria-hidden="true" />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Delete ${title}`}
            title="Delete (Del)"
            onClick={onDelete}
          >
            <Trash2 size={14} aria-hidden="true" />
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

  // Arrow keys: focus the previous/next thread row (scrolling it into view if needed).
  const move = (from: number, step: 1 | -1) => {
    let to = from + step;
    while (rows[to]?.kind === "group") to += step;
    if (to < 0 || to >= rows.length) return;
    view.scrollToRow(to);
    window.requestAnimationFrame(() => {
      scroller.current?.querySelector<HTMLElement>(`[data-index="${to}"] .thread-open`)?.focus();
    });
  };

  return (
    <nav aria-label="Threads" className="threads">
      {error && <ErrorMessage error={error} title="Couldn’t load conversations" onRetry={props.onRetry} />}
      {threads && threads.length === 0 && !error && <p className="empty">No conversations yet</p>}
      <div className="thread-scroll" ref={scroller}>
        <ul className="thread-list" style={{ height: view.total }}>
          {rows.slice(view.start, view.end).map((row, n) => {
            const index = view.start + n;
            return (
              <li
                key={row.kind === "group" ? `g:${row.label}` : row.thread.id}
                data-index={index}
                className={row.kind === "group" ? "thread-group" : "thread-row"}
                role={row.kind === "group" ? "presentation" : undefined}
                style={{ transform: `translateY(${rowTop(offsets, index)}px)`, height: rowTop(offsets, index + 1) - rowTop(offsets, index) }}
              >
                {row.kind === "group" ? (
                  <h3 className="section-title">{row.label}</h3>
                ) : (
                  <ThreadRow
                    thread={row.thread}
                    active={row.thread.id === activeId}
                    onOpen={() => props.onOpen(row.thread.id)}
                    onPin={() => props.onPin(row.thread.id, !row.thread.pinned)}
                    onRename={(title) => props.onRename(row.thread.id, title)}
                    onDelete={() => props.onDelete(row.thread.id)}
                    onKeyDown={(event) => {
                      if (event.key === "ArrowDown") {
                        event.preventDefault();
                        move(index, 1);
                      } else if (event.key === "ArrowUp") {
                        event.preventDefault();
                        move(index, -1);
                      }
                    }}
                  />
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
