//! Store benchmarks (criterion): insert throughput against raw rusqlite, full-text search
//! latency at 1M messages (p50/p95), the newest page of a thread, and listing 10k threads.
//!
//! `cargo bench -p speasy-core --bench store`. The corpus size is `SPEASY_BENCH_MESSAGES`
//! (default 1,000,000) across 10,000 threads; the 1M build is timed once (it takes a while),
//! the 100k insert comparison runs under criterion. Figures are printed as `figure: …` lines.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use rusqlite::params;
use serde_json::json;
use speasy_core::chatkit::{Order, ThreadItem, ThreadMetadata, ThreadStatus, format_time};
use speasy_core::clock::{Hlc, HlcState};
use speasy_core::store::{ItemQuery, Store};

const THREADS: usize = 10_000;

/// Deterministic xorshift so every run builds the same corpus.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Zipf-like rank in 0..n (rank r drawn with weight ~1/(r+1)).
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (((n as f64 + 1.0).powf(u)) - 1.0) as usize
    }
}

/// A vocabulary of pronounceable pseudo-words.
fn vocabulary(n: usize) -> Vec<String> {
    const SYL: [&str; 24] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fi", "go", "ha", "ju", "ke",
        "la", "mo", "nu", "pe", "qi", "ro", "su", "ta", "wi",
    ];
    (0..n)
        .map(|i| {
            let mut w = String::new();
            let mut x = i + 1;
            while x > 0 {
                w.push_str(SYL[x % SYL.len()]);
                x /= SYL.len();
            }
            w
        })
        .collect()
}

struct Corpus {
    vocab: Vec<String>,
    rng: Rng,
}

impl Corpus {
    fn new() -> Self {
        Self { vocab: vocabulary(30_000), rng: Rng(0x5eed_1234_abcd_ef01) }
    }
    fn sentence(&mut self) -> String {
        let n = 8 + self.rng.below(40);
        let words: Vec<&str> =
            (0..n).map(|_| self.vocab[self.rng.zipf(self.vocab.len())].as_str()).collect();
        words.join(" ")
    }
    fn item(&mut self, thread_id: &str, n: usize, ms: i64) -> ThreadItem {
        let id = speasy_core::clock::new_id();
        let v = if n.is_multiple_of(2) {
            json!({"id": id, "thread_id": thread_id, "created_at": format_time(ms), "type": "user_message",
                   "content": [{"type": "input_text", "text": self.sentence()}],
                   "attachments": [], "inference_options": {}})
        } else {
            json!({"id": id, "thread_id": thread_id, "created_at": format_time(ms), "type": "assistant_message",
                   "content": [{"type": "output_text", "text": self.sentence(), "annotations": []}]})
        };
        serde_json::from_value(v).expect("valid item")
    }
}

/// The rows one corpus of `messages` produces, grouped per thread.
fn build_rows(messages: usize) -> Vec<(ThreadMetadata, Vec<ThreadItem>)> {
    let mut c = Corpus::new();
    let per = messages.div_ceil(THREADS);
    let base = 1_700_000_000_000i64;
    (0..THREADS)
        .map(|t| {
            let meta = ThreadMetadata {
                id: speasy_core::clock::new_id(),
                title: Some(format!("Thread {t} {}", c.vocab[c.rng.zipf(2_000)])),
                created_at: format_time(base + (t as i64) * 60_000),
                status: ThreadStatus::Active,
                metadata: Default::default(),
            };
            let items = (0..per)
                .filter(|i| t * per + i < messages)
                .map(|i| c.item(&meta.id, i, base + (t as i64) * 60_000 + i as i64 * 1_000))
                .collect();
            (meta, items)
        })
        .collect()
}

/// One item as raw column values: id, type, created_at ms, JSON.
type RawRow = (String, String, i64, String);

/// Insert through the store's API: one transaction per thread.
fn insert_api(store: &Store, rows: &[(ThreadMetadata, Vec<ThreadItem>)]) {
    for (meta, items) in rows {
        store.save_thread(meta).expect("thread");
        store.add_thread_items(&meta.id, items).expect("items");
    }
}

