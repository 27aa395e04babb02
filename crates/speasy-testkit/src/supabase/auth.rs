//! Supabase Auth's (GoTrue's) email/password subset, as the app uses it
//! (../shared/reference/supabase/supabase-sync.md §1.5 and §6.3): sign-up with autoconfirm,
//! password sign-in, refresh-token rotation with the 10 s reuse interval, the current user and
//! sign-out. Users, sessions and refresh tokens live in the same database as the data (the
//! `auth` tables of supabase/tests/00_supabase_baseline.sql), so foreign keys to `auth.users`
//! hold; passwords are bcrypt hashes made by pgcrypto, as Supabase stores them. Errors come in
//! the 2024-01-01 shape (`{"code", "message"}`) when the request sends
//! `X-Supabase-Api-Version: 2024-01-01`, else in the legacy one, with `x-sb-error-code` either way.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio_postgres::Client;

use super::{Shared, gateway, token_validation};

/// An Auth error: its status, `error_code` and message.
struct AuthError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

fn err(status: StatusCode, code: &'static str, message: impl Into<String>) -> AuthError {
    AuthError { status, code, message: message.into() }
}

impl AuthError {
    fn respond(self, versioned: bool) -> Response {
        let body = if versioned {
            json!({"code": self.code, "message": self.message})
        } else {
            json!({"code": self.status.as_u16(), "error_code": self.code, "msg": self.message})
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(self.code) {
            res.headers_mut().insert("x-sb-error-code", v);
        }
        res
    }
}

fn db_failed(e: tokio_postgres::Error) -> AuthError {
    err(StatusCode::INTERNAL_SERVER_ERROR, "unexpected_failure", crate::postgres::describe(&e))
}

pub(super) async fn route(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Path(action): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = match gateway(&shared, raw, &headers) {
        Ok(query) => query,
        Err(rejected) => return *rejected,
    };
    let versioned = headers
        .get("x-supabase-api-version")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "2024-01-01");
    let param = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    let admin = shared.admin.lock().await;
    let result = match (method, action.as_str()) {
        (Method::POST, "signup") => signup(&shared, &admin, &body).await,
        (Method::POST, "token") => match param("grant_type") {
            Some("password") => password(&shared, &admin, &body).await,
            Some("refresh_token") => refresh(&shared, &admin, &body).await,
            _ => Err(err(StatusCode::BAD_REQUEST, "validation_failed", "unsupported_grant_type")),
        },
        (Method::GET, "user") => user(&shared, &admin, &headers).await,
        (Method::POST, "logout") => logout(&shared, &admin, &headers, param("scope")).await,
        _ => Err(err(StatusCode::NOT_FOUND, "not_found", "Not Found")),
    };
    drop(admin);
    match result {
        Ok(res) => res,
        Err(e) => e.respond(versioned),
    }
}

fn body_json(body: &Bytes) -> Result<Value, AuthError> {
    serde_json::from_slice(body).map_err(|_| {
        err(StatusCode::BAD_REQUEST, "bad_json", "Could not parse request body as JSON")
    })
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The user as Supabase Auth returns it.
async fn user_json(admin: &Client, id: &str) -> Result<Value, AuthError> {
    let row = admin
        .query_one(
            "select json_build_object(
                 'id', id, 'aud', aud, 'role', role, 'email', email, 'phone', '',
                 'email_confirmed_at', email_confirmed_at, 'confirmed_at', email_confirmed_at,
                 'app_metadata', raw_app_meta_data, 'user_metadata', raw_user_meta_data,
                 'identities', '[]'::json, 'created_at', created_at, 'updated_at', updated_at,
                 'is_anonymous', false)::text
               from auth.users where id = $1::text::uuid",
            &[&id],
        )
        .await
        .map_err(db_failed)?;
    serde_json::from_str(row.get::<_, &str>(0))
        .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, "unexpected_failure", e.to_string()))
}

