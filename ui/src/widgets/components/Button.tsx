/**
 * Button. `onClickAction` runs with `self` loading by default (spinner, disabled); a `submit`
 * button inside a form submits it instead. Looks: `style` is a preset (primary: solid accent,
 * secondary: outlined neutral) that `color` and `variant` override. An icon-only button is
 * named after its icon.
 */
import { useContext } from "react";

import { useWidgetAction } from "../actions";
import { FormContext } from "../form";
import { humanize } from "../runtime";
import { cls, tokenClass } from "../style";
import type { NodeOf } from "../types";
import { CONTROL_SIZES } from "./field";
import { iconSizePx, WidgetIcon } from "./icons";
import { Spinner } from "./Spinner";

const COLORS = ["primary", "secondary", "info", "discovery", "success", "caution", "warning", "danger"];
const VARIANTS = ["solid", "soft", "outline", "ghost"];

export function Button({ node }: { node: NodeOf<"Button"> }) {
  const inForm = useContext(FormContext);
  const { run, pending } = useWidgetAction("self");
  const submit = node.submit === true && inForm;
  const secondary = node.style === "secondary";
  const iconSize = iconSizePx(node.iconSize, 16);
  const label = typeof node.label === "string" && node.label !== "" ? node.label : undefined;
  const iconName = typeof node.iconStart === "string" ? node.iconStart : typeof node.iconEnd === "string" ? node.iconEnd : undefined;
  return (
    <button
      type={submit ? "submit" : "button"}
      className={cls(
        "ck-button",
        tokenClass("ck-tone", node.color, COLORS) ?? (secondary ? "ck-tone-secondary" : "ck-tone-primary"),
        tokenClass("ck-variant", node.variant, VARIANTS) ?? (secondary ? "ck-variant-outline" : "ck-variant-solid"),
        tokenClass("ck-size", node.size, CONTROL_SIZES) ?? "ck-size-md",
        node.pill === true && "ck-pill",
        node.uniform === true && "ck-uniform",
        node.block === true && "ck-block",
      )}
      disabled={node.disabled === true || pending}
      aria-busy={pending || undefined}
      aria-label={label === undefined && iconName !== undefined ? humanize(iconName) : undefined}
      onClick={submit ? undefined : () => void run(node.onClickAction)}
    >
      {pending ? (
        <Spinner size={iconSize} />
      ) : (
        typeof node.iconStart === "string" && <WidgetIcon name={node.iconStart} size={iconSize} />
      )}
      {label !== undefined && <span>{label}</span>}
      {typeof node.iconEnd === "string" && <WidgetIcon name={node.iconEnd} size={iconSize} />}
    </button>
  );
}
