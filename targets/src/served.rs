//! Targets served on `127.0.0.1:0` and reached over loopback with HTTP/1.1, each over its own
//! kept connections.
//!
//! Each server runs on its own thread and runtime, so a target that blocks its thread or
//! hangs cannot stall the harness; dropping the target stops the server.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::target::{Target, TargetError, TargetFuture};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;

use crate::http1_client::Connection;
use crate::in_process::DEFAULT_TIMEOUT;

/// A server thread listening on loopback. Dropping it stops accepting and shuts the runtime
/// down (in-flight handlers get one second).
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds `127.0.0.1:0` and runs `run(listener, shutdown)` on a new thread with its own
    /// current-thread runtime. Frameworks with their own server loop use this directly.
    pub fn spawn<F, Fut>(name: &str, run: F) -> std::io::Result<Server>
    where
        F: FnOnce(tokio::net::TcpListener, tokio::sync::oneshot::Receiver<()>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()>,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new().name(format!("target {name}")).spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                run(listener, rx).await;
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
        Ok(Server { addr, shutdown: Some(tx), thread: Some(thread) })
    }

    /// Serves a tower service with hyper (HTTP/1.1), one task per connection.
    pub fn tower<S, B>(name: &str, service: S) -> std::io::Result<Server>
    where
        S: tower::Service<http::Request<hyper::body::Incoming>, Response = http::Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Server::spawn(name, move |listener, mut shutdown| async move {
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let service = TowerToHyperService::new(service.clone());
                        tokio::spawn(async move {
                            // A connection error is the client's business (it sees the reset).
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
            }
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A target reached over loopback: requests keep their path, query, headers (repeated names
/// in order) and body; the URI's authority becomes the `Host` header.
///
/// Each target keeps its own connections ([`crate::http1_client`]): a request takes an idle
/// connection (or opens one) and puts it back once the whole response is read, so a run with
/// C requests in flight uses C connections, as `wrk -cC` does.
///
/// Use one target from one tokio runtime: a kept connection is registered with the runtime
/// that opened it, and another runtime taking it from the pool waits on the first one's I/O
/// driver (two current-thread runtimes sharing a target stalled for most of a 2 s round and
/// then ran at 75% of one runtime's rate, in an experiment on the served bench).
pub struct ServedTarget {
    name: String,
    /// Before `server`: dropped first, so the server sees its connections close.
    idle: Mutex<Vec<Connection>>,
    server: Server,
    timeout: Duration,
}

impl ServedTarget {
    pub fn new(name: impl Into<String>, server: Server) -> ServedTarget {
        ServedTarget { name: name.into(), idle: Mutex::default(), server, timeout: DEFAULT_TIMEOUT }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ServedTarget {
        self.timeout = timeout;
        self
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop()
    }

    /// One request on a kept or new connection. A kept connection the server closed while it
    /// was idle ends before a byte of the response: the request goes again on a new one, as
    /// browsers retry on a reused socket (a new connection's failure is the answer).
    async fn call(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TargetError> {
        loop {
            let (mut connection, kept) = match self.take_idle() {
                Some(connection) => (connection, true),
                None => (Connection::open(self.server.addr()).await?, false),
            };
            match connection.exchange(&request).await {
                Ok(exchanged) => {
                    if exchanged.reusable {
                        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(connection);
                    }
                    return Ok(exchanged.response);
                }
                Err(failed) if kept && failed.nothing_received => continue,
                Err(failed) => return Err(failed.error),
            }
        }
    }
}

impl Target for ServedTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let timeout = self.timeout;
        Box::pin(async move {
            let request = on_the_connection(request)?;
            match tokio::time::timeout(timeout, self.call(request)).await {
                Ok(result) => result,
                Err(_) => Err(TargetError::Timeout(timeout)),
            }
        })
    }
}

/// `request` as a served target receives it: a `Host` header from the URL's authority (unless
/// set), and the origin form (`/path?query`) as the request target. With
/// [`http1_client::serialize`](crate::http1_client::serialize), the exact bytes sent (the
/// served benchmark gives them to `wrk`).
pub fn on_the_connection(request: http::Request<Bytes>) -> Result<http::Request<Bytes>, TargetError> {
    let (mut parts, body) = request.into_parts();
    if !parts.headers.contains_key(http::header::HOST)
        && let Some(authority) = parts.uri.authority()
    {
        let host = http::HeaderValue::from_str(authority.as_str())
            .map_err(|e| TargetError::Unreachable(format!("bad authority: {e}")))?;
        parts.headers.insert(http::header::HOST, host);
    }
    parts.uri = match parts.uri.path_and_query() {
        Some(path) => http::Uri::from(path.clone()),
        None => http::Uri::from_static("/"),
    };
    Ok(http::Request::from_parts(parts, body))
}
