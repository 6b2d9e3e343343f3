//! Near-miss origins: the origins a broken matcher confuses with an allowed one, derived from
//! the policy's own origin rules (SRV-3, SRV-4).
//!
//! Every candidate is written as the URL of a page and goes through the URL parser
//! ([`Origin::of_url`]), so a probe only ever carries an origin a browser page can have: the
//! host lowercased, IDNs in punycode, `%60` decoded to a backtick, the default port dropped
//! (ORIG-1). Candidates the URL parser rejects (`^`, `|`, `%0b` in a host) are dropped: no
//! page has such an origin.

use crate::origin::Origin;
use crate::policy::OriginRule;

/// The registrable domain is approximated by the last two labels (no public-suffix list):
/// `app.example.com` → `example.com`, `app.example.co.uk` → `co.uk`.
fn site_of(host: &str) -> &str {
    let mut dots = host.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((i, _))) => &host[i + 1..],
        _ => host,
    }
}

/// The label a member of a subdomain pattern gets (`https://*.example.com` → `app.example.com`).
pub(super) const MEMBER_LABEL: &str = "app";

/// The attacker's registrable domain in derived origins (a reserved TLD, RFC 2606).
pub(super) const EVIL: &str = "evil.test";

/// Characters of the scanners' special-character payloads (CORScanner
/// `special_characters_bypass`, Corsy `unrecognized underscore` / `broken parser`, nuclei
/// `cors-misconfig`), as written in a page URL. `%60` decodes to the backtick, so it yields the
/// same origin; `^`, `|` and `%0b` are forbidden host code points and yield none.
pub(super) const SPECIAL_CHARS: [&str; 23] = [
    "_", "-", "\"", "{", "}", "+", "^", "%60", "!", "~", "`", ";", "|", "&", "'", "(", ")", "*", ",", "$", "=", "%0b",
    "%2e",
];

/// One allowed origin (or a member of an allowed subdomain pattern) to derive near misses from.
#[derive(Debug, Clone)]
pub(super) struct Seed {
    pub scheme: String,
    /// The host as serialized (lowercase, punycode; IPv6 in brackets).
    pub host: String,
    pub port: Option<u16>,
    /// The registrable domain (approximated, see [`site_of`]); for a pattern, its parent.
    pub site: String,
    /// The seed comes from a subdomain pattern.
    pub pattern: bool,
    /// The allowed origin itself.
    pub origin: Origin,
}

impl Seed {
    /// The seed of a rule: an exact origin, or a member (`app.` + parent) of a pattern. `None`
    /// for `null`.
    pub fn of_rule(rule: &OriginRule) -> Option<Seed> {
        match rule {
            OriginRule::Exact(tuple) => {
                let host = tuple.host().to_string();
                let site = match tuple.host() {
                    url::Host::Domain(d) => site_of(d).to_owned(),
                    _ => host.clone(),
                };
                Some(Seed {
                    scheme: tuple.scheme().to_owned(),
                    host,
                    port: tuple.port(),
                    site,
                    pattern: false,
                    origin: Origin::Tuple(tuple.clone()),
                })
            }
            OriginRule::Subdomains(p) => {
                let host = format!("{MEMBER_LABEL}.{}", p.parent());
                let origin = page_origin(p.scheme(), &host, p.port())?;
                Some(Seed {
                    scheme: p.scheme().to_owned(),
                    host,
                    port: p.port(),
                    site: p.parent().to_owned(),
                    pattern: true,
                    origin,
                })
            }
            OriginRule::Null => None,
        }
    }

    /// `scheme://host[:port]` with the seed's scheme and port.
    fn same(&self, host: &str) -> Option<Origin> {
        page_origin(&self.scheme, host, self.port)
    }

