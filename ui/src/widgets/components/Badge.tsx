/** Badge: a small label, coloured by tone (`ck-tone-*`) and variant (`ck-variant-*`). */
import { cls, tokenClass } from "../style";
import type { NodeOf } from "../types";

const COLORS = ["secondary", "success", "danger", "warning", "info", "discovery"];
const VARIANTS = ["solid", "soft", "outline"];
const SIZES = ["sm", "md", "lg"];

export function Badge({ node }: { node: NodeOf<"Badge"> }) {
  return (
    <span
      className={cls(
        "ck-badge",
        tokenClass("ck-tone", node.color, COLORS) ?? "ck-tone-secondary",
        tokenClass("ck-variant", node.variant, VARIANTS) ?? "ck-variant-soft",
        tokenClass("ck-badge", node.size, SIZES) ?? "ck-badge-md",
        node.pill === true && "ck-pill",
      )}
    >
      {node.label}
    </span>
  );
}
