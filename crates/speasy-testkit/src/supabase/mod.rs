//! A Supabase stand-in on 127.0.0.1 over a real PostgreSQL ([`crate::postgres::TestPostgres`]):
//! the API gateway's key check and the subset of PostgREST (`/rest/v1`) that sync uses, with
//! PostgREST's exact request shape, statuses, headers and error bodies
//! (../shared/reference/supabase/supabase-sync.md §1 and §6), and Supabase Auth's
//! email/password subset (`/auth/v1`, [`auth`]). No real PostgREST or GoTrue can run here
//! (§2 of that file), and mocking our own client would test nothing.
//!
//! Each request is one transaction of the `authenticator` login role, as PostgREST runs it:
//! `BEGIN ISOLATION LEVEL READ COMMITTED` (`READ ONLY` for GET), then
//! `set_config('role', ...)`, `set_config('request.jwt.claims', <all claims + role>)` and the
//! other request settings with `is_local = true`, then one parameterised statement whose JSON
//! body Postgres builds itself, then COMMIT (ROLLBACK on any error). Connections are pooled, so
//! a setting that leaked past its transaction would show up in the next request (a test checks
//! it does not). JWTs are HS256 with the stand-in's secret, checked with PostgREST's 30 s of
//! leeway against the stand-in's token clock, which a test may move forward
//! ([`SupabaseStub::advance_token_clock_after`]) to make a token run out at a chosen request
//! instead of waiting for it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_postgres::{Client, IsolationLevel};

use crate::postgres::{PG_SUPERUSER, TestPostgres};

mod auth;

/// The stand-in's publishable key and JWT secret.
#[derive(Clone, Debug)]
pub struct SupabaseConfig {
    /// What the `apikey` header must carry.
    pub api_key: String,
    /// The HS256 secret access tokens are signed with.
    pub jwt_secret: String,
    /// PostgREST's "Max rows": no response holds more (applied silently, as Supabase does).
    pub max_rows: usize,
    /// Lifetime of the access tokens Auth issues (`expires_in`), in seconds.
    pub access_ttl_s: i64,
    /// How long a used refresh token may be presented again (Auth's reuse interval), seconds.
    pub refresh_reuse_s: i64,
}

impl Default for SupabaseConfig {
    fn default() -> Self {
        Self {
            api_key: "sb_publishable_speasy_test_key".into(),
            jwt_secret: "speasy-test-jwt-secret-with-at-least-32-characters".into(),
            max_rows: 1000,
            access_ttl_s: 3600,
            refresh_reuse_s: 10,
        }
    }
}

/// A running stand-in; stops when dropped.
pub struct SupabaseStub {
    addr: SocketAddr,
    config: SupabaseConfig,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SupabaseStub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Column {
    name: String,
    /// `format_type` of the column: what filter values are cast to.
    sql_type: String,
}

struct Shared {
    config: SupabaseConfig,
    /// The project URL (`iss` of the tokens is `<url>/auth/v1`).
    url: String,
    /// Auth's own connection (as the superuser, as Supabase Auth has its own admin role).
    admin: Mutex<Client>,
    pg: tokio_postgres::Config,
    pool: Mutex<Vec<Client>>,
    tables: HashMap<String, Vec<Column>>,
    clock: TokenClock,
}

/// The time Auth stamps tokens with and the JWT check reads: the host's clock plus an offset
/// that only moves forward, when a test asks. (The `Date` header stays the host's: this is
/// about tokens running out, not about skewed server clocks.)
#[derive(Default)]
struct TokenClock {
    ahead_s: AtomicI64,
    /// REST requests left before `jump_s` is added to `ahead_s`; negative: no jump pending.
    countdown: AtomicI64,
    jump_s: AtomicI64,
}

impl TokenClock {
    fn now(&self) -> i64 {
        unix_now() + self.ahead_s.load(Ordering::SeqCst)
    }

