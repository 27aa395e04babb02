import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";

import type { ThreadSummary } from "../bindings/ThreadSummary";
import { ThreadList } from "./ThreadList";

// Noon today, and the clock is held there where date groups are checked: "60 s ago" must be
// Today whenever the test runs (it was Yesterday just after midnight).
const NOW = new Date().setHours(12, 0, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

function summary(i: number, ageMs: number, pinned = false): ThreadSummary {
  const at = new Date(NOW - ageMs).toISOString();
  return { id: `t${i}`, title: `Chat ${i}`, created_at: at, updated_at: at, pinned, answering: false };
}

function renderList(threads: ThreadSummary[] | null, overrides: Partial<Parameters<typeof ThreadList>[0]> = {}) {
  const props = {
    threads,
    hasMore: false,
    loading: false,
    error: null,
    activeId: null,
    onRetry: vi.fn(),
    onLoadMore: vi.fn(),
    onOpen: vi.fn(),
    onPin: vi.fn(),
    onRename: vi.fn(),
    onDelete: vi.fn(),
    initialHeight: 600,
    ...overrides,
  };
  render(<ThreadList {...props} />);
  return props;
}

// jsdom lays nothing out: give the list's scroll box the size a sidebar has.
beforeEach(() => {
  const size = (fallback: PropertyDescriptor | undefined, value: number) =>
    function (this: HTMLElement) {
      return this.classList.contains("thread-scroll") ? value : ((fallback?.get?.call(this) as number) ?? 0);
    };
  const height = Object.getOwnPropertyDescriptor(Element.prototype, "clientHeight");
  const width = Object.getOwnPropertyDescriptor(Element.prototype, "clientWidth");
  vi.spyOn(Element.prototype, "clientHeight", "get").mockImplementation(size(height, 600));
  vi.spyOn(Element.prototype, "clientWidth", "get").mockImplementation(size(width, 280));
});

describe("ThreadList", () => {
  it("is the Threads navigation landmark and shows the empty state", () => {
    renderList([]);
    const nav = screen.getByRole("navigation", { name: "Threads" });
    expect(within(nav).getByText("No conversations yet")).toBeInTheDocument();
  });

  it("groups by date with pinned first", () => {
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    onTestFinished(() => void vi.useRealTimers());
    renderList([summary(1, 0, true), summary(2, 60_000), summary(3, DAY + 60_000), summary(4, 3 * DAY), summary(5, 20 * DAY)]);
    const nav = screen.getByRole("navigation", { name: "Threads" });
    const headings = within(nav).getAllByRole("heading").map((h) => h.textContent);
    expect(headings).toEqual(["Pinned", "Today", "Yesterday", "Previous 7 days", "Previous 30 days"]);
    // A row's buttons appear when it is pointed at or focused.
    expect(within(nav).queryByRole("button", { name: "Unpin Chat 1" })).not.toBeInTheDocument();
    fireEvent.mouseEnter(screen.getAllByTestId("thread-item")[0]!);
    expect(within(nav).getByRole("button", { name: "Unpin Chat 1" })).toBeInTheDocument();
    act(() => within(nav).getByRole("button", { name: /^Chat 2/ }).focus());
    expect(within(nav).getByRole("button", { name: "Pin Chat 2" })).toBeInTheDocument();
  });

  it("creates a row's buttons when it is first hovered or focused, and Tab reaches them", async () => {
    const user = userEvent.setup();
    renderList([summary(1, 0), summary(2, 1000)]);
    const nav = screen.getByRole("navigation", { name: "Threads" });
    expect(within(nav).queryAllByRole("button", { name: /^(Pin|Rename|Delete) / })).toHaveLength(0);

    await user.hover(within(nav).getByRole("button", { name: /^Chat 1/ }));
    expect(within(nav).getByRole("button", { name: "Delete Chat 1" })).toBeInTheDocument();

    // By keyboard: the focused row's buttons follow its title in the Tab order.
    within(nav).getByRole("button", { name: /^Chat 2/ }).focus();
    await user.tab();
    expect(within(nav).getByRole("button", { name: "Pin Chat 2" })).toHaveFocus();
    await user.tab();
    expect(within(nav).getByRole("button", { name: "Rename Chat 2" })).toHaveFocus();
    await user.tab();
    expect(within(nav).getByRole("button", { name: "Delete Chat 2" })).toHaveFocus();
  });

  it("renders only the rows in view of 10,000 threads, and asks for more near the end", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => summary(i, i * 1000));
    const props = renderList(many, { hasMore: true });
    const rows = screen.getAllByTestId("thread-item");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(props.onLoadMore).not.toHaveBeenCalled();

    const few = Array.from({ length: 12 }, (_, i) => summary(i, i * 1000));
    const more = renderList(few, { hasMore: true });
    expect(more.onLoadMore).toHaveBeenCalled();
  });

  it("follows scrolling, and arrow keys scroll the next row into view", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => summary(i, i * 1000));
    renderList(many);
    const scroller = document.querySelector<HTMLElement>(".thread-scroll")!;
    let top = 0;
    Object.defineProperty(scroller, "scrollTop", { configurable: true, get: () => top, set: (v: number) => (top = v) });
    const nav = screen.getByRole("navigation", { name: "Threads" });

    // Arrow down from the last row in full view: the next one is scrolled just into view.
    // (Where a row is: the rows are in flow below the list's padding, 30 px per date heading
    // and 36 px per conversation, as the style sheet lays them out.)
    const rowBottom = (el: HTMLElement) => {
      const li = el.closest("li")!;
      let y = parseFloat(li.parentElement!.style.paddingTop) || 0;
      for (let at: Element | null = li.parentElement!.firstElementChild; at; at = at.nextElementSibling) {
        y += at.classList.contains("thread-group") ? 30 : 36;
        if (at === li) break;
      }
      return y;
    };
    const visible = within(nav).getAllByRole("button", { name: /^Chat \d+$/ }).filter((b) => rowBottom(b) <= 600);
    const last = visible[visible.length - 1]!;
    const next = Number(last.textContent!.replace("Chat ", "")) + 1;
    act(() => last.focus());
    fireEvent.keyDown(last, { key: "ArrowDown" });
    expect(top).toBeGreaterThan(0);
    fireEvent.scroll(scroller);
    const nextRow = within(nav).getByRole("button", { name: `Chat ${next}` });
    expect(rowBottom(nextRow) - top).toBe(600);
    await waitFor(() => expect(nextRow).toHaveFocus());

    // Far down: the rows there replace the first ones.
    act(() => {
      top = 36 * 5_000;
      fireEvent.scroll(scroller);
    });
    expect(within(nav).queryByRole("button", { name: "Chat 0" })).not.toBeInTheDocument();
    expect(within(nav).getByRole("button", { name: "Chat 5000" })).toBeInTheDocument();
    expect(within(nav).getAllByTestId("thread-item").length).toBeLessThan(60);
  });

  it("opens, pins, renames (F2 or the button; Escape cancels) and deletes", async () => {
    const user = userEvent.setup();
    const props = renderList([summary(1, 0), summary(2, 1000)], { activeId: "t2" });
    const nav = screen.getByRole("navigation", { name: "Threads" });

    await user.click(within(nav).getByRole("button", { name: /^Chat 1/ }));
    expect(props.onOpen).toHaveBeenCalledWith("t1");
    expect(within(nav).getByRole("button", { name: /^Chat 2/ })).toHaveAttribute("aria-current", "page");

    await user.hover(within(nav).getByRole("button", { name: /^Chat 1/ }));
    await user.click(within(nav).getByRole("button", { name: "Pin Chat 1" }));
    expect(props.onPin).toHaveBeenCalledWith("t1", true);

    await user.click(within(nav).getByRole("button", { name: "Rename Chat 1" }));
    const box = within(nav).getByRole("textbox", { name: "Conversation title" });
    await user.clear(box);
    await user.type(box, "Lisbon trip{Enter}");
    expect(props.onRename).toHaveBeenCalledWith("t1", "Lisbon trip");

    within(nav).getByRole("button", { name: /^Chat 2/ }).focus();
    await user.keyboard("{F2}");
    expect(within(nav).getByRole("textbox", { name: "Conversation title" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(within(nav).getByRole("button", { name: /^Chat 2/ })).toHaveFocus();
    expect(props.onRename).toHaveBeenCalledTimes(1);

    within(nav).getByRole("button", { name: /^Chat 2/ }).focus();
    await user.keyboard("{Delete}");
    expect(props.onDelete).toHaveBeenCalledWith("t2");
    await user.hover(within(nav).getByRole("button", { name: /^Chat 1/ }));
    await user.click(within(nav).getByRole("button", { name: "Delete Chat 1" }));
    expect(props.onDelete).toHaveBeenCalledWith("t1");
  });

  it("shows a load error with a retry", async () => {
    const user = userEvent.setup();
    const props = renderList(null, {
      error: Object.assign(new Error("database is locked"), { kind: "store_busy" as const, name: "SpeasyError" }) as never,
    });
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("database is locked");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(props.onRetry).toHaveBeenCalled();
  });
});
