//! The sync schema (supabase/migrations) on a real PostgreSQL, driven the way PostgREST drives
//! it: each request is one transaction of the `authenticator` login role, which switches to
//! `authenticated` (or `anon`) and sets the JWT claims with `set_config(..., true)`; pushes are
//! `INSERT ... SELECT FROM json_populate_recordset ... ON CONFLICT (id) DO UPDATE SET` every key
//! sent (`Prefer: resolution=merge-duplicates`). Checks the merge rules (any order, replays,
//! deletes win), the commit-ordered `server_seq`, and that one person can neither read nor write
//! another's rows.

use std::time::Duration;

use serde_json::{Value, json};
use speasy_testkit::postgres::{TestPostgres, create_sync_database, describe};
use tokio_postgres::Client;

const A: &str = "0191a000-0000-7000-8000-00000000000a";
const B: &str = "0191a000-0000-7000-8000-00000000000b";
const DEV_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const DEV_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// An HLC stamp at `ms` from `device`.
fn hlc(ms: u64, device: &str) -> String {
    format!("{ms:015}-00000-{device}")
}

/// A cluster with a database holding the Supabase baseline, every migration, and two people.
async fn setup() -> (TestPostgres, &'static str) {
    let pg = TestPostgres::start().expect("PostgreSQL starts");
    create_sync_database(&pg, "speasy", &[(A, "a@example.com"), (B, "b@example.com")])
        .await
        .expect("schema applies");
    (pg, "speasy")
}

/// One PostgREST request: a transaction as `authenticator`, switched to the caller's role.
struct Request<'a> {
    tx: tokio_postgres::Transaction<'a>,
}

async fn request<'a>(client: &'a mut Client, user: Option<&str>) -> Request<'a> {
    let tx = client.transaction().await.expect("begin");
    let (role, claims) = match user {
        Some(sub) => {
            ("authenticated", json!({"sub": sub, "role": "authenticated", "aud": "authenticated"}))
        }
        None => ("anon", json!({"role": "anon"})),
    };
    tx.execute(
        "select set_config('search_path', '\"public\", \"extensions\"', true), \
                set_config('role', $1, true), \
                set_config('request.jwt.claims', $2, true), \
                set_config('request.method', 'POST', true)",
        &[&role, &claims.to_string()],
    )
    .await
    .expect("request settings");
    Request { tx }
}

impl Request<'_> {
    /// `POST /rest/v1/<table>?on_conflict=id` with `resolution=merge-duplicates`: every object
    /// has the same keys; each key sent is updated on conflict.
    async fn upsert(&self, table: &str, rows: &Value) -> Result<u64, String> {
        let keys: Vec<String> = rows[0].as_object().expect("object").keys().cloned().collect();
        let cols = keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        let set = keys
            .iter()
            .filter(|k| *k != "id")
            .map(|k| format!("\"{k}\" = excluded.\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "insert into public.{table} ({cols}) select {cols} \
             from json_populate_recordset(null::public.{table}, $1::text::json) \
             on conflict (id) do update set {set} returning 1"
        );
        self.tx.execute(&sql, &[&rows.to_string()]).await.map_err(|e| describe(&e))
    }

    /// `GET /rest/v1/<table>?select=*&server_seq=gt.<cursor>&order=server_seq.asc`, as JSON.
    async fn pull(&self, table: &str, cursor: i64) -> Result<Vec<Value>, String> {
        let sql = format!(
            "select coalesce(json_agg(t), '[]')::text from \
             (select * from public.{table} where server_seq > $1 order by server_seq) t"
        );
        let row = self.tx.query_one(&sql, &[&cursor]).await.map_err(|e| describe(&e))?;
        let text: String = row.get(0);
        Ok(serde_json::from_str::<Vec<Value>>(&text).expect("json"))
    }

    async fn exec(&self, sql: &str) -> Result<u64, String> {
        self.tx.execute(sql, &[]).await.map_err(|e| describe(&e))
    }

    async fn commit(self) {
        self.tx.commit().await.expect("commit");
    }
}

fn thread(
    id: &str,
    user: &str,
    title: &str,
    title_at: u64,
    pinned: bool,
    pinned_at: u64,
    dev: &str,
) -> Value {
    json!({
        "id": id, "user_id": user,
        "title": title, "title_hlc": hlc(title_at, dev),
        "pinned": pinned, "pinned_hlc": hlc(pinned_at, dev),
        "archived": false, "archived_hlc": hlc(1000, DEV_A),
        "persona_id": null, "status": {"type": "active"}, "metadata": {}, "meta_hlc": hlc(1000, DEV_A),
        "created_at": 1000, "updated_at": title_at.max(pinned_at),
        "deleted": false, "deleted_hlc": null, "origin_device": dev,
    })
}

