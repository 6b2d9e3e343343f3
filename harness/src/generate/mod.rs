//! Seeded generators of browser requests: probes near the edges of a policy, reproducible
//! from `(seed, index)`.
//!
//! [`probes`] draws `n` probes for a policy and a target URL; [`probe`] replays one of them
//! alone. Each probe (`generated/<index>`) holds one [`BrowserRequest`] whose parts are drawn
//! independently:
//!
//! - **origin** ([`OriginClass`]): about a third allowed by the policy (so allowed requests are
//!   common too), the rest near misses that break real matchers — suffix, prefix, parent
//!   domain, dot-for-any-char, case, port, default port, scheme, userinfo, IDN, trailing dot,
//!   `null`, third-party, odd host bytes (table on [`OriginClass`]). Every origin is
//!   the origin of a page URL a browser can load: the `Origin` bytes are what browsers send.
//! - **method** ([`MethodClass`]): safelisted, odd-case normalized (`pUt`), the policy's own and
//!   their case variants (`patch` for `PATCH`), custom tokens, rarely forbidden or invalid.
//! - **headers** ([`HeaderClass`]): zero to four lines around the safelist's edges
//!   (127/128/129-byte values, 1023/1024/1025-byte totals, content-type essences and near
//!   misses, `range`, odd `accept-language`, allowed names in odd case, names just outside the
//!   allow list, `authorization`, duplicates, rarely forbidden or invalid ones).
//! - **credentials** `omit` / `same-origin` / `include` (20/35/45%); **mode** `cors` (90%),
//!   `no-cors` (6%, with a safelisted method: anything else is a script error, MISC-1) or
//!   `same-origin` (4%); the use-CORS-preflight flag (4%) and the private-network flag (2%).
//!
//! Requests a script cannot make (forbidden method, invalid header bytes) are kept rare
//! (about 3%): the oracle reports them as script errors and nothing reaches the target.
//!
//! # Determinism
//!
//! Probe `i` is a function of `(policy, url, seed, i)` only: its bytes come from a SplitMix64
//! stream keyed by `(seed, i)` and are read through [`arbitrary::Unstructured`] by
//! [`generated_from`] — the same function a fuzz target feeds with its input
//! ([`request_from`], [`GeneratedCase`]). SplitMix64 is written out in the crate (a dozen
//! lines, fixed constants, little-endian bytes) rather than taken from `rand`, whose algorithms
//! may change between versions: a printed seed replays the same probes on every platform. How
//! `Unstructured` turns bytes into choices is pinned by `Cargo.lock`; a golden test in
//! `harness/tests/generate.rs` fails if an `arbitrary` upgrade changes it.
//!
//! ```
//! use cors_harness::generate;
//! use cors_harness::policy::{AllowedOrigins, Policy};
//!
//! let policy = Policy::new(AllowedOrigins::parse_list(["https://app.example.com"])?);
//! let url = url::Url::parse("http://api.example.test/data")?;
//! let probes = generate::probes(&policy, &url, 42, 100);
//! assert_eq!(probes[17], generate::probe(&policy, &url, 42, 17));
//! assert_eq!(probes[17].id, "generated/17");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod choose;
mod headers;
mod method;
mod origin;
mod policy;
mod rng;

use std::fmt::Write as _;

use arbitrary::{Arbitrary, Unstructured};

use crate::header::HeaderList;
use crate::policy::Policy as PolicyModel;
use crate::probe::{Probe, Title};
use crate::request::{BrowserRequest, CredentialsMode, RequestMode};
use crate::response::ServerResponse;
use crate::rule::Rule;
use crate::script::{ServerScript, UrlAnswers};
use crate::{method as methods, safelist};

pub use headers::HeaderClass;
pub use method::MethodClass;
pub use origin::OriginClass;
pub use policy::GeneratedPolicy;

use choose::{chance, weighted};
use headers::HeaderNames;
use origin::OriginBases;

/// `n` generated probes for `policy` against `url` (the target's URL, e.g.
/// `http://api.example.test/data`). Deterministic in `(policy, url, seed)`: probe `i` depends
/// only on `(seed, i)`, so [`probe`]`(policy, url, seed, i)` replays one alone.
pub fn probes(policy: &PolicyModel, url: &url::Url, seed: u64, n: usize) -> Vec<Probe> {
    let generator = Generator::new(policy, url);
    (0..n).map(|i| generator.probe(seed, i)).collect()
}

/// Probe `index` of [`probes`]`(policy, url, seed, _)`.
pub fn probe(policy: &PolicyModel, url: &url::Url, seed: u64, index: usize) -> Probe {
    Generator::new(policy, url).probe(seed, index)
}

