//! A scripted server: fixed answers per URL, for the oracle's table-driven uses (the
//! `verdict` command, test vectors, benchmarks).

use std::collections::HashMap;

use crate::response::{Responder, ServerResponse, WireRequest};

/// What the server at one URL answers to a preflight and to an actual request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlAnswers {
    pub preflight: Option<ServerResponse>,
    pub response: Option<ServerResponse>,
}

/// Answers keyed by URL (serialized without fragment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerScript {
    answers: HashMap<String, UrlAnswers>,
}

impl ServerScript {
    pub fn new() -> ServerScript {
        ServerScript::default()
    }

    /// Sets the answers at `url` (its fragment is ignored, as on the wire).
    pub fn insert(&mut self, url: &url::Url, answers: UrlAnswers) {
        self.answers.insert(key(url), answers);
    }

    pub fn get(&self, url: &url::Url) -> Option<&UrlAnswers> {
        self.answers.get(&key(url)[..])
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

impl Responder for ServerScript {
    fn respond(&mut self, request: &WireRequest) -> Option<ServerResponse> {
        let at = self.answers.get(url_without_fragment(&request.url))?;
        if request.is_preflight() { at.preflight.clone() } else { at.response.clone() }
    }
}

impl Responder for &ServerScript {
    fn respond(&mut self, request: &WireRequest) -> Option<ServerResponse> {
        let at = self.answers.get(url_without_fragment(&request.url))?;
        if request.is_preflight() { at.preflight.clone() } else { at.response.clone() }
    }
}

fn url_without_fragment(url: &url::Url) -> &str {
    let s = url.as_str();
    match url.fragment() {
        Some(f) => &s[..s.len() - f.len() - 1],
        None => s,
    }
}
