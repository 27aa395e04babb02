//! The stub server: axum on `127.0.0.1:0`, answering from a queue of scripted replies and
//! recording every request.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::reply::{INVALID_REQUEST, MISSING_KEY_MESSAGE, Reply, incorrect_key_message};
use crate::stream::{CREATED, Stream};

/// A scripted OpenAI-compatible server. The server stops when this handle is dropped.
pub struct OpenAiStub {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: JoinHandle<()>,
    /// Dropped with the stub: hanging streams then cut their connections.
    _shutdown: watch::Sender<()>,
}

/// One request the stub received.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
    /// The JSON body; `Null` when empty, a string when the body is not JSON.
    pub body: Value,
}

impl Recorded {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

struct Shared {
    state: Mutex<StubState>,
    disconnected: Notify,
    shutdown: watch::Receiver<()>,
}

#[derive(Default)]
struct StubState {
    replies: VecDeque<Reply>,
    models: Vec<String>,
    key: Option<String>,
    requests: Vec<Recorded>,
    disconnects: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, StubState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl OpenAiStub {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start() -> OpenAiStub {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address of the stub");
        let (shutdown_tx, shutdown) = watch::channel(());
        let shared =
            Arc::new(Shared { state: Mutex::default(), disconnected: Notify::new(), shutdown });
        let app = Router::new().fallback(handle).with_state(Arc::clone(&shared));
        let serve =
            axum::serve(StubListener(listener), app.into_make_service_with_connect_info::<Conn>());
        let task = tokio::spawn(async move {
            let _ = serve.await;
        });
        OpenAiStub { shared, addr, task, _shutdown: shutdown_tx }
    }

    /// `http://127.0.0.1:PORT/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues the answer to a later `POST /v1/chat/completions` (first in, first out).
    pub fn push(&self, reply: impl Into<Reply>) {
        self.shared.lock().replies.push_back(reply.into());
    }

    /// The model ids `GET /v1/models` lists (none until set).
    pub fn set_models(&self, ids: &[&str]) {
        self.shared.lock().models = ids.iter().map(|id| (*id).to_owned()).collect();
    }

    /// With `Some(key)`, requests without `Authorization: Bearer <key>` get OpenAI's 401.
    pub fn require_key(&self, key: Option<&str>) {
        self.shared.lock().key = key.map(str::to_owned);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Replies queued but not consumed yet.
    pub fn pending(&self) -> usize {
        self.shared.lock().replies.len()
    }

    /// How many streamed replies lost their client before the stream ended.
    pub fn disconnects(&self) -> usize {
        self.shared.lock().disconnects
    }

    /// Whether a streamed reply's client went away before the stream ended, waiting up to
    /// `timeout` for it to happen.
    pub async fn wait_disconnect(&self, timeout: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.shared.disconnected.notified();
                if self.disconnects() > 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(timeout, wait).await.is_ok()
    }
}

impl Drop for OpenAiStub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
        },
    };
    let route = (recorded.method.as_str(), recorded.path.as_str());
    let known = matches!(route, ("POST", "/v1/chat/completions") | ("GET", "/v1/models"));
    let is_models = route.0 == "GET";
    let invalid_url = format!("Invalid URL ({} {})", route.0, route.1);
    let auth = recorded.header("authorization").map(str::to_owned);

    let mut state = shared.lock();
    state.requests.push(recorded);
    let reply = if !known {
        Reply::error(404, &invalid_url, INVALID_REQUEST, None)
    } else if let Some(denied) = check_key(state.key.as_deref(), auth.as_deref()) {
        denied
    } else if is_models {
        let model = |id| json!({"id": id, "object": "model", "created": CREATED, "owned_by": "speasy-testkit"});
        Reply::json(
            json!({"object": "list", "data": state.models.iter().map(model).collect::<Vec<_>>()}),
        )
    } else {
        let message = "speasy-testkit: no scripted reply for POST /v1/chat/completions";
        state
            .replies
            .pop_front()
            .unwrap_or_else(|| Reply::error(500, message, "server_error", None))
    };
    drop(state);
    match reply {
        Reply::Json { status, body, headers } => {
            let status = StatusCode::from_u16(status).expect("a valid HTTP status in a Reply");
            let mut response = (status, axum::Json(body)).into_response();
            for (name, value) in headers {
                let name = HeaderName::try_from(name).expect("a valid header name in a Reply");
                let value = HeaderValue::try_from(value).expect("a valid header value in a Reply");
                response.headers_mut().insert(name, value);
            }
            response
        }
        Reply::Close => {
            conn.kill.store(true, Ordering::SeqCst);
            StatusCode::OK.into_response()
        }
        Reply::Stream(stream) => {
            let body = Body::from_stream(sse_body(stream, Arc::clone(&shared)));
            ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
        }
    }
}

