//! cors-harness: a reference CORS oracle and the model it works on.
//!
//! - [`oracle`]: what a browser does with a server's answers (WHATWG Fetch), per
//!   [`profile::BrowserProfile`].
//! - [`rule::Rule`]: the rule IDs of our Fetch digest, cited by every verdict.
//! - [`engine`]: probes sent to live [`target::Target`]s exactly as a browser would, judged
//!   against the policy's intent ([`divergence`]), shrunk, gathered into a
//!   [`report::RunReport`].
//!
//! The oracle, the policy model and the divergence classifier are pure: no I/O, no clock,
//! deterministic. Only the engine (and [`service_target`]) does I/O, on a tokio runtime.
#![forbid(unsafe_code)]

pub mod adapter;
pub mod case;
pub mod case_json;
pub mod catalogue;
pub mod divergence;
pub mod engine;
pub mod generate;
pub mod header;
pub mod http_bridge;
pub mod method;
pub mod mime;
pub mod oracle;
pub mod origin;
pub mod policy;
pub mod probe;
pub mod profile;
pub mod report;
pub mod request;
pub mod response;
pub mod rule;
pub mod safelist;
pub mod script;
pub mod service_target;
pub mod target;
pub mod thread_target;
pub mod verdict_stream;

pub use engine::{assert_conforms, check_conformance};
pub use header::HeaderList;
pub use oracle::verdict::{Outcome, Verdict};
pub use oracle::{evaluate, evaluate_once};
pub use origin::Origin;
pub use profile::BrowserProfile;
pub use request::{BrowserRequest, CredentialsMode, RequestMode};
pub use rule::Rule;
