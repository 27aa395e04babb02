/**
 * Golden widgets: every fixture in `fixtures/` (valid chatkit-python widget roots) rendered, with
 * the DOM each prop should produce. Actions, loading and forms in depth are in
 * `actions.test.tsx`.
 */
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, describe, expect, it } from "vitest";

import { BUILTIN_ICONS } from "./components/icons";
import { closest, FIXTURES, fixture, ITEM_ID, renderWidget } from "./testing";

// The chart and Lucide-by-name modules load lazily; importing them up front keeps the tests
// from racing a slow first import.
beforeAll(async () => {
  await Promise.all([import("./components/ChartView"), import("./components/LucideByName")]);
});

/** Every node `type` in a tree. */
function typesIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((child) => typesIn(child, out));
  else if (typeof node === "object" && node !== null) {
    const record = node as Record<string, unknown>;
    if (typeof record.type === "string") out.add(record.type);
    typesIn(record.children, out);
  }
  return out;
}

const ALL_TYPES = [
  "Card", "ListView", "ListViewItem", "Basic", "Box", "Row", "Col", "Form", "Text", "Title", "Caption",
  "Markdown", "Badge", "Button", "Image", "Icon", "Divider", "Spacer", "Input", "Textarea", "Select",
  "DatePicker", "Checkbox", "RadioGroup", "Label", "Chart", "Transition",
];

describe("fixtures", () => {
  it("cover every ChatKit component type and are all roots", () => {
    const roots = Object.values(FIXTURES);
    const seen = new Set<string>();
    for (const root of roots) typesIn(root, seen);
    expect([...ALL_TYPES].filter((t) => !seen.has(t))).toEqual([]);
    expect(roots.map((r) => (r as { type: string }).type).every((t) => ["Card", "ListView", "Basic"].includes(t))).toBe(true);
  });

  it("all render without placeholders", () => {
    for (const [name, root] of Object.entries(FIXTURES)) {
      const { container, unmount } = renderWidget(root);
      expect(container.querySelector(".ck-placeholder"), name).toBeNull();
      unmount();
    }
  });
});

