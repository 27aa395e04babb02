import { useRef, useState } from "react";

import type { ProviderView } from "../bindings/ProviderView";
import type { Settings } from "../bindings/Settings";
import type { Theme } from "../bindings/Theme";
import { settingsGet, settingsUpdate, toSpeasyError, type SpeasyError } from "../ipc";
import { THEMES } from "../lib/theme";
import { About } from "./About";
import { AccountSection } from "./AccountSection";
import { ErrorMessage } from "./ErrorMessage";
import { LocalApiSection } from "./LocalApiSection";
import { ProvidersSection } from "./ProvidersSection";
import { VoiceSection } from "./VoiceSection";

type Props = {
  /** `null` while loading or when loading failed (the shell shows that error). */
  settings: Settings | null;
  onSettings: (settings: Settings) => void;
  providers: ProviderView[];
  onProvidersChanged: () => void;
  onClose: () => void;
};

function isTheme(value: string): value is Theme {
  return THEMES.some((theme) => theme.value === value);
}

export function SettingsPanel({ settings, onSettings, providers, onProvidersChanged, onClose }: Props) {
  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <header className="panel-header">
        <h1 id="settings-heading">Settings</h1>
        <button type="button" className="button button-ghost" onClick={onClose}>
          Close settings
        </button>
      </header>

      <section className="card" aria-labelledby="appearance-heading">
        <h2 id="appearance-heading">Appearance</h2>
        {settings ? (
          <ThemeSelect theme={settings.theme} onSettings={onSettings} />
        ) : (
          <p className="muted">Loading settings…</p>
        )}
      </section>

      <ProvidersSection
        providers={providers}
        settings={settings}
        onChanged={onProvidersChanged}
        onSettings={onSettings}
      />

      <AccountSection onProjectChanged={() => void settingsGet().then(onSettings, () => undefined)} />

      <VoiceSection settings={settings} onSettings={onSettings} providers={providers} />

      <LocalApiSection />

      <About />
    </section>
  );
}

function ThemeSelect({ theme, onSettings }: { theme: Theme; onSettings: (s: Settings) => void }) {
  // What was picked and is on its way to the core; shown meanwhile so the select doesn't jump back.
  const [pending, setPending] = useState<Theme | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);
  const latest = useRef(0);

  async function choose(value: Theme) {
    const request = ++latest.current;
    setPending(value);
    setError(null);
    try {
      const saved = await settingsUpdate({ theme: value });
      if (request === latest.current) onSettings(saved);
    } catch (reason) {
      if (request === latest.current) setError(toSpeasyError(reason));
    } finally {
      if (request === latest.current) setPending(null);
    }
  }

  return (
    <div className="field">
      <label htmlFor="theme-select">Theme</label>
      <select
        id="theme-select"
        className="input select"
        data-testid="theme-select"
        value={pending ?? theme}
        onChange={(event) => {
          if (isTheme(event.currentTarget.value)) void choose(event.currentTarget.value);
        }}
      >
        {THEMES.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error && <ErrorMessage error={error} title="Couldn’t save the theme" />}
    </div>
  );
}
