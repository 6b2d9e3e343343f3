//! Properties of the oracle over thousands of generated cases (proptest; failures shrink to
//! a minimal case and are replayed from `proptest-regressions/`).

use cors_harness::header::{HeaderList, ListValues};
use cors_harness::oracle::check::cors_check;
use cors_harness::profile::{CHROMIUM, FIREFOX, SPEC};
use cors_harness::response::ServerResponse;
use cors_harness::safelist::cors_unsafe_request_header_names;
use cors_harness::script::{ServerScript, UrlAnswers};
use cors_harness::{BrowserRequest, CredentialsMode, Origin, evaluate_once, method, mime};
use proptest::prelude::*;

const O: &str = "http://web.example.test:8000";
const U: &str = "http://api.example.test:8080/r";

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Content-Type".to_owned()),
        Just("accept".to_owned()),
        Just("Accept-Language".to_owned()),
        Just("content-language".to_owned()),
        Just("Range".to_owned()),
        Just("Authorization".to_owned()),
        Just("X-Custom".to_owned()),
        Just("x-custom".to_owned()),
        "[A-Za-z][A-Za-z0-9-]{0,12}",
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("text/plain".to_owned()),
        Just("application/json".to_owned()),
        Just("bytes=0-".to_owned()),
        Just("en-US".to_owned()),
        Just("*/*".to_owned()),
        "[ -~]{0,40}",
        (0usize..200).prop_map(|n| "a".repeat(n)),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((header_name(), header_value()), 0..8)
}

fn acao() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(O.to_owned()),
        Just("*".to_owned()),
        Just("null".to_owned()),
        Just(format!("{O}/")),
        Just(O.to_uppercase()),
        "[ -~]{0,20}"
    ]
}

fn list_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_owned()),
        Just("PUT, PATCH".to_owned()),
        Just("put".to_owned()),
        Just("x-custom, content-type".to_owned()),
        Just("authorization".to_owned()),
        Just("Bad name".to_owned()),
        "[ -~]{0,20}",
    ]
}

fn cors_response() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::option::of(acao()),
        prop::option::of(prop_oneof![Just("true".to_owned()), Just("True".to_owned()), Just(String::new())]),
        prop::option::of(list_value()),
        prop::option::of(list_value()),
        prop::option::of(list_value()),
    )
        .prop_map(|(o, c, m, h, e)| {
            let mut v = Vec::new();
            v.extend(o.map(|x| ("Access-Control-Allow-Origin".to_owned(), x)));
            v.extend(c.map(|x| ("Access-Control-Allow-Credentials".to_owned(), x)));
            v.extend(m.map(|x| ("Access-Control-Allow-Methods".to_owned(), x)));
            v.extend(h.map(|x| ("Access-Control-Allow-Headers".to_owned(), x)));
            v.extend(e.map(|x| ("Access-Control-Expose-Headers".to_owned(), x)));
            v
        })
}

fn method_strategy() -> impl Strategy<Value = String> {
    prop_oneof![Just("GET"), Just("post"), Just("PUT"), Just("patch"), Just("PATCH"), Just("DELETE"), Just("CHICKEN")]
        .prop_map(str::to_owned)
}

