import type { SpeasyError } from "../ipc";
import { errorHint } from "../lib/errorHints";

type Props = {
  error: SpeasyError;
  /** What was being attempted, e.g. "Couldn't load conversations". */
  title?: string;
  onRetry?: () => void;
  /** The action button's text ("Try again"). */
  retryLabel?: string;
};

export function ErrorMessage({ error, title, onRetry, retryLabel = "Try again" }: Props) {
  const hint = errorHint(error.kind);
  return (
    <div role="alert" className="error-message" data-error-kind={error.kind}>
      {title && <p className="error-title">{title}</p>}
      <p className="error-text">{error.message}</p>
      {hint && <p className="error-hint">{hint}</p>}
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}
