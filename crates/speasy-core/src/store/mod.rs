//! The local store: one SQLite file holding threads, thread items, attachments, facts,
//! personas and settings.
//!
//! Opening is careful: a file that is not SQLite, a damaged one, one from a newer Speasy, a
//! read-only location or a full disk each give their own [`StoreError`] naming the path, and
//! nothing is ever wiped — [`move_aside`] renames a bad file so a fresh one can be started.
//! The connection runs in WAL mode with foreign keys on and a busy timeout; WAL checkpoints run
//! on a thread of their own ([`checkpoint`]). Writes go through
//! [`Store::write`], which runs one `BEGIN IMMEDIATE` transaction and stamps hybrid-logical-clock
//! values for the sync columns.
//!
//! The thread/item/attachment API mirrors ChatKit's `Store` contract (chatkit-protocol.md §5).

mod attachments;
mod checkpoint;
mod facts;
mod migrations;
mod personas;
mod providers;
mod search;
mod settings;
mod sync;
mod threads;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::clock::{Hlc, HlcState, SystemClock, WallClock};
use crate::error::StoreError;

pub use facts::{Fact, FactStatus, NewFact};
pub use migrations::{MIGRATIONS, Migration, latest_version};
pub use personas::{DEFAULT_PERSONA_ID, Persona, PersonaInput};
pub use search::{
    HIGHLIGHT_END, HIGHLIGHT_START, RANK_WINDOW, SearchHit, fts_query, register_functions,
};
pub use settings::{
    DEFAULT_API_PORT, ELEVENLABS_SECRET, Settings, SettingsPatch, SpeechService, Theme,
    VoiceSettings,
};
pub use sync::{Applied, Linked, OutboxCounts, OutboxRow, PulledPage, SyncTable};
pub use threads::{ItemQuery, ThreadSummary};

/// The database file name inside the data dir.
pub const DB_FILE: &str = "speasy.db";

/// `sync_state` key of the clock correction ([`Store::set_clock_offset`]), in ms.
const CLOCK_OFFSET_KEY: &str = "clock.offset_ms";

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The local store. Cheap to share behind an `Arc`; calls are serialised on one connection.
pub struct Store {
    path: PathBuf,
    device: Uuid,
    wall: Arc<dyn WallClock>,
    inner: Mutex<Inner>,
    /// Runs the WAL checkpoints off the writer's commits (None: SQLite's auto-checkpoint).
    _checkpointer: Option<checkpoint::Checkpointer>,
    /// Counts committed write transactions, for whoever waits on local changes (sync).
    writes: tokio::sync::watch::Sender<u64>,
    /// Milliseconds added to the wall clock for stamps and times: the server's clock minus
    /// ours, as sync last measured it (0 until then, or when they agree).
    clock_offset: std::sync::atomic::AtomicI64,
}

struct Inner {
    conn: Connection,
    hlc: HlcState,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("device", &self.device).finish()
    }
}

/// A write transaction with the clock at hand.
pub struct WriteTx<'a> {
    pub tx: Transaction<'a>,
    hlc: &'a mut HlcState,
    wall: &'a dyn WallClock,
    /// Added to the wall clock: the server's time minus ours (sync's clock correction).
    offset: i64,
    now: i64,
    stamped: bool,
}

impl WriteTx<'_> {
    /// A fresh HLC stamp for a local change.
    pub fn stamp(&mut self) -> String {
        self.stamped = true;
        self.hlc.tick(self.wall.now_ms() + self.offset).to_string()
    }

    /// Wall-clock time of this transaction (unix ms).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Fold a stamp that came from another device into the clock (its receive rule).
    pub(crate) fn observe(&mut self, remote: Hlc) {
        self.stamped = true;
        self.hlc.observe(self.wall.now_ms() + self.offset, remote);
    }

    /// This device's id.
    pub fn device(&self) -> String {
        self.hlc.last().device.to_string()
    }
}

