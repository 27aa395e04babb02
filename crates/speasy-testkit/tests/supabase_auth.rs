//! The Supabase Auth stand-in over HTTP: sign-up, sign-in, refresh-token rotation (reuse within
//! the interval, reuse after it revokes the session), the current user, sign-out, both error
//! shapes — and that its tokens open the person's own rows through PostgREST.

use base64::Engine;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};
use speasy_testkit::supabase::SupabaseConfig;

mod support;
use support::{Project, project};

async fn env(config: SupabaseConfig) -> Project {
    project(config, &[]).await
}

async fn call(rb: RequestBuilder) -> (StatusCode, Value, Option<String>) {
    let res = rb.send().await.expect("request");
    let status = res.status();
    let code = res.headers().get("x-sb-error-code").map(|v| v.to_str().expect("ascii").to_owned());
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), code)
}

async fn sign_up(e: &Project, email: &str, password: &str) -> (StatusCode, Value, Option<String>) {
    call(
        e.auth(reqwest::Method::POST, "signup")
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

async fn refresh(e: &Project, token: &str) -> (StatusCode, Value, Option<String>) {
    call(
        e.auth(reqwest::Method::POST, "token?grant_type=refresh_token")
            .json(&json!({"refresh_token": token})),
    )
    .await
}

#[tokio::test]
async fn sign_up_sign_in_and_the_token_opens_only_your_rows() {
    let e = env(SupabaseConfig::default()).await;
    let (status, session, _) = sign_up(&e, "Ada@Example.com", "correct horse").await;
    assert_eq!(status, StatusCode::OK, "{session}");
    for key in ["access_token", "refresh_token", "expires_in", "expires_at", "user"] {
        assert!(session.get(key).is_some(), "{key} in {session}");
    }
    assert_eq!(session["token_type"], "bearer");
    assert_eq!(session["user"]["email"], "ada@example.com");
    assert_eq!(session["user"]["aud"], "authenticated");
    let user_id = session["user"]["id"].as_str().expect("id").to_owned();

    let (status, body, code) = sign_up(&e, "ada@example.com", "another one").await;
    assert_eq!(
        (status, body["code"].as_str(), code.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("user_already_exists"),
            Some("user_already_exists")
        )
    );
    let (status, body, _) = sign_up(&e, "bob@example.com", "12345").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password"))
    );

    let (status, body, _) = call(
        e.auth(reqwest::Method::POST, "token?grant_type=password")
            .json(&json!({"email": "ada@example.com", "password": "wrong"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_credentials"))
    );
    // The legacy error shape without the API version header.
    let res = e
        .http
        .post(format!("{}/auth/v1/token?grant_type=password", e.stub.url()))
        .header("apikey", &e.stub.config().api_key)
        .json(&json!({"email": "ada@example.com", "password": "wrong"}))
        .send()
        .await
        .expect("request");
    let legacy: Value = res.json().await.expect("json");
    assert_eq!(
        legacy,
        json!({"code": 400, "error_code": "invalid_credentials", "msg": "Invalid login credentials"})
    );

    let (status, signed_in, _) = call(
        e.auth(reqwest::Method::POST, "token?grant_type=password")
            .json(&json!({"email": "ada@example.com", "password": "correct horse"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let token = signed_in["access_token"].as_str().expect("token").to_owned();
    let (status, me, _) = call(e.auth(reqwest::Method::GET, "user").bearer_auth(&token)).await;
    assert_eq!((status, me["id"].as_str()), (StatusCode::OK, Some(user_id.as_str())));

    // The token works with PostgREST: Ada writes and reads her own thread.
    let dev = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let stamp = format!("{:015}-00000-{dev}", 1000);
    let thread = json!({
        "id": "0191a000-0000-7000-8000-000000000001", "title": "Mine", "title_hlc": stamp,
        "pinned_hlc": stamp, "archived_hlc": stamp, "meta_hlc": stamp,
        "created_at": 1000, "updated_at": 1000, "origin_device": dev,
    });
    let res = e
        .req(reqwest::Method::POST, "threads", None)
        .bearer_auth(&token)
        .json(&thread)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED, "user_id defaults to auth.uid()");
    let rows: Vec<Value> = e
        .req(reqwest::Method::GET, "threads?select=user_id,title", None)
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("rows");
    assert_eq!(rows, vec![json!({"user_id": user_id, "title": "Mine"})]);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_late_reuse_ends_the_session() {
    let e = env(SupabaseConfig { refresh_reuse_s: 1, ..SupabaseConfig::default() }).await;
    let (_, first, _) = sign_up(&e, "ada@example.com", "correct horse").await;
    let r0 = first["refresh_token"].as_str().expect("refresh").to_owned();
    let session_of = |s: &Value| -> String {
        let token = s["access_token"].as_str().expect("access");
        let payload = token.split('.').nth(1).expect("payload");
        let bytes =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url");
        let claims: Value = serde_json::from_slice(&bytes).expect("claims");
        claims["session_id"].as_str().expect("session").to_owned()
    };

    let (status, second, _) = refresh(&e, &r0).await;
    assert_eq!(status, StatusCode::OK);
    let r1 = second["refresh_token"].as_str().expect("refresh").to_owned();
    assert_ne!(r1, r0, "a new refresh token each time");
    assert_eq!(session_of(&second), session_of(&first), "the same session");

    // The answer was lost and the old token is sent again at once: the current token comes back.
    let (status, again, _) = refresh(&e, &r0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["refresh_token"], r1.as_str());

    // Too late: the token was used long ago, so it leaked; the whole session ends.
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let (status, body, _) = refresh(&e, &r0).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("refresh_token_already_used"))
    );
    let (status, body, _) = refresh(&e, &r1).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("refresh_token_not_found"))
    );
    let (status, body, _) = refresh(&e, "no-such-token").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("refresh_token_not_found"))
    );
}

#[tokio::test]
async fn sign_out_ends_refresh_but_issued_access_tokens_last_until_they_expire() {
    let e = env(SupabaseConfig::default()).await;
    let (_, session, _) = sign_up(&e, "ada@example.com", "correct horse").await;
    let access = session["access_token"].as_str().expect("access").to_owned();
    let refresh_token = session["refresh_token"].as_str().expect("refresh").to_owned();

    let (status, _, _) =
        call(e.auth(reqwest::Method::POST, "logout?scope=local").bearer_auth(&access)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body, _) = refresh(&e, &refresh_token).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("refresh_token_not_found"))
    );
    let (status, body, _) = call(e.auth(reqwest::Method::GET, "user").bearer_auth(&access)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("session_not_found")));
    // PostgREST does not know about sessions: the access token still reads until it expires.
    let res = e
        .req(reqwest::Method::GET, "threads", None)
        .bearer_auth(&access)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);

    // A forged token is refused by Auth with bad_jwt.
    let forged = support::forged(&access);
    let (status, body, _) = call(e.auth(reqwest::Method::GET, "user").bearer_auth(&forged)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("bad_jwt")));
}
