import { useState } from "react";

import type { StoreStatus } from "../bindings/StoreStatus";
import { storeMoveAside, toSpeasyError, type SpeasyError } from "../ipc";
import { errorHint } from "../lib/errorHints";
import { ErrorMessage } from "./ErrorMessage";

export type FailedStore = Extract<StoreStatus, { state: "failed" }>;

type Props = {
  status: FailedStore;
  /** Called with the core's answer after moving the file aside. */
  onStatus: (status: StoreStatus) => void;
  onRetry: () => void;
};

/**
 * Full-page screen for a database the core could not open. Nothing is deleted: the only
 * destructive-looking action renames the file (the core keeps it) and only on an explicit click.
 */
export function StoreFailed({ status, onStatus, onRetry }: Props) {
  const [moving, setMoving] = useState(false);
  const [moveError, setMoveError] = useState<SpeasyError | null>(null);
  const hint = errorHint(status.error.kind);

  async function moveAside() {
    setMoving(true);
    setMoveError(null);
    try {
      onStatus(await storeMoveAside());
    } catch (reason) {
      setMoveError(toSpeasyError(reason));
    } finally {
      setMoving(false);
    }
  }

  return (
    <main className="fullpage" data-testid="store-failed">
      <div className="fullpage-card">
        <h1>Speasy can’t open its database</h1>
        <div role="alert" className="error-message" data-error-kind={status.error.kind}>
          <p className="error-text store-error-text">{status.error.message}</p>
          {hint && <p className="error-hint">{hint}</p>}
        </div>
        {status.can_move_aside && (
          <p>
            Moving it aside renames the file and keeps it next to the new one, so nothing is lost.
            Speasy then starts with an empty database.
          </p>
        )}
        {moveError && <ErrorMessage error={moveError} title="Couldn’t move the database aside" />}
        <div className="actions">
          {status.can_move_aside && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => void moveAside()}
              disabled={moving}
            >
              {moving ? "Moving it aside…" : "Move it aside and start fresh"}
            </button>
          )}
          <button type="button" className="button" onClick={onRetry} disabled={moving}>
            Try again
          </button>
        </div>
      </div>
    </main>
  );
}
