/**
 * DatePicker: a native date input (the platform's calendar, keyboard entry, locale format).
 * `defaultValue`, `min` and `max` are ISO dates or datetimes, of which the date is used; the
 * value is submitted as `YYYY-MM-DD`. A change sends `onChangeAction` with `{[name]: value}`
 * (`null` once cleared). `side`/`align` (where a custom calendar would open) do not apply.
 */
import { useState } from "react";

import { useWidgetAction } from "../actions";
import { humanize } from "../runtime";
import { cls } from "../style";
import type { NodeOf } from "../types";
import { ClearButton } from "./ClearButton";
import { controlClasses, useFieldA11y } from "./field";
import { Spinner } from "./Spinner";

/** The `YYYY-MM-DD` part of an ISO date or datetime. */
function isoDate(value: unknown): string | undefined {
  return typeof value === "string" ? /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0] : undefined;
}

export function DatePicker({ node }: { node: NodeOf<"DatePicker"> }) {
  const a11y = useFieldA11y(node.name, node.placeholder);
  const { run, pending } = useWidgetAction("none");
  const [value, setValue] = useState(isoDate(node.defaultValue) ?? "");
  const change = (next: string) => {
    setValue(next);
    void run(node.onChangeAction, { [node.name]: next === "" ? null : next });
  };
  return (
    <div className={cls("ck-date", node.block === true && "ck-block")}>
      <input
        {...a11y}
        type="date"
        className={controlClasses("ck-date-control", node)}
        name={node.name}
        value={value}
        min={isoDate(node.min)}
        max={isoDate(node.max)}
        title={node.placeholder}
        disabled={node.disabled === true || pending}
        aria-busy={pending || undefined}
        onChange={(event) => change(event.currentTarget.value)}
      />
      {pending && <Spinner />}
      {node.clearable === true && value !== "" && (
        <ClearButton label={`Clear ${a11y["aria-label"] ?? humanize(node.name)}`} onClear={() => change("")} disabled={node.disabled} />
      )}
    </div>
  );
}
