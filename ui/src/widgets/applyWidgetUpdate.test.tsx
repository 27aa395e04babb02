/** Streamed widget updates: every case of applyWidgetUpdate, and the renderer following them. */
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { WidgetComponent } from "../bindings/widgets/WidgetComponent";
import type { WidgetRoot } from "../bindings/widgets/WidgetRoot";
import { applyWidgetUpdate, isWidgetUpdate, type WidgetUpdate } from "./applyWidgetUpdate";
import { recordingHost } from "./testing";
import { Widget } from "./Widget";

function tree(): WidgetRoot {
  return {
    type: "Card",
    id: "root",
    children: [
      { type: "Title", id: "title", value: "Weather" },
      {
        type: "Col",
        id: "col",
        children: [
          { type: "Text", id: "summary", value: "Sunny", streaming: true },
          { type: "Markdown", id: "details", value: "**Lyon**" },
        ],
      },
      { type: "Transition", id: "step", children: { type: "Caption", id: "hint", value: "Step 1" } },
      { type: "Badge", id: "badge", label: "Live" },
    ],
  };
}

const textDelta = (component_id: string, delta: string, done: boolean): WidgetUpdate => ({
  type: "widget.streaming_text.value_delta",
  component_id,
  delta,
  done,
});

describe("applyWidgetUpdate", () => {
  it("widget.root.updated replaces the whole tree", () => {
    const next: WidgetRoot = { type: "ListView", children: [] };
    expect(applyWidgetUpdate(tree(), { type: "widget.root.updated", widget: next })).toBe(next);
  });

  it("widget.component.updated replaces the node with that id, copying only its ancestors", () => {
    const before = tree();
    const snapshot = structuredClone(before);
    const component: WidgetComponent = { type: "Text", id: "summary", value: "Rain", color: "info" };
    const after = applyWidgetUpdate(before, { type: "widget.component.updated", component_id: "summary", component });

    expect(before).toEqual(snapshot);
    expect(after).not.toBe(before);
    const [title, col, step, badge] = (after as { children: unknown[] }).children as Array<{ children?: unknown[] }>;
    const [oldTitle, oldCol, oldStep, oldBadge] = (before as { children: unknown[] }).children as Array<{ children?: unknown[] }>;
    expect(title).toBe(oldTitle);
    expect(step).toBe(oldStep);
    expect(badge).toBe(oldBadge);
    expect(col).not.toBe(oldCol);
    expect(col?.children?.[0]).toBe(component);
    expect(col?.children?.[1]).toBe(oldCol?.children?.[1]);
  });

  it("widget.component.updated reaches a Transition's single child and nodes inside list items", () => {
    const caption: WidgetComponent = { type: "Caption", id: "hint", value: "Step 2" };
    const after = applyWidgetUpdate(tree(), { type: "widget.component.updated", component_id: "hint", component: caption });
    expect(((after as { children: unknown[] }).children[2] as { children: unknown }).children).toBe(caption);

    const list: WidgetRoot = {
      type: "ListView",
      children: [{ type: "ListViewItem", id: "row", children: [{ type: "Text", id: "cell", value: "old" }] }],
    };
    const updated = applyWidgetUpdate(list, {
      type: "widget.component.updated",
      component_id: "cell",
      component: { type: "Text", id: "cell", value: "new" },
    });
    expect(updated).toEqual({
      type: "ListView",
      children: [{ type: "ListViewItem", id: "row", children: [{ type: "Text", id: "cell", value: "new" }] }],
    });
  });

  it("an unknown id, or the root's own id, leaves the tree unchanged (same object)", () => {
    const before = tree();
    const component: WidgetComponent = { type: "Text", value: "x" };
    expect(applyWidgetUpdate(before, { type: "widget.component.updated", component_id: "nope", component })).toBe(before);
    expect(applyWidgetUpdate(before, { type: "widget.component.updated", component_id: "root", component })).toBe(before);
    expect(applyWidgetUpdate(before, textDelta("nope", "!", false))).toBe(before);
  });

  it("widget.streaming_text.value_delta appends to a Text and sets streaming to !done", () => {
    const first = applyWidgetUpdate(tree(), textDelta("summary", " and warm", false));
    const text = () => ((first as { children: unknown[] }).children[1] as { children: unknown[] }).children[0];
    expect(text()).toEqual({ type: "Text", id: "summary", value: "Sunny and warm", streaming: true });
    const done = applyWidgetUpdate(first, textDelta("summary", ".", true));
    expect(((done as { children: unknown[] }).children[1] as { children: unknown[] }).children[0]).toEqual({
      type: "Text",
      id: "summary",
      value: "Sunny and warm.",
      streaming: false,
    });
    expect(text()).toEqual({ type: "Text", id: "summary", value: "Sunny and warm", streaming: true });
  });

  it("widget.streaming_text.value_delta appends to a Markdown too", () => {
    const after = applyWidgetUpdate(tree(), textDelta("details", " — 24°C", false));
    expect(((after as { children: unknown[] }).children[1] as { children: unknown[] }).children[1]).toEqual({
      type: "Markdown",
      id: "details",
      value: "**Lyon** — 24°C",
      streaming: true,
    });
  });

  it("widget.streaming_text.value_delta on a node that is not text changes nothing", () => {
    const before = tree();
    expect(applyWidgetUpdate(before, textDelta("badge", "!", true))).toBe(before);
    expect(applyWidgetUpdate(before, textDelta("title", "!", true))).toBe(before);
  });

  it("an update of an unknown type changes nothing", () => {
    const before = tree();
    expect(applyWidgetUpdate(before, { type: "widget.exploded" } as unknown as WidgetUpdate)).toBe(before);
  });

  it("isWidgetUpdate tells widget updates from other item updates", () => {
    expect(isWidgetUpdate({ type: "widget.root.updated" })).toBe(true);
    expect(isWidgetUpdate({ type: "widget.streaming_text.value_delta" })).toBe(true);
    expect(isWidgetUpdate({ type: "widget.component.updated" })).toBe(true);
    expect(isWidgetUpdate({ type: "assistant_message.content_part.text_delta" })).toBe(false);
  });

  it("drives the renderer: streamed text grows with a caret until done", () => {
    const host = recordingHost();
    let root = tree();
    const { rerender } = render(<Widget root={root} itemId="w" host={host} />);
    root = applyWidgetUpdate(root, textDelta("summary", ", 24°C", false));
    rerender(<Widget root={root} itemId="w" host={host} />);
    expect(screen.getByText("Sunny, 24°C")).toHaveClass("ck-streaming");
    root = applyWidgetUpdate(root, textDelta("summary", " today", true));
    rerender(<Widget root={root} itemId="w" host={host} />);
    expect(screen.getByText("Sunny, 24°C today")).not.toHaveClass("ck-streaming");
  });
});
