//! The conformance catalogue over the example policies: stable, unique `group/name` IDs, the
//! groups each policy should get, and near-miss origins derived from the policy.

use std::collections::BTreeSet;

use cors_harness::catalogue::catalogue;
use cors_harness::policy::Policy;
use cors_harness::probe::Probe;

fn load(name: &str) -> Policy {
    let path = format!("{}/tests/policies/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    Policy::load(std::path::Path::new(&path)).unwrap().policy
}

fn probes(name: &str) -> Vec<Probe> {
    catalogue(&load(name), &url::Url::parse("http://api.example.test/data").unwrap())
}

fn ids(probes: &[Probe]) -> Vec<&str> {
    probes.iter().map(|p| p.id.as_str()).collect()
}

fn origins<'a>(probes: &'a [Probe], id: &str) -> BTreeSet<&'a str> {
    probes.iter().find(|p| p.id == id).unwrap().requests.iter().map(|r| r.origin.serialize()).collect()
}

const EXAMPLES: [&str; 5] =
    ["custom-headers-expose", "public-api", "single-origin", "subdomains", "two-frontends-credentials"];

/// The origin probes every policy with listed origins gets.
const ORIGIN_PROBES: [&str; 16] = [
    "origin/allowed",
    "origin/reflect-arbitrary",
    "origin/null",
    "origin/prefix-match",
    "origin/suffix-match",
    "origin/substring",
    "origin/unescaped-dot",
    "origin/scheme-downgrade",
    "origin/port",
    "origin/case",
    "origin/special-chars",
    "origin/idn",
    "origin/any-subdomain",
    "origin/parent-domain",
    "origin/third-party",
    "origin/localhost",
];

fn expected(name: &str) -> Vec<&'static str> {
    let origin: &[&str] = if name == "public-api" {
        &["origin/allowed", "origin/reflect-arbitrary", "origin/null"]
    } else {
        &ORIGIN_PROBES
    };
    let rest: &[&str] = match name {
        "custom-headers-expose" => &[
            "preflight/allowed-method",
            "preflight/disallowed-method",
            "preflight/method-case",
            "preflight/allowed-header",
            "preflight/unlisted-header",
            "preflight/header-case",
            "preflight/many-headers",
            "preflight/authorization",
            "preflight/status",
            "preflight/disallowed-origin",
            "credentials/not-allowed",
            "vary/actual",
            "vary/actual-disallowed",
            "vary/preflight",
            "expose/listed",
        ],
        "public-api" => &[
            "preflight/disallowed-method",
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
        ],
        "single-origin" => &[
            "preflight/disallowed-method",
            "preflight/method-case",
            "preflight/allowed-header",
            "preflight/unlisted-header",
            "preflight/header-case",
            "preflight/authorization",
            "preflight/status",
            "preflight/disallowed-origin",
            "credentials/not-allowed",
            "vary/actual",
            "vary/actual-disallowed",
            "vary/preflight",
            "expose/unlisted",
        ],
        "subdomains" => &[
            "preflight/disallowed-method",
            "preflight/method-case",
            "preflight/unlisted-header",
            "preflight/authorization",
            "preflight/status",
            "preflight/disallowed-origin",
            "credentials/not-allowed",
            "vary/actual",
            "vary/actual-disallowed",
            "vary/preflight",
            "expose/unlisted",
        ],
        "two-frontends-credentials" => &[
            "preflight/allowed-method",
            "preflight/disallowed-method",
            "preflight/method-case",
            "preflight/allowed-header",
            "preflight/unlisted-header",
            "preflight/header-case",
            "preflight/many-headers",
            "preflight/authorization",
            "preflight/wildcard-credentials",
            "preflight/status",
            "preflight/disallowed-origin",
            "credentials/allowed",
            "vary/actual",
            "vary/actual-disallowed",
            "vary/preflight",
            "expose/listed",
            "expose/wildcard-credentials",
        ],
        other => panic!("unknown example policy {other}"),
    };
    origin.iter().chain(rest).copied().collect()
}

