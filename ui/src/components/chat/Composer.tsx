/**
 * The message box: multi-line, Enter sends, Shift+Enter starts a new line. While an answer
 * streams the Send button becomes Stop. When no provider is usable it is disabled and says why,
 * with the way to fix it.
 */
import { useEffect, useRef, useState, type ReactNode } from "react";

import { Glyph } from "../Glyph";

type Props = {
  streaming: boolean;
  /** Why sending is unavailable (`null`: it is available). */
  disabledReason: string | null;
  /** Shown under the reason, e.g. an "Open settings" button. */
  disabledAction?: ReactNode;
  /** Resolves `false` when the message was not taken: the text comes back into the box. */
  onSend: (text: string) => Promise<boolean> | void;
  onStop: () => void;
  /** Changes when the conversation changes: the box is focused and cleared of nothing. */
  focusKey: string;
  toolbar?: ReactNode;
  /** Shown above the box (voice status). */
  status?: ReactNode;
};

const MAX_HEIGHT = 240;

export function Composer({ streaming, disabledReason, disabledAction, onSend, onStop, focusKey, toolbar, status }: Props) {
  const [text, setText] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const disabled = disabledReason !== null;

  useEffect(() => {
    area.current?.focus();
  }, [focusKey]);

  // Grow with the text up to a limit, then scroll.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [text]);

  const canSend = !disabled && !streaming && text.trim() !== "";
  const submit = () => {
    if (!canSend) return;
    const sent = text.trim();
    setText("");
    // Keyboard focus stays in the box (the Send button is about to become Stop).
    area.current?.focus();
    void Promise.resolve(onSend(sent)).then((taken) => {
      if (taken === false) setText((now) => (now === "" ? sent : now));
    });
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {disabled && (
        <div className="composer-disabled" role="status" id="composer-disabled-reason">
          <p>{disabledReason}</p>
          {disabledAction}
        </div>
      )}
      {status}
      <div className="composer-box" data-disabled={disabled || undefined}>
        <textarea
          ref={area}
          className="composer-input"
          aria-label="Message"
          aria-describedby={disabled ? "composer-disabled-reason" : undefined}
          placeholder={disabled ? "Sending is unavailable" : "Message Speasy…"}
          rows={1}
          value={text}
          disabled={disabled}
          onChange={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <div className="composer-bar">
          <div className="composer-tools">{toolbar}</div>
          {streaming ? (
            <button type="button" className="composer-send stop" aria-label="Stop" title="Stop" onClick={() => {
              onStop();
              area.current?.focus();
            }}>
              <Glyph icon="square" size={14} fill="currentColor" />
            </button>
          ) : (
            <button type="submit" className="composer-send" aria-label="Send" title="Send (Enter)" disabled={!canSend}>
              <Glyph icon="arrowUp" size={18} />
            </button>
          )}
        </div>
      </div>
      <p className="composer-hint muted small" aria-hidden="true">
        Enter to send · Shift+Enter for a new line
      </p>
    </form>
  );
}