/// The request of probe `index`, with what was generated (the classes behind the title).
pub fn generated(policy: &PolicyModel, url: &url::Url, seed: u64, index: usize) -> Generated {
    Generator::new(policy, url).generated(seed, index)
}

/// A browser request for `policy` against `url`, drawn from `u` (a fuzz target's input or a
/// seeded stream): the structured form of [`probe`].
pub fn request_from(
    u: &mut Unstructured<'_>,
    policy: &PolicyModel,
    url: &url::Url,
) -> arbitrary::Result<BrowserRequest> {
    generated_from(u, policy, url).map(|g| g.request)
}

/// Like [`request_from`], with the classes drawn.
pub fn generated_from(u: &mut Unstructured<'_>, policy: &PolicyModel, url: &url::Url) -> arbitrary::Result<Generated> {
    Generator::new(policy, url).generate(u)
}

/// A generated request and what it was generated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub request: BrowserRequest,
    pub origin: OriginClass,
    /// The page URL the origin comes from, when written differently from the origin
    /// (`HTTPS://APP.Example.COM/`, `https://user:pass@app.example.com/`, `%60`, Unicode).
    pub page: Option<String>,
    pub method: MethodClass,
    /// One class per header class drawn, in order (a `duplicate` adds one line, or two when it
    /// comes first; `total-length` is a whole set of lines).
    pub headers: Vec<HeaderClass>,
}

impl Generated {
    /// One sentence saying what was generated, e.g. `suffix origin
    /// https://app.example.com.evil.test, PUT (listed), headers x-request-id2: 1 (near-name),
    /// credentials include`.
    pub fn title(&self) -> String {
        render_title(&self.request, self.origin, self.page.as_deref(), self.method, &self.headers)
    }

    /// The digest rules the generated parts target, sorted and deduplicated.
    pub fn rules(&self) -> Vec<Rule> {
        let r = &self.request;
        let mut rules = RuleSet::default();
        rules.extend(self.origin.rules());
        rules.extend(self.method.rules());
        for h in &self.headers {
            rules.extend(h.rules());
        }
        rules.extend(if r.credentials.is_include() { &[Rule::Chk5, Rule::Srv7] } else { &[Rule::Chk4] });
        match r.mode {
            RequestMode::NoCors => rules.extend(&[Rule::Misc1]),
            RequestMode::SameOrigin => rules.extend(&[Rule::Misc2]),
            RequestMode::Cors | RequestMode::WebSocket => {}
        }
        if r.use_cors_preflight {
            rules.extend(&[Rule::Pre1, Rule::Pre7]);
        }
        if r.private_network {
            rules.extend(&[Rule::Pna1]);
        }
        rules.into_sorted()
    }

    /// The probe `generated/<index>` for this request.
    pub fn into_probe(self, index: usize) -> Probe {
        let rules = self.rules();
        let title = GeneratedTitle { origin: self.origin, page: self.page, method: self.method, headers: self.headers };
        Probe { id: format!("generated/{index}"), title: Title::Generated(title), rules, requests: vec![self.request] }
    }
}

/// The sentence of [`Generated::title`].
fn render_title(
    r: &BrowserRequest,
    origin: OriginClass,
    page: Option<&str>,
    method: MethodClass,
    headers: &[HeaderClass],
) -> String {
    let mut t = String::with_capacity(160);
    t.push_str(origin.name());
    t.push_str(" origin ");
    t.push_str(r.origin.serialize());
    if let Some(page) = page {
        let _ = write!(t, " (page {page})");
    }
    t.push_str(", ");
    if is_plain(r.method.as_bytes()) {
        t.push_str(&r.method); // what `escape_debug` leaves alone
    } else {
        t.extend(r.method.escape_debug());
    }
    t.push_str(" (");
    t.push_str(method.name());
    t.push(')');
    if !r.headers.is_empty() {
        t.push_str(", headers ");
        for (i, h) in r.headers.iter().enumerate() {
            if i > 0 {
                t.push_str(", ");
            }
            push_escaped(&mut t, &h.name);
            // Titles end up in reports: never a credential, even a made-up one.
            if crate::engine::reproduce::is_secret(&h.name) {
                t.push_str(": ");
                t.push_str(crate::engine::reproduce::REDACTED);
            } else if h.value.len() <= 40 {
                t.push_str(": ");
                push_escaped(&mut t, &h.value);
            } else {
                let _ = write!(t, ": <{} bytes>", h.value.len());
            }
        }
        t.push_str(" (");
        for (i, class) in headers.iter().enumerate() {
            if i > 0 {
                t.push_str(", ");
            }
            t.push_str(class.name());
        }
        t.push(')');
    }
    t.push_str(match r.credentials {
        CredentialsMode::Omit => ", credentials omit",
        CredentialsMode::SameOrigin => ", credentials same-origin",
        CredentialsMode::Include => ", credentials include",
    });
    match r.mode {
        RequestMode::Cors => {}
        RequestMode::NoCors => t.push_str(", mode no-cors"),
        RequestMode::SameOrigin => t.push_str(", mode same-origin"),
        RequestMode::WebSocket => t.push_str(", websocket"),
    }
    if r.use_cors_preflight {
        t.push_str(", upload listeners (use-CORS-preflight)");
    }
    if r.private_network {
        t.push_str(", private network");
    }
    t
}

