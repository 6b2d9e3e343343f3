//! Author request-header sets around the safelist's edges (SAFE-1..6, PRE-9/10): values of
//! 127/128/129 bytes, safelisted totals of 1023/1024/1025 bytes, content-type essences with
//! parameters and near-miss essences, `range` valid and not, `accept-language` with bytes
//! outside its alphabet, the policy's allowed names in odd case and names just outside the
//! allow list, `authorization`, duplicates, and rarely forbidden names (silently dropped,
//! SAFE-4) or invalid bytes (`fetch()` throws, HDR-1).

use arbitrary::{Result, Unstructured};
use bytes::Bytes;

use crate::header::{Header, HeaderList};
use crate::policy::{AllowedNames, Policy};
use crate::rule::Rule;

use super::choose::{below, one, weighted};

/// What one generated header line (or line set) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeaderClass {
    /// An ordinary safelisted header (`accept: */*`, `accept-language: en-US,en;q=0.9`).
    Safelisted,
    /// A safelisted `content-type`: the three essences, any case, with parameters.
    ContentType,
    /// A `content-type` just outside the safelist: `application/json`, `text/plainx`,
    /// `text/plain, application/json`, a quoted parameter (SAFE-2 byte).
    ContentTypeNearMiss,
    /// A safelisted name with a value of 127, 128 or 129 bytes (SAFE-1).
    ValueLength,
    /// Safelisted lines totalling 1023, 1024 or 1025 bytes (SAFE-3); always the whole set.
    TotalLength,
    /// `range`: `bytes=0-`, `bytes=100-200`, and invalid ones (`bytes=200-100`, `bytes=-5`).
    Range,
    /// `accept-language` / `content-language` with bytes outside their alphabet (`de_DE`).
    LanguageOdd,
    /// A name the policy allows.
    Listed,
    /// A name the policy allows, in another case (`X-Request-ID`).
    ListedCase,
    /// A name just outside the allow list (`x-request-id2`, `x-request_id`, `x-request-i`).
    NearName,
    /// `authorization` (SAFE-6, PRE-9: never covered by `*`).
    Authorization,
    /// A common custom or non-safelisted header (`x-requested-with`, `cache-control`).
    Custom,
    /// A name set twice (different case).
    Duplicate,
    /// A forbidden name (`cookie`, `origin`, `sec-*`): the browser drops it silently (SAFE-4).
    Forbidden,
    /// A value with bytes that make it CORS-unsafe (SAFE-2: `"`, `(`, `@`, controls, 0xFF).
    OddValue,
    /// A name that is not a token or a value with NUL/CR/LF: `fetch()` throws (HDR-1).
    Invalid,
}

impl HeaderClass {
    pub const ALL: &'static [HeaderClass] = &[
        HeaderClass::Safelisted,
        HeaderClass::ContentType,
        HeaderClass::ContentTypeNearMiss,
        HeaderClass::ValueLength,
        HeaderClass::TotalLength,
        HeaderClass::Range,
        HeaderClass::LanguageOdd,
        HeaderClass::Listed,
        HeaderClass::ListedCase,
        HeaderClass::NearName,
        HeaderClass::Authorization,
        HeaderClass::Custom,
        HeaderClass::Duplicate,
        HeaderClass::Forbidden,
        HeaderClass::OddValue,
        HeaderClass::Invalid,
    ];

    /// Per mille per header line, in [`HeaderClass::ALL`] order (`TotalLength` is drawn per
    /// request instead: 0 here).
    const WEIGHTS: [u32; 16] = [161, 80, 90, 60, 0, 50, 45, 130, 60, 90, 60, 70, 40, 25, 30, 9];

    pub fn name(self) -> &'static str {
        match self {
            HeaderClass::Safelisted => "safelisted",
            HeaderClass::ContentType => "content-type",
            HeaderClass::ContentTypeNearMiss => "content-type-near-miss",
            HeaderClass::ValueLength => "value-length",
            HeaderClass::TotalLength => "total-length",
            HeaderClass::Range => "range",
            HeaderClass::LanguageOdd => "language-odd",
            HeaderClass::Listed => "listed",
            HeaderClass::ListedCase => "listed-case",
            HeaderClass::NearName => "near-name",
            HeaderClass::Authorization => "authorization",
            HeaderClass::Custom => "custom",
            HeaderClass::Duplicate => "duplicate",
            HeaderClass::Forbidden => "forbidden",
            HeaderClass::OddValue => "odd-value",
            HeaderClass::Invalid => "invalid",
        }
    }

    pub fn rules(self) -> &'static [Rule] {
        match self {
            HeaderClass::Safelisted | HeaderClass::Range | HeaderClass::LanguageOdd => &[Rule::Safe1],
            HeaderClass::ContentType => &[Rule::Safe1, Rule::Safe2],
            HeaderClass::ContentTypeNearMiss => &[Rule::Safe1, Rule::Safe2, Rule::Pre10],
            HeaderClass::ValueLength => &[Rule::Safe1, Rule::Safe3],
            HeaderClass::TotalLength => &[Rule::Safe3, Rule::Safe5],
            HeaderClass::Listed | HeaderClass::ListedCase => &[Rule::Pre10, Rule::Srv13],
            HeaderClass::NearName => &[Rule::Pre10, Rule::Srv13],
            HeaderClass::Authorization => &[Rule::Safe6, Rule::Pre9],
            HeaderClass::Custom => &[Rule::Pre1, Rule::Pre10],
            HeaderClass::Duplicate => &[Rule::Safe3, Rule::Pre3],
            HeaderClass::Forbidden => &[Rule::Safe4],
            HeaderClass::OddValue => &[Rule::Safe2],
            HeaderClass::Invalid => &[Rule::Hdr1],
        }
    }
}

