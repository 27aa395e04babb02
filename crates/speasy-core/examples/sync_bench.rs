//! Sync's figures (printed, never asserted): a first push and a first pull of a large history
//! through the Supabase stand-in (PostgREST + Auth over a real PostgreSQL), each against the
//! same rows moved directly in PostgreSQL; and one change's round trip between two devices.
//!
//! `cargo run --release -p speasy-core --example sync_bench [messages]` (default 100,000). It
//! also checks the first sync is whole (every message on the new device, byte for byte in
//! total, all of them in its search index) and fails otherwise; the test command runs it.
//! Direct push: the same rows in the same 500-row JSON arrays, each inserted by one `INSERT …
//! SELECT FROM json_populate_recordset` in its own transaction, through the same merge triggers
//! (another account, ids mapped).
//! Direct pull: one `SELECT json_agg(t)` of the account's rows. Both as the database owner over
//! the Unix socket: the floor any client pays for the same rows and triggers.
//! The first pull is measured twice, on two new devices: right after the push, when PostgreSQL
//! has no statistics for the rows it just took in (it then plans each page as a scan of all the
//! account's remaining rows plus a sort), and after `ANALYZE`, as autovacuum leaves the tables
//! some time later (each page is then an index range scan).
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use speasy_core::chatkit::{ThreadItem, ThreadMetadata, ThreadStatus, format_time};
use speasy_core::clock::now_ms;
use speasy_core::secrets::MemoryStore;
use speasy_core::store::{PulledPage, Store, SyncTable};
use speasy_core::sync::rest::Rest;
use speasy_core::sync::{Project, SyncOptions, Syncer};
use speasy_testkit::postgres::{PG_SUPERUSER, TestPostgres, create_sync_database};
use speasy_testkit::supabase::{SupabaseConfig, SupabaseStub};

const PER_THREAD: usize = 100;

type Res<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn item(store: &Store, thread_id: &str, i: usize) -> Res<ThreadItem> {
    let v = if i.is_multiple_of(2) {
        json!({"type": "user_message", "content": [{"type": "input_text",
               "text": format!("question {i}: how do tides depend on the moon's distance?")}],
               "attachments": [], "inference_options": {}})
    } else {
        json!({"type": "assistant_message", "content": [{"type": "output_text", "annotations": [],
               "text": format!("answer {i}: the tidal force falls with the cube of the distance, \
                                so a closer moon raises noticeably higher tides.")}]})
    };
    let mut v = v;
    v["id"] = json!(store.generate_item_id());
    v["thread_id"] = json!(thread_id);
    v["created_at"] = json!(format_time(now_ms()));
    Ok(serde_json::from_value(v)?)
}

fn device(project: &Project, dir: &std::path::Path) -> Res<(Arc<Store>, Syncer)> {
    let store = Arc::new(Store::open_in(dir)?);
    let syncer = Syncer::new(
        store.clone(),
        Arc::new(MemoryStore::default()),
        project,
        SyncOptions::default(),
    )?;
    Ok((store, syncer))
}

