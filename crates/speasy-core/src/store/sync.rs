//! The device side of sync (`supabase-sync.md` §4.3–4.4): linking the store to an account
//! (adopting what was written before), the outbox the triggers of migration 0004 fill, the row
//! states a push sends, and applying pulled pages with the same merge rules as the server's
//! triggers (`supabase/migrations`), each page in one transaction with its cursor.
//!
//! Rows travel as JSON objects with the server's column names and types (booleans, JSON values,
//! 32-hex device ids), built and read by SQLite's JSON functions: a page of 1,000 rows is one
//! statement, not 1,000.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, WriteTx};
use crate::clock::Hlc;
use crate::error::StoreError;

/// A table that syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncTable {
    Threads,
    ThreadItems,
    Facts,
}

impl SyncTable {
    /// Parents first: an item's thread must reach the server (and a device) before the item.
    pub const ORDER: [SyncTable; 3] =
        [SyncTable::Threads, SyncTable::Facts, SyncTable::ThreadItems];

    /// The table's name, here and on the server.
    pub fn name(self) -> &'static str {
        match self {
            Self::Threads => "threads",
            Self::ThreadItems => "thread_items",
            Self::Facts => "facts",
        }
    }

    /// A row's state as the server's JSON (`?1`: the account's user id), from alias `t`.
    fn row_json(self) -> &'static str {
        match self {
            Self::Threads => {
                "json_object('id', t.id, 'user_id', ?1, 'title', t.title, 'title_hlc', t.title_hlc,
                   'pinned', json(iif(t.pinned, 'true', 'false')), 'pinned_hlc', t.pinned_hlc,
                   'archived', json(iif(t.archived, 'true', 'false')), 'archived_hlc', t.archived_hlc,
                   'persona_id', t.persona_id, 'status', json(t.status), 'metadata', json(t.metadata),
                   'meta_hlc', t.meta_hlc, 'created_at', t.created_at, 'updated_at', t.updated_at,
                   'deleted', json(iif(t.deleted, 'true', 'false')), 'deleted_hlc', t.deleted_hlc,
                   'origin_device', replace(t.origin_device, '-', ''))"
            }
            Self::ThreadItems => {
                "json_object('id', t.id, 'user_id', ?1, 'thread_id', t.thread_id, 'type', t.type,
                   'created_at', t.created_at, 'ord', t.ord,
                   'hidden', json(iif(t.hidden, 'true', 'false')), 'data', json(t.data),
                   'data_hlc', t.data_hlc, 'deleted', json(iif(t.deleted, 'true', 'false')),
                   'deleted_hlc', t.deleted_hlc, 'origin_device', replace(t.origin_device, '-', ''))"
            }
            Self::Facts => {
                "json_object('id', t.id, 'user_id', ?1, 'text', t.text, 'text_hlc', t.text_hlc,
                   'status', t.status, 'status_hlc', t.status_hlc,
                   'source_thread_id', t.source_thread_id, 'source_item_id', t.source_item_id,
                   'persona_id', t.persona_id, 'created_at', t.created_at, 'updated_at', t.updated_at,
                   'deleted', json(iif(t.deleted, 'true', 'false')), 'deleted_hlc', t.deleted_hlc,
                   'origin_device', replace(t.origin_device, '-', ''))"
            }
        }
    }

    /// Upsert a page (`?1`: a JSON array of server rows) merging field by field as the server's
    /// trigger does. `r` is one row.
    fn merge_sql(self) -> &'static str {
        match self {
            Self::Threads => {
                "INSERT INTO threads (id, user_id, title, title_hlc, pinned, pinned_hlc, archived,
                     archived_hlc, persona_id, status, metadata, meta_hlc, created_at, updated_at,
                     deleted, deleted_hlc, origin_device, server_seq)
                 SELECT r->>'id', r->>'user_id', r->>'title', r->>'title_hlc', r->>'pinned',
                        r->>'pinned_hlc', r->>'archived', r->>'archived_hlc', r->>'persona_id',
                        r->'status', r->'metadata', r->>'meta_hlc', r->>'created_at',
                        r->>'updated_at', r->>'deleted', r->>'deleted_hlc', r->>'origin_device',
                        r->>'server_seq'
                   FROM (SELECT value AS r FROM json_each(?1)) WHERE true
                 ON CONFLICT (id) DO UPDATE SET
                   user_id = excluded.user_id,
                   title = CASE WHEN deleted OR excluded.deleted THEN NULL
                                WHEN excluded.title_hlc > title_hlc THEN excluded.title
                                ELSE title END,
                   title_hlc = max(title_hlc, excluded.title_hlc),
                   pinned = iif(excluded.pinned_hlc > pinned_hlc, excluded.pinned, pinned),
                   pinned_hlc = max(pinned_hlc, excluded.pinned_hlc),
                   archived = iif(excluded.archived_hlc > archived_hlc, excluded.archived, archived),
                   archived_hlc = max(archived_hlc, excluded.archived_hlc),
                   persona_id = iif(excluded.meta_hlc > meta_hlc, excluded.persona_id, persona_id),
                   status = iif(excluded.meta_hlc > meta_hlc, excluded.status, status),
                   metadata = CASE WHEN deleted OR excluded.deleted THEN '{}'
                                   WHEN excluded.meta_hlc > meta_hlc THEN excluded.metadata
                                   ELSE metadata END,
                   meta_hlc = max(meta_hlc, excluded.meta_hlc),
                   updated_at = max(updated_at, excluded.updated_at),
                   deleted_hlc = CASE WHEN deleted AND excluded.deleted
                                          THEN min(deleted_hlc, excluded.deleted_hlc)
                                      WHEN deleted THEN deleted_hlc
                                      WHEN excluded.deleted THEN excluded.deleted_hlc END,
                   deleted = max(deleted, excluded.deleted),
                   origin_device = excluded.origin_device,
                   server_seq = max(coalesce(server_seq, 0), excluded.server_seq)"
            }
            Self::ThreadItems => {
                // An item that arrives for a thread deleted here is born deleted, as on the server.
                "INSERT INTO thread_items (id, thread_id, user_id, type, created_at, ord, hidden,
                     data, data_hlc, deleted, deleted_hlc, origin_device, server_seq)
                 SELECT r->>'id', r->>'thread_id', r->>'user_id', r->>'type', r->>'created_at',
                        r->>'ord', r->>'hidden',
                        iif(r->>'deleted' OR p.deleted, json_object('type', r->>'type'), r->'data'),
                        r->>'data_hlc', max(r->>'deleted', p.deleted),
                        iif(r->>'deleted', r->>'deleted_hlc', iif(p.deleted, p.deleted_hlc, NULL)),
                        r->>'origin_device', r->>'server_seq'
                   FROM (SELECT value AS r FROM json_each(?1))
                   JOIN threads p ON p.id = r->>'thread_id'
                  WHERE true
                 ON CONFLICT (id) DO UPDATE SET
                   user_id = excluded.user_id,
                   hidden = iif(NOT deleted AND NOT excluded.deleted AND excluded.data_hlc > data_hlc,
                                excluded.hidden, hidden),
                   data = CASE WHEN deleted THEN data
                               WHEN excluded.deleted THEN json_object('type', type)
                               WHEN excluded.data_hlc > data_hlc THEN excluded.data
                               ELSE data END,
                   data_hlc = max(data_hlc, excluded.data_hlc),
                   deleted_hlc = CASE WHEN deleted THEN deleted_hlc
                                      WHEN excluded.deleted THEN excluded.deleted_hlc END,
                   deleted = max(deleted, excluded.deleted),
                   origin_device = excluded.origin_device,
                   server_seq = max(coalesce(server_seq, 0), excluded.server_seq)"
            }
            Self::Facts => {
                "INSERT INTO facts (id, user_id, text, text_hlc, status, status_hlc,
                     source_thread_id, source_item_id, persona_id, created_at, updated_at,
                     deleted, deleted_hlc, origin_device, server_seq)
                 SELECT r->>'id', r->>'user_id', r->>'text', r->>'text_hlc', r->>'status',
                        r->>'status_hlc', r->>'source_thread_id', r->>'source_item_id',
                        r->>'persona_id', r->>'created_at', r->>'updated_at', r->>'deleted',
                        r->>'deleted_hlc', r->>'origin_device', r->>'server_seq'
                   FROM (SELECT value AS r FROM json_each(?1)) WHERE true
                 ON CONFLICT (id) DO UPDATE SET
                   user_id = excluded.user_id,
                   text = CASE WHEN deleted OR excluded.deleted THEN ''
                               WHEN excluded.text_hlc > text_hlc THEN excluded.text
                               ELSE text END,
                   text_hlc = max(text_hlc, excluded.text_hlc),
                   status = iif(NOT deleted AND excluded.status_hlc > status_hlc,
                                excluded.status, status),
                   status_hlc = max(status_hlc, excluded.status_hlc),
                   updated_at = max(updated_at, excluded.updated_at),
                   deleted_hlc = CASE WHEN deleted THEN deleted_hlc
                                      WHEN excluded.deleted THEN excluded.deleted_hlc END,
                   deleted = max(deleted, excluded.deleted),
                   origin_device = excluded.origin_device,
                   server_seq = max(coalesce(server_seq, 0), excluded.server_seq)"
            }
        }
    }

    /// A page's (`?1`) row count, last `server_seq` and newest HLC stamp (for the clock's
    /// receive rule).
    fn summary_sql(self) -> &'static str {
        match self {
            Self::Threads => {
                "SELECT count(*), max(r->>'server_seq'), max(max(r->>'title_hlc', r->>'pinned_hlc', r->>'archived_hlc',
                                r->>'meta_hlc', coalesce(r->>'deleted_hlc', '')))
                   FROM (SELECT value AS r FROM json_each(?1))"
            }
            Self::ThreadItems => {
                "SELECT count(*), max(r->>'server_seq'), max(max(r->>'ord', r->>'data_hlc', coalesce(r->>'deleted_hlc', '')))
                   FROM (SELECT value AS r FROM json_each(?1))"
            }
            Self::Facts => {
                "SELECT count(*), max(r->>'server_seq'), max(max(r->>'text_hlc', r->>'status_hlc', coalesce(r->>'deleted_hlc', '')))
                   FROM (SELECT value AS r FROM json_each(?1))"
            }
        }
    }

    fn cursor_key(self) -> String {
        format!("sync.cursor.{}", self.name())
    }
}