/// Map an SQLite error to what it means for the person using the app.
pub(crate) fn map_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
    let p = || path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path: p() },
        Some(ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path: p(), detail: e.to_string() }
        }
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path: p() },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: p() },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path: p() },
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure | ErrorCode::PermissionDenied) => {
            StoreError::Io { path: p(), source: std::io::Error::other(e.to_string()) }
        }
        _ => StoreError::Sqlite(e),
    }
}

fn map_io(path: &Path, e: std::io::Error) -> StoreError {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ReadOnlyFilesystem | K::PermissionDenied => StoreError::ReadOnly { path: path.into() },
        K::StorageFull => StoreError::DiskFull { path: path.into() },
        _ => StoreError::Io { path: path.into(), source: e },
    }
}

/// Refuse, before SQLite touches it, a non-empty file that does not start with SQLite's header.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(map_io(path, e)),
    };
    let mut head = Vec::with_capacity(16);
    f.by_ref().take(16).read_to_end(&mut head).map_err(|e| map_io(path, e))?;
    if head.is_empty() || head.as_slice() == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(StoreError::NotADatabase { path: path.into() })
    }
}

/// Rename a database file (and its `-wal`/`-shm` companions) out of the way so a fresh store can
/// be created. Returns the new path of the main file. Nothing is deleted.
pub fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(DB_FILE);
    let mut target = path.with_file_name(format!("{name}.unreadable-{stamp}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = path.with_file_name(format!("{name}.unreadable-{stamp}-{n}"));
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let to = PathBuf::from(format!("{}{suffix}", target.display()));
            fs::rename(&side, &to).map_err(|e| map_io(&side, e))?;
        }
    }
    fs::rename(path, &target).map_err(|e| map_io(path, e))?;
    tracing::warn!(from = %path.display(), to = %target.display(), "moved database aside");
    Ok(target)
}