fn item(id: &str, user: &str, thread_id: &str, text: &str, at: u64, dev: &str) -> Value {
    json!({
        "id": id, "user_id": user, "thread_id": thread_id, "type": "user_message",
        "created_at": 1001, "ord": hlc(1001, DEV_A), "hidden": false,
        "data": {"type": "user_message", "content": [{"type": "input_text", "text": text}]},
        "data_hlc": hlc(at, dev), "deleted": false, "deleted_hlc": null, "origin_device": dev,
    })
}

fn fact(
    id: &str,
    text: &str,
    at: u64,
    status: &str,
    status_at: u64,
    deleted_at: Option<u64>,
) -> Value {
    json!({
        "id": id, "user_id": A, "text": text, "text_hlc": hlc(at, DEV_A),
        "status": status, "status_hlc": hlc(status_at, DEV_A),
        "source_thread_id": null, "source_item_id": null, "persona_id": null,
        "created_at": 1000, "updated_at": at.max(status_at),
        "deleted": deleted_at.is_some(), "deleted_hlc": deleted_at.map(|t| hlc(t, DEV_A)),
        "origin_device": DEV_A,
    })
}

const T1: &str = "0191a000-0000-7000-8000-000000000001";
const T2: &str = "0191a000-0000-7000-8000-000000000002";

#[tokio::test]
async fn every_table_has_row_level_security_and_no_delete_grant() {
    let (pg, db) = setup().await;
    let admin = pg.connect("postgres", db).await.expect("admin");
    let open: Vec<String> = admin
        .query(
            "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
             where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity",
            &[],
        )
        .await
        .expect("catalog")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(open.is_empty(), "tables without row-level security: {open:?}");
    for table in ["threads", "thread_items", "facts"] {
        let row = admin
            .query_one(
                "select has_table_privilege('authenticated', $1, 'DELETE'), \
                        has_table_privilege('anon', $1, 'SELECT'), \
                        has_table_privilege('authenticated', $1, 'SELECT, INSERT, UPDATE')",
                &[&format!("public.{table}")],
            )
            .await
            .expect("privileges");
        assert_eq!(
            (row.get::<_, bool>(0), row.get::<_, bool>(1), row.get::<_, bool>(2)),
            (false, false, true),
            "{table}"
        );
    }
    let private: bool = admin
        .query_one("select has_schema_privilege('authenticated', 'private', 'USAGE')", &[])
        .await
        .expect("schema privilege")
        .get(0);
    assert!(!private, "the private schema must not be usable through the API");

    // Without a JWT the request runs as anon, which may not touch the tables at all.
    let mut client = pg.connect("authenticator", db).await.expect("authenticator");
    let anon = request(&mut client, None).await;
    let err = anon.pull("threads", 0).await.expect_err("anon reads nothing");
    assert!(err.starts_with("42501"), "{err}");
}

#[tokio::test]
async fn thread_fields_merge_the_same_in_any_order_and_replays_change_nothing() {
    let (pg, db) = setup().await;
    let mut client = pg.connect("authenticator", db).await.expect("authenticator");
    // Device A renamed at 2000 (its pin is old); device B pinned at 3000 (its title is old).
    let from_a = |id: &str| thread(id, A, "Renamed on A", 2000, false, 1000, DEV_A);
    let from_b = |id: &str| thread(id, A, "First title", 1000, true, 3000, DEV_B);
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([thread(T1, A, "First title", 1000, false, 1000, DEV_A)]))
        .await
        .expect("create T1");
    r.upsert("threads", &json!([thread(T2, A, "First title", 1000, false, 1000, DEV_A)]))
        .await
        .expect("create T2");
    r.commit().await;
    for (id, first, second) in [(T1, from_a(T1), from_b(T1)), (T2, from_b(T2), from_a(T2))] {
        for state in [first, second] {
            let r = request(&mut client, Some(A)).await;
            r.upsert("threads", &json!([state]))
                .await
                .unwrap_or_else(|e| panic!("push to {id}: {e}"));
            r.commit().await;
        }
    }
    let r = request(&mut client, Some(A)).await;
    let rows = r.pull("threads", 0).await.expect("pull");
    r.commit().await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["title"], "Renamed on A", "{row}");
        assert_eq!(row["title_hlc"], hlc(2000, DEV_A).as_str());
        assert_eq!(row["pinned"], true, "{row}");
        assert_eq!(row["updated_at"], 3000);
    }

    // The same states again, in either order, several times: no row changes or gets a number.
    let last = rows.iter().map(|r| r["server_seq"].as_i64().expect("seq")).max().expect("rows");
    for _ in 0..3 {
        let r = request(&mut client, Some(A)).await;
        r.upsert("threads", &json!([from_b(T1), from_b(T2)])).await.expect("replay");
        r.upsert("threads", &json!([from_a(T2), from_a(T1)])).await.expect("replay");
        r.commit().await;
    }
    let r = request(&mut client, Some(A)).await;
    assert_eq!(
        r.pull("threads", last).await.expect("pull"),
        Vec::<Value>::new(),
        "replays are not echoed"
    );
    r.commit().await;
}

