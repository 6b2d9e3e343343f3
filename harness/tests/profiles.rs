//! The browser profiles' documented deviations (`BROWSER-DEVIATIONS.md`), one test per switch.
//!
//! Each test shows the switch alone (`BrowserProfile { switch, ..SPEC }`) against the standard,
//! then that the named profiles have it as measured in the browsers, on the same case as the
//! table's row. Test names start with the digest rule concerned (read by `rule_coverage.rs`).

use cors_harness::oracle::cache::PreflightCache;
use cors_harness::oracle::verdict::Verdict;
use cors_harness::profile::{ALL, BrowserProfile, CHROMIUM, FIREFOX, MaxAgeParsing, SPEC, SafelistQuirks, WireRepeats};
use cors_harness::response::ServerResponse;
use cors_harness::script::{ServerScript, UrlAnswers};
use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, Outcome, RequestMode, Rule, evaluate};

const O: &str = "http://web.example.test:8000";
const U: &str = "http://api.example.test:8080/r";

fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

fn get(to: &str) -> BrowserRequest {
    BrowserRequest::fetch(Origin::parse_serialized(O.as_bytes()).unwrap(), url(to))
}

fn resp(status: u16, headers: &[(&str, &str)]) -> ServerResponse {
    ServerResponse { status, headers: HeaderList::from_pairs(headers.iter().copied()) }
}

fn star() -> ServerResponse {
    resp(200, &[("Access-Control-Allow-Origin", "*")])
}

fn server(entries: &[(&str, Option<ServerResponse>, Option<ServerResponse>)]) -> ServerScript {
    let mut s = ServerScript::new();
    for (u, preflight, response) in entries {
        s.insert(&url(u), UrlAnswers { preflight: preflight.clone(), response: response.clone() });
    }
    s
}

/// Evaluates `requests` in order, 100 ms apart, sharing one preflight cache.
fn run(s: &ServerScript, profile: &BrowserProfile, requests: &[BrowserRequest]) -> Vec<Verdict> {
    let mut cache = PreflightCache::new();
    requests
        .iter()
        .enumerate()
        .map(|(i, r)| evaluate(r, &mut &*s, profile, &mut cache, i as u64 * 100).unwrap())
        .collect()
}

fn one(s: &ServerScript, profile: &BrowserProfile, request: &BrowserRequest) -> Verdict {
    run(s, profile, std::slice::from_ref(request)).remove(0)
}

fn acrh(v: &Verdict) -> Option<String> {
    v.first_preflight()
        .and_then(|p| p.headers.get("access-control-request-headers"))
        .map(|h| String::from_utf8_lossy(&h).into_owned())
}

/// Every value sent for `name`, one per header line.
fn values(headers: &HeaderList, name: &str) -> Vec<Vec<u8>> {
    headers.iter().filter(|h| h.name.eq_ignore_ascii_case(name.as_bytes())).map(|h| h.value.to_vec()).collect()
}

fn preflights(vs: &[Verdict]) -> Vec<bool> {
    vs.iter().map(|v| v.first_preflight().is_some()).collect()
}

fn permissive() -> ServerResponse {
    resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", "*"),
            ("Access-Control-Allow-Methods", "*"),
            ("Access-Control-Max-Age", "600"),
        ],
    )
}

#[test]
fn profiles_have_unique_names_and_spec_switches_nothing() {
    let names: std::collections::BTreeSet<_> = ALL.iter().map(|p| p.name).collect();
    assert_eq!(names.len(), ALL.len());
    assert_eq!(ALL[0], &CHROMIUM, "chromium is the default");
    assert_eq!(BrowserProfile::by_name("firefox"), Some(&FIREFOX));
    assert_eq!(SPEC.safelist, SafelistQuirks::STANDARD);
    assert_eq!(SPEC.max_age_parsing, MaxAgeParsing::Standard);
}

