//! Divergences: where what a browser does with a server's answers (the [`Verdict`]) differs
//! from what the policy's owner meant (the [`Intent`](crate::policy::Intent)), or where the
//! server breaks a protocol rule with no immediate browser effect.
//!
//! Classes (design note): `security` — the browser allows what the policy does not;
//! `functional` — the policy allows it but the browser blocks; `protocol` — a server-side rule
//! broken (missing `Vary`, malformed CORS headers) with real but indirect risk. (`execution`
//! divergences — panics, hangs, resets — come from the driver, not from a verdict.)

use std::borrow::Cow;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::oracle::verdict::{Outcome, Tainting, Verdict};
use crate::policy::{AllowedOrigins, ExposedIntent, IntentQuery, OriginRule, Policy, origin_allowed};
use crate::request::BrowserRequest;
use crate::response::ServerResponse;
use crate::rule::Rule;
use crate::{method, safelist};

/// How bad a divergence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DivergenceClass {
    Security,
    Functional,
    Protocol,
    Execution,
}

/// One divergence: its class, the rule it rests on, and a sentence a web developer understands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Divergence {
    pub class: DivergenceClass,
    /// The digest rule broken; `None` for execution divergences (panic, hang, reset), which
    /// break HTTP itself rather than a CORS rule.
    pub rule: Option<Rule>,
    pub explanation: String,
}

impl Divergence {
    pub fn new(class: DivergenceClass, rule: Rule, explanation: impl Into<String>) -> Divergence {
        Divergence { class, rule: Some(rule), explanation: explanation.into() }
    }

    /// A target that failed to answer: panicked, hung, reset the connection, sent garbage.
    pub fn execution(explanation: impl Into<String>) -> Divergence {
        Divergence { class: DivergenceClass::Execution, rule: None, explanation: explanation.into() }
    }
}

/// Compares one browser request's verdict with the policy's intent and checks the server's
/// answers for protocol rules. Empty when the server did exactly what the policy means.
///
/// For many verdicts under one policy, build a [`PolicyCheck`] once and call
/// [`PolicyCheck::divergences`]: same answers, with what depends only on the policy derived
/// once.
pub fn divergences(policy: &Policy, request: &BrowserRequest, verdict: &Verdict) -> Vec<Divergence> {
    PolicyCheck::new(policy).divergences(request, verdict)
}

/// [`divergences`] for one policy and many verdicts: the parts of the policy's intent that do
/// not depend on the request (exposed headers, the constant `Access-Control-Allow-Origin`)
/// are derived once, and whether an `Origin` value is allowed (a URL parse) is remembered per
/// distinct value. The answers are exactly those of [`Policy::intent`] (checked in debug
/// builds on every call).
pub struct PolicyCheck<'p> {
    policy: &'p Policy,
    exposed: ExposedIntent,
    constant: Option<Constant>,
    /// [`origin_allowed`] per `Origin` value seen, at most [`ORIGIN_MEMO`] of them.
    origins: Mutex<FxHashMap<Box<[u8]>, bool>>,
}

/// Distinct `Origin` values remembered per [`PolicyCheck`] (generated probes draw from a few
/// dozen; anything beyond is simply recomputed).
const ORIGIN_MEMO: usize = 1024;

impl<'p> PolicyCheck<'p> {
    pub fn new(policy: &'p Policy) -> PolicyCheck<'p> {
        // The exposure intent does not depend on the request: take it from the policy's own
        // definition once.
        let exposed = policy
            .intent(&IntentQuery {
                origin: b"null",
                method: "GET",
                unsafe_header_names: &[],
                credentials: crate::request::CredentialsMode::Omit,
            })
            .exposed;
        PolicyCheck { policy, exposed, constant: constant_allow_origin(policy), origins: Mutex::default() }
    }

    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// [`origin_allowed`], remembered.
    fn origin_allowed(&self, origin: &[u8]) -> bool {
        let mut memo = self.origins.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&allowed) = memo.get(origin) {
            return allowed;
        }
        let allowed = origin_allowed(&self.policy.origins, origin);
        if memo.len() < ORIGIN_MEMO {
            memo.insert(origin.into(), allowed);
        }
        allowed
    }

