//! One device's sync with its account (`supabase-sync.md` §4.4): [`Syncer::sync_now`] runs a
//! pass — push the outbox, then pull every table — one pass at a time.
//!
//! - **Push**, parents first (threads, facts, items), in batches of at most 500 rows and about
//!   1 MB: each batch is one merge-upsert; on success the rows leave the outbox unless they
//!   changed while in flight. A batch the server refuses for a reason a retry cannot fix is
//!   bisected down to the row at fault, which is parked in `sync_dead_letter`; the rest goes on.
//! - **Pull**, in the same order, `server_seq > cursor` in pages of 1,000 until a page comes back
//!   empty (Supabase caps pages silently, so a short page proves nothing); each page is merged
//!   and the cursor moved in one SQLite transaction. Items whose thread has not arrived make the
//!   pass pull threads first.
//! - **Clock**: each response's `Date` header corrects this device's clock when it is more
//!   than 2 s off; stamps the server refuses as in the future (`22008 hlc_in_future`) are
//!   re-stamped with the corrected clock and sent again, once a pass.
//! - **Tokens**: refreshed when less than a minute is left, and once more on a 401; a refresh
//!   the server refuses signs the device out (local data and the outbox stay).
//!
//! Transient failures (network, 5xx, 429) end the pass with an error whose
//! [`SyncError::is_transient`] tells the caller to back off and try again; nothing is lost,
//! since the outbox and cursors only move on success.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Client;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::auth::{self, Account, AuthClient, Session, SignUp};
use super::rest::{Failure, Page, Rest};
use super::{Project, SyncError};
use crate::clock::now_ms;
use crate::secrets::SecretStore;
use crate::store::{Applied, Linked, OutboxRow, PulledPage, Store, SyncTable};

/// A clock difference smaller than this is left alone.
const CLOCK_TOLERANCE_MS: i64 = 2_000;

/// Pulled pages fetched and parsed ahead of the merge (each ~1 MB of JSON on a big first
/// sync): enough to ride out one slow response while the merge keeps the writer busy.
const PREFETCH: usize = 3;

/// Tunables (tests make them small).
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Rows per push request.
    pub push_batch: usize,
    /// A push request's body stays under this many bytes (unless one row alone is larger).
    pub max_body_bytes: usize,
    /// Rows asked for per pull request (Supabase's default cap is 1,000).
    pub pull_page: usize,
    /// Refresh the access token when less than this is left.
    pub refresh_margin: Duration,
    /// Per-request timeout.
    pub request_timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            push_batch: 500,
            max_body_bytes: 1 << 20,
            pull_page: 1000,
            refresh_margin: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// Row states the server accepted.
    pub pushed: u64,
    /// Rows pulled and merged.
    pub pulled: u64,
    /// Rows refused for good in this pass (parked, see `sync_dead_letter`).
    pub dead_letters: u64,
}

/// How far a pass has got, for a progress bar on a first sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "phase", rename_all = "snake_case")]
#[ts(export)]
pub enum SyncProgress {
    /// Sending changes: `done` of the `total` queued when the pass began.
    Push {
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number")]
        total: u64,
    },
    /// Receiving `table`: `done` rows, of `total` when the server counted them (a table's
    /// first pull asks).
    Pull {
        table: SyncTable,
        #[ts(type = "number")]
        done: u64,
        #[ts(optional, type = "number")]
        total: Option<u64>,
    },
}

/// Sync for one store and one project.
pub struct Syncer {
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    auth: AuthClient,
    rest: Rest,
    options: SyncOptions,
    /// The current session; holding the lock is what serialises refreshes.
    session: tokio::sync::Mutex<Option<Session>>,
    /// One pass at a time.
    one_pass: tokio::sync::Mutex<()>,
    /// The running pass's progress (`None` between passes).
    progress: tokio::sync::watch::Sender<Option<SyncProgress>>,
}

