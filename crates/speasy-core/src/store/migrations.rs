//! Schema migrations: the append-only SQL files in `/migrations`, embedded at compile time.
//! Each runs in its own transaction together with the bump of `PRAGMA user_version`, so a
//! database is always at exactly one known version. A database from a newer version is refused.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// One migration: its file name and SQL.
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            sql: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/", $name)),
        }
    };
}

/// Every migration, in order. Version N = the first N applied. Append only.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_init.sql"),
    migration!("0002_chat.sql"),
    migration!("0003_thread_meta_hlc.sql"),
    migration!("0004_sync_outbox.sql"),
    migration!("0005_fts_batch.sql"),
    migration!("0006_fts_external.sql"),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Register the SQL functions the schema calls (its views and triggers need them on every
/// connection that writes), then apply every migration past the database's version. Returns the
/// versions applied.
pub(crate) fn migrate(
    conn: &mut Connection,
    path: &std::path::Path,
) -> Result<Vec<&'static str>, StoreError> {
    super::search::register_functions(conn).map_err(|e| super::map_sqlite(path, e))?;
    let current = user_version(conn).map_err(|e| super::map_sqlite(path, e))?;
    let latest = latest_version();
    if current > latest {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: current,
            supported: latest,
        });
    }
    let mut applied = Vec::new();
    for (i, m) in MIGRATIONS.iter().enumerate().skip(usize::try_from(current).unwrap_or(0)) {
        let version = i as i64 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| super::map_sqlite(path, e))?;
        tx.execute_batch(m.sql).map_err(|e| match super::map_sqlite(path, e) {
            StoreError::Sqlite(source) => StoreError::Migration { name: m.name, source },
            other => other,
        })?;
        tx.pragma_update(None, "user_version", version).map_err(|e| super::map_sqlite(path, e))?;
        tx.commit().map_err(|e| super::map_sqlite(path, e))?;
        tracing::info!(migration = m.name, version, "applied migration");
        applied.push(m.name);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in /migrations is registered, in name order, and nothing else is.
    #[test]
    fn every_migration_file_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let registered: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, registered);
        for (i, name) in registered.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of sequence");
        }
    }

    /// A database left at `version` by an older build (its directory, path and connection).
    fn at_version(version: usize) -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let conn = Connection::open(&path).unwrap();
        for m in &MIGRATIONS[..version] {
            conn.execute_batch(m.sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64).unwrap();
        (dir, path, conn)
    }

    #[test]
    fn threads_from_before_meta_hlc_take_their_newest_stamp() {
        let (_dir, path, mut conn) = at_version(2);
        let dev = "0".repeat(32);
        conn.execute(
            "INSERT INTO threads (id, title_hlc, pinned_hlc, archived_hlc, created_at, updated_at, origin_device)
             VALUES ('t', ?1, ?2, ?1, 1, 1, ?3)",
            [format!("000000000001000-00000-{dev}"), format!("000000000005000-00000-{dev}"), dev.clone()],
        )
        .unwrap();
        assert_eq!(migrate(&mut conn, &path).unwrap()[0], "0003_thread_meta_hlc.sql");
        let meta: String =
            conn.query_row("SELECT meta_hlc FROM threads", [], |r| r.get(0)).unwrap();
        assert_eq!(meta, format!("000000000005000-00000-{dev}"));
        // A row inserted without a stamp of its own takes its title's.
        conn.execute(
            "INSERT INTO threads (id, title_hlc, pinned_hlc, archived_hlc, created_at, updated_at, origin_device)
             VALUES ('u', ?1, ?1, ?1, 1, 1, ?2)",
            [format!("000000000007000-00000-{dev}"), dev],
        )
        .unwrap();
        let meta: String = conn
            .query_row("SELECT meta_hlc FROM threads WHERE id = 'u'", [], |r| r.get(0))
            .unwrap();
        assert!(meta.starts_with("000000000007000"), "{meta}");
    }

    /// 0006 moves the item index to external content: what a version-5 store had indexed is
    /// indexed again from the items themselves, and hidden or deleted items stay out.
    #[test]
    fn the_search_index_is_rebuilt_from_the_items() {
        let (_dir, path, mut conn) = at_version(5);
        let dev = "0".repeat(32);
        let hlc = format!("000000000001000-00000-{dev}");
        conn.execute(
            "INSERT INTO threads (id, title_hlc, pinned_hlc, archived_hlc, created_at, updated_at, origin_device)
             VALUES ('t', ?1, ?1, ?1, 1, 1, ?2)",
            [&hlc, &dev],
        )
        .unwrap();
        let items = [
            (
                "a",
                "user_message",
                r#"{"content":[{"type":"input_text","text":"walrus tusks"}]}"#,
                0,
                0,
            ),
            (
                "b",
                "assistant_message",
                r#"{"content":[{"type":"output_text","text":"ivory"}]}"#,
                0,
                0,
            ),
            ("c", "widget", r#"{"copy_text":"walrus card"}"#, 1, 0),
            ("d", "assistant_message", r#"{"type":"assistant_message"}"#, 0, 1),
        ];
        for (i, (id, kind, data, hidden, deleted)) in items.into_iter().enumerate() {
            conn.execute(
                "INSERT INTO thread_items (id, thread_id, type, created_at, ord, hidden, data,
                     data_hlc, deleted, origin_device)
                 VALUES (?1, 't', ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![id, kind, i.to_string(), hidden, data, hlc, deleted, dev],
            )
            .unwrap();
        }
        assert_eq!(migrate(&mut conn, &path).unwrap(), ["0006_fts_external.sql"]);
        let found = |q: &str| -> Vec<String> {
            let mut st = conn
                .prepare(
                    "SELECT i.id FROM item_fts JOIN thread_items i ON i.rowid = item_fts.rowid
                      WHERE item_fts MATCH ?1 ORDER BY i.id",
                )
                .unwrap();
            st.query_map([q], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(found("walrus"), ["a"], "the hidden widget stays out");
        assert_eq!(found("ivory"), ["b"]);
        let docs: i64 =
            conn.query_row("SELECT count(*) FROM item_fts_docsize", [], |r| r.get(0)).unwrap();
        assert_eq!(docs, 2);
        conn.execute("INSERT INTO item_fts (item_fts, rank) VALUES ('integrity-check', 1)", [])
            .unwrap();
    }

    #[test]
    fn migrations_apply_once_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let mut conn = Connection::open(&path).unwrap();
        let applied = migrate(&mut conn, &path).unwrap();
        assert_eq!(applied.len(), MIGRATIONS.len());
        assert_eq!(user_version(&conn).unwrap(), latest_version());
        assert!(migrate(&mut conn, &path).unwrap().is_empty());
    }
}
