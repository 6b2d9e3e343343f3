//! The WPT-derived vectors (`harness/tests/vectors/*.jsonl`) as browser cases. Header values
//! are taken byte for byte as the vectors write them (one code point per byte, surrounding
//! whitespace kept), so the browser gets exactly the bytes the WPT server sent and the oracle
//! judges the same bytes. Vectors a page cannot make as written are skipped with a reason.

use std::path::{Path, PathBuf};

use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, RequestMode};
use serde_json::Value;

use crate::case::{BrowserCase, Lines, RawAnswers, RawResponse, Step, iso_bytes};
use crate::launcher::Engine;

/// The vectors' directory in this repository.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../harness/tests/vectors")
}

/// The loaded vectors and the ones skipped, with why.
#[derive(Debug, Default)]
pub struct Loaded {
    pub cases: Vec<BrowserCase>,
    pub skipped: Vec<(String, String)>,
}

impl Loaded {
    /// Skip reasons with their counts, most common first.
    pub fn skip_summary(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for (_, reason) in &self.skipped {
            *counts.entry(reason).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().map(|(r, n)| (r.to_owned(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// Loads every `*.jsonl` in `dir` (sorted by file name); the cases `engine` cannot run are
/// skipped with the reason.
pub fn load(dir: &Path, engine: Engine) -> Result<Loaded, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut loaded = Loaded::default();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", file.display(), n + 1))?;
            let id = v.get("id").and_then(Value::as_str).unwrap_or("?").to_owned();
            match convert(&v) {
                Ok(case) => match case.unsupported_in(engine) {
                    None => loaded.cases.push(case),
                    Some(reason) => loaded.skipped.push((id, reason)),
                },
                Err(reason) => loaded.skipped.push((id, reason)),
            }
        }
    }
    Ok(loaded)
}

fn bytes(s: &str) -> Vec<u8> {
    iso_bytes(s).unwrap_or_else(|| s.as_bytes().to_vec())
}

fn pairs(v: Option<&Value>) -> Result<Lines, String> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let arr = v.as_array().ok_or("headers is not a list")?;
    arr.iter()
        .map(|p| {
            let n = p.get(0).and_then(Value::as_str).ok_or("header name")?;
            let v = p.get(1).and_then(Value::as_str).ok_or("header value")?;
            Ok((bytes(n), bytes(v)))
        })
        .collect()
}

fn request(v: &Value) -> Result<BrowserRequest, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let url = url::Url::parse(s("url").ok_or("request.url")?).map_err(|e| format!("request.url: {e}"))?;
    let origin = Origin::parse_serialized(s("origin").ok_or("request.origin")?.as_bytes())
        .map_err(|e| format!("request.origin: {e}"))?;
    let mut headers = HeaderList::new();
    for (n, val) in pairs(v.get("headers"))? {
        headers.push(cors_harness::header::Header { name: n.into(), value: val.into() });
    }
    let credentials = match s("credentials").unwrap_or("same-origin") {
        "omit" => CredentialsMode::Omit,
        "include" => CredentialsMode::Include,
        _ => CredentialsMode::SameOrigin,
    };
    let mode = match s("mode").unwrap_or("cors") {
        "no-cors" => RequestMode::NoCors,
        "same-origin" => RequestMode::SameOrigin,
        "websocket" => RequestMode::WebSocket,
        _ => RequestMode::Cors,
    };
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(BrowserRequest {
        url,
        origin,
        method: s("method").unwrap_or("GET").to_owned(),
        headers,
        credentials,
        mode,
        use_cors_preflight: flag("use_cors_preflight"),
        ua_report: flag("ua_report"),
        private_network: flag("private_network"),
    })
}

fn response(v: Option<&Value>) -> Result<Option<RawResponse>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
    let status = v.get("status").and_then(Value::as_u64).ok_or("status")? as u16;
    Ok(Some(RawResponse { status, headers: pairs(v.get("headers"))? }))
}

/// One vector line as a browser case (not yet checked for support).
pub fn convert(v: &Value) -> Result<BrowserCase, String> {
    let id = v.get("id").and_then(Value::as_str).unwrap_or("?").to_owned();
    let mut steps = Vec::new();
    if let Some(history) = v.get("history").and_then(Value::as_array) {
        for h in history {
            let t = h.get("time").and_then(Value::as_f64).unwrap_or(0.0);
            steps.push(Step {
                request: request(h.get("request").ok_or("history request")?)?,
                at_ms: (t * 1000.0) as u64,
            });
        }
    }
    let t =
        v.get("time").and_then(Value::as_f64).unwrap_or_else(|| steps.last().map_or(0.0, |s| s.at_ms as f64 / 1000.0));
    steps.push(Step { request: request(v.get("request").ok_or("request")?)?, at_ms: (t * 1000.0) as u64 });
    let mut server = Vec::new();
    for (url, a) in v.get("server").and_then(Value::as_object).ok_or("server")? {
        let url = url::Url::parse(url).map_err(|e| format!("server URL {url}: {e}"))?;
        server.push((
            url,
            RawAnswers { preflight: response(a.get("preflight"))?, response: response(a.get("response"))? },
        ));
    }
    Ok(BrowserCase { id, steps, server })
}
