/** Spacer: takes the free space along its container's axis, at least `minSize`. */
import { length } from "../style";
import type { NodeOf } from "../types";

export function Spacer({ node }: { node: NodeOf<"Spacer"> }) {
  return <div className="ck-spacer" style={{ flexBasis: length(node.minSize) ?? 0 }} aria-hidden="true" />;
}
