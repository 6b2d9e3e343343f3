//! Warnings: policies that are valid and mean something, but something dangerous or something
//! browsers will not do as written. Each cites the rules of the digest behind it.
//!
//! A policy loaded from a file gets its warnings in [`LoadedPolicy::warnings`], pointing at the
//! file; a policy built in code gets them from [`Policy::warnings`], without location.
//!
//! [`LoadedPolicy::warnings`]: super::LoadedPolicy::warnings

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};

use super::file::{PolicyKey, line_column};
use super::model::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy};
use crate::method;
use crate::rule::Rule;
use crate::safelist::is_forbidden_response_header_name;

/// Chromium's cap on the preflight max-age, in seconds (PRE-12); the highest of the caps that
/// matter in practice for "will browsers honour this?" after Firefox's 86400.
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7200;

/// A dangerous-but-valid choice in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// `credentials = true` with `origins = ["*"]`.
    AnyOriginWithCredentials,
    /// `"null"` is listed.
    NullOrigin { credentials: bool },
    /// An `http://` (or `ws://`, `ftp://`) origin or pattern, other than loopback, with credentials.
    InsecureOriginWithCredentials { origin: String },
    /// `["*"]` for methods, allow_headers or expose_headers, with credentials.
    WildcardWithCredentials { key: PolicyKey },
    /// `max_age` above [`CHROMIUM_MAX_AGE_CAP`].
    MaxAgeAboveCap { max_age: u64 },
    /// A subdomain pattern with credentials.
    SubdomainsWithCredentials { pattern: String },
    /// A method outside the six normalized ones, written with lowercase letters (`patch`).
    MethodCase { method: String },
    /// `CONNECT`, `TRACE` or `TRACK`: scripts cannot send them.
    ForbiddenMethod { method: String },
    /// `set-cookie` or `set-cookie2` in expose_headers.
    SetCookieExposed { name: String },
    /// `private_network = true` with `origins = ["*"]`.
    PrivateNetworkAnyOrigin,
}

