//! Whole-fetch behaviour of the oracle: preflights, cache, redirects, modes. Test names start
//! with the digest rule they show (`pre8_...`), which the rule-coverage test reads.

use cors_harness::oracle::cache::{CacheItem, PreflightCache};
use cors_harness::oracle::verdict::Verdict;
use cors_harness::profile::{BrowserProfile, CHROMIUM, SPEC};
use cors_harness::response::ServerResponse;
use cors_harness::script::{ServerScript, UrlAnswers};
use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, RequestMode, Rule, evaluate, evaluate_once};

const O: &str = "http://web.example.test:8000";
const U: &str = "http://api.example.test:8080/r";

fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

fn page() -> Origin {
    Origin::parse_serialized(O.as_bytes()).unwrap()
}

fn get(to: &str) -> BrowserRequest {
    BrowserRequest::fetch(page(), url(to))
}

fn resp(status: u16, headers: &[(&str, &str)]) -> ServerResponse {
    ServerResponse { status, headers: HeaderList::from_pairs(headers.iter().copied()) }
}

#[derive(Default)]
struct Server(ServerScript);

impl Server {
    fn at(mut self, u: &str, preflight: Option<ServerResponse>, response: Option<ServerResponse>) -> Self {
        self.0.insert(&url(u), UrlAnswers { preflight, response });
        self
    }
    fn eval(&self, req: &BrowserRequest) -> Verdict {
        self.eval_with(req, &SPEC)
    }
    fn eval_with(&self, req: &BrowserRequest, profile: &BrowserProfile) -> Verdict {
        evaluate_once(req, &mut &self.0, profile).unwrap()
    }
    fn eval_cached(
        &self,
        req: &BrowserRequest,
        profile: &BrowserProfile,
        cache: &mut PreflightCache,
        now: u64,
    ) -> Verdict {
        evaluate(req, &mut &self.0, profile, cache, now).unwrap()
    }
}

fn star() -> ServerResponse {
    resp(200, &[("Access-Control-Allow-Origin", "*")])
}

fn echo() -> ServerResponse {
    resp(200, &[("Access-Control-Allow-Origin", O), ("Access-Control-Allow-Credentials", "true")])
}

fn preflight_ok(extra: &[(&str, &str)]) -> ServerResponse {
    let mut h = vec![("Access-Control-Allow-Origin", O), ("Access-Control-Allow-Credentials", "true")];
    h.extend_from_slice(extra);
    resp(204, &h)
}

fn rule(v: &Verdict) -> Option<Rule> {
    v.failure().map(|f| f.rule)
}

fn origin_sent(v: &Verdict) -> Option<String> {
    v.last_actual().and_then(|r| r.origin()).map(|o| String::from_utf8_lossy(o).into_owned())
}

#[test]
fn orig3_opaque_page_sends_null_and_needs_null_or_star() {
    let mut req = get(U);
    req.origin = Origin::Opaque;
    let with = |acao: &str| {
        Server::default().at(U, None, Some(resp(200, &[("Access-Control-Allow-Origin", acao)]))).eval(&req)
    };
    assert!(with("null").readable());
    assert!(with("*").readable());
    assert_eq!(rule(&with(O)), Some(Rule::Chk3));
    assert_eq!(origin_sent(&with("null")).as_deref(), Some("null"));
}

#[test]
fn orig4_when_the_origin_header_is_sent() {
    let same = "http://web.example.test:8000/x";
    let s = Server::default().at(U, None, Some(star())).at(same, None, Some(resp(200, &[])));
    assert_eq!(origin_sent(&s.eval(&get(U))).as_deref(), Some(O), "cross-origin cors GET");
    assert_eq!(origin_sent(&s.eval(&get(same))), None, "same-origin GET");
    assert_eq!(origin_sent(&s.eval(&get(same).method("post"))).as_deref(), Some(O), "same-origin POST");
    assert_eq!(origin_sent(&s.eval(&get(U).mode(RequestMode::NoCors))), None, "no-cors GET");
    assert_eq!(
        origin_sent(&s.eval(&get(U).mode(RequestMode::NoCors).method("POST"))).as_deref(),
        Some(O),
        "no-cors POST"
    );
}

