//! The policy half of the oracle: `intent(policy, query)` tables, named after the rules they
//! rest on, and properties of the origin matching.

use cors_harness::CredentialsMode::{self, Include, Omit, SameOrigin};
use cors_harness::policy::{
    AllowedMethods, AllowedNames, AllowedOrigins, ExposedIntent, Intent, IntentQuery, Policy, SubdomainPattern, intent,
};
use proptest::prelude::*;

fn policy(src: &str) -> Policy {
    Policy::from_toml_str(src, "test.toml").unwrap_or_else(|e| panic!("{e:?}")).policy
}

/// Exact origin, a subdomain pattern and a local dev origin, with credentials.
fn app_policy() -> Policy {
    policy(
        r#"
        origins = ["https://app.example.com", "https://*.example.com", "http://localhost:3000"]
        methods = ["GET", "PUT", "PATCH"]
        allow_headers = ["content-type", "X-Request-Id"]
        expose_headers = ["x-total-count", "set-cookie"]
        credentials = true
        max_age = 600
        "#,
    )
}

fn ask(policy: &Policy, origin: &[u8], method: &str, headers: &[&str], credentials: CredentialsMode) -> Intent {
    let names: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    intent(policy, &IntentQuery { origin, method, unsafe_header_names: &names, credentials })
}

fn origin_allowed(policy: &Policy, origin: &[u8]) -> bool {
    ask(policy, origin, "GET", &[], Omit).origin_allowed
}

#[test]
fn srv3_srv4_origin_table_for_exact_and_subdomain_rules() {
    let p = app_policy();
    let table: &[(&str, &[u8], bool)] = &[
        ("srv3_exact_origin", b"https://app.example.com", true),
        ("srv4_one_label_subdomain", b"https://api.example.com", true),
        ("srv4_deep_subdomain", b"https://a.b.example.com", true),
        ("srv4_punycode_subdomain", b"https://xn--bcher-kva.example.com", true),
        ("srv4_suffix_near_miss", b"https://app.example.com.evil.test", false),
        ("srv4_prefix_near_miss", b"https://evilexample.com", false),
        ("srv4_hyphen_near_miss", b"https://evil-example.com", false),
        ("srv4_unescaped_dot_near_miss", b"https://appxexample.com", false),
        ("srv4_parent_itself", b"https://example.com", false),
        ("srv4_other_scheme", b"http://api.example.com", false),
        ("srv4_other_scheme_exact", b"http://app.example.com", false),
        ("srv4_other_port", b"https://api.example.com:8443", false),
        ("srv4_trailing_dot_host", b"https://api.example.com.", false),
        ("srv4_empty_label", b"https://.example.com", false),
        ("srv4_empty_inner_label", b"https://a..example.com", false),
        ("srv4_ip_address", b"https://127.0.0.1", false),
        ("orig1_exact_with_port", b"http://localhost:3000", true),
        ("orig1_other_port", b"http://localhost:3001", false),
        ("orig1_default_port_absent", b"http://localhost", false),
        ("orig1_default_port_written", b"https://app.example.com:443", false),
        ("chk3_uppercase_host", b"https://APP.example.com", false),
        ("chk3_uppercase_subdomain", b"https://API.example.com", false),
        ("chk3_uppercase_scheme", b"HTTPS://app.example.com", false),
        ("chk3_trailing_slash", b"https://app.example.com/", false),
        ("chk3_path", b"https://api.example.com/x", false),
        ("chk3_userinfo", b"https://u@api.example.com", false),
        ("orig2_null_not_listed", b"null", false),
        ("orig2_null_uppercase", b"NULL", false),
        ("garbage_empty", b"", false),
        ("garbage_star", b"*", false),
        ("garbage_not_utf8", b"https://\xffapp.example.com", false),
        ("garbage_list", b"https://app.example.com, https://api.example.com", false),
    ];
    for (name, origin, expected) in table {
        assert_eq!(origin_allowed(&p, origin), *expected, "{name}: {}", String::from_utf8_lossy(origin));
    }
}

