//! Full-text search over history (FTS5, kept in step by triggers: see `migrations/0001`).
//!
//! Whatever a person types is turned into a safe FTS5 query: each word becomes a quoted string
//! (so `AND`, `-`, `*`, `:`, quotes and parentheses are just text), words are ANDed, and the
//! last one (from three characters on) matches as a prefix so results follow typing. Input with no searchable word (empty,
//! punctuation, emoji) returns no results rather than an error. Hits are ranked by BM25, then
//! by recency, among the newest [`RANK_WINDOW`] matches; snippets mark matches with [`HIGHLIGHT_START`]/[`HIGHLIGHT_END`].

use rusqlite::{OptionalExtension, params};
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

/// The shortest last word that is matched as a prefix.
pub const MIN_PREFIX_CHARS: usize = 3;

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
        .collect();
    // Prefix-match the last word only from three characters on: a one- or two-letter prefix
    // expands to thousands of terms and reads most of the index.
    let prefix = prefix_last && words.last()?.chars().count() >= MIN_PREFIX_CHARS;
    let sep = match join {
        Join::And => " ",
        Join::Or => " OR ",
    };
    let mut q = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(sep);
    if prefix {
        q.push('*');
    }
    Some(q)
}

/// At most this many of the most recent matches are ranked. Ranking is linear in the number of
/// matches, so a word found in most messages would otherwise cost a scan of the whole history
/// (over a second at 1M messages); people searching a very common word want recent hits.
pub const RANK_WINDOW: i64 = 5_000;

impl Store {
    /// Search every live thread's messages and widgets.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let Some(q) = fts_query(query, true, Join::And) else {
            return Ok(Vec::new());
        };
        let limit = i64::try_from(limit.min(500)).unwrap_or(500);
        self.read(|c| {
            // Rows are indexed in insertion order, so the rowid of the RANK_WINDOW-th newest match
            // bounds the ranking to recent history; with fewer matches everything is ranked.
            let floor: i64 = c
                .prepare_cached(
                    "SELECT rowid FROM item_fts WHERE item_fts MATCH ?1
                      ORDER BY rowid DESC LIMIT 1 OFFSET ?2",
                )?
                .query_row(params![q, RANK_WINDOW - 1], |r| r.get(0))
                .optional()?
                .unwrap_or(i64::MIN);
            // FTS5 orders by rank itself, so the snippet is built for the top rows only; the
            // joins then run for those rows alone.
            let mut st = c.prepare_cached(
                "WITH top AS (
                     SELECT rowid AS rid, rank AS score,
                            snippet(item_fts, 0, char(2), char(3), '…', 16) AS snip
                       FROM item_fts
                      WHERE item_fts MATCH ?1 AND rowid >= ?3
                      ORDER BY rank LIMIT ?2)
                 SELECT i.thread_id, i.id, t.title, top.snip, i.created_at
                   FROM top
                   JOIN thread_items i ON i.rowid = top.rid
                   JOIN threads t ON t.id = i.thread_id
                  WHERE i.deleted = 0 AND t.deleted = 0
                  ORDER BY top.score, i.created_at DESC",
            )?;
            let hits = st
                .query_map(params![q, limit, floor], |r| {
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

/// The SQL function `search_text(type, data)`: what search indexes of a thread item (the
/// text people read: a user message's input text and tags, an assistant message's output text,
/// a widget's `copy_text`; parts joined by newlines), or NULL. The view `item_search_text`
/// (migration 0006) calls it; `migrations::migrate` registers it on the connection first. A
/// tool that opens `speasy.db` with its own connection registers it too, to change items.
pub fn register_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "search_text",
        2,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let kind = ctx.get_raw(0).as_str_or_null().ok().flatten();
            let data = ctx.get_raw(1).as_str_or_null().ok().flatten();
            Ok(match (kind, data) {
                (Some(kind), Some(data)) => item_text(kind, data),
                _ => None,
            })
        },
    )
}

/// The searchable text of an item of type `kind` whose JSON is `data`; `None` when it has none
/// (or its JSON does not parse).
fn item_text(kind: &str, data: &str) -> Option<String> {
    use std::borrow::Cow;

    /// A JSON value read as text when it is a string, and skipped otherwise.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text<'a> {
        Str(#[serde(borrow)] Cow<'a, str>),
        Other(serde::de::IgnoredAny),
    }
    impl<'a> Text<'a> {
        fn into_str(self) -> Option<Cow<'a, str>> {
            match self {
                Text::Str(s) => Some(s),
                Text::Other(_) => None,
            }
        }
    }
    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<Text<'a>>,
        #[serde(borrow)]
        text: Option<Text<'a>>,
    }
    #[derive(Deserialize)]
    struct Item<'a> {
        #[serde(borrow)]
        copy_text: Option<Text<'a>>,
        #[serde(default, borrow)]
        content: Option<Vec<Part<'a>>>,
    }

    // The content parts a message is read from; `None`: a widget's `copy_text`.
    let parts: Option<&[&str]> = match kind {
        "widget" => None,
        "user_message" => Some(&["input_text", "input_tag"]),
        "assistant_message" => Some(&["output_text"]),
        _ => return None,
    };
    let item: Item<'_> = serde_json::from_str(data).ok()?;
    let text = match parts {
        None => item.copy_text?.into_str()?.into_owned(),
        Some(parts) => {
            let texts: Vec<Cow<'_, str>> = item
                .content?
                .into_iter()
                .filter(|p| matches!(&p.kind, Some(Text::Str(k)) if parts.contains(&k.as_ref())))
                .filter_map(|p| p.text?.into_str())
                .collect();
            texts.join("\n")
        }
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_text_is_what_people_read() {
        let user = r#"{"type":"user_message","content":[{"type":"input_text","text":"hello"},
                      {"type":"input_tag","text":"@tides","id":"t"},{"type":"image","text":"no"}]}"#;
        assert_eq!(item_text("user_message", user).as_deref(), Some("hello\n@tides"));
        let answer = r#"{"content":[{"type":"output_text","text":"a","annotations":[]},
                        {"type":"output_text","text":7},{"type":"output_text","text":"b"}]}"#;
        assert_eq!(item_text("assistant_message", answer).as_deref(), Some("a\nb"));
        assert_eq!(item_text("assistant_message", r#"{"content":[]}"#), None);
        assert_eq!(item_text("assistant_message", r#"{"content":"x"}"#), None);
        assert_eq!(
            item_text("widget", r#"{"copy_text":"Saved: tea"}"#).as_deref(),
            Some("Saved: tea")
        );
        assert_eq!(item_text("widget", r#"{"widget":{}}"#), None);
        assert_eq!(
            item_text("client_tool_call", r#"{"content":[{"type":"output_text","text":"x"}]}"#),
            None
        );
        assert_eq!(item_text("user_message", "not json"), None);
    }

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
        assert_eq!(fts_query("hello wo", true, Join::And).as_deref(), Some("\"hello\" \"wo\""));
        assert_eq!(fts_query("café", true, Join::And).as_deref(), Some("\"café\"*"));
        assert_eq!(fts_query("  ", true, Join::And), None);
        assert_eq!(fts_query("- * 😀", true, Join::And), None);
    }
}
