//! Browser profiles: where real engines differ from the letter of the standard ([B] rules).
//!
//! Every field is one documented deviation, confirmed by the differential browser check
//! (`browser/`, `cors-harness browser-check`) and listed in `BROWSER-DEVIATIONS.md` with the
//! minimal case that shows it; a new engine is a new constant. `SPEC` is the standard as
//! written: every switch off.

/// PRE-11: how an `Access-Control-Max-Age` that is not `delta-seconds` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxAgeParsing {
    /// The standard: anything but `1*DIGIT` (one header line) means the default 5 s.
    Standard,
    /// A negative integer (`-1`, `-0`) means 0, nothing is cached; other failures mean the
    /// default. (Chromium; what WPT `cors/preflight-cache.htm` expects for `-1`.)
    NegativeIsZero,
    /// Any value that is not `delta-seconds`, or repeated lines, means 0; an absent or empty
    /// header means the default. (Firefox.)
    InvalidIsZero,
}

/// SAFE-1..3: where the engine's CORS-safelisted request-header check and its CORS-unsafe
/// request-header names differ from the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct SafelistQuirks {
    /// The `bytes` unit of a simple range is matched case-insensitively (`Range: Bytes=0-` is
    /// safelisted). (Chromium up to 148; Chromium 156 matches it case-sensitively, as the
    /// standard says.)
    pub range_unit_case_insensitive: bool,
    /// A range number beyond 2^63−1 makes the value unsafe (the engine's parser overflows).
    /// (Chromium.)
    pub range_numbers_fit_i64: bool,
    /// An `Accept` value with a byte ≥ 0x80 is unsafe (the standard only lists ASCII bytes).
    /// (Firefox.)
    pub non_ascii_accept_unsafe: bool,
    /// SAFE-1: a value is checked with leading and trailing HTTP whitespace trimmed, which
    /// matters for a combined value ending in an empty one (`a` + `` is `a, `, checked as `a,`).
    /// (Chromium; it still sends `a, , b` for `a`, ``, `b`.)
    pub checks_trimmed_value: bool,
    /// SAFE-1: a `Content-Type` value containing `,` is unsafe (the engine parses it as a list
    /// and refuses it; the standard's MIME parser reads `text/plain;charset=a, b` as
    /// `text/plain`). Also what the no-cors guard uses (MISC-1). (Firefox.)
    pub content_type_comma_unsafe: bool,
    /// SAFE-3: no 1024-byte limit on the safelisted values' total: each header is judged on
    /// its own. (Firefox: `InternalHeaders::GetUnsafeHeaders` checks entries one by one.)
    pub no_total_limit: bool,
    /// SAFE-3/PRE-3: the unsafe names are one per unsafe header-list entry (sorted, not
    /// deduplicated), so `Access-Control-Request-Headers` repeats a name appended twice
    /// (`x-b,x-b`). (Firefox.)
    pub repeats_unsafe_names: bool,
}

impl SafelistQuirks {
    /// The standard's safelist.
    pub const STANDARD: SafelistQuirks = SafelistQuirks {
        range_unit_case_insensitive: false,
        range_numbers_fit_i64: false,
        non_ascii_accept_unsafe: false,
        checks_trimmed_value: false,
        content_type_comma_unsafe: false,
        no_total_limit: false,
        repeats_unsafe_names: false,
    };
}

/// How repeated author request headers go on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WireRepeats {
    /// Every value as appended (one line each, or joined with `, `: the same field value).
    AsAppended,
    /// Firefox's network stack: one line per name, values joined with `, ` except that an
    /// empty value replaces what came before (and is replaced by what follows), and for its
    /// single-value headers (`Content-Type`, `Authorization`) only the last value.
    Merged,
}

