//! A case a real browser can run: one or more `fetch()` steps from one page origin, and the
//! exact header lines the scripted server writes on the wire for each URL.
//!
//! The oracle sees the same case through [`BrowserCase::evaluate`]: the wire bytes become a
//! [`ServerScript`] (values stripped as a browser stores them, HDR-1), so both sides judge
//! exactly the same answers.

use std::sync::Arc;

use cors_harness::oracle::cache::PreflightCache;
use cors_harness::oracle::verdict::Unanswered;
use cors_harness::profile::BrowserProfile;
use cors_harness::response::ServerResponse;
use cors_harness::script::{ServerScript, UrlAnswers};
use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, RequestMode, Verdict};
use serde_json::{Value, json};

use crate::launcher::Engine;

/// Raw header lines: name and value bytes, in order.
pub type Lines = Vec<(Vec<u8>, Vec<u8>)>;

/// One response exactly as the scripted server writes it: status and raw header lines
/// (repeated names, odd case, surrounding whitespace and any byte but CR/LF kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Lines,
}

impl RawResponse {
    pub fn new(status: u16) -> RawResponse {
        RawResponse { status, headers: Vec::new() }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.as_bytes().to_vec(), value.as_bytes().to_vec()));
        self
    }

    /// What the oracle sees: the same lines, values stripped as a browser stores them (HDR-1).
    pub fn to_oracle(&self) -> ServerResponse {
        ServerResponse { status: self.status, headers: HeaderList::from_pairs(self.headers.iter().cloned()) }
    }
}

/// What the server at one URL answers to a preflight and to an actual request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAnswers {
    pub preflight: Option<RawResponse>,
    pub response: Option<RawResponse>,
}

/// One `fetch()` of a case, started `at_ms` after the case starts (and after the previous
/// step finished).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub request: BrowserRequest,
    pub at_ms: u64,
}

/// A case for the browser and the oracle. The last step is the main request; earlier steps
/// share its preflight cache (the oracle's `history`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserCase {
    pub id: String,
    pub steps: Vec<Step>,
    /// Answers by URL (the oracle's script keys: userinfo kept, fragment ignored).
    pub server: Vec<(url::Url, RawAnswers)>,
}

/// The page origins a browser session runs cases from (one runner frame each).
pub const RUNNER_ORIGINS: &[&str] =
    &["http://page.test", "http://web.example.test:8000", "http://api.example.test:8080", "null"];

impl BrowserCase {
    /// The page origin the case runs in.
    pub fn origin(&self) -> &Origin {
        &self.steps[0].request.origin
    }

    /// The main request.
    pub fn main(&self) -> &BrowserRequest {
        &self.steps[self.steps.len() - 1].request
    }

    /// Why `engine` cannot run this case as written, if it cannot: [`Self::unsupported`], and
    /// https in Firefox (it reaches the scripted server through an HTTP proxy, which would need
    /// `CONNECT` and a certificate override set up; not done).
    pub fn unsupported_in(&self, engine: Engine) -> Option<String> {
        if let Some(why) = self.unsupported() {
            return Some(why);
        }
        let https = self.steps.iter().map(|s| &s.request.url).chain(self.server.iter().map(|(u, _)| u));
        if engine == Engine::Firefox && https.into_iter().any(|u| u.scheme() == "https") {
            return Some("https URL: Firefox reaches the scripted server through its HTTP proxy only".into());
        }
        None
    }

