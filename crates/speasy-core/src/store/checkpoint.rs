//! WAL checkpoints on a thread of their own.
//!
//! In WAL mode every commit appends the changed pages to `speasy.db-wal`, and a checkpoint
//! copies them back into the database file. SQLite's default runs that checkpoint inside the
//! commit that crosses 1,000 pages, so whichever write is unlucky (a message being saved, a
//! pulled page) waits for it: during a first sync it was ~10 % of merging a page. Here the
//! store's connection only nudges a checkpointer thread, which runs `PASSIVE` checkpoints on a
//! second connection while the writer goes on (WAL lets both proceed; a passive checkpoint
//! never blocks the writer or readers). Past twice that size the writer also checkpoints the
//! frames the thread has not reached (see [`INLINE_PAGES`]); if the thread cannot be started,
//! SQLite's own auto-checkpoint stays. The WAL stays bounded either way.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, OpenFlags};

/// WAL pages (4 KiB each) after which a commit nudges the checkpointer: SQLite's default
/// auto-checkpoint size.
const NUDGE_PAGES: i32 = 1_000;
/// WAL pages after which the writer checkpoints too. A passive checkpoint that runs while the
/// writer appends can never copy the last frames, and SQLite rewinds the WAL only once all of
/// it has been copied: so the writer copies the few the checkpointer has not reached yet (or
/// all of them, if the checkpointer is stuck), and its next commit starts the log afresh.
const INLINE_PAGES: i32 = 2 * NUDGE_PAGES;

/// The checkpointer thread; stopped (and its connection closed) when dropped.
pub(super) struct Checkpointer {
    nudge: mpsc::SyncSender<()>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start checkpointing `path` beside `writer`, the store's connection. When the second
    /// connection or the thread cannot be had, `writer` keeps SQLite's own auto-checkpoint and
    /// the reason is logged: nothing is lost but the overlap.
    pub(super) fn start(path: &Path, writer: &mut Connection) -> Option<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).and_then(|c| {
            c.busy_timeout(std::time::Duration::from_secs(5))?;
            c.execute_batch("PRAGMA synchronous = NORMAL;")?;
            Ok(c)
        });
        let conn = match conn {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "no checkpointer connection; commits checkpoint");
                return None;
            }
        };
        // One pending nudge is enough: the checkpoint it starts copies all there is.
        let (nudge, nudged) = mpsc::sync_channel::<()>(1);
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        let thread = std::thread::Builder::new()
            .name("speasy-checkpoint".into())
            .spawn(move || run(&conn, &nudged, &stop));
        let thread = match thread {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "no checkpointer thread; commits checkpoint");
                return None;
            }
        };
        let sender = nudge.clone();
        let hooked = writer.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: i32| {
            if pages >= INLINE_PAGES {
                // The commit has happened: an error here would only make it look failed (and
                // a busy checkpointer means one is under way).
                if let Err(e) = wal.checkpoint_v2(CheckpointMode::PASSIVE) {
                    tracing::debug!(error = %e, pages, "inline checkpoint");
                }
            } else if pages >= NUDGE_PAGES {
                // Full means a checkpoint is already asked for.
                let _ = sender.try_send(());
            }
            Ok(())
        }));
        let mut this = Self { nudge, stopping, thread: Some(thread) };
        if let Err(e) = hooked {
            tracing::warn!(error = %e, "no WAL hook; commits checkpoint");
            this.stop();
            return None;
        }
        Some(this)
    }

    fn stop(&mut self) {
        // The writer's hook holds a sender too, so the channel stays open: say stop, then wake
        // the thread (it takes one nudge at a time, so this waits for a running checkpoint).
        self.stopping.store(true, Ordering::Release);
        let _ = self.nudge.send(());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("the checkpointer thread panicked");
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Checkpoint each time a commit asks, until the store is dropped.
fn run(conn: &Connection, nudged: &mpsc::Receiver<()>, stopping: &AtomicBool) {
    while nudged.recv().is_ok() && !stopping.load(Ordering::Acquire) {
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match done {
            Ok((log, copied)) => tracing::trace!(log, copied, "checkpoint"),
            Err(e) => tracing::warn!(error = %e, "checkpoint failed; the next one retries"),
        }
    }
}
