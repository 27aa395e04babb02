/** What shows instead of a node that cannot be rendered: visible, labelled, never throwing. */
import { TriangleAlertIcon } from "lucide-react";

export function Placeholder({ reason }: { reason: string }) {
  return (
    <div className="ck-placeholder" role="note" aria-label={reason}>
      <TriangleAlertIcon size={14} aria-hidden="true" />
      <span>{reason}</span>
    </div>
  );
}