    /// Count one REST request, making a pending jump when its turn comes (before the request's
    /// token is checked).
    fn tick(&self) {
        if self.countdown.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.ahead_s.fetch_add(self.jump_s.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    }
}

impl SupabaseStub {
    /// Serve database `db` of `pg` on a free loopback port.
    pub async fn start(
        pg: &TestPostgres,
        db: &str,
        config: SupabaseConfig,
    ) -> std::io::Result<Self> {
        let client = pg.connect("authenticator", db).await?;
        let rows = client
            .query(
                "select c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod) \
                   from pg_attribute a join pg_class c on c.oid = a.attrelid \
                   join pg_namespace n on n.oid = c.relnamespace \
                  where n.nspname = 'public' and c.relkind in ('r', 'v') and a.attnum > 0 \
                    and not a.attisdropped order by c.relname, a.attnum",
                &[],
            )
            .await
            .map_err(|e| std::io::Error::other(crate::postgres::describe(&e)))?;
        let mut tables: HashMap<String, Vec<Column>> = HashMap::new();
        for row in rows {
            tables
                .entry(row.get(0))
                .or_default()
                .push(Column { name: row.get(1), sql_type: row.get(2) });
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config: config.clone(),
            url: format!("http://{addr}"),
            admin: Mutex::new(pg.connect(PG_SUPERUSER, db).await?),
            pg: pg.config("authenticator", db),
            pool: Mutex::new(vec![client]),
            tables,
            clock: TokenClock { countdown: AtomicI64::new(-1), ..TokenClock::default() },
        });
        let app = Router::new()
            .route("/rest/v1/{table}", axum::routing::any(rest))
            .route("/auth/v1/{action}", axum::routing::any(auth::route))
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, config, shared, task })
    }

    /// `http://127.0.0.1:<port>`: the project URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn config(&self) -> &SupabaseConfig {
        &self.config
    }

    /// What each idle pooled connection would run as now: `(current_user, request.jwt.claims)`.
    /// Between requests it must be `("authenticator", "")`: a role or claims set for the whole
    /// session instead of the transaction would carry one person's identity into the next
    /// request.
    pub async fn idle_identities(&self) -> Vec<(String, String)> {
        let pool = self.shared.pool.lock().await;
        let mut out = Vec::new();
        for client in pool.iter() {
            if let Ok(row) = client
                .query_one("select current_user::text, coalesce(current_setting('request.jwt.claims', true), '')", &[])
                .await
            {
                out.push((row.get(0), row.get(1)));
            }
        }
        out
    }

    /// From the `requests`-th REST request on (counting from 1, and counting that one), the
    /// token clock runs `secs` further ahead: every access token with less than `secs` left
    /// (30 s of leeway aside) is refused as expired from that request on, while tokens Auth
    /// issues afterwards are stamped with the advanced time and so are good. Replaces any
    /// jump still pending.
    pub fn advance_token_clock_after(&self, requests: u32, secs: i64) {
        let clock = &self.shared.clock;
        clock.jump_s.store(secs, Ordering::SeqCst);
        clock.countdown.store(i64::from(requests.max(1)), Ordering::SeqCst);
    }

    /// An access token for `user` as Supabase Auth issues it, valid for `ttl_s` seconds from
    /// now on the token clock (negative: already expired).
    pub fn access_token(&self, user: &str, ttl_s: i64) -> String {
        let now = self.shared.clock.now();
        let claims = json!({
            "sub": user, "aud": "authenticated", "role": "authenticated",
            "iat": now, "exp": now + ttl_s, "iss": format!("{}/auth/v1", self.url()),
            "email": format!("{user}@example.com"), "phone": "",
            "app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {},
            "aal": "aal1", "amr": [{"method": "password", "timestamp": now}],
            "session_id": format!("session-{user}"), "is_anonymous": false,
        });
        let key = jsonwebtoken::EncodingKey::from_secret(self.config.jwt_secret.as_bytes());
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap_or_default()
    }
}

