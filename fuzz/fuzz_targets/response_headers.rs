//! The whole oracle with structured input: a request and arbitrary server answers.
//! Invariants that hold for every input are asserted (CHK-2: `*` never serves credentials).
#![no_main]

use arbitrary::Arbitrary;
use cors_harness::profile::CHROMIUM;
use cors_harness::response::ServerResponse;
use cors_harness::script::{ServerScript, UrlAnswers};
use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    credentials: u8,
    request_headers: Vec<(Vec<u8>, Vec<u8>)>,
    preflight_status: u16,
    preflight_headers: Vec<(Vec<u8>, Vec<u8>)>,
    status: u16,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
}

const O: &str = "http://web.example.test:8000";
const U: &str = "http://api.example.test:8080/r";

fuzz_target!(|input: Input| {
    let url = url::Url::parse(U).unwrap();
    let mut req = BrowserRequest::fetch(Origin::parse_serialized(O.as_bytes()).unwrap(), url.clone()).method(&input.method);
    req.credentials = match input.credentials % 3 {
        0 => CredentialsMode::Omit,
        1 => CredentialsMode::SameOrigin,
        _ => CredentialsMode::Include,
    };
    req.headers = HeaderList::from_pairs(input.request_headers);
    let mut script = ServerScript::new();
    script.insert(&url, UrlAnswers {
        preflight: Some(ServerResponse { status: input.preflight_status, headers: HeaderList::from_pairs(input.preflight_headers) }),
        response: Some(ServerResponse { status: input.status, headers: HeaderList::from_pairs(input.headers) }),
    });
    if let Ok(verdict) = cors_harness::evaluate_once(&req, &mut &script, &CHROMIUM) {
        if verdict.readable() && req.credentials.is_include() {
            let last = verdict.hops.last().unwrap().actual.as_ref().unwrap();
            assert_ne!(last.response.headers.get("access-control-allow-origin").as_deref(), Some(&b"*"[..]));
        }
    }
});