    /// See [`divergences`].
    pub fn divergences(&self, request: &BrowserRequest, verdict: &Verdict) -> Vec<Divergence> {
        use DivergenceClass::*;
        let policy = self.policy;
        let mut found = Vec::new();
        if matches!(verdict.outcome, Outcome::ScriptError(_)) {
            return found; // Nothing was sent: the server had no say.
        }
        // The request as the policy sees it: the bytes the browser sent (ORIG-5 taint included).
        let origin = verdict.last_actual().or(verdict.first_preflight()).and_then(|r| r.origin()).unwrap_or(b"");
        let normalized = method::normalize(&request.method);
        // `Policy::intent`, field by field, with the request-independent parts taken from `self`.
        let origin_allowed = self.origin_allowed(origin);
        let method_allowed = method::is_cors_safelisted(&normalized) || policy.methods.contains(&normalized);
        let credentials_allowed = policy.credentials;
        let credentials_ok = !request.credentials.is_include() || policy.credentials;
        // The names the browser asks the server about (its profile's SAFE-1/3: Chromium combines
        // repeated names first), which is what `allow_headers` answers.
        let unsafe_names: &[String] = &verdict.unsafe_header_names;
        let disallowed_headers: Vec<&String> =
            unsafe_names.iter().filter(|n| !policy.allow_headers.contains(n)).collect();
        let intent_readable = origin_allowed && method_allowed && disallowed_headers.is_empty() && credentials_ok;
        #[cfg(debug_assertions)]
        {
            let intent = policy.intent(&IntentQuery {
                origin,
                method: &normalized,
                unsafe_header_names: unsafe_names,
                credentials: request.credentials,
            });
            debug_assert_eq!(
                (
                    intent.origin_allowed,
                    intent.method_allowed,
                    intent.disallowed_headers.iter().collect::<Vec<_>>(),
                    intent.credentials_allowed,
                    intent.readable,
                    &intent.exposed
                ),
                (
                    origin_allowed,
                    method_allowed,
                    disallowed_headers.clone(),
                    credentials_allowed,
                    intent_readable,
                    &self.exposed
                ),
                "PolicyCheck departs from Policy::intent"
            );
        }
        let shown_origin = String::from_utf8_lossy(origin);
        // The policy's intent is about cross-origin reads under the CORS protocol: a same-origin
        // response (basic tainting, often sent without `Origin`) and a `no-cors` one (opaque,
        // script reads nothing whatever the server says, MISC-1) have no intent to compare with.
        // The protocol rules below still apply to their answers.
        let cors_read = !matches!(verdict.outcome, Outcome::Opaque)
            && verdict.hops.last().is_some_and(|hop| hop.tainting == Tainting::Cors);
        // A Private Network Access preflight (PNA-1) asks for more than a read: only a policy
        // with `private_network` means to grant it (SRV-20).
        let pna_asked = verdict.hops.iter().any(|hop| {
            hop.preflight.as_ref().is_some_and(|e| e.request.headers.contains("access-control-request-private-network"))
        });
        let meant_readable = intent_readable && (!pna_asked || policy.private_network);

        match (verdict.readable() && cors_read, meant_readable && cors_read) {
            (true, false) => {
                let (rule, why) = if pna_asked && !policy.private_network && intent_readable {
                    (
                        Rule::Srv20,
                        format!(
                            "{shown_origin} can reach this private-network resource, but the policy does not allow private-network access"
                        ),
                    )
                } else if !origin_allowed {
                    (
                        Rule::Srv4,
                        format!("{shown_origin} can read this response, but the policy does not allow that origin"),
                    )
                } else if request.credentials.is_include() && !credentials_allowed {
                    (
                        Rule::Srv7,
                        format!(
                            "{shown_origin} can read this response with the user's cookies, but the policy does not allow credentials"
                        ),
                    )
                } else if !method_allowed {
                    (Rule::Srv12, format!("{shown_origin} can send {normalized}, which the policy does not allow"))
                } else {
                    let names: Vec<&str> = disallowed_headers.iter().map(|n| n.as_str()).collect();
                    (
                        Rule::Srv13,
                        format!("{shown_origin} can send headers the policy does not allow: {}", names.join(", ")),
                    )
                };
                found.push(Divergence::new(Security, rule, why));
            }
            (false, true) => {
                let failure = verdict.failure().expect("an unreadable, non-opaque verdict has a failure");
                found.push(Divergence::new(
                    Functional,
                    failure.rule,
                    format!(
                        "the policy allows this request from {shown_origin}, but the browser blocks it: {}",
                        failure.explanation
                    ),
                ));
            }
            _ => {}
        }

        if let (Outcome::Shared { exposed, .. }, true) = (&verdict.outcome, meant_readable && cors_read) {
            let response = verdict.hops.last().and_then(|h| h.actual.as_ref()).map(|e| &e.response);
            for name in response.map(|r| r.headers.iter().map(|h| lowercase(&h.name))).into_iter().flatten() {
                let meant = match &self.exposed {
                    // `*` means the resource's own headers. The CORS layer's plumbing (the
                    // `Access-Control-*` answers themselves and `Vary`) and HTTP/1.1's hop-by-hop
                    // headers (RFC 9110 §7.6.1: a property of the connection, absent in HTTP/2)
                    // are neither meant nor withheld: a browser shows them under
                    // `Access-Control-Expose-Headers: *`, and a middleware that expands `*` into
                    // the application's header names (actix-cors) leaves them out, both harmlessly.
                    ExposedIntent::All if is_plumbing(&name) => continue,
                    ExposedIntent::All => !safelist::is_forbidden_response_header_name(name.as_bytes()),
                    names => names.contains(&name),
                };
                let visible = exposed.iter().any(|e| *e == name);
                if visible && !meant {
                    found.push(Divergence::new(
                        Security,
                        Rule::Exp2,
                        format!("script can read the {name} header, which the policy does not expose"),
                    ));
                } else if meant && !visible {
                    found.push(Divergence::new(
                        Functional,
                        Rule::Exp2,
                        format!("the policy exposes the {name} header, but script cannot read it"),
                    ));
                }
            }
        }

        // Protocol rules on every answer the server gave.
        for hop in &verdict.hops {
            for (what, exchange) in [("preflight", hop.preflight.as_ref()), ("response", hop.actual.as_ref())] {
                let Some(exchange) = exchange else { continue };
                let acao = exchange.response.headers.get("access-control-allow-origin");
                // SRV-9: `Vary: Origin` is needed when this answer would differ for another
                // origin. A policy that can be served with one constant ACAO — `*` (any origin,
                // no credentials) or its single exact origin — needs no Vary on answers that
                // carry that constant; an echo (`*` policy) or a missing ACAO (single origin:
                // the allowed origin would get one) shows the answer depends on Origin.
                let origin_dependent = match (&self.constant, acao.as_deref()) {
                    (None, _) => true,
                    (Some(Constant::Wildcard), acao) => acao.is_some_and(|v| v != b"*"),
                    (Some(Constant::Origin(o)), acao) => acao != Some(o.as_bytes()),
                };
                protocol(&exchange.response, what, origin_dependent, &mut found);
            }
        }
        found.sort_by(|a, b| a.class.cmp(&b.class).then(a.rule.cmp(&b.rule)).then(a.explanation.cmp(&b.explanation)));
        found.dedup();
        found
    }
}

