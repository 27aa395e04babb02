/** Renders the app (`main.tsx` calls it once the first screen's data is in). */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import type { Settings } from "./bindings/Settings";
import type { StoreStatus } from "./bindings/StoreStatus";

export function start(root: HTMLElement, status?: StoreStatus, settings?: Settings): void {
  performance.mark("first render");
  createRoot(root).render(
    <StrictMode>
      <App initialStatus={status} initialSettings={settings} />
    </StrictMode>,
  );
}
