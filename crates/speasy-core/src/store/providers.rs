//! Configured providers (this device only; keys live in the keychain, not here).

use rusqlite::{OptionalExtension, Row, params};

use super::Store;
use crate::error::StoreError;
use crate::providers::{Provider, ProviderKind};

const COLS: &str = "id, kind, name, base_url, key_secret, default_model, context_window";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Provider> {
    let kind: String = r.get(1)?;
    Ok(Provider {
        id: r.get(0)?,
        kind: ProviderKind::parse(&kind).unwrap_or(ProviderKind::Custom),
        name: r.get(2)?,
        base_url: r.get(3)?,
        key_secret: r.get(4)?,
        default_model: r.get(5)?,
        context_window: r.get(6)?,
    })
}

impl Store {
    /// Every provider, in the order they were added.
    pub fn list_providers(&self) -> Result<Vec<Provider>, StoreError> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {COLS} FROM providers ORDER BY created_at, id"))?;
            Ok(st.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn load_provider(&self, id: &str) -> Result<Provider, StoreError> {
        self.read(|c| {
            c.query_row(&format!("SELECT {COLS} FROM providers WHERE id = ?1"), [id], from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound { what: "Provider", id: id.into() })
        })
    }

    /// Insert or replace a provider.
    pub fn save_provider(&self, p: &Provider) -> Result<(), StoreError> {
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO providers (id, kind, name, base_url, key_secret, default_model,
                                        context_window, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                     base_url = excluded.base_url, key_secret = excluded.key_secret,
                     default_model = excluded.default_model,
                     context_window = excluded.context_window, updated_at = excluded.updated_at",
                params![
                    p.id,
                    p.kind.as_str(),
                    p.name,
                    p.base_url,
                    p.key_secret,
                    p.default_model,
                    p.context_window,
                    w.now()
                ],
            )?;
            Ok(())
        })
    }

    pub fn delete_provider(&self, id: &str) -> Result<(), StoreError> {
        self.write(|w| {
            let n = w.tx.execute("DELETE FROM providers WHERE id = ?1", [id])?;
            if n == 0 {
                Err(StoreError::NotFound { what: "Provider", id: id.into() })
            } else {
                Ok(())
            }
        })
    }
}