/// The policy's allowed request-header names, as the generators use them.
#[derive(Debug, Clone)]
pub(crate) struct HeaderNames {
    listed: Vec<String>,
    any: bool,
    /// Per listed name, in order, what `listed` and `near-name` lines draw from it: derived
    /// once per policy instead of once per line.
    listed_forms: Vec<NameForms>,
    /// The same for [`NAME_POOL`], used when the policy lists no name.
    pool_forms: Vec<NameForms>,
}

/// A name's generated forms, as shared bytes.
#[derive(Debug, Clone)]
struct NameForms {
    name: Bytes,
    /// Its other cases (upper, title, alternate), those that differ from it, in that order.
    cases: Vec<Bytes>,
    /// [`near_names`] the policy does not allow.
    near: Vec<Bytes>,
}

impl HeaderNames {
    pub(crate) fn of(policy: &Policy) -> HeaderNames {
        let mut names = HeaderNames {
            listed: policy.allow_headers.listed().iter().map(|n| n.as_str().to_owned()).collect(),
            any: matches!(policy.allow_headers, AllowedNames::Any),
            listed_forms: Vec::new(),
            pool_forms: Vec::new(),
        };
        names.listed_forms = names.listed.iter().map(|n| names.forms(n)).collect();
        names.pool_forms = NAME_POOL.iter().map(|n| names.forms(n)).collect();
        names
    }

    fn forms(&self, name: &str) -> NameForms {
        let cases = [name.to_ascii_uppercase(), title_case(name), alternate_case(name)];
        let mut near = near_names(name);
        near.retain(|c| !self.allows(c));
        NameForms {
            name: Bytes::copy_from_slice(name.as_bytes()),
            cases: cases.into_iter().filter(|v| v != name).map(Bytes::from).collect(),
            near: near.into_iter().map(Bytes::from).collect(),
        }
    }

    fn allows(&self, name: &str) -> bool {
        self.any || self.listed.iter().any(|l| l.eq_ignore_ascii_case(name))
    }
}

/// Names tried when the policy lists none (or `*`).
const NAME_POOL: [&str; 3] = ["x-request-id", "x-api-key", "x-custom-header"];

