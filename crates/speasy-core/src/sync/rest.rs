//! PostgREST (`/rest/v1`) as sync uses it: bulk merge-upserts of row states and pages of rows
//! by `server_seq`, and what an error response means for sync (`supabase-sync.md` §1.4, §4.4).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use reqwest::header::{HeaderMap, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{Client, Response, StatusCode, Url};
use serde::Deserialize;

use super::{Project, SyncError};
use crate::store::SyncTable;

/// What a failed request means for sync.
#[derive(Debug)]
pub enum Failure {
    /// The access token was refused (expired, bad, or missing): refresh and try once more.
    Unauthorized(String),
    /// The server's tables are not what this version expects: stop, keep everything queued.
    Schema(String),
    /// Worth retrying later as it is: network, 5xx, 429, serialization failures.
    Transient(SyncError),
    /// The project settings are wrong (an unknown API key): stop, keep everything queued.
    Project(String),
    /// The server refused a stamp as too far in the future (`22008 hlc_in_future`): this
    /// device's clock is ahead. Correct it, re-stamp, and try again once.
    ClockAhead(String),
    /// This request will fail again as it is (a bad row in the batch, a policy refusing it).
    Refused { status: u16, code: Option<String>, message: String },
}

impl Failure {
    /// As an error of the whole pass.
    pub fn into_error(self) -> SyncError {
        match self {
            Self::Unauthorized(m) => SyncError::SessionExpired(m),
            Self::Schema(m) => SyncError::SchemaMismatch(m),
            Self::Project(m) => SyncError::InvalidProject(m),
            Self::Transient(e) => e,
            Self::ClockAhead(message) => {
                SyncError::Rejected { status: 400, code: Some("22008".into()), message }
            }
            Self::Refused { status, code, message } => {
                SyncError::Rejected { status, code, message }
            }
        }
    }
}

/// PostgREST's (and the gateway's) error body.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    code: Option<serde_json::Value>,
    message: Option<String>,
    details: Option<String>,
    hint: Option<String>,
}

