//! Shared by the Supabase stand-in's HTTP tests: a fresh PostgreSQL with the sync schema, the
//! stand-in over it, and request builders carrying the project's `apikey`.
#![allow(dead_code)] // each test file uses part of it

use reqwest::{Client, Method, RequestBuilder};
use speasy_testkit::postgres::{TestPostgres, create_sync_database};
use speasy_testkit::supabase::{SupabaseConfig, SupabaseStub};

pub struct Project {
    pub stub: SupabaseStub,
    pub http: Client,
    _pg: TestPostgres,
}

/// A project whose `auth.users` holds `users` (id, email).
pub async fn project(config: SupabaseConfig, users: &[(&str, &str)]) -> Project {
    let pg = TestPostgres::start().expect("PostgreSQL starts");
    create_sync_database(&pg, "speasy", users).await.expect("schema");
    let stub = SupabaseStub::start(&pg, "speasy", config).await.expect("stand-in starts");
    Project { stub, http: Client::new(), _pg: pg }
}

impl Project {
    /// `/rest/v1/<path_and_query>` with the project's key; `user`: a valid token for them.
    pub fn req(&self, method: Method, path_and_query: &str, user: Option<&str>) -> RequestBuilder {
        let rb = self
            .http
            .request(method, format!("{}/rest/v1/{path_and_query}", self.stub.url()))
            .header("apikey", &self.stub.config().api_key);
        match user {
            Some(user) => rb.bearer_auth(self.stub.access_token(user, 3600)),
            None => rb,
        }
    }

    /// `/auth/v1/<path>` with the project's key, asking for the 2024-01-01 error shape.
    pub fn auth(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}/auth/v1/{path}", self.stub.url()))
            .header("apikey", &self.stub.config().api_key)
            .header("X-Supabase-Api-Version", "2024-01-01")
    }
}

/// `token` with one character of its signature changed, so its MAC no longer holds. The first
/// character is changed: it carries six whole bits of the MAC, where the last one carries base64
/// padding bits too (so 'A' and 'B' there can decode to the same signature).
pub fn forged(token: &str) -> String {
    let at = token.rfind('.').expect("a JWT has three parts") + 1;
    let replacement = if token[at..].starts_with('A') { "B" } else { "A" };
    let forged = format!("{}{replacement}{}", &token[..at], &token[at + 1..]);
    assert_ne!(forged, token);
    forged
}
