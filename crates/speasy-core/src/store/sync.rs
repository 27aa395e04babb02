//! The device side of sync (`supabase-sync.md` §4.3–4.4): linking the store to an account
//! (adopting what was written before), the outbox the triggers of migration 0004 fill, the row
//! states a push sends, and applying pulled pages with the same merge rules as the server's
//! triggers (`supabase/migrations`), each page in one transaction with its cursor.
//!
//! Rows travel as JSON objects with the server's column names and types (booleans, JSON values,
//! 32-hex device ids). Pushed states are built by SQLite's `json_object`; a pulled page is parsed
//! once (each column's JSON left raw) and bound by column name into one prepared merge
//! statement, with the page's items indexed for search in one statement at the end.

use std::collections::{BTreeSet, HashMap};

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
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

    /// Upsert one pulled row (named parameters: the server's columns) merging field by field as
    /// the server's trigger does. JSON columns go through `json()`, which checks and minifies
    /// them.
    fn merge_sql(self) -> &'static str {
        match self {
            Self::Threads => {
                "INSERT INTO threads (id, user_id, title, title_hlc, pinned, pinned_hlc, archived,
                     archived_hlc, persona_id, status, metadata, meta_hlc, created_at, updated_at,
                     deleted, deleted_hlc, origin_device, server_seq)
                 SELECT :id, :user_id, :title, :title_hlc, :pinned, :pinned_hlc, :archived,
                        :archived_hlc, :persona_id, :status, :metadata, :meta_hlc,
                        :created_at, :updated_at, :deleted, :deleted_hlc, :origin_device,
                        :server_seq
                  WHERE true
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
                 SELECT :id, :thread_id, :user_id, :type, :created_at, :ord, :hidden,
                        iif(:deleted OR p.deleted, json_object('type', :type), :data),
                        :data_hlc, max(:deleted, p.deleted),
                        iif(:deleted, :deleted_hlc, iif(p.deleted, p.deleted_hlc, NULL)),
                        :origin_device, :server_seq
                   FROM threads p
                  WHERE p.id = :thread_id
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
                 SELECT :id, :user_id, :text, :text_hlc, :status, :status_hlc,
                        :source_thread_id, :source_item_id, :persona_id, :created_at,
                        :updated_at, :deleted, :deleted_hlc, :origin_device, :server_seq
                  WHERE true
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

    /// The server columns [`Self::merge_sql`] reads, in the order a [`PulledPage`] holds them.
    fn merge_columns(self) -> &'static [&'static str] {
        match self {
            Self::Threads => &[
                "id",
                "user_id",
                "title",
                "title_hlc",
                "pinned",
                "pinned_hlc",
                "archived",
                "archived_hlc",
                "persona_id",
                "status",
                "metadata",
                "meta_hlc",
                "created_at",
                "updated_at",
                "deleted",
                "deleted_hlc",
                "origin_device",
                "server_seq",
            ],
            Self::ThreadItems => &[
                "id",
                "thread_id",
                "user_id",
                "type",
                "created_at",
                "ord",
                "hidden",
                "data",
                "data_hlc",
                "deleted",
                "deleted_hlc",
                "origin_device",
                "server_seq",
            ],
            Self::Facts => &[
                "id",
                "user_id",
                "text",
                "text_hlc",
                "status",
                "status_hlc",
                "source_thread_id",
                "source_item_id",
                "persona_id",
                "created_at",
                "updated_at",
                "deleted",
                "deleted_hlc",
                "origin_device",
                "server_seq",
            ],
        }
    }

    /// The HLC stamps of a row, the newest of which feeds the clock's receive rule.
    fn stamp_columns(self) -> &'static [&'static str] {
        match self {
            Self::Threads => {
                &["title_hlc", "pinned_hlc", "archived_hlc", "meta_hlc", "deleted_hlc"]
            }
            Self::ThreadItems => &["ord", "data_hlc", "deleted_hlc"],
            Self::Facts => &["text_hlc", "status_hlc", "deleted_hlc"],
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
/// While set, the item triggers leave the search index to the page being applied.
const FTS_BATCH: &str = "fts.batch";

/// A `sync_state` value (cursors, switches, the clock correction).
pub(super) fn get_state(c: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<String>> {
    c.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()
}

pub(super) fn set_state(c: &rusqlite::Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

pub(super) fn clear_state(c: &rusqlite::Connection, key: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM sync_state WHERE key = ?1", [key])?;
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

    /// The server refused stamps as being in the future: this device's clock was ahead. With
    /// the clock now corrected ([`Store::set_clock_offset`]), the stamps this device made later
    /// than `limit_ms` on queued rows (changes not yet on the server) are replaced by fresh
    /// ones, in their old order; an item's place (`ord`) only while the server has never seen
    /// the item, since the server keeps the first. The HLC comes back to the highest stamp kept
    /// (or now), so the fresh stamps still sort after everything else. The rows stay queued
    /// (the triggers count the change). Returns how many stamps changed.
    pub fn restamp_future(&self, limit_ms: i64) -> Result<usize, StoreError> {
        self.write(|w| {
            let limit = format!("{:015}", limit_ms.max(0));
            let ours = w.hlc.last().device.simple().to_string();
            // What is re-stamped: a stamp this device made (its id ends the stamp), beyond the
            // limit, on a queued row.
            let ahead = |table: SyncTable, column: &str| {
                let unsent = if column == "ord" { " AND server_seq IS NULL" } else { "" };
                format!(
                    "substr({column}, 1, 15) > ?1 AND substr({column}, -32) = ?2 AND id IN
                       (SELECT row_id FROM sync_outbox WHERE tbl = '{t}'){unsent}",
                    t = table.name()
                )
            };
            let mut kept: Option<Hlc> = None;
            for table in SyncTable::ORDER {
                for column in table.stamp_columns() {
                    let highest: Option<String> = w.tx.query_row(
                        &format!(
                            "SELECT max({column}) FROM {t} WHERE {column} IS NOT NULL
                                AND NOT ({cond})",
                            t = table.name(),
                            cond = ahead(table, column)
                        ),
                        [&limit, &ours],
                        |r| r.get(0),
                    )?;
                    if let Some(h) = highest.and_then(|h| h.parse::<Hlc>().ok()) {
                        kept = Some(kept.map_or(h, |k| k.max(h)));
                    }
                }
            }
            let now = Hlc { ms: w.now(), counter: 0, device: w.hlc.last().device };
            w.hlc.rewind(kept.map_or(now, |k| k.max(now)));
            w.stamped = true;
            let mut changed = 0;
            for table in SyncTable::ORDER {
                for column in table.stamp_columns() {
                    let ids: Vec<String> =
                        w.tx.prepare(&format!(
                            "SELECT id FROM {t} WHERE {cond} ORDER BY {column}",
                            t = table.name(),
                            cond = ahead(table, column)
                        ))?
                        .query_map([&limit, &ours], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for id in ids {
                        let stamp = w.stamp();
                        w.tx.execute(
                            &format!("UPDATE {} SET {column} = ?1 WHERE id = ?2", table.name()),
                            params![stamp, id],
                        )?;
                        changed += 1;
                    }
                }
            }
            if changed > 0 {
                tracing::warn!(
                    changed,
                    "re-stamped changes made while this device's clock was ahead"
                );
            }
            Ok(changed)
        })
    }

    /// Forget the account and the server this store synced with (another project): the next
    /// sign-in links it again and queues every row, and pulls start from the beginning. Local
    /// data stays; refused rows stay in `sync_dead_letter` for diagnostics.
    pub fn sync_unlink(&self) -> Result<(), StoreError> {
        self.write(|w| {
            w.tx.execute(
                "DELETE FROM sync_state WHERE key IN (?1, ?2) OR key LIKE 'sync.cursor.%'",
                [USER, CAPTURE],
            )?;
            w.tx.execute("DELETE FROM sync_outbox", [])?;
            for table in SyncTable::ORDER {
                w.tx.execute(&format!("UPDATE {} SET server_seq = NULL", table.name()), [])?;
            }
            Ok(())
        })
    }

    /// Merge a pulled page (a JSON array of server rows in `server_seq` order) and move the
    /// cursor to its last row, in one transaction. [`PulledPage::parse`] then
    /// [`Store::apply_page`].
    pub fn apply_pulled(&self, table: SyncTable, page: &str) -> Result<Applied, StoreError> {
        self.apply_page(&PulledPage::parse(table, page)?)
    }

    /// Merge a parsed page and move the cursor to its last row, in one transaction: a crash
    /// either keeps both or neither, and applying the page again merges to the same rows.
    pub fn apply_page(&self, page: &PulledPage) -> Result<Applied, StoreError> {
        let table = page.table;
        let summary = &page.summary;
        self.write(|w| {
            if table == SyncTable::ThreadItems {
                let mut known = w.tx.prepare_cached("SELECT 1 FROM threads WHERE id = ?1")?;
                let mut missing = Vec::new();
                for id in &summary.threads {
                    if !known.exists([id])? {
                        missing.push(id.clone());
                    }
                }
                if !missing.is_empty() {
                    return Ok(Applied::MissingThreads(missing));
                }
            }
            // Items are indexed for search by the page (migrations 0005 and 0006).
            let batch_fts = table == SyncTable::ThreadItems;
            let ids = if batch_fts { serde_json::to_string(&summary.ids)? } else { String::new() };
            if batch_fts {
                // The item triggers leave the index to this page (migration 0005). The index
                // keeps no copy of the text (migration 0006), so what the page's rows had
                // indexed is taken out while they still hold it.
                set_state(&w.tx, FTS_BATCH, "1")?;
                w.tx.prepare_cached(
                    "INSERT INTO item_fts (item_fts, rowid, text)
                     SELECT 'delete', item_rowid, text FROM item_search_text
                      WHERE item_rowid IN (SELECT rowid FROM thread_items
                                            WHERE id IN (SELECT value FROM json_each(?1)))",
                )?
                .execute([&ids])?;
            }
            without_capture(w, |w| {
                let mut merge = w.tx.prepare_cached(table.merge_sql())?;
                // Each of the statement's parameters, by name, as a column of the parsed rows.
                let columns = table.merge_columns();
                let order = (1..=merge.parameter_count())
                    .map(|i| {
                        let name = merge.parameter_name(i).unwrap_or_default();
                        let name = name.trim_start_matches(':');
                        columns.iter().position(|c| *c == name).ok_or_else(|| {
                            StoreError::Invalid(format!(
                                "the merge of {} reads {name}",
                                table.name()
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                for row in &page.rows {
                    for (i, &column) in order.iter().enumerate() {
                        merge.raw_bind_parameter(i + 1, &row[column])?;
                    }
                    merge.raw_execute()?;
                }
                Ok(())
            })?;
            if batch_fts {
                // Index the page's rows as they are now, in one statement, as the item triggers
                // would have row by row.
                w.tx.prepare_cached(
                    "INSERT INTO item_fts (rowid, text)
                     SELECT item_rowid, text FROM item_search_text
                      WHERE item_rowid IN (SELECT rowid FROM thread_items
                                            WHERE id IN (SELECT value FROM json_each(?1)))",
                )?
                .execute([&ids])?;
                clear_state(&w.tx, FTS_BATCH)?;
            }
            if let Some(stamp) = summary.newest.as_deref().and_then(|s| s.parse::<Hlc>().ok()) {
                w.observe(stamp);
            }
            let cursor = summary.last.max(
                get_state(&w.tx, &table.cursor_key())?.and_then(|v| v.parse().ok()).unwrap_or(0),
            );
            set_state(&w.tx, &table.cursor_key(), &cursor.to_string())?;
            Ok(Applied::Page { rows: page.rows.len(), cursor })
        })
    }
}

/// A pulled page, parsed and bound-ready: the work that needs no database, done before the
/// write lock is taken (the sync engine does it while the previous page merges).
#[derive(Debug)]
pub struct PulledPage {
    table: SyncTable,
    /// Each row's values as SQLite takes them, in [`SyncTable::merge_columns`] order.
    rows: Vec<Vec<Value>>,
    summary: PageSummary,
}

impl PulledPage {
    /// Parse a page (a JSON array of server rows in `server_seq` order).
    pub fn parse(table: SyncTable, page: &str) -> Result<Self, StoreError> {
        let raw: Vec<PulledRow<'_>> = serde_json::from_str(page)?;
        let summary = PageSummary::of(table, &raw)?;
        let columns = table.merge_columns();
        let rows = raw
            .iter()
            .map(|row| columns.iter().map(|c| row.sql(c)).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { table, rows, summary })
    }

    /// The highest `server_seq` of its rows: where the next page starts.
    pub fn last_seq(&self) -> i64 {
        self.summary.last
    }

    /// No rows: the pull has reached the end.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One pulled row as the server sent it: each column's JSON left unparsed until it is bound.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct PulledRow<'a>(#[serde(borrow)] HashMap<&'a str, &'a RawValue>);

impl PulledRow<'_> {
    /// Column `name` as SQLite receives it from `->>` (text, number, 0/1, NULL), or as minified
    /// JSON text for an object or array. A column the row lacks is NULL.
    fn sql(&self, name: &str) -> Result<Value, StoreError> {
        let Some(raw) = self.0.get(name) else { return Ok(Value::Null) };
        let json = raw.get();
        Ok(match json.as_bytes().first() {
            Some(b'"') => Value::Text(serde_json::from_str::<String>(json)?),
            Some(b't') => Value::Integer(1),
            Some(b'f') => Value::Integer(0),
            Some(b'n') | None => Value::Null,
            Some(b'{' | b'[') => Value::Text(minified(json)),
            Some(_) => match json.parse::<i64>() {
                Ok(n) => Value::Integer(n),
                Err(_) => Value::Real(serde_json::from_str::<f64>(json)?),
            },
        })
    }

    fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
    }
}

/// Valid JSON `json` without the whitespace between its tokens, as SQLite's `json()` and
/// serde_json write it: everything else byte for byte (numbers keep their exact text, which a
/// round trip through a parser would not promise). Done while parsing a page, off the write
/// lock, where `json(:data)` in the merge cost ~5 % of it.
fn minified(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    // Whitespace is ASCII, so cutting at it never splits a character.
    let mut start = 0;
    for (i, b) in json.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.push_str(&json[start..i]);
            start = i + 1;
        }
    }
    out.push_str(&json[start..]);
    out
}

/// What a page says before it is merged: its rows' ids, its last `server_seq`, its newest stamp
/// and, for items, the threads they belong to.
#[derive(Debug)]
struct PageSummary {
    /// The rows' ids, in page order.
    ids: Vec<String>,
    last: i64,
    newest: Option<String>,
    threads: BTreeSet<String>,
}

impl PageSummary {
    fn of(table: SyncTable, rows: &[PulledRow<'_>]) -> Result<Self, StoreError> {
        let mut summary = Self {
            ids: Vec::with_capacity(rows.len()),
            last: 0,
            newest: None,
            threads: BTreeSet::new(),
        };
        for row in rows {
            let seq = row.0.get("server_seq").and_then(|raw| raw.get().parse::<i64>().ok());
            let Some(seq) = seq else {
                return Err(StoreError::Invalid("a pulled row has no server_seq".into()));
            };
            summary.last = summary.last.max(seq);
            summary.ids.extend(row.text("id"));
            for column in table.stamp_columns() {
                if let Some(stamp) = row.text(column)
                    && summary.newest.as_ref().is_none_or(|n| stamp > *n)
                {
                    summary.newest = Some(stamp);
                }
            }
            if table == SyncTable::ThreadItems
                && let Some(thread) = row.text("thread_id")
            {
                summary.threads.insert(thread);
            }
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value;

    use super::{PulledRow, minified};

    #[test]
    fn minifying_keeps_strings_and_numbers_exactly() {
        let json = " {\"a b\" :\t[1.50, -2e10 ,12345678901234567890123],\r\n \"s\": \"x \\\" y\\\\\", \"u\": \"é \\u00e9\" } ";
        let min = minified(json);
        assert_eq!(
            min,
            r#"{"a b":[1.50,-2e10,12345678901234567890123],"s":"x \" y\\","u":"é \u00e9"}"#
        );
        let (a, b): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(json).unwrap(), serde_json::from_str(&min).unwrap());
        assert_eq!(a, b);
        assert_eq!(minified(&min), min);
    }

    #[test]
    fn pulled_columns_bind_as_sqlite_reads_them() {
        let page = r#"[{"id": "a", "n": 7, "x": 1.5, "ok": true, "no": false, "gone": null,
                        "data": {"k": [1, "two"]}, "q": "say \"hi\"\n"},
                       {"q": "plain", "data": [], "ok": false, "id": "b", "n": -2}]"#;
        let rows: Vec<PulledRow<'_>> = serde_json::from_str(page).unwrap();
        let names = ["id", "n", "x", "ok", "no", "gone", "data", "q", "missing"];
        let bound: Vec<Vec<Value>> =
            rows.iter().map(|row| names.iter().map(|n| row.sql(n).unwrap()).collect()).collect();
        use Value::{Integer as I, Null, Real, Text as T};
        assert_eq!(
            bound[0],
            [
                T("a".into()),
                I(7),
                Real(1.5),
                I(1),
                I(0),
                Null,
                T(r#"{"k":[1,"two"]}"#.into()),
                T("say \"hi\"\n".into()),
                Null
            ]
        );
        assert_eq!(
            bound[1],
            [T("b".into()), I(-2), Null, I(0), Null, Null, T("[]".into()), T("plain".into()), Null]
        );
        assert_eq!(rows[0].text("q").as_deref(), Some("say \"hi\"\n"));
    }
}
