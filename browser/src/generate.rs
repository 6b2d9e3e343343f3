//! Seeded case generation: a page request (method, author headers, credentials, mode) and
//! random but realistic server answers for it — `Access-Control-Allow-Origin` exact / `*` /
//! wrong / repeated / padded, `Access-Control-Allow-Credentials` `true` / `True` / `false`,
//! Allow-Methods and Allow-Headers lists with `*` and invalid tokens, Expose-Headers,
//! Max-Age, and statuses 2xx/3xx/4xx/5xx on the preflight and the actual response, redirects
//! (cross-origin, back to the page, with userinfo). Case `n` of seed `s` is the same whatever
//! the count, so `--seed` replays any case.

use cors_harness::{BrowserRequest, CredentialsMode, HeaderList, Origin, RequestMode};

use crate::case::{BrowserCase, RawAnswers, RawResponse, Step};
use crate::rng::Rng;

/// The page origin of generated cases (and `null`, from the sandboxed runner).
pub const PAGE: &str = "http://page.test";

/// `count` cases from `seed`.
pub fn cases(seed: u64, count: usize) -> Vec<BrowserCase> {
    (0..count).map(|n| case(seed, n)).collect()
}

/// Case `n` of `seed`: even cases take their request from this module's own generator, odd
/// ones from the engine's probe generator (`cors_harness::generate::probe`, near the edges of
/// a built-in policy), moved to a runner page (the browser, not the probe, decides the
/// `Origin`: an opaque probe origin runs in the sandboxed page, any other in `page.test`).
pub fn case(seed: u64, n: usize) -> BrowserCase {
    let mut rng = Rng::new(seed).fork(n as u64);
    let request = if n.is_multiple_of(2) { request(&mut rng, seed, n) } else { probe_request(&mut rng, seed, n) };
    build(&mut rng, &format!("gen/{seed}/{n}"), vec![request], n)
}

/// The built-in policies probes are drawn around, by case number.
const PROBE_POLICIES: [&str; 5] =
    ["public-api", "single-origin", "subdomains", "custom-headers-expose", "two-frontends-credentials"];

/// Probe `n` of the engine's generator, as a request from a runner page to this case's host.
fn probe_request(rng: &mut Rng, seed: u64, n: usize) -> BrowserRequest {
    let name = PROBE_POLICIES[(n / 2) % PROBE_POLICIES.len()];
    let policy = cors_harness::policy::builtin::by_name(name)
        .or_else(|| cors_harness::policy::builtin::builtin().into_iter().next().map(|(_, p)| p))
        .expect("a built-in policy");
    let target = url::Url::parse("http://api.example.test/data").expect("URL");
    let mut req = cors_harness::generate::probe(&policy, &target, seed, n).requests.remove(0);
    let opaque = req.origin == Origin::Opaque;
    req.origin = if opaque { Origin::Opaque } else { Origin::parse_serialized(PAGE.as_bytes()).expect("origin") };
    let port = if rng.chance(10) { ":8080" } else { "" };
    let query = req.url.query().map(|q| format!("?{q}")).unwrap_or_default();
    req.url = url::Url::parse(&format!("http://c{}.api.test{port}/r/{n}{query}", host(n))).expect("URL");
    // Flags a page cannot set (browser reports) or that the browsers do not enforce (PNA) are
    // cleared; the use-CORS-preflight flag runs as an XHR with an upload listener where XHR can
    // express the request. The rest of the probe is kept as drawn.
    req.private_network = false;
    req.ua_report = false;
    if req.mode == RequestMode::WebSocket {
        req.mode = RequestMode::Cors;
    }
    req.use_cors_preflight &= crate::case::xhr_unsupported(&req).is_none();
    req
}

