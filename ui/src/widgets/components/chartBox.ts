/** The size of a chart's box, shared by the chart and its loading placeholder. */
import type { CSSProperties } from "react";

import { blockSizeStyle, defined, flex } from "../style";
import type { NodeOf } from "../types";

/** Height of a chart without height, size or aspect ratio, in px. */
export const DEFAULT_CHART_HEIGHT = 220;

/** Block sizing and `flex` of a Chart; 220px high unless a height or aspect ratio is given. */
export function chartBoxStyle(node: NodeOf<"Chart">): CSSProperties {
  const sizing = blockSizeStyle(node);
  return defined({
    ...sizing,
    flex: flex(node.flex),
    height: sizing.height ?? (node.aspectRatio === undefined ? `${DEFAULT_CHART_HEIGHT}px` : undefined),
  });
}
