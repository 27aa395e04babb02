/**
 * The status header of a Card or ListView (`{text, icon}` or `{text, favicon, frame}`): a
 * small muted line above the content, with an icon or a site favicon.
 */
import type { ReactNode } from "react";

import { cls } from "../style";
import { isObject } from "../validate";
import { WidgetIcon } from "./icons";

/** The parts of a status prop, or `null` when it is absent or malformed. */
export function statusParts(status: unknown): { text: string; visual: ReactNode } | null {
  if (!isObject(status) || typeof status.text !== "string") return null;
  let visual: ReactNode = null;
  if (typeof status.favicon === "string") {
    visual = (
      <img
        className={cls("ck-status-favicon", status.frame === true && "ck-status-favicon-framed")}
        src={status.favicon}
        alt=""
        width={16}
        height={16}
      />
    );
  } else if (typeof status.icon === "string") {
    visual = <WidgetIcon name={status.icon} size={14} />;
  }
  return { text: status.text, visual };
}

export function Status({ status }: { status: unknown }) {
  const parts = statusParts(status);
  if (!parts) return null;
  return (
    <div className="ck-status">
      {parts.visual}
      <span className="ck-status-text">{parts.text}</span>
    </div>
  );
}
