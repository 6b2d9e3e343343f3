//! The policy file: every error kind with its location and hint, warnings, the example
//! policies, the to_toml round trip, and "never panics" properties.

use std::path::{Path, PathBuf};

use cors_harness::policy::{
    AllowedMethods, AllowedNames, AllowedOrigins, LoadError, LoadedPolicy, OriginRule, OriginRuleError, Policy,
    PolicyError, PolicyErrorKind, PolicyKey, WarningKind,
};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use proptest::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policies").join(rel)
}

fn load_err(rel: &str) -> PolicyError {
    match Policy::load(fixture(rel)) {
        Ok(loaded) => panic!("{rel}: expected an error, loaded {:?}", loaded.policy),
        Err(LoadError::Policy(e)) => e,
        Err(e) => panic!("{rel}: {e}"),
    }
}

fn load_ok(rel: &str) -> LoadedPolicy {
    match Policy::load(fixture(rel)) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{rel}: {e:?}"),
    }
}

fn render(diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(200)
        .render_report(&mut out, diagnostic)
        .unwrap();
    out
}

/// (fixture, diagnostic code, line, column, in the message, in the hint)
const ERRORS: &[(&str, &str, usize, usize, &str, &str)] = &[
    ("unknown-key", "policy::unknown-key", 3, 1, "unknown key `allowed_headers`", "did you mean `allow_headers`?"),
    (
        "wrong-type-boolean",
        "policy::wrong-type",
        2,
        15,
        "`credentials` must be a boolean, found a string",
        "remove the quotes: `credentials = true`",
    ),
    (
        "wrong-type-list",
        "policy::wrong-type",
        1,
        11,
        "`origins` must be an array of strings, found a string",
        "write a list: `origins = [\"https://app.example.com\"]`",
    ),
    ("wrong-type-entry", "policy::wrong-type", 1, 39, "found an integer", "write each entry as a quoted string"),
    (
        "wrong-type-max-age",
        "policy::wrong-type",
        2,
        11,
        "`max_age` must be a whole number of seconds, found a float",
        "write an integer",
    ),
    (
        "origin-trailing-slash",
        "policy::invalid-origin",
        4,
        3,
        "invalid origin `https://admin.example.com/`: an origin has no path",
        "remove the trailing slash: browsers send `https://admin.example.com`",
    ),
    (
        "origin-path",
        "policy::invalid-origin",
        1,
        12,
        "an origin has no path",
        "remove the path: browsers send `https://app.example.com`",
    ),
    (
        "origin-uppercase",
        "policy::invalid-origin",
        1,
        12,
        "not written the way browsers send it",
        "write `https://app.example.com`",
    ),
    (
        "origin-default-port",
        "policy::invalid-origin",
        1,
        12,
        "browsers send `https://app.example.com`",
        "no default port (ORIG-1)",
    ),
    (
        "origin-userinfo",
        "policy::invalid-origin",
        1,
        12,
        "no user name or password",
        "remove the user name and password: browsers send `https://app.example.com`",
    ),
    ("origin-not-url", "policy::invalid-origin", 1, 12, "not an origin", "add the scheme: `https://app.example.com`"),
    ("origin-null-case", "policy::invalid-origin", 1, 12, "written `null`, in lowercase", "ORIG-2"),
    ("origin-opaque-scheme", "policy::invalid-origin", 1, 12, "`file:` URLs have no tuple origin", "Origin: null"),
    (
        "pattern-no-scheme",
        "policy::invalid-origin",
        1,
        12,
        "a subdomain pattern needs a scheme",
        "write `https://*.example.com`",
    ),
    (
        "pattern-partial-label",
        "policy::invalid-origin",
        1,
        12,
        "the wildcard must be a whole label",
        "write `https://*.example.com`",
    ),
    (
        "pattern-not-leftmost",
        "policy::invalid-origin",
        1,
        12,
        "the wildcard must be the leftmost label",
        "write `https://*.example.com`",
    ),
    (
        "pattern-single-label",
        "policy::invalid-origin",
        1,
        12,
        "the parent domain `com` has a single label",
        "registrable domain",
    ),
    (
        "pattern-port-wildcard",
        "policy::invalid-origin",
        1,
        12,
        "only the leftmost label of the host can be a wildcard",
        "ports",
    ),
    (
        "wildcard-mixed",
        "policy::wildcard-not-alone",
        1,
        39,
        "`\"*\"` must be the only entry of `origins`",
        "keep it alone",
    ),
    (
        "methods-wildcard-mixed",
        "policy::wildcard-not-alone",
        2,
        19,
        "`\"*\"` must be the only entry of `methods`",
        "keep it alone",
    ),
    (
        "invalid-method",
        "policy::invalid-name",
        2,
        19,
        "invalid method `GE T` in `methods`: a space cannot appear in an HTTP token",
        "HTTP token",
    ),
    (
        "invalid-header-list",
        "policy::invalid-name",
        2,
        18,
        "invalid header name `content-type, x-request-id` in `allow_headers`: a comma",
        "write each name as its own string: `[\"content-type\", \"x-request-id\"]`",
    ),
    (
        "invalid-header-colon",
        "policy::invalid-name",
        2,
        19,
        "`:` cannot appear in an HTTP token",
        "write the header name only, without `:` and a value: \"x-total-count\"",
    ),
    (
        "duplicate-origin",
        "policy::duplicate",
        4,
        3,
        "`https://app.example.com` is listed twice in `origins`",
        "remove one of them",
    ),
    (
        "duplicate-method",
        "policy::duplicate",
        2,
        26,
        "`put` is listed twice in `methods`",
        "`PUT` and `put` are the same method after normalization (METH-3)",
    ),
    (
        "duplicate-header",
        "policy::duplicate",
        2,
        34,
        "`x-request-id` is listed twice in `allow_headers`",
        "header names are case-insensitive",
    ),
    ("empty-origins", "policy::empty-origins", 2, 11, "`origins` is empty", "[\"*\"]"),
    (
        "missing-origins",
        "policy::missing-origins",
        1,
        1,
        "missing key `origins`",
        "origins = [\"https://app.example.com\"]",
    ),
    ("negative-max-age", "policy::negative-max-age", 2, 11, "`max_age` cannot be negative (-1)", "`max_age = 0`"),
    ("duplicate-key", "policy::syntax", 3, 1, "duplicate key", "each key may appear once"),
];

