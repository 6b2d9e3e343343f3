//! The neutral policy model: what the owner of a resource means to allow, in terms every
//! middleware adapter translates from (see `design.md`, "Core types").
//!
//! Every value is validated when it is built, so a [`Policy`] cannot hold an origin a browser
//! would never send, a method or header name that is not an HTTP token, or a literal `*` inside
//! a list (`*` is spelled [`AllowedOrigins::Any`], [`AllowedMethods::Any`], [`AllowedNames::Any`]).
//! The same parsers back the policy file ([`Policy::from_toml_str`]), so code and files accept
//! exactly the same policies.

use std::fmt;
use std::str::FromStr;

use crate::header::is_tchar;
use crate::method;
use crate::origin::{Origin, OriginError, TupleOrigin, default_port};

/// What the owner of a resource means to allow cross-origin.
///
/// [`Policy::default()`] allows **no origin at all** (fail closed): CORS stays off until an
/// origin rule is added, e.g. with [`Policy::new`]. The other defaults are those of the policy
/// file: methods `GET`, `HEAD`, `POST`; no extra request headers; nothing exposed beyond the
/// safelisted response headers; no credentials; no max-age (browsers then use 5 s, PRE-11); no
/// private-network access.
///
/// ```
/// use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, Policy};
///
/// let policy = Policy::new(AllowedOrigins::parse_list(["https://app.example.com"])?)
///     .with_methods(AllowedMethods::list(["GET", "PUT"])?)
///     .with_allow_headers(AllowedNames::list(["Content-Type"])?)
///     .with_credentials(true)
///     .with_max_age(600);
/// assert_eq!(policy.allow_headers, AllowedNames::list(["content-type"])?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Which request origins may read responses.
    pub origins: AllowedOrigins,
    /// Methods allowed beyond the CORS-safelisted `GET`, `HEAD`, `POST` (METH-1), which are
    /// always allowed for an allowed origin; listing them changes nothing.
    pub methods: AllowedMethods,
    /// Request header names allowed beyond the CORS-safelisted ones (SAFE-1..3).
    pub allow_headers: AllowedNames,
    /// Response header names script may read beyond the safelisted ones (EXP-1).
    pub expose_headers: AllowedNames,
    /// Allowed origins may read with the user's credentials (cookies, HTTP auth; CHK-5).
    pub credentials: bool,
    /// How long browsers may cache a preflight result, in seconds (PRE-11). `None`: no
    /// `Access-Control-Max-Age`, browsers use 5 s.
    pub max_age: Option<u64>,
    /// Answer private-network preflights for allowed origins (PNA-1, SRV-20).
    pub private_network: bool,
}

impl Default for Policy {
    /// Allows no origin (fail closed); every other field at the policy file's default.
    fn default() -> Policy {
        Policy {
            origins: AllowedOrigins::none(),
            methods: AllowedMethods::default(),
            allow_headers: AllowedNames::none(),
            expose_headers: AllowedNames::none(),
            credentials: false,
            max_age: None,
            private_network: false,
        }
    }
}

impl Policy {
    /// A policy allowing `origins`, every other field at its default.
    pub fn new(origins: AllowedOrigins) -> Policy {
        Policy { origins, ..Policy::default() }
    }

    pub fn with_origins(mut self, origins: AllowedOrigins) -> Policy {
        self.origins = origins;
        self
    }

    pub fn with_methods(mut self, methods: AllowedMethods) -> Policy {
        self.methods = methods;
        self
    }

    pub fn with_allow_headers(mut self, names: AllowedNames) -> Policy {
        self.allow_headers = names;
        self
    }

    pub fn with_expose_headers(mut self, names: AllowedNames) -> Policy {
        self.expose_headers = names;
        self
    }

    pub fn with_credentials(mut self, credentials: bool) -> Policy {
        self.credentials = credentials;
        self
    }

    /// Sets (`600`, `Some(600)`) or clears (`None`) the preflight max-age in seconds.
    pub fn with_max_age(mut self, seconds: impl Into<Option<u64>>) -> Policy {
        self.max_age = seconds.into();
        self
    }

    pub fn with_private_network(mut self, private_network: bool) -> Policy {
        self.private_network = private_network;
        self
    }

