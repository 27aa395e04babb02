/**
 * Streamed widget updates (`thread.item.updated` with a widget update, §4.5) applied to a widget
 * tree, immutably: a changed node is copied along with its ancestors, everything else is shared,
 * and an update that changes nothing (unknown id, not a text node) returns the same root object.
 *
 * - `widget.root.updated` replaces the whole tree;
 * - `widget.component.updated` replaces the first descendant whose `id` matches;
 * - `widget.streaming_text.value_delta` appends `delta` to the `value` of the Text or Markdown
 *   with that id and sets its `streaming` to `!done`.
 */
import type { WidgetComponent } from "../bindings/widgets/WidgetComponent";
import type { WidgetRoot } from "../bindings/widgets/WidgetRoot";
import { isObject } from "./validate";

export type WidgetUpdate =
  | { type: "widget.root.updated"; widget: WidgetRoot }
  | { type: "widget.component.updated"; component_id: string; component: WidgetComponent }
  | { type: "widget.streaming_text.value_delta"; component_id: string; delta: string; done: boolean };

const UPDATE_TYPES: ReadonlySet<string> = new Set([
  "widget.root.updated",
  "widget.component.updated",
  "widget.streaming_text.value_delta",
]);

/** Whether an item update is one of the widget updates. */
export function isWidgetUpdate(update: { type: string }): update is WidgetUpdate {
  return UPDATE_TYPES.has(update.type);
}

type Change = (node: Record<string, unknown>) => unknown;

/** `node` with `change` applied to the first node (itself included) it accepts; `node` if none. */
function updateNode(node: unknown, id: string, change: Change): unknown {
  if (!isObject(node)) return node;
  if (node.id === id) {
    const changed = change(node);
    if (changed !== node) return changed;
  }
  return updateChildren(node, id, change);
}

/** `node` with `change` applied to the first matching descendant; `node` if none. */
function updateChildren(node: Record<string, unknown>, id: string, change: Change): Record<string, unknown> {
  const children = node.children;
  if (Array.isArray(children)) {
    for (const [index, child] of children.entries()) {
      const next = updateNode(child, id, change);
      if (next !== child) {
        const copy = children.slice();
        copy[index] = next;
        return { ...node, children: copy };
      }
    }
  } else if (isObject(children)) {
    const next = updateNode(children, id, change);
    if (next !== children) return { ...node, children: next };
  }
  return node;
}

/** Replaces the descendant with `id` by `component`. */
export function replaceComponent(root: WidgetRoot, id: string, component: WidgetComponent): WidgetRoot {
  return updateChildren(root, id, () => component) as WidgetRoot;
}

/** Appends `delta` to the Text/Markdown with `id`; its `streaming` becomes `!done`. */
export function appendStreamingText(root: WidgetRoot, id: string, delta: string, done: boolean): WidgetRoot {
  return updateChildren(root, id, (node) =>
    (node.type === "Text" || node.type === "Markdown") && typeof node.value === "string"
      ? { ...node, value: node.value + delta, streaming: !done }
      : node,
  ) as WidgetRoot;
}

/** The tree after `update`. */
export function applyWidgetUpdate(root: WidgetRoot, update: WidgetUpdate): WidgetRoot {
  switch (update.type) {
    case "widget.root.updated":
      return update.widget;
    case "widget.component.updated":
      return replaceComponent(root, update.component_id, update.component);
    case "widget.streaming_text.value_delta":
      return appendStreamingText(root, update.component_id, update.delta, update.done);
    default:
      return root;
  }
}
