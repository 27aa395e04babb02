/** Divider: a rule with colour, thickness (`size`, px) and `spacing` above and below; `flush` reaches the card's edges. */
import { resolveColor } from "../palette";
import { cls, defined, length, spacing } from "../style";
import { useScheme } from "../theme";
import type { NodeOf } from "../types";

export function Divider({ node }: { node: NodeOf<"Divider"> }) {
  const scheme = useScheme();
  const gap = spacing(node.spacing);
  return (
    <hr
      className={cls("ck-divider", node.flush === true && "ck-flush")}
      style={defined({
        borderTopColor: resolveColor(node.color, scheme),
        borderTopWidth: length(node.size),
        marginTop: gap,
        marginBottom: gap,
      })}
    />
  );
}