    /// The policy in the policy-file format, every key written out (`max_age` only when set).
    ///
    /// Round trip: `Policy::from_toml_str(&p.to_toml(), ..)` gives back `p` for every policy the
    /// file format can express, i.e. every policy with at least one origin rule and no duplicate
    /// list entries (the builders never create duplicates). Two policies it cannot express:
    /// [`Policy::default()`] writes `origins = []`, which the loader rejects on purpose (an empty
    /// list in a file is a mistake); and a `max_age` above `i64::MAX` (TOML's integer range) is
    /// written as `i64::MAX`.
    pub fn to_toml(&self) -> String {
        fn list<T: fmt::Display>(out: &mut String, key: &str, any: bool, items: &[T]) {
            let items: Vec<String> =
                if any { vec![quote("*")] } else { items.iter().map(|i| quote(&i.to_string())).collect() };
            out.push_str(&format!("{key} = [{}]\n", items.join(", ")));
        }
        let mut out = String::new();
        list(&mut out, "origins", self.origins.is_any(), self.origins.rules());
        list(&mut out, "methods", self.methods.is_any(), self.methods.listed());
        list(&mut out, "allow_headers", self.allow_headers.is_any(), self.allow_headers.listed());
        list(&mut out, "expose_headers", self.expose_headers.is_any(), self.expose_headers.listed());
        out.push_str(&format!("credentials = {}\n", self.credentials));
        if let Some(max_age) = self.max_age {
            out.push_str(&format!("max_age = {}\n", max_age.min(i64::MAX as u64)));
        }
        out.push_str(&format!("private_network = {}\n", self.private_network));
        out
    }
}

/// A TOML basic string.
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ------------------------------------------------------------------------------------------------
// Origins

/// Which request origins a policy allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// `origins = ["*"]`: every origin a browser can send, including `null` (see
    /// [`intent`](crate::policy::intent) for the exact meaning).
    Any,
    /// Only origins matching one of the rules. An empty list allows nothing.
    List(Vec<OriginRule>),
}

impl AllowedOrigins {
    /// No origin allowed.
    pub fn none() -> AllowedOrigins {
        AllowedOrigins::List(Vec::new())
    }

    /// Parses entries as written in a policy file: `["*"]` alone is [`AllowedOrigins::Any`];
    /// otherwise every entry must be an [`OriginRule`] (`*` mixed with rules is
    /// [`OriginRuleError::Wildcard`]). Duplicates are dropped.
    pub fn parse_list<I, S>(entries: I) -> Result<AllowedOrigins, OriginRuleError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let entries: Vec<S> = entries.into_iter().collect();
        if let [only] = entries.as_slice()
            && only.as_ref() == "*"
        {
            return Ok(AllowedOrigins::Any);
        }
        let mut rules: Vec<OriginRule> = Vec::with_capacity(entries.len());
        for entry in &entries {
            let rule = OriginRule::parse(entry.as_ref())?;
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        Ok(AllowedOrigins::List(rules))
    }

    pub fn is_any(&self) -> bool {
        matches!(self, AllowedOrigins::Any)
    }

    /// The listed rules; empty for [`AllowedOrigins::Any`].
    pub fn rules(&self) -> &[OriginRule] {
        match self {
            AllowedOrigins::Any => &[],
            AllowedOrigins::List(rules) => rules,
        }
    }

    /// Whether a browser-sent origin is allowed. `Any` allows every origin, `null` included;
    /// a list allows an origin matched by one of its rules ([`OriginRule::matches`]).
    pub fn allows(&self, origin: &Origin) -> bool {
        match self {
            AllowedOrigins::Any => true,
            AllowedOrigins::List(rules) => rules.iter().any(|r| r.matches(origin)),
        }
    }
}

/// One entry of an origin allowlist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OriginRule {
    /// One tuple origin, compared byte-exactly with the request's serialized origin (SRV-3).
    Exact(TupleOrigin),
    /// The opaque origin, sent as `Origin: null` (ORIG-2). Dangerous: any page can produce it
    /// (ORIG-3, ORIG-5, SRV-4).
    Null,
    /// Every subdomain of a parent domain, for one scheme and port (`https://*.example.com`).
    Subdomains(SubdomainPattern),
}

