/**
 * Types of the widget renderer's public API (the host it reports actions to) and of the nodes
 * the generated bindings (`../bindings/widgets`) do not declare: the ChatKit.js-only `Table`,
 * `Table.Row` and `Table.Cell`.
 */
import type { ListViewItem } from "../bindings/widgets/ListViewItem";
import type { Spacing } from "../bindings/widgets/Spacing";
import type { WidgetComponent } from "../bindings/widgets/WidgetComponent";
import type { WidgetRoot } from "../bindings/widgets/WidgetRoot";

/**
 * An action as the renderer hands it to the host: the widget's `ActionConfig` with the
 * defaults filled in (`handler` "server", `loadingBehavior` "auto", `streaming` true) and, for
 * form submissions and change events, the field values merged into `payload`.
 */
export type WidgetAction = {
  type: string;
  payload?: unknown;
  handler?: "server" | "client";
  loadingBehavior?: "auto" | "none" | "self" | "container";
  streaming?: boolean;
};

/** What a widget reports its actions to. */
export interface WidgetHost {
  /**
   * handler "server" (or absent): the host sends threads.custom_action (streaming !== false) or
   * threads.sync_custom_action (streaming === false) with this item id. Resolves when the core
   * finished handling it.
   */
  serverAction(action: WidgetAction, itemId: string): Promise<void>;
  /** handler "client": handled in the UI (e.g. type "thread.open" with payload {thread_id}). */
  clientAction(action: WidgetAction, itemId: string): Promise<void> | void;
}

/** A cell of a [`Table`] (ChatKit.js only). */
export type TableCell = {
  type: "Table.Cell";
  key?: string;
  id?: string;
  children: WidgetComponent[];
  width?: number | string;
  padding?: Spacing;
  colSpan?: number;
  rowSpan?: number;
  align?: "start" | "center" | "end";
  vAlign?: "top" | "middle" | "bottom";
};

/** A row of a [`Table`]; `header` rows are rendered with `<th>` cells. */
export type TableRow = {
  type: "Table.Row";
  key?: string;
  id?: string;
  header?: boolean;
  children: TableCell[];
};

/** A table (ChatKit.js only; not in chatkit-python). */
export type Table = {
  type: "Table";
  key?: string;
  id?: string;
  children: TableRow[];
};

/** Every node the renderer knows, discriminated by `type`. */
export type WidgetNode = WidgetRoot | WidgetComponent | ListViewItem | Table | TableRow | TableCell;

/** The node of one `type`. */
export type NodeOf<T extends WidgetNode["type"]> = Extract<WidgetNode, { type: T }>;
