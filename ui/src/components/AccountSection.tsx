/**
 * Settings → Account: sync through the person's own Supabase project. First the project (URL
 * and publishable key, which only name the project: row-level security guards the data), then
 * sign in or create an account, then what sync is doing: last synced, changes waiting, changes
 * the server refused, the last error with its next step, a progress bar on a first sync, Sync
 * now and Sign out. Passwords go straight to the core and are never kept here.
 */
import { useEffect, useState, type FormEvent } from "react";

import type { SyncStatus } from "../bindings/SyncStatus";
import { speasy } from "../ipc/chatkit";
import { toSpeasyError, type SpeasyError } from "../ipc/errors";
import { onSyncStatus } from "../ipc/sync";
import { ago, progressFraction, progressText } from "../lib/syncText";
import { ErrorMessage } from "./ErrorMessage";

type Attempt = { error: SpeasyError; title: string } | null;

/** `onProjectChanged`: the project was set or removed (the app re-reads its settings). */
export function AccountSection({ onProjectChanged }: { onProjectChanged?: () => void }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [attempt, setAttempt] = useState<Attempt>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => onSyncStatus(setStatus), []);

  // What a request answers is not shown: the channel carries every change of the status in
  // order, and a request's answer may already be older than what it said last.
  async function run(title: string, action: () => Promise<unknown>) {
    setBusy(true);
    setAttempt(null);
    setNotice(null);
    try {
      await action();
      return true;
    } catch (reason) {
      setAttempt({ error: toSpeasyError(reason), title });
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading">Account and sync</h2>
      <p className="muted small">
        Keep conversations, messages and memories the same on all your devices through your own Supabase project.
        Everything stays on this computer too, and works offline.
      </p>
      {status === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <ProjectForm status={status} busy={busy} run={run} onChanged={onProjectChanged} />
          {status.state !== "off" && !status.account && <SignInForm busy={busy} run={run} onNotice={setNotice} />}
          {status.account && <Signed status={status} busy={busy} run={run} />}
        </>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {attempt && <ErrorMessage error={attempt.error} title={attempt.title} />}
      {!attempt && status?.error && (
        <ErrorMessage error={toSpeasyError(status.error)} title="Sync’s last attempt failed" />
      )}
    </section>
  );
}

type FieldProps = {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "url" | "email" | "password";
  placeholder?: string;
  /** `off` (the default) also turns spell checking off: URLs, keys. */
  autoComplete?: string;
  help?: string;
};

function Field({ id, label, value, onChange, type = "text", placeholder, autoComplete = "off", help }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input"
        // Preact types each kind of <input> apart (no role on a password field); these four
        // take the same attributes here.
        type={type as "text"}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        autoComplete={autoComplete}
        spellcheck={autoComplete === "off" ? false : undefined}
      />
      {help && <p className="muted small">{help}</p>}
    </div>
  );
}

type RunProps = {
  busy: boolean;
  run: (title: string, action: () => Promise<unknown>) => Promise<boolean>;
};

function ProjectForm({ status, busy, run, onChanged }: RunProps & { status: SyncStatus; onChanged?: () => void }) {
  const [url, setUrl] = useState(status.project?.url ?? "");
  const [key, setKey] = useState(status.project?.publishable_key ?? "");
  const saved = status.project;
  // As the core saves them: trimmed, without a trailing slash.
  const cleanUrl = url.trim().replace(/\/+$/, "");
  const changed = cleanUrl !== (saved?.url ?? "") || key.trim() !== (saved?.publishable_key ?? "");

  const save = (event: FormEvent) => {
    event.preventDefault();
    void run("Couldn’t use this project", () =>
      speasy("speasy.sync.configure", { project: { url: cleanUrl, publishable_key: key.trim() } }),
    ).then((ok) => ok && onChanged?.());
  };

  return (
    <form className="account-stack" onSubmit={save} aria-label="Supabase project">
      <Field id="sync-url" label="Project URL" type="url" value={url} onChange={setUrl}
        placeholder="https://your-project.supabase.co" />
      <Field id="sync-key" label="Publishable key" value={key} onChange={setKey} placeholder="sb_publishable_…"
        help="Supabase dashboard → Project Settings → API Keys. It is not a secret." />
      <div className="account-row">
        <button type="submit" className="button" disabled={busy || !changed || !url.trim() || !key.trim()}>
          {saved ? "Change project" : "Use this project"}
        </button>
        {saved && (
          <button
            type="button"
            className="button button-ghost"
            disabled={busy}
            onClick={() =>
              void run("Couldn’t turn sync off", () => speasy("speasy.sync.configure", { project: null })).then(
                (ok) => ok && onChanged?.(),
              )
            }
          >
            Turn sync off
          </button>
        )}
      </div>
    </form>
  );
}

