/**
 * What the form controls share: the id a `Label` points at, an accessible name when no Label
 * does (the placeholder, else the field name made readable), size/variant classes, autofill
 * opt-out, and `autoSelect`.
 */
import { useEffect, useRef } from "react";

import { humanize, useRuntime } from "../runtime";
import { cls, tokenClass } from "../style";

/** `id` and, for an unlabelled control, `aria-label`. */
export function useFieldA11y(name: string, placeholder?: string): { id: string; "aria-label"?: string } {
  const runtime = useRuntime();
  return {
    id: runtime.fieldId(name),
    "aria-label": runtime.isLabelled(name) ? undefined : placeholder || humanize(name),
  };
}

/** `ControlSize` tokens. */
export const CONTROL_SIZES = ["3xs", "2xs", "xs", "sm", "md", "lg", "xl", "2xl", "3xl"];

const VARIANTS = ["solid", "soft", "outline", "ghost"];
const GUTTERS = ["2xs", "xs", "sm", "md", "lg", "xl"];

/** Classes of a text-like control from its `size`, `variant`, `gutterSize`, `pill`, `block`. */
export function controlClasses(
  base: string,
  node: { size?: unknown; variant?: unknown; gutterSize?: unknown; pill?: unknown; block?: unknown },
): string {
  return cls(
    "ck-control",
    base,
    tokenClass("ck-size", node.size, CONTROL_SIZES) ?? "ck-size-md",
    tokenClass("ck-field", node.variant, VARIANTS) ?? "ck-field-outline",
    tokenClass("ck-gutter", node.gutterSize, GUTTERS),
    node.pill === true && "ck-pill",
    node.block === true && "ck-block",
  );
}

/** Keeps password managers and autofill extensions away unless the field allows them. */
export function autofillProps(allow: unknown): Record<string, string> {
  return allow === true ? {} : { autoComplete: "off", "data-1p-ignore": "true", "data-lpignore": "true" };
}

/** A ref that selects the control's text once mounted, when `autoSelect` is set. */
export function useAutoSelect<T extends HTMLInputElement | HTMLTextAreaElement>(autoSelect: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (autoSelect === true) ref.current?.select();
  }, [autoSelect]);
  return ref;
}
