/**
 * An in-memory Speasy core behind the real `@tauri-apps/api` invoke path: `mockIPC` replaces
 * only the IPC transport, so the app's ipc layer runs unchanged. It keeps state between calls
 * (settings, secrets) so flows such as "save, then the status says Set" are really exercised.
 */
import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";

import type { ApiError } from "../bindings/ApiError";
import type { ApiStatus } from "../bindings/ApiStatus";
import type { AppInfo } from "../bindings/AppInfo";
import type { SearchHit } from "../bindings/SearchHit";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { StoreStatus } from "../bindings/StoreStatus";
import type { VoiceEvent } from "../bindings/VoiceEvent";
import type { VoiceSettings } from "../bindings/VoiceSettings";
import { resetVoiceChannel } from "../ipc/voice";
import { resetSyncChannel } from "../ipc/sync";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { ProviderView } from "../bindings/ProviderView";
import type { StreamEvent } from "../bindings/StreamEvent";
import type { ThreadSummary } from "../bindings/ThreadSummary";
import type { ThreadMetadata } from "../bindings/ThreadMetadata";

/** A request to the core's `chatkit` command: `{type, params, metadata?}`. */
export type ChatKitCall = { type: string; params: Record<string, unknown>; metadata?: Record<string, unknown> };

export type Call = { cmd: string; args: Record<string, unknown> };

export type FakeCoreState = {
  storeStatus: StoreStatus;
  /** What `store_move_aside` answers (and what `store_status` says afterwards). */
  afterMoveAside: StoreStatus;
  settings: Settings;
  secrets: Map<string, string>;
  threads: ThreadMetadata[];
  searchHits: (query: string) => SearchHit[];
  appInfo: AppInfo;
  /**
   * Answers `chatkit` requests (ChatKit and `speasy.*`): return a JSON value, or an array of
   * `StreamEvent`s to stream on the request's channel (the command then resolves `null`), or
   * throw an `ApiError`. Unhandled types reject like the core does.
   */
  chatkit: (request: ChatKitCall) => unknown;
  /** The local API (`speasy.api.*`); its token goes to `secrets` as `api.token`. */
  api: ApiStatus;
  /** Providers `speasy.providers.*` lists and edits (keys go to `secrets`). */
  providers: ProviderView[];
  /** Sync as `speasy.sync.*` and `sync_events` report it. */
  sync: SyncStatus;
  /** Accounts `speasy.sync.sign_up` created: email → password. */
  accounts: Map<string, string>;
  /** Commands that reject with the given ApiError (a function may decide per call). */
  failures: Map<string, ApiError | ((args: Record<string, unknown>) => ApiError | null)>;
};

export type FakeCore = FakeCoreState & {
  calls: Call[];
  callsTo: (cmd: string) => Call[];
  /** Sends a voice event on the window's `voice_events` channel (throws if none is open). */
  emitVoice: (event: VoiceEvent) => void;
  /** Changes sync's status and sends it on the `sync_events` channel, if one is open. */
  setSync: (status: SyncStatus) => void;
};

export const TEST_APP_INFO: AppInfo = {
  version: "0.1.0",
  data_dir: "/home/test/.local/share/speasy",
  database_path: "/home/test/.local/share/speasy/speasy.db",
  schema_version: 1,
  secret_backend: "secret-service",
};

/** The core's default voice settings. */
export const DEFAULT_VOICE: VoiceSettings = { stt: { kind: "auto" }, tts: { kind: "auto" }, auto_read: false };

