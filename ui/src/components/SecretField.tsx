import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import { secretDelete, secretExists, secretSet, toSpeasyError, type SpeasyError } from "../ipc";
import { ErrorMessage } from "./ErrorMessage";

type Props = {
  /** Secret name in the core, e.g. `provider.openai`. */
  name: string;
  provider: string;
  label: string;
  /** Used in element ids and test ids. */
  slug: string;
  /** How a new key is stored (default: `secret_set` under `name`). */
  onSave?: (key: string) => Promise<unknown>;
  /** Offer "Remove" once one is stored (default: yes). */
  removable?: boolean;
};

/**
 * A write-only key field: it can save, replace or remove a secret and shows whether one is set,
 * but never reads a stored value back.
 */
export function SecretField({ name, provider, label, slug, onSave, removable = true }: Props) {
  const [exists, setExists] = useState<boolean | null>(null);
  // The input is uncontrolled so the key never lands in React state or the DOM's value attribute.
  const input = useRef<HTMLInputElement>(null);
  const [hasKey, setHasKey] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SpeasyError | null>(null);

  const refresh = useCallback(
    async (isLive: () => boolean = () => true) => {
      try {
        const found = await secretExists(name);
        if (isLive()) setExists(found);
      } catch (reason) {
        if (isLive()) setError(toSpeasyError(reason));
      }
    },
    [name],
  );

  useEffect(() => {
    let live = true;
    void refresh(() => live);
    return () => {
      live = false;
    };
  }, [refresh]);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      await refresh();
    } catch (reason) {
      setError(toSpeasyError(reason));
    } finally {
      setBusy(false);
    }
  }

  function save(event: FormEvent) {
    event.preventDefault();
    const field = input.current;
    const key = field?.value.trim() ?? "";
    if (!field || key === "" || busy) return;
    void run(async () => {
      await (onSave ? onSave(key) : secretSet(name, key));
      field.value = "";
      setHasKey(false);
    });
  }

  const inputId = `secret-${slug}`;
  const statusId = `secret-${slug}-status`;
  const status = exists === null ? "Checking…" : exists ? "Set" : "Not set";

  return (
    <fieldset className="secret" disabled={busy}>
      <legend className="visually-hidden">{provider}</legend>
      <form className="secret-form" onSubmit={save}>
        <div className="secret-label-row">
          <label htmlFor={inputId}>{label}</label>
          <span
            id={statusId}
            role="status"
            className={`badge ${exists ? "badge-ok" : ""}`}
            data-testid={`secret-status-${slug}`}
          >
            {status}
          </span>
        </div>
        <div className="secret-row">
          <input
            id={inputId}
            className="input"
            type="password"
            data-testid={`secret-input-${slug}`}
            aria-describedby={statusId}
            autoComplete="off"
            spellcheck={false}
            placeholder={exists ? "Enter a new key to replace it" : "Paste your key"}
            ref={input}
            onChange={(event) => setHasKey(event.currentTarget.value.trim() !== "")}
          />
          <button
            type="submit"
            className="button button-primary"
            data-testid={`secret-save-${slug}`}
            disabled={!hasKey}
          >
            Save
          </button>
          {exists && removable && (
            <button
              type="button"
              className="button button-danger"
              data-testid={`secret-remove-${slug}`}
              onClick={() => void run(() => secretDelete(name))}
            >
              Remove
            </button>
          )}
        </div>
      </form>
      {error && <ErrorMessage error={error} title={`Couldn’t update the ${provider} key`} />}
    </fieldset>
  );
}