impl WarningKind {
    /// The rules this warning rests on, most specific first.
    pub fn rules(&self) -> &'static [Rule] {
        match self {
            WarningKind::AnyOriginWithCredentials => &[Rule::Srv5, Rule::Srv7, Rule::Chk3],
            WarningKind::NullOrigin { .. } => &[Rule::Srv4, Rule::Orig3, Rule::Orig5],
            WarningKind::InsecureOriginWithCredentials { .. } => &[Rule::Srv4],
            WarningKind::WildcardWithCredentials { key: PolicyKey::Methods } => &[Rule::Pre8, Rule::Srv12],
            WarningKind::WildcardWithCredentials { key: PolicyKey::AllowHeaders } => {
                &[Rule::Pre10, Rule::Safe6, Rule::Srv13]
            }
            WarningKind::WildcardWithCredentials { .. } => &[Rule::Exp2, Rule::Srv8],
            WarningKind::MaxAgeAboveCap { .. } => &[Rule::Pre12, Rule::Srv14],
            WarningKind::SubdomainsWithCredentials { .. } => &[Rule::Srv4],
            WarningKind::MethodCase { .. } => &[Rule::Meth3, Rule::Pre8, Rule::Srv12],
            WarningKind::ForbiddenMethod { .. } => &[Rule::Meth2],
            WarningKind::SetCookieExposed { .. } => &[Rule::Exp1],
            WarningKind::PrivateNetworkAnyOrigin => &[Rule::Srv20, Rule::Pna1],
        }
    }

    /// A stable diagnostic code, e.g. `policy::warning::null-origin`.
    pub fn code(&self) -> &'static str {
        match self {
            WarningKind::AnyOriginWithCredentials => "policy::warning::any-origin-with-credentials",
            WarningKind::NullOrigin { .. } => "policy::warning::null-origin",
            WarningKind::InsecureOriginWithCredentials { .. } => "policy::warning::insecure-origin-with-credentials",
            WarningKind::WildcardWithCredentials { .. } => "policy::warning::wildcard-with-credentials",
            WarningKind::MaxAgeAboveCap { .. } => "policy::warning::max-age-above-cap",
            WarningKind::SubdomainsWithCredentials { .. } => "policy::warning::subdomains-with-credentials",
            WarningKind::MethodCase { .. } => "policy::warning::method-case",
            WarningKind::ForbiddenMethod { .. } => "policy::warning::forbidden-method",
            WarningKind::SetCookieExposed { .. } => "policy::warning::set-cookie-exposed",
            WarningKind::PrivateNetworkAnyOrigin => "policy::warning::private-network-any-origin",
        }
    }

    fn message(&self) -> String {
        match self {
            WarningKind::AnyOriginWithCredentials => {
                "`credentials = true` with `origins = [\"*\"]`: every website can read your users' data".into()
            }
            WarningKind::NullOrigin { credentials: false } => {
                "`null` is allowed: any page can send `Origin: null`".into()
            }
            WarningKind::NullOrigin { credentials: true } => {
                "`null` is allowed with credentials: any page can send `Origin: null` and read your users' data".into()
            }
            WarningKind::InsecureOriginWithCredentials { origin } => {
                format!("`{origin}` is not HTTPS but may read with credentials: a network attacker can impersonate it")
            }
            WarningKind::WildcardWithCredentials { key } => {
                format!("`{key} = [\"*\"]` with `credentials = true`: browsers ignore `*` for credentialed requests")
            }
            WarningKind::MaxAgeAboveCap { max_age } => {
                format!("`max_age = {max_age}` is above Chromium's cap of {CHROMIUM_MAX_AGE_CAP} seconds")
            }
            WarningKind::SubdomainsWithCredentials { pattern } => format!(
                "every subdomain matching `{pattern}` may read with credentials: \
                 a subdomain takeover exposes your users' data"
            ),
            WarningKind::MethodCase { method } => format!(
                "method `{method}` is case-sensitive: a script sending `{}` is not allowed",
                method.to_ascii_uppercase()
            ),
            WarningKind::ForbiddenMethod { method } => {
                format!("`{method}` is a forbidden method: scripts cannot send it")
            }
            WarningKind::SetCookieExposed { name } => format!("`{name}` is never exposed to script"),
            WarningKind::PrivateNetworkAnyOrigin => "`private_network = true` with `origins = [\"*\"]`: every \
                                                     website can reach this private-network server"
                .into(),
        }
    }

    /// Why it matters and what to do instead.
    pub fn help(&self) -> String {
        match self {
            WarningKind::AnyOriginWithCredentials => "browsers reject `Access-Control-Allow-Origin: *` on \
                credentialed requests (CHK-3), so a server can only serve this by reflecting any Origin with \
                `Access-Control-Allow-Credentials: true` (SRV-5); list the origins that need cookies instead"
                .into(),
            WarningKind::NullOrigin { .. } => "sandboxed iframes, `data:` documents and cross-origin redirects all \
                send `Origin: null` (ORIG-3, ORIG-5), so allowing it is close to allowing every website; allow it \
                only for public data (SRV-4)"
                .into(),
            WarningKind::InsecureOriginWithCredentials { .. } => "anyone on a user's network path (public Wi-Fi, a \
                hostile proxy) can inject script into pages of an `http://` origin and read credentialed responses; \
                allow `https://` origins only (SRV-4)"
                .into(),
            WarningKind::WildcardWithCredentials { key: PolicyKey::Methods } => "with credentials a `*` in \
                Access-Control-Allow-Methods is a literal method name (PRE-8): a server must list the methods or \
                echo Access-Control-Request-Method after checking it (SRV-12)"
                .into(),
            WarningKind::WildcardWithCredentials { key: PolicyKey::AllowHeaders } => "with credentials a `*` in \
                Access-Control-Allow-Headers is a literal name (PRE-10), and it never covers `authorization` \
                (SAFE-6): a server must list the names or echo Access-Control-Request-Headers (SRV-13)"
                .into(),
            WarningKind::WildcardWithCredentials { .. } => "with credentials a `*` in \
                Access-Control-Expose-Headers is a literal name (EXP-2): a server must list the names (SRV-8)"
                .into(),
            WarningKind::MaxAgeAboveCap { .. } => format!(
                "Chromium uses at most {CHROMIUM_MAX_AGE_CAP} s, Firefox 86400 s, Safari 600 s (PRE-12); a long \
                 max-age also delays policy changes reaching browsers"
            ),
            WarningKind::SubdomainsWithCredentials { .. } => "one dangling DNS record or one compromised subdomain \
                is enough to read credentialed responses (SRV-4); list the origins that need credentials"
                .into(),
            WarningKind::MethodCase { method } => format!(
                "only DELETE, GET, HEAD, OPTIONS, POST and PUT are uppercased by browsers (METH-3); other methods \
                 are compared byte for byte (PRE-8): write `{}` if clients send that (most do)",
                method.to_ascii_uppercase()
            ),
            WarningKind::ForbiddenMethod { .. } => {
                "fetch() and XMLHttpRequest refuse CONNECT, TRACE and TRACK (METH-2); remove it".into()
            }
            WarningKind::SetCookieExposed { .. } => "browsers hide Set-Cookie and Set-Cookie2 from script whatever \
                Access-Control-Expose-Headers says (EXP-1); remove it"
                .into(),
            WarningKind::PrivateNetworkAnyOrigin => "answer private-network preflights only for listed, trusted \
                origins (SRV-20)"
                .into(),
        }
    }
}

