/**
 * Settings → Local API: serve the core's protocol (`POST /chatkit`, `/facts`, `/health`) on
 * 127.0.0.1 for scripts and other apps while Speasy runs. The token every request must carry
 * is write-only, like API keys: you choose it, it goes to the keychain, and the app only says
 * whether one is set.
 */
import { useCallback, useEffect, useState } from "react";

import type { ApiStatus } from "../bindings/ApiStatus";
import { speasy } from "../ipc/chatkit";
import { toSpeasyError, type SpeasyError } from "../ipc/errors";
import { ErrorMessage } from "./ErrorMessage";
import { SecretField } from "./SecretField";

/** The keychain entry of the token (the core's `api::TOKEN_SECRET`). */
const TOKEN_SECRET = "api.token";

export function LocalApiSection() {
  const [status, setStatus] = useState<ApiStatus | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    speasy("speasy.api.status", {}).then(setStatus, (reason: unknown) => setError(toSpeasyError(reason)));
  }, []);

  const configure = useCallback(async (change: { enabled?: boolean; port?: number; token?: string }) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await speasy("speasy.api.configure", change));
      return true;
    } catch (reason) {
      setError(toSpeasyError(reason));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  return (
    <section className="card" aria-labelledby="api-heading">
      <h2 id="api-heading">Local API</h2>
      <p className="muted small">
        Lets scripts and other apps on this computer talk to Speasy over HTTP on 127.0.0.1 (the same
        protocol as <code>speasy-cli serve</code>). Every request but <code>/health</code> must send{" "}
        <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      {status && (
        <>
          <SecretField
            name={TOKEN_SECRET}
            provider="Local API"
            label="Token"
            slug="api-token"
            removable={false}
            onSave={async (value) => setStatus(await speasy("speasy.api.configure", { token: value }))}
          />
          <div className="field">
            <label htmlFor="api-port">Port</label>
            <input
              id="api-port"
              className="input"
              type="number"
              min={1}
              max={65535}
              defaultValue={status.port}
              key={status.port}
              onBlur={(event) => {
                const port = Number(event.currentTarget.value);
                if (Number.isInteger(port) && port >= 1 && port <= 65535 && port !== status.port) void configure({ port });
              }}
            />
          </div>
          <label className="checkbox-row">
            <input
              type="checkbox"
              checked={status.enabled}
              disabled={busy}
              onChange={(event) => void configure({ enabled: event.currentTarget.checked })}
            />
            Serve the local API while Speasy runs
          </label>
          <p className="muted small" role="status" data-testid="api-state">
            {status.running && status.url
              ? `Listening at ${status.url}`
              : status.enabled
                ? `Not listening: ${status.error ?? "starting…"}`
                : "Off"}
          </p>
        </>
      )}
      {error && <ErrorMessage error={error} title="Couldn’t change the local API" />}
    </section>
  );
}
