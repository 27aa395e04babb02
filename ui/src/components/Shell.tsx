import { useCallback, useEffect, useState } from "react";

import type { Settings } from "../bindings/Settings";
import { settingsGet, toSpeasyError, type SpeasyError } from "../ipc";
import markUrl from "../assets/speasy-mark.svg";
import { applyTheme } from "../lib/theme";
import { ErrorMessage } from "./ErrorMessage";
import { SearchPanel } from "./SearchPanel";
import { SettingsPanel } from "./SettingsPanel";
import { ThreadList } from "./ThreadList";
import { Welcome } from "./Welcome";

type View = "welcome" | "settings";

/** The app once the store is ready: sidebar (search, threads, settings) and the main panel. */
export function Shell() {
  const [view, setView] = useState<View>("welcome");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<SpeasyError | null>(null);

  const loadSettings = useCallback(async (isLive: () => boolean = () => true) => {
    setLoadError(null);
    try {
      const loaded = await settingsGet();
      if (isLive()) setSettings(loaded);
    } catch (reason) {
      if (isLive()) setLoadError(toSpeasyError(reason));
    }
  }, []);

  useEffect(() => {
    let live = true;
    void loadSettings(() => live);
    return () => {
      live = false;
    };
  }, [loadSettings]);

  const theme = settings?.theme;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <img src={markUrl} alt="" width={24} height={24} />
          <span>Speasy</span>
        </div>
        <SearchPanel />
        <ThreadList />
        <div className="sidebar-footer">
          <button
            type="button"
            className="button button-ghost sidebar-button"
            aria-pressed={view === "settings"}
            onClick={() => setView((current) => (current === "settings" ? "welcome" : "settings"))}
          >
            <svg
              aria-hidden="true"
              width="16"
              height="16"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            >
              <circle cx="12" cy="12" r="3" />
              <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06A1.65 1.65 0 0 0 4.68 15a1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06A1.65 1.65 0 0 0 9 4.68a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06A1.65 1.65 0 0 0 19.4 9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
            </svg>
            Settings
          </button>
        </div>
      </aside>
      <main className="main">
        {loadError && (
          <ErrorMessage
            error={loadError}
            title="Couldn’t load settings"
            onRetry={() => void loadSettings()}
          />
        )}
        {view === "settings" ? (
          <SettingsPanel
            settings={settings}
            onSettings={setSettings}
            onClose={() => setView("welcome")}
          />
        ) : (
          <Welcome />
        )}
      </main>
    </div>
  );
}
