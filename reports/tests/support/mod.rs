//! Report fixtures: a realistic run, the same run with credentials the engine should have
//! redacted, and one full of data no renderer should choke on.
#![allow(dead_code)]

use cors_harness::divergence::DivergenceClass;
use cors_harness::report::{
    ClassCounts, Finding, GroupTally, Reproduction, RunReport, RunStatus, ScriptRequest, TargetRun, WireExchange,
};
use cors_harness::rule::Rule;

pub fn s(text: &str) -> String {
    text.to_owned()
}

fn lines(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| s(l)).collect()
}

pub fn counts(security: usize, functional: usize, protocol: usize, execution: usize) -> ClassCounts {
    ClassCounts { security, functional, protocol, execution }
}

pub fn tally(group: &str, probes: usize, passed: usize, skipped: usize, divergences: ClassCounts) -> GroupTally {
    GroupTally { group: s(group), probes, passed, skipped, divergences }
}

fn script(origin: &str, method: &str, headers: &[(&str, &str)], credentials: &str) -> ScriptRequest {
    ScriptRequest {
        origin: s(origin),
        url: s("http://127.0.0.1:41000/data"),
        method: s(method),
        headers: headers.iter().map(|(n, v)| (s(n), s(v))).collect(),
        credentials: s(credentials),
        mode: s("cors"),
        upload_listeners: false,
    }
}

fn suffix_match() -> Finding {
    Finding {
        probe: s("origin/suffix-match"),
        title: s("An origin that merely ends with an allowed origin is refused"),
        class: DivergenceClass::Security,
        rule: Some(Rule::Srv4),
        explanation: s(
            "https://evilapp.example.com can read this response with the user's cookies, but the policy does not allow that origin",
        ),
        occurrences: 2,
        reproduction: Reproduction {
            script: script("https://evilapp.example.com", "GET", &[], "include"),
            exchanges: vec![WireExchange {
                request: lines(&[
                    "GET /data HTTP/1.1",
                    "host: 127.0.0.1:41000",
                    "origin: https://evilapp.example.com",
                    "cookie: <redacted>",
                ]),
                response: lines(&[
                    "HTTP/1.1 200",
                    "access-control-allow-origin: https://evilapp.example.com",
                    "access-control-allow-credentials: true",
                    "vary: origin",
                    "content-type: text/plain",
                ]),
                error: None,
                curl: s("curl -i -H 'origin: https://evilapp.example.com' http://127.0.0.1:41000/data"),
            }],
        },
    }
}

fn header_not_allowed() -> Finding {
    Finding {
        probe: s("headers/allowed-custom"),
        title: s("A request header the policy allows passes the preflight"),
        class: DivergenceClass::Functional,
        rule: Some(Rule::Pre10),
        explanation: s("the policy allows this request from https://app.example.com, but the browser blocks it: \
             preflight: Access-Control-Allow-Headers does not list x-request-id"),
        occurrences: 1,
        reproduction: Reproduction {
            script: script("https://app.example.com", "PUT", &[("X-Request-ID", "7")], "same-origin"),
            exchanges: vec![WireExchange {
                request: lines(&[
                    "OPTIONS /data HTTP/1.1",
                    "host: 127.0.0.1:41000",
                    "origin: https://app.example.com",
                    "access-control-request-method: PUT",
                    "access-control-request-headers: x-request-id",
                ]),
                response: lines(&[
                    "HTTP/1.1 204",
                    "access-control-allow-origin: https://app.example.com",
                    "access-control-allow-methods: GET,POST,PUT",
                    "vary: origin, access-control-request-method, access-control-request-headers",
                ]),
                error: None,
                curl: s(
                    "curl -i -X OPTIONS -H 'origin: https://app.example.com' -H 'access-control-request-method: PUT' \
                     -H 'access-control-request-headers: x-request-id' http://127.0.0.1:41000/data",
                ),
            }],
        },
    }
}

fn no_vary() -> Finding {
    Finding {
        probe: s("vary/origin"),
        title: s("Answers that depend on Origin say Vary: Origin"),
        class: DivergenceClass::Protocol,
        rule: Some(Rule::Srv9),
        explanation: s(
            "the response depends on Origin but has no Vary: Origin, so a shared cache can serve it to another origin",
        ),
        occurrences: 2,
        reproduction: Reproduction {
            script: script("https://app.example.com", "GET", &[], "same-origin"),
            exchanges: vec![WireExchange {
                request: lines(&["GET /data HTTP/1.1", "host: 127.0.0.1:41000", "origin: https://app.example.com"]),
                response: lines(&["HTTP/1.1 200", "access-control-allow-origin: https://app.example.com"]),
                error: None,
                curl: s("curl -i -H 'origin: https://app.example.com' http://127.0.0.1:41000/data"),
            }],
        },
    }
}

