//! The Supabase stand-in over HTTP: the gateway's key check, PostgREST's authentication
//! (anon, a valid token, an expired one, a forged one), bulk upserts with PostgREST's body rules,
//! reads with filters, order, the max-rows cap and exact counts, and one person against another's
//! rows — each answered with PostgREST's statuses, headers and error bodies.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use speasy_testkit::supabase::SupabaseConfig;

mod support;
use support::{Project, project};

const A: &str = "0191a000-0000-7000-8000-00000000000a";
const B: &str = "0191a000-0000-7000-8000-00000000000b";
const DEV: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

async fn env(config: SupabaseConfig) -> Project {
    project(config, &[(A, "a@example.com"), (B, "b@example.com")]).await
}

/// `POST /rest/v1/<table>?on_conflict=id` with `resolution=merge-duplicates`, as `user`.
async fn push(e: &Project, table: &str, user: &str, rows: &Value) -> Response {
    e.req(reqwest::Method::POST, &format!("{table}?on_conflict=id"), Some(user))
        .header("Prefer", "return=minimal, resolution=merge-duplicates")
        .json(rows)
        .send()
        .await
        .expect("request")
}

fn hlc(ms: u64) -> String {
    format!("{ms:015}-00000-{DEV}")
}

fn thread(id: &str, user: &str, title: &str, at: u64) -> Value {
    json!({
        "id": id, "user_id": user, "title": title, "title_hlc": hlc(at),
        "pinned": false, "pinned_hlc": hlc(1000), "archived": false, "archived_hlc": hlc(1000),
        "persona_id": null, "status": {"type": "active"}, "metadata": {}, "meta_hlc": hlc(1000),
        "created_at": 1000, "updated_at": at, "deleted": false, "deleted_hlc": null,
        "origin_device": DEV,
    })
}

fn fact(n: u32) -> Value {
    json!({
        "id": format!("0191a000-0000-7000-8000-{n:012x}"), "user_id": A,
        "text": format!("fact {n}"), "text_hlc": hlc(1000), "status": "saved", "status_hlc": hlc(1000),
        "source_thread_id": null, "source_item_id": null, "persona_id": null,
        "created_at": 1000, "updated_at": 1000, "deleted": false, "deleted_hlc": null,
        "origin_device": DEV,
    })
}

async fn error_body(res: Response) -> (StatusCode, Value, Option<String>) {
    let status = res.status();
    let www = res.headers().get("www-authenticate").map(|v| v.to_str().expect("ascii").to_owned());
    let body: Value = res.json().await.expect("json error body");
    (status, body, www)
}

const T1: &str = "0191a000-0000-7000-8000-000000000001";

#[tokio::test]
async fn gateway_and_tokens_are_checked_as_supabase_does() {
    let e = env(SupabaseConfig::default()).await;
    let url = format!("{}/rest/v1/threads", e.stub.url());

    let (status, body, _) = error_body(e.http.get(&url).send().await.expect("request")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "No API key found in request");
    let (status, body, _) =
        error_body(e.http.get(&url).header("apikey", "wrong").send().await.expect("request")).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("Invalid API key"))
    );

    // No token: the anon role, which has no grant on the tables (401 for anon, not 403).
    let (status, body, www) =
        error_body(e.req(reqwest::Method::GET, "threads", None).send().await.expect("request"))
            .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "42501");
    assert_eq!(www.as_deref(), Some("Bearer"));
    for key in ["code", "details", "hint", "message"] {
        assert!(body.as_object().expect("object").contains_key(key), "{body}");
    }

    // Expired beyond the 30 s leeway: PGRST303; within it: accepted.
    let expired = e.stub.access_token(A, -60);
    let res = e
        .req(reqwest::Method::GET, "threads", None)
        .bearer_auth(&expired)
        .send()
        .await
        .expect("request");
    let (status, body, www) = error_body(res).await;
    assert_eq!(
        (status, body["code"].as_str(), body["message"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("PGRST303"), Some("JWT expired"))
    );
    assert_eq!(
        www.as_deref(),
        Some("Bearer error=\"invalid_token\", error_description=\"JWT expired\"")
    );
    let just = e.stub.access_token(A, -10);
    let res = e
        .req(reqwest::Method::GET, "threads", None)
        .bearer_auth(&just)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);

    // The token clock jumps at the chosen request: a token with an hour left is good before
    // it and expired from it on; a token minted afterwards is good.
    let hour = e.stub.access_token(A, 3600);
    e.stub.advance_token_clock_after(2, 3600 + 31);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let res = e.req(reqwest::Method::GET, "threads", None).bearer_auth(&hour).send().await;
        statuses.push(res.expect("request").status().as_u16());
    }
    assert_eq!(statuses, [200, 401, 401]);
    let fresh = e.stub.access_token(A, 3600);
    let res = e.req(reqwest::Method::GET, "threads", None).bearer_auth(&fresh).send().await;
    assert_eq!(res.expect("request").status(), StatusCode::OK);

    // A token whose signature does not hold: PGRST301.
    let forged = support::forged(&e.stub.access_token(A, 3600));
    let res = e
        .req(reqwest::Method::GET, "threads", None)
        .bearer_auth(&forged)
        .send()
        .await
        .expect("request");
    let (status, body, _) = error_body(res).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("PGRST301")));
}

