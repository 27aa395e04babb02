/**
 * The app's own icons (not the widgets'): Lucide's, drawn from the icon's data by the HTML
 * parser. lucide-react builds each `<svg>` and its shapes element by element, through two
 * component layers, setting each attribute from script: on a cold start that was a sizeable
 * part of the first render for the seven icons on the first screen. Here each icon is one
 * string (made once per icon and size) given to `innerHTML`. The markup is lucide-react's:
 * the same attributes and classes (`Glyph.test.tsx` compares the two).
 */
import type { LucideIconData } from "lucide-react";
import * as arrowUp from "lucide-react/icons/arrow-up";
import * as audioLines from "lucide-react/icons/audio-lines";
import * as brain from "lucide-react/icons/brain";
import * as check from "lucide-react/icons/check";
import * as copy from "lucide-react/icons/copy";
import * as mic from "lucide-react/icons/mic";
import * as pencil from "lucide-react/icons/pencil";
import * as pin from "lucide-react/icons/pin";
import * as pinOff from "lucide-react/icons/pin-off";
import * as rotateCcw from "lucide-react/icons/rotate-ccw";
import * as search from "lucide-react/icons/search";
import * as settings from "lucide-react/icons/settings";
import * as skipForward from "lucide-react/icons/skip-forward";
import * as square from "lucide-react/icons/square";
import * as squarePen from "lucide-react/icons/square-pen";
import * as thumbsDown from "lucide-react/icons/thumbs-down";
import * as thumbsUp from "lucide-react/icons/thumbs-up";
// Trash2 is an alias of Trash, whose module holds the data.
import * as trash2 from "lucide-react/icons/trash";
import * as volume2 from "lucide-react/icons/volume-2";
import * as wrench from "lucide-react/icons/wrench";

/** Each icon module exports its data as `__iconData` beside the component; its types declare
 *  only the component. (Read as a property of the import, not passed around, so the bundle
 *  keeps the data and leaves the components out.) */
type IconModule = { __iconData: LucideIconData };

export const icons = {
  arrowUp: (arrowUp as unknown as IconModule).__iconData,
  audioLines: (audioLines as unknown as IconModule).__iconData,
  brain: (brain as unknown as IconModule).__iconData,
  check: (check as unknown as IconModule).__iconData,
  copy: (copy as unknown as IconModule).__iconData,
  mic: (mic as unknown as IconModule).__iconData,
  pencil: (pencil as unknown as IconModule).__iconData,
  pin: (pin as unknown as IconModule).__iconData,
  pinOff: (pinOff as unknown as IconModule).__iconData,
  rotateCcw: (rotateCcw as unknown as IconModule).__iconData,
  search: (search as unknown as IconModule).__iconData,
  settings: (settings as unknown as IconModule).__iconData,
  skipForward: (skipForward as unknown as IconModule).__iconData,
  square: (square as unknown as IconModule).__iconData,
  squarePen: (squarePen as unknown as IconModule).__iconData,
  thumbsDown: (thumbsDown as unknown as IconModule).__iconData,
  thumbsUp: (thumbsUp as unknown as IconModule).__iconData,
  trash2: (trash2 as unknown as IconModule).__iconData,
  volume2: (volume2 as unknown as IconModule).__iconData,
  wrench: (wrench as unknown as IconModule).__iconData,
};

export type GlyphName = keyof typeof icons;

type Props = {
  icon: GlyphName;
  size?: number;
  strokeWidth?: number;
  /** The shapes' fill (none by default, as Lucide's outlines). */
  fill?: string;
  className?: string;
  /** An accessible name; without one the icon is hidden from assistive technology. */
  label?: string;
};

const escape = (value: unknown) =>
  String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

type Node = LucideIconData["node"][number];

function shape([tag, attributes, children]: Node): string {
  const attrs = Object.entries(attributes)
    .filter(([name]) => name !== "key")
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join("");
  return `<${tag}${attrs}>${(children ?? []).map(shape).join("")}</${tag}>`;
}

const made = new Map<string, string>();

/** The `<svg>` markup of an icon, as lucide-react renders it with these props. */
export function glyphMarkup({ icon, size = 24, strokeWidth = 2, fill = "none", className, label }: Props): string {
  const key = JSON.stringify([icon, size, strokeWidth, fill, className, label]);
  const known = made.get(key);
  if (known !== undefined) return known;
  const { name, node, aliases = [] } = icons[icon];
  const classes = ["lucide", ...[name, ...aliases].filter(Boolean).map((n) => `lucide-${n}`), className].filter(Boolean).join(" ");
  const a11y = label === undefined ? ' aria-hidden="true"' : ` aria-label="${escape(label)}"`;
  const markup =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 24 24"` +
    ` fill="${escape(fill)}" stroke="currentColor" stroke-width="${strokeWidth}" stroke-linecap="round"` +
    ` stroke-linejoin="round"${a11y} class="${escape(classes)}">${node.map(shape).join("")}</svg>`;
  made.set(key, markup);
  return markup;
}

/** An icon. Its wrapper takes no box (`display: contents`): the `<svg>` lays out as if it
 *  were where the wrapper is. */
export function Glyph(props: Props) {
  return <span className="glyph" dangerouslySetInnerHTML={{ __html: glyphMarkup(props) }} />;
}
