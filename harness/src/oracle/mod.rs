//! The browser half of the oracle: what a browser does with a server's answers.
//!
//! [`evaluate`] walks Fetch's main fetch / HTTP fetch / CORS-preflight fetch / HTTP-redirect
//! fetch for one script request, asks a [`Responder`] for every request the browser puts on
//! the wire, and returns a [`Verdict`]. It does no I/O and reads no clock: the caller passes
//! the time and the preflight cache, so the same inputs always give the same verdict.

pub mod cache;
pub mod check;
pub mod expose;
pub mod preflight;
pub mod redirect;
pub mod verdict;

use crate::header::{self, HeaderList};
use crate::method;
use crate::profile::{BrowserProfile, WireRepeats};
use crate::request::{BrowserRequest, CredentialsMode, RequestMode};
use crate::response::{Responder, WireRequest};
use crate::rule::Rule;
use crate::safelist;

use std::sync::Arc;

use cache::{CacheItem, CacheKey, PreflightCache};
use verdict::{Exchange, Failure, Hop, Outcome, Tainting, Unanswered, Verdict};

/// Evaluates one request with a fresh preflight cache at time 0.
pub fn evaluate_once<R: Responder>(
    request: &BrowserRequest,
    responder: &mut R,
    profile: &BrowserProfile,
) -> Result<Verdict, Unanswered> {
    evaluate(request, responder, profile, &mut PreflightCache::new(), 0)
}

/// Evaluates one request at time `now_ms` (milliseconds on the caller's clock), reading and
/// updating the preflight cache.
pub fn evaluate<R: Responder>(
    request: &BrowserRequest,
    responder: &mut R,
    profile: &BrowserProfile,
    cache: &mut PreflightCache,
    now_ms: u64,
) -> Result<Verdict, Unanswered> {
    let mut verdict = Verdict {
        outcome: Outcome::Opaque,
        hops: Vec::with_capacity(1),
        cache_entries: Vec::new(),
        cookies_stored: false,
        unsafe_header_names: Vec::new(),
    };
    let state = match prepare(request, profile) {
        Ok(state) => state,
        Err(failure) => {
            verdict.outcome = Outcome::ScriptError(failure);
            return Ok(verdict);
        }
    };
    verdict.outcome = run(request, state, responder, profile, cache, now_ms, &mut verdict)?;
    Ok(verdict)
}

/// The request as it enters main fetch: normalized method, author headers filtered, UA
/// defaults added.
struct FetchState<'r> {
    /// Shared with the hops and wire requests of the verdict, which all name these URLs.
    url_list: Vec<Arc<url::Url>>,
    /// Borrowed from the request or a normalized name: copied only into wire requests.
    method: std::borrow::Cow<'r, str>,
    headers: HeaderList,
    tainting: Tainting,
    /// A hop of this fetch was preflighted (for `preflight_sticks_across_redirects`).
    preflighted: bool,
}