    /// The http form of an https (or ws form of a wss) seed.
    fn insecure_scheme(&self) -> Option<&'static str> {
        match self.scheme.as_str() {
            "https" => Some("http"),
            "wss" => Some("ws"),
            _ => None,
        }
    }

    /// `host.evil.test`, `hostevil.test` (and `parent.evil.test` for a pattern): an unanchored
    /// end (`starts_with`, regex without `$`).
    pub fn prefix_match(&self) -> Vec<Option<Origin>> {
        let mut out = vec![self.same(&format!("{}.{EVIL}", self.host)), self.same(&format!("{}{EVIL}", self.host))];
        if self.pattern {
            out.push(self.same(&format!("{}.{EVIL}", self.site)));
        }
        out
    }

    /// `evilhost`, `evilsite` (and `http://evilsite` for an https seed): an unanchored start
    /// (`ends_with` without the dot).
    pub fn suffix_match(&self) -> Vec<Option<Origin>> {
        let mut out = vec![self.same(&format!("evil{}", self.host)), self.same(&format!("evil{}", self.site))];
        if let Some(scheme) = self.insecure_scheme() {
            out.push(page_origin(scheme, &format!("evil{}", self.site), self.port));
        }
        out
    }

    /// Strings the allowed origin contains: the host without its last character
    /// (`app.example.co`), the site without its first (`xample.com`): `allowed.contains(origin)`.
    pub fn substring(&self) -> Vec<Option<Origin>> {
        let mut out = Vec::new();
        let mut chars = self.host.chars();
        chars.next_back();
        if !chars.as_str().ends_with('.') && !chars.as_str().is_empty() {
            out.push(self.same(chars.as_str()));
        }
        let mut chars = self.site.chars();
        chars.next();
        if !chars.as_str().starts_with('.') && !chars.as_str().is_empty() {
            out.push(self.same(chars.as_str()));
        }
        out
    }

    /// A dot of the host replaced by a letter: a regex whose `.` is not escaped. The first dot by
    /// `x` (Corsy), the last by `a` (CORScanner), every dot by `a` (nuclei).
    pub fn unescaped_dot(&self) -> Vec<Option<Origin>> {
        if !self.host.contains('.') {
            return Vec::new();
        }
        let last = self.host.rfind('.').map(|i| format!("{}a{}", &self.host[..i], &self.host[i + 1..]));
        vec![
            self.same(&self.host.replacen('.', "x", 1)),
            last.and_then(|h| self.same(&h)),
            self.same(&self.host.replace('.', "a")),
        ]
    }

    /// The http origin of the same host and port, for an https seed.
    pub fn scheme_downgrade(&self) -> Vec<Option<Origin>> {
        match self.insecure_scheme() {
            Some(scheme) => vec![page_origin(scheme, &self.host, self.port)],
            None => Vec::new(),
        }
    }

    /// Another port: 8443 (https) / 8080 (others) for a default-port seed; for a seed with a
    /// port, the next port and the default port.
    pub fn port(&self) -> Vec<Option<Origin>> {
        match self.port {
            None => vec![page_origin(&self.scheme, &self.host, Some(if self.scheme == "https" { 8443 } else { 8080 }))],
            Some(p) => {
                vec![
                    page_origin(&self.scheme, &self.host, Some(p.checked_add(1).unwrap_or(p - 1))),
                    self.same_default(),
                ]
            }
        }
    }

    fn same_default(&self) -> Option<Origin> {
        page_origin(&self.scheme, &self.host, None)
    }

    /// The page URL written in upper case: the browser lowercases it (ORIG-1), so this is the
    /// allowed origin again.
    pub fn case(&self) -> Vec<Option<Origin>> {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let upper = format!("{}://{}{port}/", self.scheme.to_ascii_uppercase(), self.host.to_ascii_uppercase());
        vec![url::Url::parse(&upper).ok().map(|u| Origin::of_url(&u)).filter(|o| o.as_tuple().is_some())]
    }

    /// `host{c}.evil.test` (CORScanner, Corsy) and `host.{c}.evil.test` (nuclei) for every
    /// special character the URL parser keeps in a host.
    pub fn special_chars(&self) -> Vec<Option<Origin>> {
        let mut out = Vec::new();
        for c in SPECIAL_CHARS {
            for host in [format!("{}{c}.{EVIL}", self.host), format!("{}.{c}.{EVIL}", self.host)] {
                // Keep only hosts where the character survived as such (`%2e` becomes an empty
                // label, which is a different, uninteresting mistake).
                let shown = if c == "%60" { "`" } else { c };
                let survived = |o: &Origin| shown.len() == 1 && o.serialize().contains(shown);
                out.push(self.same(&host).filter(survived));
            }
        }
        out
    }

    /// The host with its first look-alike letter replaced by a Cyrillic one (`аpp.example.com`,
    /// sent as punycode `xn--pp-6kc.example.com`): a matcher that folds Unicode.
    pub fn idn(&self) -> Vec<Option<Origin>> {
        const LOOKALIKES: [(char, char); 6] = [('a', 'а'), ('c', 'с'), ('e', 'е'), ('o', 'о'), ('p', 'р'), ('x', 'х')];
        let Some((i, ascii)) = self.host.char_indices().find(|(_, c)| LOOKALIKES.iter().any(|(a, _)| a == c)) else {
            return Vec::new();
        };
        let cyrillic = LOOKALIKES.iter().find(|(a, _)| *a == ascii).map(|(_, c)| *c).unwrap_or(ascii);
        let host = format!("{}{cyrillic}{}", &self.host[..i], &self.host[i + ascii.len_utf8()..]);
        vec![self.same(&host)]
    }

    /// `evil.host`, `evil.site` (and `http://evil.site` for an https seed): every subdomain
    /// trusted.
    pub fn any_subdomain(&self) -> Vec<Option<Origin>> {
        let mut out = vec![self.same(&format!("evil.{}", self.host)), self.same(&format!("evil.{}", self.site))];
        if let Some(scheme) = self.insecure_scheme() {
            out.push(page_origin(scheme, &format!("evil.{}", self.site), self.port));
        }
        out
    }

    /// The registrable domain itself (`https://example.com` for `https://app.example.com`, the
    /// parent of a pattern).
    pub fn parent_domain(&self) -> Vec<Option<Origin>> {
        if self.site == self.host { Vec::new() } else { vec![self.same(&self.site)] }
    }
}

