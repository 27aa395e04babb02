//! Full-text search over history (FTS5, kept in step by triggers: see `migrations/0001`).
//!
//! Whatever a person types is turned into a safe FTS5 query: each word becomes a quoted string
//! (so `AND`, `-`, `*`, `:`, quotes and parentheses are just text), words are ANDed, and the
//! last one matches as a prefix so results follow typing. Input with no searchable word (empty,
//! punctuation, emoji) returns no results rather than an error. Hits are ranked by BM25, then
//! by recency; snippets mark matches with [`HIGHLIGHT_START`]/[`HIGHLIGHT_END`].

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Store;
use crate::chatkit::format_time;
use crate::error::StoreError;

/// Marks the start of a matched term in [`SearchHit::snippet`] (U+0002, never typed by people).
pub const HIGHLIGHT_START: char = '\u{2}';
/// Marks the end of a matched term in [`SearchHit::snippet`] (U+0003).
pub const HIGHLIGHT_END: char = '\u{3}';

/// One search result: a message (or widget) in a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub thread_id: String,
    pub item_id: String,
    pub thread_title: Option<String>,
    /// Text around the match; matched terms sit between U+0002 and U+0003.
    pub snippet: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
}

/// Build an FTS5 query from free text, or `None` when nothing in it is searchable.
pub fn fts_query(input: &str, prefix_last: bool, join: Join) -> Option<String> {
    let words: Vec<String> = input
        .split_whitespace()
        .map(|w| w.chars().filter(|c| !matches!(c, '\u{2}' | '\u{3}' | '\0')).collect::<String>())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    let sep = match join {
        Join::And => " ",
        Join::Or => " OR ",
    };
    let mut q = words.join(sep);
    if prefix_last {
        q.push('*');
    }
    Some(q)
}

impl Store {
    /// Search every live thread's messages and widgets.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let Some(q) = fts_query(query, true, Join::And) else {
            return Ok(Vec::new());
        };
        let limit = i64::try_from(limit.min(500)).unwrap_or(500);
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT i.thread_id, i.id, t.title,
                        snippet(item_fts, 0, char(2), char(3), '…', 16), i.created_at
                   FROM item_fts
                   JOIN thread_items i ON i.rowid = item_fts.rowid
                   JOIN threads t ON t.id = i.thread_id
                  WHERE item_fts MATCH ?1 AND i.deleted = 0 AND t.deleted = 0
                  ORDER BY item_fts.rank, i.created_at DESC
                  LIMIT ?2",
            )?;
            let hits = st
                .query_map(params![q, limit], |r| {
                    Ok(SearchHit {
                        thread_id: r.get(0)?,
                        item_id: r.get(1)?,
                        thread_title: r.get(2)?,
                        snippet: r.get(3)?,
                        created_at: format_time(r.get(4)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(hits)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_words() {
        assert_eq!(
            fts_query("hello world", true, Join::And).as_deref(),
            Some("\"hello\" \"world\"*")
        );
        assert_eq!(
            fts_query("say \"hi\"", false, Join::Or).as_deref(),
            Some("\"say\" OR \"\"\"hi\"\"\"")
        );
        assert_eq!(fts_query("  ", true, Join::And), None);
        assert_eq!(fts_query("- * 😀", true, Join::And), None);
    }
}
