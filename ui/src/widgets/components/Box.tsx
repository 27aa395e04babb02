/** Box, Row and Col: flex containers (Row horizontal, Col and Box vertical unless `direction: "row"`). */
import { Children } from "../render";
import { boxStyle, cls } from "../style";
import { useScheme } from "../theme";
import type { NodeOf } from "../types";

export function FlexBox({ node }: { node: NodeOf<"Box" | "Row" | "Col"> }) {
  const scheme = useScheme();
  const row = node.type === "Row" || (node.type === "Box" && node.direction === "row");
  return (
    <div className={cls("ck-box", row ? "ck-row" : "ck-col")} style={boxStyle(node, scheme)}>
      <Children nodes={node.children} />
    </div>
  );
}
