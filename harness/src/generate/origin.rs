//! Page origins near the policy's allowed ones: the allowed origins themselves and the near
//! misses that break real origin matchers (SRV-3, SRV-4).
//!
//! Every origin is the origin of a page URL (see [`OriginClass`] for the classes and why).

use std::cell::RefCell;

use arbitrary::{Result, Unstructured};
use rustc_hash::FxHashMap;

use crate::origin::Origin;
use crate::policy::{AllowedOrigins, OriginRule, Policy};
use crate::rule::Rule;

use super::choose::{below, one, weighted};

/// How a generated page origin relates to the policy's allowed origins.
///
/// Every origin here is one a page can really have: it is the origin of a page URL, computed
/// with the URL standard's parser ([`Origin::of_url`]). So an `Origin` header can never hold
/// uppercase, a default port, userinfo, a path or control bytes — a browser does not send
/// those, and a server that only breaks on them breaks on no browser. What a page URL *can*
/// carry into the `Origin` bytes, and what matchers choke on, are these classes:
///
/// | class | example (allowed `https://app.example.com`) |
/// |---|---|
/// | `allowed` | `https://app.example.com`; `https://api.example.com` under `https://*.example.com` |
/// | `suffix` | `https://app.example.com.evil.test`, `https://app.example.com-evil.test` |
/// | `prefix` | `https://evilapp.example.com`, `https://evil-app.example.com`, `https://evil.app.example.com` |
/// | `parent-domain` | `https://example.com` (the apex a pattern does not cover) |
/// | `dot-for-any-char` | `https://appxexample.com` (an unescaped `.` in a regex) |
/// | `case` | page `HTTPS://APP.Example.COM/`: browsers send the lowercase origin (ORIG-1) |
/// | `port` | `https://app.example.com:8443`, `https://app.example.com:80` |
/// | `default-port` | page `https://app.example.com:443/`: browsers send no port (ORIG-1) |
/// | `scheme` | `http://app.example.com` (downgrade), or `https://` for an `http` origin |
/// | `userinfo` | page `https://user:pass@app.example.com/`: userinfo is never part of an origin |
/// | `idn` | `https://xn--pp-6kc.example.com` (Cyrillic `а`), `https://app.example.com.xn--vil-9la.test`; fullwidth letters map back to ASCII |
/// | `trailing-dot` | `https://app.example.com.` |
/// | `null` | `null` (sandboxed iframes, `data:` pages, ORIG-2/3) |
/// | `third-party` | `https://evil.test`, `http://localhost:8080`, `http://[::1]:3000` |
/// | `odd-bytes` | `` https://app.example.com`.evil.test `` (also from `%60`), `https://app.example.com_.evil.test`, `!`, `~`, `$`, `&`, `'`, `+`, `,`, `;`, `=`, `{`, `}`, `*`, `"`, `(`, `)`, `app..example.com` |
///
/// The odd bytes are those the URL standard keeps in a host. Its forbidden host code points
/// (`^`, `|`, a `%` left after percent-decoding, controls, spaces, ...) make the page URL
/// invalid, so they can never reach an `Origin` header, and tabs and newlines are stripped
/// from URLs before parsing. Engines differ from the standard on some of the kept bytes; the
/// oracle follows the standard. Non-ASCII becomes punycode, so `Origin` bytes are always
/// ASCII. (Bytes a browser never sends — uppercase, control characters — belong in header
/// values, where scripts can put them: see [`HeaderClass`](super::HeaderClass).)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OriginClass {
    /// An allowed origin: an exact entry, a subdomain matching a pattern, `null` if listed.
    Allowed,
    Suffix,
    Prefix,
    ParentDomain,
    DotForAnyChar,
    Case,
    Port,
    DefaultPort,
    Scheme,
    Userinfo,
    Idn,
    TrailingDot,
    Null,
    ThirdParty,
    OddBytes,
}

