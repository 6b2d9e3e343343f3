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
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
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

/// A target reached over loopback: requests keep their path, query, headers (repeated names
/// in order) and body; the URI's authority becomes the `Host` header.
///
/// Each target keeps its own connections, with hyper's low-level HTTP/1.1 client: a request
/// takes an idle connection (or opens one) and puts it back once the whole response is read,
/// so a run with C requests in flight uses C connections, as `wrk -cC` does. (hyper-util's
/// pooled client did the same with pool keys, checkout bookkeeping and a URI per request
/// formatted and parsed: about a fifth of the throughput on loopback.)
pub struct ServedTarget {
    name: String,
    /// Before `server`: dropped first, so the server sees its connections close.
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
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

    /// An idle connection that is still open.
    fn take_idle(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while let Some(connection) = idle.pop() {
            if !connection.is_closed() {
                return Some(connection);
            }
        }
        None
    }

    /// A new connection to the server, driven by a task on the caller's runtime (it ends when
    /// its `SendRequest` is dropped or the server closes it).
    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, TargetError> {
        let stream = tokio::net::TcpStream::connect(self.server.addr())
            .await
            .map_err(|e| TargetError::Unreachable(e.to_string()))?;
        // Request and response are each written at once; no reason to wait for an ACK.
        let _ = stream.set_nodelay(true);
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(hyper_error)?;
        tokio::spawn(async move {
            // A connection error reaches the request that was on it.
            let _ = connection.await;
        });
        Ok(sender)
    }

    /// One request on a kept or new connection. A kept connection the server has closed in the
    /// meantime is dropped and the request, not sent yet, goes on a new one (as hyper-util's
    /// client retried it).
    async fn call(&self, mut request: http::Request<Full<Bytes>>) -> Result<http::Response<Bytes>, TargetError> {
        loop {
            let (mut sender, kept) = match self.take_idle() {
                Some(sender) => (sender, true),
                None => (self.connect().await?, false),
            };
            if let Err(error) = sender.ready().await {
                if kept {
                    continue;
                }
                return Err(hyper_error(error));
            }
            let response = match sender.try_send_request(request).await {
                Ok(response) => response,
                Err(mut error) => match error.take_message() {
                    Some(unsent) if kept => {
                        request = unsent;
                        continue;
                    }
                    _ => return Err(hyper_error(error.into_error())),
                },
            };
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|e| TargetError::ConnectionReset(e.to_string()))?;
            // Only a connection whose response was read whole can carry the next request.
            self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(sender);
            return Ok(http::Response::from_parts(parts, body.to_bytes()));
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
            let (mut parts, body) = request.into_parts();
            if !parts.headers.contains_key(http::header::HOST)
                && let Some(authority) = parts.uri.authority()
            {
                let host = http::HeaderValue::from_str(authority.as_str())
                    .map_err(|e| TargetError::Unreachable(format!("bad authority: {e}")))?;
                parts.headers.insert(http::header::HOST, host);
            }
            // On the connection, the request target is the origin form (`/path?query`).
            parts.uri = match parts.uri.path_and_query() {
                Some(path) => http::Uri::from(path.clone()),
                None => http::Uri::from_static("/"),
            };
            let request = http::Request::from_parts(parts, Full::new(body));
            match tokio::time::timeout(timeout, self.call(request)).await {
                Ok(result) => result,
                Err(_) => Err(TargetError::Timeout(timeout)),
            }
        })
    }
}

/// Sorts the client's errors into the [`TargetError`] kinds.
fn hyper_error(error: hyper::Error) -> TargetError {
    if error.is_parse() || error.is_parse_status() || error.is_parse_too_large() {
        return TargetError::Malformed(error.to_string());
    }
    TargetError::ConnectionReset(error.to_string())
}