#[tokio::test]
async fn upserts_follow_postgrest_body_rules_and_reads_come_back_in_order() {
    let e = env(SupabaseConfig::default()).await;
    let res = push(&e, "threads", A, &json!([thread(T1, A, "First", 1000)])).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["preference-applied"], "resolution=merge-duplicates, return=minimal");
    assert_eq!(res.text().await.expect("body"), "");
    // The same row again: merged, nothing inserted → 200. A newer title wins.
    let res = push(&e, "threads", A, &json!([thread(T1, A, "Second", 2000)])).await;
    assert_eq!(res.status(), StatusCode::OK);

    let mut uneven = json!([
        thread("0191a000-0000-7000-8000-000000000002", A, "x", 1000),
        thread(T1, A, "y", 3000)
    ]);
    uneven[1].as_object_mut().expect("object").remove("metadata");
    let (status, body, _) = error_body(push(&e, "threads", A, &uneven).await).await;
    assert_eq!(
        (status, body["code"].as_str(), body["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("PGRST102"), Some("All object keys must match"))
    );
    let mut unknown = thread(T1, A, "z", 4000);
    unknown["colour"] = json!("red");
    let (status, body, _) = error_body(push(&e, "threads", A, &json!([unknown])).await).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("PGRST204")));
    let res = e
        .req(reqwest::Method::POST, "threads", Some(A))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(error_body(res).await.1["code"], "PGRST102");

    let res = e
        .req(
            reqwest::Method::GET,
            "threads?select=id,title,server_seq,status&server_seq=gt.0&order=server_seq.asc",
            Some(A),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json; charset=utf-8");
    assert_eq!(res.headers()["content-range"], "0-0/*");
    let rows: Vec<Value> = res.json().await.expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["title"], "Second");
    assert_eq!(rows[0]["status"], json!({"type": "active"}), "jsonb comes back as JSON");
    assert!(rows[0]["server_seq"].is_i64(), "bigint comes back as a number: {}", rows[0]);
    assert_eq!(rows[0].as_object().expect("object").len(), 4, "only the selected columns");

    // Filters: in.(…) with quoting, is.null, not.eq; an unknown column is 400 42703.
    let q = format!(
        "threads?select=id&id=in.(\"{T1}\",0191a000-0000-7000-8000-0000000000ff)&deleted_hlc=is.null&title=not.eq.First"
    );
    let rows: Vec<Value> = e
        .req(reqwest::Method::GET, &q, Some(A))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("rows");
    assert_eq!(rows, vec![json!({"id": T1})]);
    let res = e
        .req(reqwest::Method::GET, "threads?colour=eq.red", Some(A))
        .send()
        .await
        .expect("request");
    assert_eq!(error_body(res).await.1["code"], "42703");
}

#[tokio::test]
async fn reads_are_capped_at_max_rows_and_count_exactly() {
    let e = env(SupabaseConfig { max_rows: 50, ..SupabaseConfig::default() }).await;
    let rows: Vec<Value> = (1..=120).map(fact).collect();
    assert_eq!(push(&e, "facts", A, &Value::Array(rows)).await.status(), StatusCode::CREATED);

    // Asked for more than the cap: silently the cap.
    let res = e
        .req(reqwest::Method::GET, "facts?select=id&order=server_seq.asc&limit=500", Some(A))
        .send()
        .await
        .expect("request");
    assert_eq!(res.headers()["content-range"], "0-49/*");
    assert_eq!(res.json::<Vec<Value>>().await.expect("rows").len(), 50);
    // With an exact count: 206 and the total.
    let res = e
        .req(reqwest::Method::GET, "facts?select=id&order=server_seq.asc", Some(A))
        .header("Prefer", "count=exact")
        .header("Range", "100-149")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()["content-range"], "100-119/120");
    // Paging by cursor until an empty page gets every row once, in order.
    let (mut cursor, mut seen) = (0i64, Vec::new());
    loop {
        let page: Vec<Value> = e
            .req(reqwest::Method::GET, &format!("facts?select=text,server_seq&server_seq=gt.{cursor}&order=server_seq.asc&limit=7"), Some(A))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("rows");
        let Some(last) = page.last() else { break };
        cursor = last["server_seq"].as_i64().expect("seq");
        seen.extend(page.iter().map(|r| r["text"].as_str().expect("text").to_owned()));
    }
    assert_eq!(seen, (1..=120).map(|n| format!("fact {n}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn one_person_cannot_reach_another_and_identities_do_not_leak_between_requests() {
    let e = env(SupabaseConfig::default()).await;
    assert_eq!(
        push(&e, "threads", A, &json!([thread(T1, A, "A's", 1000)])).await.status(),
        StatusCode::CREATED
    );

    let rows: Vec<Value> = e
        .req(reqwest::Method::GET, "threads", Some(B))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("rows");
    assert!(rows.is_empty(), "B reads none of A's rows: {rows:?}");
    let (status, body, _) =
        error_body(push(&e, "threads", B, &json!([thread(T1, A, "taken", 9000)])).await).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("42501")));
    // PATCH and DELETE of rows one cannot see: 204 for the PATCH (zero rows), the row unchanged;
    // no DELETE grant at all.
    let res = e
        .req(reqwest::Method::PATCH, &format!("threads?id=eq.{T1}"), Some(B))
        .json(&json!({"title": "defaced"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = e
        .req(reqwest::Method::DELETE, &format!("threads?id=eq.{T1}"), Some(B))
        .send()
        .await
        .expect("request");
    assert_eq!(error_body(res).await.0, StatusCode::FORBIDDEN);

    // The pool hands the same connection on: anon right after A must not run as A.
    for _ in 0..3 {
        let rows: Vec<Value> = e
            .req(reqwest::Method::GET, "threads", Some(A))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["title"], "A's");
        let res = e.req(reqwest::Method::GET, "threads", None).send().await.expect("request");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let idle = e.stub.idle_identities().await;
    assert!(!idle.is_empty());
    assert!(
        idle.iter().all(|(user, claims)| user == "authenticator" && claims.is_empty()),
        "{idle:?}"
    );
}
