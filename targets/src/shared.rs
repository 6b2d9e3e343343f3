//! Middleware instances shared per policy, for crates that render their lists in hash order
//! (a random order per instance): the in-process and served targets of one policy then use the
//! same instance, so their answers are byte-identical.

use std::sync::{Arc, Mutex, Weak};

use cors_harness::policy::Policy;

use crate::adapter::Unsupported;

/// The live instances by policy. An instance lives as long as a target holds it.
pub struct PerPolicy<T>(Mutex<Vec<(Policy, Weak<T>)>>);

impl<T> PerPolicy<T> {
    pub const fn new() -> PerPolicy<T> {
        PerPolicy(Mutex::new(Vec::new()))
    }

    /// The instance a live target of `policy` already uses, or a new one from `build`.
    pub fn get_or_build(
        &self,
        policy: &Policy,
        build: impl FnOnce(&Policy) -> Result<T, Unsupported>,
    ) -> Result<Arc<T>, Unsupported> {
        let mut shared = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        shared.retain(|(_, instance)| instance.strong_count() > 0);
        if let Some(instance) = shared.iter().find(|(p, _)| p == policy).and_then(|(_, i)| i.upgrade()) {
            return Ok(instance);
        }
        let instance = Arc::new(build(policy)?);
        shared.push((policy.clone(), Arc::downgrade(&instance)));
        Ok(instance)
    }
}

impl<T> Default for PerPolicy<T> {
    fn default() -> Self {
        PerPolicy::new()
    }
}