/// Row 1: `Range: bytes=5-10` appended twice.
#[test]
fn safe1_safe3_repeated_request_headers_combined_before_the_safelist() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let req = get(U).header("Range", "bytes=5-10").header("Range", "bytes=5-10");
    let combine = BrowserProfile { combine_repeated_request_headers: true, ..SPEC };
    for (profile, want) in [(&SPEC, None), (&combine, Some("range")), (&CHROMIUM, Some("range")), (&FIREFOX, None)] {
        let v = one(&s, profile, &req);
        assert_eq!(acrh(&v).as_deref(), want, "{}", profile.name);
        let range = values(&v.last_actual().unwrap().headers, "range");
        let merged = profile.combine_repeated_request_headers || profile.wire_repeats != WireRepeats::AsAppended;
        let want_lines = if merged { 1 } else { 2 };
        assert_eq!(range.len(), want_lines, "{}: {range:?}", profile.name);
    }
    // 8 x 128-byte Content-Language: 1024 + */* = 1027 bytes. Combined: one unsafe value.
    let mut req = get(U);
    for _ in 0..8 {
        req = req.header("Content-Language", &"a".repeat(128));
    }
    assert_eq!(acrh(&one(&s, &SPEC, &req)).as_deref(), Some("accept,accept-language,content-language"));
    assert_eq!(acrh(&one(&s, &combine, &req)).as_deref(), Some("content-language"));
    // The joined value is normalized: 127 bytes + `, ` + an empty value is 128 bytes (`…a,`).
    let long = format!("text/plain;charset=utf-8;x={}", "a".repeat(100));
    let req = get(U).method("POST").header("Content-Type", &long).header("Content-Type", "");
    assert_eq!(acrh(&one(&s, &CHROMIUM, &req)), None, "{} bytes", long.len() + 1);
    // … while the value sent keeps what was joined: `1`, ``, `2` goes out as `1, , 2`.
    let req = get(U).header("X-A", "1").header("X-A", "").header("X-A", "2");
    let sent = values(&one(&s, &CHROMIUM, &req).last_actual().unwrap().headers, "x-a");
    assert_eq!(sent, vec![b"1, , 2".to_vec()]);
    // No-cors: the combined value is what the MISC-1 guard checks, and it is sent as one line.
    let nc = server(&[(U, None, Some(resp(200, &[])))]);
    let req = get(U).mode(RequestMode::NoCors).header("Accept", "text/html").header("Accept", "*/*");
    let sent = values(&one(&nc, &CHROMIUM, &req).last_actual().unwrap().headers, "accept");
    assert_eq!(sent, vec![b"text/html, */*".to_vec()]);
}

/// Rows 8 and 9: the Range unit's case (Chromium 148 only: 156 follows the standard) and numbers
/// beyond 2^63-1.
#[test]
fn safe1_range_unit_case_and_number_size() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let unit = BrowserProfile {
        safelist: SafelistQuirks { range_unit_case_insensitive: true, ..SafelistQuirks::STANDARD },
        ..SPEC
    };
    let size =
        BrowserProfile { safelist: SafelistQuirks { range_numbers_fit_i64: true, ..SafelistQuirks::STANDARD }, ..SPEC };
    let r = Some("range");
    // ACRH under spec, the unit switch, the size switch, chromium.
    let cases = [
        ("Bytes=0-", [r, None, r, r]),
        ("BYTES=0-1", [r, None, r, r]),
        ("bytes=0-99999999999999999999999", [None, None, r, r]),
        ("bytes=9223372036854775807-9223372036854775807", [None, None, None, None]),
        ("bytes=0-9223372036854775808", [None, None, r, r]),
        ("bytes=00000000000000000000000000001-2", [None, None, None, None]),
        ("Bytes=0-99999999999999999999999", [r, None, r, r]),
    ];
    for (value, want) in cases {
        let req = get(U).header("Range", value);
        for (profile, want) in [&SPEC, &unit, &size, &CHROMIUM].into_iter().zip(want) {
            assert_eq!(acrh(&one(&s, profile, &req)).as_deref(), want, "{value} under {:?}", profile.safelist);
        }
    }
}

/// Firefox: an `Accept` value with a byte >= 0x80 is unsafe (preflighted; dropped in no-cors).
#[test]
fn safe2_non_ascii_accept_bytes() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let mut req = get(U);
    req.headers.append(b"Accept", b"\x80\xff");
    assert_eq!(acrh(&one(&s, &SPEC, &req)), None);
    assert_eq!(acrh(&one(&s, &CHROMIUM, &req)), None);
    assert_eq!(acrh(&one(&s, &FIREFOX, &req)).as_deref(), Some("accept"));
    let nc = server(&[(U, None, Some(resp(200, &[])))]);
    req.mode = RequestMode::NoCors;
    let sent = values(&one(&nc, &FIREFOX, &req).last_actual().unwrap().headers, "accept");
    assert_eq!(sent, vec![b"*/*".to_vec()], "dropped by the no-cors guard, then the default added");
}