/// HS256 with the `authenticated` audience; `exp` and `nbf` are left to the caller, who reads
/// them against the token clock.
fn token_validation() -> jsonwebtoken::Validation {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_audience(&["authenticated"]);
    validation.set_required_spec_claims::<&str>(&[]);
    validation
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// PostgREST's error body and status (boxed: results carrying it stay small).
struct ApiError(Box<ErrorBody>);

struct ErrorBody {
    status: StatusCode,
    code: String,
    message: String,
    details: Option<String>,
    hint: Option<String>,
    www_authenticate: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorBody {
            status,
            code: code.into(),
            message: message.into(),
            details: None,
            hint: None,
            www_authenticate: None,
        }))
    }

    /// A database error, mapped as PostgREST maps SQLSTATEs to statuses.
    fn from_pg(e: &tokio_postgres::Error, anon: bool) -> Self {
        let Some(db) = e.as_db_error() else {
            return Self::new(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", e.to_string());
        };
        let code = db.code().code();
        let status = match code {
            "23505" | "23503" => StatusCode::CONFLICT,
            "42501" if anon => StatusCode::UNAUTHORIZED,
            "42501" => StatusCode::FORBIDDEN,
            "42P01" => StatusCode::NOT_FOUND,
            "25006" => StatusCode::METHOD_NOT_ALLOWED,
            "53400" => StatusCode::INTERNAL_SERVER_ERROR,
            c if c.starts_with("PT") => c[2..]
                .parse()
                .ok()
                .and_then(|n| StatusCode::from_u16(n).ok())
                .unwrap_or(StatusCode::BAD_REQUEST),
            c if c.starts_with("08") || c.starts_with("53") => StatusCode::SERVICE_UNAVAILABLE,
            c if c.starts_with("XX")
                || ["54", "55", "56", "57", "58"].iter().any(|p| c.starts_with(p))
                || (c.starts_with("P0") && c != "P0001")
                || c.starts_with("40") =>
            {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        let mut err = Self::new(status, code, db.message());
        err.0.details = db.detail().map(str::to_owned);
        err.0.hint = db.hint().map(str::to_owned);
        if status == StatusCode::UNAUTHORIZED {
            err.0.www_authenticate = Some("Bearer".into());
        }
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = *self.0;
        let body = json!({
            "code": e.code, "details": e.details, "hint": e.hint, "message": e.message,
        });
        let mut res = (e.status, axum::Json(body)).into_response();
        if let Some(v) = e.www_authenticate.and_then(|v| HeaderValue::from_str(&v).ok()) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        res
    }
}

/// What the API gateway does before PostgREST or Auth sees a request: the query string decoded
/// (as a form, so `+` is a space) and the `apikey` checked. `Err` is the gateway's answer.
fn gateway(
    shared: &Shared,
    raw_query: Option<String>,
    headers: &HeaderMap,
) -> Result<Vec<(String, String)>, Box<Response>> {
    let query: Vec<(String, String)> =
        form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()).into_owned().collect();
    match check_api_key(shared, headers, &query) {
        Some(rejected) => Err(Box::new(rejected)),
        None => Ok(query),
    }
}

/// The Supabase API gateway's key check.
fn check_api_key(
    shared: &Shared,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Option<Response> {
    let given = headers
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| query.iter().find(|(k, _)| k == "apikey").map(|(_, v)| v.clone()));
    let body = match given {
        None => json!({"message": "No API key found in request",
                       "hint": "No `apikey` request header or url param was found."}),
        Some(key) if key == shared.config.api_key => return None,
        Some(_) => json!({"message": "Invalid API key",
                          "hint": "Double check your Supabase `anon` or `service_role` API key."}),
    };
    Some((StatusCode::UNAUTHORIZED, axum::Json(body)).into_response())
}

/// The role and claims of the request: anon without a token, else the token's, verified.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<(String, Value), ApiError> {
    let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(("anon".into(), json!({"role": "anon"})));
    };
    let invalid = |message: &str| {
        let mut e = ApiError::new(StatusCode::UNAUTHORIZED, "PGRST301", message);
        e.0.www_authenticate =
            Some(format!("Bearer error=\"invalid_token\", error_description=\"{message}\""));
        e
    };
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .ok_or_else(|| invalid("No suitable key or wrong key type"))?;
    let key = jsonwebtoken::DecodingKey::from_secret(shared.config.jwt_secret.as_bytes());
    let data =
        jsonwebtoken::decode::<Value>(token, &key, &token_validation()).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                    invalid("JWSError JWSInvalidSignature")
                }
                _ => invalid(&format!("JWSError {e}")),
            }
        })?;
    // PostgREST's time checks, with its 30 s of leeway, on the token clock.
    let now = shared.clock.now();
    let at = |claim: &str| data.claims.get(claim).and_then(Value::as_i64);
    if at("exp").is_some_and(|exp| exp < now - 30) {
        let mut e = ApiError::new(StatusCode::UNAUTHORIZED, "PGRST303", "JWT expired");
        e.0.www_authenticate =
            Some("Bearer error=\"invalid_token\", error_description=\"JWT expired\"".into());
        return Err(e);
    }
    if at("nbf").is_some_and(|nbf| nbf > now + 30) {
        return Err(invalid("JWSError JWTNotYetValid"));
    }
    let mut claims = data.claims;
    let role = claims
        .get("role")
        .and_then(Value::as_str)
        .filter(|r| ["anon", "authenticated", "service_role"].contains(r))
        .unwrap_or("anon")
        .to_owned();
    if let Some(obj) = claims.as_object_mut() {
        obj.insert("role".into(), Value::String(role.clone()));
    }
    Ok((role, claims))
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The WHERE clause for PostgREST filters (`col=op.value`, `col=not.op.value`), with its
/// parameters (all passed as text and cast to the column's type).
fn filters(
    table: &str,
    columns: &[Column],
    query: &[(String, String)],
    params: &mut Vec<String>,
) -> Result<String, ApiError> {
    const RESERVED: [&str; 7] =
        ["select", "order", "limit", "offset", "on_conflict", "columns", "apikey"];
    let mut clauses = Vec::new();
    for (key, value) in query.iter().filter(|(k, _)| !RESERVED.contains(&k.as_str())) {
        let column = columns.iter().find(|c| &c.name == key).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "42703",
                format!("column {table}.{key} does not exist"),
            )
        })?;
        let (negate, rest) = match value.strip_prefix("not.") {
            Some(rest) => (true, rest),
            None => (false, value.as_str()),
        };
        let (op, operand) = rest.split_once('.').ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "PGRST100",
                format!("\"failed to parse filter ({value})\""),
            )
        })?;
        // Qualified: an UPDATE ... FROM has the body's columns in scope too.
        let col = format!("public.{}.{}", quote(table), quote(&column.name));
        let mut param = |v: &str| {
            params.push(v.to_owned());
            format!("(${}::text)::{}", params.len(), column.sql_type)
        };
        let clause = match op {
            "eq" | "neq" | "gt" | "gte" | "lt" | "lte" => {
                let sym = match op {
                    "eq" => "=",
                    "neq" => "<>",
                    "gt" => ">",
                    "gte" => ">=",
                    "lt" => "<",
                    _ => "<=",
                };
                format!("{col} {sym} {}", param(operand))
            }
            "like" | "ilike" => format!("{col}::text {op} {}", {
                params.push(operand.replace('*', "%"));
                format!("${}::text", params.len())
            }),
            "is" => match operand {
                "null" => format!("{col} is null"),
                "true" => format!("{col} is true"),
                "false" => format!("{col} is false"),
                "unknown" => format!("{col} is unknown"),
                _ => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "PGRST100",
                        format!("\"failed to parse filter ({value})\""),
                    ));
                }
            },
            "in" => {
                let inner = operand
                    .strip_prefix('(')
                    .and_then(|s| s.strip_suffix(')'))
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "PGRST100",
                            format!("\"failed to parse filter ({value})\""),
                        )
                    })?;
                let items = split_list(inner);
                if items.is_empty() {
                    "false".to_owned()
                } else {
                    let list: Vec<String> = items.iter().map(|v| param(v)).collect();
                    format!("{col} in ({})", list.join(", "))
                }
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "PGRST100",
                    format!("\"failed to parse filter ({value})\""),
                ));
            }
        };
        clauses.push(if negate { format!("not ({clause})") } else { clause });
    }
    Ok(if clauses.is_empty() { String::new() } else { format!(" where {}", clauses.join(" and ")) })
}

