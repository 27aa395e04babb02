/**
 * Widget props as CSS. Conventions (those of ChatKit's widget language):
 *
 * - spacing (`gap`, `padding`, `margin`, `Divider.spacing`, `ListViewItem.gap`): a number is in
 *   spacing units of [`SPACING_UNIT_PX`] (4px, so `gap: 2` = 8px, `padding: {x: 4, y: 3}` =
 *   12px 16px); a string is CSS as is; an object sets sides (`top right bottom left`, or `x`/`y`
 *   for both of a pair, the named side winning);
 * - block sizes (`width height size min* max*`) and border widths: a number is px;
 * - `radius` and alignment props are tokens, mapped through the tables below.
 *
 * Every helper takes `unknown` and ignores values of the wrong type, so malformed optional
 * props fall back to the default look rather than breaking a widget.
 */
import type { CSSProperties } from "react";

import { resolveColor } from "./palette";
import type { Scheme } from "./theme";

/** Pixels per spacing unit. */
export const SPACING_UNIT_PX = 4;

/** Joins class names, skipping empty ones. */
export function cls(...names: Array<string | false | null | undefined>): string {
  return names.filter(Boolean).join(" ");
}

/** `prefix-value` when `value` is one of `allowed` (keeps class names to known tokens). */
export function tokenClass(prefix: string, value: unknown, allowed: readonly string[]): string | undefined {
  return typeof value === "string" && allowed.includes(value) ? `${prefix}-${value}` : undefined;
}

/** A spacing value as CSS. */
export function spacing(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return `${value * SPACING_UNIT_PX}px`;
  if (typeof value === "string" && value.trim() !== "") return value;
  return undefined;
}

/** A px-or-CSS length as CSS. */
export function length(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return `${value}px`;
  if (typeof value === "string" && value.trim() !== "") return value;
  return undefined;
}

type Sides = { top?: string; right?: string; bottom?: string; left?: string };

/**
 * The four sides of a spacing prop (`undefined` where unset, and for a multi-value CSS string,
 * whose sides are not known here).
 */
export function spacingSides(value: unknown): Sides {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    return {
      top: spacing(v.top ?? v.y),
      right: spacing(v.right ?? v.x),
      bottom: spacing(v.bottom ?? v.y),
      left: spacing(v.left ?? v.x),
    };
  }
  const all = spacing(value);
  if (all === undefined || /\s/.test(all.trim())) return {};
  return { top: all, right: all, bottom: all, left: all };
}

/**
 * `padding` or `margin` as CSS: a string as the shorthand, otherwise longhand properties for
 * the sides that are set.
 */
export function spacingStyle(value: unknown, prop: "padding" | "margin"): CSSProperties {
  if (typeof value === "string") return value.trim() === "" ? {} : { [prop]: value };
  const sides = spacingSides(value);
  const style: Record<string, string> = {};
  for (const side of ["top", "right", "bottom", "left"] as const) {
    const v = sides[side];
    if (v !== undefined) style[`${prop}${side[0]?.toUpperCase()}${side.slice(1)}`] = v;
  }
  return style;
}

/** Block sizing props; `size`, `minSize` and `maxSize` set both axes, the specific ones win. */
export function blockSizeStyle(props: Record<string, unknown>): CSSProperties {
  const style: CSSProperties = {};
  const set = (key: "width" | "height" | "minWidth" | "minHeight" | "maxWidth" | "maxHeight", value: unknown) => {
    const v = length(value);
    if (v !== undefined) style[key] = v;
  };
  set("width", props.size);
  set("height", props.size);
  set("minWidth", props.minSize);
  set("minHeight", props.minSize);
  set("maxWidth", props.maxSize);
  set("maxHeight", props.maxSize);
  set("width", props.width);
  set("height", props.height);
  set("minWidth", props.minWidth);
  set("minHeight", props.minHeight);
  set("maxWidth", props.maxWidth);
  set("maxHeight", props.maxHeight);
  if (typeof props.aspectRatio === "number" && props.aspectRatio > 0) style.aspectRatio = String(props.aspectRatio);
  if (typeof props.aspectRatio === "string") style.aspectRatio = props.aspectRatio;
  return style;
}

