//! A self-contained oracle question: a browser request, the scripted server, the profile,
//! and optionally earlier requests that share the preflight cache.

use crate::oracle::cache::PreflightCache;
use crate::oracle::verdict::{Unanswered, Verdict};
use crate::profile::BrowserProfile;
use crate::request::BrowserRequest;
use crate::script::ServerScript;

/// One case for the oracle: "what does this browser do with this request against this server?"
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub profile: &'static BrowserProfile,
    pub request: BrowserRequest,
    pub server: ServerScript,
    /// Earlier requests against the same server, with their times in milliseconds: they fill
    /// the preflight cache the main request sees (CACHE-*).
    pub history: Vec<(BrowserRequest, u64)>,
    /// Time of the main request, in milliseconds on the same clock as `history`.
    pub time_ms: u64,
}

impl Case {
    /// Evaluates the history in order, then the main request, with one preflight cache.
    pub fn evaluate(&self) -> Result<Verdict, Unanswered> {
        let mut cache = PreflightCache::new();
        let mut server = &self.server;
        for (request, time) in &self.history {
            crate::oracle::evaluate(request, &mut server, self.profile, &mut cache, *time)?;
        }
        crate::oracle::evaluate(&self.request, &mut server, self.profile, &mut cache, self.time_ms)
    }
}
