/**
 * Windowing for a long list of fixed-height rows (the sidebar's conversations): which rows are
 * in view of their scrolling element, so only those exist in the DOM.
 *
 * The rows' heights are known without measuring, so their positions are prefix sums and the
 * rows in view a binary search away. The element's height comes from a `ResizeObserver` (which
 * reports after the browser's own layout) and its position from scroll events: nothing here ever
 * asks the page for a layout. Until the first report the element is taken to be as tall as the
 * window, which it cannot exceed, so the first render already holds every row that can be seen
 * and the first frame is laid out once. (General-purpose virtualisers measure the element when
 * they mount, which forces a layout of the whole page before the first frame, and then render
 * again with what they measured: most of the start-up time of the thread list.)
 */
import { useCallback, useEffect, useMemo, useState, type RefObject } from "react";

/** Scroll positions are rounded down to this step (px) before rows are chosen: the list renders
 *  again once per step scrolled, not on every scroll event. */
const STEP = 120;

/** Where each row starts: `offsets[i]` is the top of row `i`, `offsets[count]` the total. */
export function rowOffsets(count: number, height: (index: number) => number): Float64Array {
  const offsets = new Float64Array(count + 1);
  let y = 0;
  for (let i = 0; i < count; i++) {
    y += height(i);
    offsets[i + 1] = y;
  }
  return offsets;
}

/** The top of row `index` (`index` = count: the bottom of the last). */
export function rowTop(offsets: Float64Array, index: number): number {
  return offsets[index] ?? 0;
}

/** The index of the row under `y` (0 above the list, the last row below it); -1 with no rows. */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) return -1;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rowTop(offsets, mid) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The rows to render, `[start, end)`, for a viewport from `top` and `height` tall, with
 *  `overscan` px of rows beyond each edge (so a little scrolling shows rows already there). */
export function visibleRows(offsets: Float64Array, top: number, height: number, overscan: number): [number, number] {
  const count = offsets.length - 1;
  if (count <= 0) return [0, 0];
  const start = rowAt(offsets, Math.max(0, top - overscan));
  const end = rowAt(offsets, top + height + overscan) + 1;
  return [start, Math.min(end, count)];
}

export type RowWindow = {
  /** The first row to render and one past the last. */
  start: number;
  end: number;
  /** The height of all the rows (px): the list's own height. */
  total: number;
  /** Scrolls the least needed to show row `index` whole. */
  scrollToRow: (index: number) => void;
};

/**
 * The rows of `offsets` to render inside `scroller`. `initialHeight` is the viewport's height
 * before it is first observed (default: the window's).
 */
export function useRowWindow(
  offsets: Float64Array,
  scroller: RefObject<HTMLElement | null>,
  overscan = 240,
  initialHeight?: number,
): RowWindow {
  const [top, setTop] = useState(0);
  // `null` until the element's height is first observed.
  const [height, setHeight] = useState<number | null>(initialHeight ?? null);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onScroll = () => setTop(Math.floor(element.scrollTop / STEP) * STEP);
    element.addEventListener("scroll", onScroll, { passive: true });
    // Absent only outside browsers (jsdom): the first height then stays.
    const observer =
      typeof ResizeObserver === "undefined"
        ? null
        : new ResizeObserver((entries) => {
            const box = entries[entries.length - 1]?.contentRect;
            if (box) setHeight(Math.ceil(box.height));
          });
    observer?.observe(element);
    onScroll(); // in case it moved before this ran (after the first paint)
    return () => {
      element.removeEventListener("scroll", onScroll);
      observer?.disconnect();
    };
  }, [scroller]);

  // The rounded-down position plus one step covers wherever in the step the list really is.
  // Before the height is known (the first frame, at the top): the rows within the window's
  // height, which the element cannot exceed, and no more.
  const [start, end] = useMemo(
    () =>
      height === null
        ? visibleRows(offsets, 0, typeof window === "undefined" ? 0 : window.innerHeight, 0)
        : visibleRows(offsets, top, height + STEP, overscan),
    [offsets, top, height, overscan],
  );

  const scrollToRow = useCallback(
    (index: number) => {
      const element = scroller.current;
      if (!element || index < 0 || index >= offsets.length - 1) return;
      const top = rowTop(offsets, index);
      const bottom = rowTop(offsets, index + 1);
      if (top < element.scrollTop) element.scrollTop = top;
      else if (bottom > element.scrollTop + element.clientHeight) element.scrollTop = bottom - element.clientHeight;
    },
    [offsets, scroller],
  );

  return { start, end, total: rowTop(offsets, offsets.length - 1), scrollToRow };
}
