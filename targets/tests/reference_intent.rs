//! The reference server does what every policy means: for every example policy and a grid of
//! browser requests, what the oracle says a browser does with its answers equals the policy's
//! intent (readable or not, and which headers script sees).

mod support;

use cors_harness::oracle::verdict::Outcome;
use cors_harness::policy::{ExposedIntent, IntentQuery};
use cors_harness::profile::CHROMIUM;
use cors_harness::{method, safelist};
use cors_targets::Adapter;
use support::TargetResponder;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_reference_server_shows_no_divergence_from_intent() {
    let runtime = tokio::runtime::Handle::current();
    let checked = tokio::task::spawn_blocking(move || {
        let mut checked = 0;
        for (policy_name, policy) in support::example_policies() {
            let target = cors_targets::reference::REFERENCE.in_process(&policy).unwrap();
            let mut responder = TargetResponder { target: target.as_ref(), runtime: runtime.clone() };
            for request in support::browser_requests() {
                let case = format!(
                    "{policy_name}: {} from {} {:?} {:?}",
                    request.method,
                    request.origin.serialize(),
                    request.headers,
                    request.credentials
                );
                let verdict = cors_harness::evaluate_once(&request, &mut responder, &CHROMIUM)
                    .unwrap_or_else(|e| panic!("{case}: the reference did not answer: {e:?}"));

                let normalized = method::normalize(&request.method);
                let mut with_accept = request.headers.clone();
                with_accept.append(b"Accept", b"*/*");
                let unsafe_names = safelist::cors_unsafe_request_header_names(&with_accept);
                let intent = policy.intent(&IntentQuery {
                    origin: request.origin.serialize().as_bytes(),
                    method: &normalized,
                    unsafe_header_names: &unsafe_names,
                    credentials: request.credentials,
                });
                assert_eq!(verdict.readable(), intent.readable, "{case}: browser {:?}", verdict.failure());
                if let Outcome::Shared { exposed, .. } = &verdict.outcome {
                    for (name, _) in cors_targets::app::RESPONSE_HEADERS {
                        let meant = match &intent.exposed {
                            ExposedIntent::All => name != "set-cookie",
                            names => names.contains(name),
                        };
                        assert_eq!(exposed.iter().any(|e| e == name), meant, "{case}: header {name}");
                    }
                }
                checked += 1;
            }
        }
        checked
    })
    .await
    .unwrap();
    assert!(checked > 2000, "{checked}");
    eprintln!("{checked} browser requests: the reference server matched the policy's intent every time");
}