export function installFakeCore(initial: Partial<FakeCoreState> = {}): FakeCore {
  const calls: Call[] = [];
  resetVoiceChannel();
  resetSyncChannel();
  let voiceChannel: Channel<VoiceEvent> | null = null;
  let voiceIndex = 0;
  let syncChannel: Channel<SyncStatus> | null = null;
  let syncIndex = 0;
  const runCallback = (id: number, data: unknown) =>
    (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } }).__TAURI_INTERNALS__.runCallback(
      id,
      data,
    );
  const core: FakeCore = {
    storeStatus: { state: "ready" },
    afterMoveAside: { state: "ready" },
    settings: { theme: "system", api_enabled: false, api_port: 8787, voice: DEFAULT_VOICE },
    secrets: new Map(),
    threads: [],
    searchHits: () => [],
    appInfo: TEST_APP_INFO,
    failures: new Map(),
    providers: [],
    api: { enabled: false, port: 8787, running: false, has_token: false },
    sync: { state: "off", pending: 0, dead_letters: 0 },
    accounts: new Map(),
    chatkit: (request) => defaultChatkit(core, request),
    ...initial,
    calls,
    callsTo: (cmd) => calls.filter((call) => call.cmd === cmd),
    emitVoice: (event) => {
      if (!voiceChannel) throw new Error("no voice_events channel is open");
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
        .__TAURI_INTERNALS__;
      internals.runCallback(voiceChannel.id, { index: voiceIndex++, message: event });
    },
    setSync: (status) => {
      core.sync = status;
      if (syncChannel) runCallback(syncChannel.id, { index: syncIndex++, message: status });
    },
  };

  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });

    const failure = core.failures.get(cmd);
    const error = typeof failure === "function" ? failure(args) : failure;
    if (error) throw error;

    switch (cmd) {
      case "app_info":
        return core.appInfo;
      case "store_status":
        return core.storeStatus;
      case "store_move_aside":
        core.storeStatus = core.afterMoveAside;
        return core.storeStatus;
      case "settings_get":
        return core.settings;
      case "settings_update": {
        const patch = args.patch as SettingsPatch;
        core.settings = { ...core.settings, ...(patch.theme ? { theme: patch.theme } : {}), ...(patch.voice ? { voice: patch.voice } : {}) };
        return core.settings;
      }
      case "secret_set":
        core.secrets.set(args.name as string, args.value as string);
        return null;
      case "secret_delete":
        core.secrets.delete(args.name as string);
        return null;
      case "secret_exists":
        return core.secrets.has(args.name as string);
      case "search":
        return core.searchHits(args.query as string).slice(0, args.limit as number);
      case "ui_painted":
        return null;
      case "sync_events":
        // As the shell: the current status at once, then every change, while the window listens.
        syncChannel = args.onEvent as Channel<SyncStatus>;
        syncIndex = 0;
        queueMicrotask(() => core.setSync(core.sync));
        return new Promise(() => undefined);
      case "voice_events":
        // As the shell: the command runs as long as the window listens.
        voiceChannel = args.onEvent as Channel<VoiceEvent>;
        voiceIndex = 0;
        return new Promise(() => undefined);
      case "chatkit": {
        const answer = core.chatkit(args.request as ChatKitCall);
        if (answer instanceof Streamed) {
          const channel = args.onEvent as Channel<StreamEvent> | undefined;
          if (!channel) {
            // As the shell: a streamed answer needs a channel to go to.
            const error: ApiError = { kind: "invalid_input", message: "this request streams its answer: pass a channel" };
            throw error;
          }
          return answer.play(channel).then(() => ({ streamed: answer.events.length }));
        }
        return answer;
      }
      default: {
        const unknown: ApiError = { kind: "internal", message: `unknown command ${cmd}` };
        throw unknown;
      }
    }
  });

  return core;
}

/**
 * Events a fake `chatkit` answer streams on the request's channel, in order (the way the Rust
 * side's `Channel::send` delivers them: `{index, message}` to the channel's callback), with
 * an optional pause before each — or until `gate` resolves before the rest.
 */
export class Streamed {
  constructor(
    readonly events: StreamEvent[],
    readonly options: { delayMs?: number; gate?: { after: number; until: Promise<void> } } = {},
  ) {}

  async play(channel: Channel<StreamEvent>): Promise<void> {
    const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    for (const [index, message] of this.events.entries()) {
      if (this.options.gate && index === this.options.gate.after) await this.options.gate.until;
      if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
      internals.runCallback(channel.id, { index, message });
    }
    internals.runCallback(channel.id, { index: this.events.length, end: true });
  }
}

function summaryOf(t: ThreadMetadata): ThreadSummary {
  return { id: t.id, ...(t.title === undefined ? {} : { title: t.title }), created_at: t.created_at, updated_at: t.created_at, pinned: false, answering: false };
}

