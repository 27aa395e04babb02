/** The busy indicator of a control whose action runs with `self` loading. */
import { LoaderCircleIcon } from "lucide-react";

export function Spinner({ size = 14 }: { size?: number }) {
  return <LoaderCircleIcon className="ck-spinner" size={size} aria-hidden="true" data-testid="widget-spinner" />;
}
