//! Sync between devices through the Supabase stand-in (speasy-testkit::supabase: PostgREST and
//! Auth over a real PostgreSQL with the migrations in supabase/migrations). Each device is its
//! own SQLite file, keychain and `Syncer`; nothing of our own is mocked.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use common::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use speasy_core::chatkit::ThreadItem;
use speasy_core::clock::{WallClock, now_ms};
use speasy_core::secrets::{MemoryStore, SecretName, SecretStore};
use speasy_core::store::{NewFact, Store, SyncTable};
use std::time::Duration;

use speasy_core::sync::{
    Project, Schedule, SignUp, SyncError, SyncOptions, SyncState, SyncStatus, Syncer,
};
use speasy_testkit::postgres::{TestPostgres, create_sync_database};
use speasy_testkit::supabase::{SupabaseConfig, SupabaseStub};

const PASSWORD: &str = "correct horse battery";

struct Cloud {
    stub: SupabaseStub,
    pg: TestPostgres,
}

async fn cloud(config: SupabaseConfig) -> Cloud {
    let pg = TestPostgres::start().expect("PostgreSQL starts");
    create_sync_database(&pg, "speasy", &[]).await.expect("schema");
    let stub = SupabaseStub::start(&pg, "speasy", config).await.expect("stand-in starts");
    Cloud { stub, pg }
}

impl Cloud {
    fn project(&self) -> Project {
        Project { url: self.stub.url(), publishable_key: self.stub.config().api_key.clone() }
    }
}

/// A wall clock `offset` ms away from the real one.
struct Skewed(AtomicI64);

impl WallClock for Skewed {
    fn now_ms(&self) -> i64 {
        now_ms() + self.0.load(Ordering::Relaxed)
    }
}

struct Device {
    dir: tempfile::TempDir,
    store: Arc<Store>,
    secrets: Arc<MemoryStore>,
    syncer: Syncer,
    clock: Arc<Skewed>,
}

fn device(cloud: &Cloud, options: SyncOptions) -> Device {
    device_for(&cloud.project(), options)
}

fn device_for(project: &Project, options: SyncOptions) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(Skewed(AtomicI64::new(0)));
    let store =
        Arc::new(Store::open_with_clock(&dir.path().join("speasy.db"), clock.clone()).unwrap());
    let secrets = Arc::new(MemoryStore::default());
    let syncer = Syncer::new(store.clone(), secrets.clone(), project, options).unwrap();
    Device { dir, store, secrets, syncer, clock }
}

impl Device {
    /// The same files after a crash: a new store on the same database, a new syncer on the
    /// same keychain.
    fn reopen(self, cloud: &Cloud, options: SyncOptions) -> Device {
        let Device { dir, store, secrets, syncer, clock } = self;
        drop(syncer);
        drop(store);
        let store =
            Arc::new(Store::open_with_clock(&dir.path().join("speasy.db"), clock.clone()).unwrap());
        let syncer =
            Syncer::new(store.clone(), secrets.clone(), &cloud.project(), options).unwrap();
        Device { dir, store, secrets, syncer, clock }
    }

    /// Everything that syncs, as comparable values (ids order; JSON compared as values, since
    /// the server keeps items as jsonb and may reorder keys).
    fn snapshot(&self) -> Vec<Value> {
        self.store
            .read(|c| {
                let mut out = Vec::new();
                for sql in [
                    "SELECT json_object('t', 'thread', 'id', id, 'title', title, 'pinned', pinned,
                        'archived', archived, 'persona', persona_id, 'status', json(status),
                        'metadata', json(metadata), 'deleted', deleted, 'title_hlc', title_hlc,
                        'pinned_hlc', pinned_hlc, 'meta_hlc', meta_hlc, 'updated_at', updated_at)
                       FROM threads ORDER BY id",
                    "SELECT json_object('t', 'item', 'id', id, 'thread', thread_id, 'type', type,
                        'ord', ord, 'hidden', hidden, 'data', json(data), 'data_hlc', data_hlc,
                        'deleted', deleted)
                       FROM thread_items ORDER BY id",
                    "SELECT json_object('t', 'fact', 'id', id, 'text', text, 'status', status,
                        'text_hlc', text_hlc, 'deleted', deleted, 'updated_at', updated_at)
                       FROM facts ORDER BY id",
                ] {
                    let mut st = c.prepare(sql)?;
                    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
                    for r in rows {
                        out.push(serde_json::from_str(&r?)?);
                    }
                }
                Ok(out)
            })
            .unwrap()
    }

    fn title(&self, thread_id: &str) -> Option<String> {
        self.store.load_thread(thread_id).ok().and_then(|t| t.title)
    }
}

fn options() -> SyncOptions {
    SyncOptions::default()
}

/// Write a conversation: a thread, `n` user/assistant pairs and a saved fact.
fn conversation(store: &Store, title: &str, n: usize) -> String {
    let t = thread(store, Some(title), now_ms());
    for i in 0..n {
        store
            .add_thread_item(&t.id, &user(store, &t.id, &format!("{title} question {i}")))
            .unwrap();
        store
            .add_thread_item(&t.id, &assistant(store, &t.id, &format!("{title} answer {i}")))
            .unwrap();
    }
    t.id
}

