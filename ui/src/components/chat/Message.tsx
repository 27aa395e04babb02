/**
 * One thread item: the person's message, the assistant's (streaming Markdown, copy, thumbs
 * up/down, retry), a widget, a tool call or task. An item type this version does not know is
 * shown as a small placeholder and never breaks the thread.
 */
import { lazy, memo, Suspense, useState } from "react";

import type { ThreadItem } from "../../bindings/ThreadItem";
import { itemText } from "../../chat/threadState";
import type { WidgetHost } from "../../widgets/types";
import { CopyButton } from "../CopyButton";
import { Glyph } from "../Glyph";

// Loaded on first use, so start-up parses neither the Markdown/highlighting stack nor the
// widget renderer (charts included) before the first screen paints.
const Markdown = lazy(() => import("../Markdown").then((m) => ({ default: m.Markdown })));
const Widget = lazy(() => import("../../widgets/Widget").then((m) => ({ default: m.Widget })));

type Feedback = "positive" | "negative";

export type MessageProps = {
  item: ThreadItem;
  /** This assistant message is being written right now. */
  streaming: boolean;
  /** Offer "Retry" (the last answer, when nothing streams). */
  canRetry: boolean;
  focused: boolean;
  host: WidgetHost;
  onRetry: () => void;
  onFeedback: (itemId: string, kind: Feedback) => Promise<void>;
  /** This message is being read aloud. */
  speaking?: boolean;
  /** Read it aloud (absent: no read-aloud here). */
  onRead?: (itemId: string) => void;
  onStopReading?: () => void;
  onSkipSentence?: () => void;
};

function ReadAloudButton({
  itemId,
  speaking,
  onRead,
  onStop,
  onSkip,
}: {
  itemId: string;
  speaking: boolean;
  onRead: (id: string) => void;
  onStop?: () => void;
  onSkip?: () => void;
}) {
  return speaking ? (
    <>
      <button type="button" className="icon-button" aria-label="Stop reading" title="Stop reading" aria-pressed="true" onClick={onStop}>
        <Glyph icon="square" size={13} fill="currentColor" />
      </button>
      <button type="button" className="icon-button" aria-label="Skip sentence" title="Skip sentence" onClick={onSkip}>
        <Glyph icon="skipForward" size={15} />
      </button>
    </>
  ) : (
    <button type="button" className="icon-button" aria-label="Read aloud" title="Read aloud" onClick={() => onRead(itemId)}>
      <Glyph icon="volume2" size={15} />
    </button>
  );
}

const VERDICTS = [
  { kind: "positive", label: "Good answer", icon: "thumbsUp" },
  { kind: "negative", label: "Bad answer", icon: "thumbsDown" },
] as const;

function FeedbackButtons({ itemId, onFeedback }: { itemId: string; onFeedback: MessageProps["onFeedback"] }) {
  const [given, setGiven] = useState<Feedback | null>(null);
  const [failed, setFailed] = useState(false);
  const give = (kind: Feedback) => {
    setFailed(false);
    onFeedback(itemId, kind).then(
      () => setGiven(kind),
      () => setFailed(true),
    );
  };
  return (
    <>
      {VERDICTS.map(({ kind, label, icon }) => (
        <button
          key={kind}
          type="button"
          className="icon-button"
          aria-label={label}
          title={label}
          aria-pressed={given === kind}
          onClick={() => give(kind)}
        >
          <Glyph icon={icon} size={15} />
        </button>
      ))}
      {failed && (
        <span className="muted small" role="status">
          Feedback not saved
        </span>
      )}
    </>
  );
}

function field<T>(item: ThreadItem, name: string): T | undefined {
  return (item as Record<string, unknown>)[name] as T | undefined;
}

export const Message = memo(function Message(props: MessageProps) {
  const { item, streaming, canRetry, focused, host, onRetry, onFeedback, onRead } = props;
  const common = {
    "data-item-id": item.id,
    "data-item-type": item.type,
    "data-focused": focused || undefined,
  };
  switch (item.type) {
    case "user_message": {
      const text = itemText(item);
      const quoted = field<string>(item, "quoted_text");
      return (
        <article className="message user" aria-label="You said" {...common}>
          {quoted && <blockquote className="quoted">{quoted}</blockquote>}
          <div className="bubble">{text}</div>
          <div className="message-actions">
            <CopyButton text={text} label="Copy message" />
          </div>
        </article>
      );
    }
    case "assistant_message": {
      const text = itemText(item);
      return (
        <article className="message assistant" aria-label="Speasy said" aria-busy={streaming || undefined} {...common}>
          <Suspense fallback={<div className="markdown plain">{text}</div>}>
            <Markdown text={text} streaming={streaming} />
          </Suspense>
          {streaming && text === "" && <span className="typing" aria-hidden="true" />}
          {!streaming && (
            <div className="message-actions">
              <CopyButton text={text} label="Copy message" />
              {onRead && text.trim() !== "" && (
                <ReadAloudButton
                  itemId={item.id}
                  speaking={props.speaking ?? false}
                  onRead={onRead}
                  onStop={props.onStopReading}
                  onSkip={props.onSkipSentence}
                />
              )}
              <FeedbackButtons itemId={item.id} onFeedback={onFeedback} />
              {canRetry && (
                <button type="button" className="icon-button" aria-label="Retry" title="Retry" onClick={onRetry}>
                  <Glyph icon="rotateCcw" size={15} />
                </button>
              )}
            </div>
          )}
        </article>
      );
    }
    case "widget":
      return (
        <article className="message widget-message" aria-label="Widget" {...common}>
          <Suspense fallback={<div className="widget-loading" aria-busy="true" />}>
            <Widget root={field<unknown>(item, "widget")} itemId={item.id} host={host} />
          </Suspense>
        </article>
      );
    case "client_tool_call": {
      const name = field<string>(item, "name") ?? "tool";
      const status = field<string>(item, "status") ?? "pending";
      return (
        <div className="message tool-call" {...common}>
          <Glyph icon="wrench" size={14} />
          <span>
            {name} · {status === "completed" ? "done" : "waiting for the app"}
          </span>
        </div>
      );
    }
    case "task":
    case "workflow": {
      const task = field<{ title?: string; content?: string; summary?: { title?: string } }>(item, item.type);
      return (
        <div className="message tool-call" {...common}>
          <Glyph icon="wrench" size={14} />
          <span>{task?.title ?? task?.summary?.title ?? task?.content ?? "Working…"}</span>
        </div>
      );
    }
    case "end_of_turn":
      return null;
    default:
      return (
        <div className="message unsupported" role="note" {...common}>
          This message ({item.type}) can’t be shown in this version of Speasy.
        </div>
      );
  }
});
