/**
 * `<Widget root itemId host />`: renders a ChatKit widget (a Card, ListView or Basic root and
 * everything in it) and reports its actions to `host`. The widget follows the app's light/dark
 * theme, turns malformed or unknown nodes into visible placeholders, and sits behind an error
 * boundary. While an action with `container` loading runs, the whole widget is `aria-busy`,
 * dimmed and `inert`.
 */
import { useCallback, useId, useMemo, useState } from "react";

import type { WidgetRoot } from "../bindings/widgets/WidgetRoot";
import { WidgetErrorBoundary } from "./components/ErrorBoundary";
import { Placeholder } from "./components/Placeholder";
import { Node } from "./render";
import { RuntimeContext, type WidgetRuntime } from "./runtime";
import { SchemeContext, useDocumentScheme } from "./theme";
import type { WidgetHost } from "./types";
import { checkRoot, isObject } from "./validate";
import "./widgets.css";

export type WidgetProps = {
  /** The widget item's `widget`; anything else renders as a placeholder. */
  root: WidgetRoot | unknown;
  /** The widget item's id, sent with every action. */
  itemId: string;
  host: WidgetHost;
};

/** The `fieldName`s of every Label in a tree. */
function labelledFields(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) labelledFields(child, out);
  } else if (isObject(node)) {
    if (node.type === "Label" && typeof node.fieldName === "string") out.add(node.fieldName);
    labelledFields(node.children, out);
  }
  return out;
}

function WidgetView({ root, itemId, host }: WidgetProps) {
  const scheme = useDocumentScheme();
  const prefix = useId();
  const [busy, setBusy] = useState(0);
  const labels = useMemo(() => labelledFields(root), [root]);

  const beginContainerLoading = useCallback(() => {
    setBusy((n) => n + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      setBusy((n) => n - 1);
    };
  }, []);

  const runtime = useMemo<WidgetRuntime>(
    () => ({
      host,
      itemId,
      beginContainerLoading,
      fieldId: (name) => `${prefix}-field-${name}`,
      labelId: (name) => `${prefix}-label-${name}`,
      isLabelled: (name) => labels.has(name),
    }),
    [host, itemId, beginContainerLoading, prefix, labels],
  );

  const checked = checkRoot(root);
  return (
    <div className="ck-widget" aria-busy={busy > 0 || undefined} inert={busy > 0} data-busy={busy > 0 || undefined}>
      <SchemeContext.Provider value={scheme}>
        <RuntimeContext.Provider value={runtime}>
          {checked.ok ? <Node node={checked.node} /> : <Placeholder reason={checked.reason} />}
        </RuntimeContext.Provider>
      </SchemeContext.Provider>
    </div>
  );
}

export function Widget(props: WidgetProps) {
  return (
    <WidgetErrorBoundary resetKey={props.root}>
      <WidgetView {...props} />
    </WidgetErrorBoundary>
  );
}