/// A header name as lowercase text (lossy), borrowed when it already is (as `http` gives them).
fn lowercase(name: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(name) {
        Cow::Borrowed(text) if !text.bytes().any(|b| b.is_ascii_uppercase()) => Cow::Borrowed(text),
        text => Cow::Owned(text.to_ascii_lowercase()),
    }
}

/// The `Access-Control-Allow-Origin` value a server may send to everyone for this policy.
enum Constant {
    /// Any origin without credentials: `*`.
    Wildcard,
    /// Exactly one allowed origin: its serialization, sent whatever the request's Origin.
    Origin(String),
}

fn constant_allow_origin(policy: &Policy) -> Option<Constant> {
    match &policy.origins {
        AllowedOrigins::Any if !policy.credentials => Some(Constant::Wildcard),
        AllowedOrigins::List(rules) => match rules.as_slice() {
            [OriginRule::Exact(origin)] => Some(Constant::Origin(origin.serialize().to_owned())),
            _ => None,
        },
        AllowedOrigins::Any => None,
    }
}

/// Response headers that belong to the CORS layer or the connection, not to the resource.
fn is_plumbing(name: &str) -> bool {
    name.starts_with("access-control-")
        || matches!(name, "vary" | "connection" | "keep-alive" | "proxy-connection" | "transfer-encoding" | "upgrade")
}