#[test]
fn orig6_preflight_cache_is_keyed_by_the_serialized_origin() {
    let s = Server::default().at(
        U,
        Some(preflight_ok(&[("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "600")])),
        Some(echo()),
    );
    let mut cache = PreflightCache::new();
    s.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 0);
    let mut other = get(U).method("PUT");
    other.origin = Origin::parse_serialized(b"http://other.example.test:8000").unwrap();
    let v = Server::default()
        .at(
            U,
            Some(resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")])),
            Some(star()),
        )
        .eval_cached(&other, &SPEC, &mut cache, 1000);
    assert!(v.first_preflight().is_some(), "another origin does not hit the first origin's entry");
}

#[test]
fn chk6_preflight_is_checked_with_the_actual_credentials_mode() {
    let req = get(U).method("PUT").credentials(CredentialsMode::Include);
    let no_acac = resp(204, &[("Access-Control-Allow-Origin", O), ("Access-Control-Allow-Methods", "PUT")]);
    let v = Server::default().at(U, Some(no_acac), Some(echo())).eval(&req);
    assert_eq!(rule(&v), Some(Rule::Chk5));
    assert!(!v.first_preflight().unwrap().credentials_attached, "PRE-3: preflights carry no credentials");
    let v = Server::default()
        .at(U, Some(preflight_ok(&[("Access-Control-Allow-Methods", "PUT")])), Some(echo()))
        .eval(&req);
    assert!(v.readable());
}

#[test]
fn chk6_every_redirect_hop_is_checked() {
    let next = "http://api.example.test:8080/next";
    let s = Server::default().at(U, None, Some(resp(302, &[("Location", next)]))).at(next, None, Some(star()));
    assert_eq!(rule(&s.eval(&get(U))), Some(Rule::Chk1));
    let s = Server::default()
        .at(U, None, Some(resp(302, &[("Location", next), ("Access-Control-Allow-Origin", "*")])))
        .at(next, None, Some(star()));
    assert!(s.eval(&get(U)).readable());
}

#[test]
fn chk7_any_status_is_readable_once_the_check_passes() {
    for status in [200, 404, 500, 599] {
        let v =
            Server::default().at(U, None, Some(resp(status, &[("Access-Control-Allow-Origin", "*")]))).eval(&get(U));
        assert!(matches!(v.outcome, cors_harness::Outcome::Shared { status: s, .. } if s == status));
    }
}

#[test]
fn safe5_ua_accept_language_counts_toward_1024_only_in_the_spec_profile() {
    // Author headers: Accept (128 bytes) + 7 x Content-Language (128 bytes) = 1024, the limit.
    let v128 = "a".repeat(128);
    let mut req = get(U).header("Accept", &v128);
    for _ in 0..7 {
        req = req.header("Content-Language", &v128);
    }
    let s = Server::default().at(
        U,
        Some(resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*")])),
        Some(star()),
    );
    // Chromium adds Accept-Language after the CORS decision (one switch, all else standard).
    let late_language = BrowserProfile { ua_accept_language: None, ..SPEC };
    let chromium = s.eval_with(&req, &late_language);
    assert!(chromium.first_preflight().is_none(), "chromium adds Accept-Language after the CORS decision");
    assert_eq!(CHROMIUM.ua_accept_language, None);
    let spec = s.eval_with(&req, &SPEC);
    let acrh = spec
        .first_preflight()
        .expect("spec: UA Accept-Language pushes the total past 1024")
        .headers
        .get("access-control-request-headers");
    assert_eq!(acrh.as_deref(), Some(&b"accept,accept-language,content-language"[..]));
}

#[test]
fn safe6_pre9_authorization_must_be_listed_explicitly() {
    let req = get(U).header("Authorization", "Bearer t");
    let star_headers = resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*")]);
    let v = Server::default().at(U, Some(star_headers), Some(star())).eval(&req);
    assert_eq!(
        v.first_preflight().unwrap().headers.get("access-control-request-headers").as_deref(),
        Some(&b"authorization"[..])
    );
    assert_eq!(rule(&v), Some(Rule::Pre9));
    let listed =
        resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*, Authorization")]);
    assert!(Server::default().at(U, Some(listed), Some(star())).eval(&req).readable());
}

#[test]
fn pre1_pre3_what_triggers_a_preflight_and_its_shape() {
    let s = Server::default().at(
        U,
        Some(resp(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ],
        )),
        Some(star()),
    );
    assert!(s.eval(&get(U)).first_preflight().is_none());
    assert!(s.eval(&get(U).method("post").header("Content-Type", "text/plain")).first_preflight().is_none());
    let put = s.eval(&get(U).method("put"));
    let p = put.first_preflight().unwrap();
    assert_eq!(
        (p.method.as_str(), p.headers.get("access-control-request-method").as_deref()),
        ("OPTIONS", Some(&b"PUT"[..]))
    );
    assert!(!p.headers.contains("access-control-request-headers"));
    assert_eq!(p.origin(), Some(O.as_bytes()));
    let patch = s.eval(&get(U).method("patch").header("X-B", "1").header("x-a", "2").header("X-B", "3"));
    let p = patch.first_preflight().unwrap();
    assert_eq!(p.headers.get("access-control-request-method").as_deref(), Some(&b"patch"[..]));
    assert_eq!(p.headers.get("access-control-request-headers").as_deref(), Some(&b"x-a,x-b"[..]));
    assert!(!p.headers.contains("x-a"), "author headers are not sent on the preflight");
    let mut flagged = get(U);
    flagged.use_cors_preflight = true;
    assert!(s.eval(&flagged).first_preflight().is_some(), "upload listeners force a preflight");
}

#[test]
fn pre2_cache1_cache4_cached_preflights_expire_after_max_age() {
    let s = Server::default().at(
        U,
        Some(preflight_ok(&[("Access-Control-Allow-Methods", "PUT, PATCH"), ("Access-Control-Max-Age", "600")])),
        Some(echo()),
    );
    let req = get(U).method("PUT");
    let mut cache = PreflightCache::new();
    let first = s.eval_cached(&req, &SPEC, &mut cache, 0);
    assert!(first.first_preflight().is_some());
    let items: Vec<_> = first.cache_entries.iter().map(|e| e.item.clone()).collect();
    assert_eq!(items, [CacheItem::Method("PUT".into()), CacheItem::Method("PATCH".into())]);
    let again = s.eval_cached(&req.clone().method("PATCH"), &SPEC, &mut cache, 599000);
    assert!(again.first_preflight().is_none() && again.readable() && again.hops[0].preflight_needed);
    assert!(s.eval_cached(&req, &SPEC, &mut cache, 600000).first_preflight().is_some(), "expired at max-age");
}

#[test]
fn pre11_max_age_zero_means_no_reuse() {
    let s = Server::default().at(
        U,
        Some(preflight_ok(&[("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "0")])),
        Some(echo()),
    );
    let mut cache = PreflightCache::new();
    s.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 0);
    assert!(s.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 0).first_preflight().is_some());
}

#[test]
fn cache2_credentialed_entries_serve_uncredentialed_requests_not_vice_versa() {
    let s = Server::default().at(
        U,
        Some(preflight_ok(&[("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "600")])),
        Some(echo()),
    );
    let mut cache = PreflightCache::new();
    s.eval_cached(&get(U).method("PUT").credentials(CredentialsMode::Include), &SPEC, &mut cache, 0);
    assert!(s.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 1000).first_preflight().is_none());
    let mut cache = PreflightCache::new();
    s.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 0);
    let v = s.eval_cached(&get(U).method("PUT").credentials(CredentialsMode::Include), &SPEC, &mut cache, 1000);
    assert!(v.first_preflight().is_some());
}

#[test]
fn cache3_credentialed_wildcard_entries_differ_between_profiles() {
    // A credentialed preflight passes for PUT (listed) and also lists a literal "*".
    let s = Server::default().at(
        U,
        Some(preflight_ok(&[("Access-Control-Allow-Methods", "*, PUT"), ("Access-Control-Max-Age", "600")])),
        Some(echo()),
    );
    let first = get(U).method("PUT").credentials(CredentialsMode::Include);
    let later = get(U).method("DELETE").credentials(CredentialsMode::Include);
    for (profile, preflights_again) in [(&SPEC, false), (&CHROMIUM, true)] {
        let mut cache = PreflightCache::new();
        s.eval_cached(&first, profile, &mut cache, 0);
        let v = s.eval_cached(&later, profile, &mut cache, 1000);
        assert_eq!(v.first_preflight().is_some(), preflights_again, "{}", profile.name);
    }
}

#[test]
fn cache3_header_wildcard_never_covers_authorization() {
    let s = Server::default().at(
        U,
        Some(resp(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Headers", "*, authorization"),
                ("Access-Control-Max-Age", "600"),
            ],
        )),
        Some(star()),
    );
    let mut cache = PreflightCache::new();
    s.eval_cached(&get(U).header("X-A", "1"), &SPEC, &mut cache, 0);
    assert!(s.eval_cached(&get(U).header("X-Other", "1"), &SPEC, &mut cache, 1000).first_preflight().is_none());
    assert!(
        s.eval_cached(&get(U).header("Authorization", "x"), &SPEC, &mut cache, 1000).first_preflight().is_none(),
        "listed by name"
    );
    let s2 = Server::default().at(
        U,
        Some(resp(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Headers", "*"),
                ("Access-Control-Max-Age", "600"),
            ],
        )),
        Some(star()),
    );
    let mut cache = PreflightCache::new();
    s2.eval_cached(&get(U).header("X-A", "1"), &SPEC, &mut cache, 0);
    assert!(s2.eval_cached(&get(U).header("Authorization", "x"), &SPEC, &mut cache, 1000).first_preflight().is_some());
}

#[test]
fn pre4_red3_redirected_preflights_fail() {
    for status in [301, 302, 303, 307, 308] {
        let pf =
            resp(status, &[("Access-Control-Allow-Origin", "*"), ("Location", "http://api.example.test:8080/other")]);
        let v = Server::default().at(U, Some(pf), Some(star())).eval(&get(U).method("PUT"));
        assert_eq!(rule(&v), Some(Rule::Pre5), "{status}: a redirect is not an ok status");
        assert!(v.failure().unwrap().explanation.contains("never follow"));
        assert!(v.last_actual().is_none() && v.hops.len() == 1, "the Location is not followed");
    }
}

#[test]
fn pre5_preflight_status_must_be_2xx() {
    let with = |status| {
        Server::default()
            .at(
                U,
                Some(resp(status, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")])),
                Some(star()),
            )
            .eval(&get(U).method("PUT"))
    };
    for ok in [200, 204, 206, 299] {
        assert!(with(ok).readable(), "{ok}");
    }
    for bad in [199, 304, 400, 401, 403, 404, 500, 503] {
        assert_eq!(rule(&with(bad)), Some(Rule::Pre5), "{bad}");
    }
}

#[test]
fn pre6_unparsable_lists_fail_even_when_not_needed() {
    let req = get(U).header("X-Force-Preflight", "");
    let v = Server::default()
        .at(
            U,
            Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Headers", "x-force-preflight"),
                    ("Access-Control-Allow-Methods", "Bad method name"),
                ],
            )),
            Some(star()),
        )
        .eval(&req);
    assert_eq!(rule(&v), Some(Rule::Pre6));
}

#[test]
fn pre7_flag_without_allow_methods_caches_the_request_method() {
    let mut req = get(U).method("POST");
    req.use_cors_preflight = true;
    let s = Server::default().at(
        U,
        Some(resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Max-Age", "60")])),
        Some(star()),
    );
    let mut cache = PreflightCache::new();
    let v = s.eval_cached(&req, &SPEC, &mut cache, 0);
    assert!(v.readable());
    assert_eq!(v.cache_entries[0].item, CacheItem::Method("POST".into()));
    assert!(s.eval_cached(&req, &SPEC, &mut cache, 1000).first_preflight().is_none());
}

#[test]
fn pre8_method_matching() {
    let with = |acam: &str, method: &str, creds| {
        let pf = resp(
            204,
            &[
                ("Access-Control-Allow-Origin", O),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", acam),
                ("Access-Control-Allow-Headers", "x-test"),
            ],
        );
        Server::default()
            .at(U, Some(pf), Some(echo()))
            .eval(&get(U).method(method).header("X-Test", "1").credentials(creds))
    };
    assert!(with("PUT", "put", CredentialsMode::Omit).readable(), "put is normalized to PUT");
    assert_eq!(rule(&with("put", "PUT", CredentialsMode::Omit)), Some(Rule::Pre8), "case-sensitive");
    assert_eq!(rule(&with("PATCH", "patch", CredentialsMode::Omit)), Some(Rule::Pre8), "patch is not normalized");
    assert!(with("", "GET", CredentialsMode::Include).readable(), "safelisted methods need no listing");
    assert!(with("*", "CHICKEN", CredentialsMode::Omit).readable());
    assert_eq!(rule(&with("*", "CHICKEN", CredentialsMode::Include)), Some(Rule::Pre8));
    assert!(with("*", "*", CredentialsMode::Include).readable(), "a method literally named *");
}

#[test]
fn pre10_every_unsafe_header_must_be_allowed() {
    let with = |acah: &str, creds| {
        let pf = resp(
            204,
            &[
                ("Access-Control-Allow-Origin", O),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Headers", acah),
            ],
        );
        Server::default()
            .at(U, Some(pf), Some(echo()))
            .eval(&get(U).header("X-A", "1").header("Content-Type", "application/json").credentials(creds))
    };
    assert!(with("x-a, CONTENT-TYPE", CredentialsMode::Include).readable());
    assert_eq!(rule(&with("x-a", CredentialsMode::Include)), Some(Rule::Pre10));
    assert!(with("*", CredentialsMode::SameOrigin).readable());
    assert_eq!(rule(&with("*", CredentialsMode::Include)), Some(Rule::Pre10));
}

#[test]
fn pre13_actual_response_is_checked_after_a_passed_preflight() {
    let s = Server::default().at(
        U,
        Some(resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")])),
        Some(resp(200, &[])),
    );
    let v = s.eval(&get(U).method("PUT"));
    assert!(v.last_actual().is_some());
    assert_eq!(rule(&v), Some(Rule::Chk1));
}

#[test]
fn pre14_a_network_error_clears_the_cache_for_origin_and_url() {
    let pf = Some(resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "600"),
        ],
    ));
    let good = Server::default().at(U, pf.clone(), Some(star()));
    let bad = Server::default().at(U, pf, Some(resp(200, &[])));
    let mut cache = PreflightCache::new();
    good.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 0);
    let failed = bad.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 1000);
    assert!(failed.first_preflight().is_none() && rule(&failed) == Some(Rule::Chk1));
    assert!(cache.is_empty());
    assert!(good.eval_cached(&get(U).method("PUT"), &SPEC, &mut cache, 2000).first_preflight().is_some());
}

#[test]
fn exp3_exp4_exposure_never_decides_sharing_and_preflight_aceh_is_ignored() {
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Expose-Headers", "x-a"),
        ],
    );
    let actual =
        resp(200, &[("Access-Control-Allow-Origin", "*"), ("X-A", "1"), ("Access-Control-Expose-Headers", "bad name")]);
    let v = Server::default().at(U, Some(pf), Some(actual)).eval(&get(U).method("PUT"));
    assert!(v.readable(), "an unparsable expose list does not block sharing");
    assert_eq!(v.exposed_headers().unwrap(), &[] as &[String]);
}

