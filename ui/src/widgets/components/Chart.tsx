/**
 * Chart: recharts is large, so the chart view loads on first use; until then an empty box of
 * the chart's size holds its place.
 */
import { lazy, Suspense } from "react";

import type { NodeOf } from "../types";
import { chartBoxStyle } from "./chartBox";

const ChartView = lazy(() => import("./ChartView"));

export function Chart({ node }: { node: NodeOf<"Chart"> }) {
  return (
    <Suspense fallback={<div className="ck-chart" style={chartBoxStyle(node)} aria-busy="true" />}>
      <ChartView node={node} />
    </Suspense>
  );
}