/// Server-side rules with no immediate browser effect (SRV-6/7/9, HDR-2, VARY-1/3).
fn protocol(response: &ServerResponse, what: &str, origin_dependent: bool, found: &mut Vec<Divergence>) {
    use DivergenceClass::Protocol;
    let h = &response.headers;
    let varies = h.iter().filter(|x| x.name.eq_ignore_ascii_case(b"vary")).any(|x| {
        x.value.split(|&b| b == b',').any(|item| {
            let item = crate::header::normalize_value(item);
            item.eq_ignore_ascii_case(b"origin") || item == b"*"
        })
    });
    if origin_dependent && !varies {
        found.push(Divergence::new(
            Protocol,
            Rule::Srv9,
            format!(
                "the {what} depends on Origin but has no Vary: Origin, so a shared cache can serve it to another origin"
            ),
        ));
    }
    for name in ["access-control-allow-origin", "access-control-allow-credentials"] {
        if h.count(name) > 1 {
            found.push(Divergence::new(
                Protocol,
                Rule::Srv6,
                format!("the {what} repeats {name}; browsers join the lines and reject the result (HDR-2)"),
            ));
        }
    }
    if let Some(acac) = h.get("access-control-allow-credentials") {
        if &acac[..] != b"true" {
            found.push(Divergence::new(
                Protocol,
                Rule::Srv7,
                format!(
                    "the {what} sends Access-Control-Allow-Credentials: {:?}; only \"true\" means anything",
                    String::from_utf8_lossy(&acac)
                ),
            ));
        } else if h.get("access-control-allow-origin").as_deref() == Some(&b"*"[..]) {
            found.push(Divergence::new(
                Protocol,
                Rule::Srv7,
                format!("the {what} combines Access-Control-Allow-Origin: * with credentials, which browsers reject"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{ServerScript, UrlAnswers};
    use crate::{HeaderList, Origin, RequestMode, profile};

    fn policy(toml: &str) -> Policy {
        Policy::from_toml_str(toml, "test.toml").unwrap().policy
    }

    fn answering(url: &url::Url, preflight: &[(&str, &str)], response: &[(&str, &str)]) -> ServerScript {
        let mut script = ServerScript::new();
        script.insert(
            url,
            UrlAnswers {
                preflight: Some(ServerResponse {
                    status: 204,
                    headers: HeaderList::from_pairs(preflight.iter().copied()),
                }),
                response: Some(ServerResponse {
                    status: 200,
                    headers: HeaderList::from_pairs(response.iter().copied()),
                }),
            },
        );
        script
    }

    #[test]
    fn srv2_a_same_origin_read_without_origin_is_no_divergence() {
        let url = url::Url::parse("https://api.example.com/data").unwrap();
        let request = BrowserRequest::fetch(Origin::of_url(&url), url.clone());
        let script = answering(&url, &[], &[("vary", "Origin")]);
        let verdict = crate::evaluate_once(&request, &mut &script, &profile::CHROMIUM).unwrap();
        assert!(verdict.readable());
        assert_eq!(divergences(&policy(r#"origins = ["https://app.example.com"]"#), &request, &verdict), []);
    }

    #[test]
    fn misc1_a_no_cors_post_from_an_allowed_origin_is_no_divergence() {
        let url = url::Url::parse("https://api.example.com/data").unwrap();
        let origin = Origin::parse_serialized(b"https://app.example.com").unwrap();
        let request = BrowserRequest::fetch(origin, url.clone()).method("POST").mode(RequestMode::NoCors);
        let script = answering(&url, &[], &[("vary", "Origin")]);
        let verdict = crate::evaluate_once(&request, &mut &script, &profile::CHROMIUM).unwrap();
        assert_eq!(verdict.outcome, Outcome::Opaque);
        assert_eq!(divergences(&policy(r#"origins = ["https://app.example.com"]"#), &request, &verdict), []);
    }

    #[test]
    fn srv20_private_network_access_is_meant_only_when_the_policy_says_so() {
        let pna = profile::BrowserProfile { private_network_access: true, ..profile::CHROMIUM };
        let url = url::Url::parse("http://printer.local/status").unwrap();
        let origin = Origin::parse_serialized(b"https://app.example.com").unwrap();
        let mut request = BrowserRequest::fetch(origin, url.clone());
        request.private_network = true;
        let cors = [("access-control-allow-origin", "https://app.example.com"), ("vary", "Origin")];
        let granting = [cors[0], cors[1], ("access-control-allow-private-network", "true")];
        let closed = policy(r#"origins = ["https://app.example.com"]"#);
        let open = policy("origins = [\"https://app.example.com\"]\nprivate_network = true");

        // The server grants private-network access the policy does not allow: security.
        let script = answering(&url, &granting, &cors);
        let verdict = crate::evaluate_once(&request, &mut &script, &pna).unwrap();
        assert!(verdict.readable());
        let found = divergences(&closed, &request, &verdict);
        assert_eq!(
            found.iter().map(|d| (d.class, d.rule)).collect::<Vec<_>>(),
            [(DivergenceClass::Security, Some(Rule::Srv20))]
        );
        assert_eq!(divergences(&open, &request, &verdict), []);

        // The server correctly withholds it: nothing under the closed policy, functional under the open one.
        let script = answering(&url, &cors, &cors);
        let verdict = crate::evaluate_once(&request, &mut &script, &pna).unwrap();
        assert!(!verdict.readable());
        assert_eq!(divergences(&closed, &request, &verdict), []);
        assert_eq!(divergences(&open, &request, &verdict)[0].class, DivergenceClass::Functional);
    }
}