fn chain(n: usize) -> Server {
    let mut s = Server::default();
    for i in 0..n {
        let next = format!("http://api.example.test:8080/hop{}", i + 1);
        let here = if i == 0 { U.to_owned() } else { format!("http://api.example.test:8080/hop{i}") };
        s = s.at(&here, None, Some(resp(307, &[("Location", &next), ("Access-Control-Allow-Origin", "*")])));
    }
    let last = if n == 0 { U.to_owned() } else { format!("http://api.example.test:8080/hop{n}") };
    s.at(&last, None, Some(star()))
}

#[test]
fn red1_at_most_20_redirects() {
    assert!(chain(20).eval(&get(U)).readable());
    assert_eq!(rule(&chain(21).eval(&get(U))), Some(Rule::Red1));
    assert_eq!(chain(20).eval(&get(U)).hops.len(), 21);
}

#[test]
fn red2_credentials_in_the_location_are_a_network_error() {
    let s = Server::default().at(
        U,
        None,
        Some(resp(
            302,
            &[("Location", "http://user:pass@api.example.test:8080/x"), ("Access-Control-Allow-Origin", "*")],
        )),
    );
    assert_eq!(rule(&s.eval(&get(U))), Some(Rule::Red2));
}

#[test]
fn red4_orig5_after_a_tainting_redirect_the_origin_is_null() {
    let c = "http://c.example.test:8080/final";
    let with = |acao: &str| {
        Server::default()
            .at(U, None, Some(resp(302, &[("Location", c), ("Access-Control-Allow-Origin", "*")])))
            .at(c, None, Some(resp(200, &[("Access-Control-Allow-Origin", acao)])))
            .eval(&get(U))
    };
    assert_eq!(origin_sent(&with("*")).as_deref(), Some("null"));
    assert_eq!(rule(&with(O)), Some(Rule::Chk3));
    assert!(with("null").readable() && with("*").readable());
    // A same-origin first hop does not taint: O -> O/x -> B keeps Origin: O.
    let first = "http://web.example.test:8000/go";
    let s = Server::default().at(first, None, Some(resp(302, &[("Location", U)]))).at(
        U,
        None,
        Some(resp(200, &[("Access-Control-Allow-Origin", O)])),
    );
    let v = s.eval(&get(first));
    assert!(v.readable());
    assert_eq!(origin_sent(&v).as_deref(), Some(O));
}

