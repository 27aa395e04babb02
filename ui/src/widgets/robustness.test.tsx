/**
 * Widget JSON that is unknown, malformed or merely unusual: it must show a labelled
 * placeholder (or fall back to defaults) and never throw. Also the ChatKit.js-only Table.
 */
import { screen, within } from "@testing-library/react";
import { beforeAll, describe, expect, it } from "vitest";

import { AUTO_LIST_LIMIT } from "./components/ListView";
import { renderWidget } from "./testing";
import { checkNode, checkRoot } from "./validate";

// The chart and Lucide-by-name modules load lazily; importing them up front keeps the tests
// from racing a slow first import.
beforeAll(async () => {
  await Promise.all([import("./components/ChartView"), import("./components/LucideByName")]);
});

const ok = { type: "Text", value: "Still here" };

function inCard(node: unknown) {
  return { type: "Card", children: [node, ok] };
}

describe("placeholders", () => {
  it("an unknown component type is named in a visible placeholder; its siblings still render", () => {
    renderWidget(inCard({ type: "Carousel", items: [] }));
    expect(screen.getByRole("note", { name: "Unsupported widget component: Carousel" })).toHaveTextContent(
      "Unsupported widget component: Carousel",
    );
    expect(screen.getByText("Still here")).toBeInTheDocument();
  });

  it.each([
    [{ type: "Text" }, 'Invalid Text: "value" must be a string'],
    [{ type: "Text", value: 42 }, 'Invalid Text: "value" must be a string'],
    [{ type: "Badge", label: null }, 'Invalid Badge: "label" must be a string'],
    [{ type: "Image", alt: "no src" }, 'Invalid Image: "src" must be a string'],
    [{ type: "Select", name: "s", options: "a,b" }, 'Invalid Select: "options" must be an array of objects'],
    [{ type: "Select", name: "s", options: ["a"] }, 'Invalid Select: "options" must be an array of objects'],
    [{ type: "Chart", data: [], series: [], xAxis: 3 }, 'Invalid Chart: "xAxis" must be a data key or {dataKey}'],
    [{ type: "Row", children: "nope" }, 'Invalid Row: "children" must be an array'],
    [{ type: "Text", value: "x", editable: { placeholder: "no name" } }, 'Invalid Text: "editable" must be false or {name}'],
    [{ type: "Transition", children: [ok] }, 'Invalid Transition: "children" must be a component or null'],
    [{ value: "no type" }, "Invalid widget component: no type"],
    ["just a string", "Invalid widget component: not an object"],
    [null, "Invalid widget component: not an object"],
  ])("a malformed node %j shows %s", (node, reason) => {
    renderWidget(inCard(node));
    expect(screen.getByRole("note")).toHaveTextContent(reason);
    expect(screen.getByText("Still here")).toBeInTheDocument();
  });

  it.each([
    [null, "Invalid widget component: not an object"],
    [{ type: "Text", value: "a component" }, "Not a widget root: Text"],
    [{ type: "Card" }, 'Invalid Card: "children" must be an array'],
    [{ type: "Modal", children: [] }, "Unsupported widget component: Modal"],
  ])("a bad root %j shows %s", (root, reason) => {
    const { container } = renderWidget(root);
    expect(within(container).getByRole("note")).toHaveTextContent(reason);
  });

  it("checkRoot and checkNode agree with the placeholders", () => {
    expect(checkRoot({ type: "ListView", children: [] }).ok).toBe(true);
    expect(checkRoot({ type: "Row", children: [] })).toEqual({ ok: false, reason: "Not a widget root: Row" });
    expect(checkNode({ type: "Row" }).ok).toBe(true);
    expect(checkNode({ type: "ToString" })).toEqual({ ok: false, reason: "Unsupported widget component: ToString" });
    expect(checkNode({ type: "constructor" }).ok).toBe(false);
  });
});