impl OriginClass {
    pub const ALL: &'static [OriginClass] = &[
        OriginClass::Allowed,
        OriginClass::Suffix,
        OriginClass::Prefix,
        OriginClass::ParentDomain,
        OriginClass::DotForAnyChar,
        OriginClass::Case,
        OriginClass::Port,
        OriginClass::DefaultPort,
        OriginClass::Scheme,
        OriginClass::Userinfo,
        OriginClass::Idn,
        OriginClass::TrailingDot,
        OriginClass::Null,
        OriginClass::ThirdParty,
        OriginClass::OddBytes,
    ];

    /// Kebab-case name, as in titles.
    pub fn name(self) -> &'static str {
        match self {
            OriginClass::Allowed => "allowed",
            OriginClass::Suffix => "suffix",
            OriginClass::Prefix => "prefix",
            OriginClass::ParentDomain => "parent-domain",
            OriginClass::DotForAnyChar => "dot-for-any-char",
            OriginClass::Case => "case",
            OriginClass::Port => "port",
            OriginClass::DefaultPort => "default-port",
            OriginClass::Scheme => "scheme",
            OriginClass::Userinfo => "userinfo",
            OriginClass::Idn => "idn",
            OriginClass::TrailingDot => "trailing-dot",
            OriginClass::Null => "null",
            OriginClass::ThirdParty => "third-party",
            OriginClass::OddBytes => "odd-bytes",
        }
    }

    /// The digest rules a probe of this class exercises.
    pub fn rules(self) -> &'static [Rule] {
        match self {
            OriginClass::Allowed => &[Rule::Chk3, Rule::Srv3],
            OriginClass::Suffix
            | OriginClass::Prefix
            | OriginClass::ParentDomain
            | OriginClass::DotForAnyChar
            | OriginClass::TrailingDot
            | OriginClass::OddBytes => &[Rule::Chk3, Rule::Srv3, Rule::Srv4],
            OriginClass::Case | OriginClass::DefaultPort | OriginClass::Userinfo => &[Rule::Orig1, Rule::Srv3],
            OriginClass::Port | OriginClass::Scheme | OriginClass::Idn => &[Rule::Orig1, Rule::Srv3, Rule::Srv4],
            OriginClass::Null => &[Rule::Orig2, Rule::Orig3, Rule::Srv4],
            OriginClass::ThirdParty => &[Rule::Chk3, Rule::Srv4, Rule::Srv5],
        }
    }

    /// Relative weights (per mille) of the classes, in [`OriginClass::ALL`] order: about a
    /// third allowed, the rest near misses, matcher-breaking ones first.
    const WEIGHTS: [u32; 15] = [330, 70, 70, 30, 50, 30, 60, 20, 50, 20, 50, 40, 40, 60, 80];
}

/// A generated page origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedOrigin {
    pub class: OriginClass,
    pub origin: Origin,
    /// The page URL the origin comes from, when it is written differently from the origin
    /// (case, default port, userinfo, Unicode, `%60`).
    pub page: Option<String>,
}

/// One tuple origin the policy allows, as text to mutate.
#[derive(Debug, Clone)]
struct Base {
    scheme: String,
    /// For a subdomain pattern, `app.<parent>`.
    host: String,
    port: Option<u16>,
    /// The parent domain of a subdomain pattern.
    parent: Option<String>,
    /// The allowed origin itself, for exact entries (no parsing needed).
    exact: Option<Origin>,
}

impl Base {
    fn port_suffix(&self) -> String {
        port_suffix(self.port)
    }

    fn default_port(&self) -> u16 {
        crate::origin::default_port(&self.scheme).unwrap_or(0)
    }

    fn is_ip(&self) -> bool {
        self.host.starts_with('[') || self.host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    }
}

fn port_suffix(port: Option<u16>) -> String {
    port.map(|p| format!(":{p}")).unwrap_or_default()
}

