//! The conformance catalogue: named probes with stable, h2spec-style IDs (`group/name`),
//! derived from a policy.
//!
//! [`catalogue`] turns a [`Policy`] and the URL of the resource under test into [`Probe`]s.
//! A probe carries only browser requests: what a page script asks for. No probe says what
//! should happen — the engine sends the requests, the oracle ([`crate::oracle`]) says what a
//! browser does with the answers, and [`crate::divergence::divergences`] compares that with the
//! policy's intent ([`crate::policy::intent`]). So the same catalogue judges a server that must
//! allow an origin and one that must refuse it.
//!
//! ```
//! use cors_harness::catalogue::catalogue;
//! use cors_harness::policy::Policy;
//!
//! let policy = Policy::from_toml_str(r#"origins = ["https://app.example.com"]"#, "p.toml")?.policy;
//! let url = url::Url::parse("http://api.example.test/data").unwrap();
//! let probes = catalogue(&policy, &url);
//! let prefix = probes.iter().find(|p| p.id == "origin/prefix-match").unwrap();
//! assert_eq!(prefix.requests[0].origin.serialize(), "https://app.example.com.evil.test");
//! # Ok::<(), cors_harness::policy::PolicyError>(())
//! ```
//!
//! # Where the probe origins come from
//!
//! Near misses are derived from the policy's own origin rules (one *seed* per rule): an exact
//! origin `https://app.example.com` is its own seed; a pattern `https://*.example.com` gives the
//! member `https://app.example.com` with the parent `example.com` as its site; `null` gives
//! none. The "site" of an exact origin is its last two labels (no public-suffix list). Each
//! candidate is written as a page URL and parsed ([`Origin::of_url`]), so every probe origin
//! is one a page can have; candidates the URL parser rejects are dropped, and an origin that is
//! same-origin with the target URL is never sent (that page makes no CORS request).
//!
//! Under `origins = ["*"]` every origin is allowed, so the near-miss groups have nothing to
//! test and are not emitted; the arbitrary, `null`, preflight, credentials, `Vary` and exposure
//! probes still run, from the sample origin `https://app.example.com` (or
//! `https://app.example.net` if that is the target's own origin). A policy with no origin at
//! all gets only the probes from origins it refuses.
//!
//! Origins a browser cannot send, and so no probe sends (they belong to raw-header tests, not
//! to a browser catalogue):
//! - upper case (`https://APP.example.com`): the URL parser lowercases scheme and host
//!   (ORIG-1). `origin/case` therefore sends what a page whose URL is written in upper case
//!   really sends — the lowercase, allowed origin — as a control.
//! - surrounding whitespace, a trailing slash, a path, userinfo: never part of a serialized
//!   origin (ORIG-1).
//! - a default port (`https://app.example.com:443`): dropped by the URL parser (ORIG-1);
//!   `origin/port` sends other ports.
//! - `%60` and other percent-escapes: the URL parser decodes a host, so the page
//!   `https://app.example.com%60.evil.test` sends `` https://app.example.com`.evil.test ``, the
//!   same origin as the backtick payload; the scanners' `%60` class is that backtick origin.
//! - `^`, `|`, `%0b` (and every other forbidden host code point): the URL parser rejects the
//!   URL, no page has such an origin.
//! - non-ASCII: sent as punycode (`origin/idn`).
//!
//! `origin/special-chars` sends the 18 characters the URL Standard (and so [`Origin::of_url`])
//! keeps in a host: `` _ - " { } + ! ~ ` ; & ' ( ) * , $ = ``. Real engines are stricter: per the
//! scanners' references (Corben Leo, "Advanced CORS Exploitation Techniques"; nuclei's
//! comments) Chromium and Firefox resolve only `_` (and `-`), Firefox also `$` and `+`, Safari
//! all of them. A divergence there is real for the browsers that produce the origin.
//!
//! Requests with no `Origin` at all (a same-origin `GET`, ORIG-4) are not in the catalogue:
//! [`crate::divergence::divergences`] reads a missing `Origin` as a disallowed origin, so a
//! correct server would show a security divergence on `vary/no-origin`. Likewise no probe uses
//! `no-cors` mode (a `no-cors` `POST` from an allowed origin makes the classifier panic: an
//! opaque verdict has no failure to report).
//!
//! # Credentials
//!
//! Origin probes send each origin twice, without and with credentials (`include`), as the
//! scanners report "credentials: true/false" (`origin/special-chars` only without: its
//! origins are many and a credentialed read needs all a non-credentialed read needs, CHK-5).
//! Preflight probes add a credentialed variant when the policy allows credentials (then the
//! server must echo the method, headers and origin instead of `*`, PRE-8/PRE-10, CHK-3).
//!
//! # The probes and the scanner classes they cover
//!
//! The scanners: [CORScanner](https://github.com/chenjj/CORScanner) (`common/corscheck.py`),
//! [Corsy](https://github.com/s0md3v/Corsy) (`core/tests.py`), nuclei-templates
//! `http/vulnerabilities/generic/cors-misconfig.yaml`, ZAP active scan rule 40040
//! (`CorsScanRule.java`). All four send a simple `GET` with an `Origin` header and read
//! `Access-Control-Allow-Origin`/`-Credentials`; none sends a preflight, checks `Vary` or
//! exposure. Their classes are covered as follows (`host` = the seed's host, `site` = its
//! registrable domain; the scanners derive from the target's host, the catalogue from the
//! policy's allowed origins).
//!
//! | probe | sends (origins from `https://app.example.com`) | scanner classes | rules |
//! |---|---|---|---|
//! | `origin/allowed` | every allowed origin (a member per pattern, `null` if listed) | ZAP payload 7 (the target's own origin: "CORS header"), Corsy's first request | ORIG-1, CHK-3, SRV-3, SRV-6 |
//! | `origin/reflect-arbitrary` | `https://evil.test`, `http://evil.test` | CORScanner `reflect_origin`; Corsy `origin reflected`, `wildcard value`; nuclei `https://rand.com`, `https://rand{RDN}`-style arbitrary domains; ZAP payload 1 | CHK-2, CHK-3, SRV-5, SRV-17 |
//! | `origin/null` | `null` | CORScanner `trust_null`; Corsy `null origin allowed`; nuclei `null`; ZAP payload 2 | ORIG-2, ORIG-3, CHK-3, SRV-4 |
//! | `origin/prefix-match` | `app.example.com.evil.test`, `app.example.comevil.test` (+ `example.com.evil.test` for a pattern) | CORScanner `prefix_match`; Corsy `post-domain wildcard`; nuclei `{FQDN}.rand.com`, `{FQDN}rand.com`; ZAP payload 4 | SRV-3, SRV-4 |
//! | `origin/suffix-match` | `evilapp.example.com`, `evilexample.com`, `http://evilexample.com` | CORScanner `suffix_match`; Corsy `pre-domain wildcard`; nuclei `rand{RDN}` (https, http), `http://s{RDN}` | SRV-3, SRV-4 |
//! | `origin/substring` | `app.example.co`, `xample.com` | CORScanner `include_match` ("substring match") | SRV-3, SRV-4 |
//! | `origin/unescaped-dot` | `appxexample.com`, `app.exampleacom`, `appaexampleacom` | CORScanner `not_escape_dot`; Corsy `unescaped regex`; nuclei `replace(FQDN,'.','a')` (https, http) | SRV-3, SRV-4 |
//! | `origin/scheme-downgrade` | `http://app.example.com` | CORScanner `https_trust_http`; Corsy `http origin allowed`; nuclei `http://` payloads; ZAP payload 6 | ORIG-1, SRV-3, SRV-4 |
//! | `origin/port` | `https://app.example.com:8443` (a seed with a port: the next port and the default port) | — | ORIG-1, SRV-3 |
//! | `origin/case` | the page `HTTPS://APP.EXAMPLE.COM/`, i.e. the allowed origin (control) | — (CORScanner compares case-insensitively) | ORIG-1, CHK-3, SRV-3 |
//! | `origin/special-chars` | `app.example.com{c}.evil.test` and `app.example.com.{c}.evil.test` for every character above | CORScanner `special_characters_bypass`; Corsy `unrecognized underscore` (`_`), `broken parser` (`%60`); nuclei `_`, `%60`, `.$.` … `._.`; ZAP payload 5 (`%60`) | ORIG-1, SRV-3, SRV-4 |
//! | `origin/idn` | `аpp.example.com` with a Cyrillic `а` (sent as `xn--pp-6kc.example.com`) | — | ORIG-1, SRV-3 |
//! | `origin/any-subdomain` | `evil.app.example.com`, `evil.example.com`, `http://evil.example.com` | CORScanner `trust_any_subdomain`; nuclei `rand.{RDN}` (https, http); ZAP payload 3 | SRV-4 |
//! | `origin/parent-domain` | `https://example.com` | — | SRV-4 |
//! | `origin/third-party` | `https://whatever.github.io`, `http://jsbin.com`, `https://codepen.io`, `https://jsfiddle.net`, `http://www.webdevout.net`, `https://repl.it` | CORScanner `custom_third_parties` (`origins.json`); Corsy `third party allowed` | SRV-4 |
//! | `origin/localhost` | `https://localhost.evil.test`, `http://localhost.evil.test` | nuclei `localhost.rand.com` (https, http) | SRV-4 |
//! | `preflight/allowed-method` | each listed non-safelisted method (`PUT`, `PATCH` under `*`) | — | PRE-1, PRE-3, PRE-5, PRE-8, SRV-10, SRV-11, SRV-12 |
//! | `preflight/disallowed-method` | a method the policy does not allow (`PUT`, `DELETE`, `PATCH` or `CHICKEN`) | — | PRE-8, SRV-12, SRV-15 |
//! | `preflight/method-case` | `patch` (METH-3 keeps it lower case), the other case of listed methods, `put` (normalized) | — | METH-3, METH-4, PRE-8, SRV-12 |
//! | `preflight/allowed-header` | each listed request header, with a value that is not safelisted | — | SAFE-3, PRE-3, PRE-10, SRV-13 |
//! | `preflight/unlisted-header` | `X-Unlisted-Header` | — | PRE-10, SRV-13, SRV-15 |
//! | `preflight/header-case` | a listed header as `X-Request-Id` and `X-REQUEST-ID` | — | HDR-1, PRE-3, PRE-10 |
//! | `preflight/many-headers` | every listed header at once, then with one unlisted more (24 custom headers under `*`) | — | SAFE-3, PRE-3, PRE-10, SRV-13 |
//! | `preflight/authorization` | `Authorization: Bearer …` | — | SAFE-6, PRE-9, SRV-13 |
//! | `preflight/wildcard-credentials` | a credentialed preflighted request (policy with credentials) | — | CHK-5, CHK-6, PRE-8, PRE-10, SRV-7, SRV-12, SRV-13 |
//! | `preflight/status` | an allowed preflighted request and an XHR-upload-style forced preflight (`POST`) | — | PRE-1, PRE-5, PRE-7, SRV-10 |
//! | `preflight/disallowed-origin` | a preflighted request from `https://evil.test` | — | CHK-6, SRV-18 |
//! | `credentials/allowed` | credentialed `GET` and preflighted request (policy with credentials) | Corsy/ZAP/nuclei rate `Access-Control-Allow-Credentials: true` | CHK-5, CHK-6, SRV-7 |
//! | `credentials/not-allowed` | the same, policy without credentials | — | CHK-4, CHK-5, SRV-7 |
//! | `credentials/wildcard` | credentialed `GET` from arbitrary origins (`origins = ["*"]`) | ZAP/Corsy `*` ratings | CHK-2, CHK-3, SRV-5, SRV-7 |
//! | `vary/actual` | `GET` from the allowed origin (and credentialed) | — | VARY-1, SRV-9 |
//! | `vary/actual-disallowed` | `GET` from `https://evil.test` | — | VARY-3, SRV-9, SRV-17 |
//! | `vary/preflight` | a preflight from the allowed origin and from `https://evil.test` | — | VARY-1, VARY-3, SRV-9 |
//! | `expose/listed` | `GET` and preflighted request (policy exposing headers) | — | EXP-1, EXP-2, SRV-8 |
//! | `expose/unlisted` | the same (policy exposing nothing) | — | EXP-1, EXP-2, SRV-8 |
//! | `expose/wildcard-credentials` | credentialed `GET` (policy exposing headers, with credentials) | — | EXP-2, SRV-8 |
//! | `private-network/allowed` | a private-network `GET` (policy with `private_network`) | — | PNA-1, PNA-3, SRV-20 |
//! | `private-network/disallowed-origin` | the same from `https://evil.test` | — | PNA-1, SRV-20 |
//!
//! Corsy's `invalid value` class is in its `db/details.json` but no test emits it.
//! `harness/CATALOGUE.md` holds the same table for readers outside rustdoc.

