/**
 * The app once the store is ready: the sidebar (New chat, search, the thread list, Memory and
 * Settings) and the main panel (a conversation, Memory or Settings). It owns what several
 * panels share: settings, providers, personas, and the undo bar for deleted conversations.
 */
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

import type { Persona } from "../bindings/Persona";
import type { ProviderView } from "../bindings/ProviderView";
import type { SearchHit } from "../bindings/SearchHit";
import type { Settings } from "../bindings/Settings";
import { useThreadSummaries } from "../chat/useThreadSummaries";
import { settingsGet, toSpeasyError, uiPainted, type SpeasyError } from "../ipc";
import { speasy } from "../ipc/chatkit";
// A bitmap rendered from speasy-mark.svg (`rsvg-convert -w 48 -h 48`): as an <img>, the SVG made
// WebKit build a whole SVG document and run its blur filter for a 24 px logo on every start.
import markUrl from "../assets/speasy-mark-48.png";
import { applyTheme } from "../lib/theme";
import { ChatView } from "./chat/ChatView";
import { forgetModelLists } from "./chat/Pickers";
import { ErrorMessage } from "./ErrorMessage";
import { Glyph } from "./Glyph";
import { SearchPanel } from "./SearchPanel";
import { ThreadList } from "./ThreadList";

// Not on the first screen: loaded when first opened.
const FactsPanel = lazy(() => import("./FactsPanel").then((m) => ({ default: m.FactsPanel })));
const SettingsPanel = lazy(() => import("./SettingsPanel").then((m) => ({ default: m.SettingsPanel })));
// Only for people who sync (a project is set up).
const SyncIndicator = lazy(() => import("./SyncIndicator").then((m) => ({ default: m.SyncIndicator })));

type View = "chat" | "settings" | "facts";
type Open = { threadId: string | null; focusItemId: string | null; key: number };

export function Shell({ initialSettings }: { initialSettings?: Settings }) {
  const [view, setView] = useState<View>("chat");
  const [open, setOpen] = useState<Open>({ threadId: null, focusItemId: null, key: 0 });
  const [settings, setSettings] = useState<Settings | null>(initialSettings ?? null);
  const [loadError, setLoadError] = useState<SpeasyError | null>(null);
  const [providers, setProviders] = useState<ProviderView[]>([]);
  const [providersVersion, setProvidersVersion] = useState(0);
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [factsVersion, setFactsVersion] = useState(0);
  const summaries = useThreadSummaries();
  const painted = useRef(false);

  const loadSettings = useCallback(async () => {
    setLoadError(null);
    try {
      setSettings(await settingsGet());
    } catch (reason) {
      setLoadError(toSpeasyError(reason));
    }
  }, []);

  useEffect(() => {
    if (!initialSettings) void loadSettings();
    speasy("speasy.personas.list", {}).then(setPersonas, () => undefined);
  }, [loadSettings, initialSettings]);

  useEffect(() => {
    speasy("speasy.providers.list", {}).then(setProviders, () => undefined);
  }, [providersVersion]);

  const theme = settings?.theme;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);

  // Tell the shell when the thread list first painted (start-up time is measured to here): the
  // animation frame asked for when the list is committed is the one that paints it (the empty
  // baseline in bench/ asks for its frame the same way, when its page is parsed).
  useLayoutEffect(() => {
    if (painted.current || summaries.threads === null) return;
    painted.current = true;
    performance.mark("thread list rendered");
    // Only a start-up figure: a failure to report it changes nothing for the person.
    window.requestAnimationFrame(() => {
      performance.mark("frame");
      void uiPainted().catch(() => undefined);
    });
  }, [summaries.threads]);

  const openThread = useCallback((threadId: string | null, focusItemId: string | null = null) => {
    setView("chat");
    // Choosing the conversation already open (without a message to go to) keeps it as it is.
    setOpen((o) =>
      threadId !== null && threadId === o.threadId && focusItemId === null ? o : { threadId, focusItemId, key: o.key + 1 },
    );
  }, []);

  const onChanged = useCallback(() => {
    void summaries.refresh();
    setFactsVersion((n) => n + 1);
  }, [summaries.refresh]);

  const providersChanged = useCallback(() => {
    forgetModelLists();
    setProvidersVersion((n) => n + 1);
  }, []);

  const remove = (id: string) => {
    summaries.remove(id);
    if (open.threadId === id) openThread(null);
  };

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <img src={markUrl} alt="" width={24} height={24} />
          <span>Speasy</span>
          <button
            type="button"
            className="icon-button new-chat"
            aria-label="New chat"
            title="New chat"
            onClick={() => openThread(null)}
          >
            <Glyph icon="squarePen" size={18} />
          </button>
        </div>
        <SearchPanel onOpen={(hit: SearchHit) => openThread(hit.thread_id, hit.item_id)} />
        <ThreadList
          threads={summaries.threads}
          hasMore={summaries.hasMore}
          loading={summaries.loading}
          error={summaries.error}
          activeId={view === "chat" ? open.threadId : null}
          onRetry={() => void summaries.refresh()}
          onLoadMore={() => void summaries.loadMore()}
          onOpen={(id) => openThread(id)}
          onPin={(id, pinned) => void summaries.pin(id, pinned)}
          onRename={(id, title) => void summaries.rename(id, title)}
          onDelete={remove}
        />
        <div className="sidebar-footer">
          {settings?.sync_project && (
            <Suspense fallback={null}>
              <SyncIndicator onOpen={() => setView("settings")} />
            </Suspense>
          )}
          <button
            type="button"
            className="button button-ghost sidebar-button"
            aria-pressed={view === "facts"}
            onClick={() => setView((v) => (v === "facts" ? "chat" : "facts"))}
          >
            <Glyph icon="brain" size={16} />
            Memory
          </button>
          <button
            type="button"
            className="button button-ghost sidebar-button"
            aria-pressed={view === "settings"}
            onClick={() => setView((v) => (v === "settings" ? "chat" : "settings"))}
          >
            <Glyph icon="settings" size={16} />
            Settings
          </button>
        </div>
      </aside>
      <main className="main">
        {loadError && <ErrorMessage error={loadError} title="Couldn’t load settings" onRetry={() => void loadSettings()} />}
        <Suspense fallback={<p className="muted">Loading…</p>}>
        {view === "settings" && (
          <SettingsPanel
            settings={settings}
            onSettings={setSettings}
            providers={providers}
            onProvidersChanged={providersChanged}
            onClose={() => setView("chat")}
          />
        )}
        {view === "facts" && <FactsPanel version={factsVersion} onClose={() => setView("chat")} />}
        </Suspense>
        <div className="chat-host" hidden={view !== "chat"}>
          <ChatView
            key={open.key}
            threadId={open.threadId}
            focusItemId={open.focusItemId}
            personas={personas}
            providers={providers}
            defaultProvider={settings?.default_provider}
            providersVersion={providersVersion}
            onCreated={(id) => setOpen((o) => ({ ...o, threadId: id, focusItemId: null }))}
            onChanged={onChanged}
            onOpenThread={(id, itemId) => openThread(id, itemId ?? null)}
            onOpenSettings={() => setView("settings")}
            onProvidersChanged={providersChanged}
            autoRead={settings?.voice.auto_read ?? false}
          />
        </div>
        {summaries.pending && (
          <div className="undo-bar" role="status">
            <span>Deleted “{summaries.pending.title}”.</span>
            <button type="button" className="button button-small" onClick={summaries.undo}>
              Undo
            </button>
          </div>
        )}
      </main>
    </div>
  );
}