/// What the origin generators know about a policy, computed once per run.
#[derive(Debug, Clone)]
pub(crate) struct OriginBases {
    bases: Vec<Base>,
    null_listed: bool,
    /// Page URL -> its origin ([`page_origin`]).
    pages: RefCell<FxHashMap<String, Option<Origin>>>,
}

/// Used when the policy lists no tuple origin (`*`, only `null`, or nothing).
const FALLBACK_BASE: &str = "https://app.example.com";

/// Labels put in front of a pattern's parent to make an allowed subdomain.
const SUBDOMAIN_LABELS: [&str; 5] = ["app", "api", "www", "a.b", "xn--bcher-kva"];

const THIRD_PARTY: [&str; 10] = [
    "https://evil.test",
    "https://attacker.example",
    "http://localhost",
    "http://localhost:8080",
    "http://127.0.0.1",
    "http://[::1]:3000",
    "https://example.net",
    "http://192.168.1.10",
    "https://evil.test:8443",
    "https://xn--80ak6aa92e.com",
];

impl OriginBases {
    pub(crate) fn of(policy: &Policy) -> OriginBases {
        let mut bases = Vec::new();
        let mut null_listed = false;
        if let AllowedOrigins::List(rules) = &policy.origins {
            for rule in rules {
                match rule {
                    OriginRule::Exact(t) => bases.push(Base {
                        scheme: t.scheme().to_owned(),
                        host: t.host().to_string(),
                        port: t.port(),
                        parent: None,
                        exact: Some(Origin::Tuple(t.clone())),
                    }),
                    OriginRule::Subdomains(p) => bases.push(Base {
                        scheme: p.scheme().to_owned(),
                        host: format!("app.{}", p.parent()),
                        port: p.port(),
                        parent: Some(p.parent().to_owned()),
                        exact: None,
                    }),
                    OriginRule::Null => null_listed = true,
                }
            }
        }
        if bases.is_empty() {
            let origin = Origin::parse_serialized(FALLBACK_BASE.as_bytes()).expect("a valid origin");
            bases.push(Base {
                scheme: "https".into(),
                host: "app.example.com".into(),
                port: None,
                parent: None,
                exact: Some(origin),
            });
        }
        OriginBases { bases, null_listed, pages: RefCell::default() }
    }
}

/// Draws a page origin for a request to `url` (never same-origin with it: such a request is
/// no CORS question).
pub(crate) fn origin(u: &mut Unstructured<'_>, bases: &OriginBases, url: &url::Url) -> Result<GeneratedOrigin> {
    let class = OriginClass::ALL[weighted(u, &OriginClass::WEIGHTS)?];
    let base = one(u, &bases.bases)?;
    let mut generated = match draw(u, class, base, bases)? {
        Some(g) => g,
        None => third_party(u, bases)?,
    };
    if generated.origin.same_origin_as_url(url) {
        generated = GeneratedOrigin {
            class: OriginClass::ThirdParty,
            origin: parse_origin("https://third-party.example").expect("a valid origin"),
            page: None,
        };
    }
    Ok(generated)
}

fn parse_origin(text: &str) -> Option<Origin> {
    url::Url::parse(text).ok().map(|u| Origin::of_url(&u)).filter(|o| o.as_tuple().is_some())
}

/// [`parse_origin`], remembered per page: generated pages come from small tables, and a URL
/// parse costs more than the rest of a probe's generation.
fn page_origin(bases: &OriginBases, page: &str) -> Option<Origin> {
    let mut memo = bases.pages.borrow_mut();
    if let Some(origin) = memo.get(page) {
        return origin.clone();
    }
    let origin = parse_origin(page);
    if memo.len() < PAGE_MEMO {
        memo.insert(page.to_owned(), origin.clone());
    }
    origin
}

/// Pages remembered per generator.
const PAGE_MEMO: usize = 4096;