const SAFELISTED: [(&str, &str); 9] = [
    ("Accept", "*/*"),
    ("accept", "application/json"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("accept-language", "de"),
    ("Content-Language", "en"),
    ("content-language", "de-DE, en"),
    ("accept-language", "*"),
    ("Accept", ""),
];

const CONTENT_TYPE: [&str; 10] = [
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "TEXT/Plain",
    "text/plain;garbage",
    "text/plain ; charset=utf-8",
    "application/x-www-form-urlencoded;charset=UTF-8",
    "Multipart/Form-Data;boundary=x",
    // Safelisted: the comma is inside the charset parameter (a matcher splitting on `,` sees
    // `application/json`).
    "text/plain;charset=utf-8, application/json",
];

const CONTENT_TYPE_NEAR_MISS: [&str; 18] = [
    "application/json",
    "application/json;charset=UTF-8",
    "text/plain, application/json",
    "text /plain",
    "text/plainx",
    "text/plai",
    "textplain",
    "application/x-www-form-urlencoded2",
    "multipart/form-data-x",
    "multipart/mixed",
    "text/html",
    "text/plain;charset=\"utf-8\"",
    "text/plain; x=(a)",
    "application/csp-report",
    "application/xml",
    "",
    "text/*",
    "application/json, text/plain",
];

const RANGE: [&str; 14] = [
    "bytes=0-",
    "bytes=0-0",
    "bytes=100-200",
    "bytes=00000000000000000000000000001-2",
    "bytes=5-5",
    "bytes=-500",
    "bytes=200-100",
    "bytes=0-1,2-3",
    "bytes= 0-",
    "Bytes=0-",
    "items=0-9",
    "bytes=1e3-",
    "bytes=0-99999999999999999999999",
    "bytes=99999999999999999999999-1",
];

const LANGUAGE_ODD: [(&str, &[u8]); 10] = [
    ("Accept-Language", b"de_DE"),
    ("accept-language", b"en@US"),
    ("accept-language", b"en-US;q=0.9\"x\""),
    ("Content-Language", b"en/US"),
    ("content-language", b"\xfc"),
    ("accept-language", b"zh-Hant-TW(x)"),
    ("accept-language", b"en-US:q"),
    ("accept-language", b"en-US,en;q=0.9,*;q=0.1"),
    ("Content-Language", b"~en"),
    ("accept-language", b"en`"),
];

const AUTHORIZATION: [(&str, &str); 4] = [
    ("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"),
    ("authorization", "Basic dXNlcjpwYXNz"),
    ("AUTHORIZATION", "Bearer x"),
    ("authorization", ""),
];

const CUSTOM: [(&str, &str); 9] = [
    ("X-Requested-With", "XMLHttpRequest"),
    ("x-custom-header", "1"),
    ("X-Api-Key", "k"),
    ("x-csrf-token", "t0k3n"),
    ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ("If-None-Match", "\"abc\""),
    ("Cache-Control", "no-cache"),
    ("X-HTTP-Method-Override", "PUT"),
    ("x_under", "1"),
];

const FORBIDDEN: [(&str, &str); 10] = [
    ("Cookie", "session=1"),
    ("Origin", "https://evil.test"),
    ("Sec-Fetch-Site", "same-origin"),
    ("Proxy-Authorization", "Basic x"),
    ("X-HTTP-Method-Override", "TRACE"),
    ("Host", "evil.test"),
    ("Referer", "https://evil.test/"),
    ("Content-Length", "0"),
    ("Access-Control-Request-Headers", "x-a"),
    ("Connection", "close"),
];

const ODD_VALUE: [(&str, &[u8]); 10] = [
    ("Accept", b"*/*\x01"),
    ("Content-Type", b"text/plain;\x7f"),
    ("Accept", b"text/\xffplain"),
    ("accept", b"*/*; q=`0.9`"),
    ("Content-Type", b"text/plain;a=\"b\""),
    ("content-type", b"text/plain\t;x=1"),
    ("Accept", b"*/*(x)"),
    ("content-type", b"text/plain@x"),
    ("Accept", b"application/json{}"),
    ("x-custom-header", b"\x80\xff%60`"),
];

const INVALID: [(&[u8], &[u8]); 6] =
    [(b"x bad", b"1"), (b"x-a:", b"1"), (b"", b"1"), (b"x-a", b"a\nb"), (b"x-a", b"a\x00b"), (b"x-\xc3\xa9", b"1")];

/// Value patterns for safelisted names, repeated to any length (no byte that SAFE-1/2 reject,
/// no trailing whitespace).
fn pattern(name: &str) -> &'static [u8] {
    match name {
        "accept" => b"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8,",
        "accept-language" => b"en-US,en;q=0.9,de-DE;q=0.8,fr;q=0.7,",
        "content-language" => b"de-DE,en-US,fr-CA,",
        _ => b"text/plain;charset=utf-8;x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    }
}

fn padded(name: &str, len: usize) -> Vec<u8> {
    let p = pattern(name);
    if name == "content-type" {
        let mut v = p[..p.len().min(len)].to_vec();
        v.resize(len, b'a');
        return v;
    }
    p.iter().copied().cycle().take(len).collect()
}

/// One generated line before it enters the header list.
/// Most come from the tables: static, never copied.
type Line = (Bytes, Bytes);

fn line(name: &'static str, value: &'static [u8]) -> Line {
    (Bytes::from_static(name.as_bytes()), Bytes::from_static(value))
}

fn owned_line(name: impl Into<Vec<u8>>, value: impl Into<Bytes>) -> Line {
    (Bytes::from(name.into()), value.into())
}

/// The author header set of one request and the classes it holds.
pub(crate) fn headers(u: &mut Unstructured<'_>, names: &HeaderNames) -> Result<(HeaderList, Vec<HeaderClass>)> {
    let mut lines: Vec<Line> = Vec::new();
    let mut classes = Vec::new();
    // 4%: a set of safelisted lines totalling 1023/1024/1025 bytes, alone so that the total
    // is exact (an `accept` line among them keeps the default `Accept: */*` out, SAFE-5).
    if weighted(u, &[960, 40])? == 1 {
        let total = *one(u, &[1023usize, 1024, 1025])?;
        let cycle = ["accept", "accept-language", "content-language"];
        let mut left = total;
        let mut i = below(u, 3)?;
        while left > 0 {
            let len = left.min(128);
            let name = cycle[i % 3];
            lines.push((Bytes::from_static(name.as_bytes()), padded(name, len).into()));
            left -= len;
            i += 1;
        }
        classes.push(HeaderClass::TotalLength);
        return Ok((to_list(lines), classes));
    }
    let count = weighted(u, &[300, 300, 200, 120, 80])?;
    for _ in 0..count {
        let class = HeaderClass::ALL[weighted(u, &HeaderClass::WEIGHTS)?];
        let class = one_line(u, class, names, &mut lines)?;
        classes.push(class);
    }
    Ok((to_list(lines), classes))
}

/// As [`HeaderList::append`] would (value normalized), sharing the lines' bytes.
fn to_list(lines: Vec<Line>) -> HeaderList {
    let mut list = HeaderList(Vec::with_capacity(lines.len()));
    for (name, value) in lines {
        let normalized = crate::header::normalize_value(&value);
        let value = if normalized.is_empty() { Bytes::new() } else { value.slice_ref(normalized) };
        list.push(Header { name, value });
    }
    list
}

/// Appends the line(s) of one class; returns the class actually produced (a class that does
/// not apply to the policy falls back to the nearest one that does).
fn one_line(
    u: &mut Unstructured<'_>,
    class: HeaderClass,
    names: &HeaderNames,
    lines: &mut Vec<Line>,
) -> Result<HeaderClass> {
    match class {
        HeaderClass::Safelisted => {
            let (n, v) = one(u, &SAFELISTED)?;
            lines.push(line(n, v.as_bytes()));
        }
        HeaderClass::ContentType => {
            let name = one(u, &["Content-Type", "content-type"])?;
            lines.push(line(name, one(u, &CONTENT_TYPE)?.as_bytes()));
        }
        HeaderClass::ContentTypeNearMiss => {
            lines.push(line("Content-Type", one(u, &CONTENT_TYPE_NEAR_MISS)?.as_bytes()));
        }
        HeaderClass::ValueLength => {
            let name = *one(u, &["accept", "accept-language", "content-language", "content-type"])?;
            let len = *one(u, &[127usize, 128, 129])?;
            lines.push((Bytes::from_static(name.as_bytes()), padded(name, len).into()));
        }
        HeaderClass::TotalLength => unreachable!("drawn per request"),
        HeaderClass::Range => lines.push(line(one(u, &["Range", "range"])?, one(u, &RANGE)?.as_bytes())),
        HeaderClass::LanguageOdd => {
            let (n, v) = one(u, &LANGUAGE_ODD)?;
            lines.push(line(n, v));
        }
        HeaderClass::Listed | HeaderClass::ListedCase => {
            let (name, forms) = match (names.listed.as_slice(), names.any) {
                ([], false) => return one_line(u, HeaderClass::Custom, names, lines),
                ([], true) => {
                    let i = below(u, NAME_POOL.len())?;
                    (NAME_POOL[i], &names.pool_forms[i])
                }
                (listed, _) => {
                    let i = below(u, listed.len())?;
                    (listed[i].as_str(), &names.listed_forms[i])
                }
            };
            let shown = if class == HeaderClass::ListedCase {
                match forms.cases.as_slice() {
                    [] => return one_line(u, HeaderClass::Listed, names, lines),
                    vs => one(u, vs)?.clone(),
                }
            } else {
                forms.name.clone()
            };
            lines.push((shown, Bytes::from_static(value_for(name))));
        }
        HeaderClass::NearName => {
            let (base, forms) = match names.listed.as_slice() {
                [] => {
                    let i = below(u, NAME_POOL.len())?;
                    (NAME_POOL[i], &names.pool_forms[i])
                }
                listed => {
                    let i = below(u, listed.len())?;
                    (listed[i].as_str(), &names.listed_forms[i])
                }
            };
            if forms.near.is_empty() {
                return one_line(u, HeaderClass::Custom, names, lines);
            }
            let name = one(u, &forms.near)?;
            lines.push((name.clone(), Bytes::from_static(value_for(base))));
        }
        HeaderClass::Authorization => {
            let (n, v) = one(u, &AUTHORIZATION)?;
            lines.push(line(n, v.as_bytes()));
        }
        HeaderClass::Custom => {
            let (n, v) = one(u, &CUSTOM)?;
            lines.push(line(n, v.as_bytes()));
        }
        HeaderClass::Duplicate => {
            if lines.is_empty() {
                lines.push(line("X-A", b"1"));
                lines.push(line("x-a", b"2"));
            } else {
                let (name, value) = lines[below(u, lines.len())?].clone();
                let name = flip_case(&name);
                let value = if below(u, 2)? == 0 { value } else { [&value[..], b"2"].concat().into() };
                lines.push(owned_line(name, value));
            }
        }
        HeaderClass::Forbidden => {
            let (n, v) = one(u, &FORBIDDEN)?;
            lines.push(line(n, v.as_bytes()));
        }
        HeaderClass::OddValue => {
            let (n, v) = one(u, &ODD_VALUE)?;
            lines.push(line(n, v));
        }
        HeaderClass::Invalid => {
            let (n, v) = one(u, &INVALID)?;
            lines.push((Bytes::from_static(n), Bytes::from_static(v)));
        }
    }
    Ok(class)
}

/// A plausible value for a header name the policy may list.
fn value_for(name: &str) -> &'static [u8] {
    match name {
        "content-type" => b"application/json",
        "accept" => b"application/json",
        "authorization" => b"Bearer t",
        "range" => b"bytes=0-1",
        "accept-language" | "content-language" => b"en",
        _ => b"1",
    }
}

