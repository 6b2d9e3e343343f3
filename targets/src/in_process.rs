//! Running a tower `Service` in-process as a target: the wrapper lives in the harness (so
//! `cors_harness::assert_conforms` can use it without this crate); re-exported here where
//! the adapters always found it.

pub use cors_harness::service_target::{
    DEFAULT_TIMEOUT, ServiceTarget, guard, guarded, join_with_timeout, panic_message,
};
