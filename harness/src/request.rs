//! What page script asks for: [`BrowserRequest`] (CHK-8, MISC-1/2/5, WS-1).

use crate::header::HeaderList;
use crate::origin::Origin;

/// A request's credentials mode (CHK-8). `fetch()` defaults to `SameOrigin`; XHR with
/// `withCredentials = true` is `Include`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsMode {
    Omit,
    #[default]
    SameOrigin,
    Include,
}

impl CredentialsMode {
    /// The CORS check and the preflight rules only ask "is it `include`?" (CHK-2/4/5, PRE-8/10).
    pub fn is_include(self) -> bool {
        self == CredentialsMode::Include
    }
}

/// A request's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestMode {
    /// `fetch()`'s default and XHR: cross-origin responses need the CORS protocol.
    #[default]
    Cors,
    /// `<img>`, `<script>` without `crossorigin`, `fetch(u, {mode: "no-cors"})`: opaque
    /// responses, no CORS check (MISC-1).
    NoCors,
    /// Cross-origin URLs fail without a request (MISC-2).
    SameOrigin,
    /// A WebSocket handshake: `Origin` and cookies always sent, no CORS at all (WS-1).
    #[serde(rename = "websocket")]
    WebSocket,
}

/// The HTML `crossorigin` attribute (MISC-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossOriginAttribute {
    /// Attribute absent: a `no-cors` fetch with credentials included.
    Absent,
    Anonymous,
    UseCredentials,
}

impl CrossOriginAttribute {
    /// The (mode, credentials mode) an element with this attribute fetches with (MISC-5).
    pub fn fetch_settings(self) -> (RequestMode, CredentialsMode) {
        match self {
            CrossOriginAttribute::Absent => (RequestMode::NoCors, CredentialsMode::Include),
            CrossOriginAttribute::Anonymous => (RequestMode::Cors, CredentialsMode::SameOrigin),
            CrossOriginAttribute::UseCredentials => (RequestMode::Cors, CredentialsMode::Include),
        }
    }
}

/// What a page's script asks the browser to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserRequest {
    /// The URL script passes (fragment ignored).
    pub url: url::Url,
    /// The origin of the page (or worker) that makes the request.
    pub origin: Origin,
    /// The method exactly as script passes it; normalized by the oracle (METH-3).
    pub method: String,
    /// Author headers as script sets them, in order. Forbidden ones are dropped by the oracle
    /// (SAFE-4), as the `Headers` object does.
    pub headers: HeaderList,
    pub credentials: CredentialsMode,
    pub mode: RequestMode,
    /// The use-CORS-preflight flag: XHR upload listeners or a streaming request body (PRE-1).
    pub use_cors_preflight: bool,
    /// A report the browser sends itself (CSP, Expect-CT, ...): its content types need no
    /// preflight (SAFE-7).
    pub ua_report: bool,
    /// The target is in a more private address space than the page (PNA-1); only matters
    /// under a profile with Private Network Access enabled.
    pub private_network: bool,
}

impl BrowserRequest {
    /// A `fetch(url)` from a page at `origin`: GET, no headers, credentials `same-origin`.
    pub fn fetch(origin: Origin, url: url::Url) -> BrowserRequest {
        BrowserRequest {
            url,
            origin,
            method: "GET".to_owned(),
            headers: HeaderList::new(),
            credentials: CredentialsMode::SameOrigin,
            mode: RequestMode::Cors,
            use_cors_preflight: false,
            ua_report: false,
            private_network: false,
        }
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = method.to_owned();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.append(name.as_bytes(), value.as_bytes());
        self
    }

    pub fn credentials(mut self, credentials: CredentialsMode) -> Self {
        self.credentials = credentials;
        self
    }

    pub fn mode(mut self, mode: RequestMode) -> Self {
        self.mode = mode;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misc5_crossorigin_attribute_settings() {
        assert_eq!(CrossOriginAttribute::Anonymous.fetch_settings(), (RequestMode::Cors, CredentialsMode::SameOrigin));
        assert_eq!(
            CrossOriginAttribute::UseCredentials.fetch_settings(),
            (RequestMode::Cors, CredentialsMode::Include)
        );
        assert_eq!(CrossOriginAttribute::Absent.fetch_settings().0, RequestMode::NoCors);
    }

    #[test]
    fn chk8_only_include_counts_as_credentialed() {
        assert!(CredentialsMode::Include.is_include());
        assert!(!CredentialsMode::SameOrigin.is_include() && !CredentialsMode::Omit.is_include());
    }
}
