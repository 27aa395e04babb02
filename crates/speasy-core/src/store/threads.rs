//! Threads and thread items, following ChatKit's `Store` contract: load/save thread, items paged
//! ascending or descending after an `after` cursor with `has_more`, add/save/load/delete item,
//! delete thread.
//!
//! Ordering: threads by `(created_at, id)`; items by `ord`, the HLC stamped when the item was
//! first stored (causal across devices, unique, so a cursor never splits ties). Deletes are
//! tombstones that clear the content; tombstoned rows never appear in results.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::{Store, WriteTx};
use crate::chatkit::{
    Order, Page, ThreadItem, ThreadMetadata, ThreadStatus, format_time, parse_time,
};
use crate::clock::new_id;
use crate::error::StoreError;

/// How to page through a thread's items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemQuery {
    /// Id of the last item of the previous page.
    pub after: Option<String>,
    pub limit: usize,
    pub order: Order,
    /// Include `hidden_context_item`/`sdk_hidden_context` (the model needs them; clients don't).
    pub include_hidden: bool,
}

impl Default for ItemQuery {
    fn default() -> Self {
        Self { after: None, limit: 20, order: Order::Asc, include_hidden: false }
    }
}

const COLS: &str = "id, title, created_at, updated_at, pinned, persona_id";

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<ThreadSummary> {
    Ok(ThreadSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        created_at: format_time(r.get(2)?),
        updated_at: format_time(r.get(3)?),
        pinned: r.get(4)?,
        persona_id: r.get(5)?,
        answering: false,
    })
}

/// The sidebar's page cursor: the last row's sort key itself (`pinned.updated_at.id`), so a
/// page still follows on correctly when that row was changed or deleted since.
fn summary_cursor(t: &ThreadSummary) -> String {
    let at = parse_time(&t.updated_at).unwrap_or_default();
    format!("{}.{at}.{}", u8::from(t.pinned), t.id)
}

fn parse_summary_cursor(cursor: &str) -> Option<(bool, i64, &str)> {
    let mut parts = cursor.splitn(3, '.');
    let pinned = match parts.next()? {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let at = parts.next()?.parse().ok()?;
    Some((pinned, at, parts.next()?))
}

/// A thread as the sidebar lists it: pinned first, then most recently active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ThreadSummary {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<String>,
    pub created_at: String,
    /// When the thread last changed (a new item, a rename, a persona change).
    pub updated_at: String,
    pub pinned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub persona_id: Option<String>,
    /// An answer is being written in it right now (known to the running app, not stored).
    pub answering: bool,
}

fn not_found(what: &'static str, id: &str) -> StoreError {
    StoreError::NotFound { what, id: id.to_owned() }
}

fn order_sql(order: Order) -> (&'static str, &'static str) {
    match order {
        Order::Asc => (">", "ASC"),
        Order::Desc => ("<", "DESC"),
    }
}

/// Turn `limit + 1` fetched rows into a page.
fn into_page<T>(mut rows: Vec<T>, limit: usize, id_of: impl Fn(&T) -> String) -> Page<T> {
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let after = if has_more { rows.last().map(id_of) } else { None };
    Page { data: rows, has_more, after }
}

fn thread_from_row(r: &Row<'_>) -> rusqlite::Result<(String, Option<String>, i64, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_metadata(
    (id, title, created_at, status, metadata): (String, Option<String>, i64, String, String),
) -> Result<ThreadMetadata, StoreError> {
    Ok(ThreadMetadata {
        id,
        title,
        created_at: format_time(created_at),
        status: serde_json::from_str::<ThreadStatus>(&status)?,
        metadata: serde_json::from_str::<Map<String, Value>>(&metadata)?,
    })
}

const THREAD_COLS: &str = "id, title, created_at, status, metadata";

fn item_hidden(item: &ThreadItem) -> i64 {
    i64::from(item.is_hidden())
}

impl Store {
    /// A new thread id (UUIDv7).
    pub fn generate_thread_id(&self) -> String {
        new_id()
    }

    /// A new item id (UUIDv7). ChatKit ids are opaque; only uniqueness matters.
    pub fn generate_item_id(&self) -> String {
        new_id()
    }

