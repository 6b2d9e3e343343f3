//! The pages the browser loads: a top page with one runner frame per page origin
//! ([`RUNNER_ORIGINS`](crate::case::RUNNER_ORIGINS); the `null` one is a sandboxed frame), and
//! the runner script. A runner long-polls `/__next` for case specs, runs each case's steps
//! with `fetch()` (tens in flight; `XMLHttpRequest` with an upload listener for the
//! use-CORS-preflight flag), and posts results back to `/__results` in batches. No driver
//! protocol: the page reports to the scripted server itself.

use crate::case::RUNNER_ORIGINS;

/// The HTML the server hands out.
#[derive(Debug, Clone)]
pub struct Pages {
    pub top: String,
    pub runner: String,
}

/// The URL the browser opens.
pub const TOP_URL: &str = "http://runner.test/__top";

impl Pages {
    /// `concurrency`: cases in flight per runner frame.
    pub fn new(concurrency: usize) -> Pages {
        let mut top = String::from("<!doctype html><meta charset=utf-8><title>cors-browser</title>\n");
        for origin in RUNNER_ORIGINS {
            if *origin == "null" {
                top.push_str(&format!(
                    "<iframe sandbox=\"allow-scripts\" src=\"http://page.test/__runner?k={}\"></iframe>\n",
                    key(origin)
                ));
            } else {
                top.push_str(&format!("<iframe src=\"{origin}/__runner?k={}\"></iframe>\n", key(origin)));
            }
        }
        let runner = RUNNER_JS.replace("__CONCURRENCY__", &concurrency.to_string());
        Pages { top, runner: format!("<!doctype html><meta charset=utf-8><script>\n{runner}</script>\n") }
    }
}

/// The queue key of a runner origin (its index in [`RUNNER_ORIGINS`]).
pub fn key(origin: &str) -> String {
    RUNNER_ORIGINS.iter().position(|o| *o == origin).map_or_else(|| "?".to_owned(), |i| i.to_string())
}

const RUNNER_JS: &str = r#""use strict";
const K = new URLSearchParams(location.search).get("k");
const CONCURRENCY = __CONCURRENCY__;
const queue = [];
let inflight = 0, results = [], postTimer = null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function poll() {
  for (;;) {
    if (queue.length >= CONCURRENCY) { await sleep(5); continue; }
    try {
      const r = await fetch("/__next?k=" + K);
      const batch = await r.json();
      for (const c of batch) queue.push(c);
      pump();
    } catch (e) { await sleep(100); }
  }
}

function pump() {
  while (inflight < CONCURRENCY && queue.length) runCase(queue.shift());
}

async function runCase(c) {
  inflight++;
  const t0 = performance.now();
  const steps = [];
  for (let s = 0; s < c.steps.length; s++) {
    const st = c.steps[s];
    const wait = t0 + st.at - performance.now();
    if (wait > 0) await sleep(wait);
    if (s > 0) { try { await (await fetch("/__mark?i=" + c.i + "&s=" + s)).arrayBuffer(); } catch (e) {} }
    const t = Math.round(performance.now() - t0);
    const r = await runStep(st);
    r.t = t;
    steps.push(r);
  }
  inflight--;
  results.push({ i: c.i, steps });
  if (results.length >= 200) flush(); else if (!postTimer) postTimer = setTimeout(flush, 20);
  pump();
}

// The use-CORS-preflight flag needs XMLHttpRequest with an upload listener and a body (a Blob
// without a type, so no Content-Type is added).
function runXhr(st) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    try {
      x.open(st.method, st.url, true);
      x.withCredentials = st.credentials === "include";
      for (const [n, v] of st.headers) x.setRequestHeader(n, v);
    } catch (e) {
      resolve({ kind: "script-error", error: String(e) });
      return;
    }
    x.upload.onprogress = () => {};
    x.timeout = 20000;
    x.onload = () => {
      const headers = x.getAllResponseHeaders().split("\r\n").filter((l) => l.includes(":"))
        .map((l) => l.slice(0, l.indexOf(":")).trim().toLowerCase());
      resolve({ kind: "shared", status: x.status, type: "cors", headers });
    };
    x.onerror = () => resolve({ kind: "network-error", error: "XMLHttpRequest error" });
    x.ontimeout = () => resolve({ kind: "timeout", error: "XMLHttpRequest timeout" });
    const bodyless = ["GET", "HEAD"].includes(st.method.toUpperCase());
    try {
      x.send(bodyless ? null : new Blob(["x"]));
    } catch (e) {
      resolve({ kind: "script-error", error: String(e) });
    }
  });
}

async function runStep(st) {
  if (st.upload) return runXhr(st);
  let req;
  try {
    req = new Request(st.url, { method: st.method, headers: st.headers, credentials: st.credentials, mode: st.mode });
  } catch (e) {
    return { kind: "script-error", error: String(e) };
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 20000);
  try {
    const r = await fetch(req, { signal: ctl.signal });
    const headers = [...r.headers.keys()];
    try { await r.arrayBuffer(); } catch (e) {}
    return { kind: r.type === "opaque" ? "opaque" : "shared", status: r.status, type: r.type, headers };
  } catch (e) {
    return { kind: ctl.signal.aborted ? "timeout" : "network-error", error: String(e) };
  } finally {
    clearTimeout(timer);
  }
}

async function flush() {
  clearTimeout(postTimer);
  postTimer = null;
  if (!results.length) return;
  const batch = results;
  results = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const r = await fetch("/__results", { method: "POST", body: JSON.stringify(batch) });
      await r.arrayBuffer();
      return;
    } catch (e) { await sleep(100); }
  }
}

poll();
"#;
