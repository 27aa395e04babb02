/**
 * The UI's only door to the Rust core. No other folder imports `@tauri-apps/*`.
 *
 * Each function wraps one Tauri command, passes its arguments under exactly the names the
 * command declares, and rejects with a `SpeasyError` (never a raw `ApiError`).
 */
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";

import type { AppInfo } from "../bindings/AppInfo";
import type { SearchHit } from "../bindings/SearchHit";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { StoreStatus } from "../bindings/StoreStatus";
import { toSpeasyError } from "./errors";

export { SpeasyError, isApiError, toSpeasyError } from "./errors";

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toSpeasyError(reason);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

export function storeStatus(): Promise<StoreStatus> {
  return call<StoreStatus>("store_status");
}

/** Renames the unreadable database file (it is kept, not deleted) and opens a fresh one. */
export function storeMoveAside(): Promise<StoreStatus> {
  return call<StoreStatus>("store_move_aside");
}

export function settingsGet(): Promise<Settings> {
  return call<Settings>("settings_get");
}

export function settingsUpdate(patch: SettingsPatch): Promise<Settings> {
  return call<Settings>("settings_update", { patch });
}

/** Stores a secret in the OS keychain. The value is never read back by the UI. */
export async function secretSet(name: string, value: string): Promise<void> {
  await call<null>("secret_set", { name, value });
}

export async function secretDelete(name: string): Promise<void> {
  await call<null>("secret_delete", { name });
}

export function secretExists(name: string): Promise<boolean> {
  return call<boolean>("secret_exists", { name });
}

export function search(query: string, limit: number): Promise<SearchHit[]> {
  return call<SearchHit[]>("search", { query, limit });
}

/** Shows the window, which the shell creates hidden: called once the page has what its first
 *  frame needs (script, styles, font, data), so the first thing on screen is that frame. */
export async function windowShow(): Promise<void> {
  await call<null>("window_show");
}

/** Tells the shell the first screen (the thread list) has painted: start-up ends here. Passes
 *  the page's milestones on the way (`performance.mark`s and the navigation timings) on the wall
 *  clock, which the start-up benchmark prints. */
export async function uiPainted(): Promise<void> {
  const origin = performance.timeOrigin;
  const marks: [string, number][] = [["navigation start", origin]];
  const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
  if (nav) {
    marks.push(["page received", origin + nav.responseEnd], ["DOM content loaded", origin + nav.domContentLoadedEventStart]);
  }
  for (const m of performance.getEntriesByType("mark")) marks.push([m.name, origin + m.startTime]);
  await call<null>("ui_painted", { marks });
}
