//! The mixed corpus of the oracle benchmark, as `cors-harness verdict` input lines.

/// A mix of what the harness asks most: simple requests, credentialed reads, passing and
/// failing preflights, exposure, a tainting redirect, a cache hit.
pub fn corpus_lines() -> Vec<String> {
    const O: &str = "http://web.example.test:8000";
    let h =
        |pairs: &[(&str, &str)]| serde_json::to_string(&pairs.iter().map(|(a, b)| [a, b]).collect::<Vec<_>>()).unwrap();
    let case = |id: usize, method: &str, headers: &str, creds: &str, pf: &str, resp: &str| {
        format!(
            r#"{{"id":{id},"request":{{"url":"http://api.example.test:8080/r{id}","origin":"{O}","method":"{method}","headers":{headers},"credentials":"{creds}"}},"server":{{"http://api.example.test:8080/r{id}":{{"preflight":{{"status":204,"headers":{pf}}},"response":{{"status":200,"headers":{resp}}}}}}}}}"#
        )
    };
    let star = h(&[("Access-Control-Allow-Origin", "*")]);
    let echo =
        h(&[("Access-Control-Allow-Origin", O), ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")]);
    let pf_echo = h(&[
        ("Access-Control-Allow-Origin", O),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"),
        ("Access-Control-Allow-Headers", "content-type, x-request-id, authorization"),
        ("Access-Control-Max-Age", "600"),
    ]);
    let pf_star = h(&[
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "*"),
        ("Access-Control-Allow-Headers", "*"),
    ]);
    let exposed = h(&[
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", "x-total-count, x-request-id"),
        ("Content-Type", "application/json"),
        ("X-Total-Count", "3"),
        ("X-Internal", "1"),
        ("Set-Cookie", "a=b"),
    ]);
    let json = h(&[("Content-Type", "application/json"), ("X-Request-Id", "abc")]);
    let none = h(&[]);
    let mut lines = vec![
        case(1, "GET", &none, "omit", &pf_star, &star),
        case(2, "GET", &none, "include", &pf_echo, &echo),
        case(3, "POST", &h(&[("Content-Type", "text/plain;charset=UTF-8")]), "same-origin", &pf_star, &star),
        case(4, "PUT", &json, "include", &pf_echo, &echo),
        case(5, "patch", &json, "omit", &pf_star, &star),
        case(6, "DELETE", &h(&[("Authorization", "Bearer x")]), "include", &pf_echo, &echo),
        case(7, "PUT", &json, "include", &pf_star, &echo),
        case(8, "GET", &none, "include", &pf_star, &star),
        case(9, "GET", &none, "omit", &pf_star, &exposed),
        case(10, "GET", &h(&[("X-Custom", "1")]), "omit", &pf_star, &none),
    ];
    lines.push(format!(
        r#"{{"id":11,"request":{{"url":"http://api.example.test:8080/go","origin":"{O}"}},"server":{{"http://api.example.test:8080/go":{{"response":{{"status":302,"headers":[["Location","http://cdn.example.test/x"],["Access-Control-Allow-Origin","*"]]}}}},"http://cdn.example.test/x":{{"response":{{"status":200,"headers":[["Access-Control-Allow-Origin","null"]]}}}}}}}}"#
    ));
    lines.push(format!(
        r#"{{"id":12,"history":[{{"request":{{"url":"http://api.example.test:8080/c","origin":"{O}","method":"PUT"}},"time":0}}],"time":10,"request":{{"url":"http://api.example.test:8080/c","origin":"{O}","method":"PUT"}},"server":{{"http://api.example.test:8080/c":{{"preflight":{{"status":204,"headers":{pf_echo}}},"response":{{"status":200,"headers":{star}}}}}}}}}"#
    ));
    lines
}
