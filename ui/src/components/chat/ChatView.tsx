/**
 * The open conversation: header (title, persona, model), the messages (older pages load as
 * you scroll up; a search hit opens scrolled to its message, highlighted), errors with their
 * next step, the composer, and a polite live region that reads new answers sentence by
 * sentence.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { Persona } from "../../bindings/Persona";
import type { ProviderView } from "../../bindings/ProviderView";
import { SentenceAnnouncer } from "../../chat/announce";
import { itemText } from "../../chat/threadState";
import { useThread } from "../../chat/useThread";
import { useVoice } from "../../chat/useVoice";
import { speasy } from "../../ipc/chatkit";
import { toSpeasyError } from "../../ipc/errors";
import type { WidgetHost } from "../../widgets/types";
import { ErrorMessage } from "../ErrorMessage";
import { Composer } from "./Composer";
import { Message } from "./Message";
import { ModelPicker, PersonaPicker, activeProvider } from "./Pickers";
import { TurnErrorBanner } from "./TurnErrorBanner";
import { VoiceButtons, VoiceStatus } from "./VoiceControls";

export const DEFAULT_PERSONA = "builtin-assistant";
/** How close to the bottom (px) still counts as "following" the answer. */
const FOLLOW_SLACK = 80;

type Props = {
  threadId: string | null;
  focusItemId: string | null;
  personas: Persona[];
  providers: ProviderView[];
  defaultProvider: string | undefined;
  /** Changes whenever providers or keys change: the "can send?" check runs again. */
  providersVersion: number;
  onCreated: (threadId: string) => void;
  onChanged: () => void;
  onOpenThread: (threadId: string, itemId?: string) => void;
  onOpenSettings: () => void;
  /** The core may have added a provider (a local server it found). */
  onProvidersChanged: () => void;
  /** The auto-read setting: answers are read aloud as they stream. */
  autoRead?: boolean;
};

