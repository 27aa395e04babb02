import { useCallback, useEffect, useState } from "react";

import type { Settings } from "./bindings/Settings";
import type { StoreStatus } from "./bindings/StoreStatus";
import { ErrorMessage } from "./components/ErrorMessage";
import { Shell } from "./components/Shell";
import { StoreFailed, type FailedStore } from "./components/StoreFailed";
import { storeStatus, toSpeasyError, type SpeasyError } from "./ipc";

type Boot =
  | { phase: "checking" }
  | { phase: "ready" }
  | { phase: "failed"; status: FailedStore }
  | { phase: "unreachable"; error: SpeasyError };

function fromStatus(status: StoreStatus): Boot {
  return status.state === "ready" ? { phase: "ready" } : { phase: "failed", status };
}

type Props = {
  /** The store's status and the settings if `main.tsx` already has them (it asks before the
   *  first render, so the first frame is the real first screen in the chosen theme). */
  initialStatus?: StoreStatus;
  initialSettings?: Settings;
};

/** Asks the core whether its database opened (unless `main.tsx` already did), and shows the app
 *  only once it has. */
export function App({ initialStatus, initialSettings }: Props = {}) {
  const [boot, setBoot] = useState<Boot>(() => (initialStatus ? fromStatus(initialStatus) : { phase: "checking" }));

  const check = useCallback(async () => {
    setBoot({ phase: "checking" });
    try {
      setBoot(fromStatus(await storeStatus()));
    } catch (reason) {
      setBoot({ phase: "unreachable", error: toSpeasyError(reason) });
    }
  }, []);

  useEffect(() => {
    if (!initialStatus) void check();
  }, [check, initialStatus]);

  switch (boot.phase) {
    case "checking":
      return (
        <main className="fullpage" aria-busy="true">
          <p className="muted">Opening your conversations…</p>
        </main>
      );
    case "unreachable":
      return (
        <main className="fullpage">
          <div className="fullpage-card">
            <h1>Speasy couldn’t start</h1>
            <ErrorMessage error={boot.error} onRetry={() => void check()} />
          </div>
        </main>
      );
    case "failed":
      return (
        <StoreFailed
          status={boot.status}
          onStatus={(status) => setBoot(fromStatus(status))}
          onRetry={() => void check()}
        />
      );
    case "ready":
      return <Shell initialSettings={initialSettings} />;
  }
}