/// A queued row's current state, ready to push.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub row_id: String,
    /// Acknowledge with this number: a change made after it was read keeps the row queued.
    pub change_no: i64,
    /// The row as the server's JSON object.
    pub json: String,
}

/// What applying a pulled page did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Every row merged; the cursor is now `cursor`.
    Page { rows: usize, cursor: i64 },
    /// Items whose threads this device does not have yet: nothing was applied (pull threads
    /// first, then this page again).
    MissingThreads(Vec<String>),
}

/// Linking the store to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// Linked now (or already to this account); `adopted` rows were queued for their first push.
    Ok { adopted: usize },
    /// This device's history already belongs to another account.
    OtherAccount { user_id: String },
}

/// How much is waiting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxCounts {
    /// Rows changed here and not yet on the server.
    pub pending: u64,
    /// Rows the server refused for good (kept for diagnostics).
    pub dead_letters: u64,
}

const CAPTURE: &str = "sync.capture";
const USER: &str = "sync.user_id";

fn get_state(c: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<String>> {
    c.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn set_state(c: &rusqlite::Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// Run `f` with the outbox triggers off (rows applied from the server are not sent back), and
/// turn them back on before the transaction commits.
fn without_capture<T>(
    w: &mut WriteTx<'_>,
    f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let was = get_state(&w.tx, CAPTURE)?;
    if was.is_some() {
        set_state(&w.tx, CAPTURE, "0")?;
    }
    let out = f(w)?;
    if let Some(was) = was {
        set_state(&w.tx, CAPTURE, &was)?;
    }
    Ok(out)
}

impl Store {
    /// The account this device syncs with, if it was ever linked.
    pub fn sync_account(&self) -> Result<Option<String>, StoreError> {
        self.read(|c| Ok(get_state(c, USER)?))
    }

    /// Link the store to `user_id`: from now on every change is queued, and every row the
    /// server has never seen (written before signing in) is queued now. Linking again to the
    /// same account queues nothing (the triggers have kept the queue since); another account
    /// is refused.
    pub fn sync_link(&self, user_id: &str) -> Result<Linked, StoreError> {
        self.write(|w| {
            match get_state(&w.tx, USER)? {
                Some(current) if current != user_id => {
                    return Ok(Linked::OtherAccount { user_id: current });
                }
                // Linked before: the triggers have queued every change since.
                Some(_) => return Ok(Linked::Ok { adopted: 0 }),
                None => {}
            }
            set_state(&w.tx, USER, user_id)?;
            set_state(&w.tx, CAPTURE, "1")?;
            let now = w.now();
            let mut adopted = 0;
            for t in SyncTable::ORDER {
                adopted += w.tx.execute(
                    &format!(
                        "INSERT INTO sync_outbox (tbl, row_id, queued_at)
                         SELECT ?1, id, ?2 FROM {} WHERE server_seq IS NULL
                         ON CONFLICT (tbl, row_id) DO NOTHING",
                        t.name()
                    ),
                    params![t.name(), now],
                )?;
            }
            Ok(Linked::Ok { adopted })
        })
    }

    /// Up to `limit` queued rows of `table` that are due at `now` (oldest first), as the
    /// server's JSON with `user_id` as the owner. Entries whose row no longer exists are dropped
    /// as they come up.
    pub fn outbox_batch(
        &self,
        table: SyncTable,
        user_id: &str,
        now: i64,
        limit: usize,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        self.write(|w| {
            let mut st = w.tx.prepare_cached(&format!(
                "SELECT o.row_id, o.change_no, iif(t.id IS NULL, NULL, {})
                   FROM sync_outbox o LEFT JOIN {} t ON t.id = o.row_id
                  WHERE o.tbl = ?2 AND o.next_attempt_at <= ?3
                  ORDER BY o.queued_at, o.row_id LIMIT ?4",
                table.row_json(),
                table.name()
            ))?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            loop {
                let mut rows = Vec::new();
                let mut gone = Vec::new();
                for r in st.query_map(params![user_id, table.name(), now, limit], |r| {
                    Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?))
                })? {
                    match r? {
                        (row_id, change_no, Some(json)) => {
                            rows.push(OutboxRow { row_id, change_no, json });
                        }
                        (row_id, _, None) => gone.push(row_id),
                    }
                }
                // Entries whose row no longer exists have nothing to send.
                for row_id in &gone {
                    w.tx.execute(
                        "DELETE FROM sync_outbox WHERE tbl = ?1 AND row_id = ?2",
                        params![table.name(), row_id],
                    )?;
                }
                if gone.is_empty() || !rows.is_empty() {
                    return Ok(rows);
                }
            }
        })
    }

    /// The server has these row states: forget them unless they changed since they were read.
    pub fn outbox_ack(&self, table: SyncTable, rows: &[OutboxRow]) -> Result<(), StoreError> {
        self.write(|w| {
            let mut st = w.tx.prepare_cached(
                "DELETE FROM sync_outbox WHERE tbl = ?1 AND row_id = ?2 AND change_no = ?3",
            )?;
            for r in rows {
                st.execute(params![table.name(), r.row_id, r.change_no])?;
            }
            Ok(())
        })
    }

    /// Try these rows again no earlier than `next_at` (unix ms), noting why they failed.
    pub fn outbox_defer(
        &self,
        table: SyncTable,
        rows: &[OutboxRow],
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.write(|w| {
            let mut st = w.tx.prepare_cached(
                "UPDATE sync_outbox SET attempts = attempts + 1, next_attempt_at = ?3,
                        last_error = ?4
                  WHERE tbl = ?1 AND row_id = ?2",
            )?;
            for r in rows {
                st.execute(params![table.name(), r.row_id, next_at, error])?;
            }
            Ok(())
        })
    }

    /// The server refused this row for good: keep what was sent and why, and take it out of the
    /// queue (a later change queues it again).
    pub fn outbox_dead_letter(
        &self,
        table: SyncTable,
        row: &OutboxRow,
        http_status: Option<u16>,
        code: Option<&str>,
        message: &str,
    ) -> Result<(), StoreError> {
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO sync_dead_letter (tbl, row_id, payload, http_status, code, message, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![table.name(), row.row_id, row.json, http_status, code, message, w.now()],
            )?;
            w.tx.execute(
                "DELETE FROM sync_outbox WHERE tbl = ?1 AND row_id = ?2 AND change_no = ?3",
                params![table.name(), row.row_id, row.change_no],
            )?;
            Ok(())
        })
    }

    /// Rows waiting to be pushed and rows parked as dead letters.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        self.read(|c| {
            let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
            Ok(OutboxCounts {
                pending: u64::try_from(n("SELECT count(*) FROM sync_outbox")?).unwrap_or(0),
                dead_letters: u64::try_from(n("SELECT count(*) FROM sync_dead_letter")?)
                    .unwrap_or(0),
            })
        })
    }

    /// The `server_seq` of the last row of `table` applied here.
    pub fn sync_cursor(&self, table: SyncTable) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(get_state(c, &table.cursor_key())?.and_then(|v| v.parse().ok()).unwrap_or(0))
        })
    }

    /// Merge a pulled page (a JSON array of server rows in `server_seq` order) and move the
    /// cursor to its last row, in one transaction: a crash either keeps both or neither, and
    /// pulling the page again merges to the same rows.
    pub fn apply_pulled(&self, table: SyncTable, page: &str) -> Result<Applied, StoreError> {
        self.write(|w| {
            if table == SyncTable::ThreadItems {
                let mut st = w.tx.prepare_cached(
                    "SELECT DISTINCT r->>'thread_id' FROM (SELECT value AS r FROM json_each(?1))
                      WHERE NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = r->>'thread_id')",
                )?;
                let missing = st
                    .query_map([page], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                if !missing.is_empty() {
                    return Ok(Applied::MissingThreads(missing));
                }
            }
            let (rows, last, newest): (i64, Option<i64>, Option<String>) =
                w.tx.query_row(table.summary_sql(), [page], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            without_capture(w, |w| {
                w.tx.prepare_cached(table.merge_sql())?.execute([page])?;
                Ok(())
            })?;
            if let Some(stamp) = newest.and_then(|s| s.parse::<Hlc>().ok()) {
                w.observe(stamp);
            }
            let cursor = last.unwrap_or(0).max(
                get_state(&w.tx, &table.cursor_key())?.and_then(|v| v.parse().ok()).unwrap_or(0),
            );
            set_state(&w.tx, &table.cursor_key(), &cursor.to_string())?;
            Ok(Applied::Page { rows: usize::try_from(rows).unwrap_or(0), cursor })
        })
    }
}