impl fmt::Display for WarningKind {
    /// The message, followed by the rule IDs: `… (SRV-4, ORIG-3, ORIG-5)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.rules().iter().map(|r| r.id()).collect();
        write!(f, "{} ({})", self.message(), ids.join(", "))
    }
}

/// A warning about a policy, with its location when the policy came from a file. A miette
/// [`Diagnostic`] with severity `Warning`.
#[derive(Debug, Clone)]
pub struct PolicyWarning {
    kind: WarningKind,
    help: String,
    labels: Vec<(Range<usize>, String)>,
    source: Option<NamedSource<Arc<str>>>,
    position: Option<(usize, usize)>,
}

impl PolicyWarning {
    pub(super) fn new(
        kind: WarningKind,
        labels: Vec<(Range<usize>, String)>,
        source: Option<NamedSource<Arc<str>>>,
    ) -> PolicyWarning {
        let position = match (&source, labels.first()) {
            (Some(src), Some((span, _))) => Some(line_column(src.inner(), span.start)),
            _ => None,
        };
        let source = if labels.is_empty() { None } else { source };
        PolicyWarning { help: kind.help(), kind, labels, source, position }
    }

    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }

    /// Shorthand for `self.kind().rules()`.
    pub fn rules(&self) -> &'static [Rule] {
        self.kind.rules()
    }

    /// Byte range of the main text the warning is about, if the policy came from a file.
    pub fn span(&self) -> Option<Range<usize>> {
        self.labels.first().map(|(s, _)| s.clone())
    }

    /// 1-based line of [`PolicyWarning::span`].
    pub fn line(&self) -> Option<usize> {
        self.position.map(|(l, _)| l)
    }

    /// 1-based column (in characters) of [`PolicyWarning::span`].
    pub fn column(&self) -> Option<usize> {
        self.position.map(|(_, c)| c)
    }

    /// Why it matters and what to do instead.
    pub fn hint(&self) -> &str {
        &self.help
    }
}

impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for PolicyWarning {}

impl Diagnostic for PolicyWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().enumerate().map(|(i, (span, label))| {
            if i == 0 {
                LabeledSpan::new_primary_with_span(Some(label.clone()), span.clone())
            } else {
                LabeledSpan::new_with_span(Some(label.clone()), span.clone())
            }
        })))
    }
}

/// Where in a file a warning points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    /// The value of a key.
    Key(PolicyKey),
    /// The i-th entry of a list key (the i-th entry of the model's list).
    Entry(PolicyKey, usize),
}

/// A warning before it is located in a file.
pub(super) struct Finding {
    pub kind: WarningKind,
    /// The first anchor found in the file is the primary label.
    pub anchors: Vec<(Anchor, String)>,
}