/// How one browser engine applies the CORS rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrowserProfile {
    /// Name used on the command line and in reports.
    pub name: &'static str,
    /// PRE-12: the engine's cap on `Access-Control-Max-Age`, in seconds (`None`: no cap).
    pub max_age_cap: Option<u64>,
    /// PRE-11: how an invalid `Access-Control-Max-Age` is read.
    pub max_age_parsing: MaxAgeParsing,
    /// SAFE-5: the `Accept-Language` the user agent adds before the unsafe-name computation,
    /// counted toward the 1024-byte total. `None`: the engine adds it later, outside the count.
    pub ua_accept_language: Option<&'static str>,
    /// SAFE-1/3 and the `Headers` object: a name script appends twice becomes one entry whose
    /// value is `first, second` *before* the safelist checks (so two safelisted values can make
    /// an unsafe one, and the 1024-byte total is never reached). The standard keeps separate
    /// entries and checks each. (Chromium.)
    pub combine_repeated_request_headers: bool,
    /// SAFE-1..3 differences.
    pub safelist: SafelistQuirks,
    /// How the engine puts a name appended more than once on the wire, after the CORS
    /// decision (which saw every value). Wire bytes only: script sees no difference.
    pub wire_repeats: WireRepeats,
    /// PRE-9/SAFE-6: `Access-Control-Allow-Headers: *` also covers `Authorization` for requests
    /// without credentials (the standard makes it a non-wildcard name). (Chromium, Firefox.)
    pub wildcard_covers_authorization: bool,
    /// CACHE-3 quirk: `true` = the literal standard, where a credentialed preflight that
    /// listed a literal `*` stores a `*` cache entry that later serves any credentialed method
    /// or header; `false` = wildcards never grant anything to a credentialed request.
    pub credentialed_wildcard_cache_entries: bool,
    /// CACHE-3: whether a stored `*` entry is a wildcard (serves any method or header name,
    /// `authorization` aside). `false`: it matches only a method or header literally named `*`,
    /// so a request served by a `*` answer preflights again next time. (Firefox.)
    pub wildcard_cache_entries: bool,
    /// CACHE-5: whether the engine keeps a preflight cache at all.
    pub preflight_cache: bool,
    /// CACHE-1: whether a preflight from an opaque origin (`null`: a sandboxed frame's page, or
    /// a request after a redirect taint) uses the preflight cache; the standard keys entries by
    /// the serialized origin, `null` included. (Chromium never serves such a preflight from the
    /// cache; Firefox does, and sends a tainted request's preflight with the page's origin.)
    pub opaque_origin_preflight_cache: bool,
    /// PRE-14: a request that passed its preflight and then failed (CORS check of the actual
    /// response, bad redirect) clears the cache entries for (origin, URL), as main fetch says.
    /// `false`: only a failed preflight clears them. (Chromium keeps them.)
    pub actual_failure_clears_cache: bool,
    /// RED-2: a redirect to a URL with credentials fails whatever the mode and tainting
    /// (the standard: only for CORS). (Chromium blocks embedded credentials in subresources.)
    pub credentials_redirects_always_fail: bool,
    /// ORIG-4/5: a no-cors request that carries `Origin` sends `Origin: null` on every hop after
    /// a redirect between two origins (the standard: only after a redirect taint). (Chromium.)
    pub no_cors_cross_origin_redirect_nulls_origin: bool,
    /// ORIG-5: the preflight to a redirect target after a redirect taint carries (and is checked
    /// against) the page's origin; only the actual request carries `null`. The standard
    /// serializes `null` for both. (Firefox.)
    pub preflight_ignores_redirect_taint: bool,
    /// RED-6/PRE-1: once a hop was preflighted, every later CORS hop of the same fetch is
    /// preflighted too, even after a 301/302/303 rewrote the request to a safelisted GET. Unlike
    /// the use-CORS-preflight flag this grants nothing (no PRE-7 method). (Firefox.)
    pub preflight_sticks_across_redirects: bool,
    /// PRE-7: a preflight answer without `Access-Control-Allow-Methods` allows the requested
    /// method when the use-CORS-preflight flag is set (an XHR with upload listeners). `false`:
    /// the method must be safelisted or listed as always. (Chromium, Firefox.)
    pub use_cors_preflight_grants_method: bool,
    /// CHK/PRE-5: a preflight to a URL same-origin with the page (after a redirect back to it)
    /// is sent but its answer gets no CORS check (`Access-Control-Allow-Origin` and
    /// `-Credentials` are not looked at); methods and headers still are. (Firefox.)
    pub preflight_to_page_origin_unchecked: bool,
    /// HTTP-network-or-cache fetch: a request whose header list has a conditional header
    /// (`If-None-Match`, `If-Modified-Since`, …) gets cache mode `no-store`, so the UA adds
    /// `Cache-Control: no-cache` and `Pragma: no-cache`; the standard does this for the
    /// request only, the engine for its preflight too — for `fetch()`, not for
    /// `XMLHttpRequest` (a request with the use-CORS-preflight flag). Wire bytes only.
    /// (Firefox.)
    pub preflight_inherits_no_store: bool,
    /// PNA-1..3: send and enforce Private Network Access preflights.
    pub private_network_access: bool,
}