/// The origin of the page at `scheme://host[:port]/`, if the URL parser accepts it and it is a
/// tuple origin.
pub(super) fn page_origin(scheme: &str, host: &str, port: Option<u16>) -> Option<Origin> {
    let url = match port {
        Some(p) => format!("{scheme}://{host}:{p}/"),
        None => format!("{scheme}://{host}/"),
    };
    let origin = Origin::of_url(&url::Url::parse(&url).ok()?);
    origin.as_tuple().is_some().then_some(origin)
}

/// A fixed origin written in serialized form.
pub(super) fn fixed(serialized: &str) -> Option<Origin> {
    Origin::parse_serialized(serialized.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srv4_site_is_the_last_two_labels() {
        assert_eq!(site_of("app.example.com"), "example.com");
        assert_eq!(site_of("example.com"), "example.com");
        assert_eq!(site_of("localhost"), "localhost");
        assert_eq!(site_of("a.b.example.co.uk"), "co.uk");
    }

    #[test]
    fn orig1_page_origins_are_what_browsers_serialize() {
        assert_eq!(page_origin("https", "APP.example.com", Some(443)).unwrap().serialize(), "https://app.example.com");
        assert_eq!(
            page_origin("https", "app.example.com%60.evil.test", None).unwrap().serialize(),
            "https://app.example.com`.evil.test"
        );
        assert_eq!(
            page_origin("https", "аpp.example.com", None).unwrap().serialize(),
            "https://xn--pp-6kc.example.com"
        );
        assert!(page_origin("https", "app.example.com^.evil.test", None).is_none());
        assert!(page_origin("https", "app.example.com|.evil.test", None).is_none());
        assert!(page_origin("https", "app.example.com%0b.evil.test", None).is_none());
        assert!(page_origin("https", "evil127.0.0.1", None).is_none());
    }
}