fn list(pairs: &[(String, String)]) -> HeaderList {
    HeaderList::from_pairs(pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
}

fn server(preflight: &[(String, String)], status: u16, actual: &[(String, String)]) -> ServerScript {
    let mut s = ServerScript::new();
    s.insert(
        &url::Url::parse(U).unwrap(),
        UrlAnswers {
            preflight: Some(ServerResponse { status, headers: list(preflight) }),
            response: Some(ServerResponse { status: 200, headers: list(actual) }),
        },
    );
    s
}

fn request(method: &str, headers: &[(String, String)], creds: CredentialsMode) -> BrowserRequest {
    let mut r = BrowserRequest::fetch(Origin::parse_serialized(O.as_bytes()).unwrap(), url::Url::parse(U).unwrap())
        .method(method)
        .credentials(creds);
    for (n, v) in headers {
        r.headers.append(n.as_bytes(), v.as_bytes());
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// CHK-2, CHK-3: `*` never passes a credentialed CORS check.
    #[test]
    fn chk2_star_never_passes_with_credentials(extra in cors_response()) {
        let mut h = list(&extra);
        h.remove("access-control-allow-origin");
        h.append(b"Access-Control-Allow-Origin", b"*");
        prop_assert!(cors_check(&h, O, true).is_err());
    }

    /// SAFE-3: the unsafe-name list is lowercase, sorted, deduplicated, and names only
    /// headers of the list.
    #[test]
    fn safe3_unsafe_names_are_lowercase_sorted_unique(h in headers()) {
        let names = cors_unsafe_request_header_names(&list(&h));
        prop_assert!(names.windows(2).all(|w| w[0] < w[1]));
        for n in &names {
            prop_assert_eq!(n, &n.to_ascii_lowercase());
            prop_assert!(h.iter().any(|(hn, _)| hn.eq_ignore_ascii_case(n)));
        }
    }

    /// PRE-10: a preflight that passes for a header set passes for every subset of it.
    #[test]
    fn pre10_passing_preflight_passes_for_subsets(
        h in headers(), keep in prop::collection::vec(any::<bool>(), 8), pf in cors_response(),
        m in method_strategy(), include in any::<bool>(),
    ) {
        let creds = if include { CredentialsMode::Include } else { CredentialsMode::Omit };
        let s = server(&pf, 204, &pf);
        let full = evaluate_once(&request(&m, &h, creds), &mut &s, &SPEC).unwrap();
        let subset: Vec<_> = h.iter().zip(&keep).filter(|(_, k)| **k).map(|(p, _)| p.clone()).collect();
        let sub = evaluate_once(&request(&m, &subset, creds), &mut &s, &SPEC).unwrap();
        let preflight_passed = |v: &cors_harness::Verdict| v.last_actual().is_some();
        if preflight_passed(&full) {
            prop_assert!(preflight_passed(&sub), "full set passed the preflight, subset {:?} did not: {:?}", subset, sub.failure());
        }
    }

    /// CHK-4/5, PRE-8/10: whatever the spec profile shares with credentials it also shares
    /// without them (credentials only add requirements).
    #[test]
    fn chk5_readable_with_credentials_implies_readable_without(
        h in headers(), pf in cors_response(), actual in cors_response(), m in method_strategy(),
        status in prop_oneof![Just(200u16), Just(204), Just(302), Just(404)],
    ) {
        let s = server(&pf, status, &actual);
        let with = evaluate_once(&request(&m, &h, CredentialsMode::Include), &mut &s, &SPEC).unwrap();
        let without = evaluate_once(&request(&m, &h, CredentialsMode::Omit), &mut &s, &SPEC).unwrap();
        if with.readable() {
            prop_assert!(without.readable(), "{:?}", without.failure());
        }
    }

    /// The oracle is deterministic, and the chromium and spec profiles agree whenever no
    /// profile-specific rule is involved (no cache, no max-age, few header bytes).
    #[test]
    fn profiles_agree_outside_their_documented_differences(
        h in prop::collection::vec((header_name(), "[ -~]{0,20}"), 0..4), pf in cors_response(), actual in cors_response(),
        m in method_strategy(), include in any::<bool>(),
    ) {
        let creds = if include { CredentialsMode::Include } else { CredentialsMode::Omit };
        // Outside the documented differences: one entry per name (SAFE-1/3 combining, PRE-3
        // repeats), no Authorization (PRE-9 wildcard), ASCII only (SAFE-2).
        let mut seen = std::collections::HashSet::new();
        let mut h: Vec<_> = h
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization") && seen.insert(n.to_ascii_lowercase()))
            .collect();
        h.push(("Accept-Language".to_owned(), "en".to_owned())); // the UA then adds none (SAFE-5)
        let s = server(&pf, 204, &actual);
        let req = request(&m, &h, creds);
        let a = evaluate_once(&req, &mut &s, &CHROMIUM).unwrap();
        let b = evaluate_once(&req, &mut &s, &CHROMIUM).unwrap();
        prop_assert_eq!(&a, &b);
        let spec = evaluate_once(&req, &mut &s, &SPEC).unwrap();
        let firefox = evaluate_once(&req, &mut &s, &FIREFOX).unwrap();
        prop_assert_eq!(&a.outcome, &spec.outcome);
        prop_assert_eq!(&a.outcome, &firefox.outcome);
    }

    /// METH-3: normalization is idempotent and only changes ASCII case.
    #[test]
    fn meth3_normalize_is_idempotent(m in "[A-Za-z]{1,8}") {
        let once = method::normalize(&m).into_owned();
        prop_assert_eq!(method::normalize(&once).into_owned(), once.clone());
        prop_assert!(once.eq_ignore_ascii_case(&m));
    }

    /// HDR-3: a list that parses has only token items; parsing never panics on any bytes.
    #[test]
    fn hdr3_parsers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = Origin::parse_serialized(&bytes);
        let _ = mime::parse_essence(&bytes);
        let h = HeaderList::from_pairs([(&b"access-control-allow-methods"[..], &bytes[..]), (b"content-type", &bytes[..]), (b"range", &bytes[..])]);
        if let ListValues::Items(items) = h.token_list("access-control-allow-methods") {
            prop_assert!(items.iter().all(|i| cors_harness::header::is_token(i)));
        }
        let _ = cors_unsafe_request_header_names(&h);
        let _ = cors_harness::oracle::preflight::max_age(&h, &CHROMIUM);
        let _ = cors_check(&h, O, true);
    }

    /// The whole oracle never panics on arbitrary method and header bytes from script or
    /// server, and never reads an answer it was not given.
    #[test]
    fn evaluate_never_panics_on_arbitrary_bytes(
        m in "\\PC{0,10}", hn in "\\PC{0,10}", hv in prop::collection::vec(any::<u8>(), 0..40),
        rn in "\\PC{0,10}", rv in prop::collection::vec(any::<u8>(), 0..40), status in any::<u16>(),
    ) {
        let mut req = request(&m, &[], CredentialsMode::Include);
        req.headers.append(hn.as_bytes(), &hv);
        let mut resp = HeaderList::from_pairs([("Access-Control-Allow-Origin", O)]);
        resp.append(rn.as_bytes(), &rv);
        resp.append(b"Location", &rv);
        let mut s = ServerScript::new();
        s.insert(&url::Url::parse(U).unwrap(), UrlAnswers {
            preflight: Some(ServerResponse { status, headers: resp.clone() }),
            response: Some(ServerResponse { status, headers: resp }),
        });
        let _ = evaluate_once(&req, &mut &s, &CHROMIUM);
    }
}
