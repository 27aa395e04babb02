/**
 * The entry: gathers what the first screen needs, then renders the app once (so the first frame
 * is the thread list in the person's theme and font, not a placeholder, then the list, then a
 * change of theme). The shell puts that data in the page at start (`ipc/firstScreen.ts`); when it has
 * not (a reload), it is asked for, all three requests at once. The window, created hidden, is
 * shown then, just before that render.
 */
import { prefetchThreadSummaries, SUMMARY_PAGE } from "./chat/firstPage";
import { settingsGet, storeStatus, windowShow } from "./ipc";
import { takeFirstScreen } from "./ipc/firstScreen";
import { applyTheme } from "./lib/theme";
import { osOf } from "./lib/platform";
import { start } from "./start";
import "./styles.css";

/** The longest the first render waits for data it had to ask for (then it renders a
 *  placeholder, and the data when it comes). */
const BOOT_WAIT_MS = 500;

performance.mark("script running");
const os = osOf(navigator.userAgent);
document.documentElement.dataset.os = os;
// On Linux the UI font is Inter, shipped with the app (styles.css): the first render waits for
// it, so the first frame is never drawn in a fallback font. index.html preloads it: it is
// normally in by now.
const font = os === "linux" ? document.fonts.load('1em "Inter Variable"').catch(() => undefined) : undefined;

const given = takeFirstScreen();
if (given) performance.mark("first screen given");
const firstScreen = Promise.all([
  given ? given.status : storeStatus().catch(() => undefined),
  given?.settings ?? settingsGet().catch(() => undefined),
  prefetchThreadSummaries(given?.threads_limit === SUMMARY_PAGE ? given.threads : undefined),
  font,
]);
const gaveUp = new Promise<undefined>((resolve) => window.setTimeout(() => resolve(undefined), BOOT_WAIT_MS));

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

void Promise.race([firstScreen, gaveUp]).then((answers) => {
  const [status, settings] = answers ?? [];
  if (settings) applyTheme(settings.theme);
  // The window appears now, with nothing left to load for the frame rendered next (the shell
  // shows it anyway after a few seconds if this never runs).
  void windowShow().catch(() => undefined);
  start(root, status, settings);
});