#[test]
fn red5_authorization_is_dropped_on_a_cross_origin_hop() {
    let c = "http://c.example.test:8080/final";
    let pf = resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "authorization")]);
    let s = Server::default()
        .at(U, Some(pf), Some(resp(302, &[("Location", c), ("Access-Control-Allow-Origin", "*")])))
        .at(c, None, Some(resp(200, &[("Access-Control-Allow-Origin", "*")])));
    let v = s.eval(&get(U).header("Authorization", "Bearer t"));
    assert!(v.readable());
    assert!(v.hops[0].actual.as_ref().unwrap().request.headers.contains("authorization"));
    assert!(!v.hops[1].actual.as_ref().unwrap().request.headers.contains("authorization"));
    assert!(v.hops[1].preflight.is_none(), "no unsafe header left: no preflight at the second hop");
}

#[test]
fn red6_a_303_turns_put_into_a_bodyless_get() {
    let next = "http://api.example.test:8080/next";
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type"),
        ],
    );
    let s = Server::default()
        .at(U, Some(pf), Some(resp(303, &[("Location", next), ("Access-Control-Allow-Origin", "*")])))
        .at(next, None, Some(star()));
    let v = s.eval(&get(U).method("PUT").header("Content-Type", "application/json"));
    let last = v.last_actual().unwrap();
    assert_eq!(last.method, "GET");
    assert!(!last.headers.contains("content-type"));
}

