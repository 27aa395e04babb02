//! Facts the assistant may remember: proposed (`pending`, shown as a Save/Discard card), then
//! `saved` or `discarded`. Text and status are last-writer-wins fields; a deleted fact is a
//! tombstone whose text is cleared and which never comes back. Saved facts are full-text indexed
//! so a chat can recall the ones relevant to what the person just said.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, search::fts_query};
use crate::chatkit::format_time;
use crate::clock::new_id;
use crate::error::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FactStatus {
    Pending,
    Saved,
    Discarded,
}

impl FactStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Saved => "saved",
            Self::Discarded => "discarded",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "saved" => Self::Saved,
            "discarded" => Self::Discarded,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fact {
    pub id: String,
    pub text: String,
    pub status: FactStatus,
    pub source_thread_id: Option<String>,
    pub source_item_id: Option<String>,
    pub persona_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a new fact starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFact {
    pub text: String,
    pub source_thread_id: Option<String>,
    pub source_item_id: Option<String>,
    pub persona_id: Option<String>,
}

const FACT_COLS: &str =
    "id, text, status, source_thread_id, source_item_id, persona_id, created_at, updated_at";

fn fact_from_row(r: &Row<'_>) -> rusqlite::Result<Fact> {
    let status: String = r.get(2)?;
    Ok(Fact {
        id: r.get(0)?,
        text: r.get(1)?,
        status: FactStatus::parse(&status).unwrap_or(FactStatus::Pending),
        source_thread_id: r.get(3)?,
        source_item_id: r.get(4)?,
        persona_id: r.get(5)?,
        created_at: format_time(r.get(6)?),
        updated_at: format_time(r.get(7)?),
    })
}

impl Store {
    /// Record a proposed fact (status `pending`).
    pub fn add_fact(&self, new: &NewFact) -> Result<Fact, StoreError> {
        let text = new.text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("a fact needs some text".into()));
        }
        let id = new_id();
        self.write(|w| {
            let stamp = w.stamp();
            let device = w.device();
            w.tx.execute(
                "INSERT INTO facts (id, text, text_hlc, status, status_hlc, source_thread_id,
                                    source_item_id, persona_id, created_at, updated_at, origin_device)
                 VALUES (?1, ?2, ?3, 'pending', ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                params![
                    id,
                    text,
                    stamp,
                    new.source_thread_id,
                    new.source_item_id,
                    new.persona_id,
                    w.now(),
                    device
                ],
            )?;
            Ok(())
        })?;
        self.load_fact(&id)
    }

    pub fn load_fact(&self, id: &str) -> Result<Fact, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {FACT_COLS} FROM facts WHERE id = ?1 AND deleted = 0"),
                [id],
                fact_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound { what: "Fact", id: id.into() })
        })
    }

    /// Facts with one of the given statuses, most recently changed first.
    pub fn list_facts(&self, statuses: &[FactStatus]) -> Result<Vec<Fact>, StoreError> {
        let wanted: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let json = serde_json::to_string(&wanted)?;
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {FACT_COLS} FROM facts
                  WHERE deleted = 0 AND status IN (SELECT value FROM json_each(?1))
                  ORDER BY updated_at DESC, id DESC"
            ))?;
            Ok(st.query_map([json], fact_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn set_fact_status(&self, id: &str, status: FactStatus) -> Result<Fact, StoreError> {
        self.write(|w| {
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE facts SET status = ?2, status_hlc = ?3, updated_at = ?4
                  WHERE id = ?1 AND deleted = 0",
                params![id, status.as_str(), stamp, w.now()],
            )?;
            if n == 0 { Err(StoreError::NotFound { what: "Fact", id: id.into() }) } else { Ok(()) }
        })?;
        self.load_fact(id)
    }

    pub fn set_fact_text(&self, id: &str, text: &str) -> Result<Fact, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("a fact needs some text".into()));
        }
        self.write(|w| {
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE facts SET text = ?2, text_hlc = ?3, updated_at = ?4
                  WHERE id = ?1 AND deleted = 0",
                params![id, text, stamp, w.now()],
            )?;
            if n == 0 { Err(StoreError::NotFound { what: "Fact", id: id.into() }) } else { Ok(()) }
        })?;
        self.load_fact(id)
    }

    /// Delete a fact for good: a tombstone with its text cleared.
    pub fn delete_fact(&self, id: &str) -> Result<(), StoreError> {
        self.write(|w| {
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE facts SET deleted = 1, deleted_hlc = ?2, text = '', updated_at = ?3
                  WHERE id = ?1 AND deleted = 0",
                params![id, stamp, w.now()],
            )?;
            if n == 0 { Err(StoreError::NotFound { what: "Fact", id: id.into() }) } else { Ok(()) }
        })
    }

    /// Saved facts matching any word of `text`, best match first.
    pub fn search_saved_facts(&self, text: &str, limit: usize) -> Result<Vec<Fact>, StoreError> {
        let Some(q) = fts_query(text, false, super::search::Join::Or) else {
            return Ok(Vec::new());
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {} FROM fact_fts JOIN facts f ON f.rowid = fact_fts.rowid
                  WHERE fact_fts MATCH ?1 AND f.deleted = 0 AND f.status = 'saved'
                  ORDER BY fact_fts.rank, f.updated_at DESC LIMIT ?2",
                FACT_COLS.split(", ").map(|c| format!("f.{c}")).collect::<Vec<_>>().join(", ")
            ))?;
            Ok(st
                .query_map(params![q, limit], fact_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
