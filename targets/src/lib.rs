//! cors-targets: the CORS middlewares of the Rust web ecosystem, each configured from one
//! neutral `cors_harness::policy::Policy`, as harness targets.
//!
//! Empty until the targets issue (#4) lands: adapters for tower-http, actix-cors, warp, poem,
//! salvo, ..., the reference server and the fault-injecting targets.
#![forbid(unsafe_code)]
