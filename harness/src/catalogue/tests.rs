use super::*;
use crate::safelist::cors_unsafe_request_header_names;

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml, "test.toml").unwrap().policy
}

fn url() -> url::Url {
    url::Url::parse("http://api.example.test/data").unwrap()
}

fn ids(probes: &[Probe]) -> Vec<&str> {
    probes.iter().map(|p| p.id.as_str()).collect()
}

fn origins<'a>(probes: &'a [Probe], id: &str) -> Vec<&'a str> {
    let probe = probes.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no {id}"));
    let mut out: Vec<&str> = Vec::new();
    for r in &probe.requests {
        if !out.contains(&r.origin.serialize()) {
            out.push(r.origin.serialize());
        }
    }
    out
}

#[test]
fn srv4_near_misses_of_an_exact_origin() {
    let probes = catalogue(&policy(r#"origins = ["https://app.example.com"]"#), &url());
    assert_eq!(
        origins(&probes, "origin/prefix-match"),
        ["https://app.example.com.evil.test", "https://app.example.comevil.test"]
    );
    assert_eq!(
        origins(&probes, "origin/suffix-match"),
        ["https://evilapp.example.com", "https://evilexample.com", "http://evilexample.com"]
    );
    assert_eq!(origins(&probes, "origin/substring"), ["https://app.example.co", "https://xample.com"]);
    assert_eq!(
        origins(&probes, "origin/unescaped-dot"),
        ["https://appxexample.com", "https://app.exampleacom", "https://appaexampleacom"]
    );
    assert_eq!(origins(&probes, "origin/scheme-downgrade"), ["http://app.example.com"]);
    assert_eq!(origins(&probes, "origin/port"), ["https://app.example.com:8443"]);
    assert_eq!(origins(&probes, "origin/case"), ["https://app.example.com"]);
    assert_eq!(origins(&probes, "origin/idn"), ["https://xn--pp-6kc.example.com"]);
    assert_eq!(
        origins(&probes, "origin/any-subdomain"),
        ["https://evil.app.example.com", "https://evil.example.com", "http://evil.example.com"]
    );
    assert_eq!(origins(&probes, "origin/parent-domain"), ["https://example.com"]);
    assert_eq!(origins(&probes, "origin/null"), ["null"]);
}

#[test]
fn orig1_special_chars_are_what_the_url_parser_keeps() {
    let probes = catalogue(&policy(r#"origins = ["https://app.example.com"]"#), &url());
    let special = origins(&probes, "origin/special-chars");
    // Both forms for each of the 18 characters a host can hold; `%60` is the backtick again.
    assert_eq!(special.len(), 36, "{special:#?}");
    assert!(special.contains(&"https://app.example.com_.evil.test"));
    assert!(special.contains(&"https://app.example.com`.evil.test"));
    assert!(special.contains(&"https://app.example.com.~.evil.test"));
    assert!(!special.iter().any(|o| o.contains('%') || o.contains('^') || o.contains('|') || o.contains("..")));
    // Without credentials only.
    let probe = probes.iter().find(|p| p.id == "origin/special-chars").unwrap();
    assert!(probe.requests.iter().all(|r| !r.credentials.is_include()));
}

#[test]
fn srv4_near_misses_of_a_pattern_come_from_its_parent() {
    let probes = catalogue(&policy(r#"origins = ["https://*.example.com:8443"]"#), &url());
    assert_eq!(origins(&probes, "origin/allowed"), ["https://app.example.com:8443"]);
    assert_eq!(
        origins(&probes, "origin/prefix-match"),
        [
            "https://app.example.com.evil.test:8443",
            "https://app.example.comevil.test:8443",
            "https://example.com.evil.test:8443"
        ]
    );
    assert_eq!(origins(&probes, "origin/parent-domain"), ["https://example.com:8443"]);
    assert_eq!(origins(&probes, "origin/port"), ["https://app.example.com:8444", "https://app.example.com"]);
    assert!(origins(&probes, "origin/unescaped-dot").contains(&"https://appxexample.com:8443"));
}

#[test]
fn srv4_seeds_without_dots_or_with_ports() {
    let probes = catalogue(&policy(r#"origins = ["http://localhost:3000"]"#), &url());
    assert_eq!(origins(&probes, "origin/port"), ["http://localhost:3001", "http://localhost"]);
    assert_eq!(origins(&probes, "origin/prefix-match")[0], "http://localhost.evil.test:3000");
    // No dot to unescape, no https to downgrade, no parent.
    for id in ["origin/unescaped-dot", "origin/scheme-downgrade", "origin/parent-domain"] {
        assert!(!ids(&probes).contains(&id), "{id}");
    }
}

#[test]
fn chk2_any_origin_keeps_the_probes_that_mean_something() {
    let probes = catalogue(
        &policy(
            r#"origins = ["*"]
allow_headers = ["*"]
methods = ["*"]
expose_headers = ["*"]"#,
        ),
        &url(),
    );
    assert_eq!(
        ids(&probes),
        [
            "origin/allowed",
            "origin/reflect-arbitrary",
            "origin/null",
            "preflight/allowed-method",
            "preflight/method-case",
            "preflight/allowed-header",
            "preflight/header-case",
            "preflight/many-headers",
            "preflight/authorization",
            "preflight/status",
            "credentials/not-allowed",
            "credentials/wildcard",
            "vary/actual",
            "vary/preflight",
            "expose/listed",
        ]
    );
    assert_eq!(origins(&probes, "origin/allowed"), ["https://app.example.com"]);
    let many = probes.iter().find(|p| p.id == "preflight/many-headers").unwrap();
    assert_eq!(cors_unsafe_request_header_names(&many.requests[0].headers).len(), 24);
}

#[test]
fn orig4_the_target_origin_is_never_a_probe_origin() {
    let target = url::Url::parse("https://app.example.com/data").unwrap();
    let probes = catalogue(&policy(r#"origins = ["*"]"#), &target);
    assert_eq!(origins(&probes, "origin/allowed"), ["https://app.example.net"]);
    let probes = catalogue(&policy(r#"origins = ["https://app.example.com", "https://admin.example.com"]"#), &target);
    assert_eq!(origins(&probes, "origin/allowed"), ["https://admin.example.com"]);
    for probe in &probes {
        for request in &probe.requests {
            assert!(!request.origin.same_origin_as_url(&target), "{}: {}", probe.id, request.origin);
            assert_eq!(request.url, target);
        }
    }
}

#[test]
fn orig2_null_only_and_no_origin_policies() {
    let probes = catalogue(&policy(r#"origins = ["null"]"#), &url());
    assert_eq!(origins(&probes, "origin/allowed"), ["null"]);
    assert!(ids(&probes).contains(&"preflight/authorization"));
    assert!(!ids(&probes).contains(&"origin/prefix-match"));

    let probes = catalogue(&Policy::default(), &url());
    assert_eq!(
        ids(&probes),
        [
            "origin/reflect-arbitrary",
            "origin/null",
            "origin/third-party",
            "origin/localhost",
            "preflight/disallowed-origin",
            "vary/actual-disallowed",
            "vary/preflight",
        ]
    );
}

#[test]
fn pna1_private_network_probes_only_when_the_policy_enables_it() {
    let p = policy(
        r#"origins = ["https://app.example.com"]
private_network = true"#,
    );
    let probes = catalogue(&p, &url());
    let pna: Vec<&Probe> = probes.iter().filter(|p| p.group() == "private-network").collect();
    assert_eq!(pna.len(), 2);
    assert!(pna.iter().all(|p| p.requests.iter().all(|r| r.private_network)));
    let without = catalogue(&p.with_private_network(false), &url());
    assert!(without.iter().all(|p| p.group() != "private-network"));
}

#[test]
fn safe3_header_probes_send_unsafe_headers_and_methods_need_preflights() {
    let p = policy(
        r#"origins = ["https://app.example.com"]
methods = ["GET", "PUT", "PATCH", "TRACE"]
allow_headers = ["content-type", "accept", "accept-language", "range", "x-a", "authorization", "cookie"]
credentials = true"#,
    );
    let probes = catalogue(&p, &url());
    for id in ["preflight/allowed-header", "preflight/header-case", "preflight/many-headers"] {
        let probe = probes.iter().find(|p| p.id == id).unwrap();
        for r in &probe.requests {
            let names = cors_unsafe_request_header_names(&r.headers);
            assert_eq!(names.len(), r.headers.len(), "{id}: every header is unsafe: {:?}", r.headers);
        }
    }
    let allowed = probes.iter().find(|p| p.id == "preflight/allowed-header").unwrap();
    // `cookie` is forbidden (SAFE-4), `authorization` has its own probe; each header twice (credentials).
    assert_eq!(allowed.requests.len(), 10);
    let methods: Vec<&str> = probes
        .iter()
        .find(|p| p.id == "preflight/allowed-method")
        .unwrap()
        .requests
        .iter()
        .map(|r| r.method.as_str())
        .collect();
    assert_eq!(methods, ["PUT", "PATCH", "PUT", "PATCH"], "TRACE is forbidden (METH-2)");
    let case: Vec<&str> = probes
        .iter()
        .find(|p| p.id == "preflight/method-case")
        .unwrap()
        .requests
        .iter()
        .map(|r| r.method.as_str())
        .collect();
    assert_eq!(case, ["patch", "put"]);
    let disallowed = probes.iter().find(|p| p.id == "preflight/disallowed-method").unwrap();
    assert_eq!(disallowed.requests[0].method, "DELETE");
    let header_case: Vec<String> = probes
        .iter()
        .find(|p| p.id == "preflight/header-case")
        .unwrap()
        .requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.headers.iter().next().unwrap().name).into_owned())
        .collect();
    assert_eq!(header_case, ["Content-Type", "CONTENT-TYPE"]);
}

#[test]
fn pre1_status_probe_forces_a_preflight_even_without_allowed_methods_or_headers() {
    let probes = catalogue(
        &policy(
            r#"origins = ["https://app.example.com"]
methods = ["GET"]"#,
        ),
        &url(),
    );
    let status = probes.iter().find(|p| p.id == "preflight/status").unwrap();
    assert_eq!(status.requests.len(), 1);
    assert!(status.requests[0].use_cors_preflight && status.requests[0].method == "POST");
    for id in ["preflight/allowed-method", "preflight/allowed-header", "preflight/many-headers"] {
        assert!(!ids(&probes).contains(&id), "{id}");
    }
}

#[test]
fn title_case_capitalizes_each_part() {
    assert_eq!(title_case("x-request-id"), "X-Request-Id");
    assert_eq!(title_case("etag"), "Etag");
}