#[test]
fn every_error_kind_has_location_message_and_hint() {
    for &(name, code, line, column, message, hint) in ERRORS {
        let err = load_err(&format!("invalid/{name}.toml"));
        let ctx = format!("{name}: {err} at {}:{} hint {:?}", err.line(), err.column(), err.hint());
        assert_eq!(err.kind().code(), code, "{ctx}");
        assert_eq!(err.code().map(|c| c.to_string()).as_deref(), Some(code), "{ctx}");
        assert_eq!((err.line(), err.column()), (line, column), "{ctx}");
        assert!(err.to_string().contains(message), "message: {ctx}");
        assert!(err.hint().is_some_and(|h| h.contains(hint)), "hint: {ctx}");
        assert!(err.location().ends_with(&format!("invalid/{name}.toml:{line}:{column}")), "{ctx}");
        assert!(err.others().is_empty(), "{ctx}: {:?}", err.others());
    }
}

#[test]
fn srv4_origin_rule_parse_accepts_canonical_forms_and_explains_the_rest() {
    for ok in [
        "https://app.example.com",
        "http://localhost:3000",
        "https://[::1]:8443",
        "https://xn--bcher-kva.example",
        "null",
        "https://*.example.com",
        "https://*.example.com:8443",
        "https://*.a.b.example.co.uk",
    ] {
        let rule = OriginRule::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(rule.to_string(), ok, "Display gives back the written form");
    }
    type Case = (&'static str, fn(&OriginRuleError) -> bool, &'static str);
    let cases: &[Case] = &[
        ("*", |e| matches!(e, OriginRuleError::Wildcard), "origins = [\"*\"]"),
        ("Null", |e| matches!(e, OriginRuleError::NullCase), "write `null`"),
        (
            "https://a.example?q",
            |e| matches!(e, OriginRuleError::HasPath { trailing_slash: false, .. }),
            "`https://a.example`",
        ),
        (" https://a.example", |e| matches!(e, OriginRuleError::NotCanonical { .. }), "write `https://a.example`"),
        (
            "https://bücher.example",
            |e| matches!(e, OriginRuleError::NotCanonical { .. }),
            "`https://xn--bcher-kva.example`",
        ),
        (
            "*.com",
            |e| matches!(e, OriginRuleError::PatternParentTooShort { parent } if parent == "com"),
            "registrable domain",
        ),
        ("https://*", |e| matches!(e, OriginRuleError::PatternParentTooShort { .. }), "registrable domain"),
        ("https://*.localhost", |e| matches!(e, OriginRuleError::PatternParentTooShort { .. }), "SRV-4"),
        (
            "https://*.EXAMPLE.com",
            |e| matches!(e, OriginRuleError::NotCanonical { .. }),
            "write `https://*.example.com`",
        ),
        (
            "https://*.example.com:443",
            |e| matches!(e, OriginRuleError::NotCanonical { .. }),
            "write `https://*.example.com`",
        ),
        (
            "https://*.example.com/",
            |e| matches!(e, OriginRuleError::HasPath { trailing_slash: true, .. }),
            "browsers send `https://*.example.com`",
        ),
        (
            "https://*EXAMPLE.com",
            |e| matches!(e, OriginRuleError::PatternPartialLabel { .. }),
            "write `https://*.example.com`",
        ),
        (
            "https://app-*.example.com",
            |e| matches!(e, OriginRuleError::PatternPartialLabel { suggestion: None }),
            "list the origins",
        ),
        (
            "https://a.*.com",
            |e| matches!(e, OriginRuleError::PatternNotLeftmost { suggestion: None }),
            "list the origins",
        ),
        ("https://*.*.example.com", |e| matches!(e, OriginRuleError::PatternWildcardPosition), "inner labels"),
        ("*://example.com", |e| matches!(e, OriginRuleError::PatternWildcardPosition), "schemes"),
        ("https://example.*", |e| matches!(e, OriginRuleError::PatternWildcardPosition), "top-level domains"),
        ("https://u@*.example.com", |e| matches!(e, OriginRuleError::HasUserinfo { .. }), "user name and password"),
        ("file://*.example.com", |e| matches!(e, OriginRuleError::OpaqueScheme(s) if s == "file"), "Origin: null"),
        ("https://*.1.2.3", |e| matches!(e, OriginRuleError::NotUrl { .. }), "scheme://host[:port]"),
    ];
    for (entry, matches, help) in cases {
        let err = OriginRule::parse(entry).expect_err(entry);
        assert!(matches(&err), "{entry}: {err:?}");
        assert!(err.help().contains(help), "{entry}: {}", err.help());
    }
}

