/** Icon: a named ChatKit icon or `lucide:<name>`, sized by token and coloured like text. */
import { resolveColor } from "../palette";
import { useScheme } from "../theme";
import type { NodeOf } from "../types";
import { iconSizePx, WidgetIcon } from "./icons";

export function Icon({ node }: { node: NodeOf<"Icon"> }) {
  const scheme = useScheme();
  return <WidgetIcon name={node.name} size={iconSizePx(node.size)} color={resolveColor(node.color, scheme)} />;
}
