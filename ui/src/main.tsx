/**
 * The entry: a small chunk that asks the core for what the first screen needs, then loads the
 * app (`start.tsx`) while the answers come back.
 */
import { prefetchThreadSummaries } from "./chat/firstPage";
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
const app = import("./start");

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

void Promise.all([app, Promise.race([firstScreen, gaveUp])]).then(([{ start }, answers]) => {
  const [status, settings] = answers ?? [];
  if (settings) applyTheme(settings.theme);
  start(root, status, settings);
});