/// `device`'s first pull of the account's `rows`, checked whole against `source` (every message,
/// each as written there, all in the search index), and the same rows read directly: one
/// `SELECT json_agg(t)` per table as the database owner. Returns both times and the JSON's size.
async fn first_pull(
    source: &Store,
    device: &Store,
    syncer: &Syncer,
    db: &speasy_testkit::postgres::Client,
    user_id: &str,
    rows: usize,
) -> Res<(Duration, Duration, usize)> {
    syncer.sign_in("bench@example.com", "bench password").await?;
    let t0 = Instant::now();
    let pulled = syncer.pull_now().await?;
    let pull = t0.elapsed();
    if pulled.pulled as usize != rows {
        return Err(format!("pulled {} rows of {rows}", pulled.pulled).into());
    }
    let digest = |s: &Store| {
        s.read(|c| {
            Ok(c.query_row(
                "SELECT count(*), sum(length(data)), count(DISTINCT thread_id) FROM thread_items",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)),
            )?)
        })
    };
    let (there, here) = (digest(source)?, digest(device)?);
    if there != here {
        return Err(format!("the first pull differs from the source: {here:?} vs {there:?}").into());
    }
    // Rows in the index itself (`item_fts` alone would read its external content), after
    // FTS5 has checked the index matches that content.
    let indexed = |s: &Store| {
        s.read(|c| {
            c.execute("INSERT INTO item_fts (item_fts, rank) VALUES ('integrity-check', 1)", [])?;
            Ok(c.query_row("SELECT count(*) FROM item_fts_docsize", [], |r| r.get::<_, i64>(0))?)
        })
    };
    let (indexed_there, indexed_here) = (indexed(source)?, indexed(device)?);
    if indexed_there != indexed_here || device.search("tides moon", 5)?.is_empty() {
        return Err(format!(
            "the search index has {indexed_here} messages, the source's {indexed_there}"
        )
        .into());
    }
    let t = Instant::now();
    let mut bytes = 0;
    for table in ["threads", "thread_items"] {
        let body: String = db
            .query_one(
                &format!(
                    "select json_agg(t)::text from (select * from public.{table}
                      where user_id = $1::text::uuid order by server_seq) t"
                ),
                &[&user_id],
            )
            .await?
            .get(0);
        bytes += body.len();
    }
    Ok((pull, t.elapsed(), bytes))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The middle value (of an odd count; the upper middle of an even one).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Res {
    let messages: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let threads = messages.div_ceil(PER_THREAD);
    let pg = TestPostgres::start()?;
    create_sync_database(&pg, "speasy", &[]).await?;
    let stub = SupabaseStub::start(&pg, "speasy", SupabaseConfig::default()).await?;
    let project = Project { url: stub.url(), publishable_key: stub.config().api_key.clone() };
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir()).collect::<Result<_, _>>()?;

    let (a, a_sync) = device(&project, dirs[0].path())?;
    let account = match a_sync.sign_up("bench@example.com", "bench password").await? {
        speasy_core::sync::SignUp::SignedIn { account } => account,
        other => return Err(format!("sign-up did not sign in: {other:?}").into()),
    };
    let seeded = Instant::now();
    for t in 0..threads {
        let meta = ThreadMetadata {
            id: a.generate_thread_id(),
            title: Some(format!("thread {t}")),
            created_at: format_time(now_ms()),
            status: ThreadStatus::Active,
            metadata: Default::default(),
        };
        a.save_thread(&meta)?;
        let n = PER_THREAD.min(messages - t * PER_THREAD);
        let items = (0..n).map(|i| item(&a, &meta.id, i)).collect::<Res<Vec<_>>>()?;
        a.add_thread_items(&meta.id, &items)?;
    }
    println!(
        "sync-bench seeded {messages} messages in {threads} threads on device A in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    // First push of the whole history.
    let t0 = Instant::now();
    let pushed = a_sync.push_now().await?;
    let push = t0.elapsed();
    assert_eq!(pushed.pushed as usize, messages + threads);

    // The same rows straight into PostgreSQL, as another account (ids mapped so they do not
    // collide), through the same triggers: 500-row JSON arrays (the client's batch), each one
    // `INSERT … SELECT FROM json_populate_recordset` in its own transaction, as PostgREST runs
    // a request. (One statement for all 100k rows is no floor: each row's server_seq bumps the
    // same counter row, and 100k versions of one row in one transaction is quadratic.)
    let db = pg.connect(PG_SUPERUSER, "speasy").await?;
    let other = "00000000-0000-4000-8000-00000000b0b0";
    db.execute(
        "insert into auth.users (id, email) values ($1::text::uuid, 'direct@example.com')",
        &[&other],
    )
    .await?;
    let mut direct_push = Duration::ZERO;
    for (table, remap) in
        [("threads", ""), ("thread_items", ", 'thread_id', md5(x.thread_id::text || 'b')::uuid")]
    {
        // The payloads a client would send (built before timing).
        let payloads: Vec<String> = db
            .query(
                &format!(
                    "select json_agg(r)::text from (
                       select to_jsonb(x) || jsonb_build_object('id', md5(x.id::text || 'b')::uuid,
                                'user_id', $2::text{remap}) as r,
                              (row_number() over (order by x.server_seq) - 1) / 500 as batch
                         from public.{table} x where user_id = $1::text::uuid) b
                     group by batch order by batch"
                ),
                &[&account.user_id, &other],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let cols: Vec<String> = db
            .query(
                "select column_name::text from information_schema.columns
                  where table_schema = 'public' and table_name = $1
                    and column_name not in ('server_seq', 'server_at')
                  order by ordinal_position",
                &[&table],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let cols = cols.join(", ");
        let insert = db
            .prepare(&format!(
                "insert into public.{table} ({cols})
                 select {cols} from json_populate_recordset(null::public.{table}, $1::text::json)"
            ))
            .await?;
        let t = Instant::now();
        for payload in &payloads {
            db.execute(&insert, &[payload]).await?;
        }
        direct_push += t.elapsed();
    }

    // First pull on a fresh device: once right after the pushes, when PostgreSQL has no
    // statistics for the rows it just took in (the planner's choice for a page differs) and
    // autovacuum may start on them at any moment; then on a settled server, as autovacuum
    // leaves it some time later (`VACUUM ANALYZE`: statistics, hint bits, visibility map), three
    // rounds of a new device's pull and the direct SELECT, medians compared. On the unsettled
    // server the direct SELECT alone was measured anywhere from 1.5 to 3.5 s.
    let (b, b_sync) = device(&project, dirs[1].path())?;
    let (pull, direct_pull, bytes) =
        first_pull(&a, &b, &b_sync, &db, &account.user_id, messages + threads).await?;
    db.batch_execute("vacuum analyze").await?;
    let (mut pulls, mut directs) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let dir = tempfile::tempdir()?;
        let (c, c_sync) = device(&project, dir.path())?;
        let (p, d, _) =
            first_pull(&a, &c, &c_sync, &db, &account.user_id, messages + threads).await?;
        pulls.push(ms(p));
        directs.push(ms(d));
    }
    let (pull_settled, direct_settled) = (median(&mut pulls), median(&mut directs));

    // Where a first pull's time goes: the same pages fetched and parsed only (HTTP, the
    // stand-in, PostgreSQL and `PulledPage::parse`, as the engine's fetching side does), then
    // merged only (SQLite, FTS included) into a third device.
    let rest = Rest::new(reqwest::Client::new(), &project)?;
    let token = stub.access_token(&account.user_id, 3600);
    let t = Instant::now();
    let mut pages = Vec::new();
    for table in SyncTable::ORDER {
        let mut after = 0;
        loop {
            let page = rest
                .page(table, token.clone(), after, 1000, false)
                .await
                .map_err(|f| f.into_error())?;
            let page = PulledPage::parse(table, &page.text)?;
            if page.is_empty() {
                break;
            }
            after = page.last_seq();
            pages.push(page);
        }
    }
    let fetch_only = t.elapsed();
    let c_dir = tempfile::tempdir()?;
    let c = Store::open_in(c_dir.path())?;
    let t = Instant::now();
    for page in &pages {
        c.apply_page(page)?;
    }
    let merge_only = t.elapsed();

    println!(
        "sync-bench first-push {messages} messages: {:.0} ms through the stand-in, {:.0} ms direct INSERT: {:.2} x",
        ms(push),
        ms(direct_push),
        ms(push) / ms(direct_push)
    );
    println!(
        "sync-bench first-pull {messages} messages: {:.0} ms through the stand-in into SQLite (FTS indexed), {:.0} ms direct SELECT ({:.1} MB of JSON): {:.2} x (right after the push: no planner statistics yet)",
        ms(pull),
        ms(direct_pull),
        bytes as f64 / 1e6,
        ms(pull) / ms(direct_pull)
    );
    println!(
        "sync-bench first-pull {messages} messages, settled server (VACUUM ANALYZE), median of 3: {pull_settled:.0} ms through the stand-in, {direct_settled:.0} ms direct SELECT: {:.2} x (pulls {pulls:.0?} ms, direct {directs:.0?} ms)",
        pull_settled / direct_settled
    );
    println!(
        "sync-bench first-pull breakdown (settled): fetching and parsing the {} pages alone {:.0} ms, merging them alone {:.0} ms (the two overlap in a pull)",
        pages.len(),
        ms(fetch_only),
        ms(merge_only)
    );

    // One change's round trip: A renames a thread and pushes; B pulls and has it.
    a_sync.pull_now().await?; // A takes in its own echo first
    let thread_id: String = b.read(|c| {
        Ok(c.query_row("SELECT id FROM threads ORDER BY id LIMIT 1", [], |r| r.get(0))?)
    })?;
    let mut runs = Vec::new();
    for i in 0..21 {
        let t = Instant::now();
        let mut meta = a.load_thread(&thread_id)?;
        meta.title = Some(format!("renamed {i}"));
        a.save_thread(&meta)?;
        a_sync.push_now().await?;
        b_sync.pull_now().await?;
        runs.push(ms(t.elapsed()));
        assert_eq!(b.load_thread(&thread_id)?.title, meta.title);
    }
    let mid = median(&mut runs);
    println!(
        "sync-bench round-trip median {:.1} ms (min {:.1}, max {:.1}; rename on A, A's push, B's pull of 3 tables until empty pages, 21 runs)",
        mid,
        runs[0],
        runs[runs.len() - 1]
    );
    Ok(())
}
