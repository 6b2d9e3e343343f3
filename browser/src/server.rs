//! The scripted server: raw HTTP/1.1 on loopback, written byte by byte (no HTTP library
//! normalizes the scripted header lines), plus the control endpoints the runner page uses.
//!
//! Every hostname the browser uses resolves (Chromium: `--host-resolver-rules`) or is
//! proxied (Firefox) to this one port, which also speaks TLS to a connection that opens with a
//! TLS handshake ([`crate::tls`]: the https cases). Requests under `/c<index>/` belong to case `index`:
//! the server records what arrived (method, URL, header lines) and answers with exactly the
//! lines the case scripts, then closes the connection (no `Content-Length`, so no header the
//! case did not script). Control endpoints (`/__top`, `/__runner`, `/__next`, `/__results`,
//! `/__mark`) answer with `Access-Control-Allow-Origin: *` so the sandboxed (`null`) runner
//! can use them too.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::case::{RawAnswers, Routes, route_key};

/// A request the scripted server received for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    /// `http://host[:port]/path?query` as the browser asked for it (normalized by the URL
    /// parser, no userinfo).
    pub url: String,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The case's script had no answer for it (the harness's fault, not the browser's).
    pub unscripted: bool,
    /// When it arrived (the preflight cache is time-based).
    pub at: std::time::Instant,
}

impl Seen {
    /// A CORS preflight (SRV-1: `OPTIONS` with `Access-Control-Request-Method`).
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.header("access-control-request-method").is_some()
    }

    /// Fetch's "get": all values of `name` joined by `", "` (HDR-2).
    pub fn header(&self, name: &str) -> Option<Vec<u8>> {
        let mut out: Option<Vec<u8>> = None;
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case(name.as_bytes()) {
                match &mut out {
                    Some(o) => {
                        o.extend_from_slice(b", ");
                        o.extend_from_slice(v);
                    }
                    None => out = Some(v.clone()),
                }
            }
        }
        out
    }
}

/// What arrived for one case, split at the page's step marks.
#[derive(Debug, Clone, Default)]
pub struct CaseRecord {
    pub steps: Vec<Vec<Seen>>,
}

struct CaseState {
    routes: Routes,
    steps: Vec<Vec<Seen>>,
}

#[derive(Default)]
struct Inner {
    queues: HashMap<String, VecDeque<Value>>,
    cases: HashMap<u64, CaseState>,
    results: HashMap<u64, Value>,
}

pub(crate) struct State {
    inner: Mutex<Inner>,
    queued: Notify,
    resulted: Notify,
    pages: crate::page::Pages,
}

/// The scripted server, running on a tokio runtime.
pub struct Server {
    pub port: u16,
    state: Arc<State>,
}

impl Server {
    /// Binds 127.0.0.1 on a free port and starts accepting on `rt`.
    pub fn start(rt: &tokio::runtime::Runtime, pages: crate::page::Pages) -> std::io::Result<Server> {
        let listener = rt.block_on(TcpListener::bind(("127.0.0.1", 0)))?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(State {
            inner: Mutex::new(Inner::default()),
            queued: Notify::new(),
            resulted: Notify::new(),
            pages,
        });
        let tls = crate::tls::acceptor().map_err(std::io::Error::other)?;
        let s = state.clone();
        rt.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                let (s, tls) = (s.clone(), tls.clone());
                tokio::spawn(async move {
                    let mut first = [0u8; 1];
                    if stream.peek(&mut first).await.is_ok_and(|n| n == 1) && first[0] == crate::tls::HANDSHAKE {
                        if let Ok(stream) = tls.accept(stream).await {
                            connection(stream, s, Scheme::Https).await;
                        }
                    } else {
                        connection(stream, s, Scheme::Http).await;
                    }
                });
            }
        });
        Ok(Server { port, state })
    }

    /// Registers a (relocated) case and queues its page spec for the runner `runner`.
    /// The page's `/__mark` requests open the case's later steps.
    pub fn submit(&self, index: u64, routes: Routes, runner: &str, spec: Value) {
        let mut inner = self.state.inner.lock().expect("server state");
        inner.cases.insert(index, CaseState { routes, steps: vec![Vec::new()] });
        inner.queues.entry(runner.to_owned()).or_default().push_back(spec);
        drop(inner);
        self.state.queued.notify_waiters();
    }

    /// Takes every page result that arrived, with what the server recorded for its case.
    pub fn drain(&self) -> Vec<(u64, Value, CaseRecord)> {
        let mut inner = self.state.inner.lock().expect("server state");
        let results: Vec<(u64, Value)> = inner.results.drain().collect();
        results
            .into_iter()
            .filter_map(|(i, r)| inner.cases.remove(&i).map(|c| (i, r, CaseRecord { steps: c.steps })))
            .collect()
    }

    /// Waits until a result arrives or `timeout` passes.
    pub async fn wait_result(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.state.resulted.notified()).await;
    }

    /// Forgets a case that will get no result (after a timeout).
    pub fn abandon(&self, index: u64) -> Option<CaseRecord> {
        let mut inner = self.state.inner.lock().expect("server state");
        inner.cases.remove(&index).map(|c| CaseRecord { steps: c.steps })
    }
}

