/**
 * Input and Textarea: uncontrolled fields (their value is read when a form submits). Textarea
 * `rows` sets its initial height; `autoResize` grows it with its content, up to `maxRows`.
 */
import { useLayoutEffect, type CSSProperties } from "react";

import { useAutoFocus } from "../../lib/useAutoFocus";
import type { NodeOf } from "../types";
import { autofillProps, controlClasses, useAutoSelect, useFieldA11y } from "./field";

const INPUT_TYPES = ["number", "email", "text", "password", "tel", "url"] as const;

/** Line height of field text, in em (for `maxRows`). */
const LINE_HEIGHT = 1.5;

export function Input({ node }: { node: NodeOf<"Input"> }) {
  const a11y = useFieldA11y(node.name, node.placeholder);
  const ref = useAutoSelect<HTMLInputElement>(node.autoSelect);
  useAutoFocus(ref, node.autoFocus === true);
  // Preact types each input `type` with the attributes it allows; the union of the six does not
  // narrow to one of them, so it is passed as the plain text kind they all share.
  const type = (INPUT_TYPES.find((t) => t === node.inputType) ?? "text") as "text";
  return (
    <input
      ref={ref}
      {...a11y}
      {...autofillProps(node.allowAutofillExtensions)}
      className={controlClasses("ck-input", node)}
      type={type}
      name={node.name}
      defaultValue={node.defaultValue}
      required={node.required}
      pattern={node.pattern}
      placeholder={node.placeholder}
      disabled={node.disabled}
    />
  );
}

/** Grows a textarea to its content (left at its `rows` height while it has no layout, e.g. hidden). */
function fitContent(element: HTMLTextAreaElement) {
  element.style.height = "auto";
  if (element.scrollHeight > 0) {
    element.style.height = `${element.scrollHeight + element.offsetHeight - element.clientHeight}px`;
  }
}

export function Textarea({ node }: { node: NodeOf<"Textarea"> }) {
  const a11y = useFieldA11y(node.name, node.placeholder);
  const ref = useAutoSelect<HTMLTextAreaElement>(node.autoSelect);
  useAutoFocus(ref, node.autoFocus === true);
  const autoResize = node.autoResize === true;
  const maxRows = typeof node.maxRows === "number" && node.maxRows > 0 ? node.maxRows : undefined;
  useLayoutEffect(() => {
    if (autoResize && ref.current) fitContent(ref.current);
  }, [autoResize, ref]);
  const style: CSSProperties | undefined =
    autoResize && maxRows !== undefined
      ? { maxHeight: `calc(${maxRows * LINE_HEIGHT}em + var(--ck-field-pad-y) * 2 + 2px)` }
      : undefined;
  return (
    <textarea
      ref={ref}
      {...a11y}
      {...autofillProps(node.allowAutofillExtensions)}
      className={controlClasses("ck-textarea", node)}
      name={node.name}
      rows={typeof node.rows === "number" && node.rows > 0 ? node.rows : 3}
      defaultValue={node.defaultValue}
      required={node.required}
      placeholder={node.placeholder}
      disabled={node.disabled}
      style={style}
      data-auto-resize={autoResize || undefined}
      onInput={autoResize ? (event) => fitContent(event.currentTarget) : undefined}
    />
  );
}