/// What `fetch()` / the `Request` and `Headers` constructors do before anything is sent.
fn prepare<'r>(request: &'r BrowserRequest, profile: &BrowserProfile) -> Result<FetchState<'r>, Failure> {
    if !method::is_valid(&request.method) {
        return Err(Failure::new(Rule::Meth4, format!("{:?} is not a valid method token", request.method)));
    }
    if method::is_forbidden(&request.method) {
        return Err(Failure::new(Rule::Meth2, format!("{} is a forbidden method; fetch() throws", request.method)));
    }
    let method = method::normalize(&request.method);
    if request.mode == RequestMode::NoCors && !method::is_cors_safelisted(&method) {
        return Err(Failure::new(Rule::Misc1, format!("no-cors requests allow only GET, HEAD and POST, not {method}")));
    }

    let mut headers = HeaderList(Vec::with_capacity(request.headers.len() + 2));
    for h in request.headers.iter() {
        let value = header::normalize_value(&h.value);
        if !header::is_token(&h.name) {
            return Err(Failure::new(
                Rule::Hdr1,
                format!("{:?} is not a valid header name; fetch() throws", String::from_utf8_lossy(&h.name)),
            ));
        }
        if !header::is_valid_value(value) {
            return Err(Failure::new(
                Rule::Hdr1,
                format!("the value of {} contains NUL, CR or LF; fetch() throws", String::from_utf8_lossy(&h.name)),
            ));
        }
        if safelist::is_forbidden_request_header(&h.name, value) {
            continue; // SAFE-4: the Headers object drops it silently.
        }
        let name = std::str::from_utf8(&h.name).unwrap_or_default();
        if profile.combine_repeated_request_headers
            && let Some(at) = headers.0.iter().position(|e| e.name.eq_ignore_ascii_case(&h.name))
        {
            // Chromium keeps one entry per name: `first, second`, checked as one value
            // (SAFE-1/3; BROWSER-DEVIATIONS.md row 1). No-cors: the MISC-1 guard below applies
            // to the combined value, which is what it checks anyway.
            let combined = bytes::Bytes::from([&headers.0[at].value[..], b", ", value].concat());
            if request.mode == RequestMode::NoCors
                && !safelist::is_cors_safelisted_request_header_with(&h.name, &combined, profile.safelist)
            {
                continue;
            }
            headers.0[at].value = combined;
            continue;
        }
        if request.mode == RequestMode::NoCors {
            // MISC-1: the request-no-cors guard checks the value the header would have after
            // the append — earlier values of the same name, `, `, this one — and ignores the
            // append when that is not safelisted (Fetch, Headers "append", step 3; seen in
            // Chromium and Firefox: `BROWSER-DEVIATIONS.md`).
            let combined = match headers.get(name) {
                Some(previous) => [&previous[..], b", ", value].concat(),
                None => value.to_vec(),
            };
            if !(safelist::is_no_cors_safelisted_name(&h.name)
                && safelist::is_cors_safelisted_request_header_with(&h.name, &combined, profile.safelist))
            {
                continue;
            }
        }
        headers.push(header::Header { name: h.name.clone(), value: h.value.slice_ref(value) });
    }
    // SAFE-5: defaults added by fetch before main fetch.
    if !headers.contains("accept") {
        headers.push(header::Header::from_static(b"Accept", b"*/*"));
    }
    if let Some(lang) = profile.ua_accept_language
        && !headers.contains("accept-language")
    {
        headers.push(header::Header {
            name: bytes::Bytes::from_static(b"Accept-Language"),
            value: bytes::Bytes::from_static(lang.as_bytes()),
        });
    }
    Ok(FetchState {
        url_list: vec![fetch_url(&request.url)],
        method,
        headers,
        tainting: Tainting::Basic,
        preflighted: false,
    })
}

/// The request's URL without its fragment, shared. A run asks about the same URL over and
/// over: the last one built on this thread is handed out again (a comparison instead of a
/// copy and two allocations).
fn fetch_url(url: &url::Url) -> Arc<url::Url> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Arc<url::Url>>> = const { std::cell::RefCell::new(None) };
    }
    if url.fragment().is_some() {
        let mut url = url.clone();
        url.set_fragment(None);
        return Arc::new(url);
    }
    LAST.with_borrow_mut(|last| match last {
        Some(shared) if shared.as_str() == url.as_str() => Arc::clone(shared),
        _ => Arc::clone(last.insert(Arc::new(url.clone()))),
    })
}

