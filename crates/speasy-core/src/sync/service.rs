//! When sync runs (`supabase-sync.md` §4.4): a background task per configured project runs a
//! pass at start, when woken (window focus, "Sync now", signing in), after local writes (once
//! they have been quiet for [`Schedule::debounce`], and only when something is queued), and
//! every [`Schedule::period`] (soon again when changes are still queued after a pass). A
//! failure backs off exponentially with full jitter (honouring `Retry-After`), unless only the
//! person can fix it (sign in, the project, the migrations, the account): that stops the
//! schedule until they act. [`SyncStatus`] tells the UI all of it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::engine::{SyncOptions, SyncProgress, Syncer};
use super::{Account, Project, SignUp, SyncError};
use crate::clock::now_ms;
use crate::error::{ApiError, ErrorKind, SecretError};
use crate::secrets::SecretStore;
use crate::store::Store;

/// When passes run.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Local writes start a pass once they have been quiet this long...
    pub debounce: Duration,
    /// ...or this long after the first of them, whichever comes first.
    pub debounce_max: Duration,
    /// A pass this often while nothing else starts one (other devices' changes arrive).
    pub period: Duration,
    /// The first retry after a transient failure waits up to this (then doubling)...
    pub backoff_base: Duration,
    /// ...and never more than this.
    pub backoff_cap: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            debounce: Duration::from_secs(2),
            debounce_max: Duration::from_secs(10),
            period: Duration::from_secs(5 * 60),
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(5 * 60),
        }
    }
}

/// What sync is doing, as the account section and the sync indicator show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    /// No Supabase project is set up.
    #[default]
    Off,
    /// A project is set up and nobody is signed in.
    SignedOut,
    /// Up to date as of `last_synced_at` (or waiting for the first pass).
    Idle,
    /// A pass is running.
    Syncing,
    /// The last pass failed for a reason that may pass (network, server): retrying at `retry_at`.
    Retrying,
    /// Stopped until the person acts on `error` (sign in again, fix the project...).
    Stopped,
}

/// Sync as the UI sees it. No token, no key beyond the project's publishable one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[ts(export)]
pub struct SyncStatus {
    pub state: SyncState,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub project: Option<Project>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub account: Option<Account>,
    /// When the last pass finished without error (unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub last_synced_at: Option<i64>,
    /// Changes made here that the server does not have yet.
    #[ts(type = "number")]
    pub pending: u64,
    /// Changes the server refused for good (kept on this device).
    #[ts(type = "number")]
    pub dead_letters: u64,
    /// Why the last pass failed (cleared by the next success).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<ApiError>,
    /// When the next retry runs (unix ms), while `Retrying`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub retry_at: Option<i64>,
    /// The running pass's progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub progress: Option<SyncProgress>,
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        let kind = match &e {
            SyncError::Store(s) => s.into(),
            SyncError::Secret(SecretError::Unavailable(_)) => ErrorKind::SecretUnavailable,
            SyncError::Secret(SecretError::Denied(_)) => ErrorKind::SecretDenied,
            SyncError::Secret(_) => ErrorKind::Secret,
            SyncError::InvalidProject(_) => ErrorKind::SyncProject,
            SyncError::SignedOut | SyncError::SessionExpired(_) => ErrorKind::SyncSignedOut,
            SyncError::InvalidCredentials
            | SyncError::EmailNotConfirmed
            | SyncError::UserExists
            | SyncError::WeakPassword(_) => ErrorKind::SyncAccount,
            SyncError::OtherAccount { .. } => ErrorKind::SyncOtherAccount,
            SyncError::SchemaMismatch(_) => ErrorKind::SyncSchema,
            SyncError::RateLimited { .. } | SyncError::Network(_) | SyncError::Server { .. } => {
                ErrorKind::SyncUnavailable
            }
            SyncError::Rejected { .. } | SyncError::BadResponse(_) => ErrorKind::SyncRejected,
            SyncError::Internal(_) => ErrorKind::Internal,
        };
        ApiError::new(kind, e.to_string())
    }
}

struct Running {
    syncer: Arc<Syncer>,
    wake: Arc<Notify>,
    stop: CancellationToken,
}

/// The sync of the open store: at most one project at a time.
pub struct SyncService {
    running: Mutex<Option<Running>>,
    status: watch::Sender<SyncStatus>,
    options: SyncOptions,
    schedule: Schedule,
}

impl std::fmt::Debug for SyncService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncService").field("status", &*self.status.borrow()).finish()
    }
}

impl SyncService {
    pub fn new(options: SyncOptions, schedule: Schedule) -> Self {
        Self {
            running: Mutex::new(None),
            status: watch::Sender::new(SyncStatus::default()),
            options,
            schedule,
        }
    }