/** What the fake core answers by default: enough of `speasy.*` for the shell to start. */
function defaultChatkit(core: FakeCore, request: ChatKitCall): unknown {
  const p = request.params;
  switch (request.type) {
    case "speasy.threads.list": {
      const all = core.threads.map(summaryOf);
      const after = p.after as string | undefined;
      const limit = (p.limit as number | undefined) ?? 100;
      const start = after ? all.findIndex((t) => t.id === after) + 1 : 0;
      const data = all.slice(start, start + limit);
      const more = start + limit < all.length;
      return { data, has_more: more, ...(more ? { after: data[data.length - 1]?.id } : {}) };
    }
    case "speasy.api.status":
      return core.api;
    case "speasy.api.configure": {
      const token = p.token as string | undefined;
      if (token !== undefined) {
        if (token.length < 8) throw { kind: "invalid_input", message: "the API token must be at least 8 characters" } satisfies ApiError;
        core.secrets.set("api.token", token);
      }
      const enabled = (p.enabled as boolean | undefined) ?? core.api.enabled;
      if (enabled && !core.secrets.has("api.token")) {
        throw { kind: "invalid_input", message: "set a token first" } satisfies ApiError;
      }
      const port = (p.port as number | undefined) ?? core.api.port;
      core.api = {
        enabled,
        port,
        running: enabled,
        has_token: core.secrets.has("api.token"),
        ...(enabled ? { url: `http://127.0.0.1:${port}` } : {}),
      };
      return core.api;
    }
    case "speasy.personas.list":
    case "speasy.facts.list":
    case "speasy.providers.models":
      return [];
    case "speasy.providers.list":
      return core.providers.map((v) => ({ ...v, has_key: core.secrets.has(`provider.${v.id}`) }));
    case "speasy.providers.active": {
      if (core.providers.length === 0) {
        const error: ApiError = { kind: "no_provider", message: "No model provider is set up." };
        throw error;
      }
      const first = core.providers[0] as ProviderView;
      return { provider_name: first.name, model: first.default_model ?? "model" };
    }
    case "speasy.providers.upsert": {
      const input = p.provider as { id?: string; kind?: ProviderView["kind"]; name?: string; base_url?: string; api_key?: string };
      const id = input.id ?? input.kind ?? "custom";
      let view = core.providers.find((v) => v.id === id);
      if (!view) {
        view = { id, kind: input.kind ?? "custom", name: input.name ?? id, base_url: input.base_url ?? "https://api.openai.com/v1", key_secret: null, has_key: false, default_model: null, context_window: null };
        core.providers.push(view);
      }
      if (input.api_key) {
        core.secrets.set(`provider.${id}`, input.api_key);
        view.key_secret = `provider.${id}`;
      }
      return { ...view, has_key: core.secrets.has(`provider.${id}`) };
    }
    case "speasy.voice.devices":
      return {
        inputs: [{ id: "mic-1", name: "Desk microphone", is_default: true }],
        outputs: [{ id: "spk-1", name: "Speakers", is_default: true }],
      };
    case "speasy.voice.listen":
    case "speasy.voice.release":
    case "speasy.voice.stop_listening":
    case "speasy.voice.read":
    case "speasy.voice.stop_speaking":
    case "speasy.voice.skip":
      return {};
    case "speasy.sync.status":
      return core.sync;
    case "speasy.sync.configure": {
      const project = p.project as { url: string; publishable_key: string } | null;
      if (project && !/^https?:\/\/[^/]+/.test(project.url)) {
        throw { kind: "sync_project", message: `Sync is not set up: "${project.url}" is not a project URL` } satisfies ApiError;
      }
      const clean = project && { ...project, url: project.url.replace(/\/+$/, "") };
      core.settings = { ...core.settings, ...(clean ? { sync_project: clean } : {}) };
      if (!project) delete core.settings.sync_project;
      core.setSync(clean ? { state: "signed_out", project: clean, pending: core.sync.pending, dead_letters: 0 } : { state: "off", pending: core.sync.pending, dead_letters: 0 });
      return core.sync;
    }
    case "speasy.sync.sign_up": {
      const email = p.email as string;
      if (core.accounts.has(email)) throw { kind: "sync_account", message: "An account with this email already exists: sign in instead." } satisfies ApiError;
      core.accounts.set(email, p.password as string);
      core.setSync({ ...core.sync, state: "idle", account: { user_id: "u-1", email } });
      return { state: "signed_in", account: { user_id: "u-1", email } };
    }
    case "speasy.sync.sign_in": {
      const email = p.email as string;
      if (core.accounts.get(email) !== p.password) throw { kind: "sync_account", message: "Wrong email or password." } satisfies ApiError;
      core.setSync({ ...core.sync, state: "idle", account: { user_id: "u-1", email } });
      return core.sync;
    }
    case "speasy.sync.sign_out": {
      const { account: _gone, ...rest } = core.sync;
      core.setSync({ ...rest, state: "signed_out" });
      return core.sync;
    }
    case "speasy.sync.now":
      return core.sync;
    case "speasy.settings.update": {
      core.settings = { ...core.settings, ...(p.patch as SettingsPatch) } as Settings;
      return core.settings;
    }
    default: {
      const unknown: ApiError = { kind: "invalid_input", message: `unknown request type ${request.type}` };
      throw unknown;
    }
  }
}