/// Server answers (and, sometimes, a second step that meets the first one's preflight cache)
/// for requests made elsewhere (e.g. by the engine's probe generators). `steps` share one
/// origin; the answers cover every URL they and their redirects reach.
pub fn build(rng: &mut Rng, id: &str, requests: Vec<BrowserRequest>, n: usize) -> BrowserCase {
    let mut requests = requests;
    // A second step against the same URL: the preflight cache (CACHE-*, PRE-11/12).
    let two_steps = requests.len() == 1 && rng.chance(8);
    if two_steps {
        let mut second = requests[0].clone();
        match rng.below(4) {
            0 => {}
            1 => second.headers.0.truncate(second.headers.len().saturating_sub(1)),
            2 => {
                second.headers.append(b"X-Second", b"1");
            }
            _ => second.credentials = *rng.pick(&[CredentialsMode::Omit, CredentialsMode::Include]),
        }
        second.use_cors_preflight &= crate::case::xhr_unsupported(&second).is_none();
        requests.push(second);
    }
    let origin = requests[0].origin.serialize().to_owned();
    let mut server = Vec::new();
    let mut pending = vec![(requests[0].url.clone(), 0usize)];
    while let Some((url, depth)) = pending.pop() {
        if server.iter().any(|(u, _)| *u == url) {
            continue;
        }
        let req = &requests[0];
        let (answers, next) = answers(rng, &origin, req, &url, depth, two_steps, n);
        server.push((url, answers));
        if let Some(next) = next {
            pending.push((next, depth + 1));
        }
    }
    let steps = requests.into_iter().enumerate().map(|(i, request)| Step { request, at_ms: i as u64 * 150 }).collect();
    BrowserCase { id: id.to_owned(), steps, server }
}

/// The host number of case `n`: cases share a pool of hosts, so the browser resolves and
/// manages a bounded set of hostnames (its cost per new host is real), while paths (`/r/<n>`,
/// and `/c<index>` when run) keep every URL unique. 16 hosts x 6 connections per host serve
/// the cases in flight on loopback; more hosts only leave Chromium more idle sockets, which
/// it checks one by one (a `recv` peek each, seen with strace) and, past its 256-socket pool,
/// closes to open new ones. Measured with the throughput example: ~10% more cases per browser
/// CPU-second with 16 hosts than with 97.
fn host(n: usize) -> usize {
    n % 16
}

fn request(rng: &mut Rng, _seed: u64, n: usize) -> BrowserRequest {
    let null_origin = rng.chance(10);
    let origin = if null_origin { Origin::Opaque } else { Origin::parse_serialized(PAGE.as_bytes()).expect("origin") };
    let same_origin = !null_origin && rng.chance(4);
    let host = if same_origin {
        PAGE.to_owned()
    } else if rng.chance(10) {
        format!("http://c{}.api.test:8080", host(n))
    } else {
        format!("http://c{}.api.test", host(n))
    };
    let query = if rng.chance(30) { format!("?q={}", rng.below(1000)) } else { String::new() };
    let url = url::Url::parse(&format!("{host}/r/{n}{query}")).expect("generated URL");
    let method = rng
        .weighted(&[
            (30, "GET"),
            (16, "POST"),
            (5, "HEAD"),
            (10, "PUT"),
            (6, "DELETE"),
            (6, "PATCH"),
            (3, "patch"),
            (2, "get"),
            (2, "post"),
            (2, "Put"),
            (2, "delete"),
            (2, "CHICKEN"),
            (1, "eGg"),
            (1, "*"),
            (2, "OPTIONS"),
            (1, "TRACE"),
            (1, "connect"),
            (1, "BAD METHOD"),
        ])
        .to_string();
    let mut headers = HeaderList::new();
    let count = *rng.weighted(&[(30, 0usize), (30, 1), (20, 2), (12, 3), (8, 4)]);
    for _ in 0..count {
        let (name, value) = request_header(rng);
        headers.append(&name, &value);
    }
    let credentials = *rng.weighted(&[
        (25, CredentialsMode::Omit),
        (40, CredentialsMode::SameOrigin),
        (35, CredentialsMode::Include),
    ]);
    let mode = if rng.chance(7) { RequestMode::NoCors } else { RequestMode::Cors };
    BrowserRequest {
        url,
        origin,
        method,
        headers,
        credentials,
        mode,
        use_cors_preflight: false,
        ua_report: false,
        private_network: false,
    }
}

