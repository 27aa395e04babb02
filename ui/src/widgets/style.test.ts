/** The prop → CSS conventions: spacing units, sizes, borders, radii and colours. */
import { describe, expect, it } from "vitest";

import { chartBoxStyle } from "./components/chartBox";
import { chartColor, primitiveColor, resolveColor } from "./palette";
import { blockSizeStyle, borderStyle, boxStyle, radius, spacing, spacingStyle } from "./style";
import type { NodeOf } from "./types";

describe("spacing", () => {
  it("numbers are 4px units, strings are CSS", () => {
    expect(spacing(3)).toBe("12px");
    expect(spacing(0.5)).toBe("2px");
    expect(spacing("1rem")).toBe("1rem");
    expect(spacing(Number.NaN)).toBeUndefined();
    expect(spacing({})).toBeUndefined();
  });

  it("padding/margin objects set sides, x/y set pairs, named sides win", () => {
    expect(spacingStyle({ x: 4, y: 2, top: 0 }, "padding")).toEqual({
      paddingTop: "0px",
      paddingRight: "16px",
      paddingBottom: "8px",
      paddingLeft: "16px",
    });
    expect(spacingStyle({ left: "auto" }, "margin")).toEqual({ marginLeft: "auto" });
    expect(spacingStyle("4px 8px", "margin")).toEqual({ margin: "4px 8px" });
    expect(spacingStyle(2, "padding")).toEqual({ paddingTop: "8px", paddingRight: "8px", paddingBottom: "8px", paddingLeft: "8px" });
  });
});

describe("sizes, borders and radii", () => {
  it("block sizes are px or CSS; the size shorthands yield to the specific props", () => {
    expect(blockSizeStyle({ size: 40, width: "50%", maxSize: 100, minHeight: "2rem", aspectRatio: 1.5 })).toEqual({
      width: "50%",
      height: "40px",
      maxWidth: "100px",
      maxHeight: "100px",
      minHeight: "2rem",
      aspectRatio: "1.5",
    });
  });

  it("borders: px, a line, or per side", () => {
    expect(borderStyle(2, "light")).toEqual({ border: "2px solid var(--border)" });
    expect(borderStyle({ size: 1, style: "dotted", color: "danger" }, "light")).toEqual({ border: "1px dotted var(--danger)" });
    expect(borderStyle({ y: 1, left: { size: 3, color: { light: "#000", dark: "#fff" } } }, "dark")).toEqual({
      borderTop: "1px solid var(--border)",
      borderBottom: "1px solid var(--border)",
      borderLeft: "3px solid #fff",
    });
    expect(borderStyle({ size: 1, style: "wavy" }, "light")).toEqual({ border: "1px solid var(--border)" });
  });

  it("radius tokens", () => {
    expect(radius("sm")).toBe("6px");
    expect(radius("full")).toBe("9999px");
    expect(radius("100%")).toBe("100%");
    expect(radius("huge")).toBeUndefined();
  });

  it("a chart box is 220px high unless sized or given an aspect ratio", () => {
    const chart: NodeOf<"Chart"> = { type: "Chart", data: [], series: [], xAxis: "x" };
    expect(chartBoxStyle(chart)).toEqual({ height: "220px" });
    expect(chartBoxStyle({ ...chart, height: 300, flex: 1 })).toEqual({ height: "300px", flex: 1 });
    expect(chartBoxStyle({ ...chart, aspectRatio: 2 })).toEqual({ aspectRatio: "2" });
  });

  it("boxStyle maps alignment tokens to flexbox", () => {
    expect(boxStyle({ align: "end", justify: "evenly", wrap: "wrap-reverse", flex: "0 0 auto" }, "light")).toEqual({
      alignItems: "flex-end",
      justifyContent: "space-evenly",
      flexWrap: "wrap-reverse",
      flex: "0 0 auto",
    });
  });
});

describe("colours", () => {
  it("tokens map to theme variables, primitives to the palette, anything else passes through", () => {
    expect(resolveColor("secondary", "light")).toBe("var(--text-muted)");
    expect(resolveColor("surface-elevated", "dark")).toBe("var(--ck-surface-elevated)");
    expect(resolveColor("strong", "light")).toBe("var(--ck-border-strong)");
    expect(resolveColor("blue-500", "light")).toBe("#3b82f6");
    expect(resolveColor("gray-950", "light")).toBe("#030712");
    expect(resolveColor("blue-550", "light")).toBe("blue-550");
    expect(resolveColor("rgb(1 2 3)", "light")).toBe("rgb(1 2 3)");
    expect(resolveColor({ light: "green-600", dark: "#abc" }, "light")).toBe("#16a34a");
    expect(resolveColor({ light: "green-600", dark: "#abc" }, "dark")).toBe("#abc");
    expect(resolveColor(12, "light")).toBeUndefined();
    expect(resolveColor("", "light")).toBeUndefined();
  });

  it("primitive tokens cover every hue and shade", () => {
    expect(primitiveColor("pink-50")).toBe("#fdf2f8");
    expect(primitiveColor("teal-700")).toBe("#0f766e");
    expect(primitiveColor("magenta-500")).toBeUndefined();
  });

  it("chart colours: chart tokens, then any colour, then a default cycle", () => {
    expect(chartColor("purple", "light", 0)).toBe("#a855f7");
    expect(chartColor("red-700", "light", 0)).toBe("#b91c1c");
    expect(chartColor(undefined, "light", 0)).toBe("#3b82f6");
    expect(chartColor(undefined, "light", 1)).toBe("#a855f7");
    expect(chartColor({ light: "green", dark: "pink" }, "dark", 0)).toBe("#ec4899");
  });
});