    /// Sync `store` through `project` from now on (`None`: stop syncing), resuming the session
    /// the keychain holds. Needs a Tokio runtime: the schedule runs as a task.
    pub fn configure(
        &self,
        store: Arc<Store>,
        secrets: Arc<dyn SecretStore>,
        project: Option<Project>,
    ) -> Result<(), SyncError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| SyncError::Internal("no async runtime to run the schedule on".into()))?;
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = running.take() {
            old.stop.cancel();
        }
        let counts = store.outbox_counts()?;
        let Some(project) = project else {
            self.status.send_replace(SyncStatus {
                pending: counts.pending,
                dead_letters: counts.dead_letters,
                ..SyncStatus::default()
            });
            return Ok(());
        };
        let syncer =
            Arc::new(Syncer::new(Arc::clone(&store), secrets, &project, self.options.clone())?);
        let account = syncer.account_now();
        self.status.send_replace(SyncStatus {
            state: if account.is_some() { SyncState::Idle } else { SyncState::SignedOut },
            project: Some(project),
            account,
            pending: counts.pending,
            dead_letters: counts.dead_letters,
            ..SyncStatus::default()
        });
        let wake = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let task = Task {
            syncer: Arc::clone(&syncer),
            store,
            status: self.status.clone(),
            wake: Arc::clone(&wake),
            stop: stop.clone(),
            schedule: self.schedule.clone(),
        };
        runtime.spawn(task.run());
        *running = Some(Running { syncer, wake, stop });
        Ok(())
    }

    /// Stop the schedule (the store is closing or being replaced).
    pub fn shut_down(&self) {
        if let Some(old) = self.running.lock().unwrap_or_else(|p| p.into_inner()).take() {
            old.stop.cancel();
        }
    }

    /// The status now.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// The status, as it changes.
    pub fn watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// Run a pass now (window focus, "Sync now"), even while backing off.
    pub fn wake(&self) {
        if let Some(r) = &*self.running.lock().unwrap_or_else(|p| p.into_inner()) {
            r.wake.notify_one();
        }
    }

    fn syncer(&self) -> Result<(Arc<Syncer>, Arc<Notify>), SyncError> {
        match &*self.running.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(r) => Ok((Arc::clone(&r.syncer), Arc::clone(&r.wake))),
            None => Err(SyncError::InvalidProject(
                "add your Supabase project's URL and publishable key first".into(),
            )),
        }
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> Result<SignUp, SyncError> {
        let (syncer, wake) = self.syncer()?;
        let outcome = syncer.sign_up(email, password).await?;
        if let SignUp::SignedIn { account } = &outcome {
            self.signed_in(account.clone(), &wake);
        }
        Ok(outcome)
    }

    /// Sign in; the first sync starts at once.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Account, SyncError> {
        let (syncer, wake) = self.syncer()?;
        let account = syncer.sign_in(email, password).await?;
        self.signed_in(account.clone(), &wake);
        Ok(account)
    }

    fn signed_in(&self, account: Account, wake: &Notify) {
        self.status.send_modify(|s| {
            s.account = Some(account);
            s.state = SyncState::Idle;
            s.error = None;
            s.retry_at = None;
        });
        wake.notify_one();
    }

    /// Sign out here (local data stays; changes keep being queued for the next sign-in).
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        let (syncer, _) = self.syncer()?;
        syncer.sign_out().await?;
        self.status.send_modify(|s| {
            s.account = None;
            s.state = SyncState::SignedOut;
            s.error = None;
            s.retry_at = None;
            s.progress = None;
        });
        Ok(())
    }
}

/// One project's schedule.
struct Task {
    syncer: Arc<Syncer>,
    store: Arc<Store>,
    status: watch::Sender<SyncStatus>,
    wake: Arc<Notify>,
    stop: CancellationToken,
    schedule: Schedule,
}

/// Why the schedule woke.
enum Cause {
    Due,
    Woken,
    Writes,
    Stop,
}

