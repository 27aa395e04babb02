import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { installFakeCore } from "../test/fakeCore";
import { ago, syncLine } from "../lib/syncText";
import { AccountSection } from "./AccountSection";
import { SyncIndicator } from "./SyncIndicator";

const PROJECT = { url: "https://abc.supabase.co", publishable_key: "sb_publishable_test" };

describe("Account and sync settings", () => {
  it("sets up the project, refuses a wrong password, creates the account and shows progress", async () => {
    const core = installFakeCore();
    const user = userEvent.setup();
    let reloaded = 0;
    render(<AccountSection onProjectChanged={() => (reloaded += 1)} />);

    // Off: only the project form.
    const save = await screen.findByRole("button", { name: "Use this project" });
    expect(save).toBeDisabled();
    expect(screen.queryByLabelText("Password")).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Project URL"), "ftp://nope");
    await user.type(screen.getByLabelText("Publishable key"), PROJECT.publishable_key);
    await user.click(save);
    const refused = await screen.findByRole("alert");
    expect(refused).toHaveAttribute("data-error-kind", "sync_project");
    expect(refused).toHaveTextContent("Project Settings → API Keys");

    await user.clear(screen.getByLabelText("Project URL"));
    await user.type(screen.getByLabelText("Project URL"), `${PROJECT.url}/`);
    await user.click(save);
    expect(await screen.findByLabelText("Password")).toBeInTheDocument();
    expect(core.settings.sync_project).toEqual(PROJECT);
    expect(reloaded).toBe(1);
    // Saved as the core keeps it (no trailing slash): nothing left to change.
    expect(screen.getByRole("button", { name: "Change project" })).toBeDisabled();

    // A wrong password says so, with the next step; nothing is kept in the page.
    core.accounts.set("me@example.com", "right password");
    await user.type(screen.getByLabelText("Email"), "me@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const wrong = await screen.findByRole("alert");
    expect(wrong).toHaveAttribute("data-error-kind", "sync_account");
    expect(wrong).toHaveTextContent("Wrong email or password.");
    expect(screen.getByLabelText("Password")).toHaveValue("wrong password");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "right password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("me@example.com")).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain("right password");
    const signIns = core.callsTo("chatkit").filter((c) => (c.args.request as { type: string }).type === "speasy.sync.sign_in");
    expect(signIns.at(-1)?.args.request).toMatchObject({ params: { email: "me@example.com", password: "right password" } });

    // A first sync shows its progress; then what is waiting and what failed.
    act(() =>
      core.setSync({
        ...core.sync,
        state: "syncing",
        progress: { phase: "pull", table: "thread_items", done: 12000, total: 100000 },
      }),
    );
    expect(screen.getByText("Receiving messages: 12,000 of 100,000")).toBeInTheDocument();
    expect(screen.getByRole("progressbar")).toHaveAttribute("value", "0.12");
    expect(screen.getByRole("button", { name: "Syncing…" })).toBeDisabled();
    act(() =>
      core.setSync({
        ...core.sync,
        state: "retrying",
        progress: undefined,
        pending: 3,
        dead_letters: 1,
        retry_at: Date.now() + 8000,
        error: { kind: "sync_unavailable", message: "Could not reach Supabase: could not connect." },
      }),
    );
    expect(screen.getByTestId("sync-pending")).toHaveTextContent("3");
    expect(screen.getByTestId("sync-refused")).toHaveTextContent("1");
    expect(screen.getByRole("alert")).toHaveTextContent("Sync tries again by itself");
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByLabelText("Password")).toHaveValue("");
    expect(core.sync.state).toBe("signed_out");
  });

  it("creates an account, or says to confirm the email first", async () => {
    const core = installFakeCore({
      sync: { state: "signed_out", project: PROJECT, pending: 4, dead_letters: 0 },
      settings: { theme: "system", api_enabled: false, api_port: 8787, voice: { stt: { kind: "auto" }, tts: { kind: "auto" }, auto_read: false }, sync_project: PROJECT },
    });
    const user = userEvent.setup();
    render(<AccountSection />);
    await user.type(await screen.findByLabelText("Email"), "new@example.com");
    await user.type(screen.getByLabelText("Password"), "a long password");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByTestId("sync-account")).toHaveTextContent("new@example.com");
    expect(core.accounts.get("new@example.com")).toBe("a long password");

    // A project that confirms emails: no session yet, a notice instead.
    core.chatkit = (request) => {
      if (request.type === "speasy.sync.sign_up") return { state: "confirm_email", email: "other@example.com" };
      throw { kind: "invalid_input", message: request.type };
    };
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    core.setSync({ state: "signed_out", project: PROJECT, pending: 0, dead_letters: 0 });
    await user.type(await screen.findByLabelText("Email"), "other@example.com");
    await user.type(screen.getByLabelText("Password"), "another password");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() => expect(screen.getByText(/Check other@example.com for a confirmation link/)).toBeInTheDocument());
  });
});

describe("Sync indicator", () => {
  it("says what sync is doing in one line and opens the account settings", async () => {
    const core = installFakeCore({ sync: { state: "idle", project: PROJECT, account: { user_id: "u" }, pending: 0, dead_letters: 0, last_synced_at: Date.now() - 3 * 60_000 } });
    const user = userEvent.setup();
    let opened = false;
    render(<SyncIndicator onOpen={() => (opened = true)} />);
    const button = await screen.findByRole("button", { name: /Sync: Synced 3 min ago/ });
    act(() => core.setSync({ ...core.sync, pending: 2 }));
    expect(screen.getByRole("status")).toHaveTextContent("2 changes waiting");
    act(() => core.setSync({ ...core.sync, state: "stopped", error: { kind: "sync_schema", message: "The Supabase project does not match" } }));
    expect(screen.getByRole("status")).toHaveTextContent("Sync stopped: see Settings");
    expect(button).toHaveAttribute("title", "The Supabase project does not match");
    await user.click(button);
    expect(opened).toBe(true);
  });

  it("words every state", () => {
    const base = { pending: 0, dead_letters: 0 };
    const now = 1_000_000_000;
    expect(syncLine({ ...base, state: "off" }, now)).toBe("Sync off");
    expect(syncLine({ ...base, state: "idle" }, now)).toBe("Waiting to sync");
    expect(syncLine({ ...base, state: "idle", last_synced_at: now - 10_000 }, now)).toBe("Synced just now");
    expect(syncLine({ ...base, state: "idle", pending: 1 }, now)).toBe("1 change waiting");
    expect(syncLine({ ...base, state: "syncing" }, now)).toBe("Syncing…");
    expect(syncLine({ ...base, state: "syncing", progress: { phase: "push", done: 500, total: 1500 } }, now)).toBe(
      "Sending changes: 500 of 1,500",
    );
    expect(syncLine({ ...base, state: "retrying", retry_at: now + 4200, pending: 3 }, now)).toBe(
      "Offline, retrying in 4 s · 3 changes waiting",
    );
    expect(syncLine({ ...base, state: "signed_out" }, now)).toBe("Not signed in");
    expect(syncLine({ ...base, state: "signed_out", error: { kind: "sync_signed_out", message: "ended" } }, now)).toBe(
      "Sync paused: sign in again",
    );
    expect(ago(now - 2 * 3600_000, now)).toBe("2 h ago");
  });
});