/// What a generated probe was drawn as: its title, rendered only when it is read
/// ([`Probe::title`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedTitle {
    origin: OriginClass,
    page: Option<String>,
    method: MethodClass,
    headers: Vec<HeaderClass>,
}

impl GeneratedTitle {
    /// The title of the probe whose request is `request`.
    pub fn render(&self, request: &BrowserRequest) -> String {
        render_title(request, self.origin, self.page.as_deref(), self.method, &self.headers)
    }
}

/// A set of rules as bits (a rule's discriminant is its place in [`Rule::ALL`], which is also
/// its order): sorted and deduplicated without sorting.
#[derive(Default)]
struct RuleSet([u64; RuleSet::WORDS]);

impl RuleSet {
    const WORDS: usize = Rule::ALL.len().div_ceil(64);

    fn extend(&mut self, rules: &[Rule]) {
        for &rule in rules {
            let i = rule as usize;
            self.0[i / 64] |= 1 << (i % 64);
        }
    }

    fn into_sorted(self) -> Vec<Rule> {
        let mut out = Vec::with_capacity(self.0.iter().map(|w| w.count_ones() as usize).sum());
        for (w, mut word) in self.0.into_iter().enumerate() {
            while word != 0 {
                out.push(Rule::ALL[w * 64 + word.trailing_zeros() as usize]);
                word &= word - 1;
            }
        }
        out
    }
}

/// `bytes.escape_ascii()`, without the formatting machinery when nothing needs escaping.
fn push_escaped(t: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(plain) if is_plain(bytes) => t.push_str(plain),
        _ => {
            let _ = write!(t, "{}", bytes.escape_ascii());
        }
    }
}

/// Printable ASCII other than `\`, `'` and `"`: what `escape_ascii` and `escape_debug` leave
/// as they are.
fn is_plain(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| (0x20..0x7f).contains(&b) && !matches!(b, b'\\' | b'\'' | b'"'))
}

/// What the generators derive from a policy once, for many draws.
struct Generator<'p> {
    policy: &'p PolicyModel,
    url: &'p url::Url,
    origins: OriginBases,
    names: HeaderNames,
}

impl<'p> Generator<'p> {
    fn new(policy: &'p PolicyModel, url: &'p url::Url) -> Generator<'p> {
        Generator { policy, url, origins: OriginBases::of(policy), names: HeaderNames::of(policy) }
    }

    fn generated(&self, seed: u64, index: usize) -> Generated {
        // Most requests read well under 128 bytes; choices only ever read the next bytes
        // (`int_in_range`, never the remaining length), so a request that left some of the
        // prefix unread is exactly the one the whole stream gives. One that read it all is
        // drawn again from the whole stream.
        let prefix = rng::probe_bytes_prefix::<128>(seed, index as u64);
        let mut u = Unstructured::new(&prefix);
        // `Unstructured` answers every choice once its bytes run out: never an error here.
        let generated = self.generate(&mut u).expect("generation never fails on exhausted input");
        if !u.is_empty() {
            return generated;
        }
        let bytes = rng::probe_bytes(seed, index as u64);
        self.generate(&mut Unstructured::new(&bytes)).expect("generation never fails on exhausted input")
    }

    fn probe(&self, seed: u64, index: usize) -> Probe {
        self.generated(seed, index).into_probe(index)
    }

    fn generate(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<Generated> {
        let mode = [RequestMode::Cors, RequestMode::NoCors, RequestMode::SameOrigin][weighted(u, &[900, 60, 40])?];
        let origin = origin::origin(u, &self.origins, self.url)?;
        let credentials = [CredentialsMode::Omit, CredentialsMode::SameOrigin, CredentialsMode::Include]
            [weighted(u, &[200, 350, 450])?];
        let (method_class, method) = method::method(u, self.policy, mode == RequestMode::NoCors)?;
        let (headers, header_classes) = headers::headers(u, &self.names)?;
        let use_cors_preflight = chance(u, 40)? && mode == RequestMode::Cors;
        let private_network = chance(u, 20)?;
        let request = BrowserRequest {
            url: self.url.clone(),
            origin: origin.origin,
            method,
            headers,
            credentials,
            mode,
            use_cors_preflight,
            ua_report: false,
            private_network,
        };
        Ok(Generated {
            request,
            origin: origin.class,
            page: origin.page,
            method: method_class,
            headers: header_classes,
        })
    }
}