/// A session: a fresh access token for `session` and the given refresh token.
async fn session_json(
    shared: &Shared,
    admin: &Client,
    user_id: &str,
    session: &str,
    refresh_token: &str,
) -> Result<Response, AuthError> {
    let user = user_json(admin, user_id).await?;
    let ttl = shared.config.access_ttl_s;
    let now = shared.clock.now();
    let claims = json!({
        "sub": user_id, "aud": "authenticated", "role": "authenticated",
        "iat": now, "exp": now + ttl, "iss": format!("{}/auth/v1", shared.url),
        "email": user["email"], "phone": "",
        "app_metadata": user["app_metadata"], "user_metadata": user["user_metadata"],
        "aal": "aal1", "amr": [{"method": "password", "timestamp": now}],
        "session_id": session, "is_anonymous": false,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(shared.config.jwt_secret.as_bytes());
    let access = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
        .map_err(|e| err(StatusCode::INTERNAL_SERVER_ERROR, "unexpected_failure", e.to_string()))?;
    Ok(axum::Json(json!({
        "access_token": access, "token_type": "bearer", "expires_in": ttl,
        "expires_at": now + ttl, "refresh_token": refresh_token, "user": user,
    }))
    .into_response())
}

/// A new session for `user_id` with its first refresh token.
async fn new_session(
    shared: &Shared,
    admin: &Client,
    user_id: &str,
) -> Result<Response, AuthError> {
    let row = admin
        .query_one(
            "with s as (insert into auth.sessions (user_id) values ($1::text::uuid) returning id, user_id)
             insert into auth.refresh_tokens (user_id, session_id) select user_id, id from s
             returning session_id::text, token",
            &[&user_id],
        )
        .await
        .map_err(db_failed)?;
    let (session, token): (String, String) = (row.get(0), row.get(1));
    admin
        .execute("update auth.users set updated_at = now() where id = $1::text::uuid", &[&user_id])
        .await
        .map_err(db_failed)?;
    session_json(shared, admin, user_id, &session, &token).await
}

async fn signup(shared: &Shared, admin: &Client, body: &Bytes) -> Result<Response, AuthError> {
    let v = body_json(body)?;
    let (email, password) = (field(&v, "email").trim().to_lowercase(), field(&v, "password"));
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "Unable to validate email address: invalid format",
        ));
    }
    if password.chars().count() < 6 {
        return Err(err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
            "Password should be at least 6 characters.",
        ));
    }
    let data = v.get("data").cloned().unwrap_or_else(|| json!({}));
    let row = admin
        .query_opt(
            "insert into auth.users (email, encrypted_password, email_confirmed_at, raw_user_meta_data)
             values ($1, extensions.crypt($2, extensions.gen_salt('bf')), now(), $3::text::jsonb)
             on conflict (email) do nothing returning id::text",
            &[&email, &password, &data.to_string()],
        )
        .await
        .map_err(db_failed)?;
    let Some(row) = row else {
        return Err(err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "user_already_exists",
            "User already registered",
        ));
    };
    new_session(shared, admin, row.get(0)).await
}

async fn password(shared: &Shared, admin: &Client, body: &Bytes) -> Result<Response, AuthError> {
    let v = body_json(body)?;
    let (email, password) = (field(&v, "email").trim().to_lowercase(), field(&v, "password"));
    let row = admin
        .query_opt(
            "select id::text from auth.users
              where email = $1 and encrypted_password = extensions.crypt($2, encrypted_password)",
            &[&email, &password],
        )
        .await
        .map_err(db_failed)?;
    match row {
        Some(row) => new_session(shared, admin, row.get(0)).await,
        None => {
            Err(err(StatusCode::BAD_REQUEST, "invalid_credentials", "Invalid login credentials"))
        }
    }
}