/// The Fetch standard as written. The UA `Accept-Language` value is ours (the standard says
/// "an appropriate header value").
pub const SPEC: BrowserProfile = BrowserProfile {
    name: "spec",
    max_age_cap: None,
    max_age_parsing: MaxAgeParsing::Standard,
    ua_accept_language: Some("en-US,en;q=0.9"),
    combine_repeated_request_headers: false,
    wire_repeats: WireRepeats::AsAppended,
    safelist: SafelistQuirks::STANDARD,
    wildcard_covers_authorization: false,
    credentialed_wildcard_cache_entries: true,
    wildcard_cache_entries: true,
    preflight_cache: true,
    opaque_origin_preflight_cache: true,
    actual_failure_clears_cache: true,
    credentials_redirects_always_fail: false,
    no_cors_cross_origin_redirect_nulls_origin: false,
    preflight_ignores_redirect_taint: false,
    preflight_sticks_across_redirects: false,
    preflight_to_page_origin_unchecked: false,
    use_cors_preflight_grants_method: true,
    preflight_inherits_no_store: false,
    private_network_access: false,
};

/// Current Chromium (the default profile), as measured in Debian's Chromium 156
/// (`BROWSER-DEVIATIONS.md`, rows 1–10; 148 differed in row 8 too).
///
/// - PRE-12: max-age capped at 7200 s (since Chrome 76); PRE-11: a negative max-age is 0.
/// - SAFE-5: the default `Accept-Language` is added in the network stack, after the CORS
///   decision, so it does not count toward the 1024-byte total. Whether `Accept: */*` counts
///   cannot be observed in Chromium (repeated names are combined, so the total never exceeds
///   5 × 128 bytes); it is kept as the standard says.
/// - SAFE-1/3: repeated author headers are combined before the safelist checks, which see the
///   value trimmed; the Range numbers must fit in 63 bits (the unit is case-sensitive since
///   156, as the standard says; 148 matched it case-insensitively).
/// - PRE-9: `*` covers `Authorization` without credentials.
/// - CACHE-3: Chromium stores the parsed preflight result and re-applies the wildcard rules
///   with the later request's credentials mode. CACHE-1: no cache for opaque origins.
///   PRE-14: a failed actual request does not clear the cache.
/// - PRE-7: the use-CORS-preflight flag does not make a missing allow-methods list allow the
///   requested method.
/// - RED-2: every redirect to a URL with credentials fails. ORIG-4/5: `Origin: null` after a
///   cross-origin redirect of a no-cors request.
/// - PNA: off; Chromium never enforced it and replaced it with a permission prompt (PNA-2).
pub const CHROMIUM: BrowserProfile = BrowserProfile {
    name: "chromium",
    max_age_cap: Some(7200),
    max_age_parsing: MaxAgeParsing::NegativeIsZero,
    ua_accept_language: None,
    combine_repeated_request_headers: true,
    wire_repeats: WireRepeats::AsAppended,
    safelist: SafelistQuirks {
        range_unit_case_insensitive: false,
        range_numbers_fit_i64: true,
        non_ascii_accept_unsafe: false,
        checks_trimmed_value: true,
        content_type_comma_unsafe: false,
        no_total_limit: false,
        repeats_unsafe_names: false,
    },
    wildcard_covers_authorization: true,
    credentialed_wildcard_cache_entries: false,
    wildcard_cache_entries: true,
    preflight_cache: true,
    opaque_origin_preflight_cache: false,
    actual_failure_clears_cache: false,
    credentials_redirects_always_fail: true,
    no_cors_cross_origin_redirect_nulls_origin: true,
    preflight_ignores_redirect_taint: false,
    preflight_sticks_across_redirects: false,
    preflight_to_page_origin_unchecked: false,
    use_cors_preflight_grants_method: false,
    preflight_inherits_no_store: false,
    private_network_access: false,
};

