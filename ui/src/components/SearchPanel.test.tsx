import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { SearchHit } from "../bindings/SearchHit";
import { installFakeCore } from "../test/fakeCore";
import { SEARCH_DEBOUNCE_MS, SEARCH_LIMIT, SearchPanel } from "./SearchPanel";
import { Snippet } from "./Snippet";

function hit(itemId: string, title: string | null, snippet: string): SearchHit {
  return { thread_id: `t-${itemId}`, item_id: itemId, thread_title: title, snippet, created_at: "2026-11-20T10:00:00Z" };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Snippet", () => {
  it("wraps marked terms in <mark> and keeps the rest as text", () => {
    const { container } = render(
      <p>
        <Snippet text={"…said the \u0002quick\u0003 brown \u0002fox\u0003 jumped…"} />
      </p>,
    );
    const marks = container.querySelectorAll("mark");
    expect([...marks].map((m) => m.textContent)).toEqual(["quick", "fox"]);
    expect(container.textContent).toBe("…said the quick brown fox jumped…");
  });

  it("renders markup inside a snippet as text, never as elements", () => {
    const { container } = render(
      <p>
        <Snippet text={'<script>alert("x")</script> and \u0002<b>bold</b>\u0003'} />
      </p>,
    );
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toBe('<script>alert("x")</script> and <b>bold</b>');
    expect(container.querySelector("mark")?.textContent).toBe("<b>bold</b>");
  });
});

describe("SearchPanel", () => {
  it("searches after a pause in typing and shows titles with highlighted snippets", async () => {
    const core = installFakeCore({
      searchHits: (query) =>
        query === "rust borrow"
          ? [
              hit("i1", "Learning Rust", "…the \u0002borrow\u0003 checker in \u0002Rust\u0003…"),
              hit("i2", null, "\u0002Rust\u0003 lifetimes and <script>alert(1)</script>"),
            ]
          : [],
    });
    const user = userEvent.setup();
    render(<SearchPanel />);

    await user.type(screen.getByRole("searchbox", { name: "Search conversations" }), "rust borrow");

    const results = await screen.findByRole("region", { name: "Search results" });
    const items = within(results).getAllByRole("listitem");
    expect(items).toHaveLength(2);

    // Debounced: one request for the whole query, not one per keystroke.
    expect(core.callsTo("search").map((c) => c.args)).toEqual([{ query: "rust borrow", limit: SEARCH_LIMIT }]);

    const [first, second] = items as [HTMLElement, HTMLElement];
    expect(first).toHaveTextContent("Learning Rust");
    expect([...first.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["borrow", "Rust"]);
    expect(second).toHaveTextContent("Untitled");
    expect(second).toHaveTextContent("Rust lifetimes and <script>alert(1)</script>");
    expect(results.querySelector("script")).toBeNull();
  });

  it("shows no results list for an empty query and clears it when the query is erased", async () => {
    const core = installFakeCore({ searchHits: () => [hit("i1", "Cats", "\u0002cat\u0003s")] });
    const user = userEvent.setup();
    render(<SearchPanel />);
    const box = screen.getByRole("searchbox", { name: "Search conversations" });

    await user.type(box, "   ");
    await sleep(SEARCH_DEBOUNCE_MS * 2);
    expect(screen.queryByRole("region", { name: "Search results" })).not.toBeInTheDocument();
    expect(core.callsTo("search")).toHaveLength(0);

    await user.type(box, "cat");
    expect(await screen.findByRole("region", { name: "Search results" })).toBeInTheDocument();

    await user.clear(box);
    await waitFor(() => expect(screen.queryByRole("region", { name: "Search results" })).not.toBeInTheDocument());
    expect(screen.queryByRole("listitem")).not.toBeInTheDocument();
  });

  it("says so when nothing matches", async () => {
    installFakeCore({ searchHits: () => [] });
    const user = userEvent.setup();
    render(<SearchPanel />);

    await user.type(screen.getByRole("searchbox", { name: "Search conversations" }), "zebra");

    const results = await screen.findByRole("region", { name: "Search results" });
    expect(results).toHaveTextContent("No matches for “zebra”");
    expect(within(results).queryByRole("listitem")).not.toBeInTheDocument();
  });

  it("shows a search error inline with its hint and can retry", async () => {
    const core = installFakeCore({ searchHits: () => [hit("i1", "Found", "\u0002ok\u0003")] });
    core.failures.set("search", { kind: "invalid_input", message: "fts5: syntax error near \"\"" });
    const user = userEvent.setup();
    render(<SearchPanel />);

    await user.type(screen.getByRole("searchbox", { name: "Search conversations" }), "\"");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent('fts5: syntax error near ""');
    expect(alert).toHaveTextContent(/check what you entered/i);

    core.failures.delete("search");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("region", { name: "Search results" })).toHaveTextContent("Found");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
