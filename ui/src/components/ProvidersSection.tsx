/**
 * Settings → Providers: the model servers Speasy can talk to — OpenAI, OpenRouter, any
 * OpenAI-compatible base URL, and local servers (Ollama, LM Studio, llama.cpp) found on this
 * machine. API keys are write-only: they go to the system keychain through the core and the UI
 * only ever learns whether one is set.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import type { ProviderKind } from "../bindings/ProviderKind";
import type { ProviderView } from "../bindings/ProviderView";
import type { Settings } from "../bindings/Settings";
import { speasy } from "../ipc/chatkit";
import { toSpeasyError, type SpeasyError } from "../ipc/errors";
import { ErrorMessage } from "./ErrorMessage";
import { SecretField } from "./SecretField";

const LOCAL: ReadonlySet<ProviderKind> = new Set(["ollama", "lm_studio", "llama_cpp"]);
const ADDABLE: Array<{ kind: ProviderKind; label: string }> = [
  { kind: "openai", label: "OpenAI" },
  { kind: "openrouter", label: "OpenRouter" },
  { kind: "custom", label: "Custom (OpenAI-compatible)" },
];

type Props = {
  providers: ProviderView[];
  settings: Settings | null;
  onChanged: () => void;
  onSettings: (settings: Settings) => void;
};

function AddProvider({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState<ProviderKind>("openai");
  const [error, setError] = useState<SpeasyError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const v = data.get(name);
      return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
    };
    const baseUrl = text("base_url");
    const name = text("name");
    const key = text("api_key");
    const model = text("default_model");
    setBusy(true);
    setError(null);
    try {
      await speasy("speasy.providers.upsert", {
        provider: {
          kind,
          ...(name ? { name } : {}),
          ...(baseUrl ? { base_url: baseUrl } : {}),
          ...(key ? { api_key: key } : {}),
          ...(model ? { default_model: model } : {}),
        },
      });
      form.current?.reset();
      onAdded();
    } catch (reason) {
      setError(toSpeasyError(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="provider-add" ref={form} onSubmit={(e) => void submit(e)} aria-label="Add a provider">
      <h3>Add a provider</h3>
      <div className="field">
        <label htmlFor="provider-kind">Type</label>
        <select id="provider-kind" className="input select" value={kind} onChange={(e) => setKind(e.currentTarget.value as ProviderKind)}>
          {ADDABLE.map((a) => (
            <option key={a.kind} value={a.kind}>
              {a.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="provider-name">Name (optional)</label>
        <input id="provider-name" name="name" className="input" autoComplete="off" />
      </div>
      {kind === "custom" && (
        <div className="field">
          <label htmlFor="provider-base-url">Base URL</label>
          <input
            id="provider-base-url"
            name="base_url"
            className="input"
            type="url"
            required
            placeholder="http://127.0.0.1:8000/v1"
            autoComplete="off"
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="provider-key">API key{kind === "custom" ? " (if the server needs one)" : ""}</label>
        <input id="provider-key" name="api_key" className="input" type="password" autoComplete="off" spellcheck={false} />
      </div>
      <div className="field">
        <label htmlFor="provider-model">Default model (optional)</label>
        <input id="provider-model" name="default_model" className="input" autoComplete="off" placeholder={kind === "openrouter" ? "openai/gpt-4o-mini" : "gpt-4o-mini"} />
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        Add provider
      </button>
      {error && <ErrorMessage error={error} title="Couldn’t add the provider" />}
    </form>
  );
}

export function ProvidersSection({ providers, settings, onChanged, onSettings }: Props) {
  const [error, setError] = useState<SpeasyError | null>(null);
  const [detecting, setDetecting] = useState<string | null>(null);

  const run = useCallback(
    async (op: () => Promise<unknown>) => {
      setError(null);
      try {
        await op();
        onChanged();
      } catch (reason) {
        setError(toSpeasyError(reason));
      }
    },
    [onChanged],
  );

  const detect = async () => {
    setDetecting("Looking for local servers…");
    try {
      const found = await speasy("speasy.providers.detect", {});
      setDetecting(found.length === 0 ? "No new local server found on this machine." : `Found ${found.map((p) => p.name).join(", ")}.`);
      onChanged();
    } catch (reason) {
      setDetecting(null);
      setError(toSpeasyError(reason));
    }
  };

  const preferred = settings?.default_provider ?? providers[0]?.id;
  useEffect(() => setError(null), [providers]);

  return (
    <section className="card" aria-labelledby="providers-heading">
      <h2 id="providers-heading">Providers</h2>
      <p className="muted small">
        Keys are stored in your system keychain. Speasy never shows a saved key again; enter a new one to replace it.
      </p>
      {providers.length === 0 && <p className="muted">No provider yet. Add one below, or start a local model server and look for it.</p>}
      <ul className="provider-list">
        {providers.map((p) => (
          <li key={p.id} className="provider" data-testid={`provider-${p.id}`}>
            <div className="provider-head">
              <label className="provider-default">
                <input
                  type="radio"
                  name="default-provider"
                  checked={p.id === preferred}
                  onChange={() =>
                    void run(async () => onSettings(await speasy("speasy.settings.update", { patch: { default_provider: p.id } })))
                  }
                />
                <span className="provider-name">{p.name}</span>
              </label>
              <span className="muted small provider-url">{p.base_url}</span>
              <button
                type="button"
                className="button button-small button-ghost"
                aria-label={`Remove ${p.name}`}
                onClick={() => void run(() => speasy("speasy.providers.delete", { provider_id: p.id }))}
              >
                Remove
              </button>
            </div>
            {!LOCAL.has(p.kind) && (
              <SecretField
                name={p.key_secret ?? `provider.${p.id}`}
                provider={p.name}
                label={`${p.name} API key`}
                slug={p.id}
                onSave={(key) => speasy("speasy.providers.upsert", { provider: { id: p.id, api_key: key } }).then(onChanged)}
              />
            )}
          </li>
        ))}
      </ul>
      <div className="provider-detect">
        <button type="button" className="button" onClick={() => void detect()}>
          Look for local servers
        </button>
        {detecting && (
          <span className="muted small" role="status">
            {detecting}
          </span>
        )}
      </div>
      {error && <ErrorMessage error={error} title="Couldn’t update providers" />}
      <AddProvider onAdded={onChanged} />
    </section>
  );
}