describe("the app's own widgets", () => {
  it("fact card (pending): icon caption, fact text, Save primary and Discard secondary", async () => {
    const { container, host } = renderWidget(fixture("fact-card-pending"));
    const card = closest(screen.getByText("Remember this?"), ".ck-card");
    expect(card).toHaveClass("ck-card-sm");
    const icon = container.querySelector('[data-icon="lightbulb"]');
    expect(icon).toHaveStyle({ color: "var(--text-muted)" });
    expect(icon).toHaveAttribute("aria-hidden", "true");
    expect(screen.getByText("Prefers green tea over coffee").tagName).toBe("P");
    const save = screen.getByRole("button", { name: "Save" });
    const discard = screen.getByRole("button", { name: "Discard" });
    expect(save).toHaveClass("ck-tone-primary", "ck-variant-solid");
    expect(discard).toHaveClass("ck-tone-secondary", "ck-variant-outline");
    expect(closest(save, ".ck-box")).toHaveStyle({ gap: "8px" });

    await userEvent.click(save);
    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(
      { type: "fact.save", payload: { fact_id: "fact_01HZX3" }, handler: "server", loadingBehavior: "auto", streaming: true },
      ITEM_ID,
    );
    await userEvent.click(discard);
    expect(host.serverAction).toHaveBeenLastCalledWith(expect.objectContaining({ type: "fact.discard" }), ITEM_ID);
    expect(host.clientAction).not.toHaveBeenCalled();
  });

  it("fact card (saved): filled check icon in the success colour", () => {
    const { container } = renderWidget(fixture("fact-card-saved"));
    const icon = container.querySelector('[data-icon="check-circle-filled"]');
    expect(icon).toHaveClass("ck-icon-filled");
    expect(icon).toHaveStyle({ color: "var(--ok)" });
    expect(screen.getByText("Saved to memory")).toHaveClass("ck-caption");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("fact card (discarded): struck-through tertiary text", () => {
    renderWidget(fixture("fact-card-discarded"));
    const text = screen.getByText("Prefers green tea over coffee");
    expect(text).toHaveClass("ck-line-through");
    expect(text).toHaveStyle({ color: "var(--ck-text-tertiary)" });
  });

  it("facts list: one row per fact, each Delete sends its own fact id", async () => {
    const { host } = renderWidget(fixture("facts-list"));
    const rows = screen.getAllByRole("listitem");
    expect(rows.map((r) => r.textContent)).toEqual(["Lives in LyonDelete", "Prefers green tea over coffeeDelete"]);
    expect(within(rows[0]!).queryByRole("button", { name: /Lives in Lyon/ })).toBeNull();
    await userEvent.click(within(rows[1]!).getByRole("button", { name: "Delete" }));
    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ type: "fact.delete", payload: { fact_id: "fact_02" } }),
      ITEM_ID,
    );
  });

  it("search history: rows are buttons that open the thread through the client handler", async () => {
    const { host } = renderWidget(fixture("search-history"));
    const rows = screen.getAllByRole("button");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAccessibleName(/^Trip to Kyoto\s*2026-03-14/);
    expect(rows[0]).toHaveAttribute("tabindex", "0");
    expect(within(rows[0]!).getByText("ryokan").tagName).toBe("STRONG");
    expect(within(rows[0]!).getByText("Trip to Kyoto")).toHaveClass("ck-weight-semibold");

    await userEvent.click(within(rows[1]!).getByText("Untitled conversation"));
    expect(host.clientAction).toHaveBeenCalledExactlyOnceWith(
      {
        type: "thread.open",
        payload: { thread_id: "thr_b", item_id: "msg_b7" },
        handler: "client",
        loadingBehavior: "auto",
        streaming: true,
      },
      ITEM_ID,
    );

    rows[0]!.focus();
    await userEvent.keyboard("{Enter}");
    await userEvent.keyboard(" ");
    expect(host.clientAction).toHaveBeenCalledTimes(3);
    expect(host.clientAction).toHaveBeenLastCalledWith(
      expect.objectContaining({ payload: { thread_id: "thr_a", item_id: "msg_a1" } }),
      ITEM_ID,
    );
    expect(host.serverAction).not.toHaveBeenCalled();
  });
});