    /// Why no browser page can run this case as written, if it cannot.
    pub fn unsupported(&self) -> Option<String> {
        let origin = self.origin().serialize();
        if !RUNNER_ORIGINS.contains(&origin) {
            return Some(format!("page origin {origin} has no runner frame"));
        }
        let mut urls: Vec<&url::Url> = self.steps.iter().map(|s| &s.request.url).collect();
        urls.extend(self.server.iter().map(|(u, _)| u));
        if urls.iter().any(|u| !matches!(u.scheme(), "http" | "https")) {
            return Some("ws URL: the scripted server speaks HTTP only".into());
        }
        for step in &self.steps {
            let r = &step.request;
            if r.origin != *self.origin() {
                return Some("steps from different page origins".into());
            }
            if r.mode == RequestMode::WebSocket {
                return Some("WebSocket handshake".into());
            }
            if r.use_cors_preflight
                && let Some(why) = xhr_unsupported(r)
            {
                return Some(why);
            }
            if r.ua_report || r.private_network {
                return Some("browser-initiated report or private-network request".into());
            }
        }
        for (_, answers) in &self.server {
            for resp in [&answers.preflight, &answers.response].into_iter().flatten() {
                if !(200..=999).contains(&resp.status) {
                    return Some(format!("status {} cannot be scripted", resp.status));
                }
                for (n, v) in &resp.headers {
                    if n.is_empty() || [n, v].iter().any(|b| b.contains(&b'\r') || b.contains(&b'\n')) {
                        return Some("response header line with CR/LF or an empty name".into());
                    }
                    if n.eq_ignore_ascii_case(b"transfer-encoding") {
                        return Some("scripted Transfer-Encoding".into());
                    }
                }
            }
        }
        None
    }

    /// The same case with `/c<index>` in front of every path it uses (request URLs, script
    /// keys, `Location` values): the preflight cache (keyed by URL) and the scripted server
    /// then tell runs and cases apart whatever hosts they share.
    pub fn relocate(&self, index: u64) -> BrowserCase {
        let prefix = format!("/c{index}");
        let move_url = |u: &url::Url| {
            let mut u = u.clone();
            let path = format!("{prefix}{}", u.path());
            u.set_path(&path);
            u
        };
        BrowserCase {
            id: self.id.clone(),
            steps: self
                .steps
                .iter()
                .map(|s| Step {
                    request: BrowserRequest { url: move_url(&s.request.url), ..s.request.clone() },
                    at_ms: s.at_ms,
                })
                .collect(),
            server: self
                .server
                .iter()
                .map(|(u, a)| {
                    let fix = |r: &Option<RawResponse>| {
                        r.as_ref().map(|r| RawResponse {
                            status: r.status,
                            headers: r
                                .headers
                                .iter()
                                .map(|(n, v)| {
                                    if n.eq_ignore_ascii_case(b"location") {
                                        (n.clone(), relocate_reference(v, &prefix))
                                    } else {
                                        (n.clone(), v.clone())
                                    }
                                })
                                .collect(),
                        })
                    };
                    (move_url(u), RawAnswers { preflight: fix(&a.preflight), response: fix(&a.response) })
                })
                .collect(),
        }
    }

    /// The scripted server as the oracle sees it.
    pub fn script(&self) -> ServerScript {
        let mut script = ServerScript::new();
        for (url, a) in &self.server {
            script.insert(
                url,
                UrlAnswers {
                    preflight: a.preflight.as_ref().map(RawResponse::to_oracle),
                    response: a.response.as_ref().map(RawResponse::to_oracle),
                },
            );
        }
        script
    }

    /// The oracle's verdict for every step, in order, with one preflight cache.
    pub fn evaluate(&self, profile: &BrowserProfile) -> Result<Vec<Verdict>, Unanswered> {
        let store: Vec<u64> = self.steps.iter().map(|s| s.at_ms).collect();
        self.evaluate_timed(profile, &store)
    }

    /// [`evaluate`](Self::evaluate), with step `i` judged at its `at_ms` but leaving the cache
    /// as if its preflight result was stored at `store_ms[i]`.
    pub fn evaluate_timed(&self, profile: &BrowserProfile, store_ms: &[u64]) -> Result<Vec<Verdict>, Unanswered> {
        let script = self.script();
        let mut cache = PreflightCache::new();
        self.steps
            .iter()
            .zip(store_ms)
            .map(|(s, &store)| evaluate_step(&s.request, &script, profile, &mut cache, s.at_ms, store))
            .collect()
    }