pub(crate) fn network(e: &reqwest::Error) -> SyncError {
    let what = if e.is_timeout() {
        "the request timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        // reqwest's Display names the URL, never a header: no token can appear here.
        e.to_string()
    };
    SyncError::Network(what)
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// Read a non-2xx PostgREST response and decide what it means.
async fn failure(resp: Response) -> Failure {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body: ErrorBody = serde_json::from_str(&text).unwrap_or_default();
    let code = body.code.as_ref().map(|c| match c {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let mut message = body.message.unwrap_or_else(|| {
        let t = text.trim();
        if t.is_empty() { status.to_string() } else { t.chars().take(300).collect() }
    });
    if let Some(d) = body.details.filter(|d| !d.is_empty()) {
        message = format!("{message} ({d})");
    }
    if let Some(h) = body.hint.filter(|h| !h.is_empty()) {
        message = format!("{message}. {h}");
    }
    classify(status, code, message, &headers)
}

fn classify(status: StatusCode, code: Option<String>, message: String, h: &HeaderMap) -> Failure {
    let code_is = |c: &str| code.as_deref() == Some(c);
    let invalid_token = h
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("invalid_token"));
    if status == StatusCode::UNAUTHORIZED {
        // An unknown API key is not a token problem: the project settings are wrong.
        if code.is_none() && !invalid_token && message.contains("API key") {
            return Failure::Project(message);
        }
        return Failure::Unauthorized(message);
    }
    if status == StatusCode::NOT_FOUND
        || ["PGRST204", "PGRST205", "PGRST200", "42703", "42P01", "42883"]
            .iter()
            .any(|c| code_is(c))
    {
        return Failure::Schema(message);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Failure::Transient(SyncError::RateLimited { retry_after_secs: retry_after(h) });
    }
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        return Failure::Transient(SyncError::Server { status: status.as_u16(), message });
    }
    if code_is("22008") && message.contains("hlc_in_future") {
        return Failure::ClockAhead(message);
    }
    Failure::Refused { status: status.as_u16(), code, message }
}

/// A page of rows as the server sent it.
#[derive(Debug)]
pub struct Page {
    /// The JSON array, unparsed: `store::PulledPage::parse` reads and checks it, once.
    pub text: String,
    /// How many rows match in all, when it was asked for (`Prefer: count=exact`).
    pub total: Option<u64>,
}

/// The Data API of one project.
#[derive(Debug, Clone)]
pub struct Rest {
    http: Client,
    base: Url,
    key: String,
    /// The server's time (unix ms) in the last response's `Date` header, and when it came.
    server_time: Arc<Mutex<Option<(i64, Instant)>>>,
}

/// The server's time (unix ms) in a response's `Date` header: whole seconds, so the middle of
/// that second is the best guess (within about a second plus the response's travel time).
fn server_time(headers: &HeaderMap) -> Option<i64> {
    let date = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    Some(chrono::DateTime::parse_from_rfc2822(date).ok()?.timestamp_millis() + 500)
}

impl Rest {
    pub fn new(http: Client, project: &Project) -> Result<Self, SyncError> {
        project.check()?;
        Ok(Self {
            http,
            base: project.service("rest/v1/")?,
            key: project.publishable_key.trim().to_owned(),
            server_time: Arc::default(),
        })
    }

    /// The server's time now (unix ms), from the `Date` header of a response that arrived
    /// since the last call (`None` if none did: a request that failed without a response says
    /// nothing about the clock, and an old header would be stale).
    pub fn take_server_now(&self) -> Option<i64> {
        let (at, when) = self.server_time.lock().unwrap_or_else(|p| p.into_inner()).take()?;
        Some(at + i64::try_from(when.elapsed().as_millis()).unwrap_or(i64::MAX))
    }

    fn note_date(&self, headers: &HeaderMap) {
        if let Some(t) = server_time(headers) {
            *self.server_time.lock().unwrap_or_else(|p| p.into_inner()) = Some((t, Instant::now()));
        }
    }

    fn url(&self, table: SyncTable) -> Url {
        // A fixed table name joins onto a checked base: this cannot fail.
        self.base.join(table.name()).unwrap_or_else(|_| self.base.clone())
    }

    /// Merge these row states (a JSON array, identical keys in every object) into `table`.
    pub async fn upsert(
        &self,
        table: SyncTable,
        token: String,
        body: String,
    ) -> Result<(), Failure> {
        let mut url = self.url(table);
        url.query_pairs_mut().append_pair("on_conflict", "id");
        let resp = self
            .http
            .post(url)
            .header("apikey", &self.key)
            .bearer_auth(&token)
            .header("Content-Type", "application/json")
            .header("Prefer", "return=minimal, resolution=merge-duplicates")
            .body(body)
            .send()
            .await
            .map_err(|e| Failure::Transient(network(&e)))?;
        self.note_date(resp.headers());
        if resp.status().is_success() { Ok(()) } else { Err(failure(resp).await) }
    }

    /// The rows of `table` after `after` in `server_seq` order, at most `limit` (the server may
    /// return fewer: Supabase caps responses silently).
    pub async fn page(
        &self,
        table: SyncTable,
        token: String,
        after: i64,
        limit: usize,
        count: bool,
    ) -> Result<Page, Failure> {
        let mut url = self.url(table);
        url.query_pairs_mut()
            .append_pair("select", "*")
            .append_pair("server_seq", &format!("gt.{after}"))
            .append_pair("order", "server_seq.asc")
            .append_pair("limit", &limit.to_string());
        let mut req = self.http.get(url).header("apikey", &self.key).bearer_auth(&token);
        if count {
            req = req.header("Prefer", "count=exact");
        }
        let resp = req.send().await.map_err(|e| Failure::Transient(network(&e)))?;
        self.note_date(resp.headers());
        if !resp.status().is_success() {
            return Err(failure(resp).await);
        }
        // `Content-Range: 0-999/100000` (or `*/0`): the part after the slash is the total.
        let total = resp
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit_once('/'))
            .and_then(|(_, t)| t.parse::<u64>().ok());
        let text = resp.text().await.map_err(|e| Failure::Transient(network(&e)))?;
        Ok(Page { text, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_header_gives_the_server_clock() {
        let mut h = HeaderMap::new();
        assert_eq!(server_time(&h), None);
        h.insert(reqwest::header::DATE, "Sun, 22 Nov 2026 14:20:17 GMT".parse().unwrap());
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T14:20:17.500Z").unwrap();
        assert_eq!(server_time(&h), Some(at.timestamp_millis()));
    }

    fn c(status: u16, code: Option<&str>, www: Option<&str>) -> Failure {
        let mut h = HeaderMap::new();
        if let Some(w) = www {
            h.insert(WWW_AUTHENTICATE, w.parse().unwrap());
        }
        classify(StatusCode::from_u16(status).unwrap(), code.map(Into::into), "m".into(), &h)
    }

    #[test]
    fn responses_mean_what_the_design_says() {
        assert!(matches!(c(401, Some("PGRST303"), None), Failure::Unauthorized(_)));
        assert!(matches!(c(401, Some("PGRST301"), None), Failure::Unauthorized(_)));
        assert!(matches!(
            c(401, None, Some("Bearer error=\"invalid_token\"")),
            Failure::Unauthorized(_)
        ));
        assert!(matches!(c(401, Some("42501"), None), Failure::Unauthorized(_)));
        let mut h = HeaderMap::new();
        h.insert("content-type", "application/json".parse().unwrap());
        let wrong_key = classify(StatusCode::UNAUTHORIZED, None, "Invalid API key".into(), &h);
        assert!(matches!(wrong_key, Failure::Project(_)), "a wrong key parks no row");
        assert!(matches!(c(400, Some("PGRST204"), None), Failure::Schema(_)));
        assert!(matches!(c(404, Some("PGRST205"), None), Failure::Schema(_)));
        assert!(matches!(c(400, Some("42703"), None), Failure::Schema(_)));
        assert!(matches!(c(503, None, None), Failure::Transient(SyncError::Server { .. })));
        assert!(matches!(c(500, Some("40001"), None), Failure::Transient(_)));
        assert!(matches!(c(429, None, None), Failure::Transient(SyncError::RateLimited { .. })));
        assert!(matches!(c(403, Some("42501"), None), Failure::Refused { status: 403, .. }));
        assert!(matches!(c(409, Some("23503"), None), Failure::Refused { status: 409, .. }));
        assert!(matches!(c(400, Some("22P02"), None), Failure::Refused { status: 400, .. }));
        let ahead =
            classify(StatusCode::BAD_REQUEST, Some("22008".into()), "hlc_in_future".into(), &h);
        assert!(matches!(ahead, Failure::ClockAhead(_)));
        // Another 22008 (a bad date in a row) is the row's fault.
        assert!(matches!(c(400, Some("22008"), None), Failure::Refused { .. }));
    }
}