/// `a,b,"c,d"` → [a, b, c,d]: PostgREST's list syntax (values holding `,.()` are quoted).
fn split_list(s: &str) -> Vec<String> {
    let (mut items, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => cur.extend(chars.next()),
            ',' if !quoted => items.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !cur.is_empty() || !items.is_empty() {
        items.push(cur);
    }
    items
}

struct Prefer {
    resolution: Option<String>,
    representation: bool,
    count_exact: bool,
}

fn prefer(headers: &HeaderMap) -> Prefer {
    let all: Vec<String> = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .collect();
    Prefer {
        resolution: all.iter().find_map(|p| p.strip_prefix("resolution=")).map(str::to_owned),
        representation: all.iter().any(|p| p == "return=representation"),
        count_exact: all.iter().any(|p| p == "count=exact"),
    }
}

async fn rest(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Path(table): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.clock.tick();
    let query = match gateway(&shared, raw, &headers) {
        Ok(query) => query,
        Err(rejected) => return *rejected,
    };
    let (role, claims) = match authenticate(&shared, &headers) {
        Ok(auth) => auth,
        Err(e) => return e.into_response(),
    };
    let anon = role == "anon";
    let mut client = match take_client(&shared).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let result =
        handle(&shared, &mut client, &method, &table, &query, &headers, &body, &role, &claims)
            .await;
    give_back(&shared, client).await;
    match result {
        Ok(res) => res,
        Err(Failure::Api(e)) => e.into_response(),
        Err(Failure::Pg(e)) => ApiError::from_pg(&e, anon).into_response(),
    }
}

enum Failure {
    Api(ApiError),
    Pg(tokio_postgres::Error),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Pg(e)
    }
}

