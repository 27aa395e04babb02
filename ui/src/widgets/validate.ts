/**
 * Shape checks for widget JSON before it is rendered. Widgets come from the core (and, through
 * it, from models and stored history), so every node is `unknown` until its `type` is known and
 * its required props have the right types; anything else is reported as a reason string and
 * shown as a placeholder instead of being rendered. Optional props are not checked here: the
 * style helpers ignore values of the wrong type.
 */
import type { WidgetNode } from "./types";

type Check = "string" | "array" | "objects" | "xAxis" | "nodeOrNull" | "editable";

/** Required props (and optional ones whose type matters for rendering), per node type. */
const SHAPES: Record<WidgetNode["type"], { required?: Record<string, Check>; optional?: Record<string, Check> }> = {
  Card: { required: { children: "array" } },
  ListView: { required: { children: "array" } },
  ListViewItem: { required: { children: "array" } },
  Basic: { optional: { children: "array" } },
  Box: { optional: { children: "array" } },
  Row: { optional: { children: "array" } },
  Col: { optional: { children: "array" } },
  Form: { optional: { children: "array" } },
  Text: { required: { value: "string" }, optional: { editable: "editable" } },
  Title: { required: { value: "string" } },
  Caption: { required: { value: "string" } },
  Markdown: { required: { value: "string" } },
  Badge: { required: { label: "string" } },
  Button: {},
  Image: { required: { src: "string" } },
  Icon: { required: { name: "string" } },
  Divider: {},
  Spacer: {},
  Input: { required: { name: "string" } },
  Textarea: { required: { name: "string" } },
  Select: { required: { name: "string", options: "objects" } },
  DatePicker: { required: { name: "string" } },
  Checkbox: { required: { name: "string" } },
  RadioGroup: { required: { name: "string" }, optional: { options: "objects" } },
  Label: { required: { value: "string", fieldName: "string" } },
  Chart: { required: { data: "objects", series: "objects", xAxis: "xAxis" } },
  Transition: { required: { children: "nodeOrNull" } },
  Table: { required: { children: "array" } },
  "Table.Row": { required: { children: "array" } },
  "Table.Cell": { required: { children: "array" } },
};

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function passes(check: Check, value: unknown): boolean {
  switch (check) {
    case "string":
      return typeof value === "string";
    case "array":
      return Array.isArray(value);
    case "objects":
      return Array.isArray(value) && value.every(isObject);
    case "xAxis":
      return typeof value === "string" || (isObject(value) && typeof value.dataKey === "string");
    case "nodeOrNull":
      return value === null || isObject(value);
    case "editable":
      return typeof value === "boolean" || (isObject(value) && typeof value.name === "string");
  }
}

const EXPECTED: Record<Check, string> = {
  string: "a string",
  array: "an array",
  objects: "an array of objects",
  xAxis: "a data key or {dataKey}",
  nodeOrNull: "a component or null",
  editable: "false or {name}",
};

/** The result of [`checkNode`]: the typed node, or why it cannot be rendered. */
export type Checked = { ok: true; node: WidgetNode } | { ok: false; reason: string };

/** Checks that `value` is a node of a known type with well-typed required props. */
export function checkNode(value: unknown): Checked {
  if (!isObject(value)) return { ok: false, reason: "Invalid widget component: not an object" };
  const type = value.type;
  if (typeof type !== "string") return { ok: false, reason: "Invalid widget component: no type" };
  if (!Object.hasOwn(SHAPES, type)) return { ok: false, reason: `Unsupported widget component: ${type}` };
  const shape = SHAPES[type as WidgetNode["type"]];
  for (const [prop, check] of Object.entries(shape.required ?? {})) {
    if (!passes(check, value[prop])) {
      return { ok: false, reason: `Invalid ${type}: "${prop}" must be ${EXPECTED[check]}` };
    }
  }
  for (const [prop, check] of Object.entries(shape.optional ?? {})) {
    if (value[prop] !== undefined && value[prop] !== null && !passes(check, value[prop])) {
      return { ok: false, reason: `Invalid ${type}: "${prop}" must be ${EXPECTED[check]}` };
    }
  }
  return { ok: true, node: value as WidgetNode };
}

/** The root types a widget item may carry. */
const ROOT_TYPES: ReadonlySet<string> = new Set(["Card", "ListView", "Basic"]);

/** [`checkNode`], also requiring a root type (`Card`, `ListView` or `Basic`). */
export function checkRoot(value: unknown): Checked {
  const checked = checkNode(value);
  if (checked.ok && !ROOT_TYPES.has(checked.node.type)) {
    return { ok: false, reason: `Not a widget root: ${checked.node.type}` };
  }
  return checked;
}
