import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "./App";
import { installFakeCore } from "./test/fakeCore";

const CORRUPT = {
  state: "failed",
  error: {
    kind: "store_corrupt",
    message: "The database at /home/test/.local/share/speasy/speasy.db is corrupt: file is not a database",
  },
  can_move_aside: true,
} as const;

describe("startup", () => {
  it("shows the app shell when the store is ready", async () => {
    installFakeCore();
    render(<App />);

    expect(await screen.findByRole("navigation", { name: "Threads" })).toBeInTheDocument();
    expect(screen.getByRole("searchbox", { name: "Search conversations" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "How can I help?" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "New chat" })).toBeInTheDocument();
    // No provider yet: the composer says so instead of failing on send.
    expect(await screen.findByText("No model provider is set up.")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Message" })).toBeDisabled();
  });

  it("opens no sync channel until sync is set up, then shows the indicator in the sidebar", async () => {
    const core = installFakeCore();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByRole("navigation", { name: "Threads" });
    await screen.findByText("No model provider is set up.");
    expect(core.callsTo("sync_events")).toHaveLength(0);
    expect(screen.queryByRole("button", { name: /^Sync:/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Settings" }));
    await user.type(await screen.findByLabelText("Project URL"), "https://abc.supabase.co");
    await user.type(screen.getByLabelText("Publishable key"), "sb_publishable_x");
    await user.click(screen.getByRole("button", { name: "Use this project" }));
    expect(await screen.findByRole("button", { name: "Sync: Not signed in. Open account settings" })).toBeInTheDocument();
    expect(core.callsTo("sync_events")).toHaveLength(1);
  });

  it("renders the shell at once from the status and settings main.tsx already asked for", async () => {
    const core = installFakeCore();
    render(<App initialStatus={{ state: "ready" }} initialSettings={{ ...core.settings, theme: "dark" }} />);

    // The first render is the app, not "Opening your conversations…".
    expect(screen.getByRole("navigation", { name: "Threads" })).toBeInTheDocument();
    await screen.findByText("No model provider is set up.");
    expect(core.callsTo("store_status")).toHaveLength(0);
    expect(core.callsTo("settings_get")).toHaveLength(0);
  });

  it("shows a full-page error naming the file, and moves it aside only when asked", async () => {
    const core = installFakeCore({ storeStatus: CORRUPT });
    const user = userEvent.setup();
    render(<App />);

    const screenRoot = await screen.findByTestId("store-failed");
    expect(within(screenRoot).getByRole("alert")).toHaveTextContent(
      "/home/test/.local/share/speasy/speasy.db",
    );
    expect(screen.queryByRole("navigation", { name: "Threads" })).not.toBeInTheDocument();
    // Nothing happens to the file until the person chooses to.
    expect(core.callsTo("store_move_aside")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Move it aside and start fresh" }));

    expect(await screen.findByRole("navigation", { name: "Threads" })).toBeInTheDocument();
    expect(core.callsTo("store_move_aside")).toHaveLength(1);
    expect(screen.queryByTestId("store-failed")).not.toBeInTheDocument();
  });

  it("offers no move-aside button when the core says the file cannot be moved", async () => {
    installFakeCore({
      storeStatus: {
        state: "failed",
        error: { kind: "store_newer_schema", message: "speasy.db was written by Speasy 9 (schema 42)" },
        can_move_aside: false,
      },
    });
    render(<App />);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("speasy.db was written by Speasy 9 (schema 42)");
    expect(alert).toHaveTextContent(/update speasy/i);
    expect(screen.queryByRole("button", { name: /move it aside/i })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("stays on the error screen with the new reason when moving aside still fails", async () => {
    const core = installFakeCore({
      storeStatus: CORRUPT,
      afterMoveAside: {
        state: "failed",
        error: { kind: "store_read_only", message: "cannot write /home/test/.local/share/speasy" },
        can_move_aside: false,
      },
    });
    const user = userEvent.setup();
    render(<App />);

    await user.click(await screen.findByRole("button", { name: "Move it aside and start fresh" }));

    expect(await screen.findByText("cannot write /home/test/.local/share/speasy")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /move it aside/i })).not.toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Threads" })).not.toBeInTheDocument();
    expect(core.callsTo("store_move_aside")).toHaveLength(1);
  });

  it("shows the error of a failed move-aside call inline", async () => {
    const core = installFakeCore({ storeStatus: CORRUPT });
    core.failures.set("store_move_aside", { kind: "store_io", message: "rename failed: EXDEV" });
    const user = userEvent.setup();
    render(<App />);

    await user.click(await screen.findByRole("button", { name: "Move it aside and start fresh" }));

    const alerts = await screen.findAllByRole("alert");
    expect(alerts.some((a) => a.textContent?.includes("rename failed: EXDEV"))).toBe(true);
    expect(screen.getByRole("button", { name: "Move it aside and start fresh" })).toBeEnabled();
  });

  it("shows a readable error with a retry when the core cannot be reached", async () => {
    const core = installFakeCore();
    core.failures.set("store_status", { kind: "internal", message: "state not managed" });
    const user = userEvent.setup();
    render(<App />);

    expect(await screen.findByRole("alert")).toHaveTextContent("state not managed");

    core.failures.delete("store_status");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("navigation", { name: "Threads" })).toBeInTheDocument();
  });
});