impl OriginRule {
    /// Parses one allowlist entry: `null`, a serialized origin exactly as a browser sends it
    /// (`https://app.example.com`, `http://localhost:8080`), or a subdomain pattern
    /// (`https://*.example.com`). Never panics; the error says what to write instead.
    pub fn parse(entry: &str) -> Result<OriginRule, OriginRuleError> {
        if entry == "*" {
            return Err(OriginRuleError::Wildcard);
        }
        if entry == "null" {
            return Ok(OriginRule::Null);
        }
        if entry.eq_ignore_ascii_case("null") {
            return Err(OriginRuleError::NullCase);
        }
        if entry.contains('*') {
            return SubdomainPattern::parse(entry).map(OriginRule::Subdomains);
        }
        match Origin::parse_serialized(entry.as_bytes()) {
            Ok(Origin::Tuple(tuple)) => Ok(OriginRule::Exact(tuple)),
            // Only the exact bytes `null` parse as opaque, handled above.
            Ok(Origin::Opaque) => Err(OriginRuleError::NullCase),
            Err(e) => Err(OriginRuleError::from_origin_error(e, entry)),
        }
    }

    /// Whether an origin a browser sent matches this rule: `Exact` by equality (the origin
    /// parsed from canonical bytes, so equality is byte equality of the serializations, SRV-3),
    /// `Null` only the opaque origin, `Subdomains` per [`SubdomainPattern::matches`].
    pub fn matches(&self, origin: &Origin) -> bool {
        match (self, origin) {
            (OriginRule::Exact(rule), Origin::Tuple(o)) => rule == o,
            (OriginRule::Null, Origin::Opaque) => true,
            (OriginRule::Subdomains(p), Origin::Tuple(o)) => p.matches(o),
            _ => false,
        }
    }
}

impl FromStr for OriginRule {
    type Err = OriginRuleError;
    fn from_str(s: &str) -> Result<OriginRule, OriginRuleError> {
        OriginRule::parse(s)
    }
}

impl fmt::Display for OriginRule {
    /// The form written in a policy file (and accepted back by [`OriginRule::parse`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginRule::Exact(tuple) => f.write_str(Origin::Tuple(tuple.clone()).serialize()),
            OriginRule::Null => f.write_str("null"),
            OriginRule::Subdomains(p) => p.fmt(f),
        }
    }
}

/// `scheme://*.parent[:port]`: every origin of that scheme and port whose host is one or more
/// labels followed by `.` and the parent domain. Never the parent itself, never another scheme
/// or port, never an IP address.
///
/// The parent is stored as browsers serialize hosts (lowercase, punycode) and must have at least
/// two labels (`*.com` is refused, SRV-4). A public suffix such as `co.uk` is not detected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubdomainPattern {
    scheme: String,
    parent: String,
    port: Option<u16>,
}

/// The label standing in for `*` while the rest of a pattern is validated as an origin: it must
/// be a lowercase ASCII label that host parsing leaves untouched.
const PLACEHOLDER: &str = "x";

impl SubdomainPattern {
    /// A pattern for `scheme` (`"https"`), `parent` (`"example.com"`) and `port` (`None` or the
    /// scheme's default port: the default port). Validated like [`OriginRule::parse`]: the
    /// scheme and parent must be written as browsers send them.
    pub fn new(scheme: &str, parent: &str, port: Option<u16>) -> Result<SubdomainPattern, OriginRuleError> {
        let port = port.filter(|&p| Some(p) != default_port(scheme));
        let text = match port {
            Some(p) => format!("{scheme}://*.{parent}:{p}"),
            None => format!("{scheme}://*.{parent}"),
        };
        SubdomainPattern::parse(&text)
    }

