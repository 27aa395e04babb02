/**
 * The one error type the UI sees from the core.
 *
 * Every Tauri command rejects with an `ApiError` (`{ kind, message }`); `toSpeasyError` turns it
 * into a real `Error` subclass so components can `catch` it, show `message` and branch on `kind`.
 * Anything else that rejects (the IPC bridge itself failing, a command the core does not know)
 * becomes kind `internal` with the original value kept as `cause`.
 */
import type { ApiError } from "../bindings/ApiError";
import type { ErrorKind } from "../bindings/ErrorKind";

// A record, so adding a kind in Rust (and regenerating the bindings) fails the typecheck here
// until it is listed.
const KINDS: Record<ErrorKind, true> = {
  not_found: true,
  invalid_input: true,
  store_not_a_database: true,
  store_corrupt: true,
  store_newer_schema: true,
  store_read_only: true,
  store_disk_full: true,
  store_busy: true,
  store_io: true,
  store_unavailable: true,
  secret_unavailable: true,
  secret_denied: true,
  secret: true,
  no_provider: true,
  provider_auth: true,
  provider_model_not_found: true,
  provider_context_too_long: true,
  provider_rate_limited: true,
  provider_unavailable: true,
  provider_bad_response: true,
  provider_rejected: true,
  unauthorized: true,
  voice_no_device: true,
  voice_permission_denied: true,
  voice_device: true,
  voice_no_speech: true,
  voice_not_configured: true,
  sync_project: true,
  sync_signed_out: true,
  sync_account: true,
  sync_other_account: true,
  sync_schema: true,
  sync_unavailable: true,
  sync_rejected: true,
  internal: true,
};
const ERROR_KINDS: ReadonlySet<string> = new Set(Object.keys(KINDS));

export class SpeasyError extends Error {
  override readonly name = "SpeasyError";
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }

  /** The wire shape, e.g. for a `StoreStatus` that carries an error. */
  toApiError(): ApiError {
    return { kind: this.kind, message: this.message };
  }
}

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && ERROR_KINDS.has(value);
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { kind?: unknown; message?: unknown };
  return isErrorKind(candidate.kind) && typeof candidate.message === "string";
}

export function toSpeasyError(reason: unknown): SpeasyError {
  if (reason instanceof SpeasyError) return reason;
  if (isApiError(reason)) return new SpeasyError(reason.kind, reason.message, { cause: reason });
  if (reason instanceof Error) return new SpeasyError("internal", reason.message, { cause: reason });
  if (typeof reason === "string") return new SpeasyError("internal", reason, { cause: reason });
  return new SpeasyError("internal", "Unexpected error from the Speasy core", { cause: reason });
}