#[test]
fn srv4_pattern_with_explicit_port_matches_that_port_only() {
    let p = policy(r#"origins = ["https://*.example.com:8443"]"#);
    assert!(origin_allowed(&p, b"https://a.example.com:8443"));
    assert!(!origin_allowed(&p, b"https://a.example.com"));
    assert!(!origin_allowed(&p, b"https://a.example.com:443"));
    assert!(!origin_allowed(&p, b"https://example.com:8443"));
}

#[test]
fn chk2_any_allows_every_browser_origin_including_null() {
    let p = policy(r#"origins = ["*"]"#);
    for origin in [&b"https://a.example"[..], b"http://localhost:8080", b"http://[::1]:3000", b"null"] {
        assert!(origin_allowed(&p, origin), "{}", String::from_utf8_lossy(origin));
    }
    // Bytes no browser sends are allowed by no policy, not even `*`.
    for origin in [&b"https://A.example"[..], b"https://a.example/", b"Null", b"", b"*", b"\xff"] {
        assert!(!origin_allowed(&p, origin), "{}", String::from_utf8_lossy(origin));
    }
}

#[test]
fn orig2_srv4_null_rule_matches_exactly_null() {
    let p = policy(r#"origins = ["null"]"#);
    assert!(origin_allowed(&p, b"null"));
    for origin in [&b"NULL"[..], b"Null", b" null", b"null ", b"https://a.example"] {
        assert!(!origin_allowed(&p, origin), "{}", String::from_utf8_lossy(origin));
    }
}

#[test]
fn meth1_safelisted_methods_always_allowed_meth3_pre8_others_byte_exact() {
    let p = app_policy();
    let allowed = |m: &str| ask(&p, b"https://app.example.com", m, &[], Omit).method_allowed;
    assert!(allowed("GET") && allowed("HEAD") && allowed("POST"), "METH-1");
    assert!(allowed("PUT") && allowed("PATCH"), "listed");
    assert!(!allowed("DELETE"), "not listed");
    assert!(!allowed("patch"), "METH-3: patch is not normalized, PATCH is listed");
    assert!(!allowed("get"), "the query's method must be normalized first: get is not GET");

    let only_put = policy("origins = [\"*\"]\nmethods = [\"put\"]");
    assert_eq!(only_put.methods, AllowedMethods::list(["PUT"]).unwrap(), "METH-3: put is stored as PUT");
    let i = ask(&only_put, b"https://a.example", "POST", &[], Omit);
    assert!(i.method_allowed && i.readable, "METH-1: POST needs no listing");

    let none = policy("origins = [\"*\"]\nmethods = []");
    assert!(ask(&none, b"https://a.example", "HEAD", &[], Omit).readable);
    assert!(!ask(&none, b"https://a.example", "PUT", &[], Omit).readable);

    let any = policy("origins = [\"*\"]\nmethods = [\"*\"]\ncredentials = true");
    for cred in [Omit, Include] {
        let i = ask(&any, b"https://a.example", "CHICKEN", &[], cred);
        assert!(i.method_allowed && i.readable, "PRE-8: * is the owner's meaning, with credentials too");
    }
}

#[test]
fn pre10_safe6_disallowed_headers() {
    let p = app_policy();
    let origin = b"https://app.example.com";
    let i = ask(&p, origin, "GET", &["content-type", "x-request-id"], Omit);
    assert!(i.disallowed_headers.is_empty() && i.readable, "listed (X-Request-Id stored lowercase): {i:?}");
    let i = ask(&p, origin, "GET", &["authorization", "content-type", "x-other"], Omit);
    assert_eq!(i.disallowed_headers, ["authorization", "x-other"]);
    assert!(i.origin_allowed && i.method_allowed && !i.readable);

    let any = policy("origins = [\"*\"]\nallow_headers = [\"*\"]");
    let i = ask(&any, b"https://a.example", "GET", &["authorization", "x-anything"], Omit);
    assert!(i.disallowed_headers.is_empty() && i.readable, "SAFE-6: * covers authorization in the owner's meaning");
}

#[test]
fn chk4_chk5_credentials_decide_readability_only_for_include() {
    let with = app_policy();
    let without = policy(r#"origins = ["https://app.example.com"]"#);
    let origin = b"https://app.example.com";
    for (p, cred, readable) in [
        (&with, Include, true),
        (&with, Omit, true),
        (&with, SameOrigin, true),
        (&without, Include, false),
        (&without, Omit, true),
        (&without, SameOrigin, true),
    ] {
        let i = ask(p, origin, "GET", &[], cred);
        assert_eq!(i.readable, readable, "{cred:?} credentials={}", p.credentials);
        assert!(i.origin_allowed);
        assert_eq!(i.credentials_allowed, p.credentials);
    }
}

#[test]
fn srv5_any_origin_with_credentials_means_any_origin_reads_with_cookies() {
    let p = policy("origins = [\"*\"]\ncredentials = true");
    for origin in [&b"https://evil.test"[..], b"null"] {
        let i = ask(&p, origin, "GET", &[], Include);
        assert!(i.origin_allowed && i.credentials_allowed && i.readable);
    }
}

#[test]
fn origin_not_allowed_is_never_readable() {
    let p = app_policy();
    let i = ask(&p, b"https://evil.test", "GET", &[], Omit);
    assert_eq!(
        i,
        Intent {
            origin_allowed: false,
            credentials_allowed: true,
            method_allowed: true,
            disallowed_headers: vec![],
            readable: false,
            exposed: i.exposed.clone(),
            max_age: Some(600),
        }
    );
}

#[test]
fn exp1_exp2_exposed_headers() {
    let p = app_policy();
    let i = ask(&p, b"https://app.example.com", "GET", &[], Include);
    assert_eq!(
        i.exposed,
        ExposedIntent::Names(
            [
                "cache-control",
                "content-language",
                "content-length",
                "content-type",
                "expires",
                "last-modified",
                "pragma",
                "x-total-count",
            ]
            .map(String::from)
            .to_vec()
        ),
        "EXP-1: safelisted names plus the listed ones, never set-cookie"
    );
    assert!(i.exposed.contains("X-Total-Count") && !i.exposed.contains("set-cookie") && !i.exposed.contains("etag"));

    let all = Policy::new(AllowedOrigins::Any).with_expose_headers(AllowedNames::Any);
    let i = ask(&all, b"https://a.example", "GET", &[], Omit);
    assert_eq!(i.exposed, ExposedIntent::All);
    assert!(i.exposed.contains("x-anything") && i.exposed.contains("ETag"));
    assert!(!i.exposed.contains("Set-Cookie") && !i.exposed.contains("set-cookie2"), "EXP-1");
}

#[test]
fn pre11_max_age_passes_through() {
    assert_eq!(ask(&app_policy(), b"null", "GET", &[], Omit).max_age, Some(600));
    assert_eq!(ask(&policy(r#"origins = ["*"]"#), b"null", "GET", &[], Omit).max_age, None);
}

#[test]
fn default_policy_allows_nothing() {
    let i = ask(&Policy::default(), b"https://a.example", "GET", &[], Omit);
    assert!(!i.origin_allowed && !i.readable);
}

#[test]
fn subdomain_pattern_builder_matches_the_parser() {
    let built = SubdomainPattern::new("https", "example.com", Some(443)).unwrap();
    let parsed = AllowedOrigins::parse_list(["https://*.example.com"]).unwrap();
    assert_eq!(parsed.rules(), [cors_harness::policy::OriginRule::Subdomains(built.clone())]);
    assert_eq!(built.to_string(), "https://*.example.com");
    assert_eq!(built.port(), None);
    assert!(SubdomainPattern::new("https", "com", None).is_err());
    assert!(SubdomainPattern::new("https", "Example.com", None).is_err());
}

// ------------------------------------------------------------------------------------------------
// Properties

/// Independent, string-level statement of the SRV-4 subdomain rule for `https://*.example.com`.
fn reference_match(origin: &str) -> bool {
    let Some(host) = origin.strip_prefix("https://") else { return false };
    let Some(prefix) = host.strip_suffix(".example.com") else { return false };
    !prefix.is_empty()
        && prefix.split('.').all(|l| {
            !l.is_empty() && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

fn near_origin() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a", "app", "example", "com", "evil", "test", ".", ".", "-", "x", "0", "EXAMPLE", "_", ":8443", ":443", "/",
        "@",
    ]);
    let scheme = prop::sample::select(vec!["https://", "https://", "http://", "HTTPS://", "wss://", ""]);
    (scheme, prop::collection::vec(piece, 0..8), prop::bool::ANY)
        .prop_map(|(s, pieces, suffix)| format!("{s}{}{}", pieces.concat(), if suffix { ".example.com" } else { "" }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn srv4_subdomain_rule_agrees_with_its_string_statement(origin in near_origin()) {
        let p = Policy::new(AllowedOrigins::parse_list(["https://*.example.com"]).unwrap());
        prop_assert_eq!(origin_allowed(&p, origin.as_bytes()), reference_match(&origin), "{}", origin);
    }

    #[test]
    fn intent_is_total_and_readable_is_the_conjunction(
        origin in prop::collection::vec(any::<u8>(), 0..40),
        method in "[A-Za-z*]{0,8}",
        headers in prop::collection::vec("[a-z*-]{1,12}", 0..4),
        include in any::<bool>(),
    ) {
        let p = app_policy();
        let cred = if include { Include } else { Omit };
        let i = intent(&p, &IntentQuery { origin: &origin, method: &method, unsafe_header_names: &headers, credentials: cred });
        prop_assert_eq!(
            i.readable,
            i.origin_allowed && i.method_allowed && i.disallowed_headers.is_empty() && (!include || p.credentials)
        );
        if i.origin_allowed {
            prop_assert!(cors_harness::Origin::parse_serialized(&origin).is_ok());
        }
    }
}
