//! A scripted server: fixed answers per URL, for the oracle's table-driven uses (the
//! `verdict` command, test vectors, benchmarks).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::response::{Responder, ServerResponse, WireRequest};

/// What the server at one URL answers to a preflight and to an actual request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlAnswers {
    pub preflight: Option<ServerResponse>,
    pub response: Option<ServerResponse>,
}

/// Answers keyed by URL (serialized without fragment). Looked up once per request the oracle
/// sends, so with a fast non-cryptographic hash (the keys are the caller's own data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerScript {
    answers: FxHashMap<String, Stored>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Stored {
    preflight: Option<Arc<ServerResponse>>,
    response: Option<Arc<ServerResponse>>,
}

impl ServerScript {
    pub fn new() -> ServerScript {
        ServerScript::default()
    }

    /// Sets the answers at `url` (its fragment is ignored, as on the wire).
    pub fn insert(&mut self, url: &url::Url, answers: UrlAnswers) {
        let stored = Stored { preflight: answers.preflight.map(Arc::new), response: answers.response.map(Arc::new) };
        self.answers.insert(key(url), stored);
    }

    /// The answers at `url`.
    pub fn get(&self, url: &url::Url) -> Option<UrlAnswers> {
        self.answers.get(&key(url)[..]).map(|s| UrlAnswers {
            preflight: s.preflight.as_deref().cloned(),
            response: s.response.as_deref().cloned(),
        })
    }
}

fn key(url: &url::Url) -> String {
    match url.fragment() {
        Some(_) => {
            let mut u = url.clone();
            u.set_fragment(None);
            u.into()
        }
        None => url.as_str().to_owned(),
    }
}

impl ServerScript {
    fn answer(&self, request: &WireRequest) -> Option<Arc<ServerResponse>> {
        let at = self.answers.get(url_without_fragment(&request.url))?;
        if request.is_preflight() { at.preflight.clone() } else { at.response.clone() }
    }
}

impl Responder for ServerScript {
    fn respond(&mut self, request: &Arc<WireRequest>) -> Option<Arc<ServerResponse>> {
        self.answer(request)
    }
}

impl Responder for &ServerScript {
    fn respond(&mut self, request: &Arc<WireRequest>) -> Option<Arc<ServerResponse>> {
        self.answer(request)
    }
}

fn url_without_fragment(url: &url::Url) -> &str {
    let s = url.as_str();
    match url.fragment() {
        Some(f) => &s[..s.len() - f.len() - 1],
        None => s,
    }
}