/// Firefox: no 1024-byte total (each entry judged alone), and a repeated unsafe name is
/// repeated in `Access-Control-Request-Headers`.
#[test]
fn safe3_pre3_firefox_unsafe_names() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let mut req = get(U).header("Accept-Language", "en");
    for _ in 0..8 {
        req = req.header("Content-Language", &"a".repeat(127)); // 1016 + 2 = 1018; + */* = 1021
    }
    req = req.header("Content-Language", "abcd"); // 1022; + */* = 1025
    let no_total =
        BrowserProfile { safelist: SafelistQuirks { no_total_limit: true, ..SafelistQuirks::STANDARD }, ..SPEC };
    assert_eq!(acrh(&one(&s, &SPEC, &req)).as_deref(), Some("accept,accept-language,content-language"));
    assert_eq!(acrh(&one(&s, &no_total, &req)), None);
    assert_eq!(acrh(&one(&s, &FIREFOX, &req)), None);

    let req = get(U).header("X-B", "1").header("X-A", "1").header("X-B", "2");
    assert_eq!(acrh(&one(&s, &SPEC, &req)).as_deref(), Some("x-a,x-b"));
    assert_eq!(acrh(&one(&s, &CHROMIUM, &req)).as_deref(), Some("x-a,x-b"));
    assert_eq!(acrh(&one(&s, &FIREFOX, &req)).as_deref(), Some("x-a,x-b,x-b"));
}

/// Firefox's network stack merges a repeated name into one line, an empty value resetting it,
/// and keeps only the last `Content-Type`; the CORS decision saw every value.
#[test]
fn safe1_firefox_wire_merges_repeated_headers() {
    let answer =
        resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*, authorization")]);
    let s = server(&[(U, Some(answer), Some(star()))]);
    let req = get(U)
        .method("POST")
        .header("Content-Type", "text/plain")
        .header("Content-Type", "application/json")
        .header("X-B", "")
        .header("X-B", "Bearer t")
        .header("Accept-Language", "en")
        .header("Accept-Language", "de")
        .header("Content-Language", "de")
        .header("Content-Language", "")
        .header("Authorization", "a")
        .header("Authorization", "b");
    let spec = one(&s, &SPEC, &req);
    let firefox = one(&s, &FIREFOX, &req);
    assert_eq!(acrh(&spec).as_deref(), Some("authorization,content-type,x-b"));
    assert_eq!(
        acrh(&firefox).as_deref(),
        Some("authorization,authorization,content-type,x-b,x-b"),
        "the CORS decision sees every value"
    );
    let sent = |v: &Verdict, name| values(&v.last_actual().unwrap().headers, name);
    assert_eq!(sent(&spec, "content-type").len(), 2);
    assert_eq!(sent(&firefox, "content-type"), vec![b"application/json".to_vec()]);
    assert_eq!(sent(&spec, "x-b"), vec![b"".to_vec(), b"Bearer t".to_vec()]);
    assert_eq!(sent(&firefox, "x-b"), vec![b"Bearer t".to_vec()]);
    assert_eq!(sent(&firefox, "accept-language"), vec![b"en, de".to_vec()]);
    assert_eq!(sent(&firefox, "content-language"), vec![b"".to_vec()]);
    assert_eq!(sent(&firefox, "authorization"), vec![b"b".to_vec()]);
}

