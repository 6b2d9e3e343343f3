//! Policies: what the owner of a resource means to allow cross-origin (the neutral [`Policy`]
//! model and its TOML policy file), the warnings a policy deserves, and the [`intent`] it
//! implies for one browser request — the policy half of the oracle.
//!
//! - The model: [`Policy`], [`AllowedOrigins`] / [`OriginRule`] / [`SubdomainPattern`],
//!   [`AllowedMethods`], [`AllowedNames`]; builders for policies made in code; [`Policy::to_toml`].
//! - The file: [`Policy::from_toml_str`], [`Policy::load`] → [`LoadedPolicy`] or a
//!   [`PolicyError`] that renders with miette as `file:line:column` with the snippet and a hint.
//! - Warnings: [`PolicyWarning`] for dangerous-but-valid choices, each citing the rules behind it.
//! - Intent: [`intent`] answers "what did the owner mean for this request?"; the definitions are
//!   on [`Intent`] and below.
//!
//! ```
//! use cors_harness::CredentialsMode;
//! use cors_harness::policy::{IntentQuery, Policy, WarningKind};
//!
//! let file = r#"
//! origins = ["https://app.example.com", "https://*.example.com"]
//! methods = ["GET", "POST", "PUT"]
//! allow_headers = ["content-type", "x-request-id"]
//! credentials = true
//! "#;
//! let loaded = Policy::from_toml_str(file, "cors.toml")?;
//! // A subdomain pattern with credentials is valid, but dangerous (SRV-4).
//! assert!(matches!(loaded.warnings[0].kind(), WarningKind::SubdomainsWithCredentials { .. }));
//!
//! let unsafe_names = vec!["content-type".to_owned()];
//! let query = IntentQuery {
//!     origin: b"https://admin.example.com",
//!     method: "PUT",
//!     unsafe_header_names: &unsafe_names,
//!     credentials: CredentialsMode::Include,
//! };
//! assert!(loaded.policy.intent(&query).readable);
//!
//! // Near misses are not allowed: suffix, parent itself, other scheme (SRV-4).
//! for origin in [&b"https://example.com.evil.test"[..], b"https://example.com", b"http://app.example.com"] {
//!     assert!(!loaded.policy.intent(&IntentQuery { origin, ..query }).origin_allowed);
//! }
//! # Ok::<(), cors_harness::policy::PolicyError>(())
//! ```

pub mod builtin;
mod file;
mod intent;
mod model;
mod warning;

pub use file::{LoadError, LoadedPolicy, PolicyError, PolicyErrorKind, PolicyKey};
pub use intent::{ExposedIntent, Intent, IntentQuery, intent, origin_allowed};
pub use model::{
    AllowedMethods, AllowedNames, AllowedOrigins, HeaderName, MethodName, NameError, OriginRule, OriginRuleError,
    Policy, SubdomainPattern,
};
pub use warning::{CHROMIUM_MAX_AGE_CAP, PolicyWarning, WarningKind};