impl Store {
    /// Open (or create) the store in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(data_dir).map_err(|e| map_io(data_dir, e))?;
        Self::open(&data_dir.join(DB_FILE))
    }

    /// Open (or create) the store file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Open with a given wall clock (tests pin time with it).
    pub fn open_with_clock(path: &Path, wall: Arc<dyn WallClock>) -> Result<Self, StoreError> {
        check_header(path)?;
        let m = |e| map_sqlite(path, e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| {
            // SQLite says "unable to open" for a read-only or missing folder; say which.
            match fs::metadata(path.parent().unwrap_or(path)) {
                Ok(meta) if meta.permissions().readonly() => {
                    StoreError::ReadOnly { path: path.into() }
                }
                _ => m(e),
            }
        })?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(m)? {
            return Err(StoreError::ReadOnly { path: path.into() });
        }
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(m)?;
        // Reading the schema is the first real read: it fails on a damaged header or schema.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))
            .map_err(m)?;
        let journal: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(m)?;
        if !journal.eq_ignore_ascii_case("wal") {
            tracing::warn!(journal, "WAL mode unavailable; using the default journal");
        }
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(m)?;
        migrations::migrate(&mut conn, path)?;
        let (device, hlc) = Self::load_clock(&conn).map_err(m)?;
        let offset = sync::get_state(&conn, CLOCK_OFFSET_KEY)
            .map_err(m)?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        let checkpointer = checkpoint::Checkpointer::start(path, &mut conn);
        let store = Self {
            path: path.into(),
            device,
            wall,
            inner: Mutex::new(Inner { conn, hlc }),
            _checkpointer: checkpointer,
            writes: tokio::sync::watch::Sender::new(0),
            clock_offset: std::sync::atomic::AtomicI64::new(offset),
        };
        store.write(personas::seed_builtins)?;
        Ok(store)
    }

    fn load_clock(conn: &Connection) -> rusqlite::Result<(Uuid, HlcState)> {
        let get = |k: &str| {
            conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [k], |r| {
                r.get::<_, String>(0)
            })
            .optional()
        };
        let device = match get("device_id")?.and_then(|s| Uuid::parse_str(&s).ok()) {
            Some(d) => d,
            None => {
                let d = Uuid::now_v7();
                conn.execute(
                    "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('device_id', ?1)",
                    [d.to_string()],
                )?;
                d
            }
        };
        let last = get("hlc_last")?
            .and_then(|s| s.parse::<Hlc>().ok())
            .map(|h| Hlc { device, ..h })
            .unwrap_or_else(|| Hlc::zero(device));
        Ok((device, HlcState::new(last)))
    }

    /// Correct this device's clock by `ms` (the server's time minus ours) from now on, and
    /// after a restart too: a clock that is off usually stays off (a wrong time zone setting,
    /// no network time), and edits made offline before the next exchange with the server must
    /// not be stamped with it. A clock set right since is measured again at the next request.
    pub fn set_clock_offset(&self, ms: i64) -> Result<(), StoreError> {
        let inner = self.lock();
        let saved = if ms == 0 {
            sync::clear_state(&inner.conn, CLOCK_OFFSET_KEY)
        } else {
            sync::set_state(&inner.conn, CLOCK_OFFSET_KEY, &ms.to_string())
        };
        saved.map_err(|e| map_sqlite(&self.path, e))?;
        self.clock_offset.store(ms, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// This device's wall clock (unix ms), uncorrected.
    pub fn wall_now_ms(&self) -> i64 {
        self.wall.now_ms()
    }

    /// The correction in use (see [`Store::set_clock_offset`]).
    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Changes each time a write transaction commits (the value counts them).
    pub fn watch_writes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.writes.subscribe()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This installation's device id (stamped on rows it creates).
    pub fn device_id(&self) -> Uuid {
        self.device
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|c| Ok(migrations::user_version(c)?))
    }

    /// Full `PRAGMA integrity_check`, then FTS5's check that each search index matches the
    /// rows it indexes. Slow on big files: for diagnostics, not for every start.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let problems: Vec<String> = self.read(|c| {
            let mut st = c.prepare("PRAGMA integrity_check")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            let mut problems = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            if problems.len() == 1 && problems[0] == "ok" {
                problems.clear();
                for index in ["item_fts", "fact_fts"] {
                    let check = format!(
                        "INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)"
                    );
                    if let Err(e) = c.execute(&check, []) {
                        problems.push(format!("search index {index}: {e}"));
                    }
                }
            }
            Ok(problems)
        })?;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Corrupt { path: self.path.clone(), detail: problems.join("; ") })
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written transaction (it is rolled
        // back when dropped), so a poisoned lock is safe to take over.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run read-only work on the connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let inner = self.lock();
        f(&inner.conn).map_err(|e| self.locate(e))
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction; commit if it returns `Ok`.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.lock();
        let Inner { conn, hlc } = &mut *guard;
        let before = hlc.clone();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| map_sqlite(&self.path, e))?;
        let offset = self.clock_offset();
        let mut w = WriteTx {
            tx,
            hlc: &mut *hlc,
            wall: self.wall.as_ref(),
            offset,
            now: self.wall.now_ms() + offset,
            stamped: false,
        };
        let result = f(&mut w).and_then(|v| {
            if w.stamped {
                w.tx.execute(
                    "INSERT INTO sync_state (key, value) VALUES ('hlc_last', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [w.hlc.last().to_string()],
                )?;
            }
            Ok(v)
        });
        match result {
            Ok(v) => {
                w.tx.commit().map_err(|e| map_sqlite(&self.path, e))?;
                self.writes.send_modify(|n| *n = n.wrapping_add(1));
                Ok(v)
            }
            Err(e) => {
                drop(w);
                // The transaction rolled back: so do the clock's stamps.
                *hlc = before;
                Err(self.locate(e))
            }
        }
    }

    /// Give raw SQLite errors their path-aware meaning.
    fn locate(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Sqlite(inner) => map_sqlite(&self.path, inner),
            other => other,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}