/// Names one edit away from `name` that a sloppy matcher may take for it.
fn near_names(name: &str) -> Vec<String> {
    let mut out = vec![format!("{name}2"), format!("{name}-x"), format!("x-{name}")];
    if name.len() > 1 {
        out.push(name[..name.len() - 1].to_owned());
    }
    if name.contains('-') {
        out.push(name.replace('-', "_"));
        out.push(name.replace('-', ""));
    } else {
        out.push(format!("{name}_"));
    }
    out.retain(|n| n != name);
    out
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = c == '-';
    }
    out
}

fn alternate_case(s: &str) -> String {
    s.chars().enumerate().map(|(i, c)| if i % 2 == 1 { c.to_ascii_uppercase() } else { c }).collect()
}

fn flip_case(name: &[u8]) -> Vec<u8> {
    name.iter().map(|b| if b.is_ascii_lowercase() { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safelist::is_cors_safelisted_request_header;

    #[test]
    fn safe1_padded_values_stay_safelisted_up_to_128_bytes() {
        for name in ["accept", "accept-language", "content-language", "content-type"] {
            // (A 1-byte content-type is no MIME type; only the language and accept lines
            // are cut that short, to make up a total.)
            for len in [if name == "content-type" { 40 } else { 1 }, 127, 128] {
                let v = padded(name, len);
                assert_eq!(v.len(), len);
                assert!(is_cors_safelisted_request_header(name.as_bytes(), &v), "{name} {len}");
            }
            assert!(!is_cors_safelisted_request_header(name.as_bytes(), &padded(name, 129)), "{name}");
        }
    }

    #[test]
    fn near_names_are_tokens_and_differ() {
        for n in ["x-request-id", "a", "content-type"] {
            for near in near_names(n) {
                assert!(crate::header::is_token(near.as_bytes()) && near != n, "{near}");
            }
        }
    }
}