const BORDER_STYLES = ["solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset"];

/** One border line (`px` or `{size, color?, style?}`) as a `border` shorthand. */
function borderLine(value: unknown, scheme: Scheme): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return `${value}px solid var(--border)`;
  if (typeof value !== "object" || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (typeof line.size !== "number") return undefined;
  const lineStyle = typeof line.style === "string" && BORDER_STYLES.includes(line.style) ? line.style : "solid";
  return `${line.size}px ${lineStyle} ${resolveColor(line.color, scheme) ?? "var(--border)"}`;
}

/** A `border` prop: px, one line for all sides, or per side (`x`/`y` for pairs). */
export function borderStyle(value: unknown, scheme: Scheme): CSSProperties {
  const all = borderLine(value, scheme);
  if (all !== undefined) return { border: all };
  if (typeof value !== "object" || value === null) return {};
  const sides = value as Record<string, unknown>;
  const style: CSSProperties = {};
  const top = borderLine(sides.top ?? sides.y, scheme);
  const right = borderLine(sides.right ?? sides.x, scheme);
  const bottom = borderLine(sides.bottom ?? sides.y, scheme);
  const left = borderLine(sides.left ?? sides.x, scheme);
  if (top) style.borderTop = top;
  if (right) style.borderRight = right;
  if (bottom) style.borderBottom = bottom;
  if (left) style.borderLeft = left;
  return style;
}

const RADII: Record<string, string> = {
  none: "0",
  "2xs": "2px",
  xs: "4px",
  sm: "6px",
  md: "8px",
  lg: "10px",
  xl: "12px",
  "2xl": "16px",
  "3xl": "20px",
  "4xl": "24px",
  full: "9999px",
  "100%": "100%",
};

/** A radius token as CSS. */
export function radius(value: unknown): string | undefined {
  return typeof value === "string" ? RADII[value] : undefined;
}

const ALIGN: Record<string, string> = {
  start: "flex-start",
  center: "center",
  end: "flex-end",
  baseline: "baseline",
  stretch: "stretch",
};

const JUSTIFY: Record<string, string> = {
  start: "flex-start",
  center: "center",
  end: "flex-end",
  between: "space-between",
  around: "space-around",
  evenly: "space-evenly",
  stretch: "stretch",
};

/** `align` as `align-items`. */
export function alignItems(value: unknown): string | undefined {
  return typeof value === "string" ? ALIGN[value] : undefined;
}

/** `justify` as `justify-content`. */
export function justifyContent(value: unknown): string | undefined {
  return typeof value === "string" ? JUSTIFY[value] : undefined;
}

/** `flex`: a grow factor (number) or a CSS `flex` value. */
export function flex(value: unknown): string | number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "") return value;
  return undefined;
}

/** Drops `undefined` entries, so that a style object only carries what props set. */
export function defined(style: CSSProperties): CSSProperties {
  return Object.fromEntries(Object.entries(style).filter(([, v]) => v !== undefined)) as CSSProperties;
}

/**
 * The layout props shared by Box, Row, Col, Form and Basic: flex alignment, wrapping, gap,
 * padding, margin, border, radius, background and block sizing.
 */
export function boxStyle(props: Record<string, unknown>, scheme: Scheme): CSSProperties {
  const wrap = typeof props.wrap === "string" && ["nowrap", "wrap", "wrap-reverse"].includes(props.wrap);
  return defined({
    alignItems: alignItems(props.align),
    justifyContent: justifyContent(props.justify),
    flexWrap: wrap ? (props.wrap as CSSProperties["flexWrap"]) : undefined,
    flex: flex(props.flex),
    gap: spacing(props.gap),
    borderRadius: radius(props.radius),
    backgroundColor: resolveColor(props.background, scheme),
    ...spacingStyle(props.padding, "padding"),
    ...spacingStyle(props.margin, "margin"),
    ...borderStyle(props.border, scheme),
    ...blockSizeStyle(props),
  });
}