async fn take_client(shared: &Shared) -> Result<Client, ApiError> {
    while let Some(c) = shared.pool.lock().await.pop() {
        if !c.is_closed() {
            return Ok(c);
        }
    }
    let (client, connection) =
        shared.pg.connect(tokio_postgres::NoTls).await.map_err(|e| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", e.to_string())
        })?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

async fn give_back(shared: &Shared, client: Client) {
    if !client.is_closed() {
        shared.pool.lock().await.push(client);
    }
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    shared: &Shared,
    client: &mut Client,
    method: &Method,
    table: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &Bytes,
    role: &str,
    claims: &Value,
) -> Result<Response, Failure> {
    let columns = shared.tables.get(table).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "PGRST205",
            format!("Could not find the table 'public.{table}' in the schema cache"),
        )
    })?;
    let read_only = method == Method::GET || method == Method::HEAD;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .read_only(read_only)
        .start()
        .await?;
    let lowered: serde_json::Map<String, Value> = headers
        .iter()
        .filter_map(|(k, v)| {
            Some((k.as_str().to_lowercase(), Value::String(v.to_str().ok()?.to_owned())))
        })
        .collect();
    tx.execute(
        "select set_config('search_path', '\"public\", \"extensions\"', true), \
                set_config('role', $1, true), \
                set_config('request.jwt.claims', $2, true), \
                set_config('request.method', $3, true), \
                set_config('request.path', $4, true), \
                set_config('request.headers', $5, true), \
                set_config('request.cookies', '{}', true)",
        &[
            &role,
            &claims.to_string(),
            &method.as_str(),
            &format!("/{table}"),
            &Value::Object(lowered).to_string(),
        ],
    )
    .await?;
    let prefer = prefer(headers);
    let mut params: Vec<String> = Vec::new();
    let response = match *method {
        Method::GET | Method::HEAD => {
            let filter = filters(table, columns, query, &mut params)?;
            let select = select_list(table, columns, query)?;
            let order = order_by(table, columns, query)?;
            let get = |k: &str| {
                query.iter().find(|(q, _)| q == k).and_then(|(_, v)| v.parse::<usize>().ok())
            };
            let (mut offset, mut limit) = (get("offset").unwrap_or(0), get("limit"));
            if let Some((from, to)) = headers
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|r| r.split_once('-'))
                .and_then(|(a, b)| {
                    Some((a.trim().parse::<usize>().ok()?, b.trim().parse::<usize>().ok()))
                })
            {
                offset = from;
                limit = to.map(|to| (to + 1).saturating_sub(from)).or(limit);
            }
            let limit = limit.unwrap_or(shared.config.max_rows).min(shared.config.max_rows);
            let sql = format!(
                "select coalesce(json_agg(_pgrst_t), '[]')::text, count(*) from \
                 (select {select} from public.{} {filter}{order} limit {limit} offset {offset}) _pgrst_t",
                quote(table)
            );
            let refs = sql_params(&params);
            let row = tx.query_one(&sql, &refs).await?;
            let (json, n): (String, i64) = (row.get(0), row.get(1));
            let total = if prefer.count_exact {
                let sql = format!("select count(*) from public.{} {filter}", quote(table));
                Some(tx.query_one(&sql, &refs).await?.get::<_, i64>(0))
            } else {
                None
            };
            tx.commit().await?;
            let n = n as usize;
            let range =
                if n == 0 { "*".to_owned() } else { format!("{offset}-{}", offset + n - 1) };
            let total_text = total.map(|t| t.to_string()).unwrap_or_else(|| "*".into());
            let partial = total.is_some_and(|t| (offset + n) < t as usize || (offset > 0 && n > 0));
            let status = if partial { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
            let body = if *method == Method::HEAD { String::new() } else { json };
            let mut res = (status, body).into_response();
            set_header(&mut res, header::CONTENT_TYPE, "application/json; charset=utf-8");
            set_header(&mut res, header::CONTENT_RANGE, &format!("{range}/{total_text}"));
            res
        }
        Method::POST => {
            let rows = parse_body(body)?;
            let rows: Vec<Value> = match rows {
                Value::Array(a) => a,
                obj @ Value::Object(_) => vec![obj],
                _ => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "PGRST102",
                        "Empty or invalid json",
                    )
                    .into());
                }
            };
            let keys = uniform_keys(&rows)?;
            if keys.is_empty() {
                tx.commit().await?;
                return Ok(StatusCode::CREATED.into_response());
            }
            known_columns(table, columns, keys.iter())?;
            let cols = keys.iter().map(|k| quote(k)).collect::<Vec<_>>().join(", ");
            let conflict = match prefer.resolution.as_deref() {
                Some(res @ ("merge-duplicates" | "ignore-duplicates")) => {
                    let target = query
                        .iter()
                        .find(|(k, _)| k == "on_conflict")
                        .map(|(_, v)| {
                            v.split(',').map(|c| quote(c.trim())).collect::<Vec<_>>().join(", ")
                        })
                        .unwrap_or_else(|| "\"id\"".into());
                    if res == "ignore-duplicates" {
                        format!(" on conflict ({target}) do nothing")
                    } else {
                        let set = keys
                            .iter()
                            .map(|k| format!("{} = excluded.{}", quote(k), quote(k)))
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!(" on conflict ({target}) do update set {set}")
                    }
                }
                _ => String::new(),
            };
            let sql = format!(
                "with pgrst_source as (insert into public.{t} ({cols}) select {cols} from \
                 json_populate_recordset(null::public.{t}, $1::text::json) _{conflict} \
                 returning public.{t}.*, (xmax = 0) as pgrst_inserted) \
                 select coalesce(json_agg(to_jsonb(s) - 'pgrst_inserted'), '[]')::text, \
                        coalesce(bool_or(pgrst_inserted), false) from pgrst_source s",
                t = quote(table)
            );
            let row = tx.query_one(&sql, &[&Value::Array(rows).to_string()]).await?;
            let (json, inserted): (String, bool) = (row.get(0), row.get(1));
            tx.commit().await?;
            let status = if prefer.resolution.is_some() && !inserted {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            let mut res = if prefer.representation {
                let mut r = (status, json).into_response();
                set_header(&mut r, header::CONTENT_TYPE, "application/json; charset=utf-8");
                r
            } else {
                status.into_response()
            };
            let mut applied = Vec::new();
            if let Some(r) = &prefer.resolution {
                applied.push(format!("resolution={r}"));
            }
            applied.push(
                if prefer.representation { "return=representation" } else { "return=minimal" }
                    .to_owned(),
            );
            set_header(&mut res, "preference-applied", &applied.join(", "));
            res
        }
        Method::PATCH => {
            let Value::Object(obj) = parse_body(body)? else {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "PGRST102",
                    "Empty or invalid json",
                )
                .into());
            };
            known_columns(table, columns, obj.keys())?;
            params.push(Value::Object(obj.clone()).to_string());
            let filter = filters(table, columns, query, &mut params)?;
            let set = obj
                .keys()
                .map(|k| format!("{} = _b.{}", quote(k), quote(k)))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "update public.{t} set {set} from json_populate_record(null::public.{t}, $1::text::json) _b{filter}",
                t = quote(table)
            );
            let refs = sql_params(&params);
            if !obj.is_empty() {
                tx.execute(&sql, &refs).await?;
            }
            tx.commit().await?;
            StatusCode::NO_CONTENT.into_response()
        }
        Method::DELETE => {
            let filter = filters(table, columns, query, &mut params)?;
            let refs = sql_params(&params);
            tx.execute(&format!("delete from public.{} {filter}", quote(table)), &refs).await?;
            tx.commit().await?;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    Ok(response)
}

