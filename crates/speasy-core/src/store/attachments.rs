//! Attachment metadata (ChatKit's `save_attachment`/`load_attachment`/`delete_attachment`).
//! The bytes live beside the database, not in it; `metadata` stays server-side.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::chatkit::Attachment;
use crate::error::StoreError;

impl Store {
    /// Insert or update an attachment's metadata.
    pub fn save_attachment(&self, att: &Attachment) -> Result<(), StoreError> {
        let data = serde_json::to_string(att)?;
        let metadata = serde_json::to_string(&att.metadata)?;
        self.write(|w| {
            let now = w.now();
            w.tx.execute(
                "INSERT INTO attachments (id, thread_id, type, name, mime_type, size, data, metadata,
                                          created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, type = excluded.type,
                     name = excluded.name, mime_type = excluded.mime_type, size = excluded.size,
                     data = excluded.data, metadata = excluded.metadata",
                params![
                    att.id,
                    att.thread_id,
                    att.kind.as_str(),
                    att.name,
                    att.mime_type,
                    att.size,
                    data,
                    metadata,
                    now
                ],
            )?;
            Ok(())
        })
    }

    pub fn load_attachment(&self, id: &str) -> Result<Attachment, StoreError> {
        let row: Option<(String, String, Option<i64>)> = self.read(|c| {
            Ok(c.query_row(
                "SELECT data, metadata, size FROM attachments WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
        })?;
        let (data, metadata, size) =
            row.ok_or_else(|| StoreError::NotFound { what: "Attachment", id: id.into() })?;
        let mut att: Attachment = serde_json::from_str(&data)?;
        att.metadata = serde_json::from_str(&metadata)?;
        att.size = size;
        Ok(att)
    }

    pub fn delete_attachment(&self, id: &str) -> Result<(), StoreError> {
        self.write(|w| {
            let n = w.tx.execute("DELETE FROM attachments WHERE id = ?1", [id])?;
            if n == 0 {
                Err(StoreError::NotFound { what: "Attachment", id: id.into() })
            } else {
                Ok(())
            }
        })
    }
}
