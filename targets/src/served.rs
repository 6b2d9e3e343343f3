//! Targets served on `127.0.0.1:0` and reached over loopback with one shared HTTP/1.1
//! client.
//!
//! Each server runs on its own thread and runtime, so a target that blocks its thread or
//! hangs cannot stall the harness; dropping the target stops the server.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::target::{Target, TargetError, TargetFuture};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;

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

/// The one loopback client, shared by every served target. Idle connections are kept for a
/// second: a connection whose runtime or server has gone is noticed as closed and replaced.
fn client() -> &'static Client<HttpConnector, Full<Bytes>> {
    static CLIENT: OnceLock<Client<HttpConnector, Full<Bytes>>> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(1))
            // As many idle connections as the engine keeps requests in flight, so a run at
            // concurrency C reuses C connections instead of reopening them.
            .pool_max_idle_per_host(64)
            .build_http()
    })
}

/// A target reached over loopback: requests keep their path, query, headers (repeated names
/// in order) and body; the URI's authority becomes the `Host` header.
pub struct ServedTarget {
    name: String,
    server: Server,
    timeout: Duration,
}

impl ServedTarget {
    pub fn new(name: impl Into<String>, server: Server) -> ServedTarget {
        ServedTarget { name: name.into(), server, timeout: DEFAULT_TIMEOUT }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ServedTarget {
        self.timeout = timeout;
        self
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

impl Target for ServedTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let addr = self.server.addr();
        let timeout = self.timeout;
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            if !parts.headers.contains_key(http::header::HOST)
                && let Some(authority) = parts.uri.authority()
            {
                let host = http::HeaderValue::from_str(authority.as_str())
                    .map_err(|e| TargetError::Unreachable(format!("bad authority: {e}")))?;
                parts.headers.insert(http::header::HOST, host);
            }
            let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            parts.uri = format!("http://{addr}{path}")
                .parse()
                .map_err(|e| TargetError::Unreachable(format!("bad request URI: {e}")))?;
            let request = http::Request::from_parts(parts, Full::new(body));
            let call = async move {
                let response = client().request(request).await.map_err(client_error)?;
                let (parts, body) = response.into_parts();
                let body = body.collect().await.map_err(|e| TargetError::ConnectionReset(e.to_string()))?;
                Ok(http::Response::from_parts(parts, body.to_bytes()))
            };
            match tokio::time::timeout(timeout, call).await {
                Ok(result) => result,
                Err(_) => Err(TargetError::Timeout(timeout)),
            }
        })
    }
}

/// Sorts the client's errors into the [`TargetError`] kinds.
fn client_error(error: hyper_util::client::legacy::Error) -> TargetError {
    if error.is_connect() {
        return TargetError::Unreachable(error.to_string());
    }
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        if let Some(hyper_error) = cause.downcast_ref::<hyper::Error>() {
            if hyper_error.is_parse() || hyper_error.is_parse_status() || hyper_error.is_parse_too_large() {
                return TargetError::Malformed(hyper_error.to_string());
            }
            return TargetError::ConnectionReset(hyper_error.to_string());
        }
        source = cause.source();
    }
    TargetError::ConnectionReset(error.to_string())
}