#[test]
fn unknown_key_suggests_the_closest_key() {
    let cases = [
        ("allowed_headers", Some(PolicyKey::AllowHeaders)),
        ("allow-headers", Some(PolicyKey::AllowHeaders)),
        ("allowHeaders", Some(PolicyKey::AllowHeaders)),
        ("origin", Some(PolicyKey::Origins)),
        ("allow_origins", Some(PolicyKey::Origins)),
        ("maxAge", Some(PolicyKey::MaxAge)),
        ("access-control-max-age", Some(PolicyKey::MaxAge)),
        ("exposed_headers", Some(PolicyKey::ExposeHeaders)),
        ("allow_credentials", Some(PolicyKey::Credentials)),
        ("vary", None),
        ("zzzzzzzz", None),
    ];
    for (key, expected) in cases {
        let src = format!("origins = [\"*\"]\n{key} = 1\n");
        let err = Policy::from_toml_str(&src, "cors.toml").unwrap_err();
        assert_eq!(err.kind(), &PolicyErrorKind::UnknownKey { key: key.into(), suggestion: expected }, "{key}");
        assert_eq!((err.line(), err.column()), (2, 1), "{key}");
        let hint = err.hint().unwrap();
        assert!(
            hint.contains("origins, methods, allow_headers, expose_headers, credentials, max_age, private_network")
        );
    }
    // A table header is an unknown key too, pointed at its name.
    let err = Policy::from_toml_str("origins = [\"*\"]\n[cors]\nx = 1\n", "cors.toml").unwrap_err();
    assert!(matches!(err.kind(), PolicyErrorKind::UnknownKey { key, .. } if key == "cors"));
    assert_eq!((err.line(), err.column()), (2, 2));
}

#[test]
fn syntax_errors_point_into_the_file() {
    let err = load_err("invalid/syntax.toml");
    assert!(matches!(err.kind(), PolicyErrorKind::Syntax { .. }), "{err}");
    assert!(err.to_string().starts_with("invalid TOML: "), "{err}");
    // The array opened on line 1 is not closed before line 2.
    assert_eq!((err.line(), err.column()), (2, 1), "{}", err.location());
}