mod origins;

use crate::origin::Origin;
use crate::policy::{AllowedMethods, AllowedNames, AllowedOrigins, Policy};
use crate::probe::Probe;
use crate::request::{BrowserRequest, CredentialsMode};
use crate::rule::Rule;
use crate::{method, safelist};

use origins::{Seed, fixed};

/// The named probes for `policy` against the target at `url` (e.g.
/// `http://api.example.test/data`), in a stable order: origin, preflight, credentials, vary,
/// expose, private-network; a probe never has zero requests.
pub fn catalogue(policy: &Policy, url: &url::Url) -> Vec<Probe> {
    let cx = Context::new(policy, url);
    let mut out = Vec::new();
    cx.origin_probes(&mut out);
    cx.preflight_probes(&mut out);
    cx.credentials_probes(&mut out);
    cx.vary_probes(&mut out);
    cx.expose_probes(&mut out);
    cx.private_network_probes(&mut out);
    out
}

/// The sample origin under `origins = ["*"]`, and its fallback if the target is that origin.
const ANY_SAMPLE: [&str; 2] = ["https://app.example.com", "https://app.example.net"];

/// Arbitrary attacker origins.
const ARBITRARY: [&str; 2] = ["https://evil.test", "http://evil.test"];

/// CORScanner's `origins.json`: third-party hosts where anyone can publish a page.
const THIRD_PARTIES: [&str; 6] = [
    "https://whatever.github.io",
    "http://jsbin.com",
    "https://codepen.io",
    "https://jsfiddle.net",
    "http://www.webdevout.net",
    "https://repl.it",
];