    /// The case as a `cors-harness verdict` input line (header bytes written one code point
    /// per byte, as the test vectors do).
    pub fn to_json(&self) -> Value {
        let request = |r: &BrowserRequest| {
            let mut o = json!({
                "url": r.url.as_str(),
                "origin": r.origin.serialize(),
                "method": r.method,
                "headers": r.headers.iter().map(|h| [iso(&h.name), iso(&h.value)]).collect::<Vec<_>>(),
                "credentials": credentials_str(r.credentials),
            });
            if r.mode != RequestMode::Cors {
                o["mode"] = json!(mode_str(r.mode));
            }
            if r.use_cors_preflight {
                o["use_cors_preflight"] = json!(true);
            }
            o
        };
        let response = |r: &RawResponse| json!({"status": r.status, "headers": r.headers.iter().map(|(n, v)| [iso(n), iso(v)]).collect::<Vec<_>>()});
        let mut server = serde_json::Map::new();
        for (url, a) in &self.server {
            let mut at = serde_json::Map::new();
            if let Some(p) = &a.preflight {
                at.insert("preflight".into(), response(p));
            }
            if let Some(r) = &a.response {
                at.insert("response".into(), response(r));
            }
            server.insert(url.as_str().to_owned(), Value::Object(at));
        }
        let main = self.steps.last().expect("a case has a step");
        let mut line =
            json!({"id": self.id, "browser": "chromium", "request": request(&main.request), "server": server});
        if self.steps.len() > 1 {
            line["history"] = self.steps[..self.steps.len() - 1]
                .iter()
                .map(|s| json!({"request": request(&s.request), "time": s.at_ms as f64 / 1000.0}))
                .collect();
            line["time"] = json!(main.at_ms as f64 / 1000.0);
        }
        line
    }

    /// What the runner page needs to run the (relocated) case `index`.
    pub fn page_spec(&self, index: u64) -> Value {
        json!({
            "i": index,
            "steps": self.steps.iter().map(|s| {
                let r = &s.request;
                json!({
                    "at": s.at_ms,
                    "url": r.url.as_str(),
                    "method": r.method,
                    "headers": r.headers.iter().map(|h| [iso(&h.name), iso(&h.value)]).collect::<Vec<_>>(),
                    "credentials": credentials_str(r.credentials),
                    "mode": mode_str(r.mode),
                    "upload": r.use_cors_preflight,
                })
            }).collect::<Vec<_>>(),
        })
    }
}

/// One step judged at `lookup_ms` (the verdict), leaving `cache` as if the step ran at
/// `store_ms` (when the browser stored its preflight result, which can be later or earlier
/// on a loaded machine than a single instant per step can say).
pub fn evaluate_step(
    request: &BrowserRequest,
    script: &ServerScript,
    profile: &BrowserProfile,
    cache: &mut PreflightCache,
    lookup_ms: u64,
    store_ms: u64,
) -> Result<Verdict, Unanswered> {
    let mut responder = script;
    if lookup_ms == store_ms {
        return cors_harness::evaluate(request, &mut responder, profile, cache, lookup_ms);
    }
    let mut probe = cache.clone();
    let verdict = cors_harness::evaluate(request, &mut responder, profile, &mut probe, lookup_ms)?;
    cors_harness::evaluate(request, &mut responder, profile, cache, store_ms)?;
    Ok(verdict)
}