/// Row 5: `Access-Control-Allow-Headers: *` and `Authorization`, on the wire and from the cache.
#[test]
fn pre9_wildcard_covers_authorization_without_credentials() {
    let answer = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", O),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Headers", "*"),
            ("Access-Control-Max-Age", "600"),
        ],
    );
    let actual = resp(200, &[("Access-Control-Allow-Origin", O), ("Access-Control-Allow-Credentials", "true")]);
    let s = server(&[(U, Some(answer), Some(actual))]);
    let omit = get(U).header("Authorization", "Bearer t").credentials(CredentialsMode::Omit);
    let include = omit.clone().credentials(CredentialsMode::Include);
    let covers = BrowserProfile { wildcard_covers_authorization: true, ..SPEC };
    assert_eq!(one(&s, &SPEC, &omit).failure().map(|f| f.rule), Some(Rule::Pre9));
    for p in [&covers, &CHROMIUM, &FIREFOX] {
        assert!(one(&s, p, &omit).readable(), "{}", p.name);
        assert_eq!(
            one(&s, p, &include).failure().map(|f| f.rule),
            Some(Rule::Pre9),
            "{}: never with credentials",
            p.name
        );
    }
    // From the cache: a `*` entry stored for X-A then covers Authorization.
    let later = [get(U).header("X-A", "1").credentials(CredentialsMode::Omit), omit];
    assert_eq!(preflights(&run(&s, &SPEC, &later)), [true, true]);
    assert_eq!(preflights(&run(&s, &covers, &later)), [true, false]);
    assert_eq!(preflights(&run(&s, &CHROMIUM, &later)), [true, false]);
}

/// Row 2 and the Firefox PRE-11 row: how invalid `Access-Control-Max-Age` values are read.
#[test]
fn pre11_invalid_max_age_per_profile() {
    // (value, seconds under spec, chromium, firefox)
    let cases: [(&[&str], u64, u64, u64); 9] = [
        (&[], 5, 5, 5),
        (&["600"], 600, 600, 600),
        (&["-1"], 5, 0, 0),
        (&["-0"], 5, 0, 0),
        (&["1.5"], 5, 5, 0),
        (&["abc"], 5, 5, 0),
        (&[""], 5, 5, 5),
        (&["5", "5"], 5, 5, 0),
        (&["99999999999999999999999"], u64::MAX, 7200, 86_400),
    ];
    for (values, spec, chromium, firefox) in cases {
        let headers = HeaderList::from_pairs(values.iter().map(|v| ("Access-Control-Max-Age", *v)));
        let age = |p: &BrowserProfile| cors_harness::oracle::preflight::max_age(&headers, p);
        assert_eq!([age(&SPEC), age(&CHROMIUM), age(&FIREFOX)], [spec, chromium, firefox], "{values:?}");
    }
    // Two PUTs 100 ms apart after `Max-Age: -1`.
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "-1"),
        ],
    );
    let s = server(&[(U, Some(pf), Some(star()))]);
    let puts = [get(U).method("PUT"), get(U).method("PUT")];
    assert_eq!(preflights(&run(&s, &SPEC, &puts)), [true, false]);
    assert_eq!(preflights(&run(&s, &CHROMIUM, &puts)), [true, true]);
}

/// Firefox: a cached `*` matches only a method or header literally named `*`, so the next
/// request preflights again.
#[test]
fn cache3_wildcard_entries_literal_in_firefox() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let two = [get(U).header("X-A", "1"), get(U).header("X-A", "1")];
    assert_eq!(preflights(&run(&s, &SPEC, &two)), [true, false]);
    assert_eq!(preflights(&run(&s, &CHROMIUM, &two)), [true, false]);
    assert_eq!(preflights(&run(&s, &FIREFOX, &two)), [true, true]);
    let puts = [get(U).method("PUT"), get(U).method("PUT")];
    assert_eq!(preflights(&run(&s, &FIREFOX, &puts)), [true, true]);
    // The literal name `*` (a valid token) is served from the entry.
    let stars = [get(U).method("*").header("*", ""), get(U).method("*").header("*", "")];
    assert_eq!(preflights(&run(&s, &FIREFOX, &stars)), [true, false]);
    // Named items are stored and match as usual.
    let named = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", "x-a, *"),
            ("Access-Control-Max-Age", "600"),
        ],
    );
    let s = server(&[(U, Some(named), Some(star()))]);
    assert_eq!(preflights(&run(&s, &FIREFOX, &two)), [true, false]);
}

