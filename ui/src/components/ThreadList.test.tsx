import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { ThreadMetadata } from "../bindings/ThreadMetadata";
import { installFakeCore, thread } from "../test/fakeCore";
import { THREADS_PAGE_SIZE, ThreadList } from "./ThreadList";

describe("ThreadList", () => {
  it("shows the empty state when there are no conversations", async () => {
    const core = installFakeCore({ threads: [] });
    render(<ThreadList />);

    const nav = screen.getByRole("navigation", { name: "Threads" });
    expect(await within(nav).findByText("No conversations yet")).toBeInTheDocument();
    expect(within(nav).queryByRole("listitem")).not.toBeInTheDocument();
    expect(core.callsTo("threads_list").map((c) => c.args)).toEqual([{ after: null, limit: THREADS_PAGE_SIZE }]);
  });

  it("lists threads with their titles, 'Untitled' for those without, and status badges", async () => {
    const locked: ThreadMetadata = { ...thread("t3", "Old plans"), status: { type: "locked", reason: "archived" } };
    installFakeCore({ threads: [thread("t1", "Trip to Lisbon"), thread("t2"), locked, thread("t4", "   ")] });
    render(<ThreadList />);

    const nav = screen.getByRole("navigation", { name: "Threads" });
    const items = await within(nav).findAllByRole("listitem");
    expect(items.map((item) => item.querySelector(".thread-title")?.textContent)).toEqual([
      "Trip to Lisbon",
      "Untitled",
      "Old plans",
      "Untitled",
    ]);
    expect(items[2]).toHaveTextContent("Locked");
    expect(items[0]).not.toHaveTextContent("Locked");
    expect(within(nav).queryByText("No conversations yet")).not.toBeInTheDocument();
    expect(within(nav).queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("loads the next page from the cursor the core returned", async () => {
    const threads = Array.from({ length: THREADS_PAGE_SIZE + 3 }, (_, i) => thread(`t${i}`, `Chat ${i}`));
    const core = installFakeCore({ threads });
    const user = userEvent.setup();
    render(<ThreadList />);

    const nav = screen.getByRole("navigation", { name: "Threads" });
    expect(await within(nav).findAllByRole("listitem")).toHaveLength(THREADS_PAGE_SIZE);

    await user.click(within(nav).getByRole("button", { name: "Load more" }));

    expect(await within(nav).findByText(`Chat ${THREADS_PAGE_SIZE + 2}`)).toBeInTheDocument();
    expect(within(nav).getAllByRole("listitem")).toHaveLength(THREADS_PAGE_SIZE + 3);
    expect(core.callsTo("threads_list").map((c) => c.args)).toEqual([
      { after: null, limit: THREADS_PAGE_SIZE },
      { after: `t${THREADS_PAGE_SIZE - 1}`, limit: THREADS_PAGE_SIZE },
    ]);
    expect(within(nav).queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("shows a load error inline and recovers on retry", async () => {
    const core = installFakeCore({ threads: [thread("t1", "Hello")] });
    core.failures.set("threads_list", { kind: "store_busy", message: "database is locked" });
    const user = userEvent.setup();
    render(<ThreadList />);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("database is locked");
    expect(alert).toHaveTextContent(/close other speasy windows/i);
    expect(screen.queryByText("No conversations yet")).not.toBeInTheDocument();

    core.failures.delete("threads_list");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Hello")).toBeInTheDocument();
  });
});