/// The same rows with hand-written rusqlite inserts (JSON pre-serialised, one prepared statement,
/// same transactions, same schema and triggers): the floor our API is compared with.
fn insert_raw(path: &Path, rows: &[(ThreadMetadata, Vec<ThreadItem>)]) {
    drop(Store::open(path).expect("schema"));
    let mut conn = rusqlite::Connection::open(path).expect("open");
    speasy_core::store::register_functions(&conn).expect("the schema's functions");
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    )
    .expect("pragmas");
    let device = uuid_device();
    let mut hlc = HlcState::new(Hlc::zero(device));
    let prepared: Vec<(&ThreadMetadata, Vec<RawRow>)> = rows
        .iter()
        .map(|(m, items)| {
            let v = items
                .iter()
                .map(|i| {
                    let ms = speasy_core::chatkit::parse_time(&i.created_at).unwrap_or(0);
                    (i.id.clone(), i.kind.clone(), ms, serde_json::to_string(i).expect("json"))
                })
                .collect();
            (m, v)
        })
        .collect();
    let dev = device.to_string();
    let start = Instant::now();
    for (meta, items) in &prepared {
        let tx = conn.transaction().expect("tx");
        let h = hlc.tick(0).to_string();
        tx.execute(
            "INSERT INTO threads (id, title, title_hlc, pinned_hlc, archived_hlc, created_at, updated_at, origin_device)
             VALUES (?1, ?2, ?3, ?3, ?3, 0, 0, ?4)",
            params![meta.id, meta.title, h, dev],
        )
        .expect("thread");
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO thread_items (id, thread_id, type, created_at, ord, hidden, data, data_hlc, origin_device)
                     VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?5, ?7)",
                )
                .expect("prepare");
            for (id, kind, ms, data) in items {
                let h = hlc.tick(0).to_string();
                st.execute(params![id, meta.id, kind, ms, h, data, dev]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    black_box(start.elapsed());
}

fn uuid_device() -> uuid::Uuid {
    uuid::Uuid::from_u128(0x5eed)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn bench_insert(c: &mut Criterion) {
    let rows = build_rows(100_000);
    let mut g = c.benchmark_group("insert_100k_messages_10k_threads");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("store_api", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("tmp"),
            |dir| insert_api(&Store::open_in(dir.path()).expect("open"), &rows),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("raw_rusqlite", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("tmp"),
            |dir| insert_raw(&dir.path().join("raw.db"), &rows),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn main() {
    let messages: usize = std::env::var("SPEASY_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut criterion = Criterion::default().configure_from_args();

    if std::env::var_os("SPEASY_BENCH_SKIP_INSERT").is_none() {
        bench_insert(&mut criterion);
    }

    // The big corpus: built once through the API and once raw, both timed.
    let dir = tempfile::tempdir().expect("tmp");
    let rows = build_rows(messages);
    let t0 = Instant::now();
    let store = Store::open_in(dir.path()).expect("open");
    insert_api(&store, &rows);
    let api = t0.elapsed();
    let t1 = Instant::now();
    insert_raw(&dir.path().join("raw.db"), &rows);
    let raw = t1.elapsed();
    let _ = std::fs::remove_file(dir.path().join("raw.db"));
    println!(
        "figure: insert {messages} messages / {THREADS} threads: store API {:.1} s ({:.0} msg/s), raw rusqlite {:.1} s ({:.0} msg/s), API/raw throughput ratio {:.2}",
        api.as_secs_f64(),
        messages as f64 / api.as_secs_f64(),
        raw.as_secs_f64(),
        messages as f64 / raw.as_secs_f64(),
        raw.as_secs_f64() / api.as_secs_f64()
    );
    let size = std::fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
    println!("figure: database size at {messages} messages: {:.0} MiB", size as f64 / 1048576.0);

    // Search latency over a mix of queries: single words across the frequency range, two-word
    // queries and short prefixes (as typed).
    let vocab = vocabulary(30_000);
    let mut rng = Rng(42);
    let queries: Vec<String> = (0..300)
        .map(|i| match i % 3 {
            0 => vocab[20 + rng.below(5_000)].clone(),
            1 => format!("{} {}", vocab[rng.below(3_000)], vocab[rng.below(3_000)]),
            _ => vocab[100 + rng.below(10_000)].chars().take(4).collect(),
        })
        .collect();
    for q in queries.iter().take(20) {
        black_box(store.search(q, 20).expect("search"));
    }
    let mut lat: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            black_box(store.search(q, 20).expect("search"));
            t.elapsed()
        })
        .collect();
    lat.sort();
    println!(
        "figure: search at {messages} messages ({} queries, top 20): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        lat.len(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.95).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let common = store.search(&vocab[0], 20).expect("search");
    println!(
        "figure: search for the most common word ({} hits shown): {:.2} ms",
        common.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    let ids: Vec<String> = rows.iter().map(|(m, _)| m.id.clone()).collect();
    let mut g = criterion.benchmark_group(format!("read_at_{messages}_messages"));
    g.bench_function("search_mixed_queries", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % queries.len();
            black_box(store.search(&queries[i], 20).expect("search"))
        })
    });
    g.bench_function("newest_page_of_a_thread", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % ids.len();
            let q = ItemQuery { after: None, limit: 20, order: Order::Desc, include_hidden: false };
            black_box(store.load_thread_items(&ids[i], &q).expect("page"))
        })
    });
    g.bench_function("list_threads_first_page_50", |b| {
        b.iter(|| black_box(store.load_threads(50, None, Order::Desc).expect("threads")))
    });
    g.bench_function("list_all_10k_threads_pages_of_200", |b| {
        b.iter(|| {
            let mut after: Option<String> = None;
            let mut n = 0;
            loop {
                let p = store.load_threads(200, after.as_deref(), Order::Desc).expect("threads");
                n += p.data.len();
                if !p.has_more {
                    break;
                }
                after = p.after;
            }
            black_box(n)
        })
    });
    g.finish();
    criterion.final_summary();
}