fn connection_reset() -> Finding {
    Finding {
        probe: s("generated/17"),
        title: s("Generated request 17 (seed 42)"),
        class: DivergenceClass::Execution,
        rule: None,
        explanation: s("the target closed the connection without answering"),
        occurrences: 1,
        reproduction: Reproduction {
            script: script("https://app.example.com", "PATCH", &[("X-Trace", "a\\u{1}b")], "include"),
            exchanges: vec![WireExchange {
                request: lines(&[
                    "OPTIONS /data HTTP/1.1",
                    "host: 127.0.0.1:41000",
                    "origin: https://app.example.com",
                    "access-control-request-method: PATCH",
                    "access-control-request-headers: x-trace",
                ]),
                response: vec![],
                error: Some(s("connection reset by peer")),
                curl: s(
                    "curl -i -X OPTIONS -H 'origin: https://app.example.com' -H 'access-control-request-method: PATCH' \
                     -H 'access-control-request-headers: x-trace' http://127.0.0.1:41000/data",
                ),
            }],
        },
    }
}

fn bad_credentials_value() -> Finding {
    Finding {
        probe: s("origin/subdomain-deep"),
        title: s("A subdomain two labels deep is allowed"),
        class: DivergenceClass::Protocol,
        rule: Some(Rule::Srv7),
        explanation: s("the preflight sends Access-Control-Allow-Credentials: \"True\"; only \"true\" means anything"),
        occurrences: 1,
        reproduction: Reproduction {
            script: script("https://a.b.example.com", "DELETE", &[], "include"),
            exchanges: vec![
                WireExchange {
                    request: lines(&[
                        "OPTIONS /data HTTP/1.1",
                        "host: 127.0.0.1:41000",
                        "origin: https://a.b.example.com",
                        "access-control-request-method: DELETE",
                    ]),
                    response: lines(&[
                        "HTTP/1.1 204",
                        "access-control-allow-origin: https://a.b.example.com",
                        "access-control-allow-credentials: True",
                        "access-control-allow-methods: DELETE",
                        "vary: origin",
                    ]),
                    error: None,
                    curl: s("curl -i -X OPTIONS -H 'origin: https://a.b.example.com' \
                         -H 'access-control-request-method: DELETE' http://127.0.0.1:41000/data"),
                },
                WireExchange {
                    request: lines(&[
                        "DELETE /data HTTP/1.1",
                        "host: 127.0.0.1:41000",
                        "origin: https://a.b.example.com",
                        "cookie: <redacted>",
                    ]),
                    response: lines(&[
                        "HTTP/1.1 200",
                        "access-control-allow-origin: https://a.b.example.com",
                        "access-control-allow-credentials: true",
                        "vary: origin",
                    ]),
                    error: None,
                    curl: s("curl -i -X DELETE -H 'origin: https://a.b.example.com' http://127.0.0.1:41000/data"),
                },
            ],
        },
    }
}

/// Three targets under two policies: a clean reference, a lenient middleware with a finding of
/// every class (and an interrupted run), and a strict one that failed to start under one policy
/// and cannot express the other.
pub fn fixture() -> RunReport {
    let none = counts(0, 0, 0, 0);
    RunReport {
        tool: s("cors-harness 0.1.0"),
        profile: s("chromium"),
        seed: 42,
        generated: 64,
        duration_ms: 3_270,
        interrupted: true,
        runs: vec![
            TargetRun {
                target: s("lenient-cors"),
                policy: s("single-origin"),
                status: RunStatus::Completed,
                groups: vec![
                    tally("credentials", 4, 4, 0, none),
                    tally("generated", 64, 63, 0, counts(0, 0, 0, 1)),
                    tally("headers", 6, 5, 0, counts(0, 1, 0, 0)),
                    tally("origin", 12, 10, 0, counts(2, 0, 0, 0)),
                    tally("preflight", 10, 10, 0, none),
                    tally("vary", 3, 1, 0, counts(0, 0, 2, 0)),
                ],
                findings: vec![suffix_match(), header_not_allowed(), no_vary(), connection_reset()],
            },
            TargetRun {
                target: s("lenient-cors"),
                policy: s("subdomains"),
                status: RunStatus::Interrupted,
                groups: vec![tally("origin", 14, 13, 0, counts(0, 0, 1, 0)), tally("preflight", 4, 4, 0, none)],
                findings: vec![bad_credentials_value()],
            },
            TargetRun {
                target: s("reference"),
                policy: s("single-origin"),
                status: RunStatus::Completed,
                groups: vec![
                    tally("credentials", 4, 4, 0, none),
                    tally("generated", 64, 64, 0, none),
                    tally("headers", 6, 6, 0, none),
                    tally("origin", 12, 12, 0, none),
                    tally("preflight", 10, 9, 1, none),
                    tally("vary", 3, 3, 0, none),
                ],
                findings: vec![],
            },
            TargetRun {
                target: s("reference"),
                policy: s("subdomains"),
                status: RunStatus::Completed,
                groups: vec![
                    tally("generated", 64, 64, 0, none),
                    tally("origin", 14, 14, 0, none),
                    tally("preflight", 10, 10, 0, none),
                    tally("vary", 3, 3, 0, none),
                ],
                findings: vec![],
            },
            TargetRun {
                target: s("strict-cors"),
                policy: s("single-origin"),
                status: RunStatus::Failed {
                    error: s("could not bind 127.0.0.1:0: Address already in use (os error 98)"),
                },
                groups: vec![],
                findings: vec![],
            },
            TargetRun {
                target: s("strict-cors"),
                policy: s("subdomains"),
                status: RunStatus::Unsupported {
                    feature: s("origin patterns"),
                    reason: s("strict-cors matches origins exactly and cannot express https://*.example.com"),
                },
                groups: vec![],
                findings: vec![],
            },
        ],
    }
}