describe("roots", () => {
  it("Card: size, padding, background, status with icon, confirm and cancel", async () => {
    const { container, host } = renderWidget(fixture("card-confirm"));
    const card = container.querySelector(".ck-card");
    expect(card).toHaveClass("ck-card-md");
    expect(card).toHaveStyle({
      paddingTop: "16px",
      paddingBottom: "16px",
      paddingLeft: "20px",
      paddingRight: "20px",
      backgroundColor: "var(--ck-surface-secondary)",
      "--ck-inset-left": "20px",
    });
    const status = container.querySelector(".ck-status");
    expect(status).toHaveTextContent("Calendar");
    expect(status?.querySelector('[data-icon="calendar"]')).not.toBeNull();
    expect(screen.getByRole("heading", { level: 3, name: "Dentist appointment" })).toHaveClass("ck-title-md");
    expect(closest(screen.getByText("Dentist appointment"), ".ck-row")).toHaveStyle({ justifyContent: "space-between" });

    const buttons = within(container.querySelector(".ck-card-actions")!).getAllByRole("button");
    expect(buttons.map((b) => b.textContent)).toEqual(["Not now", "Book it"]);
    expect(buttons[1]).toHaveClass("ck-tone-primary", "ck-variant-solid");
    expect(buttons[1]).toHaveAttribute("type", "button");

    await userEvent.click(buttons[1]!);
    expect(host.serverAction).toHaveBeenLastCalledWith(
      { type: "calendar.book", payload: { slot: "2026-03-12T09:30" }, handler: "server", loadingBehavior: "auto", streaming: true },
      ITEM_ID,
    );
    await userEvent.click(buttons[0]!);
    expect(host.serverAction).toHaveBeenLastCalledWith(
      { type: "calendar.dismiss", handler: "server", loadingBehavior: "auto", streaming: false },
      ITEM_ID,
    );
  });

  it("Card: collapsed behind a disclosure button showing the favicon status; forced dark theme", async () => {
    const { container } = renderWidget(fixture("card-collapsed"));
    const card = container.querySelector(".ck-card");
    expect(card).toHaveClass("ck-card-lg", "ck-theme-dark");
    const toggle = screen.getByRole("button", { name: "Found on en.wikipedia.org" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    const favicon = toggle.querySelector("img");
    expect(favicon).toHaveAttribute("src", "https://en.wikipedia.org/favicon.ico");
    expect(favicon).toHaveClass("ck-status-favicon-framed");
    const body = document.getElementById(toggle.getAttribute("aria-controls")!);
    expect(body).not.toBeVisible();

    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(body).toBeVisible();
    expect(screen.getByText(/capital of Japan/)).toHaveStyle({ WebkitLineClamp: "2" });
  });

  it("ListView: status header, limit with Show more revealing the rest", async () => {
    renderWidget(fixture("list-limit"));
    expect(screen.getByText("5 restaurants nearby")).toBeInTheDocument();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Chez Paul", "Le Bouchon"]);
    const first = closest(screen.getByText("Chez Paul"), ".ck-list-item");
    expect(first).toHaveStyle({ gap: "12px", alignItems: "flex-start" });

    await userEvent.click(screen.getByRole("button", { name: "Show 3 more" }));
    const items = screen.getAllByRole("listitem");
    expect(items).toHaveLength(5);
    expect(items[2]).toHaveFocus();
    expect(screen.queryByRole("button", { name: /more/ })).toBeNull();
  });

  it("Basic: a row of an image, a column and a nested Card root", () => {
    const { container } = renderWidget(fixture("basic"));
    const basic = container.querySelector(".ck-basic");
    expect(basic).toHaveClass("ck-row");
    expect(basic).toHaveStyle({ gap: "12px", paddingTop: "8px", paddingLeft: "8px", alignItems: "center", justifyContent: "flex-start" });
    const avatar = screen.getByRole("img", { name: "Ada Lovelace" });
    expect(avatar).toHaveStyle({ width: "40px", height: "40px", borderRadius: "9999px" });
    expect(within(basic as HTMLElement).getByText("Nested card inside a Basic root").closest(".ck-card")).toHaveClass("ck-card-sm");
  });
});

describe("layout", () => {
  it("Box/Row/Col: direction, alignment, wrap, gap, padding, margin, border, radius, background, sizing", async () => {
    renderWidget(fixture("layout"));
    const outer = closest(closest(screen.getByText("Left column"), ".ck-col").parentElement!, ".ck-box");
    expect(outer).toHaveClass("ck-row");
    expect(outer).toHaveStyle({
      alignItems: "center",
      justifyContent: "space-between",
      flexWrap: "wrap",
      gap: "12px",
      paddingTop: "8px",
      paddingLeft: "16px",
      marginTop: "8px",
      marginLeft: "0px",
      borderRadius: "10px",
      backgroundColor: "rgb(239, 246, 255)",
      minHeight: "48px",
      maxWidth: "100%",
    });
    expect(outer.style.border).toBe("1px dashed var(--ck-border-subtle)");
    act(() => {
      document.documentElement.dataset.theme = "dark";
    });
    await waitFor(() => expect(outer).toHaveStyle({ backgroundColor: "#172554" }));
    const col = closest(screen.getByText("Left column"), ".ck-col");
    expect(col).toHaveStyle({ flexGrow: "1", width: "240px", gap: "4px" });
    const row = closest(screen.getByText("Right"), ".ck-row");
    expect(row).toHaveStyle({
      gap: "12px",
      width: "64px",
      height: "64px",
      aspectRatio: "1",
      borderLeft: "1px solid #d1d5db",
      borderRight: "1px solid #d1d5db",
    });
    expect(row.style.borderBottom).toBe("2px solid var(--border)");
    expect(row.style.borderTop).toBe("");
  });

  it("Divider and Spacer", () => {
    const { container } = renderWidget(fixture("divider-spacer"));
    const [strong, plain] = Array.from(container.querySelectorAll("hr"));
    expect(strong).toHaveClass("ck-divider", "ck-flush");
    expect(strong).toHaveStyle({ borderTopColor: "var(--ck-border-strong)", borderTopWidth: "2px", marginTop: "12px", marginBottom: "12px" });
    expect(plain).not.toHaveClass("ck-flush");
    expect(plain?.getAttribute("style")).toBeNull();
    expect(container.querySelector(".ck-spacer")).toHaveStyle({ flexBasis: "24px" });
  });

  it("Transition wraps its single child", () => {
    renderWidget(fixture("transition"));
    expect(screen.getByText("Step 1 of 3: choose a date").parentElement).toHaveClass("ck-transition");
  });
});

describe("typography", () => {
  it("Text: streaming, italic, line-through, colour, weight, width, size, alignment, truncate and line counts", () => {
    renderWidget(fixture("text"));
    expect(screen.getByText("Plain body text")).toHaveClass("ck-text", "ck-text-md");
    expect(screen.getByText("Streaming text so f")).toHaveClass("ck-streaming");
    const styled = screen.getByText("Styled");
    expect(styled).toHaveClass("ck-italic", "ck-line-through", "ck-weight-bold", "ck-text-lg", "ck-align-center");
    expect(styled).toHaveStyle({ color: "var(--danger)", width: "200px" });
    expect(screen.getByText("Primitive colour")).toHaveStyle({ color: "#9333ea" });
    expect(screen.getByText("Primitive colour")).toHaveClass("ck-text-xs");
    const truncated = screen.getByText(/A very long line/);
    expect(truncated).toHaveClass("ck-truncate");
    expect(truncated).not.toHaveClass("ck-clamp");
    const clamped = screen.getByText(/clamped to three lines/);
    expect(clamped).toHaveClass("ck-clamp");
    expect(clamped).toHaveStyle({ WebkitLineClamp: "3", minHeight: "3em" });
  });

  it("Text: a {light, dark} colour follows the app theme, live", async () => {
    renderWidget(fixture("text"));
    const themed = screen.getByText("Theme-aware colour");
    expect(themed).toHaveStyle({ color: "#1d4ed8" });
    act(() => {
      document.documentElement.dataset.theme = "dark";
    });
    await waitFor(() => expect(themed).toHaveStyle({ color: "#93c5fd" }));
    act(() => {
      document.documentElement.dataset.theme = "light";
    });
    await waitFor(() => expect(themed).toHaveStyle({ color: "#1d4ed8" }));
  });

  it("Text: a {light, dark} colour starts dark when the app is dark, and a Card theme overrides it", () => {
    document.documentElement.dataset.theme = "dark";
    const root = fixture("text") as { theme?: string };
    const { unmount } = renderWidget(root);
    expect(screen.getByText("Theme-aware colour")).toHaveStyle({ color: "#93c5fd" });
    unmount();
    root.theme = "light";
    renderWidget(root);
    expect(screen.getByText("Theme-aware colour")).toHaveStyle({ color: "#1d4ed8" });
    expect(screen.getByText("Theme-aware colour").closest(".ck-card")).toHaveClass("ck-theme-light");
  });

  it("Title and Caption", () => {
    renderWidget(fixture("title-caption"));
    const title = screen.getByRole("heading", { name: "Quarterly report" });
    expect(title).toHaveClass("ck-title-2xl", "ck-weight-bold", "ck-align-start");
    expect(title).toHaveStyle({ color: "var(--text)" });
    expect(screen.getByRole("heading", { name: /long subtitle/ })).toHaveClass("ck-title-sm", "ck-truncate");
    const updated = screen.getByText("Updated 5 minutes ago");
    expect(updated).toHaveClass("ck-caption", "ck-caption-sm", "ck-weight-medium", "ck-align-end");
    expect(updated).toHaveStyle({ color: "var(--ck-text-tertiary)" });
    const twoLines = screen.getByText("Caption with two lines at most");
    expect(twoLines).toHaveClass("ck-caption-lg", "ck-clamp");
    expect(twoLines).toHaveStyle({ WebkitLineClamp: "2" });
  });

  it("Markdown: rendered GFM with a highlighted code block", () => {
    const { container } = renderWidget(fixture("markdown"));
    expect(screen.getByRole("heading", { level: 2, name: "Summary" })).toBeInTheDocument();
    expect(screen.getByText("build").tagName).toBe("STRONG");
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["unused import", "deprecated API"]);
    expect(container.querySelector(".code-block-lang")).toHaveTextContent("rust");
    expect(container.querySelector(".markdown")).toHaveClass("ck-markdown");
  });

  it("Badge: colour, variant, size and pill", () => {
    renderWidget(fixture("badges"));
    expect(screen.getByText("Default")).toHaveClass("ck-badge", "ck-tone-secondary", "ck-variant-soft", "ck-badge-md");
    expect(screen.getByText("Shipped")).toHaveClass("ck-tone-success", "ck-variant-solid", "ck-badge-lg", "ck-pill");
    expect(screen.getByText("Failed")).toHaveClass("ck-tone-danger", "ck-variant-outline", "ck-badge-sm");
    expect(screen.getByText("Failed")).not.toHaveClass("ck-pill");
    expect(screen.getByText("Beta")).toHaveClass("ck-tone-discovery");
    expect(screen.getByText("Note")).toHaveClass("ck-tone-info");
    expect(screen.getByText("Careful")).toHaveClass("ck-tone-warning");
  });
});

describe("media", () => {
  it("Button: colour, variant, size, icons, pill, uniform, block, disabled", async () => {
    const { container } = renderWidget(fixture("buttons"));
    expect(screen.getByRole("button", { name: "Primary" })).toHaveClass("ck-tone-primary", "ck-variant-solid", "ck-size-md");
    expect(screen.getByRole("button", { name: "Secondary" })).toHaveClass("ck-tone-secondary", "ck-variant-outline");
    const next = screen.getByRole("button", { name: "Next" });
    expect(next).toHaveClass("ck-tone-info", "ck-variant-outline", "ck-pill");
    const chevron = next.querySelector('[data-icon="chevron-right"]');
    expect(chevron).toHaveAttribute("width", "20");
    expect(next.lastElementChild).toBe(chevron);
    const more = screen.getByRole("button", { name: "Dots horizontal" });
    expect(more).toHaveClass("ck-variant-ghost", "ck-uniform", "ck-size-xs");
    expect(screen.getByRole("button", { name: "Unavailable" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Unavailable" })).toHaveClass("ck-tone-caution");
    expect(screen.getByRole("button", { name: "Continue" })).toHaveClass("ck-block", "ck-size-xl", "ck-tone-success");
    const remove = screen.getByRole("button", { name: "Delete" });
    expect(remove).toHaveClass("ck-tone-danger", "ck-variant-soft", "ck-size-sm");
    await waitFor(() => expect(remove.querySelector('[data-icon="lucide:trash-2"]')).toHaveClass("lucide-trash-2"));
    expect(container.querySelectorAll("button:disabled")).toHaveLength(1);
  });

  it("Image: src, alt, fit, position, radius, frame, flush, sizing, margin, background", () => {
    const { container } = renderWidget(fixture("image"));
    const photo = screen.getByRole("img", { name: "Fushimi Inari shrine gates" });
    expect(photo).toHaveAttribute("src", "https://example.com/photos/kyoto.jpg");
    expect(photo).toHaveClass("ck-image-frame", "ck-flush");
    expect(photo).toHaveStyle({
      objectFit: "contain",
      objectPosition: "top left",
      borderRadius: "8px",
      height: "180px",
      width: "100%",
      marginBottom: "8px",
      backgroundColor: "var(--ck-surface-tertiary)",
      aspectRatio: "16 / 9",
    });
    const thumb = container.querySelector('img[src="https://example.com/photos/thumb.jpg"]');
    expect(thumb).toHaveAttribute("alt", "");
    expect(thumb).toHaveStyle({ width: "48px", height: "48px", borderRadius: "9999px", flex: "none" });
    expect(container.querySelector(".ck-card")).toHaveStyle({ "--ck-inset-left": "0px" });
  });

  it("Icon: named icons by size and colour, and any Lucide icon loaded on demand", async () => {
    const { container } = renderWidget(fixture("icons"));
    const star = container.querySelector('[data-icon="star-filled"]');
    expect(star).toHaveClass("lucide-star", "ck-icon-filled");
    expect(star).toHaveAttribute("width", "20");
    expect(star).toHaveStyle({ color: "var(--ck-warning)" });
    expect(container.querySelector('[data-icon="globe"]')).toHaveAttribute("width", "12");
    expect(container.querySelector('[data-icon="sparkle-double"]')).toHaveAttribute("width", "40");
    expect(container.querySelector('[data-icon="sparkle-double"]')).toHaveStyle({ color: "var(--ck-discovery)" });
    expect(container.querySelector('[data-icon="agent"]')).toHaveClass("lucide-bot");
    expect(container.querySelector('[data-icon="agent"]')).toHaveAttribute("width", "16");
    await waitFor(() => expect(container.querySelector('[data-icon="lucide:alarm-clock"]')).toHaveClass("lucide-alarm-clock"));
    const alarm = container.querySelector('[data-icon="lucide:alarm-clock"]');
    expect(alarm).toHaveAttribute("width", "24");
    expect(alarm).toHaveStyle({ color: "#dc2626" });
  });

  it("Icon: every ChatKit icon name (§4.2) has its own Lucide icon", () => {
    const names = ("agent analytics atom batch bolt book-open book-closed book-clock bug calendar chart check check-circle " +
      "check-circle-filled chevron-left chevron-right circle-question clock compass confetti cube desktop document dot " +
      "dots-horizontal dots-vertical empty-circle external-link globe keys lab images info lifesaver lightbulb mail " +
      "map-pin maps mobile name notebook notebook-pencil page-blank phone play plus profile profile-card reload star " +
      "star-filled search sparkle sparkle-double square-code square-image square-text suitcase settings-slider user " +
      "wreath write write-alt write-alt2").split(" ");
    expect(Object.keys(BUILTIN_ICONS).sort()).toEqual([...names].sort());
    const { container } = renderWidget({ type: "Card", children: names.map((name) => ({ type: "Icon", name })) });
    const rendered = Array.from(container.querySelectorAll("svg[data-icon]"));
    expect(rendered.map((svg) => svg.getAttribute("data-icon"))).toEqual(names);
    expect(rendered.filter((svg) => svg.classList.contains("lucide-circle-dashed"))).toEqual([]);
  });

  it("Chart (bars): one rect per value, stacked, with legend and y axis", async () => {
    const { container } = renderWidget(fixture("chart-bar"));
    const figure = await screen.findByRole("figure", { name: "bar chart: Online, Stores" });
    expect(figure).toHaveStyle({ height: "240px" });
    await waitFor(() => expect(figure.querySelector("svg.recharts-surface[role=application]")).toHaveAttribute("height", "240"));
    await waitFor(() => expect(container.querySelectorAll(".recharts-bar-rectangle")).toHaveLength(8));
    const fills = new Set(Array.from(container.querySelectorAll(".recharts-bar-rectangle path")).map((p) => p.getAttribute("fill")));
    expect(fills).toEqual(new Set(["#3b82f6", "#f97316"]));
    expect(Array.from(container.querySelectorAll(".recharts-legend-item-text")).map((e) => e.textContent)).toEqual(["Online", "Stores"]);
    expect(container.querySelector(".recharts-yAxis")).not.toBeNull();
    expect(Array.from(container.querySelectorAll(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value")).map((t) => t.textContent)).toEqual(["Q1", "Q2", "Q3", "Q4"]);
  });

  it("Chart (area and line): curves, x-axis labels, no legend, no y axis", async () => {
    const { container } = renderWidget(fixture("chart-line-area"));
    await screen.findByRole("figure", { name: "area and line chart: Visits, Sign-ups" });
    expect(container.querySelector(".recharts-area-curve")).toHaveAttribute("stroke", "#a855f7");
    expect(container.querySelector(".recharts-line-curve")).toHaveAttribute("stroke", "#16a34a");
    expect(container.querySelector(".recharts-line-curve")?.getAttribute("d")).toMatch(/^M[\d.,]+L/);
    await waitFor(() =>
      expect(Array.from(container.querySelectorAll(".recharts-cartesian-axis-tick-value")).map((t) => t.textContent)).toEqual([
        "Monday",
        "Tuesday",
        "Wednesday",
      ]),
    );
    expect(container.querySelector(".recharts-legend-wrapper")).toBeNull();
    expect(container.querySelector(".recharts-yAxis")).toBeNull();
    expect(container.querySelector("svg.recharts-surface[role=application]")).toHaveAttribute("height", "240");
  });
});

describe("form controls", () => {
  it.each([
    ["Input", { type: "Input", name: "city", autoFocus: true }, "City"],
    ["Textarea", { type: "Textarea", name: "notes", autoFocus: true }, "Notes"],
    ["editable Text", { type: "Text", value: "Lisbon", editable: { name: "trip_name", autoFocus: true } }, "Trip name"],
  ])("autoFocus puts the caret in the %s of a widget that arrives after the page loaded", (_kind, field, name) => {
    renderWidget({ type: "Card", children: [{ type: "Text", value: "Where to?" }, field] });
    expect(screen.getByRole("textbox", { name })).toHaveFocus();
  });

  it("Labels name their controls; defaults show in every control kind", () => {
    renderWidget(fixture("form"));
    expect(screen.getByLabelText("Destination")).toHaveValue("Kyoto");
    expect(screen.getByLabelText("Destination")).toBeRequired();
    expect(screen.getByLabelText("Notes")).toHaveValue("Quiet places");
    expect(screen.getByLabelText("Notes")).toHaveAttribute("rows", "2");
    const travelClass = screen.getByLabelText("Travel class");
    expect(travelClass).toHaveValue("economy");
    expect(within(travelClass).getAllByRole("option").map((o) => o.textContent)).toEqual(["Economy", "Business"]);
    expect(screen.getByLabelText("Departure")).toHaveValue("2026-04-01");
    expect(screen.getByRole("checkbox", { name: "Add travel insurance" })).toBeChecked();
    const seat = screen.getByRole("radiogroup", { name: "Seat" });
    expect(seat).toHaveClass("ck-row");
    expect(within(seat).getByRole("radio", { name: "Aisle" })).toBeChecked();
    expect(within(seat).getByRole("radio", { name: "Window" })).not.toBeChecked();
    const title = screen.getByRole("textbox", { name: "Trip name" });
    expect(title).toHaveValue("Trip to Kyoto");
    expect(title).toHaveClass("ck-text-editable");
    expect(screen.getByRole("button", { name: "Plan trip" })).toHaveAttribute("type", "submit");
  });

  it("Select, DatePicker, Checkbox, RadioGroup, Input and Textarea props", () => {
    renderWidget(fixture("controls"));
    const model = screen.getByRole("combobox", { name: "Pick a model" });
    expect(model).toHaveValue("");
    expect(model).toHaveClass("ck-size-sm", "ck-field-soft", "ck-pill");
    expect(closest(model, ".ck-select")).toHaveClass("ck-block");
    const options = within(model).getAllByRole("option", { hidden: true });
    expect(options.map((o) => [o.textContent, (o as HTMLOptionElement).disabled])).toEqual([
      ["Pick a model", true],
      ["Fast", false],
      ["Deep", false],
      ["Legacy", true],
    ]);
    expect(options[1]).toHaveAttribute("title", "Quick answers for everyday questions");
    expect(screen.queryByRole("button", { name: /Clear/ })).toBeNull();

    const due = screen.getByLabelText("Due date");
    expect(due).toHaveAttribute("type", "date");
    expect(due).toHaveAttribute("min", "2026-01-01");
    expect(due).toHaveAttribute("max", "2026-12-31");
    expect(screen.getByRole("checkbox", { name: "Locked" })).toBeDisabled();
    expect(screen.getByRole("checkbox", { name: "Locked" })).toBeChecked();
    const priority = screen.getByRole("radiogroup", { name: "Priority" });
    expect(priority).toHaveClass("ck-col");
    expect(within(priority).getByRole("radio", { name: "Urgent" })).toBeDisabled();
    const query = screen.getByRole("textbox", { name: "Search query" });
    expect(query).toHaveAttribute("pattern", "[a-z]+");
    expect(query).toHaveClass("ck-size-sm", "ck-gutter-xs");
    expect(query).toHaveAttribute("autocomplete", "off");
    const comment = screen.getByRole("textbox", { name: "Add a comment" });
    expect(comment).toBeDisabled();
    expect(comment).toHaveAttribute("rows", "4");
  });
});