/// Firefox ESR, as measured in Debian's `firefox-esr` 140 (`BROWSER-DEVIATIONS.md`, Firefox
/// table).
///
/// - PRE-11: any invalid max-age is 0 (an empty one is the default); PRE-12: capped at 24 h
///   (MDN's figure; not observable in a short run).
/// - SAFE-3: no 1024-byte total (so whether the default headers count, SAFE-5, never shows);
///   repeated names repeat in the request-headers list (PRE-3).
/// - SAFE-1/2: an `Accept` byte ≥ 0x80 is unsafe; a `Content-Type` with `,` is unsafe; Range
///   numbers must fit in 63 bits.
/// - Wire: a repeated name merged into one line, an empty value resetting it, `Content-Type` and
///   `Authorization` last only; the preflight of a `no-store` request carries
///   `Cache-Control: no-cache` and `Pragma: no-cache`.
/// - PRE-9: `*` covers `Authorization` without credentials. CACHE-3: a cached `*` matches only
///   the literal name `*`.
/// - ORIG-5: the preflight after a redirect taint carries the page's origin; one back to the
///   page's own origin gets no CORS check. RED-6: once preflighted, every later hop is
///   preflighted. PRE-7: the use-CORS-preflight flag grants no method (as Chromium).
pub const FIREFOX: BrowserProfile = BrowserProfile {
    name: "firefox",
    max_age_cap: Some(86_400),
    max_age_parsing: MaxAgeParsing::InvalidIsZero,
    ua_accept_language: None,
    combine_repeated_request_headers: false,
    wire_repeats: WireRepeats::Merged,
    safelist: SafelistQuirks {
        range_unit_case_insensitive: false,
        range_numbers_fit_i64: true,
        non_ascii_accept_unsafe: true,
        checks_trimmed_value: false,
        content_type_comma_unsafe: true,
        no_total_limit: true,
        repeats_unsafe_names: true,
    },
    wildcard_covers_authorization: true,
    credentialed_wildcard_cache_entries: false,
    wildcard_cache_entries: false,
    preflight_cache: true,
    opaque_origin_preflight_cache: true,
    actual_failure_clears_cache: true,
    credentials_redirects_always_fail: false,
    no_cors_cross_origin_redirect_nulls_origin: false,
    preflight_ignores_redirect_taint: true,
    preflight_sticks_across_redirects: true,
    preflight_to_page_origin_unchecked: true,
    use_cors_preflight_grants_method: false,
    preflight_inherits_no_store: true,
    private_network_access: false,
};

/// Every built-in profile; the first is the default.
pub const ALL: &[&BrowserProfile] = &[&CHROMIUM, &FIREFOX, &SPEC];

impl BrowserProfile {
    /// Looks a profile up by name (`"chromium"`, `"firefox"`, `"spec"`).
    pub fn by_name(name: &str) -> Option<&'static BrowserProfile> {
        ALL.iter().copied().find(|p| p.name == name)
    }
}

impl Default for &'static BrowserProfile {
    fn default() -> Self {
        &CHROMIUM
    }
}
