//! Turning a driven request into a [`Reproduction`] a person can replay: what script did, the
//! exact request and response lines, and a `curl` command per request. Credentials are
//! redacted everywhere (reports end up in CI logs and PR comments).

use crate::engine::driver::{Driven, SendError};
use crate::report::{Reproduction, ScriptRequest, WireExchange};
use crate::request::{BrowserRequest, CredentialsMode, RequestMode};
use crate::response::{ServerResponse, WireRequest};

/// Header names whose values are credentials: never printed.
const SECRET_HEADERS: [&str; 5] = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"];

/// What reports print instead of a credential.
pub const REDACTED: &str = "<redacted>";

/// The value to print for header `name`: redacted when it carries credentials, otherwise the
/// bytes as text (invalid UTF-8 shown lossily; control bytes escaped so a report line stays
/// one line).
pub fn printable_value(name: &[u8], value: &[u8]) -> String {
    if is_secret(name) {
        return REDACTED.to_owned();
    }
    escape(value)
}

/// Whether header `name`'s values are credentials ([`printable_value`] redacts them).
pub(crate) fn is_secret(name: &[u8]) -> bool {
    SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s.as_bytes()))
}

fn escape(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The reproduction of one browser request.
pub fn reproduction(request: &BrowserRequest, driven: &Driven) -> Reproduction {
    Reproduction { script: script_request(request), exchanges: driven.sent.iter().map(exchange).collect() }
}

fn script_request(request: &BrowserRequest) -> ScriptRequest {
    ScriptRequest {
        origin: request.origin.serialize().to_owned(),
        url: request.url.as_str().to_owned(),
        method: request.method.clone(),
        headers: request.headers.iter().map(|h| (escape(&h.name), printable_value(&h.name, &h.value))).collect(),
        credentials: match request.credentials {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        }
        .to_owned(),
        mode: match request.mode {
            RequestMode::Cors => "cors",
            RequestMode::NoCors => "no-cors",
            RequestMode::SameOrigin => "same-origin",
            RequestMode::WebSocket => "websocket",
        }
        .to_owned(),
        upload_listeners: request.use_cors_preflight,
    }
}

fn exchange(sent: &crate::engine::driver::Sent) -> WireExchange {
    let (response, error) = match &sent.answer {
        Ok(response) => (response_lines(response), None),
        Err(SendError::Target(e)) => (Vec::new(), Some(e.to_string())),
        Err(e @ SendError::Unsendable(_)) => (Vec::new(), Some(e.to_string())),
    };
    WireExchange { request: request_lines(&sent.request), response, error, curl: curl(&sent.request) }
}

/// `METHOD /path?query HTTP/1.1`, `host: ...`, then the header lines as sent.
pub fn request_lines(request: &WireRequest) -> Vec<String> {
    let url = &request.url;
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut lines = vec![format!("{} {target} HTTP/1.1", request.method)];
    if let Some(host) = url.host_str() {
        lines.push(match url.port() {
            Some(port) => format!("host: {host}:{port}"),
            None => format!("host: {host}"),
        });
    }
    lines
        .extend(request.headers.iter().map(|h| format!("{}: {}", escape(&h.name), printable_value(&h.name, &h.value))));
    if request.credentials_attached {
        // The browser attaches the user's cookies (MISC-3); their values do not matter here.
        lines.push(format!("cookie: {REDACTED}"));
    }
    lines
}

/// `HTTP/1.1 <status>`, then the header lines as received.
pub fn response_lines(response: &ServerResponse) -> Vec<String> {
    let mut lines = vec![format!("HTTP/1.1 {}", response.status)];
    lines.extend(
        response.headers.iter().map(|h| format!("{}: {}", escape(&h.name), printable_value(&h.name, &h.value))),
    );
    lines
}

/// The request as a `curl` command (`-i` shows the response headers; `HEAD` uses `-I`, since
/// `curl -X HEAD` waits for a body that never comes).
pub fn curl(request: &WireRequest) -> String {
    let mut out = String::from("curl -i");
    match request.method.as_str() {
        "GET" => {}
        "HEAD" => out = String::from("curl -I"),
        method => {
            out.push_str(" -X ");
            out.push_str(&shell_quote(method));
        }
    }
    for h in request.headers.iter() {
        out.push_str(" -H ");
        out.push_str(&shell_quote(&format!("{}: {}", escape(&h.name), printable_value(&h.name, &h.value))));
    }
    out.push(' ');
    out.push_str(&shell_quote(request.url.as_str()));
    out
}

/// Single-quoted for POSIX shells.
fn shell_quote(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+".contains(&b)) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HeaderList;
    use std::sync::Arc;

    fn wire() -> WireRequest {
        WireRequest {
            method: "PUT".into(),
            url: Arc::new(url::Url::parse("http://api.example.test:8080/data?x=1").unwrap()),
            headers: HeaderList::from_pairs([
                ("origin", "https://app.example"),
                ("authorization", "Bearer s3cret"),
                ("x-note", "it's\r\nfine"),
            ]),
            credentials_attached: true,
        }
    }

    #[test]
    fn request_lines_are_exact_and_redacted() {
        let lines = request_lines(&wire());
        assert_eq!(lines[0], "PUT /data?x=1 HTTP/1.1");
        assert_eq!(lines[1], "host: api.example.test:8080");
        assert_eq!(lines[2], "origin: https://app.example");
        assert_eq!(lines[3], "authorization: <redacted>");
        assert_eq!(lines[4], r"x-note: it's\r\nfine");
        assert_eq!(lines[5], "cookie: <redacted>");
        assert!(!lines.concat().contains("s3cret"));
    }

    #[test]
    fn curl_quotes_for_the_shell_and_redacts() {
        let c = curl(&wire());
        assert_eq!(
            c,
            r"curl -i -X PUT -H 'origin: https://app.example' -H 'authorization: <redacted>' -H 'x-note: it'\''s\r\nfine' 'http://api.example.test:8080/data?x=1'"
        );
    }

    #[test]
    fn response_lines_redact_set_cookie() {
        let response = ServerResponse {
            status: 204,
            headers: HeaderList::from_pairs([("Set-Cookie", "sid=1"), ("vary", "Origin")]),
        };
        assert_eq!(response_lines(&response), ["HTTP/1.1 204", "Set-Cookie: <redacted>", "vary: Origin"]);
    }
}