/// Secrets that must never reach any output.
pub const SECRETS: [&str; 5] = ["fixture-token-1", "fixture-token-2", "fixture-token-3", "fixture-token-4", "hunter2"];

/// [`fixture`] with credentials the engine should have redacted.
pub fn leaky() -> RunReport {
    let mut report = fixture();
    let finding = &mut report.runs[0].findings[0];
    finding.reproduction.script.headers = vec![
        (s("Authorization"), s("Bearer fixture-token-1")),
        (s("X-API-Key"), s("hunter2")),
        (s("x-note"), s("visible")),
    ];
    let exchange = &mut finding.reproduction.exchanges[0];
    exchange.request.push(s("Cookie: sid=fixture-token-2"));
    exchange.request.push(s("proxy-authorization:Basic fixture-token-3"));
    exchange.request.push(s("x-note: visible"));
    exchange.response.push(s("Set-Cookie: sid=fixture-token-4; HttpOnly"));
    exchange.curl = s("curl -i -H 'Authorization: Bearer fixture-token-1' -b 'sid=fixture-token-2' \
         -H \"Proxy-Authorization: Basic fixture-token-3\" -H 'x-api-key: hunter2' -H 'x-note: visible' \
         http://127.0.0.1:41000/data");
    report
}

/// Data no renderer should choke on: non-ASCII names, control characters and terminal escape
/// sequences, bidirectional overrides, Markdown and XML syntax, very long lines, empty and
/// inconsistent tallies, a finding without exchanges.
pub fn odd() -> RunReport {
    let long = "x".repeat(50_000);
    let nasty = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\n\0\u{202e}evil\u{7f}";
    let mut weird = suffix_match();
    weird.probe = s("ori`gin|x/<script>alert(1)</script>");
    weird.title = format!("title {nasty}");
    weird.explanation = format!("```\n# heading\n- item {nasty} $x$ @someone | ]]> {long}");
    weird.reproduction.script.headers = vec![(s("X-Ü"), format!("{nasty}\"'`")), (s("x-ü"), s("2"))];
    weird.reproduction.script.url = format!("http://127.0.0.1:41000/{long}");
    weird.reproduction.exchanges[0].request.push(format!("x-evil: {nasty}"));
    weird.reproduction.exchanges[0].request.push(format!("x-long: {long}"));
    weird.reproduction.exchanges[0].response.push(s("x-fence: ````` and ]]> and <!-- --> &amp;"));
    weird.reproduction.exchanges[0].curl = format!("curl -i -H 'x-evil: {nasty}' 'http://127.0.0.1:41000/{long}'");
    let mut empty = connection_reset();
    empty.probe = String::new();
    empty.title = String::new();
    empty.explanation = String::new();
    empty.occurrences = 0;
    empty.reproduction.exchanges.clear();
    empty.reproduction.script = ScriptRequest {
        origin: String::new(),
        url: String::new(),
        method: String::new(),
        headers: vec![],
        credentials: String::new(),
        mode: String::new(),
        upload_listeners: false,
    };
    RunReport {
        tool: format!("odd {nasty}"),
        profile: s("spec"),
        seed: u64::MAX,
        generated: 0,
        duration_ms: u64::MAX,
        interrupted: false,
        runs: vec![
            TargetRun {
                target: format!("сервер-ü-日本語 {nasty}"),
                policy: s("ポリシー|`x`"),
                status: RunStatus::Completed,
                groups: vec![
                    tally("", 0, 0, 0, counts(0, 0, 0, 0)),
                    tally("grüppe|`", 3, 5, 9, counts(usize::MAX / 4, 1, 0, 0)),
                    tally(&long, 1, 1, 0, counts(0, 0, 0, 0)),
                ],
                findings: vec![weird, empty],
            },
            TargetRun {
                target: long.clone(),
                policy: s("ポリシー|`x`"),
                status: RunStatus::Unsupported { feature: nasty.to_owned(), reason: long.clone() },
                groups: vec![],
                findings: vec![],
            },
            TargetRun {
                target: s("no-groups"),
                policy: s("p"),
                status: RunStatus::Completed,
                groups: vec![],
                findings: vec![],
            },
            TargetRun {
                target: s("t"),
                policy: nasty.to_owned(),
                status: RunStatus::Failed { error: nasty.to_owned() },
                groups: vec![],
                findings: vec![],
            },
        ],
    }
}

/// A report with no pairs at all.
pub fn empty() -> RunReport {
    RunReport {
        tool: s("cors-harness 0.1.0"),
        profile: s("chromium"),
        seed: 0,
        generated: 0,
        duration_ms: 0,
        interrupted: false,
        runs: vec![],
    }
}