/// Main fetch, once per URL of the URL list.
fn run<R: Responder>(
    request: &BrowserRequest,
    mut state: FetchState<'_>,
    responder: &mut R,
    profile: &BrowserProfile,
    cache: &mut PreflightCache,
    now_ms: u64,
    verdict: &mut Verdict,
) -> Result<Outcome, Unanswered> {
    let include = request.credentials.is_include();
    loop {
        let current = state.url_list.last().expect("URL list is never empty").clone();
        if !matches!(current.scheme(), "http" | "https" | "ws" | "wss") {
            return Ok(Outcome::NetworkError(Failure::new(
                Rule::Red7,
                format!("{} is not an HTTP(S) URL", current.scheme()),
            )));
        }
        let same_origin = request.origin.same_origin_as_url(&current);
        let tainted = redirect::is_tainted(&request.origin, state.url_list.iter().map(|u| &**u));
        // ORIG-4/5 in Chromium: a no-cors request's `Origin` becomes `null` after any redirect
        // between two origins (BROWSER-DEVIATIONS.md row 7).
        let nulled = tainted
            || (profile.no_cors_cross_origin_redirect_nulls_origin
                && request.mode == RequestMode::NoCors
                && state.url_list.windows(2).any(|w| !crate::origin::same_origin_urls(&w[0], &w[1])));
        let origin_bytes: &str = if nulled { "null" } else { request.origin.serialize() };
        let origin_value = if nulled { bytes::Bytes::from_static(b"null") } else { request.origin.serialized_bytes() };
        // ORIG-5 in Firefox: the preflight still carries, and is checked against, the page's
        // origin; only the actual request carries `null`.
        let (preflight_origin, preflight_origin_value) = if tainted && profile.preflight_ignores_redirect_taint {
            (request.origin.serialize(), request.origin.serialized_bytes())
        } else {
            (origin_bytes, origin_value.clone())
        };

        if request.mode == RequestMode::WebSocket {
            return websocket(request, &state, current, responder, verdict);
        }
        if request.mode == RequestMode::SameOrigin && !same_origin {
            return Ok(Outcome::NetworkError(Failure::new(
                Rule::Misc2,
                "same-origin mode does not allow a cross-origin URL",
            )));
        }
        state.tainting = if same_origin && state.tainting == Tainting::Basic {
            Tainting::Basic
        } else if request.mode == RequestMode::NoCors {
            Tainting::Opaque
        } else {
            Tainting::Cors
        };
        let cors = state.tainting == Tainting::Cors;

        // PRE-1: the CORS-preflight flag. The first hop's names are the verdict's (computed
        // into it, not copied there).
        let later_hop_names;
        let unsafe_names: &[String] = if verdict.hops.is_empty() {
            verdict.unsafe_header_names = unsafe_names(&state.headers, request.ua_report, profile);
            &verdict.unsafe_header_names
        } else {
            later_hop_names = unsafe_names(&state.headers, request.ua_report, profile);
            &later_hop_names
        };
        let private_network = profile.private_network_access && request.private_network;
        let use_cors_preflight =
            request.use_cors_preflight || (profile.preflight_sticks_across_redirects && state.preflighted);
        let preflight_needed = cors
            && (use_cors_preflight
                || !method::is_cors_safelisted(&state.method)
                || !unsafe_names.is_empty()
                || private_network);
        let mut hop =
            Hop { url: current.clone(), tainting: state.tainting, preflight_needed, preflight: None, actual: None };
        let key = CacheKey { origin: preflight_origin, url: current.as_str(), include, now_ms };
        // CACHE-1: Chromium never uses the cache for an opaque origin: a sandboxed page's, or
        // the `null` a redirect taint gives the preflight (BROWSER-DEVIATIONS.md row 6).
        let use_cache =
            profile.preflight_cache && (profile.opaque_origin_preflight_cache || preflight_origin != "null");

        if preflight_needed {
            state.preflighted = true;
            // PRE-2: a cache match for the method (when it matters) and every unsafe name.
            let cached = use_cache
                && !private_network
                && (cache.method_match(&key, &state.method, profile)
                    || (method::is_cors_safelisted(&state.method) && !use_cors_preflight))
                && unsafe_names.iter().all(|n| cache.header_match(&key, n, profile));
            if !cached {
                let mut wire = WireRequest {
                    method: "OPTIONS".to_owned(),
                    url: current.clone(),
                    headers: preflight::preflight_headers(
                        preflight_origin_value,
                        &state.method,
                        unsafe_names,
                        private_network,
                    ),
                    credentials_attached: false, // PRE-3
                };
                // Only fetch() switches to no-store in Firefox; a request with the
                // use-CORS-preflight flag comes from XMLHttpRequest, which does not.
                if profile.preflight_inherits_no_store && !request.use_cors_preflight && is_no_store(&state.headers) {
                    wire.headers.push(header::Header::from_static(b"Pragma", b"no-cache"));
                    wire.headers.push(header::Header::from_static(b"Cache-Control", b"no-cache"));
                }
                let wire = Arc::new(wire);
                let Some(response) = responder.respond(&wire) else { return Err(Unanswered { request: wire }) };
                let result = if response.headers.has_invalid_value() {
                    Err(Failure::new(Rule::Hdr1, "the preflight response has a header value with NUL, CR or LF"))
                } else {
                    let for_req = preflight::PreflightFor {
                        origin: preflight_origin,
                        method: &state.method,
                        include,
                        use_cors_preflight: request.use_cors_preflight, // PRE-7: the flag only
                        headers: &state.headers,
                        unsafe_names,
                        private_network,
                        check_origin: !(profile.preflight_to_page_origin_unchecked
                            && request.origin.same_origin_as_url(&current)),
                    };
                    preflight::validate(&response, &for_req, profile)
                };
                hop.preflight = Some(Exchange { request: wire, response });
                match result {
                    Err(failure) => {
                        cache.clear(preflight_origin, current.as_str()); // PRE-14
                        verdict.hops.push(hop);
                        return Ok(Outcome::NetworkError(failure));
                    }
                    Ok(grant) if use_cache => {
                        // CACHE-1: one entry per listed method and header name.
                        let (origin, url) = (Arc::from(preflight_origin), Arc::from(current.as_str()));
                        verdict.cache_entries.reserve(grant.methods.len() + grant.header_names.len());
                        let items = grant
                            .methods
                            .into_iter()
                            .map(CacheItem::Method)
                            .chain(grant.header_names.into_iter().map(CacheItem::Header));
                        for item in items {
                            verdict.cache_entries.push(cache.store(&key, &origin, &url, item, grant.max_age));
                        }
                    }
                    Ok(_) => {}
                }
            }
        }

        // The actual request.
        let credentials_attached =
            include || (request.credentials == CredentialsMode::SameOrigin && state.tainting == Tainting::Basic);
        let mut headers = HeaderList(Vec::with_capacity(state.headers.len() + 1));
        headers.0.extend_from_slice(&state.headers.0);
        wire_headers(&mut headers, profile);
        // ORIG-4: always for CORS, otherwise only for methods other than GET and HEAD.
        if cors || !matches!(&*state.method, "GET" | "HEAD") {
            headers.push(header::Header { name: bytes::Bytes::from_static(b"Origin"), value: origin_value.clone() });
        }
        let wire = Arc::new(WireRequest {
            method: state.method.to_string(),
            url: current.clone(),
            headers,
            credentials_attached,
        });
        let Some(response) = responder.respond(&wire) else { return Err(Unanswered { request: wire }) };
        let status = response.status;
        let valid = !response.headers.has_invalid_value();
        if valid && credentials_attached && response.headers.contains("set-cookie") {
            verdict.cookies_stored = true; // MISC-4: before, and regardless of, the CORS check
        }
        let check = if !valid {
            Err(Failure::new(Rule::Hdr1, "the response has a header value with NUL, CR or LF"))
        } else if cors {
            check::cors_check(&response.headers, origin_bytes, include) // CHK-6, PRE-13
        } else {
            Ok(())
        };
        let response_headers = Arc::clone(&response);
        hop.actual = Some(Exchange { request: wire, response });
        verdict.hops.push(hop);

        // HTTP-redirect fetch (RED-*), once the hop's response passed its check (CHK-6).
        let next = check.and_then(|()| match redirect::is_redirect_status(status) {
            true => response_headers
                .headers
                .get("location")
                .map(|l| next_url(&l, &current, &state, request, profile))
                .transpose(),
            false => Ok(None),
        });
        let next = match next {
            Ok(Some(next)) => next,
            Ok(None) => {
                let headers = &response_headers.headers;
                return Ok(match state.tainting {
                    Tainting::Basic => Outcome::Shared { status, exposed: expose::exposed_basic(headers) },
                    Tainting::Cors => Outcome::Shared { status, exposed: expose::exposed_cors(headers, include) },
                    Tainting::Opaque => Outcome::Opaque,
                });
            }
            Err(failure) => {
                if preflight_needed && profile.actual_failure_clears_cache {
                    cache.clear(preflight_origin, current.as_str()); // PRE-14 (Chromium keeps them)
                }
                return Ok(Outcome::NetworkError(failure));
            }
        };
        if redirect::rewrites_to_get(status, &state.method) {
            state.method = "GET".into(); // RED-6
            for name in redirect::REQUEST_BODY_HEADERS {
                state.headers.remove(name);
            }
        }
        if !crate::origin::same_origin_urls(&current, &next) {
            state.headers.remove("authorization"); // RED-5
        }
        state.url_list.push(Arc::new(next));
    }
}