/// Rotation: a refresh token is good once. Used again within the reuse interval (a client that
/// lost the answer), it gives the session's current token; later, it means the token leaked:
/// the session is revoked.
async fn refresh(shared: &Shared, admin: &Client, body: &Bytes) -> Result<Response, AuthError> {
    let v = body_json(body)?;
    let token = field(&v, "refresh_token");
    let row = admin
        .query_opt(
            "select user_id::text, session_id::text, revoked,
                    extract(epoch from now() - updated_at)::float8
               from auth.refresh_tokens where token = $1",
            &[&token],
        )
        .await
        .map_err(db_failed)?;
    let Some(row) = row else {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "refresh_token_not_found",
            "Invalid Refresh Token: Refresh Token Not Found",
        ));
    };
    let (user_id, session, revoked, age_s): (String, String, bool, f64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if revoked {
        if age_s < shared.config.refresh_reuse_s as f64 {
            let current = admin
                .query_opt(
                    "select token from auth.refresh_tokens
                      where session_id = $1::text::uuid and not revoked order by id desc limit 1",
                    &[&session],
                )
                .await
                .map_err(db_failed)?;
            if let Some(current) = current {
                return session_json(shared, admin, &user_id, &session, current.get(0)).await;
            }
        }
        admin
            .execute("delete from auth.sessions where id = $1::text::uuid", &[&session])
            .await
            .map_err(db_failed)?;
        return Err(err(
            StatusCode::BAD_REQUEST,
            "refresh_token_already_used",
            "Invalid Refresh Token: Already Used",
        ));
    }
    let next = admin
        .query_one(
            "with used as (update auth.refresh_tokens set revoked = true, updated_at = now()
                            where token = $1 returning user_id, session_id, token)
             insert into auth.refresh_tokens (user_id, session_id, parent)
             select user_id, session_id, token from used returning token",
            &[&token],
        )
        .await
        .map_err(db_failed)?;
    session_json(shared, admin, &user_id, &session, next.get(0)).await
}

/// The access token's claims, if its signature and expiry hold and its session still exists.
async fn verified(
    shared: &Shared,
    admin: &Client,
    headers: &HeaderMap,
) -> Result<Value, AuthError> {
    let bad = |m: &str| {
        err(
            StatusCode::FORBIDDEN,
            "bad_jwt",
            format!("invalid JWT: unable to parse or verify signature, {m}"),
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            err(
                StatusCode::UNAUTHORIZED,
                "no_authorization",
                "This endpoint requires a Bearer token",
            )
        })?;
    let key = jsonwebtoken::DecodingKey::from_secret(shared.config.jwt_secret.as_bytes());
    let claims = jsonwebtoken::decode::<Value>(token, &key, &token_validation())
        .map_err(|e| bad(&format!("token is invalid: {e}")))?
        .claims;
    // Auth allows no leeway, and wants an expiry.
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp >= shared.clock.now() => {}
        Some(_) => return Err(bad("token has invalid claims: token is expired")),
        None => return Err(bad("token is invalid: missing required claim: exp")),
    }
    let session = field(&claims, "session_id").to_owned();
    let live = admin
        .query_opt("select 1 from auth.sessions where id::text = $1", &[&session])
        .await
        .map_err(db_failed)?;
    if live.is_none() {
        return Err(err(
            StatusCode::FORBIDDEN,
            "session_not_found",
            "Session from session_id claim in JWT does not exist",
        ));
    }
    Ok(claims)
}

async fn user(shared: &Shared, admin: &Client, headers: &HeaderMap) -> Result<Response, AuthError> {
    let claims = verified(shared, admin, headers).await?;
    Ok(axum::Json(user_json(admin, field(&claims, "sub")).await?).into_response())
}

/// Sign-out: the session's refresh tokens stop working (access tokens already issued stay valid
/// until they expire, as on the real service). `global` (the default) ends every session of
/// the person, `local` this one, `others` all but this one.
async fn logout(
    shared: &Shared,
    admin: &Client,
    headers: &HeaderMap,
    scope: Option<&str>,
) -> Result<Response, AuthError> {
    let claims = verified(shared, admin, headers).await?;
    let (user_id, session) = (field(&claims, "sub"), field(&claims, "session_id"));
    let sql = match scope.unwrap_or("global") {
        "local" => "delete from auth.sessions where id::text = $2 and user_id::text = $1",
        "others" => "delete from auth.sessions where id::text <> $2 and user_id::text = $1",
        _ => "delete from auth.sessions where user_id::text = $1 and $2 = $2",
    };
    admin.execute(sql, &[&user_id, &session]).await.map_err(db_failed)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
