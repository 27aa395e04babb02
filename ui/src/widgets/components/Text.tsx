/**
 * Text, Title, Caption and Label. Typography props become classes (`ck-text-lg`,
 * `ck-weight-semibold`, `ck-align-center`, `ck-truncate`, `ck-clamp`) and inline styles
 * (colour, width, line counts). An `editable` Text is an input that takes part in forms under
 * `editable.name`, showing the text as its initial value.
 */
import { useEffect, useRef, type CSSProperties } from "react";

import type { EditableField } from "../../bindings/widgets/EditableField";
import { useAutoFocus } from "../../lib/useAutoFocus";
import { resolveColor } from "../palette";
import { humanize, useRuntime } from "../runtime";
import { cls, defined, length, tokenClass } from "../style";
import { useScheme, type Scheme } from "../theme";
import type { NodeOf } from "../types";

const TEXT_SIZES = ["xs", "sm", "md", "lg", "xl"];
const TITLE_SIZES = ["sm", "md", "lg", "xl", "2xl", "3xl", "4xl", "5xl"];
const CAPTION_SIZES = ["sm", "md", "lg"];
const WEIGHTS = ["normal", "medium", "semibold", "bold"];
const ALIGNS = ["start", "center", "end"];

/** Line height of body text, in em (`minLines` reserves that much per line). */
const LINE_HEIGHT = 1.5;

function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The classes and style shared by the text components. */
function typography(
  node: { size?: unknown; weight?: unknown; textAlign?: unknown; truncate?: unknown; maxLines?: unknown; color?: unknown },
  scheme: Scheme,
  kind: "text" | "title" | "caption",
  sizes: readonly string[],
): { className: string; style: CSSProperties } {
  const maxLines = positiveInt(node.maxLines);
  return {
    className: cls(
      `ck-${kind}`,
      tokenClass(`ck-${kind}`, node.size, sizes) ?? `ck-${kind}-md`,
      tokenClass("ck-weight", node.weight, WEIGHTS),
      tokenClass("ck-align", node.textAlign, ALIGNS),
      node.truncate === true && "ck-truncate",
      maxLines !== undefined && node.truncate !== true && "ck-clamp",
    ),
    style: defined({
      color: resolveColor(node.color, scheme),
      WebkitLineClamp: maxLines !== undefined && node.truncate !== true ? maxLines : undefined,
    }),
  };
}

function EditableText({ node, field }: { node: NodeOf<"Text">; field: EditableField }) {
  const scheme = useScheme();
  const runtime = useRuntime();
  const ref = useRef<HTMLInputElement>(null);
  const { className, style } = typography(node, scheme, "text", TEXT_SIZES);
  useAutoFocus(ref, field.autoFocus === true);
  useEffect(() => {
    if (field.autoSelect === true && field.autoFocus === true) ref.current?.select();
  }, [field.autoSelect, field.autoFocus]);
  return (
    <input
      ref={ref}
      id={runtime.fieldId(field.name)}
      className={cls(className, "ck-text-editable")}
      style={defined({ ...style, width: length(node.width) })}
      name={field.name}
      defaultValue={node.value}
      placeholder={field.placeholder}
      required={field.required}
      pattern={field.pattern}
      autoComplete={field.autoComplete ?? (field.allowAutofillExtensions === true ? undefined : "off")}
      aria-label={runtime.isLabelled(field.name) ? undefined : (field.placeholder ?? humanize(field.name))}
      onFocus={field.autoSelect === true ? (event) => event.currentTarget.select() : undefined}
    />
  );
}

export function Text({ node }: { node: NodeOf<"Text"> }) {
  const scheme = useScheme();
  if (typeof node.editable === "object" && node.editable !== null) {
    return <EditableText node={node} field={node.editable} />;
  }
  const { className, style } = typography(node, scheme, "text", TEXT_SIZES);
  const minLines = positiveInt(node.minLines);
  return (
    <p
      className={cls(
        className,
        node.italic === true && "ck-italic",
        node.lineThrough === true && "ck-line-through",
        node.streaming === true && "ck-streaming",
      )}
      style={defined({
        ...style,
        width: length(node.width),
        minHeight: minLines !== undefined ? `${minLines * LINE_HEIGHT}em` : undefined,
      })}
    >
      {node.value}
    </p>
  );
}

export function Title({ node }: { node: NodeOf<"Title"> }) {
  const { className, style } = typography(node, useScheme(), "title", TITLE_SIZES);
  return (
    <h3 className={className} style={style}>
      {node.value}
    </h3>
  );
}

export function Caption({ node }: { node: NodeOf<"Caption"> }) {
  const { className, style } = typography(node, useScheme(), "caption", CAPTION_SIZES);
  return (
    <p className={className} style={style}>
      {node.value}
    </p>
  );
}

export function Label({ node }: { node: NodeOf<"Label"> }) {
  const runtime = useRuntime();
  const { className, style } = typography(node, useScheme(), "text", TEXT_SIZES);
  return (
    <label
      className={cls(className, "ck-label")}
      style={style}
      htmlFor={runtime.fieldId(node.fieldName)}
      id={runtime.labelId(node.fieldName)}
    >
      {node.value}
    </label>
  );
}