export function ChatView(props: Props) {
  const { threadId, focusItemId, personas, providers, defaultProvider, providersVersion } = props;
  const thread = useThread(threadId, focusItemId, {
    onCreated: props.onCreated,
    onChanged: props.onChanged,
    onOpenThread: (id) => props.onOpenThread(id),
  });
  const { state } = thread;
  const [model, setModel] = useState("");
  // The persona picked in this view, else the thread's, else the default (a new chat).
  const [chosenPersona, setChosenPersona] = useState<string | null>(null);
  const personaId = chosenPersona ?? thread.personaId ?? DEFAULT_PERSONA;
  const [blocked, setBlocked] = useState<string | null>(null);
  const [live, setLive] = useState("");
  const announcer = useRef(new SentenceAnnouncer());
  const list = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const provider = activeProvider(providers, defaultProvider);

  // Can a message be sent? Asks the core which provider and model would answer. (With none
  // configured, the core looks for a local server and adds it: then the list is out of date.)
  const noProviders = providers.length === 0;
  const { onProvidersChanged } = props;
  useEffect(() => {
    let current = true;
    speasy("speasy.providers.active", model ? { model } : {}).then(
      () => {
        if (!current) return;
        setBlocked(null);
        if (noProviders) onProvidersChanged();
      },
      (reason: unknown) => {
        if (current) setBlocked(toSpeasyError(reason).message);
      },
    );
    return () => {
      current = false;
    };
  }, [model, providersVersion, noProviders, onProvidersChanged]);

  const host: WidgetHost = useMemo(
    () => ({ serverAction: thread.serverAction, clientAction: thread.clientAction }),
    [thread.serverAction, thread.clientAction],
  );

  // Announce the answer this view is receiving a sentence at a time (never one that was
  // merely loaded), finishing it when its stream ends even if a widget came after it.
  const last = state.items[state.items.length - 1];
  const liveItem = state.liveAssistantId ? state.items.find((i) => i.id === state.liveAssistantId) : undefined;
  const liveText = liveItem ? itemText(liveItem) : null;
  useEffect(() => {
    if (!liveItem || liveText === null) return;
    const chunk = announcer.current.next(liveItem.id, liveText, !state.streaming);
    if (chunk) setLive(chunk);
  }, [liveItem, liveText, state.streaming]);

  // Keep the newest text in view while following; scroll to a search hit once loaded.
  const firstId = state.items[0]?.id;
  const heightBefore = useRef<{ firstId: string | undefined; height: number } | null>(null);
  useLayoutEffect(() => {
    const el = list.current;
    // Nothing to scroll in a new conversation (and reading its height would lay the page out
    // before the first frame).
    if (!el || state.items.length === 0) return;
    const before = heightBefore.current;
    if (before && before.firstId !== firstId) {
      // Older messages were prepended: keep what was on screen in place.
      el.scrollTop += el.scrollHeight - before.height;
      heightBefore.current = null;
      return;
    }
    if (following.current) el.scrollTop = el.scrollHeight;
    // `streaming` too: the answer's action row appears when it ends.
  }, [state.items, firstId, state.streaming]);

  useEffect(() => {
    if (!focusItemId || thread.loading) return;
    const target = list.current?.querySelector(`[data-item-id="${CSS.escape(focusItemId)}"]`);
    if (target instanceof HTMLElement) {
      following.current = false;
      target.scrollIntoView({ block: "center" });
    }
  }, [focusItemId, thread.loading]);

  useEffect(() => {
    following.current = true;
  }, [threadId]);

  // Older messages: prepended with what was on screen kept in place.
  const { loadOlder } = thread;
  const older = useCallback(() => {
    const el = list.current;
    if (!el || !state.olderCursor || heightBefore.current) return;
    heightBefore.current = { firstId, height: el.scrollHeight };
    loadOlder().catch(() => {
      heightBefore.current = null;
    });
  }, [state.olderCursor, firstId, loadOlder]);

  const onScroll = useCallback(() => {
    const el = list.current;
    if (!el) return;
    following.current = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_SLACK;
    if (el.scrollTop < 120) older();
  }, [older]);

  const send = (text: string, speak = false) => {
    following.current = true;
    return thread.send(text, { ...(model ? { model } : {}), personaId, ...(speak ? { speak } : {}) });
  };
  // A transcript is the person's message; in voice mode its answer is read aloud.
  const voice = useVoice((text, mode) => void send(text, mode === "hands_free"), { autoRead: props.autoRead ?? false });
  const readItem = useCallback(
    (itemId: string) => {
      if (state.threadId) voice.read(state.threadId, itemId);
    },
    [state.threadId, voice.read],
  );
  const { retry } = thread;
  const onRetry = useCallback(() => void retry(), [retry]);
  const streaming = state.streaming || thread.waiting;

  const changePersona = (id: string) => {
    setChosenPersona(id);
    if (state.threadId) {
      void speasy("speasy.threads.set_persona", { thread_id: state.threadId, persona_id: id }).then(
        props.onChanged,
        () => undefined,
      );
    }
  };

  const lastAssistant = [...state.items].reverse().find((i) => i.type === "assistant_message");
  const title = state.threadId === null ? "New chat" : state.title?.trim() || "Untitled";

  return (
    <section className="chat" aria-label={title}>
      <header className="chat-header">
        <h1 className="chat-title" title={title}>
          {title}
        </h1>
        <div className="chat-pickers">
          <PersonaPicker personas={personas} value={personaId} onChange={changePersona} />
          <ModelPicker provider={provider} value={model} onChange={setModel} />
        </div>
      </header>
      <div className="chat-scroll" ref={list} onScroll={onScroll} data-testid="messages">
        <div className="chat-column">
          {thread.loadError && (
            <ErrorMessage error={toSpeasyError(thread.loadError)} title="Couldn’t open this conversation" onRetry={thread.reload} />
          )}
          {thread.loading && <p className="muted center">Loading…</p>}
          {!thread.loading && state.olderCursor && (
            <button type="button" className="button button-small older" onClick={older}>
              Load earlier messages
            </button>
          )}
          {!thread.loading && state.items.length === 0 && state.threadId === null && (
            <div className="chat-empty">
              <h2>How can I help?</h2>
              <p className="muted">Your conversations stay on this device and can be searched offline.</p>
            </div>
          )}
          {state.items.map((item) => (
            <Message
              key={item.id}
              item={item}
              streaming={state.streaming && item === last && item.type === "assistant_message"}
              canRetry={!state.streaming && item === lastAssistant}
              focused={item.id === focusItemId}
              host={host}
              onRetry={onRetry}
              onFeedback={thread.feedback}
              speaking={voice.speakingItem === item.id}
              onRead={readItem}
              onStopReading={voice.stopSpeaking}
              onSkipSentence={voice.skip}
            />
          ))}
          {thread.waiting && (
            <p className="progress muted small" role="status">
              Still answering… (started before you opened this conversation)
            </p>
          )}
          {state.progress && (
            <p className="progress muted small" role="status">
              {state.progress}
            </p>
          )}
          {state.streaming && last?.type !== "assistant_message" && !state.progress && (
            <span className="typing" aria-label="Speasy is thinking" role="status" />
          )}
          {state.error && (
            <TurnErrorBanner
              error={state.error}
              onRetry={onRetry}
              onOpenSettings={props.onOpenSettings}
              onDismiss={thread.dismiss}
            />
          )}
          {state.notice && (
            <p className={`notice notice-${state.notice.level}`} role="status">
              {state.notice.title && <strong>{state.notice.title} </strong>}
              {state.notice.message}
            </p>
          )}
        </div>
      </div>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="live-region">
        {live}
      </div>
      <div className="chat-column composer-column">
        <Composer
          streaming={streaming}
          disabledReason={blocked}
          disabledAction={
            <button type="button" className="button button-small" onClick={props.onOpenSettings}>
              Open settings
            </button>
          }
          onSend={(text) => send(text)}
          onStop={() => void thread.stop()}
          focusKey={threadId ?? "new"}
          toolbar={<VoiceButtons voice={voice} disabled={blocked !== null} />}
          status={<VoiceStatus voice={voice} onOpenSettings={props.onOpenSettings} />}
        />
      </div>
    </section>
  );
}