/// Puts `prefix` in front of the path of a `Location` value (absolute, scheme-relative or
/// path-absolute); other relative references resolve under the moved base unchanged.
fn relocate_reference(value: &[u8], prefix: &str) -> Vec<u8> {
    let start = value.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(value.len());
    let v = &value[start..];
    let authority_start = if let Some(p) = find(v, b"://") {
        Some(p + 3)
    } else if v.starts_with(b"//") {
        Some(2)
    } else {
        None
    };
    let insert_at = match authority_start {
        Some(a) => match v[a..].iter().position(|b| matches!(b, b'/' | b'?' | b'#')) {
            Some(p) if v[a + p] == b'/' => (a + p, false),
            Some(p) => (a + p, true),
            None => (v.len(), true),
        },
        None if v.starts_with(b"/") => (0, false),
        None => return value.to_vec(),
    };
    let (at, needs_slash) = insert_at;
    let mut out = value[..start].to_vec();
    out.extend_from_slice(&v[..at]);
    out.extend_from_slice(prefix.as_bytes());
    if needs_slash {
        out.push(b'/');
    }
    out.extend_from_slice(&v[at..]);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Bytes to a string with one code point per byte (isomorphic decode): what a JS ByteString
/// holds, and how the test vectors write non-ASCII bytes.
pub fn iso(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The inverse of [`iso`]; `None` if a character is above U+00FF.
pub fn iso_bytes(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

pub fn credentials_str(c: CredentialsMode) -> &'static str {
    match c {
        CredentialsMode::Omit => "omit",
        CredentialsMode::SameOrigin => "same-origin",
        CredentialsMode::Include => "include",
    }
}

pub fn mode_str(m: RequestMode) -> &'static str {
    match m {
        RequestMode::Cors => "cors",
        RequestMode::NoCors => "no-cors",
        RequestMode::SameOrigin => "same-origin",
        RequestMode::WebSocket => "websocket",
    }
}

/// The answers shared by a table of cases, keyed for the server by URL without userinfo.
pub(crate) fn route_key(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    u.into()
}

/// A case's answers as the server looks them up.
pub(crate) type Routes = std::collections::HashMap<String, Arc<RawAnswers>>;

pub(crate) fn routes(case: &BrowserCase) -> Routes {
    let mut routes = Routes::new();
    for (url, a) in &case.server {
        routes.entry(route_key(url)).or_insert_with(|| Arc::new(a.clone()));
    }
    routes
}

/// Why an `XMLHttpRequest` with an upload listener (how a page sets the use-CORS-preflight
/// flag) cannot send `r` as the oracle models it, if it cannot: XHR is always CORS mode, has
/// no `omit` credentials mode, sends no body for GET/HEAD, and `setRequestHeader` combines a
/// repeated name into one value.
pub(crate) fn xhr_unsupported(r: &BrowserRequest) -> Option<String> {
    if r.mode != RequestMode::Cors {
        return Some("use-CORS-preflight flag outside cors mode (XHR is always cors)".into());
    }
    if r.credentials == CredentialsMode::Omit {
        return Some("use-CORS-preflight flag with credentials omit (XHR has no omit)".into());
    }
    if matches!(r.method.to_ascii_uppercase().as_str(), "GET" | "HEAD") {
        // XHR sends no body for these, and without one Chromium sets no flag.
        return Some("use-CORS-preflight flag on GET/HEAD (XHR sends no body, Chromium sets no flag)".into());
    }
    let names: Vec<Vec<u8>> = r.headers.iter().map(|h| h.name.to_ascii_lowercase()).collect();
    if names.iter().enumerate().any(|(i, n)| names[..i].contains(n)) {
        return Some("use-CORS-preflight flag with a repeated header name (XHR combines them)".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocates_location_values() {
        let r = |v: &str| String::from_utf8(relocate_reference(v.as_bytes(), "/c7")).unwrap();
        assert_eq!(r("http://a.test:8/x?y"), "http://a.test:8/c7/x?y");
        assert_eq!(r("http://u:p@a.test"), "http://u:p@a.test/c7/");
        assert_eq!(r("http://a.test?q"), "http://a.test/c7/?q");
        assert_eq!(r(" /x"), " /c7/x");
        assert_eq!(r("//a.test/x"), "//a.test/c7/x");
        assert_eq!(r("x/y"), "x/y");
    }

    #[test]
    fn iso_round_trips() {
        let b = vec![0u8, 0x7f, 0x80, 0xff, b'a'];
        assert_eq!(iso_bytes(&iso(&b)).unwrap(), b);
        assert_eq!(iso_bytes("\u{100}"), None);
    }
}
