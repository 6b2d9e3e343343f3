//! The policy half of the oracle: what the owner of a resource **meant** to allow for one
//! browser request. The browser half ([`crate::oracle`]) says what a browser does with a
//! server's answers; a divergence is a request where the two disagree.
//!
//! The definitions of "what the owner meant" are on [`intent`] (rendered there by rustdoc).

use crate::origin::Origin;
use crate::request::CredentialsMode;
use crate::safelist::is_forbidden_response_header_name;

use super::model::{AllowedNames, AllowedOrigins, Policy};

/// EXP-1: the CORS-safelisted response-header names, lowercase, sorted.
const SAFELISTED_RESPONSE_NAMES: [&str; 7] =
    ["cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"];

/// One browser request, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntentQuery<'a> {
    /// The `Origin` header bytes exactly as a browser sends them (`b"null"`,
    /// `b"https://a.example"`; after a tainting redirect, `b"null"`, ORIG-5).
    pub origin: &'a [u8],
    /// The request method, already normalized (METH-3: [`crate::method::normalize`]).
    pub method: &'a str,
    /// The CORS-unsafe request-header names (SAFE-3 output: lowercase, sorted, deduplicated).
    pub unsafe_header_names: &'a [String],
    pub credentials: CredentialsMode,
}

/// What the policy's owner meant for one request (see [`intent`] for the exact definitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// The request's origin may read responses.
    pub origin_allowed: bool,
    /// The policy allows credentialed reads (its `credentials` flag).
    pub credentials_allowed: bool,
    /// The method is safelisted, listed, or the policy allows any method.
    pub method_allowed: bool,
    /// Unsafe request-header names the policy does not allow, in the query's order.
    pub disallowed_headers: Vec<String>,
    /// Script on the request's origin should be able to read the response.
    pub readable: bool,
    /// Which response headers script should see.
    pub exposed: ExposedIntent,
    /// The preflight max-age the owner chose, in seconds.
    pub max_age: Option<u64>,
}

/// Response headers the owner meant script to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExposedIntent {
    /// Every header except `Set-Cookie` and `Set-Cookie2` (EXP-1).
    All,
    /// These names: lowercase, sorted, deduplicated; always including the CORS-safelisted
    /// response-header names (EXP-1), never `set-cookie`/`set-cookie2`.
    Names(Vec<String>),
}

impl ExposedIntent {
    /// Whether script should see a header of this name (case-insensitive).
    pub fn contains(&self, name: &str) -> bool {
        match self {
            ExposedIntent::All => !is_forbidden_response_header_name(name.as_bytes()),
            ExposedIntent::Names(names) => names.iter().any(|n| n.eq_ignore_ascii_case(name)),
        }
    }
}