/// The URL a redirect leads to, or why following it is a network error (RED-1, RED-2, RED-7).
fn next_url(
    location: &[u8],
    current: &url::Url,
    state: &FetchState,
    request: &BrowserRequest,
    profile: &BrowserProfile,
) -> Result<url::Url, Failure> {
    let Some(mut next) = std::str::from_utf8(location).ok().and_then(|l| current.join(l).ok()) else {
        return Err(Failure::new(Rule::Red7, "the redirect's Location is not a valid URL"));
    };
    if !matches!(next.scheme(), "http" | "https") {
        return Err(Failure::new(Rule::Red7, format!("the redirect goes to a {} URL, not HTTP(S)", next.scheme())));
    }
    if state.url_list.len() > redirect::MAX_REDIRECTS {
        return Err(Failure::new(Rule::Red1, "more than 20 redirects"));
    }
    let has_credentials = !next.username().is_empty() || next.password().is_some();
    let cors = state.tainting == Tainting::Cors;
    let cors_rule = cors || (request.mode == RequestMode::Cors && !request.origin.same_origin_as_url(&next));
    // Chromium blocks every subresource URL with credentials (BROWSER-DEVIATIONS.md row 4).
    if has_credentials && (cors_rule || profile.credentials_redirects_always_fail) {
        return Err(Failure::new(Rule::Red2, "the redirect target URL contains a user name or password"));
    }
    next.set_fragment(None);
    Ok(next)
}

