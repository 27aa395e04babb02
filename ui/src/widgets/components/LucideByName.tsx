/**
 * Any Lucide icon by its kebab-case name (`alarm-clock`, or an alias such as `trash-2`).
 * Imported lazily by `icons.tsx`: this module pulls in the whole icon set, which the bundler
 * then keeps in a chunk of its own.
 */
import * as lucide from "lucide-react";
import type { LucideIcon, LucideProps } from "lucide-react";

/** Every icon component (aliases are other exports of the same components). */
const ICONS: ReadonlySet<unknown> = new Set(Object.values(lucide.icons));

/** `alarm-clock-check` → `AlarmClockCheck`, the export name of the icon. */
function pascalCase(name: string): string {
  return name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

function iconNamed(name: string): LucideIcon {
  const exported: unknown = (lucide as Record<string, unknown>)[pascalCase(name)];
  return ICONS.has(exported) ? (exported as LucideIcon) : lucide.CircleDashedIcon;
}

export default function LucideByName({ name, ...props }: LucideProps & { name: string }) {
  const Icon = iconNamed(name);
  return <Icon {...props} />;
}
