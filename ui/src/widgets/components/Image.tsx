/** Image: fit and focal point, radius, frame, `flush` (to the card's edges), sizing, margin. */
import { resolveColor } from "../palette";
import { blockSizeStyle, cls, defined, flex, radius, spacingStyle } from "../style";
import { useScheme } from "../theme";
import type { NodeOf } from "../types";

const FITS = ["cover", "contain", "fill", "scale-down", "none"];
const POSITIONS = ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"];

export function Image({ node }: { node: NodeOf<"Image"> }) {
  const scheme = useScheme();
  return (
    <img
      className={cls("ck-image", node.frame === true && "ck-image-frame", node.flush === true && "ck-flush")}
      src={node.src}
      alt={node.alt ?? ""}
      loading="lazy"
      style={defined({
        objectFit: FITS.includes(node.fit ?? "") ? node.fit : undefined,
        objectPosition: POSITIONS.includes(node.position ?? "") ? node.position : undefined,
        borderRadius: radius(node.radius),
        backgroundColor: resolveColor(node.background, scheme),
        flex: flex(node.flex),
        ...spacingStyle(node.margin, "margin"),
        ...blockSizeStyle(node),
      })}
    />
  );
}
