/**
 * The conversation's persona and the model to answer with. Models come from the provider in
 * use (`GET /models` through the core); offline or without a key the list falls back to the
 * provider's default, which is always offered.
 */
import { useEffect, useState } from "react";

import type { ModelInfo } from "../../bindings/ModelInfo";
import type { Persona } from "../../bindings/Persona";
import type { ProviderView } from "../../bindings/ProviderView";
import { speasy } from "../../ipc/chatkit";

export function PersonaPicker({
  personas,
  value,
  onChange,
}: {
  personas: Persona[];
  value: string;
  onChange: (personaId: string) => void;
}) {
  return (
    <label className="picker">
      <span className="visually-hidden">Persona</span>
      <select className="select select-small" value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {personas.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The provider new messages go to: the one chosen in settings, else the first. */
export function activeProvider(providers: ProviderView[], preferred: string | undefined): ProviderView | null {
  return providers.find((p) => p.id === preferred) ?? providers[0] ?? null;
}

// Each provider's model list, asked once per session (opening a conversation must not call the
// provider again); a failed answer is forgotten so the next open retries.
const modelLists = new Map<string, Promise<ModelInfo[]>>();

function modelsOf(providerId: string): Promise<ModelInfo[]> {
  let list = modelLists.get(providerId);
  if (!list) {
    list = speasy("speasy.providers.models", { provider_id: providerId });
    list.catch(() => modelLists.delete(providerId));
    modelLists.set(providerId, list);
  }
  return list;
}

/** Forget the cached model lists (providers or keys changed). */
export function forgetModelLists(): void {
  modelLists.clear();
}

export function ModelPicker({
  provider,
  value,
  onChange,
}: {
  provider: ProviderView | null;
  /** `""`: the default (the persona's, else the provider's). */
  value: string;
  onChange: (model: string) => void;
}) {
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [unavailable, setUnavailable] = useState(false);
  const providerId = provider?.id;

  useEffect(() => {
    setModels([]);
    setUnavailable(false);
    if (!providerId) return;
    let live = true;
    modelsOf(providerId).then(
      (list) => {
        if (live) setModels(list.slice().sort((a, b) => a.id.localeCompare(b.id)));
      },
      () => {
        if (live) setUnavailable(true);
      },
    );
    return () => {
      live = false;
    };
  }, [providerId]);

  if (!provider) return null;
  const ids = new Set(models.map((m) => m.id));
  return (
    <label className="picker" title={unavailable ? "Couldn’t load this provider’s models" : undefined}>
      <span className="visually-hidden">Model</span>
      <select className="select select-small" value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{provider.default_model ? `Default (${provider.default_model})` : "Default model"}</option>
        {value !== "" && !ids.has(value) && <option value={value}>{value}</option>}
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.id}
          </option>
        ))}
      </select>
    </label>
  );
}