function SignInForm({ busy, run, onNotice }: RunProps & { onNotice: (text: string) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const ready = email.trim() !== "" && password !== "";

  const signIn = (event: FormEvent) => {
    event.preventDefault();
    void run("Couldn’t sign in", async () => {
      const status = await speasy("speasy.sync.sign_in", { email, password });
      setPassword("");
      return status;
    });
  };
  const signUp = () =>
    void run("Couldn’t create the account", async () => {
      const outcome = await speasy("speasy.sync.sign_up", { email, password });
      setPassword("");
      if (outcome.state === "confirm_email") {
        onNotice(`Check ${outcome.email} for a confirmation link, then sign in.`);
      }
    });

  return (
    <form className="account-stack" onSubmit={signIn} aria-label="Sign in">
      <Field id="sync-email" label="Email" type="email" autoComplete="username" value={email} onChange={setEmail} />
      <Field id="sync-password" label="Password" type="password" autoComplete="current-password" value={password}
        onChange={setPassword} />
      <div className="account-row">
        <button type="submit" className="button" disabled={busy || !ready}>
          Sign in
        </button>
        <button type="button" className="button button-ghost" disabled={busy || !ready} onClick={signUp}>
          Create account
        </button>
      </div>
    </form>
  );
}

function Signed({ status, busy, run }: RunProps & { status: SyncStatus }) {
  const fraction = status.progress ? progressFraction(status.progress) : null;
  return (
    <div className="account-stack" data-testid="sync-account">
      <p>
        Signed in as <strong>{status.account?.email ?? status.account?.user_id}</strong>
      </p>
      <dl className="account-facts">
        <dt>Last synced</dt>
        <dd data-testid="sync-last">{status.last_synced_at === undefined ? "Not yet" : ago(status.last_synced_at)}</dd>
        <dt>Changes waiting</dt>
        <dd data-testid="sync-pending">{status.pending.toLocaleString("en-US")}</dd>
        {status.dead_letters > 0 && (
          <>
            <dt>Refused by the server</dt>
            <dd data-testid="sync-refused">
              {status.dead_letters.toLocaleString("en-US")} (kept on this device; see the log for why)
            </dd>
          </>
        )}
      </dl>
      {status.progress && (
        <div className="account-stack">
          <span className="small" id="sync-progress-label">
            {progressText(status.progress)}
          </span>
          <progress
            aria-labelledby="sync-progress-label"
            {...(fraction === null ? {} : { value: fraction, max: 1 })}
          />
        </div>
      )}
      <div className="account-row">
        <button
          type="button"
          className="button"
          disabled={busy || status.state === "syncing"}
          onClick={() => void run("Couldn’t sync", () => speasy("speasy.sync.now", {}))}
        >
          {status.state === "syncing" ? "Syncing…" : "Sync now"}
        </button>
        <button
          type="button"
          className="button button-ghost"
          disabled={busy}
          onClick={() => void run("Couldn’t sign out", () => speasy("speasy.sync.sign_out", {}))}
        >
          Sign out
        </button>
      </div>
    </div>
  );
}