#[test]
fn red7_non_http_or_invalid_location() {
    for loc in ["data:text/plain,hi", "ftp://api.example.test/x", "http://[::1"] {
        let s =
            Server::default().at(U, None, Some(resp(302, &[("Location", loc), ("Access-Control-Allow-Origin", "*")])));
        assert_eq!(rule(&s.eval(&get(U))), Some(Rule::Red7), "{loc}");
    }
}

#[test]
fn red8_script_sees_the_final_response_not_the_redirect() {
    let v = chain(2).eval(&get(U));
    assert!(matches!(v.outcome, cors_harness::Outcome::Shared { status: 200, .. }));
}

#[test]
fn misc1_no_cors_is_opaque_and_restricted() {
    let s = Server::default().at(U, None, Some(resp(200, &[])));
    let v = s.eval(&get(U).mode(RequestMode::NoCors).header("X-Custom", "1").header("Content-Type", "text/plain"));
    assert_eq!(v.outcome, cors_harness::Outcome::Opaque);
    let sent = v.last_actual().unwrap();
    assert!(!sent.headers.contains("x-custom") && sent.headers.contains("content-type"));
    assert_eq!(rule(&s.eval(&get(U).mode(RequestMode::NoCors).method("PUT"))), Some(Rule::Misc1));
}

