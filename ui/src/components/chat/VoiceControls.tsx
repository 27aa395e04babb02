/**
 * The composer's voice buttons: the microphone (hold to talk — pointer, or Space/Enter held
 * while it has focus — with a ring that grows with the voice's loudness) and the voice-mode
 * toggle (hands-free). Below the box, a line says what voice is doing, or what went wrong with
 * the next step.
 */
import type { Voice } from "../../chat/useVoice";
import { ErrorMessage } from "../ErrorMessage";
import { Glyph } from "../Glyph";

export function VoiceButtons({ voice, disabled }: { voice: Voice; disabled: boolean }) {
  const talking = voice.mode === "push_to_talk";
  const handsFree = voice.mode === "hands_free";
  const ring = voice.mode ? 1 + voice.level * 0.6 : 1;
  return (
    <>
      <button
        type="button"
        className="icon-button mic-button"
        aria-label="Hold to talk"
        title="Hold to talk (Ctrl+Shift+Space)"
        aria-pressed={talking}
        disabled={disabled || handsFree}
        data-active={talking || undefined}
        style={{ ["--ring-scale" as string]: String(ring) }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture?.(e.pointerId);
          voice.pushToTalk();
        }}
        onPointerUp={() => voice.release()}
        onPointerCancel={() => voice.release()}
        onKeyDown={(e) => {
          if ((e.key === " " || e.key === "Enter") && !e.repeat) {
            e.preventDefault();
            voice.pushToTalk();
          }
        }}
        onKeyUp={(e) => {
          if (e.key === " " || e.key === "Enter") {
            e.preventDefault();
            voice.release();
          }
        }}
      >
        <Glyph icon="mic" size={16} />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Voice mode"
        title={handsFree ? "End voice mode" : "Voice mode: talk hands-free, hear the answers"}
        aria-pressed={handsFree}
        disabled={disabled}
        data-active={handsFree || undefined}
        style={{ ["--ring-scale" as string]: String(handsFree ? ring : 1) }}
        onClick={() => voice.toggleVoiceMode()}
      >
        <Glyph icon="audioLines" size={16} />
      </button>
    </>
  );
}

const PHASE_TEXT = {
  idle: null,
  listening: "Listening…",
  hearing: "Hearing you…",
  transcribing: "Transcribing…",
} as const;

export function VoiceStatus({ voice, onOpenSettings }: { voice: Voice; onOpenSettings: () => void }) {
  if (voice.error) {
    const settings = ["voice_not_configured", "voice_no_device", "provider_auth", "no_provider"].includes(voice.error.kind);
    return (
      <div className="voice-error">
        <ErrorMessage
          error={voice.error}
          title="Voice"
          onRetry={settings ? onOpenSettings : voice.dismissError}
          retryLabel={settings ? "Open settings" : "Dismiss"}
        />
      </div>
    );
  }
  const text = PHASE_TEXT[voice.phase];
  if (!text) return null;
  return (
    <p className="voice-status muted small" role="status">
      {text}
      {voice.mode === "push_to_talk" && voice.phase !== "transcribing" && " Let go to send."}
    </p>
  );
}
