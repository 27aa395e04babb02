/**
 * Form: a Box that is a `<form>`; submitting it (a `submit` Button, or Enter in a field) sends
 * `onSubmitAction` with the values of its named controls merged into the payload. Inside another
 * form (HTML forms do not nest) it renders as a group of the outer one.
 */
import { useContext } from "react";

import { useWidgetAction } from "../actions";
import { collectFormValues, FormContext } from "../form";
import { Children } from "../render";
import { boxStyle, cls } from "../style";
import { useScheme } from "../theme";
import type { NodeOf } from "../types";

export function Form({ node }: { node: NodeOf<"Form"> }) {
  const scheme = useScheme();
  const nested = useContext(FormContext);
  const { run, pending } = useWidgetAction("container");
  const className = cls("ck-box", "ck-form", node.direction === "row" ? "ck-row" : "ck-col", pending && "ck-pending");
  const style = boxStyle(node, scheme);
  if (nested) {
    return (
      <div role="group" className={className} style={style}>
        <Children nodes={node.children} />
      </div>
    );
  }
  return (
    <form
      className={className}
      style={style}
      aria-busy={pending || undefined}
      onSubmit={(event) => {
        event.preventDefault();
        if (!pending) void run(node.onSubmitAction, collectFormValues(event.currentTarget));
      }}
    >
      <FormContext.Provider value={true}>
        <Children nodes={node.children} />
      </FormContext.Provider>
    </form>
  );
}