    /// Parses `scheme://*.parent[:port]` (the caller checked that `entry` contains `*`).
    fn parse(entry: &str) -> Result<SubdomainPattern, OriginRuleError> {
        let Some((scheme, rest)) = entry.split_once("://") else {
            if !entry.starts_with("*.") {
                return Err(OriginRuleError::PatternMissingScheme { suggestion: None });
            }
            // Suggest the https form if it is valid; otherwise its error is the real problem.
            return match SubdomainPattern::parse(&format!("https://{entry}")) {
                Ok(p) => Err(OriginRuleError::PatternMissingScheme { suggestion: Some(p.to_string()) }),
                Err(e) => Err(e),
            };
        };
        if scheme.contains('*') {
            return Err(OriginRuleError::PatternWildcardPosition);
        }
        let Some(after) = rest.strip_prefix("*.") else {
            return Err(misplaced_wildcard(scheme, rest));
        };
        if after.contains('*') {
            return Err(OriginRuleError::PatternWildcardPosition);
        }
        let probe = format!("{scheme}://{PLACEHOLDER}.{after}");
        let to_pattern = |canonical: String| canonical.replacen(&format!("://{PLACEHOLDER}."), "://*.", 1);
        let tuple = match Origin::parse_serialized(probe.as_bytes()) {
            Ok(Origin::Tuple(tuple)) => tuple,
            Ok(Origin::Opaque) => return Err(OriginRuleError::PatternNotDomain),
            Err(e) => {
                return Err(match OriginRuleError::from_origin_error(e, &probe) {
                    OriginRuleError::HasPath { canonical, trailing_slash } => {
                        OriginRuleError::HasPath { canonical: to_pattern(canonical), trailing_slash }
                    }
                    OriginRuleError::HasUserinfo { canonical } => {
                        OriginRuleError::HasUserinfo { canonical: canonical.map(to_pattern) }
                    }
                    OriginRuleError::NotCanonical { canonical } => {
                        OriginRuleError::NotCanonical { canonical: to_pattern(canonical) }
                    }
                    OriginRuleError::NotUrl { reason, .. } => OriginRuleError::NotUrl { reason, suggestion: None },
                    other => other,
                });
            }
        };
        let url::Host::Domain(domain) = tuple.host() else {
            return Err(OriginRuleError::PatternNotDomain);
        };
        let Some(parent) = domain.strip_prefix(PLACEHOLDER).and_then(|d| d.strip_prefix('.')) else {
            return Err(OriginRuleError::NotUrl { reason: "not a subdomain pattern".into(), suggestion: None });
        };
        let labels: Vec<&str> = parent.strip_suffix('.').unwrap_or(parent).split('.').collect();
        if labels.iter().any(|l| l.is_empty()) {
            return Err(OriginRuleError::NotUrl { reason: "empty label in the domain".into(), suggestion: None });
        }
        if labels.len() < 2 {
            return Err(OriginRuleError::PatternParentTooShort { parent: parent.to_owned() });
        }
        Ok(SubdomainPattern { scheme: tuple.scheme().to_owned(), parent: parent.to_owned(), port: tuple.port() })
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The parent domain, lowercase and punycode (`example.com`).
    pub fn parent(&self) -> &str {
        &self.parent
    }

    /// The port, `None` for the scheme's default (as [`TupleOrigin::port`]).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// True iff `origin` has this scheme and port and its host is a domain of the form
    /// `L1.….Ln.parent` with `n ≥ 1` non-empty labels. Byte-exact on the serialized parts, so
    /// `https://app.example.com.evil.test`, `https://evilexample.com`, `https://example.com`
    /// itself, `http://app.example.com` and `https://app.example.com:8443` do not match
    /// `https://*.example.com` (SRV-4).
    pub fn matches(&self, origin: &TupleOrigin) -> bool {
        if origin.scheme() != self.scheme || origin.port() != self.port {
            return false;
        }
        let url::Host::Domain(host) = origin.host() else {
            return false;
        };
        let Some(labels) = host.strip_suffix(self.parent.as_str()).and_then(|h| h.strip_suffix('.')) else {
            return false;
        };
        !labels.is_empty() && labels.split('.').all(|l| !l.is_empty())
    }
}

impl fmt::Display for SubdomainPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://*.{}", self.scheme, self.parent)?;
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// Classifies a pattern whose wildcard is not the leading `*.` of the host.
fn misplaced_wildcard(scheme: &str, rest: &str) -> OriginRuleError {
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return OriginRuleError::HasUserinfo { canonical: None };
    }
    let host = &authority[..authority.find(':').unwrap_or(authority.len())];
    let Some(star) = host.find('*') else {
        // The wildcard is in the port, path, query or fragment.
        return OriginRuleError::PatternWildcardPosition;
    };
    let label_start = host[..star].rfind('.').map_or(0, |i| i + 1);
    let label_end = host[star..].find('.').map_or(host.len(), |i| star + i);
    let label = &host[label_start..label_end];
    let after_host = &rest[host.len()..];
    if label == "*" {
        if label_end == host.len() {
            // `https://*` or `https://example.*`
            return if label_start == 0 {
                OriginRuleError::PatternParentTooShort { parent: String::new() }
            } else {
                OriginRuleError::PatternWildcardPosition
            };
        }
        // `https://a.*.example.com`
        let suggestion = valid_pattern(format!("{scheme}://*.{}{after_host}", &host[label_end + 1..]));
        return OriginRuleError::PatternNotLeftmost { suggestion };
    }
    // `https://*example.com`, `https://app-*.example.com`
    let suggestion = (label_start == 0 && label.starts_with('*'))
        .then(|| format!("{scheme}://*.{}{after_host}", &host[1..]))
        .and_then(valid_pattern);
    OriginRuleError::PatternPartialLabel { suggestion }
}

