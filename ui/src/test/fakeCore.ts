/**
 * An in-memory Speasy core behind the real `@tauri-apps/api` invoke path: `mockIPC` replaces
 * only the IPC transport, so the app's ipc layer runs unchanged. It keeps state between calls
 * (settings, secrets) so flows such as "save, then the status says Set" are really exercised.
 */
import { mockIPC } from "@tauri-apps/api/mocks";

import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { Page } from "../bindings/Page";
import type { SearchHit } from "../bindings/SearchHit";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { StoreStatus } from "../bindings/StoreStatus";
import type { ThreadMetadata } from "../bindings/ThreadMetadata";

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
  /** Commands that reject with the given ApiError (a function may decide per call). */
  failures: Map<string, ApiError | ((args: Record<string, unknown>) => ApiError | null)>;
};

export type FakeCore = FakeCoreState & {
  calls: Call[];
  callsTo: (cmd: string) => Call[];
};

export const TEST_APP_INFO: AppInfo = {
  version: "0.1.0",
  data_dir: "/home/test/.local/share/speasy",
  database_path: "/home/test/.local/share/speasy/speasy.db",
  schema_version: 1,
  secret_backend: "secret-service",
};

export function thread(id: string, title?: string, createdAt = "2026-11-20T10:00:00Z"): ThreadMetadata {
  return {
    id,
    ...(title === undefined ? {} : { title }),
    created_at: createdAt,
    status: { type: "active" },
    metadata: {},
  };
}

export function installFakeCore(initial: Partial<FakeCoreState> = {}): FakeCore {
  const calls: Call[] = [];
  const core: FakeCore = {
    storeStatus: { state: "ready" },
    afterMoveAside: { state: "ready" },
    settings: { theme: "system" },
    secrets: new Map(),
    threads: [],
    searchHits: () => [],
    appInfo: TEST_APP_INFO,
    failures: new Map(),
    ...initial,
    calls,
    callsTo: (cmd) => calls.filter((call) => call.cmd === cmd),
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
        core.settings = { ...core.settings, ...(patch.theme ? { theme: patch.theme } : {}) };
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
      case "threads_list": {
        const after = args.after as string | null;
        const limit = args.limit as number;
        const start = after === null ? 0 : core.threads.findIndex((t) => t.id === after) + 1;
        const data = core.threads.slice(start, start + limit);
        const hasMore = start + limit < core.threads.length;
        const last = data[data.length - 1];
        const page: Page<ThreadMetadata> = {
          data,
          has_more: hasMore,
          ...(hasMore && last ? { after: last.id } : {}),
        };
        return page;
      }
      default: {
        const unknown: ApiError = { kind: "internal", message: `unknown command ${cmd}` };
        throw unknown;
      }
    }
  });

  return core;
}
