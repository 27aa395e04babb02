/**
 * The Card root: a bordered, padded column of components, with an optional status header,
 * `confirm`/`cancel` footer buttons, and `collapsed` (the body folds behind a disclosure
 * button). With `asForm` the card is a `<form>`: confirm submits it (native validation first)
 * and both buttons carry the values of the controls inside.
 */
import { useId, useRef, useState, type CSSProperties, type FormEvent, type ReactNode } from "react";
import { ChevronDownIcon } from "lucide-react";

import { useWidgetAction } from "../actions";
import { collectFormValues, FormContext } from "../form";
import { resolveColor } from "../palette";
import { Children } from "../render";
import { borderStyle, cls, defined, spacingSides, spacingStyle, tokenClass } from "../style";
import { forcedScheme, SchemeContext, useScheme } from "../theme";
import type { NodeOf } from "../types";
import { isObject } from "../validate";
import { Spinner } from "./Spinner";
import { Status, statusParts } from "./Status";

/** `--ck-inset-*`: how far `flush` children reach out to the card's edges. */
function insetVars(padding: unknown): CSSProperties {
  const sides = spacingSides(padding);
  return defined({ "--ck-inset-left": sides.left, "--ck-inset-right": sides.right } as CSSProperties);
}

/** A well-formed `{label, action}`, or `undefined`. */
function cardAction(value: unknown): { label: string; action: unknown } | undefined {
  return isObject(value) && typeof value.label === "string" ? { label: value.label, action: value.action } : undefined;
}

function FooterButton({
  label,
  primary,
  pending,
  submit,
  onClick,
}: {
  label: string;
  primary: boolean;
  pending: boolean;
  submit: boolean;
  onClick?: () => void;
}) {
  return (
    <button
      type={submit ? "submit" : "button"}
      className={cls("ck-button", "ck-size-md", primary ? "ck-tone-primary ck-variant-solid" : "ck-tone-secondary ck-variant-outline")}
      disabled={pending}
      aria-busy={pending || undefined}
      onClick={onClick}
    >
      {pending && <Spinner />}
      <span>{label}</span>
    </button>
  );
}

export function Card({ node }: { node: NodeOf<"Card"> }) {
  const scheme = useScheme(node.theme);
  const forced = forcedScheme(node.theme);
  const bodyId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const confirmAction = useWidgetAction("container");
  const cancelAction = useWidgetAction("container");
  const collapsed = node.collapsed === true;
  const [expanded, setExpanded] = useState(!collapsed);
  const [seenCollapsed, setSeenCollapsed] = useState(collapsed);
  if (seenCollapsed !== collapsed) {
    setSeenCollapsed(collapsed);
    setExpanded(!collapsed);
  }
  const asForm = node.asForm === true;
  const confirm = cardAction(node.confirm);
  const cancel = cardAction(node.cancel);
  const formValues = () => (asForm && formRef.current ? collectFormValues(formRef.current) : undefined);
  const status = statusParts(node.status);

  const header: ReactNode = collapsed ? (
    <button
      type="button"
      className="ck-card-toggle"
      aria-expanded={expanded}
      aria-controls={bodyId}
      onClick={() => setExpanded((open) => !open)}
    >
      {status?.visual}
      <span className="ck-status-text">{status?.text ?? "Details"}</span>
      <ChevronDownIcon className="ck-card-chevron" size={14} aria-hidden="true" />
    </button>
  ) : (
    <Status status={node.status} />
  );

  const content = (
    <>
      {header}
      <div className="ck-card-body" id={bodyId} hidden={!expanded}>
        <Children nodes={node.children} />
      </div>
      {expanded && (confirm || cancel) && (
        <div className="ck-card-actions">
          {cancel && (
            <FooterButton
              label={cancel.label}
              primary={false}
              pending={cancelAction.pending}
              submit={false}
              onClick={() => void cancelAction.run(cancel.action, formValues())}
            />
          )}
          {confirm && (
            <FooterButton
              label={confirm.label}
              primary
              pending={confirmAction.pending}
              submit={asForm}
              onClick={asForm ? undefined : () => void confirmAction.run(confirm.action)}
            />
          )}
        </div>
      )}
    </>
  );

  const className = cls(
    "ck-card",
    tokenClass("ck-card", node.size, ["sm", "md", "lg", "full"]) ?? "ck-card-md",
    forced && `ck-theme-${forced}`,
  );
  const style = defined({
    backgroundColor: resolveColor(node.background, scheme),
    ...spacingStyle(node.padding, "padding"),
    ...borderStyle("border" in node ? node.border : undefined, scheme),
    ...insetVars(node.padding),
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (confirm) void confirmAction.run(confirm.action, collectFormValues(event.currentTarget));
  };

  return (
    <SchemeContext.Provider value={scheme}>
      {asForm ? (
        <form ref={formRef} className={className} style={style} onSubmit={onSubmit}>
          <FormContext.Provider value={true}>{content}</FormContext.Provider>
        </form>
      ) : (
        <div className={className} style={style}>
          {content}
        </div>
      )}
    </SchemeContext.Provider>
  );
}