/// The origin of the page at `page`; `None` if the URL does not parse (then the caller falls
/// back to a third-party origin).
fn from_page(bases: &OriginBases, class: OriginClass, page: String) -> Option<GeneratedOrigin> {
    let origin = page_origin(bases, &page)?;
    let shown = page.strip_suffix('/').unwrap_or(&page);
    let page = (shown != origin.serialize()).then_some(page);
    Some(GeneratedOrigin { class, origin, page })
}

fn third_party(u: &mut Unstructured<'_>, bases: &OriginBases) -> Result<GeneratedOrigin> {
    let text = one(u, &THIRD_PARTY)?;
    Ok(GeneratedOrigin { class: OriginClass::ThirdParty, origin: page_origin(bases, text).expect("valid"), page: None })
}

fn draw(
    u: &mut Unstructured<'_>,
    class: OriginClass,
    base: &Base,
    bases: &OriginBases,
) -> Result<Option<GeneratedOrigin>> {
    let (scheme, host, port) = (&base.scheme, &base.host, base.port_suffix());
    let page = |host: &str| format!("{scheme}://{host}{port}/");
    Ok(match class {
        OriginClass::Allowed => {
            if bases.null_listed && below(u, bases.bases.len() + 1)? == 0 {
                return Ok(Some(GeneratedOrigin { class, origin: Origin::Opaque, page: None }));
            }
            match (&base.exact, &base.parent) {
                (Some(origin), _) => Some(GeneratedOrigin { class, origin: origin.clone(), page: None }),
                (None, Some(parent)) => {
                    let label = one(u, &SUBDOMAIN_LABELS)?;
                    from_page(bases, class, page(&format!("{label}.{parent}")))
                }
                (None, None) => None,
            }
        }
        OriginClass::Suffix => {
            let stem = match &base.parent {
                Some(parent) if below(u, 2)? == 0 => parent.as_str(),
                _ => host.as_str(),
            };
            let suffix = one(u, &[".evil.test", "-evil.test", "evil.test", ".com", ".evil.test.", "%2eevil.test"])?;
            from_page(bases, class, page(&format!("{stem}{suffix}")))
        }
        OriginClass::Prefix => {
            let stem = base.parent.as_deref().unwrap_or(host);
            let prefix = one(u, &["evil", "evil-", "evil.", "x", "notapp", "app-"])?;
            if base.is_ip() {
                return Ok(None);
            }
            from_page(bases, class, page(&format!("{prefix}{stem}")))
        }
        OriginClass::ParentDomain => {
            let parent = match &base.parent {
                Some(parent) => parent.clone(),
                None => match host.split_once('.') {
                    Some((_, rest)) if rest.contains('.') && !base.is_ip() => rest.to_owned(),
                    // `example.com`, `localhost`: the parent is a public suffix or nothing;
                    // a prefix is the nearest miss there.
                    _ => return draw(u, OriginClass::Prefix, base, bases),
                },
            };
            from_page(bases, class, page(&parent))
        }
        OriginClass::DotForAnyChar => {
            let dots: Vec<usize> = host.match_indices('.').map(|(i, _)| i).collect();
            if dots.is_empty() || base.is_ip() {
                return draw(u, OriginClass::OddBytes, base, bases);
            }
            let at = *one(u, &dots)?;
            let with = one(u, &["x", "-", "0", "a"])?;
            from_page(bases, class, page(&format!("{}{with}{}", &host[..at], &host[at + 1..])))
        }
        OriginClass::Case => {
            let upper_scheme = if below(u, 2)? == 0 { scheme.to_ascii_uppercase() } else { scheme.clone() };
            let host = match below(u, 3)? {
                0 => host.to_ascii_uppercase(),
                1 => alternate_case(host),
                _ => title_case(host),
            };
            from_page(bases, class, format!("{upper_scheme}://{host}{port}/"))
        }
        OriginClass::Port => {
            let other_default = if scheme == "https" { 80 } else { 443 };
            let effective = base.port.unwrap_or(base.default_port());
            let candidates = [effective.wrapping_add(1), 8443, 8080, 3000, 0, 65535, other_default];
            let mut chosen = *one(u, &candidates)?;
            if chosen == effective {
                chosen = effective.wrapping_add(2);
            }
            from_page(bases, class, format!("{scheme}://{host}:{chosen}/"))
        }
        OriginClass::DefaultPort => from_page(bases, class, format!("{scheme}://{host}:{}/", base.default_port())),
        OriginClass::Scheme => {
            let other = if scheme == "https" { "http" } else { "https" };
            from_page(bases, class, format!("{other}://{host}{port}/"))
        }
        OriginClass::Userinfo => {
            let userinfo = one(u, &["user:pass@", "user@", ":@", "evil.test@", "app.example.com%40evil.test@"])?;
            from_page(bases, class, format!("{scheme}://{userinfo}{host}{port}/"))
        }
        OriginClass::Idn => {
            if base.is_ip() {
                return draw(u, OriginClass::OddBytes, base, bases);
            }
            let idn = match (below(u, 4)?, &base.parent) {
                (0, Some(parent)) => format!("bücher.{parent}"),
                (0, None) | (1, _) => homograph(u, host)?,
                (2, _) => fullwidth_first_label(host),
                _ => format!("{host}.évil.test"),
            };
            from_page(bases, class, page(&idn))
        }
        OriginClass::TrailingDot => from_page(bases, class, page(&format!("{host}."))),
        OriginClass::Null => Some(GeneratedOrigin { class, origin: Origin::Opaque, page: None }),
        OriginClass::ThirdParty => Some(third_party(u, bases)?),
        OriginClass::OddBytes => {
            const ODD: [&str; 19] =
                ["`", "%60", "_", "!", "~", "$", "&", "'", "+", ",", ";", "=", "{", "}", "*", "\"", "(", ")", ".."];
            let odd = *one(u, &ODD)?;
            let first_dot = host.find('.');
            let odd_host = match (below(u, 4)?, first_dot) {
                _ if base.is_ip() => format!("{host}{odd}.evil.test"),
                (0, _) | (1, None) => format!("{host}{odd}.evil.test"),
                (1, Some(dot)) => format!("{}{odd}{}", &host[..dot], &host[dot..]),
                (2, _) => format!("evil{odd}{}", base.parent.as_deref().unwrap_or(host)),
                _ => format!("{host}{odd}"),
            };
            from_page(bases, class, page(&odd_host))
        }
    })
}