fn request_header(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let long = |c: u8, n: usize| vec![c; n];
    let (name, value): (&str, Vec<u8>) = match rng.below(9) {
        // Safelisted names with safe and unsafe values (SAFE-1, SAFE-2).
        0 => (
            "Accept",
            rng.pick(&[&b"application/json"[..], b"*/*", b"text/html, */*;q=0.8", b"a\"b", b"x@y", b"\x80\xff"])
                .to_vec(),
        ),
        1 => (
            *rng.pick(&["Accept-Language", "accept-language", "Content-Language"]),
            rng.pick(&[&b"en-US"[..], b"de-DE,de;q=0.9", b"nn_NO,nn,en", b"en@x", b"*", b"fr (FR)", b""]).to_vec(),
        ),
        2 => (
            *rng.pick(&["Content-Type", "content-type"]),
            rng.pick(&[
                &b"text/plain"[..],
                b"text/plain;charset=UTF-8",
                b"application/x-www-form-urlencoded",
                b"multipart/form-data; boundary=x",
                b"application/json",
                b"TEXT/PLAIN",
                b"text/plain; x=\"a\"",
                b"text/plain, application/json",
                b"text /plain",
                b"text/plain;garbage",
                b"application/csp-report",
            ])
            .to_vec(),
        ),
        3 => (
            "Range",
            rng.pick(&[&b"bytes=0-"[..], b"bytes=5-10", b"bytes=-5", b"bytes=1-2,3-4", b"bytes=10-5", b"bytes 0-"])
                .to_vec(),
        ),
        // Values at the 128-byte limit and repeated safelisted names (SAFE-1, SAFE-3).
        4 => {
            let len = *rng.pick(&[60usize, 100, 128, 129, 500]);
            (*rng.pick(&["Accept", "Accept-Language", "Content-Language"]), long(b'a', len))
        }
        // CORS-unsafe names.
        5 | 6 => (
            *rng.pick(&[
                "X-Foo",
                "x-request-id",
                "X-Custom-Header",
                "Authorization",
                "X-A",
                "x-b",
                "X-UPPER",
                "*",
                "X-Bytes",
            ]),
            rng.pick(&[&b"1"[..], b"abc", b"", b"Bearer t", b"\xe2\x80\xa6", b"a b"]).to_vec(),
        ),
        // Forbidden names (SAFE-4): dropped by the Headers object.
        7 => {
            let (n, v) = *rng.pick(&[
                ("Cookie", &b"a=b"[..]),
                ("Referer", b"http://x.test/"),
                ("Sec-Foo", b"1"),
                ("Proxy-Foo", b"1"),
                ("Origin", b"http://evil.test"),
                ("X-HTTP-Method-Override", b"TRACE"),
                ("X-HTTP-Method-Override", b"PUT"),
                ("Accept-Charset", b"utf-8"),
                ("DNT", b"1"),
                ("Keep-Alive", b"5"),
                ("Via", b"x"),
            ]);
            (n, v.to_vec())
        }
        // Invalid: fetch() throws (HDR-1).
        _ => {
            if rng.chance(50) {
                ("X-Ok", b"fine".to_vec())
            } else {
                let (n, v) = *rng.pick(&[("Bad Name", &b"x"[..]), ("X-Nul", b"a\0b"), ("X-Paren(", b"1")]);
                (n, v.to_vec())
            }
        }
    };
    (name.as_bytes().to_vec(), value)
}