fn rename(store: &Store, thread_id: &str, title: &str) {
    let mut t = store.load_thread(thread_id).unwrap();
    t.title = Some(title.to_owned());
    store.save_thread(&t).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_share_history_and_merge_field_by_field() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let a = device(&cloud, options());
    let b = device(&cloud, options());

    // A was used offline before it had an account: that history is adopted at sign-up.
    let before = conversation(&a.store, "before signing up", 3);
    let fact =
        a.store.add_fact(&NewFact { text: "likes tea".into(), ..Default::default() }).unwrap();
    let outcome = a.syncer.sign_up("ada@example.com", PASSWORD).await.unwrap();
    assert!(matches!(outcome, SignUp::SignedIn { .. }), "{outcome:?}");
    let after = conversation(&a.store, "after signing up", 2);
    assert_eq!(a.store.outbox_counts().unwrap().pending, 2 + 6 + 4 + 1);

    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!(r.pushed, 13, "{r:?}");
    assert_eq!(r.dead_letters, 0);
    assert_eq!(a.store.outbox_counts().unwrap().pending, 0);

    // B signs in with nothing local and gets everything.
    b.syncer.sign_in("ada@example.com", PASSWORD).await.unwrap();
    let r = b.syncer.sync_now().await.unwrap();
    assert_eq!(r.pulled, 13, "{r:?}");
    assert_eq!(r.pushed, 0, "pulled rows are not sent back: {r:?}");
    assert_eq!(b.store.outbox_counts().unwrap().pending, 0);
    assert_eq!(b.title(&before).as_deref(), Some("before signing up"));
    assert_eq!(b.store.load_fact(&fact.id).unwrap().text, "likes tea");
    let hits = b.store.search("after signing up answer", 10).unwrap();
    assert_eq!(hits.len(), 2, "pulled messages are searchable");

    // B renames while A pins the same thread: both changes survive everywhere.
    rename(&b.store, &after, "renamed on B");
    a.store.set_thread_pinned(&after, true).unwrap();
    for _ in 0..2 {
        a.syncer.sync_now().await.unwrap();
        b.syncer.sync_now().await.unwrap();
    }
    for d in [&a, &b] {
        let t = d.store.load_thread_summary(&after).unwrap();
        assert_eq!(t.title.as_deref(), Some("renamed on B"));
        assert!(t.pinned);
    }
    assert_eq!(a.snapshot(), b.snapshot());
}

