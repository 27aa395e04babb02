import { useEffect, useState } from "react";

import type { SearchHit } from "../bindings/SearchHit";
import { search, toSpeasyError, type SpeasyError } from "../ipc";
import { formatDate, formatTimestamp } from "../lib/format";
import { ErrorMessage } from "./ErrorMessage";
import { Glyph } from "./Glyph";
import { Snippet } from "./Snippet";

export const SEARCH_DEBOUNCE_MS = 150;
export const SEARCH_LIMIT = 20;

type Results = { query: string; hits: SearchHit[] };

/** Full-text search over all conversations; results update as you type. Choosing a result
 *  opens its conversation at that message. */
export function SearchPanel({ onOpen }: { onOpen?: (hit: SearchHit) => void }) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);
  const [attempt, setAttempt] = useState(0);

  const trimmed = query.trim();

  useEffect(() => {
    if (trimmed === "") {
      setResults(null);
      setError(null);
      return;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      search(trimmed, SEARCH_LIMIT).then(
        (hits) => {
          if (!live) return;
          setResults({ query: trimmed, hits });
          setError(null);
        },
        (reason: unknown) => {
          if (!live) return;
          setResults(null);
          setError(toSpeasyError(reason));
        },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [trimmed, attempt]);

  return (
    <div className="search" role="search">
      <div className="search-field">
        <Glyph icon="search" className="search-icon" size={16} strokeWidth={2.2} />
        <input
          type="search"
          className="input search-input"
          aria-label="Search conversations"
          placeholder="Search conversations"
          value={query}
          onChange={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") setQuery("");
          }}
          autoComplete="off"
          spellcheck={false}
        />
      </div>
      {trimmed !== "" && error && (
        <ErrorMessage
          error={error}
          title="Search failed"
          onRetry={() => setAttempt((n) => n + 1)}
        />
      )}
      {trimmed !== "" && results && (
        <section className="search-results" aria-label="Search results">
          <p className="visually-hidden" role="status">
            {results.hits.length === 1 ? "1 result" : `${results.hits.length} results`}
          </p>
          {results.hits.length === 0 ? (
            <p className="empty">No matches for “{results.query}”</p>
          ) : (
            <ul className="result-list">
              {results.hits.map((hit) => (
                <li key={`${hit.thread_id}/${hit.item_id}`} className="result" data-testid="search-result">
                  <button
                    type="button"
                    className="result-open"
                    onClick={() => {
                      onOpen?.(hit);
                      setQuery("");
                    }}
                  >
                    <span className="result-title">{hit.thread_title?.trim() || "Untitled"}</span>
                    <span className="result-snippet">
                      <Snippet text={hit.snippet} />
                    </span>
                    <time
                      className="result-time"
                      dateTime={hit.created_at}
                      title={formatTimestamp(hit.created_at)}
                    >
                      {formatDate(hit.created_at)}
                    </time>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
