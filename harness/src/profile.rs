//! Browser profiles: where real engines differ from the letter of the standard ([B] rules).
//!
//! Every field is one documented deviation; a new engine is a new constant. Rules marked
//! "to verify" are the standard's behaviour, kept until the differential browser check
//! (issue 6) shows what the engine really does.

/// How one browser engine applies the CORS rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrowserProfile {
    /// Name used on the command line and in reports.
    pub name: &'static str,
    /// PRE-12: the engine's cap on `Access-Control-Max-Age`, in seconds (`None`: no cap).
    pub max_age_cap: Option<u64>,
    /// SAFE-5: the `Accept-Language` the user agent adds before the unsafe-name computation,
    /// counted toward the 1024-byte total. `None`: the engine adds it later, outside the count.
    pub ua_accept_language: Option<&'static str>,
    /// CACHE-3 quirk: `true` = the literal standard, where a credentialed preflight that
    /// listed a literal `*` stores a `*` cache entry that later serves any credentialed method
    /// or header; `false` = wildcards never grant anything to a credentialed request.
    pub credentialed_wildcard_cache_entries: bool,
    /// CACHE-5: whether the engine keeps a preflight cache at all.
    pub preflight_cache: bool,
    /// PNA-1..3: send and enforce Private Network Access preflights.
    pub private_network_access: bool,
}

/// The Fetch standard as written. The UA `Accept-Language` value is ours (the standard says
/// "an appropriate header value").
pub const SPEC: BrowserProfile = BrowserProfile {
    name: "spec",
    max_age_cap: None,
    ua_accept_language: Some("en-US,en;q=0.9"),
    credentialed_wildcard_cache_entries: true,
    preflight_cache: true,
    private_network_access: false,
};

/// Current Chromium (the default profile).
///
/// - PRE-12: max-age capped at 7200 s (since Chrome 76).
/// - SAFE-5: the default `Accept-Language` is added in the network stack, after the CORS
///   decision, so it does not count toward the 1024-byte total. (`Accept: */*` is added by the
///   renderer and is counted, as in the standard: to verify in issue 6.)
/// - CACHE-3: Chromium stores the parsed preflight result and re-applies the wildcard rules
///   with the later request's credentials mode.
/// - PNA: off; Chromium never enforced it and replaced it with a permission prompt (PNA-2).
pub const CHROMIUM: BrowserProfile = BrowserProfile {
    name: "chromium",
    max_age_cap: Some(7200),
    ua_accept_language: None,
    credentialed_wildcard_cache_entries: false,
    preflight_cache: true,
    private_network_access: false,
};

/// Every built-in profile; the first is the default.
pub const ALL: &[&BrowserProfile] = &[&CHROMIUM, &SPEC];

impl BrowserProfile {
    /// Looks a profile up by name (`"chromium"`, `"spec"`).
    pub fn by_name(name: &str) -> Option<&'static BrowserProfile> {
        ALL.iter().copied().find(|p| p.name == name)
    }
}

impl Default for &'static BrowserProfile {
    fn default() -> Self {
        &CHROMIUM
    }
}
