/**
 * Renders the app. Loaded by `main.tsx` with a dynamic import, so the first screen's IPC
 * requests are already on their way while this chunk (React and the app) loads.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import type { Settings } from "./bindings/Settings";
import type { StoreStatus } from "./bindings/StoreStatus";

performance.mark("app code loaded");

export function start(root: HTMLElement, status?: StoreStatus, settings?: Settings): void {
  performance.mark("first render");
  createRoot(root).render(
    <StrictMode>
      <App initialStatus={status} initialSettings={settings} />
    </StrictMode>,
  );
}
