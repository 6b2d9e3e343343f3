//! The seeded generators' structured form: a policy and a browser request drawn from the input
//! (`cors_harness::generate::GeneratedCase`), the oracle under both profiles against a scripted
//! server, then the divergence classifier. Never panics; against a server that lets
//! everything through, a response readable from an origin the policy does not allow is always
//! reported as a security divergence (SRV-4).
#![no_main]

use arbitrary::Arbitrary;
use cors_harness::divergence::{DivergenceClass, divergences};
use cors_harness::generate::{GeneratedCase, permissive_script};
use cors_harness::policy::origin_allowed;
use cors_harness::profile::{CHROMIUM, SPEC};
use cors_harness::response::ServerResponse;
use cors_harness::script::{ServerScript, UrlAnswers};
use cors_harness::{BrowserRequest, HeaderList, Rule};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    case: GeneratedCase,
    /// 0: reflect everything (permissive), 1: wildcards, 2: no CORS headers at all.
    server: u8,
}

fn fixed(request: &BrowserRequest, headers: &[(&str, &str)]) -> ServerScript {
    let headers = HeaderList::from_pairs(headers.iter().copied());
    let mut script = ServerScript::new();
    script.insert(
        &request.url,
        UrlAnswers {
            preflight: Some(ServerResponse { status: 204, headers: headers.clone() }),
            response: Some(ServerResponse { status: 200, headers }),
        },
    );
    script
}

fuzz_target!(|input: Input| {
    let (policy, request) = (&input.case.policy, &input.case.request);
    let server = input.server % 3;
    let script = match server {
        0 => permissive_script(request),
        1 => fixed(
            request,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "*"),
                ("access-control-allow-headers", "*"),
                ("access-control-expose-headers", "*"),
            ],
        ),
        _ => fixed(request, &[]),
    };
    for profile in [&CHROMIUM, &SPEC] {
        let verdict = cors_harness::evaluate_once(request, &mut &script, profile).expect("every request is answered");
        let found = divergences(policy, request, &verdict);
        if server == 0 && verdict.readable() && !request.origin.same_origin_as_url(&request.url) {
            let allowed = origin_allowed(&policy.origins, request.origin.serialize().as_bytes());
            if !allowed {
                assert!(
                    found.iter().any(|d| d.class == DivergenceClass::Security && d.rule == Some(Rule::Srv4)),
                    "readable from a disallowed origin without a security divergence: {found:?}"
                );
            }
        }
    }
});