#[tokio::test]
async fn deleting_a_thread_wins_tombstones_its_items_and_late_items_arrive_deleted() {
    let (pg, db) = setup().await;
    let mut client = pg.connect("authenticator", db).await.expect("authenticator");
    let i1 = "0191a000-0000-7000-8000-0000000000c1";
    let i2 = "0191a000-0000-7000-8000-0000000000c2";
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([thread(T1, A, "Secret plans", 1000, false, 1000, DEV_A)]))
        .await
        .expect("thread");
    r.upsert("thread_items", &json!([item(i1, A, T1, "my secret", 1001, DEV_A)]))
        .await
        .expect("item");
    r.commit().await;

    let mut deleted = thread(T1, A, "Secret plans", 1000, false, 1000, DEV_A);
    deleted["deleted"] = json!(true);
    deleted["deleted_hlc"] = json!(hlc(5000, DEV_A));
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([deleted])).await.expect("delete");
    r.commit().await;
    // B's rename, made later but before B heard of the delete, and an item B wrote meanwhile.
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([thread(T1, A, "Renamed on B", 6000, true, 6000, DEV_B)]))
        .await
        .expect("late rename");
    r.upsert("thread_items", &json!([item(i2, A, T1, "late words", 6001, DEV_B)]))
        .await
        .expect("late item");
    let t = r.pull("threads", 0).await.expect("pull");
    let items = r.pull("thread_items", 0).await.expect("pull");
    r.commit().await;

    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["deleted"], true);
    assert_eq!(t[0]["title"], Value::Null, "a deleted thread keeps no title");
    assert_eq!(t[0]["deleted_hlc"], hlc(5000, DEV_A).as_str());
    assert_eq!(items.len(), 2, "{items:?}");
    for it in &items {
        assert_eq!(it["deleted"], true, "{it}");
        assert_eq!(it["data"], json!({"type": "user_message"}), "the content is gone: {it}");
    }
}

#[tokio::test]
async fn items_take_the_newest_data_and_facts_never_come_back() {
    let (pg, db) = setup().await;
    let mut client = pg.connect("authenticator", db).await.expect("authenticator");
    let i1 = "0191a000-0000-7000-8000-0000000000d1";
    let f1 = "0191a000-0000-7000-8000-0000000000f1";
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([thread(T1, A, "t", 1000, false, 1000, DEV_A)]))
        .await
        .expect("thread");
    r.upsert("thread_items", &json!([item(i1, A, T1, "v1", 1001, DEV_A)])).await.expect("item");
    r.upsert("thread_items", &json!([item(i1, A, T1, "v3", 3000, DEV_B)])).await.expect("newer");
    r.upsert("thread_items", &json!([item(i1, A, T1, "v2", 2000, DEV_A)])).await.expect("older");
    r.upsert("facts", &json!([fact(f1, "likes tea", 1000, "pending", 1000, None)]))
        .await
        .expect("fact");
    r.upsert("facts", &json!([fact(f1, "likes tea", 1000, "saved", 2000, None)]))
        .await
        .expect("saved");
    r.upsert("facts", &json!([fact(f1, "likes green tea", 3000, "pending", 1000, None)]))
        .await
        .expect("edit");
    let facts = r.pull("facts", 0).await.expect("pull");
    r.commit().await;
    assert_eq!(facts[0]["text"], "likes green tea");
    assert_eq!(facts[0]["status"], "saved", "each field keeps its own newest value");

    let r = request(&mut client, Some(A)).await;
    r.upsert("facts", &json!([fact(f1, "likes green tea", 3000, "saved", 2000, Some(4000))]))
        .await
        .expect("forget");
    // An edit made later on a device that had not heard of the deletion.
    r.upsert("facts", &json!([fact(f1, "likes black tea", 9000, "saved", 9000, None)]))
        .await
        .expect("late edit");
    let items = r.pull("thread_items", 0).await.expect("pull");
    let facts = r.pull("facts", 0).await.expect("pull");
    r.commit().await;
    assert_eq!(items[0]["data"]["content"][0]["text"], "v3");
    assert_eq!(items[0]["data_hlc"], hlc(3000, DEV_B).as_str());
    assert_eq!(facts.len(), 1);
    assert_eq!(
        (facts[0]["deleted"].clone(), facts[0]["text"].clone()),
        (json!(true), json!("")),
        "{}",
        facts[0]
    );
}