/// The no-cors guard judges a repeated name by the combined value it would have (Fetch,
/// Headers "append"): a second `Accept` that pushes the combination past 128 bytes is dropped.
/// Seen in Chromium 148 and 156 and Firefox 140 and 153 (`targeted/misc1/no-cors-repeated-accept-over-128`).
#[test]
fn misc1_no_cors_checks_a_repeated_header_by_its_combined_value() {
    let s = Server::default().at(U, None, Some(resp(200, &[])));
    let long = "a".repeat(124);
    let v = s.eval(&get(U).mode(RequestMode::NoCors).header("Accept", &long).header("Accept", "*/*"));
    let sent = v.last_actual().unwrap();
    assert_eq!(sent.headers.count("accept"), 1, "{sent:?}");
    assert_eq!(sent.headers.get("accept").as_deref(), Some(long.as_bytes()));
    // Short values combine within the limit and are both kept.
    let v = s.eval(&get(U).mode(RequestMode::NoCors).header("Accept", "text/html").header("Accept", "*/*"));
    assert_eq!(v.last_actual().unwrap().headers.count("accept"), 2);
}

#[test]
fn misc2_same_origin_mode_refuses_cross_origin_urls() {
    let v = Server::default().eval(&get(U).mode(RequestMode::SameOrigin));
    assert_eq!(rule(&v), Some(Rule::Misc2));
    assert!(v.hops.is_empty());
}

