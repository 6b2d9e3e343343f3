//! Policies drawn from bytes, for fuzzing: [`GeneratedPolicy`].
//!
//! Origins are assembled from parts (scheme, labels, port) and validated by the policy model's
//! own parser, so every drawn policy is one a policy file can express; method and header lists
//! mix common entries with near-duplicates (`PATCH` and `patch`) and dangerous ones (`*` with
//! credentials, `null`).

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy};

use super::choose::{below, chance, one, weighted};

/// A [`Policy`] drawn from fuzz input (`Arbitrary`). It always allows some origin (`*` in
/// one case out of ten, else one to three rules): a policy allowing nothing tests little.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPolicy(pub Policy);

const ORIGIN_ENTRIES: [&str; 12] = [
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:3000",
    "https://admin.example.com",
    "https://example.com",
    "https://*.example.org",
    "http://127.0.0.1:8080",
    "https://app.example.com:8443",
    "null",
    "https://xn--bcher-kva.example",
    "http://*.example.test:8000",
    "https://app.example.net",
];
const SCHEMES: [&str; 2] = ["https", "http"];
const LABELS: [&str; 9] = ["app", "api", "example", "www", "a-b", "xn--bcher-kva", "evil", "com", "test"];
const PORTS: [Option<u16>; 5] = [None, Some(8080), Some(3000), Some(8443), Some(443)];
const METHODS: [&str; 10] = ["PUT", "DELETE", "PATCH", "patch", "OPTIONS", "PROPFIND", "X-CUSTOM", "GET", "POST", "*x"];
const REQUEST_HEADERS: [&str; 9] = [
    "content-type",
    "x-request-id",
    "authorization",
    "x-api-key",
    "X-Requested-With",
    "accept",
    "range",
    "x_under",
    "x-csrf-token",
];
const RESPONSE_HEADERS: [&str; 5] = ["x-total-count", "x-request-id", "set-cookie", "content-length", "etag"];

impl<'a> Arbitrary<'a> for GeneratedPolicy {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<GeneratedPolicy> {
        let origins = if chance(u, 100)? {
            AllowedOrigins::Any
        } else {
            let count = 1 + below(u, 3)?;
            let mut rules: Vec<OriginRule> = Vec::with_capacity(count);
            for _ in 0..count {
                let rule = if chance(u, 300)? { composed_origin(u)? } else { None };
                let rule = match rule {
                    Some(r) => r,
                    None => OriginRule::parse(one(u, &ORIGIN_ENTRIES)?).expect("valid entries"),
                };
                if !rules.contains(&rule) {
                    rules.push(rule);
                }
            }
            AllowedOrigins::List(rules)
        };
        let methods = match weighted(u, &[40, 10, 50])? {
            0 => AllowedMethods::default(),
            1 => AllowedMethods::Any,
            _ => AllowedMethods::list(subset(u, &METHODS)?).expect("valid methods"),
        };
        let allow_headers = names(u, &REQUEST_HEADERS)?;
        let expose_headers = names(u, &RESPONSE_HEADERS)?;
        let credentials = chance(u, 450)?;
        let max_age = *one(u, &[None, Some(0), Some(5), Some(600), Some(7200), Some(86_400), Some(i64::MAX as u64)])?;
        let private_network = chance(u, 50)?;
        Ok(GeneratedPolicy(Policy {
            origins,
            methods,
            allow_headers,
            expose_headers,
            credentials,
            max_age,
            private_network,
        }))
    }
}

/// `scheme://[*.]label(.label)*[:port]`, if the model accepts it.
fn composed_origin(u: &mut Unstructured<'_>) -> Result<Option<OriginRule>> {
    let scheme = one(u, &SCHEMES)?;
    let wildcard = chance(u, 300)?;
    let labels = 1 + below(u, 3)?;
    let mut host = String::new();
    for i in 0..labels {
        if i > 0 {
            host.push('.');
        }
        host.push_str(one(u, &LABELS)?);
    }
    let port = one(u, &PORTS)?.map(|p| format!(":{p}")).unwrap_or_default();
    let star = if wildcard { "*." } else { "" };
    Ok(OriginRule::parse(&format!("{scheme}://{star}{host}{port}")).ok())
}

fn subset<'t>(u: &mut Unstructured<'_>, items: &'t [&'t str]) -> Result<Vec<&'t str>> {
    let mut out = Vec::new();
    for item in items {
        if chance(u, 250)? {
            out.push(*item);
        }
    }
    Ok(out)
}

fn names(u: &mut Unstructured<'_>, pool: &[&str]) -> Result<AllowedNames> {
    Ok(match weighted(u, &[30, 15, 55])? {
        0 => AllowedNames::none(),
        1 => AllowedNames::Any,
        _ => AllowedNames::list(subset(u, pool)?).expect("valid names"),
    })
}
