/**
 * Voice in the chat view: push-to-talk (hold the mic button or Ctrl+Shift+Space), hands-free
 * voice mode (listen → answer read aloud → listen again; talking over the answer stops it),
 * read-aloud of a message, and the state the buttons show — level ring, "listening",
 * "transcribing", which message is being read — from the core's voice events.
 *
 * Transcripts come back through `onTranscript`; the chat view sends them as the user message
 * (in voice mode with `speak`, so the answer is read as it streams).
 */
import { useCallback, useEffect, useRef, useState } from "react";

import type { ListenMode } from "../bindings/ListenMode";
import type { VoiceEvent } from "../bindings/VoiceEvent";
import { speasy } from "../ipc/chatkit";
import { SpeasyError, toSpeasyError } from "../ipc/errors";
import { onVoiceEvent } from "../ipc/voice";

export type VoicePhase = "idle" | "listening" | "hearing" | "transcribing";

export type Voice = {
  /** How the microphone is open, if it is. */
  mode: ListenMode | null;
  phase: VoicePhase;
  /** Loudness, 0 (silence) to 1, for the level ring. */
  level: number;
  /** Reading aloud: the message being read (`""` when its id is not known yet). */
  speakingItem: string | null;
  error: SpeasyError | null;
  pushToTalk: () => void;
  release: () => void;
  toggleVoiceMode: () => void;
  read: (threadId: string, itemId: string) => void;
  stopSpeaking: () => void;
  /** Skip the sentence being read. */
  skip: () => void;
  dismissError: () => void;
};

/** dBFS to 0–1: −60 dB and below is silence. */
export function levelOf(db: number): number {
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

export function useVoice(
  onTranscript: (text: string, mode: ListenMode) => void,
  options: { autoRead: boolean },
): Voice {
  const [mode, setMode] = useState<ListenMode | null>(null);
  const [phase, setPhase] = useState<VoicePhase>("idle");
  const [level, setLevel] = useState(0);
  const [speakingItem, setSpeakingItem] = useState<string | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);
  const modeRef = useRef<ListenMode | null>(null);
  const transcriptRef = useRef(onTranscript);
  transcriptRef.current = onTranscript;
  const subscribed = useRef<(() => void) | null>(null);
  // Push-to-talk let go before the microphone opened: release as soon as it has.
  const releasePending = useRef(false);

  const handle = useCallback((event: VoiceEvent) => {
    switch (event.type) {
      case "listening":
        modeRef.current = event.mode;
        setMode(event.mode);
        setPhase("listening");
        break;
      case "level":
        setLevel(levelOf(event.db));
        break;
      case "speech_started":
        setPhase("hearing");
        break;
      case "transcribing":
        setPhase("transcribing");
        break;
      case "transcript":
        setPhase(modeRef.current === "hands_free" ? "listening" : "idle");
        transcriptRef.current(event.text, modeRef.current ?? "push_to_talk");
        break;
      case "listening_stopped":
        modeRef.current = null;
        setMode(null);
        setPhase("idle");
        setLevel(0);
        break;
      case "speaking":
        setSpeakingItem(event.item_id ?? "");
        break;
      case "speaking_done":
        setSpeakingItem((now) => (now === (event.item_id ?? "") ? null : now));
        break;
      case "error":
        setError(toSpeasyError(event.error));
        if (modeRef.current !== "hands_free") setPhase("idle");
        break;
    }
  }, []);

  const subscribe = useCallback(() => {
    if (!subscribed.current) subscribed.current = onVoiceEvent(handle);
  }, [handle]);

  useEffect(() => {
    if (options.autoRead) subscribe();
  }, [options.autoRead, subscribe]);

  useEffect(
    () => () => {
      subscribed.current?.();
      subscribed.current = null;
    },
    [],
  );

  const run = useCallback((action: Promise<unknown>) => {
    action.catch((reason: unknown) => {
      setError(toSpeasyError(reason));
      setPhase("idle");
    });
  }, []);

  const listen = useCallback(
    (to: ListenMode) => {
      subscribe();
      setError(null);
      releasePending.current = false;
      run(
        speasy("speasy.voice.listen", { mode: to }).then(() => {
          if (releasePending.current) void speasy("speasy.voice.release", {});
        }),
      );
    },
    [run, subscribe],
  );

  const pushToTalk = useCallback(() => {
    if (modeRef.current === null) listen("push_to_talk");
  }, [listen]);

  const release = useCallback(() => {
    if (modeRef.current === "hands_free") return;
    releasePending.current = true;
    run(speasy("speasy.voice.release", {}));
  }, [run]);

  const toggleVoiceMode = useCallback(() => {
    if (modeRef.current === "hands_free") {
      run(speasy("speasy.voice.stop_listening", {}));
      run(speasy("speasy.voice.stop_speaking", {}));
    } else {
      listen("hands_free");
    }
  }, [listen, run]);

  const read = useCallback(
    (threadId: string, itemId: string) => {
      subscribe();
      setError(null);
      run(speasy("speasy.voice.read", { thread_id: threadId, item_id: itemId }));
    },
    [run, subscribe],
  );

  const stopSpeaking = useCallback(() => {
    setSpeakingItem(null);
    run(speasy("speasy.voice.stop_speaking", {}));
  }, [run]);

  const skip = useCallback(() => run(speasy("speasy.voice.skip", {})), [run]);

  // Ctrl+Shift+Space held: push-to-talk from anywhere in the window.
  useEffect(() => {
    const isShortcut = (e: KeyboardEvent) => e.code === "Space" && e.ctrlKey && e.shiftKey;
    const down = (e: KeyboardEvent) => {
      if (!isShortcut(e)) return;
      e.preventDefault();
      if (!e.repeat) pushToTalk();
    };
    const up = (e: KeyboardEvent) => {
      if (e.code === "Space" && modeRef.current === "push_to_talk") {
        e.preventDefault();
        release();
      }
    };
    window.addEventListener("keydown", down);
    window.addEventListener("keyup", up);
    return () => {
      window.removeEventListener("keydown", down);
      window.removeEventListener("keyup", up);
    };
  }, [pushToTalk, release]);

  return {
    mode,
    phase,
    level,
    speakingItem,
    error,
    pushToTalk,
    release,
    toggleVoiceMode,
    read,
    stopSpeaking,
    skip,
    dismissError: () => setError(null),
  };
}
