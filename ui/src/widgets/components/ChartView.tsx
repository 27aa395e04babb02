/**
 * The chart itself (loaded lazily by `Chart.tsx`, as recharts is large): bar, line and area
 * series over `data` rows in one composed chart (series kinds may mix). Series with the same
 * `stack` stack; area/line follow `curveType`. The x axis takes a data key or
 * `{dataKey, hide, labels}` (tick value → label). Defaults: y axis hidden, tooltip shown,
 * legend shown when there is more than one series.
 *
 * recharts needs pixel sizes: the chart box is sized by CSS ([`chartBoxStyle`]) and measured;
 * where nothing can be measured (jsdom, or before layout) numeric props or fixed fallbacks are
 * used, so the chart always renders.
 */
import { useLayoutEffect, useRef, useState, type ComponentProps, type CSSProperties, type RefObject } from "react";
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";

import type { ChartSeries } from "../../bindings/widgets/ChartSeries";
import { chartColor } from "../palette";
import { useScheme } from "../theme";
import type { NodeOf } from "../types";
import { isObject } from "../validate";
import { chartBoxStyle, DEFAULT_CHART_HEIGHT } from "./chartBox";

type CurveType = NonNullable<ComponentProps<typeof Line>["type"]>;

const FALLBACK_WIDTH = 480;

const TOOLTIP_STYLE: CSSProperties = {
  border: "1px solid var(--border)",
  borderRadius: 8,
  background: "var(--surface)",
  color: "var(--text)",
  boxShadow: "var(--ck-shadow)",
};

const CURVES: readonly string[] = [
  "basis",
  "basisClosed",
  "basisOpen",
  "bumpX",
  "bumpY",
  "bump",
  "linear",
  "linearClosed",
  "natural",
  "monotoneX",
  "monotoneY",
  "monotone",
  "step",
  "stepBefore",
  "stepAfter",
];

function curve(value: unknown): CurveType {
  return typeof value === "string" && CURVES.includes(value) ? (value as CurveType) : "monotone";
}

/** The element's content box, kept up to date where ResizeObserver exists; 0 until measured. */
function useBoxSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const next = { width: element.clientWidth, height: element.clientHeight };
      setSize((prev) => (prev.width === next.width && prev.height === next.height ? prev : next));
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

function validSeries(series: readonly unknown[]): ChartSeries[] {
  return series.filter(
    (s): s is ChartSeries =>
      isObject(s) && ["bar", "line", "area"].includes(String(s.type)) && typeof s.dataKey === "string",
  );
}

function aspect(value: unknown): number | undefined {
  return typeof value === "number" && value > 0 ? value : undefined;
}

export default function ChartView({ node }: { node: NodeOf<"Chart"> }) {
  const scheme = useScheme();
  const ref = useRef<HTMLDivElement>(null);
  const measured = useBoxSize(ref);
  const ratio = aspect(node.aspectRatio);
  const numeric = (v: unknown) => (typeof v === "number" && v > 0 ? v : undefined);
  const width = measured.width || numeric(node.width) || numeric(node.size) || FALLBACK_WIDTH;
  const height =
    measured.height || numeric(node.height) || numeric(node.size) || (ratio ? Math.round(width / ratio) : DEFAULT_CHART_HEIGHT);

  const xAxis = typeof node.xAxis === "string" ? { dataKey: node.xAxis } : node.xAxis;
  const labels = xAxis.labels;
  const series = validSeries(node.series);
  const kinds = [...new Set(series.map((s) => s.type))].join(" and ");
  const names = series.map((s) => s.label ?? s.dataKey);
  const showLegend = node.showLegend ?? series.length > 1;
  // Without bars the first and last points sit on the chart's edges: inset them so that their
  // tick labels fit.
  const edgeInset = series.some((s) => s.type === "bar") ? undefined : { left: 24, right: 24 };

  return (
    <div ref={ref} className="ck-chart" style={chartBoxStyle(node)} role="figure" aria-label={`${kinds} chart: ${names.join(", ")}`}>
      <ComposedChart
        width={width}
        height={height}
        data={node.data}
        barGap={node.barGap}
        barCategoryGap={node.barCategoryGap}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
      >
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis
          dataKey={xAxis.dataKey}
          hide={xAxis.hide === true}
          padding={edgeInset}
          tickLine={false}
          axisLine={false}
          tickFormatter={(value: unknown) => {
            const label = labels?.[String(value)];
            return typeof label === "string" ? label : String(value);
          }}
        />
        <YAxis hide={node.showYAxis !== true} tickLine={false} axisLine={false} width={40} />
        {node.showTooltip !== false && <Tooltip contentStyle={TOOLTIP_STYLE} cursor={{ fillOpacity: 0.08 }} />}
        {showLegend && <Legend iconType="circle" iconSize={8} />}
        {series.map((s, index) => {
          const color = chartColor(s.color, scheme, index);
          const name = names[index];
          switch (s.type) {
            case "bar":
              return (
                <Bar
                  key={index}
                  dataKey={s.dataKey}
                  name={name}
                  fill={color}
                  stackId={s.stack}
                  radius={s.stack === undefined ? [4, 4, 0, 0] : undefined}
                  isAnimationActive={false}
                />
              );
            case "area":
              return (
                <Area
                  key={index}
                  dataKey={s.dataKey}
                  name={name}
                  type={curve(s.curveType)}
                  stroke={color}
                  fill={color}
                  fillOpacity={0.18}
                  stackId={s.stack}
                  isAnimationActive={false}
                />
              );
            case "line":
              return (
                <Line
                  key={index}
                  dataKey={s.dataKey}
                  name={name}
                  type={curve(s.curveType)}
                  stroke={color}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
              );
          }
        })}
      </ComposedChart>
    </div>
  );
}