#[tokio::test]
async fn another_person_can_neither_read_nor_write_your_rows() {
    let (pg, db) = setup().await;
    let mut client = pg.connect("authenticator", db).await.expect("authenticator");
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([thread(T1, A, "A's thread", 1000, false, 1000, DEV_A)]))
        .await
        .expect("A's thread");
    r.commit().await;

    let r = request(&mut client, Some(B)).await;
    assert_eq!(
        r.pull("threads", 0).await.expect("B pulls"),
        Vec::<Value>::new(),
        "B sees none of A's rows"
    );
    r.commit().await;
    // Writing as A, overwriting A's row by its id, or hanging an item on A's thread: all refused.
    let attempts: [(&str, Value, &str); 3] = [
        ("threads", json!([thread(T2, A, "planted", 1000, false, 1000, DEV_B)]), "42501"),
        ("threads", json!([thread(T1, B, "hijacked", 9000, true, 9000, DEV_B)]), "42501"),
        (
            "thread_items",
            json!([item("0191a000-0000-7000-8000-0000000000e1", B, T1, "x", 9000, DEV_B)]),
            "23503",
        ),
    ];
    for (table, rows, code) in attempts {
        let r = request(&mut client, Some(B)).await;
        let err = r.upsert(table, &rows).await.expect_err("refused");
        assert!(err.starts_with(code), "{table} {rows}: {err}");
    }
    let r = request(&mut client, Some(B)).await;
    assert_eq!(
        r.exec(&format!("update public.threads set title = 'x' where id = '{T1}'")).await,
        Ok(0)
    );
    let err = r
        .exec(&format!("delete from public.threads where id = '{T1}'"))
        .await
        .expect_err("no delete");
    assert!(err.starts_with("42501"), "{err}");
    drop(r);

    let r = request(&mut client, Some(A)).await;
    let rows = r.pull("threads", 0).await.expect("A pulls");
    r.commit().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["title"], "A's thread");
}

#[tokio::test]
async fn a_clock_an_hour_ahead_is_refused() {
    let (pg, db) = setup().await;
    let mut client = pg.connect("authenticator", db).await.expect("authenticator");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    let r = request(&mut client, Some(A)).await;
    let ahead = thread(T1, A, "from the future", now_ms + 2 * 3_600_000, false, 1000, DEV_A);
    let err = r.upsert("threads", &json!([ahead])).await.expect_err("refused");
    assert!(err.starts_with("22008 hlc_in_future"), "{err}");
    drop(r);
    let r = request(&mut client, Some(A)).await;
    r.upsert("threads", &json!([thread(T1, A, "on time", now_ms + 60_000, false, 1000, DEV_A)]))
        .await
        .expect("a minute ahead is fine");
    r.commit().await;
}

/// A puller must never see a later number before an earlier one: with a plain sequence, a
/// transaction that took 1 and commits after another that took 2 is skipped by a cursor at 2.
#[tokio::test]
async fn server_seq_follows_commit_order() {
    let (pg, db) = setup().await;
    let mut first = pg.connect("authenticator", db).await.expect("first");
    let second = pg.connect("authenticator", db).await.expect("second");
    let r1 = request(&mut first, Some(A)).await;
    r1.upsert("threads", &json!([thread(T1, A, "first", 1000, false, 1000, DEV_A)]))
        .await
        .expect("first write");

    // A second writer for the same person waits for the first to commit before it gets a number.
    let pending = tokio::spawn(async move {
        let mut second = second;
        let r2 = request(&mut second, Some(A)).await;
        r2.upsert("threads", &json!([thread(T2, A, "second", 1000, false, 1000, DEV_B)]))
            .await
            .expect("second write");
        r2.commit().await;
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "the second writer went ahead of an uncommitted first");
    let mut reader = pg.connect("authenticator", db).await.expect("reader");
    let r = request(&mut reader, Some(A)).await;
    assert_eq!(r.pull("threads", 0).await.expect("pull"), Vec::<Value>::new());
    r.commit().await;

    r1.commit().await;
    pending.await.expect("second writer");
    let r = request(&mut reader, Some(A)).await;
    let rows = r.pull("threads", 0).await.expect("pull");
    r.commit().await;
    let order: Vec<&str> = rows.iter().map(|r| r["title"].as_str().expect("title")).collect();
    assert_eq!(order, ["first", "second"]);
}