#[test]
fn several_errors_are_reported_in_file_order() {
    let err = load_err("invalid/several-errors.toml");
    let all: Vec<(usize, usize, &str)> =
        std::iter::once(&err).chain(err.others()).map(|e| (e.line(), e.column(), e.kind().code())).collect();
    assert_eq!(
        all,
        [
            (1, 12, "policy::invalid-origin"),
            (1, 40, "policy::invalid-origin"),
            (2, 12, "policy::invalid-name"),
            (3, 11, "policy::negative-max-age"),
        ]
    );
    assert_eq!(err.related().map(|r| r.count()), Some(3));
}

#[test]
fn errors_render_with_file_line_column_snippet_and_hint() {
    let src = "# API\norigins = [\n  \"https://app.example.com/\",\n]\n";
    let err = Policy::from_toml_str(src, "cors.toml").unwrap_err();
    let out = render(&err);
    assert!(out.contains("policy::invalid-origin"), "{out}");
    assert!(out.contains("[cors.toml:3:3]"), "{out}");
    assert!(out.contains("\"https://app.example.com/\","), "{out}");
    assert!(out.contains("trailing slash"), "{out}");
    assert!(out.contains("browsers send `https://app.example.com`"), "{out}");

    // A duplicate shows both places.
    let err = load_err("invalid/duplicate-origin.toml");
    let labels: Vec<String> = err.labels().unwrap().filter_map(|l| l.label().map(str::to_owned)).collect();
    assert_eq!(labels, ["listed again", "first listed here"]);
    let out = render(&err);
    assert!(out.contains("first listed here"), "{out}");
}

