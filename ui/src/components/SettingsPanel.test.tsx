import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../App";
import type { ApiError } from "../bindings/ApiError";
import type { ProviderView } from "../bindings/ProviderView";
import { DEFAULT_VOICE, TEST_APP_INFO, installFakeCore, type ChatKitCall } from "../test/fakeCore";

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
    installFakeCore({ settings: { theme: "light", api_enabled: false, api_port: 8787, voice: DEFAULT_VOICE } });
    render(<App />);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
  });

  it("round-trips a chosen theme through the core and keeps it after a restart", async () => {
    const core = installFakeCore({ settings: { theme: "system", api_enabled: false, api_port: 8787, voice: DEFAULT_VOICE } });
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
    expect(core.settings).toEqual({ theme: "dark", api_enabled: false, api_port: 8787, voice: DEFAULT_VOICE });

    // A new window: everything starts again from what the core stored.
    unmount();
    delete document.documentElement.dataset.theme;
    await openSettings();
    expect(await screen.findByTestId("theme-select")).toHaveValue("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("keeps the previous theme and says why when saving fails", async () => {
    const core = installFakeCore({ settings: { theme: "light", api_enabled: false, api_port: 8787, voice: DEFAULT_VOICE } });
    core.failures.set("settings_update", { kind: "store_disk_full", message: "database or disk is full" });
    const { user } = await openSettings();

    await user.selectOptions(await screen.findByRole("combobox", { name: "Theme" }), "dark");

    const alert = await within(screen.getByRole("region", { name: "Appearance" })).findByRole("alert");
    expect(alert).toHaveTextContent("database or disk is full");
    expect(alert).toHaveTextContent(/free some space/i);
    expect(screen.getByTestId("theme-select")).toHaveValue("light");
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});

const PROVIDERS: ProviderView[] = [
  { id: "openai", kind: "openai", name: "OpenAI", base_url: "https://api.openai.com/v1", key_secret: "provider.openai", has_key: false, default_model: null, context_window: null },
  { id: "openrouter", kind: "openrouter", name: "OpenRouter", base_url: "https://openrouter.ai/api/v1", key_secret: "provider.openrouter", has_key: false, default_model: null, context_window: null },
];

function upserts(core: ReturnType<typeof installFakeCore>) {
  return core
    .callsTo("chatkit")
    .map((c) => c.args.request as ChatKitCall)
    .filter((r) => r.type === "speasy.providers.upsert")
    .map((r) => r.params);
}

describe("API keys", () => {
  it("saves a provider's key through the core without ever rendering it, then removes it", async () => {
    const core = installFakeCore({ providers: structuredClone(PROVIDERS) });
    const { user } = await openSettings();
    const key = "sk-test-0123456789-do-not-show";

    const openai = await waitFor(() => keyGroup("OpenAI"));
    await waitFor(() => expect(within(openai).getByRole("status")).toHaveTextContent(/^Not set$/));
    expect(within(openai).queryByRole("button", { name: "Remove" })).not.toBeInTheDocument();

    const input = within(openai).getByLabelText("OpenAI API key");
    expect(input).toHaveAttribute("type", "password");
    expect(within(openai).getByRole("button", { name: "Save" })).toBeDisabled();

    await user.type(input, `  ${key}  `);
    await user.click(within(openai).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(within(keyGroup("OpenAI")).getByRole("status")).toHaveTextContent(/^Set$/));
    expect(upserts(core)).toEqual([{ provider: { id: "openai", api_key: key } }]);
    expect(core.secrets.get("provider.openai")).toBe(key);
    expect(within(keyGroup("OpenAI")).getByLabelText("OpenAI API key")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain(key);
    // The other provider is untouched.
    expect(within(keyGroup("OpenRouter")).getByRole("status")).toHaveTextContent(/^Not set$/);

    await user.click(within(keyGroup("OpenAI")).getByRole("button", { name: "Remove" }));

    await waitFor(() => expect(within(keyGroup("OpenAI")).getByRole("status")).toHaveTextContent(/^Not set$/));
    expect(core.callsTo("secret_delete").map((c) => c.args)).toEqual([{ name: "provider.openai" }]);
    expect(core.secrets.has("provider.openai")).toBe(false);
  });

  it("shows the status of a key that is already stored and never reads it back", async () => {
    const core = installFakeCore({ providers: structuredClone(PROVIDERS), secrets: new Map([["provider.openrouter", "or-secret-value"]]) });
    await openSettings();

    const openrouter = await waitFor(() => keyGroup("OpenRouter"));
    await waitFor(() => expect(within(openrouter).getByRole("status")).toHaveTextContent(/^Set$/));
    expect(within(openrouter).getByRole("button", { name: "Remove" })).toBeInTheDocument();
    expect(within(openrouter).getByLabelText("OpenRouter API key")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain("or-secret-value");
    expect(core.calls.map((c) => c.cmd)).not.toContain("secret_get");
  });

  it("explains a keychain failure and keeps the key in the field to retry", async () => {
    const core = installFakeCore({ providers: structuredClone(PROVIDERS) });
    const fallback = core.chatkit;
    core.chatkit = (request) => {
      if (request.type === "speasy.providers.upsert") {
        const error: ApiError = { kind: "secret_unavailable", message: "no secret service provider on the session bus" };
        throw error;
      }
      return fallback(request);
    };
    const { user } = await openSettings();

    const openai = await waitFor(() => keyGroup("OpenAI"));
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

  it("adds a custom OpenAI-compatible provider by base URL", async () => {
    const core = installFakeCore();
    const { user } = await openSettings();
    await user.selectOptions(await screen.findByLabelText("Type"), "custom");
    await user.type(screen.getByLabelText("Base URL"), "http://127.0.0.1:8000/v1");
    await user.type(screen.getByLabelText(/^API key/), "local-secret");
    await user.click(screen.getByRole("button", { name: "Add provider" }));
    expect(await screen.findByTestId("provider-custom")).toHaveTextContent("http://127.0.0.1:8000/v1");
    expect(upserts(core)).toEqual([{ provider: { kind: "custom", base_url: "http://127.0.0.1:8000/v1", api_key: "local-secret" } }]);
    expect(document.body.innerHTML).not.toContain("local-secret");
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

describe("voice settings", () => {
  it("lists the devices, saves the choices through the core, and keeps the ElevenLabs key write-only", async () => {
    const core = installFakeCore({
      providers: [
        { id: "openai", kind: "openai", name: "OpenAI", base_url: "https://api.openai.com/v1", key_secret: "provider.openai", has_key: true, default_model: null, context_window: null },
        { id: "openrouter", kind: "openrouter", name: "OpenRouter", base_url: "https://openrouter.ai/api/v1", key_secret: null, has_key: false, default_model: null, context_window: null },
      ],
    });
    const { user } = await openSettings();
    const section = await screen.findByRole("region", { name: "Voice" });

    const mic = within(section).getByRole("combobox", { name: "Microphone" });
    await waitFor(() => expect(within(mic).getAllByRole("option").map((o) => o.textContent)).toEqual(["System default", "Desk microphone"]));
    await user.selectOptions(mic, "mic-1");
    await waitFor(() => expect(core.settings.voice.input_device).toBe("mic-1"));

    // OpenRouter has no speech API: it is not offered.
    const stt = within(section).getByRole("combobox", { name: "Speech to text" });
    expect(within(stt).getAllByRole("option").map((o) => o.textContent)).toEqual(["Automatic", "OpenAI", "ElevenLabs", "Off"]);
    await user.selectOptions(stt, "elevenlabs");
    await waitFor(() => expect(core.settings.voice.stt).toEqual({ kind: "elevenlabs" }));
    expect(core.settings.voice.input_device).toBe("mic-1");

    const tts = within(section).getByRole("combobox", { name: "Reading aloud" });
    expect(within(tts).getAllByRole("option").map((o) => o.textContent)).toEqual(["Automatic", "OpenAI", "ElevenLabs", "Off", "System voice (offline)"]);
    await user.selectOptions(tts, "system");
    await waitFor(() => expect(core.settings.voice.tts).toEqual({ kind: "system" }));

    await user.click(within(section).getByRole("checkbox", { name: "Read every answer aloud" }));
    await waitFor(() => expect(core.settings.voice.auto_read).toBe(true));

    const key = within(section).getByLabelText("ElevenLabs API key");
    await user.type(key, "xi-secret");
    await user.click(within(section).getByTestId("secret-save-elevenlabs"));
    await waitFor(() => expect(core.secrets.get("voice.elevenlabs")).toBe("xi-secret"));
    expect(key).toHaveValue("");
    expect(within(section).getByTestId("secret-status-elevenlabs")).toHaveTextContent("Set");
    expect(JSON.stringify(core.settings)).not.toContain("xi-secret");
  });
});
