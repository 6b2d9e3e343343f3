//! Hand-written cases for the questions the oracle's profiles left open (README "Browser
//! profiles", issue 6) and for each disagreement found: SAFE-5 (is the default `Accept`
//! counted toward the 1024-byte total?), `Access-Control-Max-Age` parsing (PRE-11),
//! `_` in `Accept-Language` (SAFE-1), repeated author headers (SAFE-1/3), clearing the
//! preflight cache after a failed actual response (PRE-14), and redirects to URLs with
//! credentials outside CORS (RED-2). Each runs in the browser like any other case.

use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, RequestMode};

use crate::case::{BrowserCase, RawAnswers, RawResponse, Step};

const PAGE: &str = crate::generate::PAGE;

fn request(n: usize, method: &str, headers: &[(&str, &[u8])]) -> BrowserRequest {
    let mut list = HeaderList::new();
    for (name, value) in headers {
        list.append(name.as_bytes(), value);
    }
    BrowserRequest {
        url: url::Url::parse(&format!("http://t{n}.api.test/t/{n}")).expect("URL"),
        origin: Origin::parse_serialized(PAGE.as_bytes()).expect("origin"),
        method: method.to_owned(),
        headers: list,
        credentials: CredentialsMode::SameOrigin,
        mode: RequestMode::Cors,
        use_cors_preflight: false,
        ua_report: false,
        private_network: false,
    }
}

/// A permissive preflight answer plus `extra` lines.
fn preflight_ok(extra: &[(&str, &str)]) -> RawResponse {
    let mut r = RawResponse::new(204)
        .header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Allow-Methods", "*")
        .header("Access-Control-Allow-Headers", "*");
    for (n, v) in extra {
        r = r.header(n, v);
    }
    r
}

fn ok() -> RawResponse {
    RawResponse::new(200).header("Access-Control-Allow-Origin", "*")
}

fn one(id: &str, req: BrowserRequest, preflight: RawResponse, response: RawResponse) -> BrowserCase {
    let url = req.url.clone();
    BrowserCase {
        id: format!("targeted/{id}"),
        steps: vec![Step { request: req, at_ms: 0 }],
        server: vec![(url, RawAnswers { preflight: Some(preflight), response: Some(response) })],
    }
}

/// The same request twice, `gap_ms` apart, against one scripted URL.
fn twice(id: &str, first: BrowserRequest, second: BrowserRequest, gap_ms: u64, a: RawAnswers) -> BrowserCase {
    let url = first.url.clone();
    BrowserCase {
        id: format!("targeted/{id}"),
        steps: vec![Step { request: first, at_ms: 0 }, Step { request: second, at_ms: gap_ms }],
        server: vec![(url, a)],
    }
}

