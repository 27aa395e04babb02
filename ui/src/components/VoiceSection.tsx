/**
 * Settings → Voice: the microphone and speaker (the core's device lists, "System default"
 * first), which service transcribes speech and which reads answers aloud (automatic, a
 * provider, ElevenLabs, the offline system voice, or off), the ElevenLabs key (write-only, in the keychain), the voice,
 * the spoken language, and auto-read.
 */
import { useEffect, useState } from "react";

import type { AudioDevice } from "../bindings/AudioDevice";
import type { ProviderView } from "../bindings/ProviderView";
import type { Settings } from "../bindings/Settings";
import type { SpeechService } from "../bindings/SpeechService";
import type { VoiceDevices } from "../bindings/VoiceDevices";
import type { VoiceSettings } from "../bindings/VoiceSettings";
import { settingsUpdate, toSpeasyError, type SpeasyError } from "../ipc";
import { speasy } from "../ipc/chatkit";
import { ErrorMessage } from "./ErrorMessage";
import { SecretField } from "./SecretField";

type Props = {
  settings: Settings | null;
  onSettings: (settings: Settings) => void;
  providers: ProviderView[];
};

/** `SpeechService` as a select value, and back. */
function serviceValue(s: SpeechService): string {
  return s.kind === "provider" ? `provider:${s.id}` : s.kind;
}
function serviceOf(value: string): SpeechService {
  if (value.startsWith("provider:")) return { kind: "provider", id: value.slice("provider:".length) };
  if (value === "elevenlabs" || value === "off" || value === "system") return { kind: value };
  return { kind: "auto" };
}

/** Providers that speak OpenAI's audio API. */
function audioProviders(providers: ProviderView[]): ProviderView[] {
  return providers.filter((p) => p.kind === "openai" || p.kind === "custom");
}

/** A device picker: "System default" (no id stored), then the core's list. */
function DeviceSelect(props: {
  id: string;
  label: string;
  devices: AudioDevice[] | undefined;
  value: string | undefined;
  onChange: (id: string | undefined) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} className="input select" value={props.value ?? ""} onChange={(e) => props.onChange(e.currentTarget.value || undefined)}>
        <option value="">System default</option>
        {props.devices?.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export function VoiceSection({ settings, onSettings, providers }: Props) {
  const [devices, setDevices] = useState<VoiceDevices | null>(null);
  const [deviceError, setDeviceError] = useState<SpeasyError | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);

  useEffect(() => {
    let live = true;
    speasy("speasy.voice.devices", {}).then(
      (d) => live && setDevices(d),
      (reason: unknown) => live && setDeviceError(toSpeasyError(reason)),
    );
    return () => {
      live = false;
    };
  }, []);

  if (!settings) {
    return (
      <section className="card" aria-labelledby="voice-heading">
        <h2 id="voice-heading">Voice</h2>
        <p className="muted">Loading settings…</p>
      </section>
    );
  }
  const voice = settings.voice;
  const save = (change: Partial<VoiceSettings>) => {
    setError(null);
    const next: VoiceSettings = { ...voice, ...change };
    // `undefined` clears an optional setting.
    for (const key of Object.keys(next) as (keyof VoiceSettings)[]) {
      if (next[key] === undefined || next[key] === "") delete next[key];
    }
    settingsUpdate({ voice: next }).then(onSettings, (reason: unknown) => setError(toSpeasyError(reason)));
  };
  const speaking = audioProviders(providers);
  const serviceOptions = (
    <>
      <option value="auto">Automatic</option>
      {speaking.map((p) => (
        <option key={p.id} value={`provider:${p.id}`}>
          {p.name}
        </option>
      ))}
      <option value="elevenlabs">ElevenLabs</option>
      <option value="off">Off</option>
    </>
  );

  return (
    <section className="card" aria-labelledby="voice-heading">
      <h2 id="voice-heading">Voice</h2>
      <div className="field-grid">
        <DeviceSelect id="voice-input" label="Microphone" devices={devices?.inputs} value={voice.input_device} onChange={(id) => save({ input_device: id })} />
        <DeviceSelect id="voice-output" label="Speaker" devices={devices?.outputs} value={voice.output_device} onChange={(id) => save({ output_device: id })} />
        {deviceError && <ErrorMessage error={deviceError} title="Couldn’t list the audio devices" />}
        <div className="field">
          <label htmlFor="voice-stt">Speech to text</label>
          <select id="voice-stt" className="input select" value={serviceValue(voice.stt)} onChange={(e) => save({ stt: serviceOf(e.currentTarget.value) })}>
            {serviceOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor="voice-tts">Reading aloud</label>
          <select id="voice-tts" className="input select" value={serviceValue(voice.tts)} onChange={(e) => save({ tts: serviceOf(e.currentTarget.value) })}>
            {serviceOptions}
            <option value="system">System voice (offline)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="voice-voice">Voice</label>
          <input
            id="voice-voice"
            className="input"
            defaultValue={voice.tts_voice ?? ""}
            placeholder="alloy (OpenAI) or an ElevenLabs voice id"
            onBlur={(e) => {
              if (e.currentTarget.value.trim() !== (voice.tts_voice ?? "")) save({ tts_voice: e.currentTarget.value.trim() || undefined });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="voice-language">Language you speak</label>
          <input
            id="voice-language"
            className="input"
            defaultValue={voice.language ?? ""}
            placeholder="Detected (or e.g. en, fr)"
            onBlur={(e) => {
              if (e.currentTarget.value.trim() !== (voice.language ?? "")) save({ language: e.currentTarget.value.trim() || undefined });
            }}
          />
        </div>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={voice.auto_read} onChange={(e) => save({ auto_read: e.currentTarget.checked })} />
        Read every answer aloud
      </label>
      <SecretField name="voice.elevenlabs" provider="ElevenLabs" label="ElevenLabs API key" slug="elevenlabs" />
      <p className="muted small">
        Automatic uses your default provider if it offers speech (OpenAI, or a compatible server such as Groq or a local
        Whisper server), else ElevenLabs when its key is set, else — for reading aloud — the system voice, which works
        offline and speaks on the system’s default output. A persona’s voice overrides the voice here.
      </p>
      {error && <ErrorMessage error={error} title="Couldn’t save the voice settings" />}
    </section>
  );
}