#[test]
fn misc3_credentials_are_attached_only_with_include() {
    let s = Server::default().at(U, None, Some(echo()));
    assert!(!s.eval(&get(U)).last_actual().unwrap().credentials_attached);
    assert!(!s.eval(&get(U).credentials(CredentialsMode::Omit)).last_actual().unwrap().credentials_attached);
    assert!(s.eval(&get(U).credentials(CredentialsMode::Include)).last_actual().unwrap().credentials_attached);
    let same = "http://web.example.test:8000/x";
    let s = Server::default().at(same, None, Some(resp(200, &[])));
    assert!(s.eval(&get(same)).last_actual().unwrap().credentials_attached, "same-origin default attaches");
}

#[test]
fn misc4_set_cookie_is_processed_even_when_the_check_fails() {
    let s = Server::default().at(U, None, Some(resp(200, &[("Set-Cookie", "a=b")])));
    let v = s.eval(&get(U).credentials(CredentialsMode::Include));
    assert!(!v.readable() && v.cookies_stored);
    assert!(!s.eval(&get(U)).cookies_stored, "no credentials: cookies are not stored");
}

#[test]
fn ws1_ws2_websocket_handshakes_get_no_cors_check() {
    let ws = "ws://api.example.test:8080/socket";
    let s = Server::default().at(ws, None, Some(resp(101, &[])));
    let v = s.eval(&get(ws).mode(RequestMode::WebSocket));
    assert!(v.readable(), "opens without any Access-Control-Allow-Origin: the server must check Origin itself");
    let sent = v.last_actual().unwrap();
    assert_eq!(sent.origin(), Some(O.as_bytes()));
    assert!(sent.credentials_attached && v.first_preflight().is_none());
    let refused = Server::default().at(ws, None, Some(resp(403, &[]))).eval(&get(ws).mode(RequestMode::WebSocket));
    assert_eq!(rule(&refused), Some(Rule::Ws1));
}

