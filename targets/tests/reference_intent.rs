//! The reference server does what every policy means: for every example policy and a grid of
//! browser requests, what the oracle says a browser does with its answers equals the policy's
//! intent (readable or not, and which headers script sees).

mod support;

use std::sync::Arc;

use cors_harness::oracle::verdict::Outcome;
use cors_harness::policy::{ExposedIntent, IntentQuery};
use cors_harness::profile::CHROMIUM;
use cors_harness::response::{Responder, ServerResponse, WireRequest};
use cors_harness::target::Target;
use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, method, safelist};
use cors_targets::Adapter;

/// Answers the oracle's requests by sending them to a target (from a blocking thread).
struct TargetResponder<'a> {
    target: &'a dyn Target,
    runtime: tokio::runtime::Handle,
}

impl Responder for TargetResponder<'_> {
    fn respond(&mut self, request: &Arc<WireRequest>) -> Option<Arc<ServerResponse>> {
        let http_request = request.to_http().expect("browser requests are valid HTTP");
        let response = self.runtime.block_on(self.target.send(http_request)).expect("the reference answers");
        Some(Arc::new(ServerResponse::from_http(&response)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_reference_server_shows_no_divergence_from_intent() {
    let runtime = tokio::runtime::Handle::current();
    let checked = tokio::task::spawn_blocking(move || {
        let mut checked = 0;
        for (policy_name, policy) in support::example_policies() {
            let target = cors_targets::reference::REFERENCE.in_process(&policy).unwrap();
            let mut responder = TargetResponder { target: target.as_ref(), runtime: runtime.clone() };
            // Pages only have origins a browser can serialize (not `https://APP.example.com`).
            for origin in
                support::probe_origins().into_iter().filter(|o| Origin::parse_serialized(o.as_bytes()).is_ok())
            {
                for method_name in ["GET", "POST", "PUT", "PATCH", "patch", "DELETE"] {
                    for headers in [
                        &[][..],
                        &[("Content-Type", "application/json")],
                        &[("X-Request-Id", "1"), ("X-CSRF-Token", "t")],
                        &[("Authorization", "Bearer t")],
                    ] {
                        for credentials in [CredentialsMode::Omit, CredentialsMode::Include] {
                            let page = Origin::parse_serialized(origin.as_bytes()).unwrap();
                            let mut request =
                                BrowserRequest::fetch(page, url::Url::parse("https://api.example.test/data").unwrap())
                                    .method(method_name)
                                    .credentials(credentials);
                            request.headers = HeaderList::from_pairs(headers.iter().copied());
                            let verdict = cors_harness::evaluate_once(&request, &mut responder, &CHROMIUM).unwrap();

                            let normalized = method::normalize(method_name);
                            let mut with_accept = request.headers.clone();
                            with_accept.append(b"Accept", b"*/*");
                            let unsafe_names = safelist::cors_unsafe_request_header_names(&with_accept);
                            let intent = policy.intent(&IntentQuery {
                                origin: origin.as_bytes(),
                                method: &normalized,
                                unsafe_header_names: &unsafe_names,
                                credentials,
                            });
                            let case =
                                format!("{policy_name}: {method_name} from {origin} {headers:?} {credentials:?}");
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
                }
            }
        }
        checked
    })
    .await
    .unwrap();
    assert!(checked > 2000, "{checked}");
    eprintln!("{checked} browser requests: the reference server matched the policy's intent every time");
}
