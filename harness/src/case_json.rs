//! The JSON Lines format of `cors-harness verdict` (and of the test vectors): a [`Case`] in,
//! a [`VerdictLine`] out. Header lists are `[[name, value], ...]` with repeated names and exact
//! bytes (UTF-8) kept.

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::header::HeaderList;
use crate::oracle::verdict::{Outcome, Verdict};
use crate::origin::Origin;
use crate::profile::BrowserProfile;
use crate::request::{BrowserRequest, CredentialsMode, RequestMode};
use crate::response::ServerResponse;
use crate::script::{ServerScript, UrlAnswers};

/// One input line. Top-level keys other than these are ignored, so annotated files (the
/// test vectors add `source`, `rules`, `expect`) are valid input too.
#[derive(Debug, Clone, Deserialize)]
pub struct CaseJson {
    #[serde(default)]
    pub id: serde_json::Value,
    /// Profile name (`chromium`, `spec`); the command's default when absent.
    pub browser: Option<String>,
    pub request: RequestJson,
    pub server: std::collections::BTreeMap<String, UrlAnswersJson>,
    #[serde(default)]
    pub history: Vec<HistoryJson>,
    /// Seconds (fractions allowed) on the clock of `history`.
    pub time: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestJson {
    pub url: String,
    /// The page's serialized origin, or `null`.
    pub origin: String,
    #[serde(default = "get")]
    pub method: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub credentials: CredentialsMode,
    #[serde(default)]
    pub mode: RequestMode,
    #[serde(default)]
    pub use_cors_preflight: bool,
    #[serde(default)]
    pub ua_report: bool,
    #[serde(default)]
    pub private_network: bool,
}

fn get() -> String {
    "GET".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryJson {
    pub request: RequestJson,
    /// Seconds (fractions allowed).
    #[serde(default)]
    pub time: f64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlAnswersJson {
    pub preflight: Option<ResponseJson>,
    pub response: Option<ResponseJson>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseJson {
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// An input line that is not a valid case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CaseError(pub String);

impl RequestJson {
    fn into_request(self) -> Result<BrowserRequest, CaseError> {
        let url = url::Url::parse(&self.url).map_err(|e| CaseError(format!("request.url {:?}: {e}", self.url)))?;
        if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
            return Err(CaseError(format!("request.url {:?}: only http(s) and ws(s) URLs are modelled", self.url)));
        }
        let origin = Origin::parse_serialized(self.origin.as_bytes())
            .map_err(|e| CaseError(format!("request.origin {:?}: {e}", self.origin)))?;
        Ok(BrowserRequest {
            url,
            origin,
            method: self.method,
            headers: headers(self.headers),
            credentials: self.credentials,
            mode: self.mode,
            use_cors_preflight: self.use_cors_preflight,
            ua_report: self.ua_report,
            private_network: self.private_network,
        })
    }
}

/// Seconds to whole milliseconds; negative or non-finite times are errors.
fn millis(seconds: f64, what: &str) -> Result<u64, CaseError> {
    if seconds.is_finite() && (0.0..1e12).contains(&seconds) {
        Ok((seconds * 1000.0).round() as u64)
    } else {
        Err(CaseError(format!("{what} {seconds} is not a time in seconds >= 0")))
    }
}

/// Header pairs to a list, reusing the parsed strings' buffers (HDR-1 trimming still applies).
fn headers(pairs: Vec<(String, String)>) -> HeaderList {
    let mut list = HeaderList(Vec::with_capacity(pairs.len()));
    for (name, value) in pairs {
        let value = bytes::Bytes::from(value);
        let trimmed = crate::header::normalize_value(&value);
        let value = if trimmed.len() == value.len() { value.clone() } else { value.slice_ref(trimmed) };
        list.push(crate::header::Header { name: bytes::Bytes::from(name), value });
    }
    list
}

impl ResponseJson {
    fn into_response(self) -> ServerResponse {
        ServerResponse { status: self.status, headers: headers(self.headers) }
    }
}

impl CaseJson {
    /// The id as a string for reports (`null` when absent).
    pub fn id_string(&self) -> String {
        match &self.id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// [`into_case`](Self::into_case) for a line used several times (e.g. once per profile).
    pub fn to_case(&self, default_profile: &'static BrowserProfile) -> Result<Case, CaseError> {
        self.clone().into_case(default_profile)
    }

    /// Validates the line and builds the [`Case`]; `default_profile` applies when the line
    /// names no browser.
    pub fn into_case(self, default_profile: &'static BrowserProfile) -> Result<Case, CaseError> {
        let id = self.id_string();
        let profile = match &self.browser {
            None => default_profile,
            Some(name) => BrowserProfile::by_name(name).ok_or_else(|| {
                let known: Vec<_> = crate::profile::ALL.iter().map(|p| p.name).collect();
                CaseError(format!("unknown browser {name:?}; known: {}", known.join(", ")))
            })?,
        };
        let request = self.request.into_request()?;
        let mut server = ServerScript::new();
        for (url, answers) in self.server {
            // Most scripts key the request URL itself, already parsed above.
            let parsed = if request.url.as_str() == url {
                request.url.clone()
            } else {
                url::Url::parse(&url).map_err(|e| CaseError(format!("server URL {url:?}: {e}")))?
            };
            server.insert(
                &parsed,
                UrlAnswers {
                    preflight: answers.preflight.map(ResponseJson::into_response),
                    response: answers.response.map(ResponseJson::into_response),
                },
            );
        }
        let history = self
            .history
            .into_iter()
            .map(|h| Ok((h.request.into_request()?, millis(h.time, "history time")?)))
            .collect::<Result<Vec<_>, CaseError>>()?;
        let time_ms = match self.time {
            Some(t) => millis(t, "time")?,
            None => history.iter().map(|(_, t)| *t).max().unwrap_or(0),
        };
        Ok(Case { id, profile, request, server, history, time_ms })
    }
}

/// One output line of `cors-harness verdict`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictLine {
    pub id: serde_json::Value,
    /// `shared`, `network-error`, `script-error` or `opaque`.
    pub outcome: String,
    /// A preflight was sent on the first hop (not answered from the cache).
    pub preflight_required: bool,
    /// A preflight was needed on the first hop but the preflight cache had it (PRE-2).
    pub preflight_cached: bool,
    /// `Access-Control-Request-Method` of the first hop's preflight.
    pub acrm: Option<String>,
    /// `Access-Control-Request-Headers` of the first hop's preflight, exact bytes.
    pub acrh: Option<String>,
    /// An actual (non-preflight) request reached a server.
    pub actual_sent: bool,
    /// The `Origin` header of the last actual request.
    pub origin_sent: Option<String>,
    pub readable: bool,
    /// Status of the shared response.
    pub status: Option<u16>,
    /// Header names script can read: sorted, lowercase; `null` when unreadable.
    pub exposed_headers: Option<Vec<String>>,
    pub failed_rule: Option<String>,
    pub explanation: String,
}

impl VerdictLine {
    pub fn new(id: serde_json::Value, verdict: &Verdict) -> VerdictLine {
        let first = verdict.hops.first();
        let preflight = verdict.first_preflight();
        let header =
            |name: &str| preflight.and_then(|p| p.headers.get(name)).map(|v| String::from_utf8_lossy(&v).into_owned());
        let (outcome, status, explanation) = match &verdict.outcome {
            Outcome::Shared { status, .. } => {
                ("shared", Some(*status), "the response is shared with script".to_owned())
            }
            Outcome::Opaque => ("opaque", None, "no-cors: the response is opaque to script".to_owned()),
            Outcome::NetworkError(f) => ("network-error", None, f.explanation.clone().into_owned()),
            Outcome::ScriptError(f) => ("script-error", None, f.explanation.clone().into_owned()),
        };
        VerdictLine {
            id,
            outcome: outcome.to_owned(),
            preflight_required: preflight.is_some(),
            preflight_cached: first.is_some_and(|h| h.preflight_needed && h.preflight.is_none()),
            acrm: header("access-control-request-method"),
            acrh: header("access-control-request-headers"),
            actual_sent: verdict.last_actual().is_some(),
            origin_sent: verdict
                .last_actual()
                .and_then(|r| r.origin())
                .map(|o| String::from_utf8_lossy(o).into_owned()),
            readable: verdict.readable(),
            status,
            exposed_headers: verdict.exposed_headers().map(<[String]>::to_vec),
            failed_rule: verdict.failure().map(|f| f.rule.id().to_owned()),
            explanation,
        }
    }
}

/// An output line for an input line that could not be judged.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLine {
    pub id: serde_json::Value,
    pub error: String,
    /// 1-based input line number.
    pub line: u64,
}