/// Every targeted case.
pub fn cases() -> Vec<BrowserCase> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let a128 = vec![b'a'; 128];
    let a125 = vec![b'a'; 125];

    // SAFE-5 / SAFE-3: the 1024-byte total. 8 x 128 = 1024 is not above the limit on its own;
    // with the default `Accept: */*` counted it is 1027. 7 x 128 + 125 = 1021 (+3 = 1024).
    let eight: Vec<(&str, &[u8])> = (0..8).map(|_| ("Accept-Language", &a128[..])).collect();
    out.push(one("safe5/total-1024-plus-accept-default", request(next(), "GET", &eight), preflight_ok(&[]), ok()));
    let mut seven: Vec<(&str, &[u8])> = (0..7).map(|_| ("Accept-Language", &a128[..])).collect();
    seven.push(("Accept-Language", &a125));
    out.push(one("safe5/total-1021-plus-accept-default", request(next(), "GET", &seven), preflight_ok(&[]), ok()));
    // Five different safelisted names at 128 bytes: the most Chromium can count (640).
    let range = b"bytes=0-";
    let five: Vec<(&str, &[u8])> = vec![
        ("Accept", &a128),
        ("Accept-Language", &a128),
        ("Content-Language", &a128),
        ("Content-Type", b"text/plain"),
        ("Range", range),
    ];
    out.push(one("safe3/five-safelisted-names", request(next(), "POST", &five), preflight_ok(&[]), ok()));
    // SAFE-1 on repeated names: each value is safelisted, the combined one is not.
    out.push(one(
        "safe1/repeated-range",
        request(next(), "GET", &[("Range", b"bytes=5-10"), ("Range", b"bytes=5-10")]),
        preflight_ok(&[]),
        ok(),
    ));
    out.push(one(
        "safe1/repeated-content-language-over-128",
        request(next(), "GET", &[("Content-Language", &[b'a'; 100]), ("Content-Language", &[b'a'; 60])]),
        preflight_ok(&[]),
        ok(),
    ));
    out.push(one(
        "safe1/repeated-accept-short",
        request(next(), "GET", &[("Accept", b"text/plain"), ("Accept", b"text/html")]),
        preflight_ok(&[]),
        ok(),
    ));
    out.push(one(
        "safe1/repeated-content-type",
        request(next(), "POST", &[("Content-Type", b"text/plain"), ("Content-Type", b"text/plain")]),
        preflight_ok(&[]),
        ok(),
    ));
    // SAFE-3: 9 separate safelisted entries, 1080 bytes: above the total in the standard
    // (everything unsafe), one unsafe combined value in Chromium, nothing unsafe in Firefox
    // (no total).
    let a120 = [b'a'; 120];
    let nine: Vec<(&str, &[u8])> = (0..9).map(|_| ("Content-Language", &a120[..])).collect();
    out.push(one("safe3/total-over-1024-separate-entries", request(next(), "GET", &nine), preflight_ok(&[]), ok()));
    // Firefox adds `Cache-Control: no-cache` to the preflight of a request with a conditional
    // header (no-store); without one, an author `Cache-Control` stays off the preflight.
    out.push(one(
        "wire/cache-control-without-conditional-header",
        request(next(), "PATCH", &[("Cache-Control", b"no-cache")]),
        preflight_ok(&[]),
        ok(),
    ));
    out.push(one(
        "wire/cache-control-with-if-none-match",
        request(next(), "PATCH", &[("Cache-Control", b"no-cache"), ("If-None-Match", b"\"abc\"")]),
        preflight_ok(&[]),
        ok(),
    ));
    // SAFE-1: a Content-Type with a comma (Firefox: unsafe; the standard: `text/plain`).
    out.push(one(
        "safe1/content-type-with-comma",
        request(next(), "POST", &[("Content-Type", b"text/plain;charset=utf-8, application/json")]),
        preflight_ok(&[]),
        ok(),
    ));
    // PRE-7: with the use-CORS-preflight flag (an XHR upload listener), a preflight answer
    // without Access-Control-Allow-Methods allows the requested method (FINDINGS F13).
    {
        let mut req = request(next(), "QUERY", &[]);
        req.use_cors_preflight = true;
        let preflight = RawResponse::new(204).header("Access-Control-Allow-Origin", "*");
        out.push(one("pre7/upload-flag-no-allow-methods", req, preflight, ok()));
        let mut req = request(next(), "POST", &[]);
        req.use_cors_preflight = true;
        let preflight = RawResponse::new(204).header("Access-Control-Allow-Origin", "*");
        out.push(one("pre7/upload-flag-safelisted-method", req, preflight, ok()));
        let mut req = request(next(), "POST", &[]);
        req.use_cors_preflight = true;
        let refused = RawResponse::new(403);
        out.push(one("pre1/upload-flag-post-refused-preflight", req, refused, ok()));
    }
    // Wire: how a repeated name with an empty value goes out (Firefox: the empty value resets).
    out.push(one(
        "wire/repeated-name-with-empty-value",
        request(
            next(),
            "GET",
            &[("X-A", b"1"), ("X-A", b""), ("X-A", b"2"), ("Accept-Language", b"en"), ("Accept-Language", b"")],
        ),
        preflight_ok(&[]),
        ok(),
    ));
    // SAFE-1: the Range unit is `bytes`, case-sensitively; its numbers have any size.
    for (label, value) in [
        ("range-unit-capitalised", &b"Bytes=0-"[..]),
        ("range-unit-uppercase", b"BYTES=0-"),
        ("range-end-beyond-i64", b"bytes=0-99999999999999999999999"),
        ("range-leading-zeros", b"bytes=00000000000000000000000000001-2"),
    ] {
        out.push(one(&format!("safe1/{label}"), request(next(), "GET", &[("Range", value)]), preflight_ok(&[]), ok()));
    }
    // SAFE-1: `_` is not in the Accept-Language / Content-Language value set.
    for (name, value) in
        [("Accept-Language", &b"nn_NO"[..]), ("Content-Language", b"de_DE"), ("Accept-Language", b"en-US")]
    {
        out.push(one(
            &format!("safe1/{}-{}", name.to_ascii_lowercase(), String::from_utf8_lossy(value)),
            request(next(), "GET", &[(name, value)]),
            preflight_ok(&[]),
            ok(),
        ));
    }
    // PRE-11: Max-Age values that are not delta-seconds, second request 300 ms later
    // (standard: 5 s default, so served from the cache).
    for (label, value) in [
        ("minus-1", "-1"),
        ("minus-0", "-0"),
        ("zero", "0"),
        ("fraction", "1.5"),
        ("plus-5", "+5"),
        ("list", "5, 5"),
        ("hex", "0x10"),
        ("word", "abc"),
        ("empty", ""),
        ("huge", "99999999999999999999999"),
    ] {
        let id = next();
        let req = request(id, "PUT", &[]);
        // `PUT` listed by name: Firefox never serves a method from a cached `*` (CACHE-3).
        let preflight = RawResponse::new(204)
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Allow-Methods", "PUT")
            .header("Access-Control-Max-Age", value);
        let answers = RawAnswers { preflight: Some(preflight), response: Some(ok()) };
        out.push(twice(&format!("pre11/max-age-{label}"), req.clone(), req, 300, answers));
    }
    {
        let id = next();
        let req = request(id, "PUT", &[]);
        let pf = RawResponse::new(204)
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Allow-Methods", "PUT")
            .header("Access-Control-Max-Age", "600")
            .header("Access-Control-Max-Age", "600");
        out.push(twice(
            "pre11/max-age-two-lines",
            req.clone(),
            req,
            300,
            RawAnswers { preflight: Some(pf), response: Some(ok()) },
        ));
    }
    // PRE-14: the preflight passes (cached for 600 s) but the actual response fails the
    // CORS check; the standard clears the URL's cache entries, so the next request preflights.
    {
        let id = next();
        let req = request(id, "PUT", &[]);
        let answers = RawAnswers {
            preflight: Some(preflight_ok(&[("Access-Control-Max-Age", "600")])),
            response: Some(RawResponse::new(200)),
        };
        out.push(twice("pre14/actual-failure-clears-cache", req.clone(), req, 100, answers));
    }
    // CACHE-3: what a cached `*` covers later (same credentials mode, new name / method).
    for (label, first, second, allow) in [
        ("wildcard-header-new-name", vec![("X-A", &b"1"[..])], vec![("X-A", &b"1"[..]), ("X-New", b"1")], "*"),
        ("star-named-header-new-name", vec![("*", &b"1"[..])], vec![("*", &b"1"[..]), ("X-New", b"1")], "*"),
        ("wildcard-and-names-new-name", vec![("X-A", &b"1"[..])], vec![("X-A", &b"1"[..]), ("X-New", b"1")], "*, x-a"),
        ("listed-header-new-name", vec![("X-A", &b"1"[..])], vec![("X-A", &b"1"[..]), ("X-New", b"1")], "x-a, x-new"),
        ("wildcard-header-same-names", vec![("X-A", &b"1"[..])], vec![("X-A", &b"2"[..])], "*"),
    ] {
        let id = next();
        let answers = RawAnswers {
            preflight: Some(
                RawResponse::new(204)
                    .header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Headers", allow)
                    .header("Access-Control-Max-Age", "600"),
            ),
            response: Some(ok()),
        };
        out.push(twice(
            &format!("cache3/{label}"),
            request(id, "GET", &first),
            request(id, "GET", &second),
            100,
            answers,
        ));
    }
    for (label, allow) in [("wildcard-method-new-method", "*"), ("listed-method-new-method", "PUT, DELETE")] {
        let id = next();
        let answers = RawAnswers {
            preflight: Some(
                RawResponse::new(204)
                    .header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Methods", allow)
                    .header("Access-Control-Max-Age", "600"),
            ),
            response: Some(ok()),
        };
        out.push(twice(&format!("cache3/{label}"), request(id, "PUT", &[]), request(id, "DELETE", &[]), 100, answers));
    }
    // CACHE-1 for an opaque origin (a sandboxed page): the same preflighted request twice.
    {
        let id = next();
        let mut req = request(id, "PUT", &[]);
        req.origin = Origin::Opaque;
        // `PUT` listed by name: Firefox never serves a method from a cached `*` (CACHE-3).
        let preflight = RawResponse::new(204)
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Allow-Methods", "PUT")
            .header("Access-Control-Max-Age", "600");
        let answers = RawAnswers { preflight: Some(preflight), response: Some(ok()) };
        out.push(twice("cache1/opaque-origin-second-request", req.clone(), req, 100, answers));
    }
    // CACHE-1 for the `null` a redirect taint gives: a preflighted PUT to one origin,
    // redirected to another (its preflight then carries `Origin: null`), twice.
    {
        let id = next();
        let req = request(id, "PUT", &[]);
        let target = format!("http://t{id}.other.test/t/{id}/to");
        // `PUT` listed by name (CACHE-3 in Firefox, as above).
        let preflight = || {
            RawResponse::new(204)
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Methods", "PUT")
                .header("Access-Control-Max-Age", "600")
        };
        let redirect = RawResponse::new(307).header("Location", &target).header("Access-Control-Allow-Origin", "*");
        out.push(BrowserCase {
            id: "targeted/cache1/tainted-origin-second-request".into(),
            steps: vec![Step { request: req.clone(), at_ms: 0 }, Step { request: req.clone(), at_ms: 100 }],
            server: vec![
                (req.url.clone(), RawAnswers { preflight: Some(preflight()), response: Some(redirect) }),
                (
                    url::Url::parse(&target).expect("URL"),
                    RawAnswers { preflight: Some(preflight()), response: Some(ok()) },
                ),
            ],
        });
    }
    // ORIG-4/ORIG-5: a no-cors POST redirected from the page's origin to another origin.
    {
        let id = next();
        let mut req = request(id, "POST", &[]);
        req.mode = RequestMode::NoCors;
        req.url = url::Url::parse(&format!("{PAGE}/t/{id}")).expect("URL");
        let target = format!("http://t{id}.other.test/t/{id}/to");
        out.push(BrowserCase {
            id: "targeted/orig5/no-cors-post-redirected-cross-origin".into(),
            steps: vec![Step { request: req.clone(), at_ms: 0 }],
            server: vec![
                (
                    req.url.clone(),
                    RawAnswers { preflight: None, response: Some(RawResponse::new(307).header("Location", &target)) },
                ),
                (url::Url::parse(&target).expect("URL"), RawAnswers { preflight: None, response: Some(ok()) }),
            ],
        });
    }
    // MISC-1: the request-no-cors guard judges a repeated name by the combined value.
    {
        let id = next();
        let mut req = request(id, "GET", &[("Accept", &a128), ("Accept", b"*/*")]);
        req.mode = RequestMode::NoCors;
        out.push(one("misc1/no-cors-repeated-accept-over-128", req, preflight_ok(&[]), ok()));
    }
    // RED-2 outside CORS: a no-cors fetch (and a same-origin one) redirected to a URL with
    // credentials. The standard checks credentials only for CORS.
    for (label, mode, same) in [("no-cors", RequestMode::NoCors, false), ("same-origin-cors", RequestMode::Cors, true)]
    {
        let id = next();
        let mut req = request(id, "GET", &[]);
        req.mode = mode;
        if same {
            req.url = url::Url::parse(&format!("{PAGE}/t/{id}")).expect("URL");
        }
        let target = if same {
            format!("http://u:p@page.test/t/{id}/to")
        } else {
            format!("http://u:p@t{id}.other.test/t/{id}/to")
        };
        let target_url = url::Url::parse(&target).expect("URL");
        out.push(BrowserCase {
            id: format!("targeted/red2/userinfo-redirect-{label}"),
            steps: vec![Step { request: req.clone(), at_ms: 0 }],
            server: vec![
                (
                    req.url.clone(),
                    RawAnswers { preflight: None, response: Some(RawResponse::new(302).header("Location", &target)) },
                ),
                (target_url, RawAnswers { preflight: None, response: Some(ok()) }),
            ],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn targeted_cases_are_complete() {
        for c in super::cases() {
            assert!(c.unsupported().is_none(), "{}", c.id);
            c.evaluate(&cors_harness::profile::CHROMIUM).unwrap_or_else(|e| panic!("{}: {e}", c.id));
        }
    }
}
