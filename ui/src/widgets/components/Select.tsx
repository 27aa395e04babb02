/**
 * Select: a native `<select>` (keyboard, screen readers and form submission for free).
 * Options may be disabled; an option's `description` is its tooltip and shows under the control
 * once selected. Without `defaultValue` the placeholder is shown; `clearable` adds a button
 * returning to it. A change sends `onChangeAction` with `{[name]: value}` merged into the
 * payload (no loading indicator unless the action asks for one).
 */
import { useState } from "react";
import { ChevronDownIcon } from "lucide-react";

import { useWidgetAction } from "../actions";
import { humanize } from "../runtime";
import { cls } from "../style";
import type { NodeOf } from "../types";
import { ClearButton } from "./ClearButton";
import { controlClasses, useFieldA11y } from "./field";
import { Spinner } from "./Spinner";

type Option = { value: string; label: string; disabled: boolean; description?: string };

function options(raw: readonly unknown[]): Option[] {
  return raw.flatMap((o) => {
    if (typeof o !== "object" || o === null) return [];
    const { value, label, disabled, description } = o as Record<string, unknown>;
    if (typeof value !== "string") return [];
    return [
      {
        value,
        label: typeof label === "string" ? label : value,
        disabled: disabled === true,
        description: typeof description === "string" ? description : undefined,
      },
    ];
  });
}

export function Select({ node }: { node: NodeOf<"Select"> }) {
  const a11y = useFieldA11y(node.name, node.placeholder);
  const { run, pending } = useWidgetAction("none");
  const list = options(node.options);
  const [value, setValue] = useState(node.defaultValue ?? "");
  const selected = list.find((o) => o.value === value);
  const change = (next: string) => {
    setValue(next);
    void run(node.onChangeAction, { [node.name]: next === "" ? null : next });
  };
  const descriptionId = `${a11y.id}-description`;
  return (
    <div className={cls("ck-select", node.block === true && "ck-block")}>
      <div className="ck-select-field">
        <select
          {...a11y}
          className={controlClasses("ck-select-control", node)}
          name={node.name}
          value={value}
          disabled={node.disabled === true || pending}
          aria-busy={pending || undefined}
          aria-describedby={selected?.description ? descriptionId : undefined}
          onChange={(event) => change(event.currentTarget.value)}
        >
          {selected === undefined && (
            <option value="" disabled hidden>
              {node.placeholder ?? ""}
            </option>
          )}
          {list.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled} title={o.description}>
              {o.label}
            </option>
          ))}
        </select>
        {pending ? <Spinner /> : <ChevronDownIcon className="ck-select-chevron" size={14} aria-hidden="true" />}
        {node.clearable === true && value !== "" && (
          <ClearButton label={`Clear ${a11y["aria-label"] ?? humanize(node.name)}`} onClear={() => change("")} disabled={node.disabled} />
        )}
      </div>
      {selected?.description && (
        <p className="ck-select-description" id={descriptionId}>
          {selected.description}
        </p>
      )}
    </div>
  );
}
