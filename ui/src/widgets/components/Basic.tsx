/**
 * The Basic root (entity previews): a plain flex container, column by default, without card
 * chrome; the only node whose children may be other roots.
 */
import { Children } from "../render";
import { boxStyle, cls } from "../style";
import { forcedScheme, SchemeContext, useScheme } from "../theme";
import type { NodeOf } from "../types";

export function Basic({ node }: { node: NodeOf<"Basic"> }) {
  const scheme = useScheme(node.theme);
  const forced = forcedScheme(node.theme);
  const direction = node.direction === "row" ? "row" : "col";
  return (
    <SchemeContext.Provider value={scheme}>
      <div className={cls("ck-basic", "ck-box", `ck-${direction}`, forced && `ck-theme-${forced}`)} style={boxStyle(node, scheme)}>
        <Children nodes={node.children} />
      </div>
    </SchemeContext.Provider>
  );
}