    pub fn load_thread(&self, thread_id: &str) -> Result<ThreadMetadata, StoreError> {
        let row = self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {THREAD_COLS} FROM threads WHERE id = ?1 AND deleted = 0"),
                [thread_id],
                thread_from_row,
            )
            .optional()?)
        })?;
        to_metadata(row.ok_or_else(|| not_found("Thread", thread_id))?)
    }

    /// Insert or update a thread. Title changes are stamped for last-writer-wins sync.
    pub fn save_thread(&self, thread: &ThreadMetadata) -> Result<(), StoreError> {
        let status = serde_json::to_string(&thread.status)?;
        let metadata = serde_json::to_string(&thread.metadata)?;
        self.write(|w| {
            let existing: Option<(Option<String>, bool)> = w
                .tx
                .query_row("SELECT title, deleted FROM threads WHERE id = ?1", [&thread.id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            match existing {
                Some((_, true)) => Err(not_found("Thread", &thread.id)),
                Some((title, false)) => {
                    let now = w.now();
                    if title != thread.title {
                        let stamp = w.stamp();
                        w.tx.execute(
                            "UPDATE threads SET title = ?2, title_hlc = ?3 WHERE id = ?1",
                            params![thread.id, thread.title, stamp],
                        )?;
                    }
                    let stamp = w.stamp();
                    w.tx.execute(
                        "UPDATE threads SET status = ?2, metadata = ?3, updated_at = ?4, meta_hlc = ?5
                          WHERE id = ?1 AND (status <> ?2 OR metadata <> ?3)",
                        params![thread.id, status, metadata, now, stamp],
                    )?;
                    Ok(())
                }
                None => insert_thread(w, thread, &status, &metadata),
            }
        })
    }

    /// Pin or unpin a thread (stamped for sync).
    pub fn set_thread_pinned(&self, thread_id: &str, pinned: bool) -> Result<(), StoreError> {
        self.write(|w| {
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE threads SET pinned = ?2, pinned_hlc = ?3 WHERE id = ?1 AND deleted = 0",
                params![thread_id, pinned, stamp],
            )?;
            if n == 0 { Err(not_found("Thread", thread_id)) } else { Ok(()) }
        })
    }

    /// Threads ordered by creation time, `limit` per page.
    pub fn load_threads(
        &self,
        limit: usize,
        after: Option<&str>,
        order: Order,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        let (cmp, dir) = order_sql(order);
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let rows = self.read(|c| {
            let rows = match after {
                None => {
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {THREAD_COLS} FROM threads WHERE deleted = 0
                         ORDER BY created_at {dir}, id {dir} LIMIT ?1"
                    ))?;
                    st.query_map([fetch], thread_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?
                }
                Some(after) => {
                    let anchor: Option<(i64, String)> = c
                        .query_row(
                            "SELECT created_at, id FROM threads WHERE id = ?1",
                            [after],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    let (at, id) = anchor.ok_or_else(|| not_found("Thread cursor", after))?;
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {THREAD_COLS} FROM threads WHERE deleted = 0
                           AND (created_at, id) {cmp} (?1, ?2)
                         ORDER BY created_at {dir}, id {dir} LIMIT ?3"
                    ))?;
                    st.query_map(params![at, id, fetch], thread_from_row)?
                        .collect::<rusqlite::Result<Vec<_>>>()?
                }
            };
            Ok(rows)
        })?;
        let rows = rows.into_iter().map(to_metadata).collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(rows, limit, |t| t.id.clone()))
    }

    /// One thread's summary (its persona, pinned state, last activity).
    pub fn load_thread_summary(&self, thread_id: &str) -> Result<ThreadSummary, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {COLS} FROM threads WHERE id = ?1 AND deleted = 0"),
                [thread_id],
                summary_from_row,
            )
            .optional()?
            .ok_or_else(|| not_found("Thread", thread_id))
        })
    }

    /// Threads for the sidebar, `limit` per page: pinned first, then by last activity, newest
    /// first (the `threads_by_updated` index). `after` is the previous page's cursor.
    pub fn list_thread_summaries(
        &self,
        limit: usize,
        after: Option<&str>,
    ) -> Result<Page<ThreadSummary>, StoreError> {
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let from_row = summary_from_row;
        let rows = self.read(|c| {
            let rows = match after {
                None => {
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {COLS} FROM threads WHERE deleted = 0
                         ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ?1"
                    ))?;
                    st.query_map([fetch], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?
                }
                Some(after) => {
                    let (pinned, at, id) = parse_summary_cursor(after)
                        .ok_or_else(|| not_found("Thread cursor", after))?;
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {COLS} FROM threads WHERE deleted = 0
                           AND (pinned < ?1 OR (pinned = ?1 AND (updated_at, id) < (?2, ?3)))
                         ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ?4"
                    ))?;
                    st.query_map(params![pinned, at, id, fetch], from_row)?
                        .collect::<rusqlite::Result<Vec<_>>>()?
                }
            };
            Ok(rows)
        })?;
        Ok(into_page(rows, limit, summary_cursor))
    }

    /// Delete a thread: it and its items become tombstones, their content cleared.
    pub fn delete_thread(&self, thread_id: &str) -> Result<(), StoreError> {
        self.write(|w| {
            let stamp = w.stamp();
            let now = w.now();
            let n = w.tx.execute(
                "UPDATE threads SET deleted = 1, deleted_hlc = ?2, title = NULL, metadata = '{}',
                        updated_at = ?3
                  WHERE id = ?1 AND deleted = 0",
                params![thread_id, stamp, now],
            )?;
            if n == 0 { Err(not_found("Thread", thread_id)) } else { Ok(()) }
        })
    }

    /// One page of a thread's items.
    pub fn load_thread_items(
        &self,
        thread_id: &str,
        q: &ItemQuery,
    ) -> Result<Page<ThreadItem>, StoreError> {
        let (cmp, dir) = order_sql(q.order);
        let hidden = if q.include_hidden { "" } else { "AND hidden = 0" };
        let fetch = i64::try_from(q.limit).unwrap_or(i64::MAX).saturating_add(1);
        let rows: Vec<String> = self.read(|c| {
            let exists: bool = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM threads WHERE id = ?1 AND deleted = 0)",
                [thread_id],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(not_found("Thread", thread_id));
            }
            let rows = match &q.after {
                None => {
                    let mut st = c.prepare_cached(&format!(
                        "SELECT data FROM thread_items
                          WHERE thread_id = ?1 AND deleted = 0 {hidden}
                          ORDER BY ord {dir} LIMIT ?2"
                    ))?;
                    st.query_map(params![thread_id, fetch], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?
                }
                Some(after) => {
                    let ord: String = c
                        .query_row(
                            "SELECT ord FROM thread_items WHERE id = ?1 AND thread_id = ?2",
                            [after, thread_id],
                            |r| r.get(0),
                        )
                        .optional()?
                        .ok_or_else(|| not_found("Item cursor", after))?;
                    let mut st = c.prepare_cached(&format!(
                        "SELECT data FROM thread_items
                          WHERE thread_id = ?1 AND deleted = 0 {hidden} AND ord {cmp} ?2
                          ORDER BY ord {dir} LIMIT ?3"
                    ))?;
                    st.query_map(params![thread_id, ord, fetch], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?
                }
            };
            Ok(rows)
        })?;
        let items = rows
            .iter()
            .map(|d| serde_json::from_str::<ThreadItem>(d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, q.limit, |i| i.id.clone()))
    }

    /// Insert a new item (fails if the id exists).
    pub fn add_thread_item(&self, thread_id: &str, item: &ThreadItem) -> Result<(), StoreError> {
        self.add_thread_items(thread_id, std::slice::from_ref(item))
    }

    /// Insert several items of one thread in one transaction.
    pub fn add_thread_items(
        &self,
        thread_id: &str,
        items: &[ThreadItem],
    ) -> Result<(), StoreError> {
        self.write(|w| {
            check_thread(w, thread_id)?;
            for item in items {
                insert_item(w, thread_id, item)?;
            }
            touch_thread(w, thread_id)
        })
    }

    /// Insert or replace an item by id (the replaced item keeps its place in the thread).
    pub fn save_item(&self, thread_id: &str, item: &ThreadItem) -> Result<(), StoreError> {
        self.write(|w| {
            check_thread(w, thread_id)?;
            let existing: Option<(String, bool)> =
                w.tx.query_row(
                    "SELECT thread_id, deleted FROM thread_items WHERE id = ?1",
                    [&item.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match existing {
                None => insert_item(w, thread_id, item)?,
                Some((t, _)) if t != thread_id => {
                    return Err(StoreError::Invalid(format!(
                        "item {} belongs to another thread",
                        item.id
                    )));
                }
                Some((_, true)) => return Err(not_found("Item", &item.id)),
                Some((_, false)) => {
                    check_item(thread_id, item)?;
                    let stamp = w.stamp();
                    w.tx.execute(
                        "UPDATE thread_items SET type = ?2, hidden = ?3, data = ?4, data_hlc = ?5
                          WHERE id = ?1",
                        params![
                            item.id,
                            item.kind,
                            item_hidden(item),
                            serde_json::to_string(item)?,
                            stamp
                        ],
                    )?;
                }
            }
            touch_thread(w, thread_id)
        })
    }

    pub fn load_item(&self, thread_id: &str, item_id: &str) -> Result<ThreadItem, StoreError> {
        let data: Option<String> = self.read(|c| {
            Ok(c.query_row(
                "SELECT data FROM thread_items WHERE id = ?1 AND thread_id = ?2 AND deleted = 0",
                [item_id, thread_id],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        Ok(serde_json::from_str(&data.ok_or_else(|| not_found("Item", item_id))?)?)
    }

    /// Delete every item that came after `item_id` in its thread (ChatKit's retry). Returns how
    /// many were deleted.
    pub fn delete_items_after(&self, thread_id: &str, item_id: &str) -> Result<usize, StoreError> {
        self.write(|w| {
            let ord: String = w
                .tx
                .query_row(
                    "SELECT ord FROM thread_items WHERE id = ?1 AND thread_id = ?2 AND deleted = 0",
                    [item_id, thread_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("Item", item_id))?;
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE thread_items SET deleted = 1, deleted_hlc = ?3, data = json_object('type', type)
                  WHERE thread_id = ?1 AND ord > ?2 AND deleted = 0",
                params![thread_id, ord, stamp],
            )?;
            touch_thread(w, thread_id)?;
            Ok(n)
        })
    }

    /// Delete an item: a tombstone with its content cleared.
    pub fn delete_thread_item(&self, thread_id: &str, item_id: &str) -> Result<(), StoreError> {
        self.write(|w| {
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE thread_items SET deleted = 1, deleted_hlc = ?3, data = json_object('type', type)
                  WHERE id = ?1 AND thread_id = ?2 AND deleted = 0",
                params![item_id, thread_id, stamp],
            )?;
            if n == 0 { Err(not_found("Item", item_id)) } else { Ok(()) }
        })
    }
}

fn insert_thread(
    w: &mut WriteTx<'_>,
    thread: &ThreadMetadata,
    status: &str,
    metadata: &str,
) -> Result<(), StoreError> {
    let created = parse_time(&thread.created_at).unwrap_or_else(|| w.now());
    let stamp = w.stamp();
    let device = w.device();
    w.tx.execute(
        "INSERT INTO threads (id, title, title_hlc, pinned_hlc, archived_hlc, meta_hlc, status,
                              metadata, created_at, updated_at, origin_device)
         VALUES (?1, ?2, ?3, ?3, ?3, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![thread.id, thread.title, stamp, status, metadata, created, w.now(), device],
    )?;
    Ok(())
}

fn check_thread(w: &WriteTx<'_>, thread_id: &str) -> Result<(), StoreError> {
    let live: Option<bool> =
        w.tx.query_row("SELECT deleted = 0 FROM threads WHERE id = ?1", [thread_id], |r| r.get(0))
            .optional()?;
    match live {
        Some(true) => Ok(()),
        _ => Err(not_found("Thread", thread_id)),
    }
}

fn check_item(thread_id: &str, item: &ThreadItem) -> Result<(), StoreError> {
    if item.thread_id != thread_id {
        return Err(StoreError::Invalid(format!(
            "item {} names thread {}, not {thread_id}",
            item.id, item.thread_id
        )));
    }
    if item.id.is_empty() || item.kind.is_empty() {
        return Err(StoreError::Invalid("an item needs an id and a type".into()));
    }
    Ok(())
}

fn insert_item(w: &mut WriteTx<'_>, thread_id: &str, item: &ThreadItem) -> Result<(), StoreError> {
    check_item(thread_id, item)?;
    let created = parse_time(&item.created_at).unwrap_or_else(|| w.now());
    let stamp = w.stamp();
    let device = w.device();
    let data = serde_json::to_string(item)?;
    let mut st = w.tx.prepare_cached(
        "INSERT INTO thread_items (id, thread_id, type, created_at, ord, hidden, data, data_hlc,
                                   origin_device)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, ?8)",
    )?;
    match st.execute(params![
        item.id,
        thread_id,
        item.kind,
        created,
        stamp,
        item_hidden(item),
        data,
        device
    ]) {
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Err(StoreError::Invalid(format!("item {} already exists", item.id)))
        }
        other => other.map(|_| ()).map_err(Into::into),
    }
}

fn touch_thread(w: &WriteTx<'_>, thread_id: &str) -> Result<(), StoreError> {
    w.tx.execute("UPDATE threads SET updated_at = ?2 WHERE id = ?1", params![thread_id, w.now()])?;
    Ok(())
}
