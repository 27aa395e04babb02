/**
 * What every widget component can reach through context: the host and item id actions go to,
 * the container-wide loading state, and the ids that link `Label`s to form controls (unique per
 * rendered widget, so that several widgets with the same field names can share a page).
 */
import { createContext, useContext } from "react";

import type { WidgetHost } from "./types";

export interface WidgetRuntime {
  host: WidgetHost;
  itemId: string;
  /** Marks the whole widget busy until the returned function is called. */
  beginContainerLoading(): () => void;
  /** The DOM id of the control named `name`. */
  fieldId(name: string): string;
  /** The DOM id of the `Label` of the control named `name`. */
  labelId(name: string): string;
  /** Whether a `Label` in this widget names the control `name`. */
  isLabelled(name: string): boolean;
}

export const RuntimeContext = createContext<WidgetRuntime | null>(null);

/** The runtime of the enclosing `<Widget>`. */
export function useRuntime(): WidgetRuntime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error("widget components must be rendered inside <Widget>");
  return runtime;
}

/** `first_name` → "First name": a readable fallback name for unlabelled controls. */
export function humanize(name: string): string {
  const words = name.replace(/^[a-z]+:/, "").replace(/[_.-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
