//! A minimal HTTP/1.1 client connection for served targets: writes one request, reads one
//! response (RFC 9112 message framing), and says whether the connection can carry the next.
//!
//! Why not hyper's client: on loopback its per-request machinery (a connection task, the
//! request and callback channels, a body channel, their wakeups) cost the harness's client
//! thread more than the server spent answering (`cargo bench -p cors-targets --bench served`).
//! Here a request is written and its response read by the caller's own future: no task, no
//! channel. Nothing is pipelined, so a connection holds at most one response's bytes at a time.

use std::io::Write as _;

use bytes::{Buf, Bytes, BytesMut};
use cors_harness::target::TargetError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response head larger than this is refused as malformed (hyper's default limit, about
/// 400 KiB): a server sending megabytes of headers is broken, and the client must not grow
/// without bound.
const MAX_HEAD: usize = 400 * 1024;

/// A response body larger than this is refused as malformed: the harness reads bodies only to
/// keep the connection's framing, and a server streaming without end must not exhaust memory
/// before the timeout.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Header lines parsed in one go before the head is parsed again with room for more.
const HEADERS_FIRST_TRY: usize = 64;

/// One kept-alive connection to a served target.
pub struct Connection {
    stream: TcpStream,
    /// Bytes read but not yet consumed.
    buffer: BytesMut,
}

/// What one exchange brought back.
pub struct Exchanged {
    pub response: http::Response<Bytes>,
    /// The connection may carry another request (keep-alive, and the body was framed).
    pub reusable: bool,
}

/// How an exchange failed, and whether the request can safely go again on a new connection.
pub struct Failed {
    pub error: TargetError,
    /// The connection ended before a single byte of the response: on a kept connection, the
    /// server had closed it while idle (browsers retry such a request on a new connection).
    pub nothing_received: bool,
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> Result<Connection, TargetError> {
        let stream = TcpStream::connect(addr).await.map_err(|e| TargetError::Unreachable(e.to_string()))?;
        // Request and response are each written at once; no reason to wait for an ACK.
        let _ = stream.set_nodelay(true);
        Ok(Connection { stream, buffer: BytesMut::with_capacity(8 * 1024) })
    }

    /// Sends `request` (origin-form target, `Host` already set) and reads its response.
    pub async fn exchange(&mut self, request: &http::Request<Bytes>) -> Result<Exchanged, Failed> {
        let head_request = request.method() == http::Method::HEAD;
        let wire = serialize(request);
        if let Err(e) = self.stream.write_all(&wire).await {
            return Err(Failed { error: TargetError::ConnectionReset(e.to_string()), nothing_received: true });
        }
        self.buffer.clear();
        let mut received_any = false;
        loop {
            let head = match self.read_head(&mut received_any).await {
                Ok(head) => head,
                Err(error) => return Err(Failed { error, nothing_received: !received_any }),
            };
            // 1xx answers are interim (100 Continue, 103 Early Hints): the final one follows.
            // 101 Switching Protocols ends HTTP/1.1 on this connection.
            if head.status.is_informational() && head.status != http::StatusCode::SWITCHING_PROTOCOLS {
                continue;
            }
            let failed = |error| Failed { error, nothing_received: false };
            let (body, framed) = self.read_body(&head, head_request).await.map_err(failed)?;
            let reusable = framed && head.keep_alive && head.status != http::StatusCode::SWITCHING_PROTOCOLS;
            let mut response = http::Response::new(body);
            *response.status_mut() = head.status;
            *response.version_mut() = head.version;
            *response.headers_mut() = head.headers;
            return Ok(Exchanged { response, reusable });
        }
    }

    /// Reads more bytes into the buffer; 0 at the end of the stream.
    async fn fill(&mut self) -> Result<usize, TargetError> {
        if self.buffer.capacity() - self.buffer.len() < 4096 {
            self.buffer.reserve(8 * 1024);
        }
        self.stream.read_buf(&mut self.buffer).await.map_err(|e| TargetError::ConnectionReset(e.to_string()))
    }

    async fn read_head(&mut self, received_any: &mut bool) -> Result<Head, TargetError> {
        loop {
            if !self.buffer.is_empty() {
                *received_any = true;
                if let Some((head, length)) = parse_head(&self.buffer)? {
                    self.buffer.advance(length);
                    return Ok(head);
                }
                if self.buffer.len() > MAX_HEAD {
                    return Err(TargetError::Malformed(format!("the response head exceeds {MAX_HEAD} bytes")));
                }
            }
            if self.fill().await? == 0 {
                return Err(closed_early());
            }
        }
    }

    /// The body as framed by RFC 9112 §6.3, and whether its end was framed (so the
    /// connection can be reused) rather than the end of the connection.
    async fn read_body(&mut self, head: &Head, head_request: bool) -> Result<(Bytes, bool), TargetError> {
        let status = head.status.as_u16();
        if head_request || status == 204 || status == 304 || head.status.is_informational() {
            return Ok((Bytes::new(), true));
        }
        match head.framing()? {
            Framing::Chunked => self.read_chunked().await.map(|body| (body, true)),
            Framing::Length(length) if length > MAX_BODY => Err(too_large()),
            Framing::Length(length) => {
                while self.buffer.len() < length {
                    if self.fill().await? == 0 {
                        return Err(closed_early());
                    }
                }
                Ok((self.buffer.split_to(length).freeze(), true))
            }
            Framing::UntilClose => {
                while self.fill().await? != 0 {
                    if self.buffer.len() > MAX_BODY {
                        return Err(too_large());
                    }
                }
                Ok((self.buffer.split().freeze(), false))
            }
        }
    }

    /// A chunked body (RFC 9112 §7.1), extensions and trailers read and dropped.
    async fn read_chunked(&mut self) -> Result<Bytes, TargetError> {
        let mut body = BytesMut::new();
        loop {
            let line = self.read_line().await?;
            let size = line.split(|&b| b == b';').next().unwrap_or_default();
            let size = std::str::from_utf8(size)
                .ok()
                .map(str::trim)
                .and_then(|s| usize::from_str_radix(s, 16).ok())
                .ok_or_else(|| TargetError::Malformed("invalid chunk size line".into()))?;
            if size > MAX_BODY - body.len() {
                return Err(too_large());
            }
            if size == 0 {
                // Trailer fields up to the empty line.
                while !self.read_line().await?.is_empty() {}
                return Ok(body.freeze());
            }
            while self.buffer.len() < size + 2 {
                if self.fill().await? == 0 {
                    return Err(closed_early());
                }
            }
            body.extend_from_slice(&self.buffer[..size]);
            if &self.buffer[size..size + 2] != b"\r\n" {
                return Err(TargetError::Malformed("a chunk does not end with CRLF".into()));
            }
            self.buffer.advance(size + 2);
        }
    }

    /// One CRLF-terminated line, without the CRLF.
    async fn read_line(&mut self) -> Result<Bytes, TargetError> {
        loop {
            if let Some(at) = self.buffer.windows(2).position(|w| w == b"\r\n") {
                let line = self.buffer.split_to(at).freeze();
                self.buffer.advance(2);
                return Ok(line);
            }
            if self.buffer.len() > MAX_HEAD {
                return Err(TargetError::Malformed("a chunk line is too long".into()));
            }
            if self.fill().await? == 0 {
                return Err(closed_early());
            }
        }
    }
}

fn too_large() -> TargetError {
    TargetError::Malformed(format!("the response body exceeds {MAX_BODY} bytes"))
}

fn closed_early() -> TargetError {
    TargetError::ConnectionReset("connection closed before the whole response".into())
}

/// The request line and header lines as they go on the wire (header names as the `http` crate
/// holds them, lowercase; repeated names in order), then the body.
pub fn serialize(request: &http::Request<Bytes>) -> Vec<u8> {
    let body = request.body();
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut wire = Vec::with_capacity(64 + target.len() + 48 * request.headers().len() + body.len());
    wire.extend_from_slice(request.method().as_str().as_bytes());
    wire.push(b' ');
    wire.extend_from_slice(target.as_bytes());
    wire.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in request.headers() {
        wire.extend_from_slice(name.as_str().as_bytes());
        wire.extend_from_slice(b": ");
        wire.extend_from_slice(value.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    // A body is framed by its length; so is the empty body of a method that normally has one
    // (what browsers send: `Content-Length: 0` on an empty POST).
    let expects_body = matches!(*request.method(), http::Method::POST | http::Method::PUT | http::Method::PATCH);
    let framed = request.headers().contains_key(http::header::CONTENT_LENGTH)
        || request.headers().contains_key(http::header::TRANSFER_ENCODING);
    if !framed && (!body.is_empty() || expects_body) {
        // Writing into a Vec cannot fail.
        let _ = write!(wire, "content-length: {}\r\n", body.len());
    }
    wire.extend_from_slice(b"\r\n");
    wire.extend_from_slice(body);
    wire
}

/// A parsed response head.
struct Head {
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    keep_alive: bool,
}

enum Framing {
    Chunked,
    Length(usize),
    UntilClose,
}

impl Head {
    /// RFC 9112 §6.3: chunked if it is the last transfer coding, else the one agreed
    /// `Content-Length`, else the end of the connection.
    fn framing(&self) -> Result<Framing, TargetError> {
        if let Some(te) = self.headers.get_all(http::header::TRANSFER_ENCODING).iter().next_back() {
            let last = te.as_bytes().rsplit(|&b| b == b',').next().unwrap_or_default();
            return Ok(if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                Framing::Chunked
            } else {
                Framing::UntilClose
            });
        }
        let mut length = None;
        for value in self.headers.get_all(http::header::CONTENT_LENGTH) {
            for part in value.as_bytes().split(|&b| b == b',') {
                let parsed = std::str::from_utf8(part.trim_ascii())
                    .ok()
                    .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|s| s.parse::<usize>().ok())
                    .ok_or_else(|| TargetError::Malformed(format!("invalid Content-Length {value:?}")))?;
                if length.is_some_and(|l| l != parsed) {
                    return Err(TargetError::Malformed("conflicting Content-Length values".into()));
                }
                length = Some(parsed);
            }
        }
        Ok(length.map_or(Framing::UntilClose, Framing::Length))
    }
}

/// The head at the start of `bytes` and its length, `None` if it is not complete yet.
fn parse_head(bytes: &[u8]) -> Result<Option<(Head, usize)>, TargetError> {
    let mut few = [httparse::EMPTY_HEADER; HEADERS_FIRST_TRY];
    let mut many;
    let mut response = httparse::Response::new(&mut few);
    let mut parsed = response.parse(bytes);
    if matches!(parsed, Err(httparse::Error::TooManyHeaders)) {
        // Rare: count the lines for room (a head is at most MAX_HEAD bytes).
        many = vec![httparse::EMPTY_HEADER; bytes.iter().filter(|&&b| b == b'\n').count() + 1];
        response = httparse::Response::new(&mut many);
        parsed = response.parse(bytes);
    }
    let length = match parsed {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(TargetError::Malformed(format!("invalid response head: {e}"))),
    };
    let code = response.code.unwrap_or_default();
    let status =
        http::StatusCode::from_u16(code).map_err(|_| TargetError::Malformed(format!("invalid status {code}")))?;
    let version = if response.version == Some(0) { http::Version::HTTP_10 } else { http::Version::HTTP_11 };
    let mut headers = http::HeaderMap::with_capacity(response.headers.len());
    let mut keep_alive = version == http::Version::HTTP_11;
    for h in response.headers.iter() {
        let name = http::HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| TargetError::Malformed(format!("invalid header name {:?}", h.name)))?;
        let value = http::HeaderValue::from_bytes(h.value)
            .map_err(|_| TargetError::Malformed(format!("invalid value of {}", h.name)))?;
        if name == http::header::CONNECTION {
            for option in h.value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                if option.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if option.eq_ignore_ascii_case(b"keep-alive") && version == http::Version::HTTP_10 {
                    keep_alive = true;
                }
            }
        }
        headers.append(name, value);
    }
    Ok(Some((Head { status, version, headers, keep_alive }, length)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(bytes: &[u8]) -> Head {
        parse_head(bytes).unwrap().unwrap().0
    }

    #[test]
    fn framing_follows_rfc_9112() {
        let chunked = head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 5\r\n\r\n");
        assert!(matches!(chunked.framing(), Ok(Framing::Chunked)));
        let length = head(b"HTTP/1.1 200 OK\r\ncontent-length: 5, 5\r\n\r\n");
        assert!(matches!(length.framing(), Ok(Framing::Length(5))));
        let conflict = head(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n");
        assert!(matches!(conflict.framing(), Err(TargetError::Malformed(_))));
        let close = head(b"HTTP/1.0 200 OK\r\n\r\n");
        assert!(matches!(close.framing(), Ok(Framing::UntilClose)));
        assert!(!close.keep_alive);
        assert!(!head(b"HTTP/1.1 200 OK\r\nConnection: Close\r\n\r\n").keep_alive);
        assert!(head(b"HTTP/1.0 200 OK\r\nconnection: keep-alive\r\n\r\n").keep_alive);
    }

    #[test]
    fn heads_keep_repeated_names_and_refuse_garbage() {
        let h = head(b"HTTP/1.1 204 No Content\r\nVary: Origin\r\nvary: Accept\r\nX-A: 1\r\n\r\n");
        assert_eq!(h.status, 204);
        let vary: Vec<_> = h.headers.get_all("vary").iter().collect();
        assert_eq!(vary, ["Origin", "Accept"]);
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n").unwrap().is_none(), "partial");
        assert!(matches!(parse_head(b"\x00\x01garbage\r\n\r\n"), Err(TargetError::Malformed(_))));
        let many: Vec<u8> = [&b"HTTP/1.1 200 OK\r\n"[..], &b"x-a: 1\r\n".repeat(300), b"\r\n"].concat();
        assert_eq!(head(&many).headers.len(), 300);
    }

    #[test]
    fn requests_are_serialized_with_their_header_lines_and_body_length() {
        let request = http::Request::post("/r?q=1")
            .header("host", "api.example.test")
            .header("origin", "https://app.example")
            .header("x-a", "1")
            .header("x-a", "2")
            .body(Bytes::new())
            .unwrap();
        assert_eq!(
            serialize(&request),
            b"POST /r?q=1 HTTP/1.1\r\nhost: api.example.test\r\norigin: https://app.example\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 0\r\n\r\n"
        );
        let get = http::Request::get("/").body(Bytes::new()).unwrap();
        assert_eq!(serialize(&get), b"GET / HTTP/1.1\r\n\r\n");
    }

    /// A scripted server writes `answer` in pieces; the client reads the whole exchange.
    async fn exchange_with(answer: &'static [u8]) -> Result<(http::Response<Bytes>, bool), TargetError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = vec![0; 4096];
            let mut read = 0;
            while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                read += stream.read(&mut buf[read..]).await.unwrap();
            }
            for piece in answer.chunks(7) {
                stream.write_all(piece).await.unwrap();
                stream.flush().await.unwrap();
                tokio::task::yield_now().await;
            }
        });
        let mut connection = Connection::open(addr).await.unwrap();
        let request = http::Request::get("/x").header("host", "t").body(Bytes::new()).unwrap();
        let result = connection.exchange(&request).await.map(|e| (e.response, e.reusable)).map_err(|f| f.error);
        drop(connection);
        server.await.unwrap();
        result
    }

    #[tokio::test]
    async fn bodies_by_length_chunks_and_close() {
        let r = exchange_with(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello").await;
        let (response, reusable) = r.unwrap();
        assert_eq!((response.body().as_ref(), reusable), (&b"hello"[..], true));
        let r =
            exchange_with(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=1\r\nhel\r\n2\r\nlo\r\n0\r\nt: 1\r\n\r\n")
                .await;
        let (response, reusable) = r.unwrap();
        assert_eq!(
            (response.status(), response.body().as_ref(), reusable),
            (http::StatusCode::OK, &b"hello"[..], true)
        );
        let r = exchange_with(b"HTTP/1.1 200 OK\r\n\r\nuntil close").await;
        let (response, reusable) = r.unwrap();
        assert_eq!((response.body().as_ref(), reusable), (&b"until close"[..], false));
        let r = exchange_with(b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nshort").await;
        assert!(matches!(r, Err(TargetError::ConnectionReset(_))));
        let r = exchange_with(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nffffffffffffffff\r\n").await;
        assert!(matches!(r, Err(TargetError::Malformed(_))), "a chunk beyond the body limit");
        let r = exchange_with(b"HTTP/1.1 200 OK\r\ncontent-length: 99999999999\r\n\r\n").await;
        assert!(matches!(r, Err(TargetError::Malformed(_))), "a length beyond the body limit");
        let r = exchange_with(b"HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n").await;
        assert_eq!(r.unwrap().0.body().len(), 0, "204 has no body");
    }
}
