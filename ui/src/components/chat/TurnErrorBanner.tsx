/**
 * An answer that failed: the core's readable message plus the next step for its kind — open
 * Settings for a key or provider problem, a countdown before retrying when rate limited, or
 * plain Retry.
 */
import { useEffect, useState } from "react";

import type { TurnError } from "../../chat/threadState";
import { errorHint } from "../../lib/errorHints";

const SETTINGS_KINDS = new Set(["no_provider", "provider_auth", "provider_model_not_found", "secret_unavailable", "secret_denied"]);

export function TurnErrorBanner({
  error,
  onRetry,
  onOpenSettings,
  onDismiss,
}: {
  error: TurnError;
  onRetry: () => void;
  onOpenSettings: () => void;
  onDismiss: () => void;
}) {
  const [wait, setWait] = useState(error.retryAfterSecs ?? 0);
  useEffect(() => {
    setWait(error.retryAfterSecs ?? 0);
  }, [error]);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = window.setTimeout(() => setWait((s) => s - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [wait]);

  const hint = error.kind ? errorHint(error.kind) : null;
  return (
    <div role="alert" className="error-message turn-error" data-error-kind={error.kind}>
      <p className="error-text">{error.message}</p>
      {hint && <p className="error-hint">{hint}</p>}
      <div className="error-actions">
        {error.kind && SETTINGS_KINDS.has(error.kind) && (
          <button type="button" className="button button-small button-primary" onClick={onOpenSettings}>
            Open settings
          </button>
        )}
        {error.allowRetry && (
          <button type="button" className="button button-small" disabled={wait > 0} onClick={onRetry}>
            {wait > 0 ? `Retry in ${wait} s` : "Retry"}
          </button>
        )}
        <button type="button" className="button button-small button-ghost" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
