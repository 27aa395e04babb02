/**
 * Checkbox with its label; submitted as a boolean. A change sends `onChangeAction` with
 * `{[name]: checked}` merged into the payload.
 */
import { useWidgetAction } from "../actions";
import { humanize, useRuntime } from "../runtime";
import type { NodeOf } from "../types";
import { Spinner } from "./Spinner";

export function Checkbox({ node }: { node: NodeOf<"Checkbox"> }) {
  const runtime = useRuntime();
  const { run, pending } = useWidgetAction("none");
  const label = typeof node.label === "string" && node.label !== "" ? node.label : undefined;
  return (
    <label className="ck-checkbox">
      <input
        type="checkbox"
        id={runtime.fieldId(node.name)}
        name={node.name}
        defaultChecked={node.defaultChecked}
        required={node.required}
        disabled={node.disabled === true || pending}
        aria-busy={pending || undefined}
        aria-label={label === undefined && !runtime.isLabelled(node.name) ? humanize(node.name) : undefined}
        onChange={(event) => void run(node.onChangeAction, { [node.name]: event.currentTarget.checked })}
      />
      {label !== undefined && <span>{label}</span>}
      {pending && <Spinner />}
    </label>
  );
}