impl Task {
    async fn run(self) {
        let mut writes = self.store.watch_writes();
        writes.borrow_and_update();
        let mut failures: u32 = 0;
        // Due now: the pass at start.
        let mut due = Some(Instant::now());
        loop {
            let cause = tokio::select! {
                biased;
                _ = self.stop.cancelled() => Cause::Stop,
                _ = self.wake.notified() => Cause::Woken,
                _ = sleep_until(due) => Cause::Due,
                changed = writes.changed() => match changed {
                    Ok(()) => Cause::Writes,
                    Err(_) => Cause::Stop,
                },
            };
            match cause {
                Cause::Stop => return,
                Cause::Woken | Cause::Due => {}
                Cause::Writes => {
                    if !self.quiet(&mut writes).await {
                        return;
                    }
                    let pending = self.refresh_counts();
                    let state = self.status.borrow().state;
                    // Writes start a pass only when something is queued and nothing else is
                    // already scheduled: a backoff or a stop is not cut short by typing.
                    if pending == 0 || !matches!(state, SyncState::Idle) {
                        continue;
                    }
                }
            }
            if self.syncer.account().await.is_none() {
                self.status.send_modify(|s| {
                    s.state = SyncState::SignedOut;
                    s.account = None;
                });
                self.refresh_counts();
                due = None;
                continue;
            }
            let Some(result) = self.pass().await else { return };
            // The pass's own writes (acks, pulled rows) are not local changes; changes made
            // here during the pass are still queued, and a pass soon sends them (below).
            writes.borrow_and_update();
            let counts = self.store.outbox_counts().unwrap_or_default();
            let account = self.syncer.account().await;
            if self.stop.is_cancelled() {
                return; // reconfigured meanwhile: the new task owns the status
            }
            match result {
                Ok(_) => {
                    failures = 0;
                    let wait = if counts.pending > 0 {
                        self.schedule.debounce
                    } else {
                        self.schedule.period
                    };
                    due = Some(Instant::now() + wait);
                    self.status.send_modify(|s| {
                        s.state = SyncState::Idle;
                        s.last_synced_at = Some(now_ms());
                        s.error = None;
                        s.retry_at = None;
                    });
                }
                // Signed out while the pass ran: that is the person's doing, not an error.
                Err(SyncError::SignedOut) => {
                    due = None;
                    self.status.send_modify(|s| {
                        s.state = SyncState::SignedOut;
                        s.retry_at = None;
                    });
                }
                Err(e) if !e.needs_person() => {
                    failures = failures.saturating_add(1);
                    let wait = self.backoff(failures, &e);
                    tracing::info!(error = %e, wait_ms = wait.as_millis() as u64, "sync will retry");
                    due = Some(Instant::now() + wait);
                    let retry_at = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                    self.status.send_modify(|s| {
                        s.state = SyncState::Retrying;
                        s.retry_at = Some(retry_at);
                        s.error = Some(e.into());
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync stopped until the person acts");
                    due = None;
                    let state =
                        if e.needs_sign_in() { SyncState::SignedOut } else { SyncState::Stopped };
                    self.status.send_modify(|s| {
                        s.state = state;
                        s.retry_at = None;
                        s.error = Some(e.into());
                    });
                }
            }
            self.status.send_modify(|s| {
                s.pending = counts.pending;
                s.dead_letters = counts.dead_letters;
                s.account = account;
                s.progress = None;
            });
        }
    }

    /// Run one pass, forwarding its progress. `None`: stopped meanwhile.
    async fn pass(&self) -> Option<Result<super::SyncReport, SyncError>> {
        self.status.send_modify(|s| s.state = SyncState::Syncing);
        let mut progress = self.syncer.watch_progress();
        let pass = self.syncer.sync_now();
        tokio::pin!(pass);
        loop {
            tokio::select! {
                result = &mut pass => return Some(result),
                _ = self.stop.cancelled() => return None,
                Ok(()) = progress.changed() => {
                    let p = progress.borrow_and_update().clone();
                    self.status.send_modify(|s| s.progress = p);
                }
            }
        }
    }

    /// Wait until local writes have been quiet for `debounce` (at most `debounce_max`).
    /// `false`: stopped meanwhile.
    async fn quiet(&self, writes: &mut watch::Receiver<u64>) -> bool {
        let limit = Instant::now() + self.schedule.debounce_max;
        loop {
            let until = (Instant::now() + self.schedule.debounce).min(limit);
            tokio::select! {
                _ = self.stop.cancelled() => return false,
                _ = tokio::time::sleep_until(until) => return true,
                changed = writes.changed() => if changed.is_err() { return false },
            }
            if Instant::now() >= limit {
                return true;
            }
        }
    }

    fn refresh_counts(&self) -> u64 {
        let counts = self.store.outbox_counts().unwrap_or_default();
        self.status.send_if_modified(|s| {
            let changed = s.pending != counts.pending || s.dead_letters != counts.dead_letters;
            s.pending = counts.pending;
            s.dead_letters = counts.dead_letters;
            changed
        });
        counts.pending
    }

    /// Exponential backoff with full jitter: a random wait up to `base · 2^(failures-1)`,
    /// capped, and never shorter than what the server asked for (`Retry-After`).
    fn backoff(&self, failures: u32, e: &SyncError) -> Duration {
        full_jitter(&self.schedule, failures, fastrand::f64()).max(match e {
            SyncError::RateLimited { retry_after_secs: Some(s) } => Duration::from_secs(*s),
            _ => Duration::ZERO,
        })
    }
}

/// The wait before retry number `failures` for a draw `r` in [0, 1): at least 1 s.
fn full_jitter(schedule: &Schedule, failures: u32, r: f64) -> Duration {
    let ceiling = schedule
        .backoff_base
        .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
        .min(schedule.backoff_cap);
    ceiling.mul_f64(r.clamp(0.0, 1.0)).max(Duration::from_secs(1).min(ceiling))
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_full_jitter() {
        let s = Schedule::default();
        assert_eq!(full_jitter(&s, 1, 0.999_999).as_secs(), 1, "first ceiling: 2 s");
        assert_eq!(full_jitter(&s, 3, 0.999_999).as_secs(), 7, "third: 8 s");
        assert_eq!(full_jitter(&s, 30, 0.999_999).as_secs(), 299, "capped at 5 min");
        assert_eq!(full_jitter(&s, 30, 0.0), Duration::from_secs(1), "never a hot loop");
        assert_eq!(full_jitter(&s, 8, 0.5), Duration::from_secs(128));
        assert_eq!(full_jitter(&s, 9, 0.5), Duration::from_secs(150), "half the cap");
    }
}
