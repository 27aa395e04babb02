import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { prefetchThreadSummaries } from "./chat/useThreadSummaries";
import { settingsGet, storeStatus } from "./ipc";
import { applyTheme } from "./lib/theme";
import { osOf } from "./lib/platform";
import "./styles.css";

/** The longest the first render waits for the first screen's data (then it renders a
 *  placeholder, and the data when it comes). */
const BOOT_WAIT_MS = 500;

performance.mark("script running");
document.documentElement.dataset.os = osOf(navigator.userAgent);

// What the first screen needs, asked for at once and in parallel (one IPC round trip): the
// first frame is then the thread list in the person's theme, not a placeholder, then the
// list, then a change of theme.
const firstScreen = Promise.all([
  storeStatus().catch(() => undefined),
  settingsGet().catch(() => undefined),
  prefetchThreadSummaries(),
]);
const gaveUp = new Promise<undefined>((resolve) => window.setTimeout(() => resolve(undefined), BOOT_WAIT_MS));

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

void Promise.race([firstScreen, gaveUp]).then((answers) => {
  const [status, settings] = answers ?? [];
  if (settings) applyTheme(settings.theme);
  performance.mark("first render");
  createRoot(root).render(
    <StrictMode>
      <App initialStatus={status} initialSettings={settings} />
    </StrictMode>,
  );
});
