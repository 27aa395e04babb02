import "@testing-library/jest-dom/vitest";

import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// CI runs the suite on a busy 2-core machine: give `findBy*`/`waitFor` room (they still fail,
// just later, when what they wait for never happens).
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  clearMocks();
  delete document.documentElement.dataset.theme;
});
