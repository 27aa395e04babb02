import { describe, expect, it } from "vitest";

import { rowAt, rowOffsets, rowTop, visibleRows } from "./rowWindow";

// A group header (30 px) every fourth row, thread rows (36 px) between.
const height = (i: number) => (i % 4 === 0 ? 30 : 36);

describe("row window", () => {
  it("places rows by the sum of the heights above them", () => {
    const offsets = rowOffsets(5, height);
    expect(Array.from(offsets)).toEqual([0, 30, 66, 102, 138, 168]);
    expect(rowTop(offsets, 3)).toBe(102);
    expect(rowTop(offsets, 5)).toBe(168);
    expect(rowTop(offsets, 9)).toBe(0);
  });

  it("finds the row under a position, clamped to the list", () => {
    const offsets = rowOffsets(5, height);
    expect(rowAt(offsets, -10)).toBe(0);
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 29.5)).toBe(0);
    expect(rowAt(offsets, 30)).toBe(1);
    expect(rowAt(offsets, 101)).toBe(2);
    expect(rowAt(offsets, 167)).toBe(4);
    expect(rowAt(offsets, 10_000)).toBe(4);
    expect(rowAt(rowOffsets(0, height), 0)).toBe(-1);
  });

  it("renders the rows in view and the overscan around them, no more", () => {
    const offsets = rowOffsets(10_000, height);
    // The top of the list, 556 px tall: rows 0..16 are (partly) visible.
    expect(visibleRows(offsets, 0, 556, 0)).toEqual([0, 17]);
    // 240 px of overscan below (nothing above the top).
    expect(visibleRows(offsets, 0, 556, 240)).toEqual([0, 24]);
    // Scrolled far down: every row that intersects [top - 240, top + 556 + 240] and nothing else.
    const top = rowTop(offsets, 5_000) + 10;
    const [start, end] = visibleRows(offsets, top, 556, 240);
    expect(rowTop(offsets, start)).toBeLessThanOrEqual(top - 240);
    expect(rowTop(offsets, start + 1)).toBeGreaterThan(top - 240);
    expect(rowTop(offsets, end - 1)).toBeLessThanOrEqual(top + 556 + 240);
    expect(rowTop(offsets, end)).toBeGreaterThan(top + 556 + 240);
    // Past the end: the last rows; an empty list: nothing.
    expect(visibleRows(rowOffsets(3, height), 0, 556, 240)).toEqual([0, 3]);
    expect(visibleRows(rowOffsets(0, height), 0, 556, 240)).toEqual([0, 0]);
  });
});