/// `text` in canonical form if it is (or, written canonically, would be) a valid pattern.
fn valid_pattern(text: String) -> Option<String> {
    match SubdomainPattern::parse(&text) {
        Ok(p) => Some(p.to_string()),
        Err(OriginRuleError::NotCanonical { canonical }) => valid_pattern_canonical(&canonical),
        Err(_) => None,
    }
}

fn valid_pattern_canonical(text: &str) -> Option<String> {
    SubdomainPattern::parse(text).ok().map(|p| p.to_string())
}

/// Why a string is not an origin allowlist entry. [`OriginRuleError::help`] says what to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginRuleError {
    #[error("`*` allows every origin and cannot be combined with other entries")]
    Wildcard,
    #[error("the opaque origin is written `null`, in lowercase")]
    NullCase,
    #[error("an origin has no path, not even a trailing slash")]
    HasPath { canonical: String, trailing_slash: bool },
    #[error("an origin has no user name or password")]
    HasUserinfo { canonical: Option<String> },
    #[error("not written the way browsers send it (browsers send `{canonical}`)")]
    NotCanonical { canonical: String },
    #[error("not an origin: {reason}")]
    NotUrl { reason: String, suggestion: Option<String> },
    #[error("`{0}:` URLs have no tuple origin: pages with them send `Origin: null`")]
    OpaqueScheme(String),
    #[error("a subdomain pattern needs a scheme")]
    PatternMissingScheme { suggestion: Option<String> },
    #[error("the wildcard must be a whole label")]
    PatternPartialLabel { suggestion: Option<String> },
    #[error("the wildcard must be the leftmost label")]
    PatternNotLeftmost { suggestion: Option<String> },
    #[error("only the leftmost label of the host can be a wildcard")]
    PatternWildcardPosition,
    #[error("{}", parent_too_short(.parent))]
    PatternParentTooShort { parent: String },
    #[error("a subdomain pattern needs a domain name, not an IP address")]
    PatternNotDomain,
}

fn parent_too_short(parent: &str) -> String {
    if parent.is_empty() {
        "a subdomain pattern needs a parent domain".to_owned()
    } else {
        format!("the parent domain `{parent}` has a single label")
    }
}

impl OriginRuleError {
    fn from_origin_error(e: OriginError, written: &str) -> OriginRuleError {
        let canonical = || url::Url::parse(written).ok().map(|u| Origin::of_url(&u).serialize().to_owned());
        match e {
            OriginError::HasPath => match canonical() {
                Some(canonical) => {
                    let trailing_slash = written.strip_suffix('/') == Some(canonical.as_str());
                    OriginRuleError::HasPath { canonical, trailing_slash }
                }
                None => OriginRuleError::NotUrl { reason: e.to_string(), suggestion: None },
            },
            OriginError::HasUserinfo => OriginRuleError::HasUserinfo { canonical: canonical() },
            OriginError::NotCanonical { canonical } => OriginRuleError::NotCanonical { canonical },
            OriginError::NotUrl(reason) => {
                let suggestion = (!written.contains("://"))
                    .then(|| format!("https://{written}"))
                    .filter(|s| matches!(Origin::parse_serialized(s.as_bytes()), Ok(Origin::Tuple(_))));
                OriginRuleError::NotUrl { reason, suggestion }
            }
            OriginError::OpaqueScheme(scheme) => OriginRuleError::OpaqueScheme(scheme),
            OriginError::NotUtf8 => OriginRuleError::NotUrl { reason: e.to_string(), suggestion: None },
        }
    }

