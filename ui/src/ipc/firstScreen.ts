/**
 * The first screen's data as the shell put it in the page at start (`FirstScreen`, read by the
 * core before the window opened): with it the first frame needs no request to the core. Only
 * the first load of the window has it (a reload asks the core, whose answers may have changed).
 */
import type { FirstScreen } from "../bindings/FirstScreen";

/** Where the shell's initialization script puts it (`src-tauri/src/lib.rs`). */
export const FIRST_SCREEN_GLOBAL = "__SPEASY_FIRST_SCREEN__";

/** Takes it (once: it is removed from the page). `null` when the shell put none there. */
export function takeFirstScreen(): FirstScreen | null {
  const holder = window as unknown as Record<string, unknown>;
  const value = holder[FIRST_SCREEN_GLOBAL];
  delete holder[FIRST_SCREEN_GLOBAL];
  return isFirstScreen(value) ? value : null;
}

function isFirstScreen(value: unknown): value is FirstScreen {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<FirstScreen>;
  return typeof v.status === "object" && v.status !== null && typeof v.threads_limit === "number";
}