#[test]
fn not_utf8_files_are_errors_at_the_first_bad_byte() {
    let dir = std::env::temp_dir().join(format!("cors-harness-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.toml");
    std::fs::write(&path, b"origins = [\"*\"]\n# caf\xe9\n").unwrap();
    let result = Policy::load(&path);
    std::fs::remove_dir_all(&dir).ok();
    let Err(LoadError::Policy(err)) = result else { panic!("expected a policy error") };
    assert_eq!(err.kind(), &PolicyErrorKind::NotUtf8);
    assert_eq!((err.line(), err.column()), (2, 6));

    let missing = Policy::load(fixture("does-not-exist.toml")).unwrap_err();
    assert!(matches!(missing, LoadError::Io { .. }), "{missing}");
}

#[test]
fn max_age_bounds() {
    let ok = Policy::from_toml_str("origins = [\"*\"]\nmax_age = 0\n", "t").unwrap();
    assert_eq!(ok.policy.max_age, Some(0));
    let ok = Policy::from_toml_str("origins = [\"*\"]\nmax_age = 9223372036854775807\n", "t").unwrap();
    assert_eq!(ok.policy.max_age, Some(i64::MAX as u64));
    let err = Policy::from_toml_str("origins = [\"*\"]\nmax_age = \"600\"\n", "t").unwrap_err();
    assert!(err.hint().unwrap().contains("remove the quotes: `max_age = 600`"), "{err}");
}

// ------------------------------------------------------------------------------------------------
// Warnings

/// (fixture, [(warning kind matcher, first rule ID, line, column)])
type Expected = (&'static str, &'static [(fn(&WarningKind) -> bool, &'static str, usize, usize)]);

const WARNINGS: &[Expected] = &[
    ("any-origin-credentials", &[(|k| matches!(k, WarningKind::AnyOriginWithCredentials), "SRV-5", 3, 15)]),
    ("null-origin", &[(|k| matches!(k, WarningKind::NullOrigin { credentials: false }), "SRV-4", 1, 39)]),
    (
        "http-credentials",
        &[(
            |k| matches!(k, WarningKind::InsecureOriginWithCredentials { origin } if origin == "http://app.example.com"),
            "SRV-4",
            1,
            12,
        )],
    ),
    (
        "wildcards-credentials",
        &[
            (|k| matches!(k, WarningKind::WildcardWithCredentials { key: PolicyKey::Methods }), "PRE-8", 2, 11),
            (|k| matches!(k, WarningKind::WildcardWithCredentials { key: PolicyKey::AllowHeaders }), "PRE-10", 3, 17),
            (|k| matches!(k, WarningKind::WildcardWithCredentials { key: PolicyKey::ExposeHeaders }), "EXP-2", 4, 18),
        ],
    ),
    ("max-age", &[(|k| matches!(k, WarningKind::MaxAgeAboveCap { max_age: 86400 }), "PRE-12", 2, 11)]),
    (
        "subdomains-credentials",
        &[(
            |k| matches!(k, WarningKind::SubdomainsWithCredentials { pattern } if pattern == "https://*.example.com"),
            "SRV-4",
            1,
            12,
        )],
    ),
    (
        "methods-and-expose",
        &[
            (|k| matches!(k, WarningKind::MethodCase { method } if method == "patch"), "METH-3", 2, 19),
            (|k| matches!(k, WarningKind::ForbiddenMethod { method } if method == "TRACE"), "METH-2", 2, 28),
            (|k| matches!(k, WarningKind::SetCookieExposed { name } if name == "set-cookie"), "EXP-1", 3, 36),
        ],
    ),
    ("private-network-any", &[(|k| matches!(k, WarningKind::PrivateNetworkAnyOrigin), "SRV-20", 2, 19)]),
];

#[test]
fn dangerous_policies_load_with_located_warnings_citing_rules() {
    for (name, expected) in WARNINGS {
        let loaded = load_ok(&format!("warn/{name}.toml"));
        let got: Vec<String> =
            loaded.warnings.iter().map(|w| format!("{w} at {:?}:{:?}", w.line(), w.column())).collect();
        assert_eq!(loaded.warnings.len(), expected.len(), "{name}: {got:#?}");
        for (w, (matches, rule, line, column)) in loaded.warnings.iter().zip(expected.iter()) {
            assert!(matches(w.kind()), "{name}: {got:#?}");
            assert_eq!(w.rules()[0].id(), *rule, "{name}: {w}");
            assert!(w.to_string().contains(rule), "{name}: the message cites the rule: {w}");
            assert_eq!((w.line(), w.column()), (Some(*line), Some(*column)), "{name}: {w}");
            assert_eq!(w.severity(), Some(miette::Severity::Warning));
            assert!(!w.hint().is_empty());
        }
        // The same warnings, without location, for the policy built in code.
        let kinds: Vec<&WarningKind> = loaded.warnings.iter().map(|w| w.kind()).collect();
        let mut from_code: Vec<WarningKind> = loaded.policy.warnings().into_iter().map(|w| w.kind().clone()).collect();
        for k in &kinds {
            let i = from_code.iter().position(|c| c == *k).unwrap_or_else(|| panic!("{name}: {k:?} missing"));
            from_code.remove(i);
        }
        assert!(from_code.is_empty(), "{name}: {from_code:?}");
        assert!(loaded.policy.warnings().iter().all(|w| w.line().is_none() && w.span().is_none()));
    }
}

#[test]
fn srv5_any_origin_with_credentials_warning_renders_with_both_places() {
    let loaded = load_ok("warn/any-origin-credentials.toml");
    let out = render(&loaded.warnings[0]);
    assert!(out.contains("policy::warning::any-origin-with-credentials"), "{out}");
    assert!(out.contains("any-origin-credentials.toml:3:15]"), "{out}");
    assert!(out.contains("credentials allowed here"), "{out}");
    assert!(out.contains("for every origin"), "{out}");
    assert!(out.contains("reflecting any Origin"), "{out}");
}

#[test]
fn srv4_null_with_credentials_says_so() {
    let loaded = Policy::from_toml_str("origins = [\"null\"]\ncredentials = true\n", "t").unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].kind(), &WarningKind::NullOrigin { credentials: true });
    assert!(loaded.warnings[0].to_string().contains("(SRV-4, ORIG-3, ORIG-5)"));
}

#[test]
fn insecure_subdomain_pattern_with_credentials_warns_twice() {
    let loaded = Policy::from_toml_str("origins = [\"http://*.example.com\"]\ncredentials = true\n", "t").unwrap();
    let kinds: Vec<&WarningKind> = loaded.warnings.iter().map(|w| w.kind()).collect();
    assert!(
        matches!(
            kinds[..],
            [WarningKind::SubdomainsWithCredentials { .. }, WarningKind::InsecureOriginWithCredentials { .. }]
        ),
        "{kinds:?}"
    );
}

#[test]
fn no_warnings_without_credentials_for_wildcards() {
    let loaded = Policy::from_toml_str(
        "origins = [\"*\"]\nmethods = [\"*\"]\nallow_headers = [\"*\"]\nexpose_headers = [\"*\"]\n",
        "t",
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

// ------------------------------------------------------------------------------------------------
// Example policies (future built-ins) and the round trip

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn example_policies_load_without_errors_or_warnings() {
    let files = examples();
    assert_eq!(files.len(), 5, "{files:?}");
    for path in files {
        let loaded = Policy::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(loaded.warnings.is_empty(), "{}: {:?}", path.display(), loaded.warnings);
    }
}

#[test]
fn example_policies_mean_what_they_say() {
    let two = load_ok("two-frontends-credentials.toml").policy;
    assert_eq!(
        two.origins,
        AllowedOrigins::parse_list(["https://app.example.com", "https://admin.example.com"]).unwrap()
    );
    assert!(two.credentials);
    assert_eq!(two.methods, AllowedMethods::list(["GET", "POST", "PUT", "PATCH", "DELETE"]).unwrap());
    assert_eq!(two.max_age, Some(7200));

    let public = load_ok("public-api.toml").policy;
    assert_eq!(public.origins, AllowedOrigins::Any);
    assert_eq!(public.allow_headers, AllowedNames::Any);
    assert!(!public.credentials);

    let subs = load_ok("subdomains.toml").policy;
    assert!(
        matches!(subs.origins.rules(), [OriginRule::Exact(_), OriginRule::Subdomains(p)] if p.parent() == "example.com")
    );

    // Omitted keys take their defaults.
    let single = load_ok("single-origin.toml").policy;
    assert_eq!(single.expose_headers, AllowedNames::none());
    assert!(!single.credentials && !single.private_network);
}

#[test]
fn to_toml_round_trips_examples_and_fixtures() {
    let mut files = examples();
    files.extend(std::fs::read_dir(fixture("warn")).unwrap().map(|e| e.unwrap().path()));
    for path in files {
        let loaded = Policy::load(&path).unwrap();
        let text = loaded.policy.to_toml();
        let again = Policy::from_toml_str(&text, "round-trip.toml").unwrap_or_else(|e| panic!("{text}\n{e:?}"));
        assert_eq!(again.policy, loaded.policy, "{}:\n{text}", path.display());
        assert_eq!(again.policy.to_toml(), text);
        assert_eq!(again.warnings.len(), loaded.warnings.len(), "{text}");
    }
}

#[test]
fn to_toml_writes_every_key() {
    let policy =
        Policy::new(AllowedOrigins::parse_list(["https://a.example", "null", "https://*.example.com:8443"]).unwrap())
            .with_methods(AllowedMethods::list(["get", "PATCH"]).unwrap())
            .with_allow_headers(AllowedNames::Any)
            .with_max_age(60);
    assert_eq!(
        policy.to_toml(),
        "origins = [\"https://a.example\", \"null\", \"https://*.example.com:8443\"]\n\
         methods = [\"GET\", \"PATCH\"]\n\
         allow_headers = [\"*\"]\n\
         expose_headers = []\n\
         credentials = false\n\
         max_age = 60\n\
         private_network = false\n"
    );
    // The fail-closed default cannot be written as a valid file (an empty list is an error).
    let err = Policy::from_toml_str(&Policy::default().to_toml(), "default.toml").unwrap_err();
    assert_eq!(err.kind(), &PolicyErrorKind::EmptyOrigins);
}

// ------------------------------------------------------------------------------------------------
// Properties

fn label() -> impl Strategy<Value = String> {
    // `xn--` labels are punycode and must decode: keep them out.
    "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?".prop_filter("no punycode", |l| !l.starts_with("xn--"))
}

fn domain() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..3), prop::sample::select(vec!["com", "example", "test", "co.uk"]))
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

fn origin_entry() -> impl Strategy<Value = String> {
    let port = prop::option::of(prop::sample::select(vec![3000u16, 8080, 8443]));
    let scheme = prop::sample::select(vec!["https", "http"]);
    prop_oneof![
        (scheme.clone(), domain(), port.clone()).prop_map(|(s, d, p)| match p {
            Some(p) => format!("{s}://{d}:{p}"),
            None => format!("{s}://{d}"),
        }),
        (scheme, domain(), port).prop_map(|(s, d, p)| match p {
            Some(p) => format!("{s}://*.{d}:{p}"),
            None => format!("{s}://*.{d}"),
        }),
        Just("null".to_owned()),
        Just("http://[::1]:8080".to_owned()),
        Just("http://127.0.0.1:5173".to_owned()),
    ]
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'+.^_`|~-][A-Za-z0-9!#$%&'*+.^_`|~-]{0,10}"
}

fn names() -> impl Strategy<Value = AllowedNames> {
    prop_oneof![
        1 => Just(AllowedNames::Any),
        4 => prop::collection::vec(token(), 0..5).prop_map(|n| AllowedNames::list(n).unwrap()),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    let origins = prop_oneof![
        1 => Just(AllowedOrigins::Any),
        4 => prop::collection::vec(origin_entry(), 1..5).prop_map(|o| AllowedOrigins::parse_list(o).unwrap()),
    ];
    let methods = prop_oneof![
        1 => Just(AllowedMethods::Any),
        4 => prop::collection::vec(token(), 0..5).prop_map(|m| AllowedMethods::list(m).unwrap()),
    ];
    (origins, methods, names(), names(), any::<bool>(), prop::option::of(0u64..100_000), any::<bool>()).prop_map(
        |(origins, methods, allow_headers, expose_headers, credentials, max_age, private_network)| Policy {
            origins,
            methods,
            allow_headers,
            expose_headers,
            credentials,
            max_age,
            private_network,
        },
    )
}

/// Characters that matter to TOML, origins and patterns, plus some that break naive slicing.
const ALPHABET: &[char] = &[
    '"',
    '\'',
    '[',
    ']',
    '{',
    '}',
    '=',
    ',',
    '.',
    ':',
    '/',
    '*',
    '#',
    '\\',
    '\n',
    '\r',
    '\t',
    ' ',
    '-',
    '_',
    '@',
    '?',
    '%',
    '0',
    '9',
    'a',
    'Z',
    'é',
    '\u{0}',
    '\u{feff}',
    '\u{1F600}',
    'ı',
    'K',
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, char),
    Delete(usize, usize),
    Replace(usize, char),
    DuplicateLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let ch = prop::sample::select(ALPHABET.to_vec());
    prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), 1usize..8).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), ch).prop_map(|(i, c)| Mutation::Replace(i, c)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let len = chars.len().max(1);
        match *m {
            Mutation::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Mutation::Delete(i, n) => {
                let start = i % len;
                let end = (start + n).min(chars.len());
                chars.drain(start.min(end)..end);
            }
            Mutation::Replace(i, c) => {
                if !chars.is_empty() {
                    chars[i % len] = c;
                }
            }
            Mutation::DuplicateLine(i) => {
                let s: String = chars.iter().collect();
                let lines: Vec<&str> = s.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let mut out: Vec<&str> = lines.clone();
                    out.insert(i % lines.len(), lines[i % lines.len()]);
                    chars = out.concat().chars().collect();
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn seeds() -> Vec<String> {
    let mut files = examples();
    files.extend(std::fs::read_dir(fixture("warn")).unwrap().map(|e| e.unwrap().path()));
    files.extend(std::fs::read_dir(fixture("invalid")).unwrap().map(|e| e.unwrap().path()));
    files.sort();
    files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

/// Loads and uses everything a caller would: errors must render, locations be in range.
fn exercise(text: &str) {
    match Policy::from_toml_str(text, "fuzz.toml") {
        Ok(loaded) => {
            let _ = loaded.policy.to_toml();
            for w in &loaded.warnings {
                let _ = render(w);
            }
        }
        Err(err) => {
            assert!(err.line() >= 1 && err.column() >= 1);
            assert!(err.span().start <= text.len() && err.span().end <= text.len(), "{err:?}");
            let _ = render(&err);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn from_toml_str_never_panics_on_arbitrary_strings(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn from_toml_str_never_panics_on_toml_like_strings(text in "(origins|methods|allow_headers|max_age|credentials|[\\[\\]\"'=,.:/*# \n\t0-9a-z-]){0,60}") {
        exercise(&text);
    }

    #[test]
    fn from_toml_str_never_panics_on_mutated_valid_files(
        seed in prop::sample::select(seeds()),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        exercise(&apply(&seed, &mutations));
    }

    #[test]
    fn to_toml_round_trips_generated_policies(policy in policy()) {
        let text = policy.to_toml();
        let loaded = Policy::from_toml_str(&text, "generated.toml");
        prop_assert!(loaded.is_ok(), "{}\n{:?}", text, loaded.err());
        prop_assert_eq!(loaded.unwrap().policy, policy);
    }
}
