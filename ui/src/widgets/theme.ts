/**
 * The colour scheme widgets render in. The app's theme is `<html data-theme>` ("light", "dark",
 * or "system"/absent = follow `prefers-color-scheme`, see `lib/theme.ts`); a widget root follows
 * it live, and a `theme` prop on Card/ListView/Basic forces its subtree (with the
 * `ck-theme-*` class, which re-declares the CSS variables, and this context, which resolves
 * `{light, dark}` colours).
 */
import { createContext, useContext, useSyncExternalStore } from "react";

export type Scheme = "light" | "dark";

const DARK_QUERY = "(prefers-color-scheme: dark)";

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

function documentScheme(): Scheme {
  const theme = document.documentElement.dataset.theme;
  if (theme === "dark" || theme === "light") return theme;
  return systemPrefersDark() ? "dark" : "light";
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const query = typeof window.matchMedia === "function" ? window.matchMedia(DARK_QUERY) : null;
  query?.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    query?.removeEventListener("change", onChange);
  };
}

/** The app's current scheme, re-rendering when it changes. */
export function useDocumentScheme(): Scheme {
  return useSyncExternalStore(subscribe, documentScheme, () => "light");
}

/** The scheme in effect at this point of the widget tree. */
export const SchemeContext = createContext<Scheme>("light");

/** A `theme` prop as a scheme, if it is a valid one. */
export function forcedScheme(theme: unknown): Scheme | undefined {
  return theme === "light" || theme === "dark" ? theme : undefined;
}

/** The scheme for a node with an optional `theme` prop. */
export function useScheme(theme?: unknown): Scheme {
  const inherited = useContext(SchemeContext);
  return forcedScheme(theme) ?? inherited;
}