/// Two devices signed in to one fresh account.
async fn pair(cloud: &Cloud, email: &str) -> (Device, Device) {
    let a = device(cloud, options());
    let b = device(cloud, options());
    a.syncer.sign_up(email, PASSWORD).await.unwrap();
    b.syncer.sign_in(email, PASSWORD).await.unwrap();
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_renames_pick_the_later_stamp_in_either_push_order() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let (a, b) = pair(&cloud, "grace@example.com").await;
    let first = conversation(&a.store, "one", 1);
    let second = conversation(&a.store, "two", 1);
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();

    // B's clock runs 5 s ahead, so B's renames carry the later stamps, whoever pushes first.
    b.clock.0.store(5_000, Ordering::Relaxed);
    rename(&a.store, &first, "A's title");
    rename(&b.store, &first, "B's title");
    rename(&b.store, &second, "B's title");
    // `first`: A pushes before B. `second`: B pushes first, then A renames and pushes (A has
    // not pulled B's stamps yet, so its stamp is still the earlier one).
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();
    rename(&a.store, &second, "A's title");
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();
    for d in [&a, &b] {
        assert_eq!(d.title(&first).as_deref(), Some("B's title"));
        assert_eq!(d.title(&second).as_deref(), Some("B's title"));
    }
    assert_eq!(a.snapshot(), b.snapshot());

    // A's next edit is stamped after B's (A's clock took in B's stamps), so it wins now.
    rename(&a.store, &first, "A again");
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.title(&first).as_deref(), Some("A again"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_wins_over_offline_edits_on_every_device() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let (a, b) = pair(&cloud, "edsger@example.com").await;
    let t = conversation(&a.store, "doomed", 2);
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();

    // B, offline, renames it and adds a message (with a later clock); A deletes the thread.
    b.clock.0.store(60_000, Ordering::Relaxed);
    rename(&b.store, &t, "kept?");
    b.store.add_thread_item(&t, &user(&b.store, &t, "a late message")).unwrap();
    a.store.delete_thread(&t).unwrap();
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();
    a.syncer.sync_now().await.unwrap();

    for d in [&a, &b] {
        assert!(d.store.load_thread(&t).is_err(), "the thread is gone");
        let (live, cleared): (i64, i64) = d
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FILTER (WHERE deleted = 0),
                            count(*) FILTER (WHERE json(data) = json_object('type', type))
                       FROM thread_items WHERE thread_id = ?1",
                    [&t],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .unwrap();
        assert_eq!((live, cleared), (0, 5), "every item is a tombstone with its content cleared");
        assert!(d.store.search("late message", 10).unwrap().is_empty());
    }
    assert_eq!(a.snapshot(), b.snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushing_the_same_states_again_changes_nothing() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let (a, b) = pair(&cloud, "barbara@example.com").await;
    conversation(&a.store, "replayed", 5);
    a.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();
    let before = b.snapshot();

    // Queue every row of A again (as after a lost response) and push it three times.
    for _ in 0..3 {
        a.store
            .read(|c| {
                c.execute_batch(
                    "INSERT INTO sync_outbox (tbl, row_id, queued_at)
                       SELECT 'threads', id, 0 FROM threads WHERE true
                     UNION ALL SELECT 'thread_items', id, 0 FROM thread_items WHERE true
                     ON CONFLICT DO NOTHING",
                )?;
                Ok(())
            })
            .unwrap();
        let r = a.syncer.sync_now().await.unwrap();
        assert_eq!(r.pushed, 11, "{r:?}");
        assert_eq!(r.pulled, 0, "an unchanged row gets no new number: {r:?}");
    }
    let r = b.syncer.sync_now().await.unwrap();
    assert_eq!(r.pulled, 0, "{r:?}");
    assert_eq!(b.snapshot(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_server_refuses_is_parked_and_the_rest_syncs() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let (a, b) = pair(&cloud, "frances@example.com").await;
    let t = conversation(&a.store, "mostly fine", 10);
    // An item whose id is not a UUID (the server's column is uuid): that row cannot go up.
    let mut bad = user(&a.store, &t, "odd one");
    bad.id = "not-a-uuid".into();
    a.store.add_thread_item(&t, &bad).unwrap();

    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!((r.pushed, r.dead_letters), (21, 1), "{r:?}");
    let counts = a.store.outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.dead_letters), (0, 1));
    let (row, status, code): (String, i64, String) = a
        .store
        .read(|c| {
            Ok(c.query_row("SELECT row_id, http_status, code FROM sync_dead_letter", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?)
        })
        .unwrap();
    assert_eq!((row.as_str(), status, code.as_str()), ("not-a-uuid", 400, "22P02"));

    let r = b.syncer.sync_now().await.unwrap();
    assert_eq!(r.pulled, 21);
    // A second pass does not try the parked row again.
    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!((r.pushed, r.dead_letters), (0, 0), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_account_can_neither_read_nor_overwrite() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let a = device(&cloud, options());
    a.syncer.sign_up("alice@example.com", PASSWORD).await.unwrap();
    let t = conversation(&a.store, "private", 2);
    a.syncer.sync_now().await.unwrap();

    // Mallory learnt the thread's id: she writes a thread and an item under it.
    let m = device(&cloud, options());
    m.syncer.sign_up("mallory@example.com", PASSWORD).await.unwrap();
    let r = m.syncer.sync_now().await.unwrap();
    assert_eq!(r.pulled, 0, "nothing of Alice's is visible");
    let forged = speasy_core::chatkit::ThreadMetadata {
        id: t.clone(),
        title: Some("owned".into()),
        created_at: speasy_core::chatkit::format_time(now_ms()),
        status: speasy_core::chatkit::ThreadStatus::Active,
        metadata: Default::default(),
    };
    m.store.save_thread(&forged).unwrap();
    m.store.add_thread_item(&t, &user(&m.store, &t, "injected")).unwrap();
    let r = m.syncer.sync_now().await.unwrap();
    assert_eq!((r.pushed, r.dead_letters), (0, 2), "{r:?}");
    let codes: Vec<(i64, String)> = m
        .store
        .read(|c| {
            let mut st =
                c.prepare("SELECT http_status, code FROM sync_dead_letter ORDER BY tbl")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert_eq!(codes, [(409, "23503".to_owned()), (403, "42501".to_owned())]);

    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!(r.pulled, 0, "{r:?}");
    assert_eq!(a.title(&t).as_deref(), Some("private"));
    assert!(a.store.search("injected", 10).unwrap().is_empty());
}

/// The keychain's session with its access token replaced (the refresh token stays valid).
fn plant_access_token(d: &Device, token: &str) {
    let name = SecretName::new("sync.session").unwrap();
    let raw = d.secrets.get(&name).unwrap().unwrap();
    let mut v: Value = serde_json::from_str(raw.expose_secret()).unwrap();
    v["access_token"] = Value::String(token.to_owned());
    d.secrets.set(&name, &SecretString::from(v.to_string())).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refreshed_and_a_dead_session_pauses_sync() {
    let cloud = cloud(SupabaseConfig { refresh_reuse_s: 0, ..SupabaseConfig::default() }).await;
    let a = device(&cloud, options());
    a.syncer.sign_up("hopper@example.com", PASSWORD).await.unwrap();
    let user_id = a.syncer.account().await.unwrap().user_id;
    conversation(&a.store, "first", 1);
    a.syncer.sync_now().await.unwrap();

    // The access token expired while the device thinks it has an hour left (a clock that
    // disagrees with the server's): the first request gets 401 PGRST303, the device refreshes
    // and carries on.
    plant_access_token(&a, &cloud.stub.access_token(&user_id, -120));
    let a = a.reopen(&cloud, options());
    conversation(&a.store, "second", 1);
    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!(r.pushed, 3, "{r:?}");

    // Another copy of the same session refreshes first; this one's refresh token is then used
    // up: the server ends the session, sync pauses, and the change waits in the outbox.
    let copy = device(&cloud, options());
    let stored = a.secrets.get(&SecretName::new("sync.session").unwrap()).unwrap().unwrap();
    copy.secrets.set(&SecretName::new("sync.session").unwrap(), &stored).unwrap();
    plant_access_token(&copy, &cloud.stub.access_token(&user_id, -120));
    let copy = copy.reopen(&cloud, options());
    copy.store.sync_link(&user_id).unwrap();
    copy.syncer.sync_now().await.unwrap();

    plant_access_token(&a, &cloud.stub.access_token(&user_id, -120));
    let a = a.reopen(&cloud, options());
    conversation(&a.store, "third", 1);
    let e = a.syncer.sync_now().await.unwrap_err();
    assert!(matches!(e, SyncError::SessionExpired(_)), "{e:?}");
    assert!(e.needs_sign_in());
    assert!(a.syncer.account().await.is_none(), "signed out");
    assert_eq!(a.store.outbox_counts().unwrap().pending, 3, "the change stays queued");
    assert!(matches!(a.syncer.sync_now().await, Err(SyncError::SignedOut)));

    // Signing in again resumes.
    a.syncer.sign_in("hopper@example.com", PASSWORD).await.unwrap();
    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!(r.pushed, 3, "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_of_another_account_is_refused_at_sign_in() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let a = device(&cloud, options());
    a.syncer.sign_up("one@example.com", PASSWORD).await.unwrap();
    a.syncer.sign_out().await.unwrap();
    let e = a.syncer.sign_up("two@example.com", PASSWORD).await.unwrap_err();
    assert!(matches!(e, SyncError::OtherAccount { .. }), "{e:?}");
    assert!(a.syncer.account().await.is_none());
    let e = a.syncer.sign_in("one@example.com", "wrong password").await.unwrap_err();
    assert!(matches!(e, SyncError::InvalidCredentials), "{e:?}");
    a.syncer.sign_in("one@example.com", PASSWORD).await.unwrap();
}

/// Abort a pass after a growing delay, then reopen the files as after a crash, five times.
async fn crash_during_passes(mut d: Device, cloud: &Cloud, options: &SyncOptions) -> Device {
    for delay_ms in [5, 20, 40, 80, 160] {
        let syncer = Arc::new(d.syncer);
        let run = tokio::spawn({
            let s = syncer.clone();
            async move { s.sync_now().await }
        });
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        run.abort();
        let _ = run.await;
        let syncer = Arc::into_inner(syncer).expect("the aborted pass let go");
        d = Device { syncer, ..d }.reopen(cloud, options.clone());
    }
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_killed_at_any_point_resumes_without_loss() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let small = SyncOptions { pull_page: 7, push_batch: 9, ..SyncOptions::default() };
    let (a, _other) = pair(&cloud, "kill@example.com").await;
    for i in 0..4 {
        conversation(&a.store, &format!("thread {i}"), 10);
    }
    a.syncer.sync_now().await.unwrap();

    let b = device(&cloud, small.clone());
    b.syncer.sign_in("kill@example.com", PASSWORD).await.unwrap();
    let b = crash_during_passes(b, &cloud, &small).await;
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.snapshot(), a.snapshot());
    assert!(b.store.sync_cursor(SyncTable::ThreadItems).unwrap() > 0);
}

/// The states of `store`'s queued rows of `table` as the server would return them (numbered
/// from `seq`), emptying its queue.
fn as_pulled(store: &Store, table: SyncTable, seq: &mut i64) -> String {
    let rows =
        store.outbox_batch(table, "00000000-0000-0000-0000-00000000000a", i64::MAX, 1000).unwrap();
    store.outbox_ack(table, &rows).unwrap();
    let page: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v: Value = serde_json::from_str(&r.json).unwrap();
            *seq += 1;
            v["server_seq"] = Value::from(*seq);
            v
        })
        .collect();
    Value::Array(page).to_string()
}

/// The merge a device runs on pulled rows, without a server: a pending local change is never
/// overwritten by an older state, a newer one wins, tombstones win, forgotten facts stay
/// forgotten, and items wait for their thread.
#[test]
fn pulled_rows_merge_with_pending_local_changes_field_by_field() {
    let (_dx, x) = open_temp();
    let (_dy, y) = open_temp();
    for s in [&x, &y] {
        s.sync_link("00000000-0000-0000-0000-00000000000a").unwrap();
    }
    let mut seq = 0;
    let t = conversation(&x, "from x", 1);
    let fact = x.add_fact(&NewFact { text: "remember me".into(), ..Default::default() }).unwrap();
    let threads = as_pulled(&x, SyncTable::Threads, &mut seq);
    let items = as_pulled(&x, SyncTable::ThreadItems, &mut seq);
    let facts = as_pulled(&x, SyncTable::Facts, &mut seq);

    // Items before their thread: nothing is applied, the caller is told which threads to get.
    assert_eq!(
        y.apply_pulled(SyncTable::ThreadItems, &items).unwrap(),
        speasy_core::store::Applied::MissingThreads(vec![t.clone()])
    );
    assert_eq!(y.sync_cursor(SyncTable::ThreadItems).unwrap(), 0);
    y.apply_pulled(SyncTable::Threads, &threads).unwrap();
    y.apply_pulled(SyncTable::ThreadItems, &items).unwrap();
    y.apply_pulled(SyncTable::Facts, &facts).unwrap();
    assert_eq!(y.outbox_counts().unwrap().pending, 0, "pulled rows are not queued");
    assert_eq!(y.sync_cursor(SyncTable::Facts).unwrap(), seq);

    // X renames; then Y renames (later stamp) and has not pushed when X's rename arrives.
    rename(&x, &t, "x's rename");
    let x_rename = as_pulled(&x, SyncTable::Threads, &mut seq);
    rename(&y, &t, "y's rename");
    y.apply_pulled(SyncTable::Threads, &x_rename).unwrap();
    assert_eq!(y.load_thread(&t).unwrap().title.as_deref(), Some("y's rename"));
    assert_eq!(y.outbox_counts().unwrap().pending, 1, "y's change still goes out");
    // X renames again, after seeing y's stamp: that one wins on Y.
    let y_state = as_pulled(&y, SyncTable::Threads, &mut seq);
    x.apply_pulled(SyncTable::Threads, &y_state).unwrap();
    assert_eq!(x.load_thread(&t).unwrap().title.as_deref(), Some("y's rename"));
    rename(&x, &t, "x, later");
    y.apply_pulled(SyncTable::Threads, &as_pulled(&x, SyncTable::Threads, &mut seq)).unwrap();
    assert_eq!(y.load_thread(&t).unwrap().title.as_deref(), Some("x, later"));

    // Y forgets the fact while X edits it: the edit arrives later and is dropped.
    y.delete_fact(&fact.id).unwrap();
    x.set_fact_text(&fact.id, "edited").unwrap();
    y.apply_pulled(SyncTable::Facts, &as_pulled(&x, SyncTable::Facts, &mut seq)).unwrap();
    assert!(y.load_fact(&fact.id).is_err(), "a forgotten fact stays forgotten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_project_key_stops_sync_and_parks_nothing() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let a = device(&cloud, options());
    a.syncer.sign_up("key@example.com", PASSWORD).await.unwrap();
    conversation(&a.store, "waiting", 2);
    let wrong = Project { publishable_key: "sb_publishable_wrong".into(), ..cloud.project() };
    let syncer = Syncer::new(a.store.clone(), a.secrets.clone(), &wrong, options()).unwrap();
    let e = syncer.sync_now().await.unwrap_err();
    assert!(matches!(e, SyncError::InvalidProject(_)), "{e:?}");
    let counts = a.store.outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.dead_letters), (5, 0));
    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!(r.pushed, 5);
}

/// A queued row that no longer exists (deleted outside the store) is dropped from the queue,
/// however many such entries come first.
#[test]
fn queue_entries_of_rows_that_are_gone_are_dropped() {
    let (_d, s) = open_temp();
    let user = "00000000-0000-0000-0000-00000000000a";
    s.sync_link(user).unwrap();
    let t = conversation(&s, "gone", 1);
    let kept = conversation(&s, "kept", 1);
    s.read(|c| Ok(c.execute("DELETE FROM threads WHERE id = ?1", [&t])?)).unwrap();
    assert_eq!(s.outbox_counts().unwrap().pending, 6);

    // Limit 1: the first two entries are the deleted thread's items, both gone.
    let rows = s.outbox_batch(SyncTable::ThreadItems, user, i64::MAX, 1).unwrap();
    assert_eq!(rows.len(), 1);
    let item: Value = serde_json::from_str(&rows[0].json).unwrap();
    assert_eq!(item["thread_id"], kept.as_str());
    let threads = s.outbox_batch(SyncTable::Threads, user, i64::MAX, 10).unwrap();
    assert_eq!(threads.iter().map(|r| r.row_id.as_str()).collect::<Vec<_>>(), [kept.as_str()]);
    assert_eq!(s.outbox_counts().unwrap().pending, 3, "the kept thread and its two items");
}

/// Pulled items keep search right: a new item is found, an edit replaces the old text in the
/// index, a tombstone takes it out, and a local edit afterwards is indexed as usual.
#[test]
fn pulled_items_are_searchable_and_edits_and_deletes_reindex_them() {
    let (_dx, x) = open_temp();
    let (_dy, y) = open_temp();
    for s in [&x, &y] {
        s.sync_link("00000000-0000-0000-0000-00000000000a").unwrap();
    }
    let mut seq = 0;
    let t = thread(&x, Some("tides"), now_ms());
    let question = user(&x, &t.id, "why do spring tides happen");
    let answer = assistant(&x, &t.id, "the sun and moon align");
    x.add_thread_items(&t.id, &[question.clone(), answer.clone()]).unwrap();
    let pull = |s: &Store, seq: &mut i64| {
        for table in SyncTable::ORDER {
            y.apply_pulled(table, &as_pulled(s, table, seq)).unwrap();
        }
        // The index holds no copy of the text: FTS5 checks it against the rows.
        y.integrity_check().unwrap();
    };
    let hits =
        |q: &str| y.search(q, 10).unwrap().into_iter().map(|h| h.item_id).collect::<Vec<_>>();
    pull(&x, &mut seq);
    assert_eq!(hits("spring"), [question.id.as_str()]);
    assert_eq!(hits("align"), [answer.id.as_str()]);

    let edited = assistant(&x, &t.id, "gravity of the sun and the moon adds up");
    let edited = ThreadItem { id: answer.id.clone(), ..edited };
    x.save_item(&t.id, &edited).unwrap();
    pull(&x, &mut seq);
    assert!(hits("align").is_empty(), "the old text left the index");
    assert_eq!(hits("gravity"), [answer.id.as_str()]);

    // A later local edit wins over an older pulled one, and the index keeps the local text.
    let theirs = assistant(&x, &t.id, "tides follow the lunar day");
    x.save_item(&t.id, &ThreadItem { id: answer.id.clone(), ..theirs }).unwrap();
    std::thread::sleep(Duration::from_millis(5)); // y's stamp is the later one
    let ours = assistant(&y, &t.id, "orbital resonance explains it");
    y.save_item(&t.id, &ThreadItem { id: answer.id.clone(), ..ours }).unwrap();
    pull(&x, &mut seq);
    assert!(hits("lunar").is_empty(), "the older pulled text lost");
    assert_eq!(hits("resonance"), [answer.id.as_str()]);

    x.delete_thread_item(&t.id, &question.id).unwrap();
    pull(&x, &mut seq);
    assert!(hits("spring").is_empty(), "a pulled tombstone leaves nothing in search");

    // The triggers index local writes again once a page is applied.
    y.add_thread_item(&t.id, &user(&y, &t.id, "and neap tides")).unwrap();
    assert_eq!(hits("neap").len(), 1);
}

/// Wait (up to 30 s) until the core's sync status satisfies `ok`; the last status seen.
async fn status_until(
    core: &speasy_core::Core,
    what: &str,
    ok: impl Fn(&SyncStatus) -> bool,
) -> SyncStatus {
    let mut rx = core.sync_watch();
    let waited = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            let s = rx.borrow_and_update().clone();
            if ok(&s) {
                return s;
            }
            rx.changed().await.unwrap();
        }
    })
    .await;
    waited.unwrap_or_else(|_| panic!("sync never reached: {what}; last {:?}", core.sync_status()))
}

/// The app's sync, through the core's `speasy.sync.*` requests: configured and signed in, it
/// runs at once, then after local writes by itself (debounced); a server that stops answering
/// makes it back off and retry with the changes still queued, until they go out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_syncs_after_writes_and_retries_while_the_server_hangs() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let schedule = Schedule {
        debounce: Duration::from_millis(100),
        debounce_max: Duration::from_millis(500),
        period: Duration::from_secs(3600),
        backoff_base: Duration::from_millis(300),
        backoff_cap: Duration::from_secs(1),
    };
    let core = Arc::new(speasy_core::Core::start(speasy_core::CoreConfig {
        data_dir: Some(dir.path().to_owned()),
        secrets: Some(Arc::new(MemoryStore::default())),
        sync_options: Some(SyncOptions {
            request_timeout: Duration::from_secs(1),
            ..SyncOptions::default()
        }),
        sync_schedule: Some(schedule),
        ..Default::default()
    }));
    let op = |ty: &str, params: Value| {
        let core = core.clone();
        let body = serde_json::json!({"type": ty, "params": params}).to_string();
        async move {
            match core.chatkit(body.as_bytes()).await {
                Ok(speasy_core::ChatKitResponse::Json(v)) => Ok(v),
                Ok(_) => panic!("{body} streamed"),
                Err(e) => Err(e),
            }
        }
    };
    assert_eq!(core.sync_start().unwrap().state, SyncState::Off);
    let store = core.store().unwrap();
    let offline = conversation(&store, "written before sync", 1);

    let e = op(
        "speasy.sync.configure",
        serde_json::json!({"project": {"url": "ftp://x", "publishable_key": "k"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, speasy_core::ErrorKind::SyncProject);
    let project = serde_json::to_value(cloud.project()).unwrap();
    let s = op("speasy.sync.configure", serde_json::json!({ "project": project })).await.unwrap();
    assert_eq!(s["state"], "signed_out");
    let e = op(
        "speasy.sync.sign_in",
        serde_json::json!({"email": "app@example.com", "password": PASSWORD}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, speasy_core::ErrorKind::SyncAccount, "no such account yet");
    let up = op(
        "speasy.sync.sign_up",
        serde_json::json!({"email": "app@example.com", "password": PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(up["state"], "signed_in");
    // Signing up starts the first sync: the history written before is adopted and pushed.
    let first = status_until(&core, "first sync", |s| {
        s.last_synced_at.is_some() && s.state == SyncState::Idle && s.pending == 0
    })
    .await;
    assert_eq!((first.dead_letters, first.error.as_ref()), (0, None));
    assert_eq!(first.account.as_ref().and_then(|a| a.email.as_deref()), Some("app@example.com"));

    // A local write goes out by itself.
    let before = first.last_synced_at;
    let later = conversation(&store, "written while synced", 2);
    let s = status_until(&core, "the write synced", |s| {
        s.last_synced_at > before && s.pending == 0 && s.state == SyncState::Idle
    })
    .await;
    assert!(s.error.is_none());

    // Another device of the account sees both conversations.
    let b = device(&cloud, options());
    b.syncer.sign_in("app@example.com", PASSWORD).await.unwrap();
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.title(&offline).as_deref(), Some("written before sync"));
    assert_eq!(b.title(&later).as_deref(), Some("written while synced"));

    // The server hangs (a lock holds the threads table): the pass times out, sync backs off
    // and keeps the change queued...
    let mut admin =
        cloud.pg.connect(speasy_testkit::postgres::PG_SUPERUSER, "speasy").await.unwrap();
    let lock = admin.transaction().await.unwrap();
    lock.execute("lock table public.threads in access exclusive mode", &[]).await.unwrap();
    rename(&store, &later, "renamed while the server hangs");
    let s = status_until(&core, "retrying", |s| s.state == SyncState::Retrying).await;
    assert_eq!(s.error.as_ref().map(|e| e.kind), Some(speasy_core::ErrorKind::SyncUnavailable));
    assert!(s.retry_at.is_some_and(|at| at > now_ms() - 1000), "{s:?}");
    assert_eq!(s.pending, 1);
    // ...and once the server answers again, a retry sends it.
    lock.rollback().await.unwrap();
    let s =
        status_until(&core, "recovered", |s| s.state == SyncState::Idle && s.pending == 0).await;
    assert!(s.error.is_none() && s.retry_at.is_none(), "{s:?}");
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.title(&later).as_deref(), Some("renamed while the server hangs"));

    // Signing out stops it; changes queue up again.
    let s = op("speasy.sync.sign_out", serde_json::json!({})).await.unwrap();
    assert_eq!(s["state"], "signed_out");
    rename(&store, &later, "offline again");
    let s = status_until(&core, "queued while signed out", |s| s.pending == 1).await;
    assert_eq!(s.state, SyncState::SignedOut);
}

/// The HLC milliseconds of a thread's title stamp.
fn title_stamp_ms(store: &Store, thread_id: &str) -> i64 {
    store
        .read(|c| {
            Ok(c.query_row("SELECT title_hlc FROM threads WHERE id = ?1", [thread_id], |r| {
                r.get::<_, String>(0)
            })?)
        })
        .unwrap()[..15]
        .parse()
        .unwrap()
}

/// Clock skew (`supabase-sync.md` §5.5). A device two hours ahead has its stamps refused
/// (`22008 hlc_in_future`): it takes the server's time from the `Date` header, re-stamps, and
/// everything goes through in the same pass, nothing parked. A device a day behind misses no
/// row (the cursor is the server's sequence, not a time) and, once corrected, its later edit
/// wins as it should.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_clocks_are_corrected_by_the_servers_and_lose_nothing() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let a = device(&cloud, options());
    a.clock.0.store(2 * 3_600_000, Ordering::Relaxed);
    a.syncer.sign_up("skew@example.com", PASSWORD).await.unwrap();
    let t = conversation(&a.store, "written ahead", 2);
    assert!(title_stamp_ms(&a.store, &t) > now_ms() + 3_600_000);

    let r = a.syncer.sync_now().await.unwrap();
    let counts = a.store.outbox_counts().unwrap();
    assert_eq!((r.dead_letters, counts.pending, counts.dead_letters), (0, 0, 0), "{r:?}");
    assert!((a.store.clock_offset() + 7_200_000).abs() < 3_000, "{}", a.store.clock_offset());
    assert!((title_stamp_ms(&a.store, &t) - now_ms()).abs() < 5_000, "re-stamped to server time");
    // New edits on A are stamped with the corrected clock.
    rename(&a.store, &t, "a, corrected");
    assert!((title_stamp_ms(&a.store, &t) - now_ms()).abs() < 5_000);
    a.syncer.sync_now().await.unwrap();

    // B (right clock) renames later: its rename wins everywhere.
    let b = device(&cloud, options());
    b.syncer.sign_in("skew@example.com", PASSWORD).await.unwrap();
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.title(&t).as_deref(), Some("a, corrected"));
    tokio::time::sleep(Duration::from_millis(5)).await;
    rename(&b.store, &t, "b, later");
    b.syncer.sync_now().await.unwrap();
    a.syncer.sync_now().await.unwrap();
    assert_eq!(a.title(&t).as_deref(), Some("b, later"));

    // C is a day behind: it pulls every row, and after one exchange with the server its edit,
    // made after B's, wins.
    let c = device(&cloud, options());
    c.clock.0.store(-24 * 3_600_000, Ordering::Relaxed);
    c.syncer.sign_in("skew@example.com", PASSWORD).await.unwrap();
    c.syncer.sync_now().await.unwrap();
    assert_eq!(c.snapshot().len(), b.snapshot().len(), "no row missed");
    assert_eq!(c.title(&t).as_deref(), Some("b, later"));
    tokio::time::sleep(Duration::from_millis(5)).await;
    rename(&c.store, &t, "c, latest");
    c.syncer.sync_now().await.unwrap();
    b.syncer.sync_now().await.unwrap();
    a.syncer.sync_now().await.unwrap();
    for d in [&a, &b, &c] {
        assert_eq!(d.title(&t).as_deref(), Some("c, latest"));
    }
    assert_eq!(a.snapshot(), b.snapshot());
    assert_eq!(b.snapshot(), c.snapshot());

    // C restarts with its clock still a day behind and edits before it reaches the server
    // again: the correction was kept, so the edit is stamped now, not a day ago.
    let c = c.reopen(&cloud, options());
    assert!((c.store.clock_offset() - 24 * 3_600_000).abs() < 3_000, "{}", c.store.clock_offset());
    rename(&c.store, &t, "c, after a restart");
    assert!((title_stamp_ms(&c.store, &t) - now_ms()).abs() < 5_000, "stamped at corrected time");
}

/// A push killed at any point (between batches, with a request in flight) and the files
/// reopened: the next pass sends what is left, nothing is parked or lost, and the server holds
/// each row once (a replayed batch merges to the same state).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_killed_at_any_point_resumes_without_loss() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let small = SyncOptions { push_batch: 9, ..SyncOptions::default() };
    let a = device(&cloud, small.clone());
    a.syncer.sign_up("push-kill@example.com", PASSWORD).await.unwrap();
    let threads: Vec<String> =
        (0..4).map(|i| conversation(&a.store, &format!("thread {i}"), 10)).collect();
    assert_eq!(a.store.outbox_counts().unwrap().pending, 84);
    let a = crash_during_passes(a, &cloud, &small).await;
    a.syncer.sync_now().await.unwrap();
    let counts = a.store.outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.dead_letters), (0, 0));

    let b = device(&cloud, options());
    b.syncer.sign_in("push-kill@example.com", PASSWORD).await.unwrap();
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.snapshot(), a.snapshot());
    assert_eq!(b.snapshot().len(), 84);
    for t in &threads {
        assert!(b.title(t).is_some());
    }
}

