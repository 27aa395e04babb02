/**
 * What Speasy remembers: saved facts (recalled in later chats) and facts the assistant proposed
 * that wait for Save or Discard. Each can be edited or deleted.
 */
import { useCallback, useEffect, useState } from "react";
import { Check, Pencil, Trash2, X } from "lucide-react";

import type { Fact } from "../bindings/Fact";
import { speasy } from "../ipc/chatkit";
import { toSpeasyError, type SpeasyError } from "../ipc/errors";
import { formatDate } from "../lib/format";
import { focusOnMount } from "../lib/useAutoFocus";
import { ErrorMessage } from "./ErrorMessage";

function FactRow({ fact, onChanged, onError }: { fact: Fact; onChanged: () => void; onError: (e: SpeasyError) => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(fact.text);
  const run = (op: Promise<unknown>) =>
    op.then(onChanged, (reason: unknown) => onError(toSpeasyError(reason)));
  return (
    <li className="fact" data-testid="fact" data-status={fact.status}>
      {editing ? (
        <form
          className="fact-edit"
          onSubmit={(event) => {
            event.preventDefault();
            const value = text.trim();
            setEditing(false);
            if (value !== "" && value !== fact.text) void run(speasy("speasy.facts.update", { fact_id: fact.id, text: value }));
          }}
        >
          <input
            className="input"
            aria-label="Fact"
            value={text}
            ref={focusOnMount}
            onChange={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === "Escape") {
                setText(fact.text);
                setEditing(false);
              }
            }}
          />
          <button type="submit" className="button button-small button-primary">
            Save changes
          </button>
        </form>
      ) : (
        <p className="fact-text">{fact.text}</p>
      )}
      <div className="fact-meta">
        <span className="muted small">{formatDate(fact.updated_at)}</span>
        {fact.status === "pending" && (
          <>
            <button type="button" className="button button-small button-primary" onClick={() => void run(speasy("speasy.facts.save", { fact_id: fact.id }))}>
              <Check size={14} aria-hidden="true" /> Save
            </button>
            <button type="button" className="button button-small" onClick={() => void run(speasy("speasy.facts.discard", { fact_id: fact.id }))}>
              <X size={14} aria-hidden="true" /> Discard
            </button>
          </>
        )}
        {!editing && (
          <button type="button" className="icon-button" aria-label={`Edit “${fact.text}”`} title="Edit" onClick={() => setEditing(true)}>
            <Pencil size={14} aria-hidden="true" />
          </button>
        )}
        <button
          type="button"
          className="icon-button"
          aria-label={`Delete “${fact.text}”`}
          title="Delete"
          onClick={() => void run(speasy("speasy.facts.delete", { fact_id: fact.id }))}
        >
          <Trash2 size={14} aria-hidden="true" />
        </button>
      </div>
    </li>
  );
}

export function FactsPanel({ version, onClose }: { version: number; onClose: () => void }) {
  const [facts, setFacts] = useState<Fact[] | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);
  const [reloads, setReloads] = useState(0);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    speasy("speasy.facts.list", { status: ["pending", "saved"] }).then(
      (list) => {
        if (live) {
          setFacts(list);
          setError(null);
        }
      },
      (reason: unknown) => {
        if (live) setError(toSpeasyError(reason));
      },
    );
    return () => {
      live = false;
    };
  }, [version, reloads]);

  const pending = facts?.filter((f) => f.status === "pending") ?? [];
  const saved = facts?.filter((f) => f.status === "saved") ?? [];
  return (
    <section className="panel facts" aria-labelledby="facts-heading">
      <header className="panel-header">
        <h1 id="facts-heading">Memory</h1>
        <button type="button" className="button button-ghost" onClick={onClose}>
          Close memory
        </button>
      </header>
      <p className="muted">Facts you saved are recalled in later conversations. They are kept on this device, in your Speasy database.</p>
      {error && <ErrorMessage error={error} title="Couldn’t load facts" onRetry={reload} />}
      {facts === null && !error && <p className="muted">Loading…</p>}
      {pending.length > 0 && (
        <section className="card" aria-labelledby="pending-facts">
          <h2 id="pending-facts">Waiting for you</h2>
          <ul className="fact-list">
            {pending.map((f) => (
              <FactRow key={f.id} fact={f} onChanged={reload} onError={setError} />
            ))}
          </ul>
        </section>
      )}
      {facts !== null && (
        <section className="card" aria-labelledby="saved-facts">
          <h2 id="saved-facts">Saved facts</h2>
          {saved.length === 0 ? (
            <p className="muted">Nothing saved yet. Ask Speasy to remember something.</p>
          ) : (
            <ul className="fact-list">
              {saved.map((f) => (
                <FactRow key={f.id} fact={f} onChanged={reload} onError={setError} />
              ))}
            </ul>
          )}
        </section>
      )}
    </section>
  );
}