    /// What to write instead, for people reading an error about their policy.
    pub fn help(&self) -> String {
        match self {
            OriginRuleError::Wildcard => {
                "write `origins = [\"*\"]` to allow every origin, or list origins without `*`".into()
            }
            OriginRuleError::NullCase => {
                "write `null`: browsers send exactly these four lowercase bytes (ORIG-2)".into()
            }
            OriginRuleError::HasPath { canonical, trailing_slash: true } => {
                format!("remove the trailing slash: browsers send `{canonical}` (ORIG-1)")
            }
            OriginRuleError::HasPath { canonical, trailing_slash: false } => {
                format!("an origin is scheme://host[:port]; remove the path: browsers send `{canonical}` (ORIG-1)")
            }
            OriginRuleError::HasUserinfo { canonical: Some(c) } => {
                format!("remove the user name and password: browsers send `{c}` (ORIG-1)")
            }
            OriginRuleError::HasUserinfo { canonical: None } => "remove the user name and password (ORIG-1)".into(),
            OriginRuleError::NotCanonical { canonical } => format!(
                "write `{canonical}`: browsers send a lowercase scheme and host, punycode for \
                 international names and no default port (ORIG-1), and origins are compared \
                 byte for byte (SRV-3)"
            ),
            OriginRuleError::NotUrl { suggestion: Some(s), .. } => format!("add the scheme: `{s}`"),
            OriginRuleError::NotUrl { suggestion: None, .. } => {
                "an origin is `scheme://host[:port]`, e.g. `https://app.example.com`".into()
            }
            OriginRuleError::OpaqueScheme(_) => {
                "such pages send `Origin: null` (ORIG-3); list \"null\" if you really mean them".into()
            }
            OriginRuleError::PatternMissingScheme { suggestion: Some(s) } => {
                format!("write `{s}`: a pattern matches one scheme (and port) only")
            }
            OriginRuleError::PatternMissingScheme { suggestion: None } => {
                "write the scheme, e.g. `https://*.example.com`: a pattern matches one scheme only".into()
            }
            OriginRuleError::PatternPartialLabel { suggestion } => {
                let base = "`*` stands for one or more whole labels before the parent domain; \
                            partial labels such as `*example.com` or `app-*.example.com` are not supported";
                match suggestion {
                    Some(s) => format!("{base}: write `{s}`"),
                    None => format!("{base}; list the origins instead"),
                }
            }
            OriginRuleError::PatternNotLeftmost { suggestion: Some(s) } => {
                format!("write `{s}` (it matches subdomains at any depth) or list the origins")
            }
            OriginRuleError::PatternNotLeftmost { suggestion: None } => {
                "`*` can only stand for the leftmost labels; list the origins instead".into()
            }
            OriginRuleError::PatternWildcardPosition => "schemes, ports, top-level domains and inner labels cannot \
                                                         be wildcards: write e.g. `https://*.example.com:8443`"
                .into(),
            OriginRuleError::PatternParentTooShort { .. } => "a pattern must name a registrable domain, e.g. \
                                                             `https://*.example.com`; `*.com` would allow every \
                                                             site under a top-level domain (SRV-4)"
                .into(),
            OriginRuleError::PatternNotDomain => "list the IP-address origins one by one".into(),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Methods and header names

/// Why a string is not a method or header name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("it is empty")]
    Empty,
    #[error("`*` is the wildcard, not a name: use the `Any` variant (a file writes `[\"*\"]` alone)")]
    Wildcard,
    #[error("{} cannot appear in an HTTP token", describe_char(.0))]
    NotToken(char),
}

fn describe_char(c: &char) -> String {
    match *c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        ',' => "a comma".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

fn check_token(s: &str) -> Result<(), NameError> {
    if s.is_empty() {
        return Err(NameError::Empty);
    }
    if s == "*" {
        return Err(NameError::Wildcard);
    }
    match s.chars().find(|&c| !c.is_ascii() || !is_tchar(c as u8)) {
        Some(c) => Err(NameError::NotToken(c)),
        None => Ok(()),
    }
}

/// A method a policy allows: an HTTP token (METH-4), normalized per METH-3 (`delete`, `get`,
/// `head`, `options`, `post`, `put` in any case become uppercase; every other method keeps its
/// exact bytes, so `patch` and `PATCH` are different methods). Never `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodName(String);

impl MethodName {
    pub fn new(method: &str) -> Result<MethodName, NameError> {
        check_token(method)?;
        Ok(MethodName(method::normalize(method).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A request or response header name a policy lists: an HTTP token, lowercase. Never `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(String);

impl HeaderName {
    pub fn new(name: &str) -> Result<HeaderName, NameError> {
        check_token(name)?;
        Ok(HeaderName(name.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! name_impls {
    ($t:ident) => {
        impl FromStr for $t {
            type Err = NameError;
            fn from_str(s: &str) -> Result<$t, NameError> {
                $t::new(s)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}
name_impls!(MethodName);
name_impls!(HeaderName);

/// Methods a policy allows, beyond the always-allowed `GET`, `HEAD`, `POST` (METH-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedMethods {
    /// `methods = ["*"]`: every method.
    Any,
    /// These methods, byte-exact after normalization (METH-3).
    List(Vec<MethodName>),
}

impl Default for AllowedMethods {
    /// `GET`, `HEAD`, `POST`: the policy file's default.
    fn default() -> AllowedMethods {
        AllowedMethods::List(["GET", "HEAD", "POST"].into_iter().map(|m| MethodName(m.to_owned())).collect())
    }
}

impl AllowedMethods {
    /// The given methods, normalized (METH-3), duplicates dropped.
    pub fn list<I, S>(methods: I) -> Result<AllowedMethods, NameError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list: Vec<MethodName> = Vec::new();
        for m in methods {
            let m = MethodName::new(m.as_ref())?;
            if !list.contains(&m) {
                list.push(m);
            }
        }
        Ok(AllowedMethods::List(list))
    }

    pub fn is_any(&self) -> bool {
        matches!(self, AllowedMethods::Any)
    }

    /// The listed methods; empty for `Any`.
    pub fn listed(&self) -> &[MethodName] {
        match self {
            AllowedMethods::Any => &[],
            AllowedMethods::List(l) => l,
        }
    }

    /// `Any`, or `method` (already normalized) is listed, byte-exact. Does not add the
    /// safelisted methods: see [`intent`](crate::policy::intent) for the full rule.
    pub fn contains(&self, method: &str) -> bool {
        match self {
            AllowedMethods::Any => true,
            AllowedMethods::List(l) => l.iter().any(|m| m.0 == method),
        }
    }
}

/// Header names a policy allows (request headers) or exposes (response headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedNames {
    /// `["*"]`: every name.
    Any,
    /// These names (lowercase), compared case-insensitively. Empty by default.
    List(Vec<HeaderName>),
}

impl Default for AllowedNames {
    fn default() -> AllowedNames {
        AllowedNames::none()
    }
}

impl AllowedNames {
    /// No name.
    pub fn none() -> AllowedNames {
        AllowedNames::List(Vec::new())
    }

    /// The given names, lowercased, duplicates dropped.
    pub fn list<I, S>(names: I) -> Result<AllowedNames, NameError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list: Vec<HeaderName> = Vec::new();
        for n in names {
            let n = HeaderName::new(n.as_ref())?;
            if !list.contains(&n) {
                list.push(n);
            }
        }
        Ok(AllowedNames::List(list))
    }

    pub fn is_any(&self) -> bool {
        matches!(self, AllowedNames::Any)
    }

    /// The listed names; empty for `Any`.
    pub fn listed(&self) -> &[HeaderName] {
        match self {
            AllowedNames::Any => &[],
            AllowedNames::List(l) => l,
        }
    }

    /// `Any`, or `name` case-insensitively equals a listed name.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            AllowedNames::Any => true,
            AllowedNames::List(l) => l.iter().any(|n| n.0.eq_ignore_ascii_case(name)),
        }
    }
}
