/** Helpers for the widget tests: golden fixtures by name, a recording host, rendering. */
import { render } from "@testing-library/react";
import { vi } from "vitest";

import type { WidgetHost } from "./types";
import { Widget } from "./Widget";

/** Every `fixtures/*.json`, by path. */
export const FIXTURES = import.meta.glob<unknown>("./fixtures/*.json", { eager: true, import: "default" });

/** A fresh copy of `fixtures/<name>.json`. */
export function fixture(name: string): unknown {
  const value = FIXTURES[`./fixtures/${name}.json`];
  if (value === undefined) throw new Error(`no fixture ${name}`);
  return structuredClone(value);
}

/** A host whose methods are mocks (server actions resolve at once unless told otherwise). */
export function recordingHost() {
  return {
    serverAction: vi.fn<WidgetHost["serverAction"]>(async () => {}),
    clientAction: vi.fn<WidgetHost["clientAction"]>(),
  };
}

export const ITEM_ID = "item_1";

export function renderWidget(root: unknown, host = recordingHost()) {
  return { ...render(<Widget root={root} itemId={ITEM_ID} host={host} />), host };
}

/** A promise with its resolve/reject exposed. */
export function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The closest ancestor of `element` (itself included) matching `selector`; throws if none. */
export function closest(element: Element, selector: string): HTMLElement {
  const found = element.closest(selector);
  if (!(found instanceof HTMLElement)) throw new Error(`no ${selector} around ${element.outerHTML}`);
  return found;
}
