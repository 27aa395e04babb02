/**
 * The ListView root and its rows. `limit` shows that many rows first ("auto":
 * [`AUTO_LIST_LIMIT`]), with a "Show N more" button revealing the rest. A row with
 * `onClickAction` is a button (focusable, Enter/Space), except where a click lands on a control
 * inside it, which keeps its own behaviour.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";

import { useWidgetAction } from "../actions";
import { Children, Node, nodeKey } from "../render";
import { alignItems, cls, defined, spacing } from "../style";
import { forcedScheme, SchemeContext, useScheme } from "../theme";
import type { NodeOf } from "../types";
import { isObject } from "../validate";
import { Spinner } from "./Spinner";
import { Status } from "./Status";

/** Rows shown first when `limit` is "auto". */
export const AUTO_LIST_LIMIT = 5;

function visibleCount(limit: unknown, total: number): number {
  if (limit === "auto") return Math.min(AUTO_LIST_LIMIT, total);
  if (typeof limit === "number" && Number.isFinite(limit) && limit >= 0) return Math.min(Math.floor(limit), total);
  return total;
}

export function ListView({ node }: { node: NodeOf<"ListView"> }) {
  const scheme = useScheme(node.theme);
  const forced = forcedScheme(node.theme);
  const [showAll, setShowAll] = useState(false);
  const firstRevealed = useRef<HTMLLIElement>(null);
  const items: readonly unknown[] = node.children;
  const initial = visibleCount(node.limit, items.length);
  const shown = showAll ? items.length : initial;
  const hidden = items.length - shown;

  useEffect(() => {
    if (showAll) firstRevealed.current?.focus();
  }, [showAll]);

  return (
    <SchemeContext.Provider value={scheme}>
      <div className={cls("ck-list", forced && `ck-theme-${forced}`)}>
        <Status status={node.status} />
        <ul className="ck-list-items">
          {items.slice(0, shown).map((item, index) => (
            <li
              key={nodeKey(item, index)}
              className="ck-list-entry"
              ref={showAll && index === initial ? firstRevealed : undefined}
              tabIndex={showAll && index === initial ? -1 : undefined}
            >
              <Node node={item} />
            </li>
          ))}
        </ul>
        {hidden > 0 && (
          <button type="button" className="ck-list-more" onClick={() => setShowAll(true)}>
            Show {hidden} more
          </button>
        )}
      </div>
    </SchemeContext.Provider>
  );
}

/** Whether a click landed on a control nested in the row rather than on the row itself. */
function fromNestedControl(event: MouseEvent<HTMLElement>): boolean {
  const target = event.target instanceof Element ? event.target : null;
  const control = target?.closest("button, a, input, select, textarea, label, [role=button]");
  return control !== null && control !== undefined && control !== event.currentTarget;
}

export function ListViewItemRow({ node }: { node: NodeOf<"ListViewItem"> }) {
  const { run, pending } = useWidgetAction("self");
  const style = defined({ gap: spacing(node.gap), alignItems: alignItems(node.align) });
  if (!isObject(node.onClickAction)) {
    return (
      <div className="ck-list-item" style={style}>
        <Children nodes={node.children} />
      </div>
    );
  }
  const activate = () => {
    if (!pending) void run(node.onClickAction);
  };
  return (
    <div
      role="button"
      tabIndex={0}
      className="ck-list-item ck-list-item-action"
      style={style}
      aria-busy={pending || undefined}
      aria-disabled={pending || undefined}
      onClick={(event) => {
        if (!fromNestedControl(event)) activate();
      }}
      onKeyDown={(event: KeyboardEvent<HTMLDivElement>) => {
        if (event.target !== event.currentTarget || (event.key !== "Enter" && event.key !== " ")) return;
        event.preventDefault();
        activate();
      }}
    >
      <Children nodes={node.children} />
      {pending && <Spinner />}
    </div>
  );
}
