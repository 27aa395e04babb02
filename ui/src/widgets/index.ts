/**
 * The ChatKit widget renderer: `<Widget root itemId host />`, the host interface its actions go
 * to, and the pure functions that apply streamed widget updates.
 */
export { Widget, type WidgetProps } from "./Widget";
export type { WidgetAction, WidgetHost } from "./types";
export {
  applyWidgetUpdate,
  appendStreamingText,
  isWidgetUpdate,
  replaceComponent,
  type WidgetUpdate,
} from "./applyWidgetUpdate";
