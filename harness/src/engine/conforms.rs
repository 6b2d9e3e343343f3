//! The library API for a Rust user's own tests: run the conformance catalogue against any
//! tower `Service` in-process and fail the test with a readable report.
//!
//! ```no_run
//! # fn app() -> tower::util::BoxCloneSyncService<http::Request<http_body_util::Full<bytes::Bytes>>, http::Response<http_body_util::Full<bytes::Bytes>>, std::convert::Infallible> { unimplemented!() }
//! use cors_harness::policy::Policy;
//!
//! let policy = Policy::from_toml_str(r#"origins = ["https://app.example.com"]"#, "cors.toml").unwrap().policy;
//! // Panics, listing every divergence with its reproduction, unless the app's CORS answers
//! // lead every browser to exactly what the policy means.
//! cors_harness::assert_conforms(app(), &policy);
//! ```

use std::fmt::{self, Display};

use bytes::Bytes;
use http_body_util::Full;

use crate::divergence::DivergenceClass;
use crate::engine::run::{RunSettings, Watch, run_target};
use crate::policy::Policy;
use crate::report::{Finding, GroupTally};
use crate::service_target::ServiceTarget;

/// The URL the catalogue's requests go to; an in-process service never sees the host.
pub const URL: &str = "http://api.example.test/data";

/// What [`check_conformance`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conformance {
    /// Per probe group.
    pub groups: Vec<GroupTally>,
    /// Every distinct divergence, most severe first, each with a minimal reproduction.
    pub findings: Vec<Finding>,
}

impl Conformance {
    /// The findings of one class.
    pub fn of_class(&self, class: DivergenceClass) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.class == class)
    }
}

impl Display for Conformance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let probes: usize = self.groups.iter().map(|g| g.probes).sum();
        let passed: usize = self.groups.iter().map(|g| g.passed).sum();
        writeln!(f, "{passed} of {probes} conformance probes pass; {} finding(s):", self.findings.len())?;
        for finding in &self.findings {
            writeln!(f)?;
            write!(f, "{finding}")?;
        }
        Ok(())
    }
}

/// Runs the catalogue for `policy` against `service` (called in-process, on a runtime of its
/// own on another thread, so it works from plain and `#[tokio::test]` tests alike).
pub fn check_conformance<S, B>(service: S, policy: &Policy) -> Conformance
where
    S: tower::Service<http::Request<Full<Bytes>>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Display + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Display,
{
    let url = url::Url::parse(URL).expect("a valid URL");
    let probes = crate::catalogue::catalogue(policy, &url);
    let target = ServiceTarget::new("service under test", service);
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime =
                    tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a tokio runtime");
                let outcome =
                    runtime.block_on(run_target(&target, policy, &probes, &RunSettings::default(), &Watch::default()));
                Conformance { groups: outcome.groups, findings: outcome.findings }
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Panics with a readable report unless `service` answers every catalogue probe for `policy`
/// the way the policy means (no security, functional, protocol or execution divergence).
#[track_caller]
pub fn assert_conforms<S, B>(service: S, policy: &Policy)
where
    S: tower::Service<http::Request<Full<Bytes>>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Display + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Display,
{
    let conformance = check_conformance(service, policy);
    if !conformance.findings.is_empty() {
        panic!("the service does not conform to its CORS policy\n{conformance}");
    }
}