impl std::fmt::Debug for Syncer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncer").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Syncer {
    /// Sync `store` through `project`, resuming the session the keychain holds, if any.
    pub fn new(
        store: Arc<Store>,
        secrets: Arc<dyn SecretStore>,
        project: &Project,
        options: SyncOptions,
    ) -> Result<Self, SyncError> {
        let http = Client::builder()
            .timeout(options.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SyncError::Network(e.to_string()))?;
        let session = auth::load_session(secrets.as_ref())?;
        Ok(Self {
            auth: AuthClient::new(http.clone(), project)?,
            rest: Rest::new(http, project)?,
            store,
            secrets,
            options,
            session: tokio::sync::Mutex::new(session),
            one_pass: tokio::sync::Mutex::new(()),
            progress: tokio::sync::watch::Sender::new(None),
        })
    }

    /// The running pass's progress, as it changes.
    pub fn watch_progress(&self) -> tokio::sync::watch::Receiver<Option<SyncProgress>> {
        self.progress.subscribe()
    }

    /// Who is signed in, if anyone; `None` also while a refresh holds the session.
    pub fn account_now(&self) -> Option<Account> {
        self.session.try_lock().ok()?.as_ref().map(|s| s.account.clone())
    }

    /// Who is signed in, if anyone.
    pub async fn account(&self) -> Option<Account> {
        self.session.lock().await.as_ref().map(|s| s.account.clone())
    }

    /// Create an account and, when the project confirms addresses automatically, sign in.
    pub async fn sign_up(&self, email: &str, password: &str) -> Result<SignUp, SyncError> {
        let (outcome, session) = self.auth.sign_up(email, password).await?;
        if let Some(session) = session {
            self.start_session(session).await?;
        }
        Ok(outcome)
    }

    /// Sign in. The first time, everything already on this device is queued for its first push;
    /// a device whose history belongs to another account is refused.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Account, SyncError> {
        let session = self.auth.sign_in(email, password).await?;
        self.start_session(session).await
    }

    async fn start_session(&self, session: Session) -> Result<Account, SyncError> {
        let account = session.account.clone();
        if let Linked::OtherAccount { user_id } = self.store.sync_link(&account.user_id)? {
            if let Err(e) = self.auth.sign_out(&session).await {
                tracing::warn!(error = %e, "could not end the refused session on the server");
            }
            return Err(SyncError::OtherAccount { user_id });
        }
        auth::save_session(self.secrets.as_ref(), &session)?;
        *self.session.lock().await = Some(session);
        tracing::info!(user = %account.user_id, "signed in to sync");
        Ok(account)
    }

    /// Sign out: the session is forgotten here and ended on the server (when it can be
    /// reached). Local data stays, and changes keep being queued for the next sign-in.
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        let session = self.session.lock().await.take();
        auth::delete_session(self.secrets.as_ref())?;
        if let Some(s) = session
            && let Err(e) = self.auth.sign_out(&s).await
        {
            tracing::warn!(error = %e, "signed out here; the server could not be told");
        }
        Ok(())
    }

    /// A valid access token and the account's user id.
    async fn token(&self) -> Result<(String, String), SyncError> {
        let mut slot = self.session.lock().await;
        let expiring = match slot.as_ref() {
            None => return Err(SyncError::SignedOut),
            Some(s) => s.expires_within(self.options.refresh_margin),
        };
        if expiring {
            self.refresh_locked(&mut slot).await?;
        }
        let s = slot.as_ref().ok_or(SyncError::SignedOut)?;
        Ok((s.access_token().to_owned(), s.account.user_id.clone()))
    }

    /// The server refused `used`: refresh, unless another task already did.
    async fn token_after_401(&self, used: &str) -> Result<String, SyncError> {
        let mut slot = self.session.lock().await;
        match slot.as_ref() {
            None => return Err(SyncError::SignedOut),
            Some(s) if s.access_token() != used => return Ok(s.access_token().to_owned()),
            Some(_) => {}
        }
        self.refresh_locked(&mut slot).await?;
        slot.as_ref().map(|s| s.access_token().to_owned()).ok_or(SyncError::SignedOut)
    }

    async fn refresh_locked(&self, slot: &mut Option<Session>) -> Result<(), SyncError> {
        let Some(current) = slot.as_ref() else { return Err(SyncError::SignedOut) };
        match self.auth.refresh(current).await {
            Ok(new) => {
                // The old refresh token is spent: keep the new one before anything else.
                auth::save_session(self.secrets.as_ref(), &new)?;
                *slot = Some(new);
                Ok(())
            }
            Err(e) if e.needs_sign_in() => {
                tracing::warn!(error = %e, "the session ended; sync paused until sign-in");
                *slot = None;
                auth::delete_session(self.secrets.as_ref())?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Run `call` with a token; on a 401 refresh once and run it again.
    async fn authed<T, F, Fut>(&self, call: F) -> Result<Result<T, Failure>, SyncError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let (token, _) = self.token().await?;
        let result = match call(token.clone()).await {
            Err(Failure::Unauthorized(_)) => {
                let fresh = self.token_after_401(&token).await?;
                call(fresh).await
            }
            other => other,
        };
        self.correct_clock();
        Ok(result)
    }

    /// Follow the server's clock when ours is more than 2 s off (its `Date` header has whole
    /// seconds): stamps and times written here then agree with the other devices'. Only from a
    /// response that just arrived; a new measure within a second of the one in use is the
    /// header's rounding, not a change, and is ignored.
    fn correct_clock(&self) {
        let Some(server) = self.rest.take_server_now() else { return };
        let measured = server - self.store.wall_now_ms();
        let offset = if measured.abs() > CLOCK_TOLERANCE_MS { measured } else { 0 };
        let current = self.store.clock_offset();
        if (offset == 0) != (current == 0) || (offset - current).abs() > 1_000 {
            tracing::info!(offset_ms = offset, "this device's clock differs from the server's");
            if let Err(e) = self.store.set_clock_offset(offset) {
                tracing::warn!(error = %e, "could not save the clock correction");
            }
        }
    }

    /// One pass: push everything queued, then pull everything new.
    pub async fn sync_now(&self) -> Result<SyncReport, SyncError> {
        self.pass(true, true).await
    }

    /// Only the push half of a pass.
    pub async fn push_now(&self) -> Result<SyncReport, SyncError> {
        self.pass(true, false).await
    }

    /// Only the pull half of a pass.
    pub async fn pull_now(&self) -> Result<SyncReport, SyncError> {
        self.pass(false, true).await
    }

    async fn pass(&self, push: bool, pull: bool) -> Result<SyncReport, SyncError> {
        let _one_pass = self.one_pass.lock().await;
        let mut report = SyncReport::default();
        let result = async {
            let user_id = self.linked_user().await?;
            if push {
                let total = self.store.outbox_counts()?.pending;
                let mut restamped = false;
                for table in SyncTable::ORDER {
                    self.push_table(table, &user_id, total, &mut restamped, &mut report).await?;
                }
            }
            if pull {
                for table in SyncTable::ORDER {
                    self.pull_table(table, &mut report).await?;
                }
            }
            Ok::<_, SyncError>(())
        }
        .await;
        self.progress.send_replace(None);
        result?;
        tracing::debug!(?report, push, pull, "sync pass done");
        Ok(report)
    }

    /// The signed-in account, checked against the one the store is linked to.
    async fn linked_user(&self) -> Result<String, SyncError> {
        let (_, user_id) = self.token().await?;
        match self.store.sync_account()? {
            Some(linked) if linked != user_id => Err(SyncError::OtherAccount { user_id: linked }),
            Some(_) => Ok(user_id),
            // A fresh database under a kept session (the old file was moved aside): adopt it.
            None => {
                self.store.sync_link(&user_id)?;
                Ok(user_id)
            }
        }
    }

    async fn push_table(
        &self,
        table: SyncTable,
        user_id: &str,
        total: u64,
        restamped: &mut bool,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        // Rows edited during the pass go out again; the bound keeps a device that writes
        // without pause from holding the pass forever (the rest goes in the next one).
        let queued = self.store.outbox_counts()?.pending;
        let mut budget = queued + 2 * self.options.push_batch as u64;
        loop {
            let rows =
                self.store.outbox_batch(table, user_id, now_ms(), self.options.push_batch)?;
            if rows.is_empty() || budget == 0 {
                return Ok(());
            }
            let rows = within_size(rows, self.options.max_body_bytes);
            budget = budget.saturating_sub(rows.len() as u64);
            self.push_rows(table, rows, restamped, report).await?;
            let done = report.pushed + report.dead_letters;
            self.progress.send_replace(Some(SyncProgress::Push { done, total: total.max(done) }));
        }
    }

    /// Push `rows` as one request; if the server refuses it, halve until the refused row is
    /// alone, and park that row. Stamps refused as being in the future make this device
    /// re-stamp them with its corrected clock (once a pass); the rows, queued again, go out
    /// in the next batch.
    async fn push_rows(
        &self,
        table: SyncTable,
        rows: Vec<OutboxRow>,
        restamped: &mut bool,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let mut pending = vec![rows];
        while let Some(chunk) = pending.pop() {
            let body = json_array(&chunk);
            let sent = self.authed(|t| self.rest.upsert(table, t, body.clone())).await?;
            match sent {
                Ok(()) => {
                    self.store.outbox_ack(table, &chunk)?;
                    report.pushed += chunk.len() as u64;
                }
                Err(Failure::ClockAhead(message)) if !*restamped => {
                    *restamped = true;
                    let limit =
                        self.store.wall_now_ms() + self.store.clock_offset() + CLOCK_TOLERANCE_MS;
                    let n = self.store.restamp_future(limit)?;
                    tracing::warn!(table = table.name(), restamped = n, %message,
                                   "the server found stamps in the future; re-stamped");
                    return Ok(());
                }
                Err(Failure::ClockAhead(message)) if chunk.len() == 1 => {
                    self.park(table, &chunk[0], 400, Some("22008"), &message, report)?;
                }
                Err(Failure::Refused { status, code, message }) if chunk.len() == 1 => {
                    self.park(table, &chunk[0], status, code.as_deref(), &message, report)?;
                }
                Err(Failure::Refused { .. } | Failure::ClockAhead(_)) => {
                    let mut first = chunk;
                    let second = first.split_off(first.len() / 2);
                    pending.push(second);
                    pending.push(first);
                }
                Err(other) => return Err(other.into_error()),
            }
        }
        Ok(())
    }

    /// The server refused this row for good: keep it aside, with why, and go on.
    fn park(
        &self,
        table: SyncTable,
        row: &OutboxRow,
        status: u16,
        code: Option<&str>,
        message: &str,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        tracing::warn!(table = table.name(), row = %row.row_id, status, ?code, %message,
                       "row refused by the server; parked");
        self.store.outbox_dead_letter(table, row, Some(status), code, message)?;
        report.dead_letters += 1;
        Ok(())
    }

    /// Pull `table` until an empty page. Pages are fetched and parsed ahead, up to
    /// [`PREFETCH`] of them, while earlier ones merge (the network, JSON and SQLite overlap, and
    /// one slow response does not stall the merge); the cursor still moves only with a merge.
    async fn pull_table(&self, table: SyncTable, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut progress = (0, None);
        // Where the pull last stopped for items ahead of their threads: stopping there again,
        // after pulling the threads, means the server does not return them.
        let mut waited_at = None;
        loop {
            let cursor = self.store.sync_cursor(table)?;
            let Some(ids) = self.pull_from(table, cursor, report, &mut progress).await? else {
                return Ok(());
            };
            let stopped_at = self.store.sync_cursor(table)?;
            if waited_at == Some(stopped_at) {
                return Err(SyncError::BadResponse(format!(
                    "items of threads the server does not return ({})",
                    ids.join(", ")
                )));
            }
            tracing::debug!(missing = ids.len(), "items ahead of their threads");
            Box::pin(self.pull_table(SyncTable::Threads, report)).await?;
            waited_at = Some(stopped_at);
        }
    }

    /// Pull and merge `table`'s pages after `cursor` until an empty one, counting merged rows
    /// into `progress` (rows done, and the total when known); or stop at a page of items whose
    /// threads are not here (their ids returned), the cursor before it.
    async fn pull_from(
        &self,
        table: SyncTable,
        cursor: i64,
        report: &mut SyncReport,
        progress: &mut (u64, Option<u64>),
    ) -> Result<Option<Vec<String>>, SyncError> {
        let (pages, mut ready) =
            tokio::sync::mpsc::channel::<Result<(PulledPage, Option<u64>), SyncError>>(PREFETCH);
        let fetch = async move {
            // A table's first pull asks for the total, for the progress bar.
            let mut after = cursor;
            let mut count = cursor == 0;
            loop {
                let next = match self.next_page(table, after, count).await {
                    Ok((None, _)) => return,
                    Ok((Some(page), total)) => {
                        after = page.last_seq();
                        Ok((page, total))
                    }
                    Err(e) => Err(e),
                };
                count = false;
                let failed = next.is_err();
                // An error is the last thing sent; a closed queue means the merge stopped.
                if pages.send(next).await.is_err() || failed {
                    return;
                }
            }
        };
        let merge = async move {
            while let Some(next) = ready.recv().await {
                let (page, count) = next?;
                let (done, total) = progress;
                *total = total.or(count);
                let store = Arc::clone(&self.store);
                let applied =
                    tokio::task::spawn_blocking(move || store.apply_page(&page)).await.map_err(
                        |e| SyncError::BadResponse(format!("applying a page failed: {e}")),
                    )??;
                match applied {
                    Applied::Page { rows, .. } => {
                        report.pulled += rows as u64;
                        *done += rows as u64;
                        let (done, total) = (*done, *total);
                        self.progress.send_replace(Some(SyncProgress::Pull { table, done, total }));
                    }
                    // Dropping the queue stops the fetching.
                    Applied::MissingThreads(ids) => return Ok(Some(ids)),
                }
            }
            Ok(None)
        };
        tokio::join!(fetch, merge).1
    }

    /// The page of `table` after `after`, parsed off the async threads; `None` when it is
    /// empty. Also the total, when `count` asked for it.
    async fn next_page(
        &self,
        table: SyncTable,
        after: i64,
        count: bool,
    ) -> Result<(Option<PulledPage>, Option<u64>), SyncError> {
        let page = self.fetch_page(table, after, count).await?;
        let text = page.text;
        let parsed = tokio::task::spawn_blocking(move || PulledPage::parse(table, &text))
            .await
            .map_err(|e| SyncError::BadResponse(format!("reading a page failed: {e}")))?
            .map_err(|e| SyncError::BadResponse(format!("a page of {}: {e}", table.name())))?;
        Ok(((!parsed.is_empty()).then_some(parsed), page.total))
    }

    async fn fetch_page(
        &self,
        table: SyncTable,
        after: i64,
        count: bool,
    ) -> Result<Page, SyncError> {
        let limit = self.options.pull_page;
        self.authed(|t| self.rest.page(table, t, after, limit, count))
            .await?
            .map_err(Failure::into_error)
    }
}

/// The rows as one JSON array body.
fn json_array(rows: &[OutboxRow]) -> String {
    let mut body = String::with_capacity(rows.iter().map(|r| r.json.len() + 1).sum::<usize>() + 2);
    body.push('[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&r.json);
    }
    body.push(']');
    body
}

/// The longest prefix of `rows` whose body stays under `max` bytes (at least one row).
fn within_size(mut rows: Vec<OutboxRow>, max: usize) -> Vec<OutboxRow> {
    let mut size = 2;
    let keep = rows
        .iter()
        .position(|r| {
            size += r.json.len() + 1;
            size > max
        })
        .unwrap_or(rows.len())
        .max(1);
    rows.truncate(keep);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize) -> OutboxRow {
        OutboxRow { row_id: n.to_string(), change_no: 1, json: "x".repeat(n) }
    }

    #[test]
    fn batches_stay_under_the_size_limit_but_never_empty() {
        let rows = vec![row(10), row(10), row(10)];
        assert_eq!(within_size(rows.clone(), 1000).len(), 3);
        assert_eq!(within_size(rows.clone(), 25).len(), 2);
        assert_eq!(within_size(vec![row(100)], 10).len(), 1);
        assert_eq!(json_array(&[row(1), row(2)]), "[x,xx]");
    }
}
