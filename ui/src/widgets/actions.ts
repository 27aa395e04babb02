/**
 * Dispatching widget actions to the host. An `ActionConfig` from the widget JSON becomes a
 * [`WidgetAction`] (defaults filled in, form values merged into the payload) and goes to
 * `host.serverAction` or `host.clientAction` by its `handler`. While the host's promise is
 * pending, the loading behaviour shows: `self` disables the control and shows a spinner,
 * `container` marks the whole widget busy and inert, `none` shows nothing; `auto` is the
 * control's default (Button and list rows: self; card confirm/cancel and form submit:
 * container; change events: none). A rejected promise only ends the loading state: reporting
 * the error is the host's job.
 */
import { useCallback, useState } from "react";

import { useRuntime } from "./runtime";
import type { WidgetAction } from "./types";
import { isObject } from "./validate";

/** What a control does while its action runs when the action says `auto`. */
export type DefaultLoading = "self" | "container" | "none";

/** Field values merged into an action's payload. */
export type FieldValues = Record<string, string | boolean | null>;

const LOADING = ["auto", "none", "self", "container"] as const;

/**
 * The action an `ActionConfig` describes, or `undefined` when it has no `type`. `values` are
 * merged over an object payload (`{...payload, ...values}`); a non-object payload is replaced.
 */
export function toWidgetAction(config: unknown, values?: FieldValues): WidgetAction | undefined {
  if (!isObject(config) || typeof config.type !== "string" || config.type === "") return undefined;
  const loading = LOADING.find((l) => l === config.loadingBehavior) ?? "auto";
  const action: WidgetAction = {
    type: config.type,
    handler: config.handler === "client" ? "client" : "server",
    loadingBehavior: loading,
    streaming: config.streaming !== false,
  };
  const hasValues = values !== undefined && Object.keys(values).length > 0;
  if (hasValues) {
    action.payload = isObject(config.payload) ? { ...config.payload, ...values } : { ...values };
  } else if (config.payload !== undefined) {
    action.payload = config.payload;
  }
  return action;
}

/**
 * Runs actions for one control. `pending` is true while an action with `self` loading runs;
 * `run` resolves when the host is done (or failed), never rejects, and ignores configs without
 * a `type`.
 */
export function useWidgetAction(defaultLoading: DefaultLoading): {
  run: (config: unknown, values?: FieldValues) => Promise<void>;
  pending: boolean;
} {
  const runtime = useRuntime();
  const [pending, setPending] = useState(false);
  const run = useCallback(
    async (config: unknown, values?: FieldValues) => {
      const action = toWidgetAction(config, values);
      if (!action) return;
      const loading = action.loadingBehavior === "auto" ? defaultLoading : action.loadingBehavior;
      let end = () => {};
      if (loading === "self") {
        setPending(true);
        end = () => setPending(false);
      } else if (loading === "container") {
        end = runtime.beginContainerLoading();
      }
      try {
        const { host, itemId } = runtime;
        await (action.handler === "client" ? host.clientAction(action, itemId) : host.serverAction(action, itemId));
      } catch {
        // The host shows the failure; the widget only has to leave its loading state.
      } finally {
        end();
      }
    },
    [runtime, defaultLoading],
  );
  return { run, pending };
}
