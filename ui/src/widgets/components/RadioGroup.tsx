/**
 * RadioGroup: native radios in a `radiogroup`, named by its Label (`fieldName`), else
 * `ariaLabel`, else the field name. Outside a form the radios get a widget-unique name, so that
 * two widgets with the same field do not share one group. A change sends `onChangeAction` with
 * `{[name]: value}`.
 */
import { useContext } from "react";

import { useWidgetAction } from "../actions";
import { FormContext } from "../form";
import { humanize, useRuntime } from "../runtime";
import { cls } from "../style";
import type { NodeOf } from "../types";
import { Spinner } from "./Spinner";

export function RadioGroup({ node }: { node: NodeOf<"RadioGroup"> }) {
  const runtime = useRuntime();
  const inForm = useContext(FormContext);
  const { run, pending } = useWidgetAction("none");
  const labelled = runtime.isLabelled(node.name);
  const groupDisabled = node.disabled === true || pending;
  const options = (node.options ?? []).filter((o) => typeof o.value === "string" && typeof o.label === "string");
  return (
    <div
      role="radiogroup"
      id={runtime.fieldId(node.name)}
      className={cls("ck-radio-group", node.direction === "row" ? "ck-row" : "ck-col")}
      aria-labelledby={labelled ? runtime.labelId(node.name) : undefined}
      aria-label={labelled ? undefined : (node.ariaLabel ?? humanize(node.name))}
      aria-required={node.required || undefined}
      aria-disabled={groupDisabled || undefined}
      aria-busy={pending || undefined}
    >
      {options.map((option) => (
        <label key={option.value} className="ck-radio">
          <input
            type="radio"
            name={inForm ? node.name : runtime.fieldId(node.name)}
            value={option.value}
            defaultChecked={option.value === node.defaultValue}
            required={node.required}
            disabled={groupDisabled || option.disabled === true}
            onChange={() => void run(node.onChangeAction, { [node.name]: option.value })}
          />
          <span>{option.label}</span>
        </label>
      ))}
      {pending && <Spinner />}
    </div>
  );
}