/// Re-stamping after a clock correction touches only what this device has not sent: rows
/// pulled from others keep their stamps, and the fresh stamps still sort after every stamp
/// kept, so the device's later edits keep winning as they should.
#[test]
fn restamping_touches_only_queued_changes_and_stays_after_what_is_kept() {
    let account = "00000000-0000-0000-0000-00000000000a";
    let (dx, x) = (tempfile::tempdir().unwrap(), Arc::new(Skewed(AtomicI64::new(30_000))));
    let x = Store::open_with_clock(&dx.path().join("speasy.db"), x).unwrap();
    let dy = tempfile::tempdir().unwrap();
    let y_clock = Arc::new(Skewed(AtomicI64::new(2 * 3_600_000)));
    let y = Store::open_with_clock(&dy.path().join("speasy.db"), y_clock).unwrap();
    for s in [&x, &y] {
        s.sync_link(account).unwrap();
    }
    // X (30 s fast, within what the server accepts) writes; Y pulls it.
    let mut seq = 0;
    let t = conversation(&x, "from x", 1);
    for table in SyncTable::ORDER {
        y.apply_pulled(table, &as_pulled(&x, table, &mut seq)).unwrap();
    }
    let stamps = |s: &Store| -> Vec<String> {
        s.read(|c| {
            let mut st = c.prepare("SELECT ord || data_hlc FROM thread_items ORDER BY ord")?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap()
    };
    let pulled = stamps(&y);
    // Y, two hours fast, renames the thread and writes a message: both queued.
    rename(&y, &t, "y, ahead");
    y.add_thread_item(&t, &user(&y, &t, "written ahead")).unwrap();
    assert!(title_stamp_ms(&y, &t) > now_ms() + 3_600_000);

    y.set_clock_offset(-2 * 3_600_000).unwrap();
    let changed = y.restamp_future(now_ms() + 2_000).unwrap();
    assert_eq!(changed, 3, "the title stamp, and the new item's ord and data stamps");
    assert_eq!(stamps(&y)[..2], pulled[..], "pulled items keep their stamps and place");
    let x_newest: i64 = pulled.iter().map(|s| s[..15].parse::<i64>().unwrap()).max().unwrap();
    let title = title_stamp_ms(&y, &t);
    assert!(title >= x_newest && title < now_ms() + 60_000, "{title} vs {x_newest}");
    assert_eq!(y.load_thread(&t).unwrap().title.as_deref(), Some("y, ahead"));
    assert!(y.outbox_counts().unwrap().pending >= 2, "still queued");
}

/// Moving to another Supabase project: the session and what the device knew of the old server
/// (account, cursors) are dropped, and signing in to the new project adopts all the data again,
/// which arrives there whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_to_another_project_adopts_the_data_there() {
    let first = cloud(SupabaseConfig::default()).await;
    create_sync_database(&first.pg, "second", &[]).await.unwrap();
    let second = SupabaseStub::start(&first.pg, "second", SupabaseConfig::default()).await.unwrap();
    let second_project =
        Project { url: second.url(), publishable_key: second.config().api_key.clone() };
    let dir = tempfile::tempdir().unwrap();
    let core = Arc::new(speasy_core::Core::start(speasy_core::CoreConfig {
        data_dir: Some(dir.path().to_owned()),
        secrets: Some(Arc::new(MemoryStore::default())),
        ..Default::default()
    }));
    let store = core.store().unwrap();
    core.sync_configure(Some(first.project())).await.unwrap();
    core.sync_sign_up("mover@example.com", PASSWORD).await.unwrap();
    let t = conversation(&store, "moving", 2);
    status_until(&core, "synced with the first project", |s| {
        s.last_synced_at.is_some() && s.pending == 0 && s.state == SyncState::Idle
    })
    .await;

    let s = core.sync_configure(Some(second_project.clone())).await.unwrap();
    assert_eq!((s.state, s.account.is_none()), (SyncState::SignedOut, true));
    // Another account id on the new server is no longer "another account".
    core.sync_sign_up("mover@example.com", PASSWORD).await.unwrap();
    status_until(&core, "synced with the second project", |s| {
        s.last_synced_at.is_some() && s.pending == 0 && s.state == SyncState::Idle
    })
    .await;
    let b = device_for(&second_project, options());
    b.syncer.sign_in("mover@example.com", PASSWORD).await.unwrap();
    b.syncer.sync_now().await.unwrap();
    assert_eq!(b.title(&t).as_deref(), Some("moving"));
    assert_eq!(b.snapshot().len(), 5, "the thread and its 4 messages");
}

/// The access token runs out in the middle of a long pass, while the device believes it has
/// an hour left: the stand-in's token clock jumps past its expiry at the 40th request of a
/// pass of 1010 one-row pushes. The request that gets 401 refreshes the session and the pass
/// carries on to the end, nothing lost or parked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expiring_mid_sync_is_refreshed_and_the_pass_finishes() {
    let cloud = cloud(SupabaseConfig::default()).await;
    let one_by_one = SyncOptions { push_batch: 1, ..SyncOptions::default() };
    let a = device(&cloud, one_by_one);
    a.syncer.sign_up("midway@example.com", PASSWORD).await.unwrap();
    for i in 0..10 {
        conversation(&a.store, &format!("long {i}"), 50);
    }
    let session = SecretName::new("sync.session").unwrap();
    let refresh_token = |d: &Device| -> Value {
        let raw = d.secrets.get(&session).unwrap().unwrap();
        serde_json::from_str::<Value>(raw.expose_secret()).unwrap()["refresh_token"].clone()
    };
    let before = refresh_token(&a);
    let ttl = cloud.stub.config().access_ttl_s;
    cloud.stub.advance_token_clock_after(40, ttl + 31);

    let r = a.syncer.sync_now().await.unwrap();
    assert_eq!((r.pushed, r.dead_letters), (1010, 0), "{r:?}");
    assert_ne!(refresh_token(&a), before, "the session was refreshed on the way");
    assert_eq!(a.store.outbox_counts().unwrap().pending, 0);
    let admin = cloud.pg.connect(speasy_testkit::postgres::PG_SUPERUSER, "speasy").await.unwrap();
    let items: i64 =
        admin.query_one("select count(*) from public.thread_items", &[]).await.unwrap().get(0);
    assert_eq!(items, 1000);
}