/// What the owner of `policy` meant for the request described by `query`. Pure and total:
/// never panics, whatever the bytes.
///
/// # Definitions
///
/// These are the project's definition of "what the owner meant". Each field of [`Intent`]
/// answers its own question, independently of the others; [`Intent::readable`] combines them.
///
/// - **origin** ([`Intent::origin_allowed`]). First, the `Origin` bytes must be a serialized
///   origin exactly as a browser sends it ([`Origin::parse_serialized`]: `null`, or a canonical
///   `scheme://host[:port]`). Bytes a browser would never send (`https://A.example`,
///   `https://a.example/`, `https://a.example:443`, garbage) are allowed by **no** policy, not
///   even `*`. Then:
///   - `origins = ["*"]`: every origin, **including `null`** — a browser accepts
///     `Access-Control-Allow-Origin: *` for an opaque origin too (CHK-2). For a credentialed
///     request under `*` with `credentials = true`, the owner meant "any origin may read with
///     cookies" (dangerous: the policy warns, SRV-5).
///   - an exact origin: byte-exact equality with the serialized origin (SRV-3, CHK-3).
///   - `"null"`: only the exact bytes `null` (ORIG-2).
///   - `scheme://*.parent[:port]`: same scheme, same port (default port = absent), and a host
///     that is one or more non-empty labels followed by `.` and the parent; never the parent
///     itself, never an IP address (SRV-4).
/// - **credentials** ([`Intent::credentials_allowed`]): the policy's `credentials` flag, for
///   every origin; it says whether credentialed reads are meant at all, not for which origin
///   (combine with `origin_allowed`).
/// - **method** ([`Intent::method_allowed`]): `GET`, `HEAD`, `POST` byte-exact (METH-1) are
///   always allowed; any other method only if it is in the policy's list byte-exact (the
///   query's method is already normalized, METH-3, so `patch` ≠ `PATCH`), or the policy says
///   `methods = ["*"]` (for credentialed requests too: that is the owner's meaning, even though
///   browsers ignore `*` there, PRE-8).
/// - **headers** ([`Intent::disallowed_headers`]): each of the request's CORS-unsafe header
///   names (SAFE-3) that is not case-insensitively in `allow_headers`. `allow_headers = ["*"]`
///   allows every name, `authorization` included (the owner's meaning; browsers need
///   `authorization` listed explicitly, SAFE-6/PRE-9, and ignore `*` with credentials, PRE-10).
/// - **readable** ([`Intent::readable`]): `origin_allowed && method_allowed &&
///   disallowed_headers.is_empty() && (credentials mode is not include || policy.credentials)`.
///   A request with credentials mode `omit` or `same-origin` is readable without the policy
///   allowing credentials (CHK-4, CHK-8).
/// - **exposure** ([`Intent::exposed`]): `expose_headers = ["*"]` → [`ExposedIntent::All`] (every
///   response header except `Set-Cookie`/`Set-Cookie2`, EXP-1, with or without credentials);
///   otherwise [`ExposedIntent::Names`]: the listed names plus the CORS-safelisted response
///   header names (EXP-1), minus `set-cookie`/`set-cookie2`. Meaningful only when readable
///   (EXP-3).
/// - **max-age** ([`Intent::max_age`]): the policy's `max_age`, unclamped (browsers clamp,
///   PRE-12).
pub fn intent(policy: &Policy, query: &IntentQuery<'_>) -> Intent {
    let origin_allowed = origin_allowed(&policy.origins, query.origin);
    let method_allowed = crate::method::is_cors_safelisted(query.method) || policy.methods.contains(query.method);
    let disallowed_headers: Vec<String> =
        query.unsafe_header_names.iter().filter(|n| !policy.allow_headers.contains(n)).cloned().collect();
    let readable = origin_allowed
        && method_allowed
        && disallowed_headers.is_empty()
        && (!query.credentials.is_include() || policy.credentials);
    Intent {
        origin_allowed,
        credentials_allowed: policy.credentials,
        method_allowed,
        disallowed_headers,
        readable,
        exposed: exposed(&policy.expose_headers),
        max_age: policy.max_age,
    }
}

/// Whether `origin_bytes` (an `Origin` header value) is allowed: they must be a serialized
/// origin exactly as a browser sends it, and match [`AllowedOrigins::allows`].
pub fn origin_allowed(origins: &AllowedOrigins, origin_bytes: &[u8]) -> bool {
    Origin::parse_serialized(origin_bytes).is_ok_and(|origin| origins.allows(&origin))
}

fn exposed(names: &AllowedNames) -> ExposedIntent {
    match names {
        AllowedNames::Any => ExposedIntent::All,
        AllowedNames::List(listed) => {
            let mut names: Vec<String> = SAFELISTED_RESPONSE_NAMES
                .iter()
                .map(|n| (*n).to_owned())
                .chain(listed.iter().map(|n| n.to_string()))
                .filter(|n| !is_forbidden_response_header_name(n.as_bytes()))
                .collect();
            names.sort_unstable();
            names.dedup();
            ExposedIntent::Names(names)
        }
    }
}

impl Policy {
    /// Shorthand for [`intent(self, query)`](intent).
    pub fn intent(&self, query: &IntentQuery<'_>) -> Intent {
        intent(self, query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safelist::is_cors_safelisted_response_header_name;

    #[test]
    fn exp1_safelisted_names_match_the_safelist() {
        for name in SAFELISTED_RESPONSE_NAMES {
            assert!(is_cors_safelisted_response_header_name(name.as_bytes()), "{name}");
        }
        let mut sorted = SAFELISTED_RESPONSE_NAMES;
        sorted.sort_unstable();
        assert_eq!(sorted, SAFELISTED_RESPONSE_NAMES);
    }
}