describe("optional props of the wrong type fall back to defaults", () => {
  it("renders every node, ignoring the bad values", async () => {
    const { container } = renderWidget({
      type: "Card",
      size: "huge",
      padding: [1, 2],
      background: 7,
      status: "loading",
      children: [
        { type: "Text", value: "Text", color: 5, size: "giant", weight: 900, maxLines: -1, width: {} },
        { type: "Row", gap: {}, align: "middle", radius: 3, border: "thick", children: [{ type: "Caption", value: "Caption" }] },
        { type: "Button", label: "Button", color: "neon", variant: 1, size: "huge", iconStart: 4 },
        { type: "Badge", label: "Badge", color: "chartreuse" },
        { type: "Icon", name: "not-an-icon", size: "enormous" },
        { type: "Icon", name: "vendor:acme" },
        { type: "Divider", size: {}, spacing: [] },
        { type: "Select", name: "s", options: [{ value: 1 }, { label: "no value" }, { value: "ok", label: "OK" }] },
        { type: "RadioGroup", name: "r", options: [{ label: 1, value: "x" }, { label: "Fine", value: "f" }] },
        { type: "Chart", data: [{ x: "a", y: 1 }], series: [{ type: "pie", dataKey: "y" }, { type: "bar", dataKey: "y", label: null }], xAxis: "x" },
      ],
    });
    expect(container.querySelector(".ck-placeholder")).toBeNull();
    expect(container.querySelector(".ck-card")).toHaveClass("ck-card-md");
    expect(container.querySelector(".ck-card")?.getAttribute("style")).toBeNull();
    expect(screen.getByText("Text")).toHaveClass("ck-text-md");
    expect(screen.getByText("Text").getAttribute("style")).toBeNull();
    expect(screen.getByRole("button", { name: "Button" })).toHaveClass("ck-tone-primary", "ck-variant-solid", "ck-size-md");
    expect(screen.getByText("Badge")).toHaveClass("ck-tone-secondary");
    expect(container.querySelector('[data-icon="not-an-icon"]')).toHaveClass("lucide-circle-dashed");
    expect(container.querySelector('[data-icon="vendor:acme"]')).toHaveClass("lucide-circle-dashed");
    expect(within(screen.getByRole("combobox")).getAllByRole("option", { hidden: true }).map((o) => o.textContent)).toEqual(["", "OK"]);
    expect(screen.getAllByRole("radio")).toHaveLength(1);
    expect(await screen.findByRole("figure", { name: "bar chart: y" })).toBeInTheDocument();
  });

  it("a ListView limit that is not a count shows every row", () => {
    renderWidget({
      type: "ListView",
      limit: "lots",
      children: [1, 2, 3].map((n) => ({ type: "ListViewItem", children: [{ type: "Text", value: `Row ${n}` }] })),
    });
    expect(screen.getAllByRole("listitem")).toHaveLength(3);
    expect(screen.queryByRole("button")).toBeNull();
  });

  it('a ListView limit of "auto" shows five rows first', () => {
    renderWidget({
      type: "ListView",
      limit: "auto",
      children: Array.from({ length: 7 }, (_, n) => ({ type: "ListViewItem", children: [{ type: "Text", value: `Row ${n}` }] })),
    });
    expect(AUTO_LIST_LIMIT).toBe(5);
    expect(screen.getAllByRole("listitem")).toHaveLength(5);
    expect(screen.getByRole("button", { name: "Show 2 more" })).toBeInTheDocument();
  });

  it("renders a ListViewItem outside a ListView as a plain row, and a Transition without child as nothing", () => {
    const { container } = renderWidget({
      type: "Card",
      children: [
        { type: "ListViewItem", children: [{ type: "Text", value: "Loose row" }] },
        { type: "Transition", children: null },
      ],
    });
    expect(screen.getByText("Loose row").parentElement).toHaveClass("ck-list-item");
    expect(container.querySelector(".ck-transition")).toBeNull();
  });
});

describe("Table (ChatKit.js only)", () => {
  it("renders header and body rows with cell props", () => {
    const { container } = renderWidget({
      type: "Card",
      children: [
        {
          type: "Table",
          children: [
            {
              type: "Table.Row",
              header: true,
              children: [
                { type: "Table.Cell", children: [{ type: "Text", value: "City" }] },
                { type: "Table.Cell", align: "end", children: [{ type: "Text", value: "Temp" }] },
              ],
            },
            {
              type: "Table.Row",
              children: [
                { type: "Table.Cell", width: 120, padding: 2, vAlign: "middle", children: [{ type: "Text", value: "Lyon" }] },
                { type: "Table.Cell", align: "end", children: [{ type: "Badge", label: "21°" }] },
              ],
            },
            {
              type: "Table.Row",
              children: [{ type: "Table.Cell", colSpan: 2, children: [{ type: "Caption", value: "Source: Météo" }] }, { type: "Text", value: "stray" }],
            },
          ],
        },
        { type: "Table.Cell", children: [] },
      ],
    });
    expect(screen.getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["City", "Temp"]);
    expect(screen.getAllByRole("columnheader")[1]).toHaveStyle({ textAlign: "end" });
    const lyon = screen.getByRole("cell", { name: "Lyon" });
    expect(lyon).toHaveStyle({ width: "120px", paddingTop: "8px", verticalAlign: "middle" });
    expect(screen.getByRole("cell", { name: "Source: Météo" })).toHaveAttribute("colspan", "2");
    expect(screen.getByText("Text in a Table.Row")).toBeInTheDocument();
    expect(screen.getByText("Table.Cell outside a Table")).toBeInTheDocument();
    expect(container.querySelectorAll("table")).toHaveLength(1);
  });
});
