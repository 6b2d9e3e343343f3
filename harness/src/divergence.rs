//! Divergences: where what a browser does with a server's answers (the [`Verdict`]) differs
//! from what the policy's owner meant (the [`Intent`](crate::policy::Intent)), or where the
//! server breaks a protocol rule with no immediate browser effect.
//!
//! Classes (design note): `security` — the browser allows what the policy does not;
//! `functional` — the policy allows it but the browser blocks; `protocol` — a server-side rule
//! broken (missing `Vary`, malformed CORS headers) with real but indirect risk. (`execution`
//! divergences — panics, hangs, resets — come from the driver, not from a verdict.)

use crate::oracle::verdict::{Outcome, Verdict};
use crate::policy::{AllowedOrigins, ExposedIntent, IntentQuery, Policy};
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
pub fn divergences(policy: &Policy, request: &BrowserRequest, verdict: &Verdict) -> Vec<Divergence> {
    use DivergenceClass::*;
    let mut found = Vec::new();
    if matches!(verdict.outcome, Outcome::ScriptError(_)) {
        return found; // Nothing was sent: the server had no say.
    }
    // The request as the policy sees it: the bytes the browser sent (ORIG-5 taint included).
    let origin = verdict.last_actual().or(verdict.first_preflight()).and_then(|r| r.origin()).unwrap_or(b"");
    let normalized = method::normalize(&request.method);
    let mut headers = request.headers.clone();
    headers.0.retain(|h| !safelist::is_forbidden_request_header(&h.name, &h.value));
    let unsafe_names = safelist::cors_unsafe_request_header_names(&headers);
    let intent = policy.intent(&IntentQuery {
        origin,
        method: &normalized,
        unsafe_header_names: &unsafe_names,
        credentials: request.credentials,
    });
    let shown_origin = String::from_utf8_lossy(origin);

    match (verdict.readable(), intent.readable) {
        (true, false) => {
            let (rule, why) = if !intent.origin_allowed {
                (
                    Rule::Srv4,
                    format!("{shown_origin} can read this response, but the policy does not allow that origin"),
                )
            } else if request.credentials.is_include() && !intent.credentials_allowed {
                (
                    Rule::Srv7,
                    format!(
                        "{shown_origin} can read this response with the user's cookies, but the policy does not allow credentials"
                    ),
                )
            } else if !intent.method_allowed {
                (Rule::Srv12, format!("{shown_origin} can send {normalized}, which the policy does not allow"))
            } else {
                (
                    Rule::Srv13,
                    format!(
                        "{shown_origin} can send headers the policy does not allow: {}",
                        intent.disallowed_headers.join(", ")
                    ),
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

    if let (Outcome::Shared { exposed, .. }, true) = (&verdict.outcome, intent.readable) {
        let response = verdict.hops.last().and_then(|h| h.actual.as_ref()).map(|e| &e.response);
        for name in response
            .map(|r| r.headers.iter().map(|h| String::from_utf8_lossy(&h.name).to_ascii_lowercase()))
            .into_iter()
            .flatten()
        {
            let meant = match &intent.exposed {
                ExposedIntent::All => !safelist::is_forbidden_response_header_name(name.as_bytes()),
                names => names.contains(&name),
            };
            let visible = exposed.contains(&name);
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
    // VARY-2: only a constant `*` (any origin, no credentials) does not depend on Origin.
    let origin_dependent = !matches!(policy.origins, AllowedOrigins::Any) || policy.credentials;
    for hop in &verdict.hops {
        for (what, exchange) in [("preflight", hop.preflight.as_ref()), ("response", hop.actual.as_ref())] {
            let Some(exchange) = exchange else { continue };
            protocol(&exchange.response, what, origin_dependent, &mut found);
        }
    }
    found.sort_by(|a, b| a.class.cmp(&b.class).then(a.rule.cmp(&b.rule)).then(a.explanation.cmp(&b.explanation)));
    found.dedup();
    found
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
