//! The application's CORS, checked against the policy it is meant to implement.

use cors_harness::divergence::DivergenceClass;
use cors_harness::policy::Policy;

/// What the team means to allow, in the harness's policy format (`cors-harness policy check`
/// validates such a file).
const POLICY: &str = r#"
origins = ["https://app.example.com"]
methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "x-request-id"]
expose_headers = ["x-request-id"]
credentials = true
"#;

fn policy() -> Policy {
    Policy::from_toml_str(POLICY, "cors.toml").unwrap().policy
}

#[test]
fn the_app_conforms_to_its_cors_policy() {
    cors_harness::assert_conforms(cors_harness_example::app(), &policy());
}

/// The harness is not a rubber stamp: the same test fails for a permissive layer, and says
/// why, with the request that shows it.
#[test]
fn a_mirroring_cors_layer_is_caught() {
    let conformance = cors_harness::check_conformance(cors_harness_example::app_with_permissive_cors(), &policy());
    let security: Vec<_> = conformance.of_class(DivergenceClass::Security).collect();
    assert!(
        security.iter().any(|f| f.probe == "origin/reflect-arbitrary"),
        "expected the reflected-origin finding:\n{conformance}"
    );
    let report = conformance.to_string();
    assert!(report.contains("can read this response, but the policy does not allow that origin"), "{report}");
    assert!(report.contains("$ curl -i"), "{report}");
}

#[test]
#[should_panic(expected = "does not conform to its CORS policy")]
fn assert_conforms_panics_with_the_report() {
    cors_harness::assert_conforms(cors_harness_example::app_with_permissive_cors(), &policy());
}
