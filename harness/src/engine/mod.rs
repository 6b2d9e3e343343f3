//! The engine: probes sent to live targets exactly as a browser would, judged by the oracle
//! against the policy's intent.
//!
//! - [`driver`]: one browser request against one target (preflight, actual request,
//!   redirects — all decided by the oracle), with timeouts and panic guards.
//! - [`judge`]: a driven request's divergences, including `execution` ones.
//! - [`shrink`]: a divergent request reduced to a minimal one.
//! - [`reproduce`]: the request and response lines, `curl` commands, credentials redacted.
//! - [`run`]: a probe set against one target under one policy: matrix cells and findings.
//! - [`conforms`]: `assert_conforms` for a user's own tests.
//! - [`matrix`]: every adapter under every policy, in parallel: the [`RunReport`](crate::report::RunReport).
//!
//! Unlike the oracle, the engine does I/O (through [`Target`](crate::target::Target)) and
//! needs a tokio runtime with the time driver.

pub mod conforms;
pub mod driver;
pub mod judge;
pub mod matrix;
pub mod reproduce;
pub mod run;
pub mod shrink;

pub use conforms::{Conformance, assert_conforms, check_conformance};
pub use driver::{Driven, DriverSettings, drive};
pub use matrix::{MatrixSpec, PolicyProbes, Transport, run_matrix};
pub use run::{RunSettings, TargetOutcome, Watch, run_target};