#[test]
fn every_example_policy_gets_its_probes_in_a_stable_order() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, EXAMPLES.iter().map(|s| s.to_string()).collect(), "a new example policy needs its list here");
    for name in EXAMPLES {
        let probes = probes(name);
        assert_eq!(ids(&probes), expected(name), "{name}");
        // Stable: the same policy gives the same probes, request for request.
        assert_eq!(probes, self::probes(name), "{name}");
    }
}

#[test]
fn ids_are_unique_group_name_shaped_and_every_probe_cites_rules_and_sends_requests() {
    let mut all_ids = BTreeSet::new();
    for name in EXAMPLES {
        let probes = probes(name);
        let mut seen = BTreeSet::new();
        for probe in &probes {
            assert!(seen.insert(probe.id.as_str()), "{name}: {} twice", probe.id);
            let (group, rest) = probe.id.split_once('/').unwrap();
            let shaped = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            assert!(shaped(group) && shaped(rest), "{}", probe.id);
            assert!(
                ["origin", "preflight", "credentials", "vary", "expose", "private-network"].contains(&probe.group()),
                "{}",
                probe.id
            );
            assert!(!probe.rules.is_empty() && !probe.title().is_empty(), "{}", probe.id);
            assert!(!probe.requests.is_empty(), "{}", probe.id);
            all_ids.insert(probe.id.clone());
        }
    }
    // Every ID documented in CATALOGUE.md, and every documented ID emitted by some policy
    // (private-network probes need a policy with private_network, checked below).
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/CATALOGUE.md")).unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(id, _)| id.to_owned())
        .filter(|id| id.contains('/'))
        .collect();
    let pna = catalogue(
        &load("single-origin").with_private_network(true),
        &url::Url::parse("http://api.example.test/data").unwrap(),
    );
    all_ids.extend(pna.iter().map(|p| p.id.clone()));
    assert_eq!(documented, all_ids);
}

#[test]
fn srv4_near_misses_are_derived_from_the_policy() {
    let single = probes("single-origin");
    assert!(origins(&single, "origin/prefix-match").contains("https://app.example.com.evil.test"));
    assert!(origins(&single, "origin/suffix-match").contains("https://evilexample.com"));
    assert!(origins(&single, "origin/scheme-downgrade").contains("http://app.example.com"));
    assert!(origins(&single, "origin/special-chars").contains("https://app.example.com_.evil.test"));

    let two = probes("two-frontends-credentials");
    let prefix = origins(&two, "origin/prefix-match");
    assert!(
        prefix.contains("https://app.example.com.evil.test") && prefix.contains("https://admin.example.com.evil.test")
    );
    assert_eq!(
        origins(&two, "origin/allowed"),
        BTreeSet::from(["https://app.example.com", "https://admin.example.com"])
    );
    // Credentialed and non-credentialed variants of each near miss.
    let reflect = two.iter().find(|p| p.id == "origin/reflect-arbitrary").unwrap();
    assert_eq!(reflect.requests.iter().filter(|r| r.credentials.is_include()).count(), 2);
    assert_eq!(reflect.requests.len(), 4);

    let subdomains = probes("subdomains");
    let prefix = origins(&subdomains, "origin/prefix-match");
    assert!(prefix.contains("https://example.com.evil.test"), "{prefix:?}");
    assert!(origins(&subdomains, "origin/any-subdomain").contains("https://evil.example.com"));

    let local = probes("custom-headers-expose");
    let port = origins(&local, "origin/port");
    assert!(port.contains("http://localhost:3001") && port.contains("http://localhost"), "{port:?}");
    assert!(origins(&local, "origin/prefix-match").contains("http://localhost.evil.test:3000"));
    assert!(origins(&local, "origin/prefix-match").contains("https://dashboard.example.com.evil.test"));
}
