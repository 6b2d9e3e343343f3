//! What servers answer, and the exact requests a browser puts on the wire.

use crate::header::HeaderList;

/// A response as the browser receives it: status and raw header lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerResponse {
    pub status: u16,
    pub headers: HeaderList,
}

/// A request exactly as the browser sends it: the preflight (PRE-3) or the actual request.
/// User-agent headers that never affect CORS (`User-Agent`, `Sec-Fetch-*`, ...) are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRequest {
    pub method: String,
    pub url: std::sync::Arc<url::Url>,
    pub headers: HeaderList,
    /// Cookies and HTTP authentication are attached (MISC-3).
    pub credentials_attached: bool,
}

impl WireRequest {
    /// The `Origin` header, if sent.
    pub fn origin(&self) -> Option<&[u8]> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(b"origin")).map(|h| &h.value[..])
    }

    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.headers.contains("access-control-request-method")
    }
}

/// Answers the requests the oracle's browser sends. The oracle is pure given a deterministic
/// responder: [`ServerScript`](crate::script::ServerScript) answers from a table, the harness
/// driver answers by sending the request to a target.
pub trait Responder {
    /// The answer to `request`, or `None` when the responder has none (the oracle then reports
    /// which request was unanswered instead of guessing). Shared, so a scripted answer given
    /// many times is not copied each time. The request is shared too: a responder that keeps
    /// what was sent (the harness driver) keeps it without copying it.
    fn respond(&mut self, request: &std::sync::Arc<WireRequest>) -> Option<std::sync::Arc<ServerResponse>>;
}