/// Firefox: a `Content-Type` with a comma is unsafe (and refused by the no-cors guard).
#[test]
fn safe1_misc1_content_type_with_a_comma() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let req = get(U).method("POST").header("Content-Type", "text/plain;charset=utf-8, application/json");
    assert_eq!(acrh(&one(&s, &SPEC, &req)), None, "the standard's MIME parser sees text/plain");
    assert_eq!(acrh(&one(&s, &CHROMIUM, &req)), None);
    assert_eq!(acrh(&one(&s, &FIREFOX, &req)).as_deref(), Some("content-type"));
    let nc = server(&[(U, None, Some(resp(200, &[])))]);
    let req =
        get(U).mode(RequestMode::NoCors).header("Content-Type", "text/plain;a").header("Content-Type", "text/plain");
    let sent = |p: &BrowserProfile| values(&one(&nc, p, &req).last_actual().unwrap().headers, "content-type");
    assert_eq!(sent(&SPEC), vec![b"text/plain;a".to_vec(), b"text/plain".to_vec()]);
    assert_eq!(sent(&FIREFOX), vec![b"text/plain;a".to_vec()], "the combined value has a comma: not appended");
}

/// Firefox: the preflight of a request with a conditional header carries the no-store headers.
#[test]
fn pre3_preflight_of_a_no_store_request_in_firefox() {
    let s = server(&[(U, Some(permissive()), Some(star()))]);
    let req = get(U).method("PATCH").header("If-None-Match", "\"abc\"");
    let preflight = |p: &BrowserProfile| {
        let v = one(&s, p, &req);
        let h = &v.first_preflight().unwrap().headers;
        (values(h, "cache-control"), values(h, "pragma"))
    };
    assert_eq!(preflight(&SPEC), (vec![], vec![]));
    assert_eq!(preflight(&CHROMIUM), (vec![], vec![]));
    assert_eq!(preflight(&FIREFOX), (vec![b"no-cache".to_vec()], vec![b"no-cache".to_vec()]));
    let plain = get(U).method("PATCH");
    assert!(!one(&s, &FIREFOX, &plain).first_preflight().unwrap().headers.contains("cache-control"));
    // XMLHttpRequest (the use-CORS-preflight flag) does not switch to no-store in Firefox.
    let mut xhr = req.clone();
    xhr.use_cors_preflight = true;
    assert!(!one(&s, &FIREFOX, &xhr).first_preflight().unwrap().headers.contains("cache-control"));
}

/// Row 6: a preflight from an opaque origin (a sandboxed page, or a redirect taint's `null`) gets
/// no preflight-cache hit in Chromium.
#[test]
fn cache1_no_cache_for_opaque_origins() {
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "null"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "600"),
        ],
    );
    let s = server(&[(U, Some(pf), Some(resp(200, &[("Access-Control-Allow-Origin", "null")])))]);
    let mut put = get(U).method("PUT");
    put.origin = Origin::Opaque;
    let two = [put.clone(), put];
    assert_eq!(preflights(&run(&s, &SPEC, &two)), [true, false]);
    assert_eq!(preflights(&run(&s, &FIREFOX, &two)), [true, false]);
    assert_eq!(preflights(&run(&s, &CHROMIUM, &two)), [true, true]);

    // The `null` of a redirect taint: a PUT to U redirected to another origin, whose hop is
    // preflighted with `Origin: null` (`targeted/cache1/tainted-origin-second-request`).
    const TO: &str = "http://other.example.test/to";
    let pf_any = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "600"),
        ],
    );
    let redirect = resp(307, &[("Location", TO), ("Access-Control-Allow-Origin", "*")]);
    let s = server(&[(U, Some(pf_any.clone()), Some(redirect)), (TO, Some(pf_any), Some(star()))]);
    let two = [get(U).method("PUT"), get(U).method("PUT")];
    // Preflights per request: [to U, to TO (`Origin: null`)].
    let per_hop = |vs: Vec<Verdict>| -> Vec<Vec<bool>> {
        vs.iter().map(|v| v.hops.iter().map(|h| h.preflight.is_some()).collect()).collect()
    };
    let first = vec![true, true];
    assert_eq!(per_hop(run(&s, &SPEC, &two)), [first.clone(), vec![false, false]]);
    let opaque = BrowserProfile { opaque_origin_preflight_cache: false, ..SPEC };
    assert_eq!(per_hop(run(&s, &opaque, &two)), [first.clone(), vec![false, true]]);
    assert_eq!(per_hop(run(&s, &CHROMIUM, &two)), [first.clone(), vec![false, true]]);
    // Firefox preflights a tainted hop with the page's origin (ORIG-5) and caches it.
    assert_eq!(per_hop(run(&s, &FIREFOX, &two)), [first, vec![false, false]]);
}

