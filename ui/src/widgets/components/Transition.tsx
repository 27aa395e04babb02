/**
 * Transition: renders its single child, fading it in whenever a different child (by type, key
 * or id) takes its place.
 */
import { Node, nodeKey } from "../render";
import type { NodeOf } from "../types";
import { isObject } from "../validate";

export function Transition({ node }: { node: NodeOf<"Transition"> }) {
  const child: unknown = node.children;
  if (child === null) return null;
  const identity = `${isObject(child) ? String(child.type) : ""}|${nodeKey(child, 0)}`;
  return (
    <div className="ck-transition" key={identity}>
      <Node node={child} />
    </div>
  );
}