/// The answers at `url` for `req`, and the URL a redirect leads to (if it does).
fn answers(
    rng: &mut Rng,
    origin: &str,
    req: &BrowserRequest,
    url: &url::Url,
    depth: usize,
    two_steps: bool,
    n: usize,
) -> (RawAnswers, Option<url::Url>) {
    // After a cross-origin redirect the Origin may be `null` (ORIG-5): answer either.
    let origin = if depth > 0 && rng.chance(40) { "null".to_owned() } else { origin.to_owned() };
    let method = cors_harness::method::normalize(&req.method).into_owned();
    let unsafe_names = cors_harness::safelist::cors_unsafe_request_header_names(&req.headers);
    let odd_case = rng.chance(15);
    let name = |rng: &mut Rng, n: &str| -> Vec<u8> {
        if !odd_case {
            return n.as_bytes().to_vec();
        }
        match rng.below(3) {
            0 => n.to_ascii_lowercase().into_bytes(),
            1 => n.to_ascii_uppercase().into_bytes(),
            _ => n.bytes().enumerate().map(|(i, b)| if i % 2 == 0 { b.to_ascii_uppercase() } else { b }).collect(),
        }
    };
    let push = |rng: &mut Rng, r: &mut RawResponse, n: &str, v: &[u8]| r.headers.push((name(rng, n), v.to_vec()));

    // The preflight answer (scripted even when none should be needed: a realistic reply).
    let status = *rng.weighted(&[
        (46, 200u16),
        (30, 204),
        (2, 201),
        (1, 206),
        (1, 299),
        (2, 301),
        (2, 302),
        (1, 307),
        (3, 400),
        (2, 401),
        (3, 403),
        (2, 404),
        (3, 500),
        (2, 503),
    ]);
    let mut pf = RawResponse::new(status);
    if (300..400).contains(&status) {
        push(rng, &mut pf, "Location", format!("http://c{}.other.test/r/{n}/pf", host(n)).as_bytes());
    }
    let acao = allow_origin(rng, &origin);
    for v in &acao {
        push(rng, &mut pf, "Access-Control-Allow-Origin", v);
    }
    for v in allow_credentials(rng) {
        push(rng, &mut pf, "Access-Control-Allow-Credentials", &v);
    }
    for v in allow_methods(rng, &method) {
        push(rng, &mut pf, "Access-Control-Allow-Methods", &v);
    }
    for v in allow_headers(rng, &unsafe_names) {
        push(rng, &mut pf, "Access-Control-Allow-Headers", &v);
    }
    let max_age_weight = if two_steps { 60 } else { 15 };
    if rng.chance(max_age_weight) {
        let values: &[&[u8]] = &[b"0", b"5", b"600", b"86400", b"-1", b"1.5", b"abc", b"10, 20", b"", b" 600 "];
        let v = *rng.pick(values);
        push(rng, &mut pf, "Access-Control-Max-Age", v);
        if rng.chance(5) {
            push(rng, &mut pf, "Access-Control-Max-Age", b"600");
        }
    }
    if rng.chance(5) {
        push(rng, &mut pf, "Access-Control-Expose-Headers", b"x-foo");
    }

    // The actual response.
    let can_redirect = depth == 0;
    // Repeated steps must reach the server each time: no answers the HTTP cache keeps without
    // validators (Chromium stores 300/301/308/410 indefinitely).
    let permanent = can_redirect && !two_steps;
    let status = *rng.weighted(&[
        (55, 200u16),
        (4, 201),
        (5, 204),
        (1, 206),
        (if permanent { 3 } else { 0 }, 301),
        (if can_redirect { 4 } else { 0 }, 302),
        (if can_redirect { 2 } else { 0 }, 303),
        (if can_redirect { 3 } else { 0 }, 307),
        (if permanent { 2 } else { 0 }, 308),
        (1, 304),
        (4, 400),
        (3, 401),
        (4, 403),
        (4, 404),
        (1, 418),
        (4, 500),
        (1, 502),
        (1, 503),
    ]);
    let mut resp = RawResponse::new(status);
    // Most servers answer both with the same CORS headers; some do not.
    let acao = if rng.chance(75) { acao } else { allow_origin(rng, &origin) };
    for v in &acao {
        push(rng, &mut resp, "Access-Control-Allow-Origin", v);
    }
    for v in allow_credentials(rng) {
        push(rng, &mut resp, "Access-Control-Allow-Credentials", &v);
    }
    let mut next = None;
    if (300..400).contains(&status) && status != 304 && rng.chance(95) {
        let choice = rng.below(6);
        let target = match choice {
            0 | 1 => format!("http://c{}.other.test/r/{n}/next", host(n)),
            2 => format!("{}r/{n}/same", url.join("/").expect("base")),
            3 => format!("{PAGE}/r/{n}/back"),
            4 => format!("http://user:pw@c{}.other.test/r/{n}/userinfo", host(n)),
            _ => "data:text/plain,x".to_owned(),
        };
        push(rng, &mut resp, "Location", target.as_bytes());
        if let Ok(t) = url::Url::parse(&target)
            && t.scheme() == "http"
        {
            next = Some(t);
        }
    }
    let mut extra: Vec<&str> = Vec::new();
    let pool: &[(&str, &[u8])] = &[
        ("X-Foo", b"bar"),
        ("x-bar", b"1"),
        ("Content-Type", b"text/plain"),
        ("Content-Language", b"en"),
        ("Cache-Control", b"no-cache"),
        ("Expires", b"Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Last-Modified", b"Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Pragma", b"no-cache"),
        ("Set-Cookie", b"a=b"),
        ("Server", b"scripted"),
        ("X-Repeat", b"1"),
        ("Content-Length", b"2"),
    ];
    for _ in 0..rng.below(5) {
        let (n, v) = *rng.pick(pool);
        if two_steps && matches!(n, "Cache-Control" | "Expires" | "Last-Modified" | "Pragma") {
            continue; // keep the HTTP cache out of repeated requests
        }
        if resp.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n.as_bytes())) && n != "X-Repeat" {
            continue;
        }
        push(rng, &mut resp, n, v);
        extra.push(n);
    }
    for v in expose_headers(rng, &extra) {
        push(rng, &mut resp, "Access-Control-Expose-Headers", &v);
    }
    // Most real servers frame their responses; a framed response also lets the browser keep
    // the connection for later cases on the same host. A fifth stay close-delimited.
    let framed = resp.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(b"content-length"));
    if !framed && !matches!(resp.status, 204 | 304) && rng.chance(80) {
        push(rng, &mut resp, "Content-Length", b"0");
    }
    (RawAnswers { preflight: Some(pf), response: Some(resp) }, next)
}