/// Row 3: a passed preflight whose actual response then fails the CORS check.
#[test]
fn pre14_actual_failure_and_the_cache() {
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "600"),
        ],
    );
    let s = server(&[(U, Some(pf), Some(resp(200, &[])))]);
    let puts = [get(U).method("PUT"), get(U).method("PUT")];
    let keeps = BrowserProfile { actual_failure_clears_cache: false, ..SPEC };
    assert_eq!(preflights(&run(&s, &SPEC, &puts)), [true, true]);
    assert_eq!(preflights(&run(&s, &FIREFOX, &puts)), [true, true]);
    assert_eq!(preflights(&run(&s, &keeps, &puts)), [true, false]);
    assert_eq!(preflights(&run(&s, &CHROMIUM, &puts)), [true, false]);
    // A failed preflight still clears.
    let bad_pf = resp(204, &[("Access-Control-Allow-Origin", "*")]);
    let s = server(&[(U, Some(bad_pf), Some(star()))]);
    let mut cache = PreflightCache::new();
    let v = evaluate(&get(U).method("PUT"), &mut &s, &CHROMIUM, &mut cache, 0).unwrap();
    assert_eq!(v.failure().map(|f| f.rule), Some(Rule::Pre8));
}

/// Row 4: a no-cors redirect to a URL with credentials.
#[test]
fn red2_credentials_redirects_always_fail() {
    let to = "http://u:p@api.example.test:8080/t";
    let s = server(&[
        (U, None, Some(resp(302, &[("Location", to)]))),
        ("http://u:p@api.example.test:8080/t", None, Some(resp(200, &[]))),
    ]);
    let req = get(U).mode(RequestMode::NoCors);
    assert_eq!(one(&s, &SPEC, &req).outcome, Outcome::Opaque);
    assert_eq!(one(&s, &FIREFOX, &req).outcome, Outcome::Opaque);
    let always = BrowserProfile { credentials_redirects_always_fail: true, ..SPEC };
    for p in [&always, &CHROMIUM] {
        assert_eq!(one(&s, p, &req).failure().map(|f| f.rule), Some(Rule::Red2), "{}", p.name);
    }
}

/// Row 7: a no-cors POST from the page's origin redirected to another origin.
#[test]
fn orig4_orig5_no_cors_redirect_origin_null() {
    let page_url = "http://web.example.test:8000/t";
    let other = "http://t.other.test/x";
    let s = server(&[(page_url, None, Some(resp(307, &[("Location", other)]))), (other, None, Some(resp(200, &[])))]);
    let req = get(page_url).method("POST").mode(RequestMode::NoCors);
    let origin = |p: &BrowserProfile| {
        let v = one(&s, p, &req);
        v.hops.iter().map(|h| h.actual.as_ref().unwrap().request.origin().map(|o| o.to_vec())).collect::<Vec<_>>()
    };
    let page = Some(O.as_bytes().to_vec());
    assert_eq!(origin(&SPEC), [page.clone(), page.clone()]);
    assert_eq!(origin(&FIREFOX), [page.clone(), page.clone()]);
    assert_eq!(origin(&CHROMIUM), [page, Some(b"null".to_vec())]);
}

/// Firefox ORIG-5 row: after a redirect taint, the preflight carries the page's origin.
#[test]
fn orig5_preflight_after_a_redirect_taint() {
    let b = "http://api.example.test:8080/r";
    let c = "http://t.other.test/x";
    let pf = resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "x-a")]);
    let s = server(&[
        (b, Some(pf.clone()), Some(resp(307, &[("Location", c), ("Access-Control-Allow-Origin", "*")]))),
        (c, Some(pf), Some(star())),
    ]);
    let req = get(b).header("X-A", "1");
    let origins = |p: &BrowserProfile| {
        let v = one(&s, p, &req);
        assert!(v.readable(), "{}: {:?}", p.name, v.failure());
        let hop = &v.hops[1];
        let o = |r: &cors_harness::response::WireRequest| String::from_utf8_lossy(r.origin().unwrap()).into_owned();
        (o(&hop.preflight.as_ref().unwrap().request), o(&hop.actual.as_ref().unwrap().request))
    };
    assert_eq!(origins(&SPEC), ("null".to_owned(), "null".to_owned()));
    assert_eq!(origins(&CHROMIUM), ("null".to_owned(), "null".to_owned()));
    assert_eq!(origins(&FIREFOX), (O.to_owned(), "null".to_owned()));
}