/// nuclei's "localhost regex implementation edge case".
const LOCALHOST: [&str; 2] = ["https://localhost.evil.test", "http://localhost.evil.test"];

/// Methods tried when the policy allows any method, and candidates for a disallowed one.
const ANY_METHODS: [&str; 2] = ["PUT", "PATCH"];
const DISALLOWED_CANDIDATES: [&str; 4] = ["PUT", "DELETE", "PATCH", "CHICKEN"];

/// A request header name tried when the policy allows any, and one no policy lists.
const ANY_HEADER: &str = "x-custom-header";
const UNLISTED_HEADER: &str = "X-Unlisted-Header";

/// One kind of near miss, derived from a seed.
type Derive = fn(&Seed) -> Vec<Option<Origin>>;

struct Context<'a> {
    policy: &'a Policy,
    url: &'a url::Url,
    any: bool,
    /// Every allowed origin a page can have: exact ones, a member per pattern, `null`.
    allowed: Vec<Origin>,
    /// The allowed origin the non-origin groups send from.
    sample: Option<Origin>,
    seeds: Vec<Seed>,
    /// `https://evil.test`, `http://evil.test` (unless the target is one of them).
    arbitrary: Vec<Origin>,
    /// Allowed methods that need a preflight and script can send.
    methods: Vec<String>,
    /// Allowed request header names (not `authorization`, not forbidden ones).
    headers: Vec<String>,
    /// Every allowed request header name script can set, `authorization` included.
    all_headers: Vec<String>,
}