/// OpenAI's 401 when a key is required and `authorization` does not carry it.
fn check_key(key: Option<&str>, authorization: Option<&str>) -> Option<Reply> {
    let sent = authorization.map(|a| a.strip_prefix("Bearer ").unwrap_or(a));
    match (key?, sent) {
        (key, Some(sent)) if sent == key => None,
        (_, Some(sent)) => {
            let message = incorrect_key_message(sent);
            Some(Reply::error(401, &message, INVALID_REQUEST, Some("invalid_api_key")))
        }
        (_, None) => Some(Reply::error(401, MISSING_KEY_MESSAGE, INVALID_REQUEST, None)),
    }
}

/// Records a disconnect when dropped before the stream completed.
struct DisconnectGuard {
    shared: Arc<Shared>,
    completed: bool,
}

impl Drop for DisconnectGuard {
    fn drop(&mut self) {
        if !self.completed {
            self.shared.lock().disconnects += 1;
            self.shared.disconnected.notify_waiters();
        }
    }
}

/// Yields the pieces with their delays; hangs at the end if asked. The body (and its guard) is
/// dropped when hyper notices the client is gone.
fn sse_body(
    stream: Stream,
    shared: Arc<Shared>,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send {
    let shutdown = shared.shutdown.clone();
    let guard = DisconnectGuard { shared, completed: false };
    let Stream { pieces, delay, hang_after, .. } = stream;
    let state = (pieces.into_iter().enumerate(), guard);
    futures_util::stream::unfold(Some(state), move |state| {
        let mut shutdown = shutdown.clone();
        async move {
            let (mut pieces, mut guard) = state?;
            if let Some((i, piece)) = pieces.next() {
                if i > 0 && !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                } else if i > 0 {
                    // Return Pending once so hyper flushes every piece as its own write.
                    tokio::task::yield_now().await;
                }
                return Some((Ok(piece), Some((pieces, guard))));
            }
            if hang_after {
                // Until the client goes away (the body is dropped) or the stub is dropped.
                let _ = shutdown.changed().await;
                return Some((Err(io::Error::other("speasy-testkit: stub dropped")), None));
            }
            guard.completed = true;
            None
        }
    })
}

/// Per-connection info: lets a [`Reply::Close`] kill its own connection.
#[derive(Debug, Clone, Default)]
struct Conn {
    kill: Arc<AtomicBool>,
}

impl Connected<IncomingStream<'_, StubListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, StubListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener with `TCP_NODELAY` whose connections can be cut from a handler.
struct StubListener(TcpListener);

impl Listener for StubListener {
    type Io = KillableIo;
    type Addr = Conn;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((tcp, _)) = self.0.accept().await {
                let _ = tcp.set_nodelay(true);
                let conn = Conn::default();
                return (KillableIo { tcp, kill: Arc::clone(&conn.kill) }, conn);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Conn::default())
    }
}

/// A TCP stream whose writes fail once `kill` is set, so hyper drops it without answering.
struct KillableIo {
    tcp: TcpStream,
    kill: Arc<AtomicBool>,
}

impl KillableIo {
    fn killed(&self) -> Option<io::Error> {
        self.kill
            .load(Ordering::SeqCst)
            .then(|| io::Error::new(io::ErrorKind::ConnectionAborted, "speasy-testkit: Close"))
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.killed() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut self.tcp).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
