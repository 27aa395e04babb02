import type { Theme } from "../bindings/Theme";

export const THEMES: ReadonlyArray<{ value: Theme; label: string }> = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/**
 * Puts the theme on `<html data-theme>`; the style sheet reads it ("system" follows
 * `prefers-color-scheme`).
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}