impl<'a> Context<'a> {
    fn new(policy: &'a Policy, url: &'a url::Url) -> Context<'a> {
        let cross = |o: &Origin| !o.same_origin_as_url(url);
        let any = policy.origins.is_any();
        let mut allowed = Vec::new();
        let mut seeds = Vec::new();
        match &policy.origins {
            AllowedOrigins::Any => {
                allowed.extend(ANY_SAMPLE.iter().filter_map(|o| fixed(o)).filter(cross).take(1));
            }
            AllowedOrigins::List(rules) => {
                for rule in rules {
                    match Seed::of_rule(rule) {
                        Some(seed) if cross(&seed.origin) => {
                            push_unique(&mut allowed, seed.origin.clone());
                            seeds.push(seed);
                        }
                        Some(_) => {}
                        None => push_unique(&mut allowed, Origin::Opaque),
                    }
                }
            }
        }
        let sendable = |m: &str| !method::is_cors_safelisted(m) && !method::is_forbidden(m);
        let methods: Vec<String> = match &policy.methods {
            AllowedMethods::Any => ANY_METHODS.iter().map(|m| (*m).to_owned()).collect(),
            AllowedMethods::List(list) => {
                list.iter().map(|m| m.as_str()).filter(|m| sendable(m)).map(str::to_owned).collect()
            }
        };
        let settable = |n: &str| !safelist::is_forbidden_request_header(n.as_bytes(), unsafe_value(n).as_bytes());
        let all_headers: Vec<String> = match &policy.allow_headers {
            AllowedNames::Any => vec![ANY_HEADER.to_owned()],
            AllowedNames::List(list) => {
                list.iter().map(|n| n.as_str()).filter(|n| settable(n)).map(str::to_owned).collect()
            }
        };
        let headers = all_headers.iter().filter(|n| *n != "authorization").cloned().collect();
        Context {
            policy,
            url,
            any,
            sample: allowed.first().cloned(),
            allowed,
            seeds,
            arbitrary: ARBITRARY.iter().filter_map(|o| fixed(o)).filter(cross).collect(),
            methods,
            headers,
            all_headers,
        }
    }

    fn cross(&self, origin: &Origin) -> bool {
        !origin.same_origin_as_url(self.url)
    }

    /// `fetch(url)` from `origin`: `GET`, credentials `same-origin` (not sent cross-origin).
    fn get(&self, origin: &Origin) -> BrowserRequest {
        BrowserRequest::fetch(origin.clone(), self.url.clone())
    }

    /// The first allowed request that needs a preflight: an allowed method with an allowed
    /// header if there is one, or `GET` with an allowed header. `None` if the policy allows
    /// neither.
    fn preflighted(&self, origin: &Origin) -> Option<BrowserRequest> {
        let header = self.headers.first().or(self.all_headers.first());
        let request = match (self.methods.first(), header) {
            (Some(m), _) => self.get(origin).method(m),
            (None, Some(_)) => self.get(origin),
            (None, None) => return None,
        };
        Some(match header {
            Some(h) => request.header(h, unsafe_value(h)),
            None => request,
        })
    }

    /// An XHR upload with a listener: a `POST` with a safelisted body type and the
    /// use-CORS-preflight flag, preflighted with `Access-Control-Request-Method: POST` and no
    /// request headers (PRE-1, PRE-7).
    fn forced_preflight(&self, origin: &Origin) -> BrowserRequest {
        let mut request = self.get(origin).method("POST").header("Content-Type", "text/plain;charset=UTF-8");
        request.use_cors_preflight = true;
        request
    }

    fn preflighted_or_forced(&self, origin: &Origin) -> BrowserRequest {
        self.preflighted(origin).unwrap_or_else(|| self.forced_preflight(origin))
    }

    /// Each origin without and with credentials.
    fn both_credentials(&self, origins: &[Origin]) -> Vec<BrowserRequest> {
        origins.iter().flat_map(|o| [self.get(o), self.get(o).credentials(CredentialsMode::Include)]).collect()
    }

    /// `requests`, followed by their credentialed forms when the policy allows credentials.
    fn and_credentialed(&self, requests: Vec<BrowserRequest>) -> Vec<BrowserRequest> {
        if !self.policy.credentials {
            return requests;
        }
        let credentialed: Vec<BrowserRequest> =
            requests.iter().map(|r| r.clone().credentials(CredentialsMode::Include)).collect();
        requests.into_iter().chain(credentialed).collect()
    }

    /// Near misses of one kind over every seed: cross-origin to the target, not the seed they
    /// come from (unless `keep_seed`), each once.
    fn derived(&self, keep_seed: bool, derive: Derive) -> Vec<Origin> {
        let mut out = Vec::new();
        for seed in &self.seeds {
            for origin in derive(seed).into_iter().flatten() {
                if self.cross(&origin) && (keep_seed || origin != seed.origin) {
                    push_unique(&mut out, origin);
                }
            }
        }
        out
    }

    fn fixed_list(&self, list: &[&str]) -> Vec<Origin> {
        list.iter().filter_map(|o| fixed(o)).filter(|o| self.cross(o)).collect()
    }

    fn origin_probes(&self, out: &mut Vec<Probe>) {
        use Rule::*;
        let allowed = if self.policy.credentials {
            self.both_credentials(&self.allowed)
        } else {
            self.allowed.iter().map(|o| self.get(o)).collect()
        };
        push(
            out,
            "origin/allowed",
            "Every allowed origin can read the response (with credentials when the policy allows them).",
            &[Orig1, Chk3, Srv3, Srv6],
            allowed,
        );
        push(
            out,
            "origin/reflect-arbitrary",
            "An arbitrary origin is not reflected into Access-Control-Allow-Origin.",
            &[Chk2, Chk3, Srv5, Srv17],
            self.both_credentials(&self.arbitrary),
        );
        push(
            out,
            "origin/null",
            "The null origin (sandboxed iframes, data: URLs, tainting redirects) is refused unless listed.",
            &[Orig2, Orig3, Chk3, Srv4],
            self.both_credentials(&[Origin::Opaque]),
        );
        let near_misses: [(&str, &str, &[Rule], Derive); 11] = [
            (
                "origin/prefix-match",
                "An allowed origin followed by more host (app.example.com.evil.test) is refused.",
                &[Srv3, Srv4],
                Seed::prefix_match,
            ),
            (
                "origin/suffix-match",
                "A host ending in an allowed host or site without the dot (evilexample.com) is refused.",
                &[Srv3, Srv4],
                Seed::suffix_match,
            ),
            (
                "origin/substring",
                "An origin the allowed one contains (app.example.co, xample.com) is refused.",
                &[Srv3, Srv4],
                Seed::substring,
            ),
            (
                "origin/unescaped-dot",
                "An allowed host with a dot replaced by a letter (appxexample.com) is refused.",
                &[Srv3, Srv4],
                Seed::unescaped_dot,
            ),
            (
                "origin/scheme-downgrade",
                "The http origin of an allowed https host is refused.",
                &[Orig1, Srv3, Srv4],
                Seed::scheme_downgrade,
            ),
            ("origin/port", "An allowed host on another port is refused.", &[Orig1, Srv3], Seed::port),
            (
                "origin/case",
                "A page whose URL is written in upper case sends the lowercase origin, which is allowed.",
                &[Orig1, Chk3, Srv3],
                Seed::case,
            ),
            (
                "origin/special-chars",
                "An allowed host followed by a special character (_ ` ! ~ $ ...) and another domain is refused.",
                &[Orig1, Srv3, Srv4],
                Seed::special_chars,
            ),
            (
                "origin/idn",
                "An allowed host with a look-alike Unicode letter (sent as punycode) is refused.",
                &[Orig1, Srv3],
                Seed::idn,
            ),
            (
                "origin/any-subdomain",
                "A subdomain of an allowed host or site is refused unless a pattern allows it.",
                &[Srv4],
                Seed::any_subdomain,
            ),
            (
                "origin/parent-domain",
                "The registrable domain of an allowed host (or a pattern's parent) is refused unless listed.",
                &[Srv4],
                Seed::parent_domain,
            ),
        ];
        for (id, title, rules, derive) in near_misses {
            // `origin/case` sends the allowed origin itself (a control); `origin/special-chars`
            // only without credentials (many origins; see the module docs).
            let origins = self.derived(id == "origin/case", derive);
            let requests = match id {
                "origin/case" | "origin/special-chars" => origins.iter().map(|o| self.get(o)).collect(),
                _ => self.both_credentials(&origins),
            };
            push(out, id, title, rules, requests);
        }
        if !self.any {
            push(
                out,
                "origin/third-party",
                "Origins where anyone can publish a page (github.io, codepen.io, ...) are refused unless listed.",
                &[Srv4],
                self.both_credentials(&self.fixed_list(&THIRD_PARTIES)),
            );
            push(
                out,
                "origin/localhost",
                "localhost followed by another domain (localhost.evil.test) is refused.",
                &[Srv4],
                self.both_credentials(&self.fixed_list(&LOCALHOST)),
            );
        }
    }

    fn preflight_probes(&self, out: &mut Vec<Probe>) {
        use Rule::*;
        if let Some(s) = &self.sample {
            let allowed_methods: Vec<BrowserRequest> = self.methods.iter().map(|m| self.get(s).method(m)).collect();
            push(
                out,
                "preflight/allowed-method",
                "Each allowed method that needs a preflight passes it.",
                &[Pre1, Pre3, Pre5, Pre8, Srv10, Srv11, Srv12],
                self.and_credentialed(allowed_methods),
            );
            let disallowed = DISALLOWED_CANDIDATES.iter().find(|m| !self.policy.methods.contains(m));
            push(
                out,
                "preflight/disallowed-method",
                "A method the policy does not allow fails its preflight.",
                &[Pre8, Srv12, Srv15],
                disallowed.map(|m| self.get(s).method(m)).into_iter().collect(),
            );
            push(
                out,
                "preflight/method-case",
                "Methods are matched case-sensitively after normalization: patch stays patch, put becomes PUT.",
                &[Meth3, Meth4, Pre8, Srv12],
                self.method_case().iter().map(|m| self.get(s).method(m)).collect(),
            );
            let allowed_headers: Vec<BrowserRequest> =
                self.headers.iter().map(|h| self.get(s).header(h, unsafe_value(h))).collect();
            push(
                out,
                "preflight/allowed-header",
                "Each allowed request header passes the preflight.",
                &[Safe3, Pre3, Pre10, Srv13],
                self.and_credentialed(allowed_headers),
            );
            if !self.policy.allow_headers.is_any() {
                push(
                    out,
                    "preflight/unlisted-header",
                    "A request header the policy does not list fails the preflight.",
                    &[Pre10, Srv13, Srv15],
                    vec![self.get(s).header(UNLISTED_HEADER, "1")],
                );
            }
            let header_case: Vec<BrowserRequest> = self
                .headers
                .first()
                .map(|h| {
                    let value = unsafe_value(h);
                    vec![self.get(s).header(&title_case(h), value), self.get(s).header(&h.to_ascii_uppercase(), value)]
                })
                .unwrap_or_default();
            push(
                out,
                "preflight/header-case",
                "Request header names match case-insensitively (X-Request-Id, X-REQUEST-ID).",
                &[Hdr1, Pre3, Pre10],
                header_case,
            );
            push(
                out,
                "preflight/many-headers",
                "Every allowed request header at once passes the preflight; one unlisted more fails it.",
                &[Safe3, Pre3, Pre10, Srv13],
                self.many_headers(s),
            );
            push(
                out,
                "preflight/authorization",
                "Authorization passes only if listed: a * in Access-Control-Allow-Headers never covers it.",
                &[Safe6, Pre9, Srv13],
                self.and_credentialed(vec![self.get(s).header("Authorization", unsafe_value("authorization"))]),
            );
            if self.policy.credentials {
                push(
                    out,
                    "preflight/wildcard-credentials",
                    "A credentialed preflight passes: the server echoes method, headers and origin instead of *.",
                    &[Chk5, Chk6, Pre8, Pre10, Srv7, Srv12, Srv13],
                    self.preflighted(s).map(|r| r.credentials(CredentialsMode::Include)).into_iter().collect(),
                );
            }
            push(
                out,
                "preflight/status",
                "Allowed preflights, including a forced one for a POST upload, get a 2xx answer.",
                &[Pre1, Pre5, Pre7, Srv10],
                self.preflighted(s).into_iter().chain([self.forced_preflight(s)]).collect(),
            );
        }
        if !self.any {
            push(
                out,
                "preflight/disallowed-origin",
                "A preflight from an origin the policy does not allow fails.",
                &[Chk6, Srv18],
                self.arbitrary.first().map(|o| self.preflighted_or_forced(o)).into_iter().collect(),
            );
        }
    }

    /// `patch` (never normalized), then the other case of each listed method: `put` for `PUT`
    /// (normalized back to `PUT`), `Patch`-style for the others.
    fn method_case(&self) -> Vec<String> {
        let mut out = vec!["patch".to_owned()];
        let listed: Vec<&str> = match &self.policy.methods {
            AllowedMethods::Any => vec!["PUT"],
            AllowedMethods::List(_) => self.methods.iter().map(String::as_str).collect(),
        };
        for m in listed {
            let variant =
                if m.bytes().any(|b| b.is_ascii_uppercase()) { m.to_ascii_lowercase() } else { m.to_ascii_uppercase() };
            if !out.contains(&variant) {
                out.push(variant);
            }
        }
        out
    }

    fn many_headers(&self, s: &Origin) -> Vec<BrowserRequest> {
        if self.policy.allow_headers.is_any() {
            let mut request = self.get(s);
            for i in 1..=24 {
                request = request.header(&format!("x-custom-{i:02}"), "1");
            }
            return self.and_credentialed(vec![request]);
        }
        if self.all_headers.len() < 2 {
            return Vec::new();
        }
        let all = self.all_headers.iter().fold(self.get(s), |r, h| r.header(h, unsafe_value(h)));
        let one_more = all.clone().header(UNLISTED_HEADER, "1");
        self.and_credentialed(vec![all, one_more])
    }

    fn credentials_probes(&self, out: &mut Vec<Probe>) {
        use Rule::*;
        if let Some(s) = &self.sample {
            let requests: Vec<BrowserRequest> = [Some(self.get(s)), self.preflighted(s)]
                .into_iter()
                .flatten()
                .map(|r| r.credentials(CredentialsMode::Include))
                .collect();
            if self.policy.credentials {
                push(
                    out,
                    "credentials/allowed",
                    "An allowed origin can read with credentials, simple and preflighted.",
                    &[Chk5, Chk6, Srv7],
                    requests,
                );
            } else {
                push(
                    out,
                    "credentials/not-allowed",
                    "Without credentials in the policy, no credentialed read succeeds.",
                    &[Chk4, Chk5, Srv7],
                    requests,
                );
            }
        }
        if self.any {
            push(
                out,
                "credentials/wildcard",
                "Under origins = [\"*\"], credentialed reads succeed exactly when the policy allows credentials (* alone never does).",
                &[Chk2, Chk3, Srv5, Srv7],
                self.arbitrary
                    .iter()
                    .chain([&Origin::Opaque])
                    .map(|o| self.get(o).credentials(CredentialsMode::Include))
                    .collect(),
            );
        }
    }

    fn vary_probes(&self, out: &mut Vec<Probe>) {
        use Rule::*;
        if let Some(s) = &self.sample {
            push(
                out,
                "vary/actual",
                "A response whose CORS headers depend on Origin says Vary: Origin.",
                &[Vary1, Srv9],
                self.and_credentialed(vec![self.get(s)]),
            );
        }
        if !self.any {
            push(
                out,
                "vary/actual-disallowed",
                "A response to a refused origin, without CORS headers, still says Vary: Origin.",
                &[Vary3, Srv9, Srv17],
                self.arbitrary.first().map(|o| self.get(o)).into_iter().collect(),
            );
        }
        let mut preflights: Vec<BrowserRequest> = self.sample.iter().map(|s| self.preflighted_or_forced(s)).collect();
        if !self.any {
            preflights.extend(self.arbitrary.first().map(|o| self.preflighted_or_forced(o)));
        }
        push(
            out,
            "vary/preflight",
            "Preflight answers, for allowed and refused origins, say Vary: Origin.",
            &[Vary1, Vary3, Srv9],
            preflights,
        );
    }

    fn expose_probes(&self, out: &mut Vec<Probe>) {
        use Rule::*;
        let Some(s) = &self.sample else { return };
        let requests: Vec<BrowserRequest> = [Some(self.get(s)), self.preflighted(s)].into_iter().flatten().collect();
        let exposes = match &self.policy.expose_headers {
            AllowedNames::Any => true,
            AllowedNames::List(list) => !list.is_empty(),
        };
        if exposes {
            push(
                out,
                "expose/listed",
                "Script reads every header the policy exposes, and no other.",
                &[Exp1, Exp2, Srv8],
                requests,
            );
            if self.policy.credentials {
                push(
                    out,
                    "expose/wildcard-credentials",
                    "With credentials the exposed headers are still readable: * exposes nothing then.",
                    &[Exp2, Srv8],
                    vec![self.get(s).credentials(CredentialsMode::Include)],
                );
            }
        } else {
            push(
                out,
                "expose/unlisted",
                "Script reads no header beyond the safelisted ones: the policy exposes none.",
                &[Exp1, Exp2, Srv8],
                requests,
            );
        }
    }

    fn private_network_probes(&self, out: &mut Vec<Probe>) {
        use Rule::*;
        if !self.policy.private_network {
            return;
        }
        let private = |mut r: BrowserRequest| {
            r.private_network = true;
            r
        };
        if let Some(s) = &self.sample {
            push(
                out,
                "private-network/allowed",
                "An allowed origin's private-network request passes its preflight.",
                &[Pna1, Pna3, Srv20],
                self.and_credentialed(vec![private(self.get(s))]),
            );
        }
        if !self.any {
            push(
                out,
                "private-network/disallowed-origin",
                "A refused origin's private-network request fails.",
                &[Pna1, Srv20],
                self.arbitrary.first().map(|o| private(self.get(o))).into_iter().collect(),
            );
        }
    }
}

/// A value that makes the header CORS-unsafe (SAFE-1/2), so that it needs a preflight.
fn unsafe_value(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "content-type" => "application/json",
        // `(` and `)` are CORS-unsafe bytes (SAFE-2) and not in the language safelist.
        "accept" | "accept-language" | "content-language" => "(cors-harness)",
        // A suffix range is not safelisted (SAFE-1).
        "range" => "bytes=-500",
        "authorization" => "Bearer cors-harness",
        _ => "cors-harness",
    }
}

/// `x-request-id` → `X-Request-Id`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn push_unique(list: &mut Vec<Origin>, origin: Origin) {
    if !list.contains(&origin) {
        list.push(origin);
    }
}

/// Adds a probe unless it has no request (that group has nothing to test for this policy).
fn push(out: &mut Vec<Probe>, id: &str, title: &str, rules: &[Rule], requests: Vec<BrowserRequest>) {
    if requests.is_empty() {
        return;
    }
    out.push(Probe { id: id.to_owned(), title: title.into(), rules: rules.to_vec(), requests });
}

#[cfg(test)]
mod tests;