#[test]
fn hdr1_invalid_bytes_in_a_response_header_are_a_network_error() {
    let v = Server::default()
        .at(U, None, Some(resp(200, &[("Access-Control-Allow-Origin", "*"), ("X", "a\0b")])))
        .eval(&get(U));
    assert_eq!(rule(&v), Some(Rule::Hdr1));
}

#[test]
fn meth2_meth4_script_errors_send_nothing() {
    for (m, r) in [("TRACE", Rule::Meth2), ("connect", Rule::Meth2), ("GE T", Rule::Meth4)] {
        let v = Server::default().eval(&get(U).method(m));
        assert_eq!(rule(&v), Some(r));
        assert!(v.hops.is_empty());
    }
}

#[test]
fn safe4_forbidden_headers_are_dropped_and_never_unsafe() {
    let v = Server::default()
        .at(U, None, Some(star()))
        .eval(&get(U).header("Cookie", "a=b").header("Sec-Foo", "1").header("Origin", "http://evil.test"));
    assert!(v.first_preflight().is_none() && v.readable());
    let sent = v.last_actual().unwrap();
    assert!(!sent.headers.contains("cookie"));
    assert_eq!(sent.origin(), Some(O.as_bytes()));
}

#[test]
fn safe7_browser_reports_need_no_preflight() {
    let mut req = get(U).method("POST").header("Content-Type", "application/csp-report");
    let s = Server::default().at(
        U,
        Some(resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "content-type")])),
        Some(star()),
    );
    assert!(s.eval(&req).first_preflight().is_some(), "from script it needs one");
    req.ua_report = true;
    assert!(s.eval(&req).first_preflight().is_none());
}

#[test]
fn pna1_private_network_preflights_only_under_a_pna_profile() {
    let mut req = get(U);
    req.private_network = true;
    let ok = resp(204, &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Private-Network", "true")]);
    let s = Server::default().at(U, Some(ok), Some(star()));
    assert!(s.eval(&req).first_preflight().is_none(), "off by default (PNA-3)");
    let pna = BrowserProfile { name: "chromium-pna", private_network_access: true, ..CHROMIUM };
    let v = s.eval_with(&req, &pna);
    let p = v.first_preflight().unwrap();
    assert_eq!(p.headers.get("access-control-request-private-network").as_deref(), Some(&b"true"[..]));
    assert!(v.readable());
    let without = Server::default().at(U, Some(star()), Some(star())).eval_with(&req, &pna);
    assert_eq!(rule(&without), Some(Rule::Pna1));
}