/// Firefox RED-6 row: after a preflighted POST is rewritten to GET by a 302, the target is
/// preflighted again (`ACRM: GET`, no request-headers list).
#[test]
fn red6_preflight_sticks_across_redirects() {
    let b = "http://api.example.test:8080/r";
    let c = "http://api.example.test:8080/next";
    let pf = resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "content-type")]);
    let s = server(&[
        (b, Some(pf.clone()), Some(resp(302, &[("Location", c), ("Access-Control-Allow-Origin", "*")]))),
        (c, Some(pf), Some(star())),
    ]);
    let req = get(b).method("POST").header("Content-Type", "application/json");
    let second_preflight = |p: &BrowserProfile| {
        let v = one(&s, p, &req);
        assert!(v.readable(), "{}: {:?}", p.name, v.failure());
        v.hops[1].preflight.as_ref().map(|x| {
            let h = &x.request.headers;
            (h.get("access-control-request-method").map(|m| m.to_vec()), h.contains("access-control-request-headers"))
        })
    };
    assert_eq!(second_preflight(&SPEC), None);
    assert_eq!(second_preflight(&CHROMIUM), None);
    assert_eq!(second_preflight(&FIREFOX), Some((Some(b"GET".to_vec()), false)));
}

/// Firefox: a redirect back to the page's own origin after a taint: the (sticky) preflight is
/// sent, its answer gets no CORS check, but it grants no method by itself (no PRE-7).
#[test]
fn pre7_chk1_firefox_preflight_back_to_the_page_origin() {
    let b = "http://api.example.test:8080/r";
    let back = "http://web.example.test:8000/back";
    let to_back = resp(302, &[("Location", back), ("Access-Control-Allow-Origin", O)]);
    let pf = resp(204, &[("Access-Control-Allow-Origin", O), ("Access-Control-Allow-Methods", "PROPFIND")]);
    // The answer at the page's origin has no CORS headers at all, the actual response `*`.
    let bare = resp(204, &[("Access-Control-Allow-Methods", "PROPFIND")]);
    let s = server(&[(b, Some(pf.clone()), Some(to_back.clone())), (back, Some(bare), Some(star()))]);
    let req = get(b).method("PROPFIND");
    assert_eq!(one(&s, &SPEC, &req).failure().map(|f| f.rule), Some(Rule::Chk1));
    let v = one(&s, &FIREFOX, &req);
    assert!(v.readable(), "{:?}", v.failure());
    assert_eq!(v.hops[1].actual.as_ref().unwrap().request.origin(), Some(&b"null"[..]));
    // Without Access-Control-Allow-Methods the method is not granted: the sticky preflight is
    // not the use-CORS-preflight flag.
    let no_methods = resp(204, &[]);
    let s = server(&[(b, Some(pf), Some(to_back)), (back, Some(no_methods), Some(star()))]);
    assert_eq!(one(&s, &FIREFOX, &req).failure().map(|f| f.rule), Some(Rule::Pre8));
}

/// PRE-7: with the use-CORS-preflight flag (an XHR with upload listeners) and no
/// `Access-Control-Allow-Methods`, the standard allows the requested method; Chromium and
/// Firefox do not (`targeted/pre7/upload-flag-no-allow-methods`).
#[test]
fn pre7_use_cors_preflight_flag_and_a_missing_methods_list() {
    let s = server(&[(U, Some(resp(204, &[("Access-Control-Allow-Origin", "*")])), Some(star()))]);
    let mut req = get(U).method("QUERY");
    req.use_cors_preflight = true;
    assert!(one(&s, &SPEC, &req).readable());
    let strict = BrowserProfile { use_cors_preflight_grants_method: false, ..SPEC };
    for p in [&strict, &CHROMIUM, &FIREFOX] {
        assert_eq!(one(&s, p, &req).failure().map(|f| f.rule), Some(Rule::Pre8), "{}", p.name);
    }
    // A safelisted method still passes.
    req.method = "POST".to_owned();
    assert!(one(&s, &CHROMIUM, &req).readable());
}