/// `Access-Control-Allow-Origin` lines (CHK-1..3, HDR-1/2).
fn allow_origin(rng: &mut Rng, origin: &str) -> Vec<Vec<u8>> {
    let o = origin.as_bytes();
    let cat = |a: &[u8], b: &[u8]| [a, b].concat();
    match rng.below(100) {
        0..40 => vec![o.to_vec()],
        40..62 => vec![b"*".to_vec()],
        62..66 => vec![cat(&cat(b" \t", o), b" ")],
        66..70 => vec![b"http://evil.test".to_vec()],
        70..74 => vec![o.to_vec(), o.to_vec()],
        74..76 => vec![o.to_vec(), b"*".to_vec()],
        76..79 => vec![o.to_ascii_uppercase()],
        79..81 => vec![cat(o, b"/")],
        81..84 => vec![b"null".to_vec()],
        84..93 => vec![],
        93..95 => vec![b"".to_vec()],
        95..97 => vec![cat(o, b", *")],
        97..98 => vec![b"*".to_vec(), b"*".to_vec()],
        _ => vec![cat(b"\"", &cat(o, b"\""))],
    }
}

/// `Access-Control-Allow-Credentials` lines (CHK-5).
fn allow_credentials(rng: &mut Rng) -> Vec<Vec<u8>> {
    match rng.below(100) {
        0..45 => vec![],
        45..83 => vec![b"true".to_vec()],
        83..88 => vec![b"True".to_vec()],
        88..93 => vec![b"false".to_vec()],
        93..96 => vec![b"true".to_vec(), b"true".to_vec()],
        96..98 => vec![b" true\t".to_vec()],
        _ => vec![b"TRUE".to_vec()],
    }
}