/// One request head as read off the socket.
struct Head {
    method: String,
    target: String,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| &v[..])
    }
}

const MAX_HEAD: usize = 256 * 1024;

/// What a connection speaks: the scheme of the URLs its origin-form requests stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Http,
    Https,
}

async fn connection<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, state: Arc<State>, scheme: Scheme) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut reused = false;
    loop {
        let head_end = loop {
            if let Some(p) = find(&buf, b"\r\n\r\n") {
                break p + 4;
            }
            if buf.len() > MAX_HEAD {
                return;
            }
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let Some(head) = parse_head(&buf[..head_end]) else { return };
        let length = head
            .header("content-length")
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let Some((response, keep_alive)) = respond(&head, scheme, &body, &state, reused).await else {
            return; // closed unanswered: the browser retries on a fresh connection
        };
        reused = true;
        if stream.write_all(&response).await.is_err() {
            return;
        }
        if !keep_alive {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

fn parse_head(raw: &[u8]) -> Option<Head> {
    let mut lines = raw.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = std::str::from_utf8(lines.next()?).ok()?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let colon = line.iter().position(|&b| b == b':')?;
        let value = &line[colon + 1..];
        let start = value.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(value.len());
        let end = value.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(start, |e| e + 1);
        headers.push((line[..colon].to_vec(), value[start..end.max(start)].to_vec()));
    }
    Some(Head { method, target, headers })
}

/// The full URL a request asked for: absolute-form targets (proxied Firefox) as they are,
/// origin-form targets with the `Host` header and the connection's scheme.
fn request_url(head: &Head, scheme: Scheme) -> Option<url::Url> {
    if head.target.starts_with("http://") {
        return url::Url::parse(&head.target).ok();
    }
    let host = std::str::from_utf8(head.header("host")?).ok()?;
    let scheme = match scheme {
        Scheme::Http => "http",
        Scheme::Https => "https",
    };
    url::Url::parse(&format!("{scheme}://{host}{}", head.target)).ok()
}

/// The case index of a `/c<index>/...` path.
fn case_index(url: &url::Url) -> Option<u64> {
    let rest = url.path().strip_prefix("/c")?;
    let digits = rest.split('/').next()?;
    digits.parse().ok()
}

/// The response and whether to keep the connection; `None`: close it without answering.
async fn respond(head: &Head, scheme: Scheme, body: &[u8], state: &State, reused: bool) -> Option<(Vec<u8>, bool)> {
    let Some(url) = request_url(head, scheme) else { return Some((simple(400, "text/plain", b"bad request"), false)) };
    if let Some(index) = case_index(&url) {
        return scripted(head, &url, index, state, reused);
    }
    Some(control(body, &url, state).await)
}

/// The runner page's endpoints.
async fn control(body: &[u8], url: &url::Url, state: &State) -> (Vec<u8>, bool) {
    let query = |key: &str| url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    match url.path() {
        "/__top" => (simple(200, "text/html; charset=utf-8", state.pages.top.as_bytes()), true),
        "/__runner" => (simple(200, "text/html; charset=utf-8", state.pages.runner.as_bytes()), true),
        "/__next" => {
            let key = query("k").unwrap_or_default();
            let batch = next_batch(&key, state).await;
            (simple(200, "application/json", batch.as_bytes()), true)
        }
        "/__results" => {
            if let Ok(Value::Array(results)) = serde_json::from_slice::<Value>(body) {
                let mut inner = state.inner.lock().expect("server state");
                for r in results {
                    if let Some(i) = r.get("i").and_then(Value::as_u64) {
                        inner.results.insert(i, r);
                    }
                }
                drop(inner);
                state.resulted.notify_waiters();
            }
            (simple(204, "", b""), true)
        }
        "/__mark" => {
            let i = query("i").and_then(|v| v.parse::<u64>().ok());
            let s = query("s").and_then(|v| v.parse::<usize>().ok());
            if let (Some(i), Some(s)) = (i, s) {
                let mut inner = state.inner.lock().expect("server state");
                if let Some(case) = inner.cases.get_mut(&i) {
                    while case.steps.len() <= s {
                        case.steps.push(Vec::new());
                    }
                }
            }
            (simple(204, "", b""), true)
        }
        _ => (simple(404, "text/plain", b"not found"), true),
    }
}

/// Long poll: up to 400 queued specs for runner `key`, waiting up to a second for some.
async fn next_batch(key: &str, state: &State) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let notified = state.queued.notified();
        {
            let mut inner = state.inner.lock().expect("server state");
            if let Some(q) = inner.queues.get_mut(key)
                && !q.is_empty()
            {
                let n = q.len().min(400);
                let batch: Vec<Value> = q.drain(..n).collect();
                return Value::Array(batch).to_string();
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return "[]".to_owned();
        }
    }
}

/// The scripted answer, and whether the connection can stay open: only when the response is
/// framed without adding a header script could see (a scripted `Content-Length`, no body by
/// status or method, or a preflight, whose headers script never sees: it gets
/// `Content-Length: 0`). Everything else ends at connection close.
///
/// A browser resends a request answered 408 on a reused connection (it takes it for an idle
/// timeout): such a request is dropped unanswered and unrecorded, so the browser sends it
/// again on a fresh connection, where the 408 stands.
fn scripted(head: &Head, url: &url::Url, index: u64, state: &State, reused: bool) -> Option<(Vec<u8>, bool)> {
    let key = route_key(url);
    let mut inner = state.inner.lock().expect("server state");
    let Some(case) = inner.cases.get_mut(&index) else {
        return Some((simple(410, "text/plain", b"no such case"), false));
    };
    let preflight = head.method == "OPTIONS" && head.header("access-control-request-method").is_some();
    let answers: Option<Arc<RawAnswers>> = case.routes.get(&key).cloned();
    let answer = answers.as_ref().and_then(|a| if preflight { a.preflight.clone() } else { a.response.clone() });
    if reused && answer.as_ref().is_some_and(|a| a.status == 408) {
        return None;
    }
    let seen = Seen {
        method: head.method.clone(),
        url: key,
        headers: head.headers.clone(),
        unscripted: answer.is_none(),
        at: std::time::Instant::now(),
    };
    case.steps.last_mut().expect("a case has a step").push(seen);
    drop(inner);
    let Some(answer) = answer else {
        return Some((b"HTTP/1.1 500 No Scripted Answer\r\nConnection: close\r\n\r\n".to_vec(), false));
    };
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status)).as_bytes());
    let mut lengths = Vec::new();
    for (n, v) in &answer.headers {
        out.extend_from_slice(n);
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
        if n.eq_ignore_ascii_case(b"content-length") {
            lengths.push(std::str::from_utf8(v).ok().and_then(|v| v.trim().parse::<usize>().ok()));
        }
    }
    let no_body = head.method == "HEAD" || matches!(answer.status, 204 | 304);
    let framed = match lengths[..] {
        [Some(n)] if n <= 1 << 20 => Some(n),
        [] if preflight && !no_body => {
            out.extend_from_slice(b"Content-Length: 0\r\n");
            Some(0)
        }
        _ => None,
    };
    out.extend_from_slice(b"\r\n");
    if !no_body {
        out.resize(out.len() + framed.unwrap_or(0), b'x');
    }
    Some((out, no_body || framed.is_some()))
}

/// A control response: framed, cacheable never, readable from any origin.
fn simple(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\n",
        reason(status),
        body.len()
    )
    .into_bytes();
    if !content_type.is_empty() {
        out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_heads_and_case_paths() {
        let h = parse_head(b"GET /c12/x?y HTTP/1.1\r\nHost: a.test:8080\r\nX-A:  1, 2 \r\n\r\n").unwrap();
        assert_eq!(h.header("x-a"), Some(&b"1, 2"[..]));
        let url = request_url(&h, Scheme::Http).unwrap();
        assert_eq!(url.as_str(), "http://a.test:8080/c12/x?y");
        assert_eq!(case_index(&url), Some(12));
        assert_eq!(request_url(&h, Scheme::Https).unwrap().as_str(), "https://a.test:8080/c12/x?y");
        let h = parse_head(b"GET http://b.test/c3/ HTTP/1.1\r\nHost: b.test\r\n\r\n").unwrap();
        assert_eq!(case_index(&request_url(&h, Scheme::Https).unwrap()), Some(3));
    }
}
