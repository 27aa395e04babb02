import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../App";
import { TEST_APP_INFO, installFakeCore } from "../test/fakeCore";

async function openSettings() {
  const user = userEvent.setup();
  const view = render(<App />);
  await user.click(await screen.findByRole("button", { name: "Settings" }));
  return { user, unmount: view.unmount };
}

function keyGroup(provider: "OpenAI" | "OpenRouter") {
  return screen.getByRole("group", { name: provider });
}

describe("theme", () => {
  it("applies the stored theme at startup", async () => {
    installFakeCore({ settings: { theme: "light" } });
    render(<App />);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
  });

  it("round-trips a chosen theme through the core and keeps it after a restart", async () => {
    const core = installFakeCore({ settings: { theme: "system" } });
    const { user, unmount } = await openSettings();

    const select = await screen.findByRole("combobox", { name: "Theme" });
    expect(select).toHaveValue("system");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "System",
      "Light",
      "Dark",
    ]);

    await user.selectOptions(select, "dark");

    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect(core.callsTo("settings_update").map((c) => c.args)).toEqual([{ patch: { theme: "dark" } }]);
    expect(core.settings).toEqual({ theme: "dark" });

    // A new window: everything starts again from what the core stored.
    unmount();
    delete document.documentElement.dataset.theme;
    await openSettings();
    expect(await screen.findByTestId("theme-select")).toHaveValue("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("keeps the previous theme and says why when saving fails", async () => {
    const core = installFakeCore({ settings: { theme: "light" } });
    core.failures.set("settings_update", { kind: "store_disk_full", message: "database or disk is full" });
    const { user } = await openSettings();

    await user.selectOptions(await screen.findByRole("combobox", { name: "Theme" }), "dark");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("database or disk is full");
    expect(alert).toHaveTextContent(/free some space/i);
    expect(screen.getByTestId("theme-select")).toHaveValue("light");
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});

describe("API keys", () => {
  it("saves a key without ever rendering it, then removes it", async () => {
    const core = installFakeCore();
    const { user } = await openSettings();
    const key = "sk-test-0123456789-do-not-show";

    const openai = keyGroup("OpenAI");
    await waitFor(() => expect(within(openai).getByRole("status")).toHaveTextContent(/^Not set$/));
    expect(within(openai).queryByRole("button", { name: "Remove" })).not.toBeInTheDocument();

    const input = within(openai).getByLabelText("OpenAI API key");
    expect(input).toHaveAttribute("type", "password");
    expect(within(openai).getByRole("button", { name: "Save" })).toBeDisabled();

    await user.type(input, `  ${key}  `);
    await user.click(within(openai).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(within(openai).getByRole("status")).toHaveTextContent(/^Set$/));
    expect(core.callsTo("secret_set").map((c) => c.args)).toEqual([{ name: "provider.openai", value: key }]);
    expect(core.secrets.get("provider.openai")).toBe(key);
    expect(input).toHaveValue("");
    expect(document.body.innerHTML).not.toContain(key);
    // The other provider is untouched.
    expect(within(keyGroup("OpenRouter")).getByRole("status")).toHaveTextContent(/^Not set$/);

    await user.click(within(openai).getByRole("button", { name: "Remove" }));

    await waitFor(() => expect(within(openai).getByRole("status")).toHaveTextContent(/^Not set$/));
    expect(core.callsTo("secret_delete").map((c) => c.args)).toEqual([{ name: "provider.openai" }]);
    expect(core.secrets.has("provider.openai")).toBe(false);
    expect(within(openai).queryByRole("button", { name: "Remove" })).not.toBeInTheDocument();
  });

  it("shows the status of a key that is already stored and never reads it back", async () => {
    const core = installFakeCore({ secrets: new Map([["provider.openrouter", "or-secret-value"]]) });
    await openSettings();

    const openrouter = keyGroup("OpenRouter");
    await waitFor(() => expect(within(openrouter).getByRole("status")).toHaveTextContent(/^Set$/));
    expect(within(openrouter).getByRole("button", { name: "Remove" })).toBeInTheDocument();
    expect(within(openrouter).getByLabelText("OpenRouter API key")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain("or-secret-value");
    expect(core.calls.map((c) => c.cmd)).not.toContain("secret_get");
  });

  it("explains a keychain failure and keeps the key in the field to retry", async () => {
    const core = installFakeCore();
    core.failures.set("secret_set", {
      kind: "secret_unavailable",
      message: "no secret service provider on the session bus",
    });
    const { user } = await openSettings();

    const openai = keyGroup("OpenAI");
    const input = within(openai).getByLabelText("OpenAI API key");
    await user.type(input, "sk-abc");
    await user.click(within(openai).getByRole("button", { name: "Save" }));

    const alert = await within(openai).findByRole("alert");
    expect(alert).toHaveTextContent("no secret service provider on the session bus");
    expect(alert).toHaveTextContent(/keychain/i);
    expect(within(openai).getByRole("status")).toHaveTextContent(/^Not set$/);
    expect(input).toHaveValue("sk-abc");
    expect(core.secrets.size).toBe(0);
  });
});

describe("about", () => {
  it("shows the version, data folder and key storage from app_info", async () => {
    installFakeCore();
    await openSettings();

    expect(await screen.findByTestId("about-version")).toHaveTextContent(TEST_APP_INFO.version);
    expect(screen.getByTestId("about-data-dir")).toHaveTextContent(TEST_APP_INFO.data_dir);
    expect(screen.getByTestId("about-secret-backend")).toHaveTextContent(TEST_APP_INFO.secret_backend);
  });
});