fn set_header(res: &mut Response, name: impl axum::http::header::IntoHeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "PGRST102", format!("Empty or invalid json: {e}"))
    })
}

/// Every key of a body names a column (else PostgREST's PGRST204).
fn known_columns<'a>(
    table: &str,
    columns: &[Column],
    mut keys: impl Iterator<Item = &'a String>,
) -> Result<(), ApiError> {
    match keys.find(|k| !columns.iter().any(|c| &c.name == *k)) {
        Some(k) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "PGRST204",
            format!("Could not find the '{k}' column of '{table}' in the schema cache"),
        )),
        None => Ok(()),
    }
}

/// The filter values as statement parameters (all text; the SQL casts them).
fn sql_params(params: &[String]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect()
}

/// Every object must have the same keys (PostgREST's bulk insert rule).
fn uniform_keys(rows: &[Value]) -> Result<Vec<String>, ApiError> {
    let mut first: Option<Vec<String>> = None;
    for row in rows {
        let Value::Object(obj) = row else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "PGRST102",
                "All object keys must match",
            ));
        };
        let mut keys: Vec<String> = obj.keys().cloned().collect();
        keys.sort();
        match &first {
            None => first = Some(keys),
            Some(f) if *f == keys => {}
            Some(_) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "PGRST102",
                    "All object keys must match",
                ));
            }
        }
    }
    Ok(first.unwrap_or_default())
}