/// `Access-Control-Allow-Methods` lines (PRE-6, PRE-8).
fn allow_methods(rng: &mut Rng, method: &str) -> Vec<Vec<u8>> {
    let m = method.as_bytes();
    match rng.below(100) {
        0..18 => vec![],
        18..48 => vec![m.to_vec()],
        48..60 => vec![[&b"GET, "[..], m, b", DELETE"].concat()],
        60..72 => vec![b"*".to_vec()],
        72..77 => vec![m.to_ascii_lowercase()],
        77..81 => vec![m.to_ascii_uppercase()],
        81..84 => vec![[m, &b" BAD"[..]].concat()],
        84..86 => vec![[m, &b";"[..]].concat()],
        86..91 => vec![b"GET, POST".to_vec()],
        91..95 => vec![[&b"*, "[..], m].concat()],
        _ => vec![b"GET".to_vec(), m.to_vec()],
    }
}

/// `Access-Control-Allow-Headers` lines (PRE-6, PRE-9, PRE-10).
fn allow_headers(rng: &mut Rng, names: &[String]) -> Vec<Vec<u8>> {
    let joined = names.join(", ");
    match rng.below(100) {
        0..18 => vec![],
        18..48 => vec![joined.into_bytes()],
        48..56 => vec![joined.to_ascii_uppercase().into_bytes()],
        56..68 => vec![b"*".to_vec()],
        68..73 => vec![b"*, authorization".to_vec()],
        73..81 => vec![names.iter().skip(1).cloned().collect::<Vec<_>>().join(",").into_bytes()],
        81..83 => vec![b"x-a x-b".to_vec()],
        83..85 => vec![b"x/y".to_vec()],
        85..90 => names.iter().map(|n| n.clone().into_bytes()).collect(),
        90..95 => vec![b"".to_vec()],
        _ => vec![format!("{joined}, x-extra,,").into_bytes()],
    }
}

/// `Access-Control-Expose-Headers` lines (EXP-1, EXP-2).
fn expose_headers(rng: &mut Rng, present: &[&str]) -> Vec<Vec<u8>> {
    let list = present.iter().filter(|_| rng.chance(70)).map(|n| n.to_ascii_lowercase()).collect::<Vec<_>>().join(", ");
    match rng.below(100) {
        0..40 => vec![],
        40..62 => vec![list.into_bytes()],
        62..77 => vec![b"*".to_vec()],
        77..82 => vec![b"*, x-foo".to_vec()],
        82..86 => vec![format!("{list}, bad header").into_bytes()],
        86..91 => vec![b"x-foo".to_vec(), b"X-BAR".to_vec()],
        91..95 => vec![b"set-cookie, x-foo".to_vec()],
        _ => vec![b"".to_vec()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_cases_replay_and_are_complete() {
        let a = cases(42, 300);
        assert_eq!(a, cases(42, 300));
        assert_eq!(case(42, 17), a[17]);
        let profile = &cors_harness::profile::CHROMIUM;
        for c in &a {
            assert!(c.unsupported().is_none(), "{}: {:?}", c.id, c.unsupported());
            c.evaluate(profile).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            c.relocate(9).evaluate(profile).unwrap_or_else(|e| panic!("{}: {e}", c.id));
        }
    }
}