/// HTTP-network-or-cache fetch: a conditional request header turns cache mode `default` into
/// `no-store` (the page always uses the default cache mode).
fn is_no_store(headers: &HeaderList) -> bool {
    ["if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"]
        .iter()
        .any(|n| headers.contains(n))
}

/// SAFE-3 as the profile applies it, with the SAFE-7 exemption for reports the browser sends
/// itself.
fn unsafe_names(headers: &HeaderList, ua_report: bool, profile: &BrowserProfile) -> Vec<String> {
    if ua_report {
        let mut filtered = headers.clone();
        filtered.0.retain(|h| {
            !(h.name.eq_ignore_ascii_case(b"content-type") && safelist::is_preflight_exempt_content_type(&h.value))
        });
        return safelist::cors_unsafe_request_header_names_with(&filtered, profile.safelist);
    }
    safelist::cors_unsafe_request_header_names_with(headers, profile.safelist)
}

/// The author headers of an actual request as the profile's network stack puts them on the
/// wire (after the CORS decision): Firefox merges a repeated name into one line (`a, b`), an
/// empty value empties it (necko's `SetEmptyRequestHeader`), and only the last `Content-Type`
/// and `Authorization` are kept.
fn wire_headers(headers: &mut HeaderList, profile: &BrowserProfile) {
    if profile.wire_repeats == WireRepeats::AsAppended {
        return;
    }
    let mut merged: Vec<header::Header> = Vec::with_capacity(headers.len());
    for h in headers.0.drain(..) {
        match merged.iter_mut().find(|m| m.name.eq_ignore_ascii_case(&h.name)) {
            None => merged.push(h),
            // Single-value headers in Firefox's network stack: the last one wins.
            Some(m)
                if h.name.eq_ignore_ascii_case(b"content-type") || h.name.eq_ignore_ascii_case(b"authorization") =>
            {
                m.value = h.value
            }
            Some(m) if h.value.is_empty() || m.value.is_empty() => m.value = h.value, // empty resets
            Some(m) => m.value = bytes::Bytes::from([&m.value[..], b", ", &h.value[..]].concat()),
        }
    }
    headers.0 = merged;
}

/// WS-1: a WebSocket handshake carries Origin and cookies, has no CORS check and follows no
/// redirect; it opens when the server answers 101.
fn websocket<R: Responder>(
    request: &BrowserRequest,
    state: &FetchState,
    url: Arc<url::Url>,
    responder: &mut R,
    verdict: &mut Verdict,
) -> Result<Outcome, Unanswered> {
    let mut headers = state.headers.clone();
    headers.append(b"Origin", request.origin.serialize().as_bytes());
    let wire =
        Arc::new(WireRequest { method: "GET".to_owned(), url: url.clone(), headers, credentials_attached: true });
    let Some(response) = responder.respond(&wire) else { return Err(Unanswered { request: wire }) };
    let status = response.status;
    verdict.hops.push(Hop {
        url,
        tainting: Tainting::Basic,
        preflight_needed: false,
        preflight: None,
        actual: Some(Exchange { request: wire, response }),
    });
    Ok(if status == 101 {
        Outcome::Shared { status, exposed: Vec::new() }
    } else {
        Outcome::NetworkError(Failure::new(
            Rule::Ws1,
            format!("the WebSocket handshake was answered {status}, not 101"),
        ))
    })
}