fn select_list(
    table: &str,
    columns: &[Column],
    query: &[(String, String)],
) -> Result<String, ApiError> {
    let Some((_, select)) = query.iter().find(|(k, _)| k == "select") else {
        return Ok("*".into());
    };
    if select.trim() == "*" {
        return Ok("*".into());
    }
    let mut out = Vec::new();
    for name in select.split(',').map(str::trim) {
        if !columns.iter().any(|c| c.name == name) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "42703",
                format!("column {table}.{name} does not exist"),
            ));
        }
        out.push(quote(name));
    }
    Ok(out.join(", "))
}

fn order_by(
    table: &str,
    columns: &[Column],
    query: &[(String, String)],
) -> Result<String, ApiError> {
    let Some((_, order)) = query.iter().find(|(k, _)| k == "order") else {
        return Ok(String::new());
    };
    let mut terms = Vec::new();
    for term in order.split(',') {
        let mut parts = term.split('.');
        let name = parts.next().unwrap_or_default();
        if !columns.iter().any(|c| c.name == name) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "42703",
                format!("column {table}.{name} does not exist"),
            ));
        }
        let mut sql = quote(name);
        for modifier in parts {
            sql.push_str(match modifier {
                "asc" => " asc",
                "desc" => " desc",
                "nullsfirst" => " nulls first",
                "nullslast" => " nulls last",
                _ => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "PGRST100",
                        format!("\"failed to parse order ({order})\""),
                    ));
                }
            });
        }
        terms.push(sql);
    }
    Ok(format!(" order by {}", terms.join(", ")))
}