fn alternate_case(s: &str) -> String {
    s.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c }).collect()
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = c == '.';
    }
    out
}

/// The host with one Latin letter replaced by a look-alike (Cyrillic or accented).
fn homograph(u: &mut Unstructured<'_>, host: &str) -> Result<String> {
    const LOOKALIKES: [(char, &[char]); 6] = [
        ('a', &['а', 'ä', 'á']),
        ('e', &['е', 'é']),
        ('o', &['о', 'ö']),
        ('p', &['р']),
        ('c', &['с', 'ç']),
        ('i', &['і', 'í']),
    ];
    for (i, c) in host.char_indices() {
        if let Some((_, alikes)) = LOOKALIKES.iter().find(|(l, _)| *l == c) {
            let mut out = String::with_capacity(host.len() + 2);
            out.push_str(&host[..i]);
            out.push(*one(u, alikes)?);
            out.push_str(&host[i + 1..]);
            return Ok(out);
        }
    }
    Ok(format!("ü{host}"))
}

/// The first label in fullwidth letters (`ａｐｐ.example.com`): IDNA maps them back to ASCII.
fn fullwidth_first_label(host: &str) -> String {
    let mut out = String::with_capacity(host.len() * 3);
    let mut first = true;
    for c in host.chars() {
        if c == '.' {
            first = false;
        }
        if first && c.is_ascii_alphanumeric() {
            out.push(char::from_u32(c as u32 - 0x21 + 0xff01).unwrap_or(c));
        } else {
            out.push(c);
        }
    }
    out
}