/// A policy and a request for it, drawn from fuzz input. The URL is one of [`FUZZ_URLS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCase {
    pub policy: PolicyModel,
    pub request: BrowserRequest,
}

/// Target URLs a [`GeneratedCase`] requests.
pub const FUZZ_URLS: [&str; 3] =
    ["http://api.example.test/data", "https://api.example.com/v1/items?page=2", "http://localhost:8080/"];

impl<'a> Arbitrary<'a> for GeneratedCase {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<GeneratedCase> {
        let GeneratedPolicy(policy) = GeneratedPolicy::arbitrary(u)?;
        let url = url::Url::parse(choose::one(u, &FUZZ_URLS)?).expect("valid URLs");
        let request = request_from(u, &policy, &url)?;
        Ok(GeneratedCase { policy, request })
    }
}

/// A scripted server that lets everything through for `request`: it reflects the request's
/// `Origin`, method and unsafe header names, allows credentials and private-network access,
/// and exposes `x-total-count` — the most permissive (and least safe) answers a server can
/// give. For tests and fuzz targets: every security divergence a policy can have shows up
/// against it.
pub fn permissive_script(request: &BrowserRequest) -> ServerScript {
    let origin = request.origin.serialized_bytes();
    let method = methods::normalize(&request.method);
    // The names the browser lists in Access-Control-Request-Headers (SAFE-3 after SAFE-4/5).
    let mut headers = HeaderList(
        request.headers.iter().filter(|h| !safelist::is_forbidden_request_header(&h.name, &h.value)).cloned().collect(),
    );
    if !headers.contains("accept") {
        headers.append(b"accept", b"*/*");
    }
    let names = safelist::cors_unsafe_request_header_names(&headers).join(",");
    let common = |status: u16| {
        let mut h = HeaderList::new();
        h.append(b"access-control-allow-origin", &origin);
        h.append(b"access-control-allow-credentials", b"true");
        h.append(b"vary", b"Origin");
        ServerResponse { status, headers: h }
    };
    let mut preflight = common(204);
    preflight.headers.append(b"access-control-allow-methods", method.as_bytes());
    if !names.is_empty() {
        preflight.headers.append(b"access-control-allow-headers", names.as_bytes());
    }
    preflight.headers.append(b"access-control-allow-private-network", b"true");
    let mut response = common(200);
    response.headers.append(b"access-control-expose-headers", b"x-total-count");
    response.headers.append(b"x-total-count", b"3");
    let mut script = ServerScript::new();
    script.insert(&request.url, UrlAnswers { preflight: Some(preflight), response: Some(response) });
    script
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_set_is_sort_and_dedup() {
        use crate::rule::Rule;
        for (i, rule) in Rule::ALL.iter().enumerate() {
            assert_eq!(*rule as usize, i, "Rule::ALL is in discriminant order");
        }
        let picks: Vec<Rule> = Rule::ALL.iter().rev().step_by(3).chain(Rule::ALL.iter().step_by(7)).copied().collect();
        let mut set = super::RuleSet::default();
        set.extend(&picks);
        let mut expected = picks.clone();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(set.into_sorted(), expected);
    }

    #[test]
    fn method_escapes_like_escape_debug() {
        for method in ["GET", "pUt", "x\"y", "a'b", "b\\c", "t\tab", "caf\u{e9}", "sp ace"] {
            // Plain text is left as is (the fast path is exact); the rest goes through
            // `escape_debug` anyway.
            if super::is_plain(method.as_bytes()) {
                assert_eq!(method.escape_debug().to_string(), method);
            }
        }
    }

    #[test]
    fn push_escaped_is_escape_ascii() {
        let all: Vec<u8> = (0..=255).collect();
        for bytes in all.chunks(1).chain([&all[..], b"x-request-id", b"a b\\c", "\u{e9}t\u{e9}".as_bytes()]) {
            let mut t = String::from("> ");
            super::push_escaped(&mut t, bytes);
            assert_eq!(t, format!("> {}", bytes.escape_ascii()), "{bytes:?}");
        }
    }
}