impl Finding {
    fn new(kind: WarningKind, anchors: impl IntoIterator<Item = (Anchor, &'static str)>) -> Finding {
        Finding { kind, anchors: anchors.into_iter().map(|(a, l)| (a, l.to_owned())).collect() }
    }
}

/// True for origins a network attacker cannot impersonate although they are not HTTPS:
/// loopback hosts (browsers treat them as potentially trustworthy).
fn is_loopback(host: &url::Host<String>) -> bool {
    match host {
        url::Host::Domain(d) => d == "localhost" || d.ends_with(".localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn is_insecure_scheme(scheme: &str) -> bool {
    matches!(scheme, "http" | "ws" | "ftp")
}

/// Every warning for a policy, in the order of the policy's fields.
pub(super) fn findings(policy: &Policy) -> Vec<Finding> {
    use Anchor::{Entry, Key};
    let mut out = Vec::new();
    let creds = policy.credentials;
    if creds && policy.origins.is_any() {
        out.push(Finding::new(
            WarningKind::AnyOriginWithCredentials,
            [(Key(PolicyKey::Credentials), "credentials allowed here"), (Key(PolicyKey::Origins), "for every origin")],
        ));
    }
    if policy.private_network && policy.origins.is_any() {
        out.push(Finding::new(
            WarningKind::PrivateNetworkAnyOrigin,
            [
                (Key(PolicyKey::PrivateNetwork), "private network allowed here"),
                (Key(PolicyKey::Origins), "for every origin"),
            ],
        ));
    }
    if let AllowedOrigins::List(rules) = &policy.origins {
        for (i, rule) in rules.iter().enumerate() {
            let at = Entry(PolicyKey::Origins, i);
            match rule {
                OriginRule::Null => out.push(Finding::new(
                    WarningKind::NullOrigin { credentials: creds },
                    [(at, "any page can send this")],
                )),
                OriginRule::Exact(t) if creds && is_insecure_scheme(t.scheme()) && !is_loopback(t.host()) => {
                    out.push(Finding::new(
                        WarningKind::InsecureOriginWithCredentials { origin: rule.to_string() },
                        [(at, "not HTTPS"), (Key(PolicyKey::Credentials), "credentials allowed here")],
                    ))
                }
                OriginRule::Subdomains(p) if creds => {
                    out.push(Finding::new(
                        WarningKind::SubdomainsWithCredentials { pattern: p.to_string() },
                        [(at, "every subdomain"), (Key(PolicyKey::Credentials), "credentials allowed here")],
                    ));
                    if is_insecure_scheme(p.scheme()) {
                        out.push(Finding::new(
                            WarningKind::InsecureOriginWithCredentials { origin: p.to_string() },
                            [(at, "not HTTPS"), (Key(PolicyKey::Credentials), "credentials allowed here")],
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    match &policy.methods {
        AllowedMethods::Any if creds => out.push(wildcard_with_credentials(PolicyKey::Methods)),
        AllowedMethods::Any => {}
        AllowedMethods::List(methods) => {
            for (i, m) in methods.iter().enumerate() {
                let m = m.as_str();
                let at = Entry(PolicyKey::Methods, i);
                if method::is_forbidden(m) {
                    out.push(Finding::new(WarningKind::ForbiddenMethod { method: m.to_owned() }, [(at, "forbidden")]));
                } else if m.bytes().any(|b| b.is_ascii_lowercase())
                    && !methods.iter().any(|o| o.as_str() == m.to_ascii_uppercase())
                {
                    out.push(Finding::new(WarningKind::MethodCase { method: m.to_owned() }, [(at, "case-sensitive")]));
                }
            }
        }
    }
    if creds && policy.allow_headers.is_any() {
        out.push(wildcard_with_credentials(PolicyKey::AllowHeaders));
    }
    match &policy.expose_headers {
        AllowedNames::Any if creds => out.push(wildcard_with_credentials(PolicyKey::ExposeHeaders)),
        AllowedNames::Any => {}
        AllowedNames::List(names) => {
            for (i, n) in names.iter().enumerate() {
                if is_forbidden_response_header_name(n.as_str().as_bytes()) {
                    out.push(Finding::new(
                        WarningKind::SetCookieExposed { name: n.to_string() },
                        [(Entry(PolicyKey::ExposeHeaders, i), "never exposed")],
                    ));
                }
            }
        }
    }
    if let Some(max_age) = policy.max_age.filter(|&m| m > CHROMIUM_MAX_AGE_CAP) {
        out.push(Finding::new(WarningKind::MaxAgeAboveCap { max_age }, [(Key(PolicyKey::MaxAge), "above 7200")]));
    }
    out
}

fn wildcard_with_credentials(key: PolicyKey) -> Finding {
    Finding::new(
        WarningKind::WildcardWithCredentials { key },
        [(Anchor::Key(key), "wildcard"), (Anchor::Key(PolicyKey::Credentials), "credentials allowed here")],
    )
}

impl Policy {
    /// The warnings for this policy, without locations (see [`Policy::from_toml_str`] for
    /// warnings that point into a file).
    pub fn warnings(&self) -> Vec<PolicyWarning> {
        findings(self).into_iter().map(|f| PolicyWarning::new(f.kind, Vec::new(), None)).collect()
    }
}
