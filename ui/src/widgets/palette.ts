/**
 * Colours of widget props. A colour is a ChatKit token (`secondary`, `surface-secondary`,
 * `subtle`, …), a primitive token (`blue-500`), any CSS colour, or `{light, dark}`.
 *
 * Tokens map to the app's CSS variables (and a few widget-specific ones from `widgets.css`), so
 * they follow the light/dark theme by themselves. Primitive tokens map to a fixed palette (the
 * Tailwind one: hues × shades 50–950), the same in both themes. `{light, dark}` is resolved in
 * JS against the scheme in effect (see `theme.ts`), because each side may be any CSS colour.
 */
import type { Scheme } from "./theme";

/** ChatKit colour tokens: text, background (`surface*`) and border (`default subtle strong`). */
const TOKENS: Record<string, string> = {
  prose: "var(--text)",
  primary: "var(--text)",
  emphasis: "var(--text)",
  secondary: "var(--text-muted)",
  tertiary: "var(--ck-text-tertiary)",
  success: "var(--ok)",
  warning: "var(--ck-warning)",
  danger: "var(--danger)",
  info: "var(--ck-info)",
  discovery: "var(--ck-discovery)",
  caution: "var(--ck-caution)",
  surface: "var(--surface)",
  "surface-secondary": "var(--ck-surface-secondary)",
  "surface-tertiary": "var(--ck-surface-tertiary)",
  "surface-elevated": "var(--ck-surface-elevated)",
  "surface-elevated-secondary": "var(--ck-surface-elevated-secondary)",
  default: "var(--border)",
  subtle: "var(--ck-border-subtle)",
  strong: "var(--ck-border-strong)",
};

const SHADES = ["50", "100", "200", "300", "400", "500", "600", "700", "800", "900", "950"];

/** Hue → its eleven shades, lightest first. */
const PALETTE: Record<string, readonly string[]> = {
  gray: ["#f9fafb", "#f3f4f6", "#e5e7eb", "#d1d5db", "#9ca3af", "#6b7280", "#4b5563", "#374151", "#1f2937", "#111827", "#030712"],
  red: ["#fef2f2", "#fee2e2", "#fecaca", "#fca5a5", "#f87171", "#ef4444", "#dc2626", "#b91c1c", "#991b1b", "#7f1d1d", "#450a0a"],
  orange: ["#fff7ed", "#ffedd5", "#fed7aa", "#fdba74", "#fb923c", "#f97316", "#ea580c", "#c2410c", "#9a3412", "#7c2d12", "#431407"],
  yellow: ["#fefce8", "#fef9c3", "#fef08a", "#fde047", "#facc15", "#eab308", "#ca8a04", "#a16207", "#854d0e", "#713f12", "#422006"],
  green: ["#f0fdf4", "#dcfce7", "#bbf7d0", "#86efac", "#4ade80", "#22c55e", "#16a34a", "#15803d", "#166534", "#14532d", "#052e16"],
  teal: ["#f0fdfa", "#ccfbf1", "#99f6e4", "#5eead4", "#2dd4bf", "#14b8a6", "#0d9488", "#0f766e", "#115e59", "#134e4a", "#042f2e"],
  blue: ["#eff6ff", "#dbeafe", "#bfdbfe", "#93c5fd", "#60a5fa", "#3b82f6", "#2563eb", "#1d4ed8", "#1e40af", "#1e3a8a", "#172554"],
  indigo: ["#eef2ff", "#e0e7ff", "#c7d2fe", "#a5b4fc", "#818cf8", "#6366f1", "#4f46e5", "#4338ca", "#3730a3", "#312e81", "#1e1b4b"],
  purple: ["#faf5ff", "#f3e8ff", "#e9d5ff", "#d8b4fe", "#c084fc", "#a855f7", "#9333ea", "#7e22ce", "#6b21a8", "#581c87", "#3b0764"],
  pink: ["#fdf2f8", "#fce7f3", "#fbcfe8", "#f9a8d4", "#f472b6", "#ec4899", "#db2777", "#be185d", "#9d174d", "#831843", "#500724"],
};

/** The hex value of a primitive token such as `blue-500`, if it is one. */
export function primitiveColor(token: string): string | undefined {
  const match = /^([a-z]+)-(\d{2,3})$/.exec(token);
  if (!match) return undefined;
  const [, hue = "", shade = ""] = match;
  const index = SHADES.indexOf(shade);
  return index < 0 ? undefined : PALETTE[hue]?.[index];
}

/** Picks the side of a `{light, dark}` colour for `scheme`; plain values pass through. */
function themed(value: unknown, scheme: Scheme): unknown {
  if (typeof value === "object" && value !== null && "light" in value && "dark" in value) {
    return scheme === "dark" ? value.dark : value.light;
  }
  return value;
}

/** A colour prop as a CSS value, or `undefined` when absent or of the wrong type. */
export function resolveColor(value: unknown, scheme: Scheme): string | undefined {
  const color = themed(value, scheme);
  if (typeof color !== "string" || color.trim() === "") return undefined;
  return TOKENS[color] ?? primitiveColor(color) ?? color;
}

/** Chart colour tokens (`blue purple orange green red yellow pink`), as concrete colours. */
const CHART_TOKENS: Record<string, string> = {
  blue: "#3b82f6",
  purple: "#a855f7",
  orange: "#f97316",
  green: "#22c55e",
  red: "#ef4444",
  yellow: "#eab308",
  pink: "#ec4899",
};

/** Series colours used in order when a series names none. */
const CHART_CYCLE = ["blue", "purple", "orange", "green", "pink", "yellow", "red"] as const;

/**
 * A chart series colour: a chart token, or anything [`resolveColor`] takes; the `index`-th colour
 * of the default cycle when absent.
 */
export function chartColor(value: unknown, scheme: Scheme, index: number): string {
  const color = themed(value, scheme);
  if (typeof color === "string" && CHART_TOKENS[color]) return CHART_TOKENS[color];
  const fallback = CHART_TOKENS[CHART_CYCLE[index % CHART_CYCLE.length] ?? "blue"] ?? "#3b82f6";
  return resolveColor(color, scheme) ?? fallback;
}
