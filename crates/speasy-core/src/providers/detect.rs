//! Finding local model servers: on first run (no provider configured) the core asks the usual
//! loopback ports of Ollama (11434), LM Studio (1234) and llama.cpp's server (8080) for their
//! model list, in parallel, with a short timeout. A server that answers `GET /v1/models` like
//! OpenAI's API becomes a provider.

use std::time::Duration;

use futures_util::future::join_all;

use super::openai::{Client, Endpoint, Policy};
use super::{ModelInfo, ProviderKind};

/// A local server that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: ProviderKind,
    pub base_url: String,
    pub models: Vec<ModelInfo>,
}

/// The usual places local servers listen.
pub fn default_candidates() -> Vec<(ProviderKind, String)> {
    [ProviderKind::Ollama, ProviderKind::LmStudio, ProviderKind::LlamaCpp]
        .into_iter()
        .filter_map(|k| k.default_base_url().map(|u| (k, u.to_owned())))
        .collect()
}

/// Whether anything accepts a TCP connection at the URL's host and port. Checked before any
/// HTTP: on most machines nothing listens, and then no HTTP client (and no TLS library) needs
/// loading at all.
async fn listening(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else { return false };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let Ok(addrs) = tokio::net::lookup_host((host, port)).await else { return false };
    for addr in addrs {
        let connect = tokio::net::TcpStream::connect(addr);
        if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(400), connect).await {
            return true;
        }
    }
    false
}

/// Ask each candidate that listens for its models; keep those that answer.
pub async fn probe(candidates: Vec<(ProviderKind, String)>) -> Vec<Found> {
    let open = join_all(candidates.iter().map(|(_, url)| listening(url))).await;
    let candidates: Vec<_> =
        candidates.into_iter().zip(open).filter_map(|(c, open)| open.then_some(c)).collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let policy = Policy {
        connect_timeout: Duration::from_millis(400),
        first_byte_timeout: Duration::from_millis(1500),
        idle_timeout: Duration::from_millis(1500),
        retries: 0,
        ..Policy::default()
    };
    let Ok(client) = Client::new(policy) else {
        return Vec::new();
    };
    let probes = candidates.into_iter().map(|(kind, base_url)| {
        let client = client.clone();
        async move {
            let ep = Endpoint { label: kind.label().to_owned(), kind, base_url, api_key: None };
            match client.list_models(&ep).await {
                Ok(models) => Some(Found { kind, base_url: ep.base_url, models }),
                Err(e) => {
                    tracing::debug!(server = %ep.base_url, error = %e, "no local server");
                    None
                }
            }
        }
    });
    join_all(probes).await.into_iter().flatten().collect()
}
