import { useCallback, useEffect, useState } from "react";
import { Settings as SettingsIcon } from "lucide-react";

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
            <SettingsIcon aria-hidden="true" size={16} />
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
