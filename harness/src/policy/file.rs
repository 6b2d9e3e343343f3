//! The policy file: TOML, loaded with serde (unknown keys rejected) and `toml::Spanned`, so every
//! error points at the offending bytes and renders with miette as `file:line:column`, the
//! snippet and a hint.
//!
//! ```toml
//! origins = ["https://app.example.com", "https://*.example.com"]  # ["*"] = any origin, alone
//! methods = ["GET", "POST", "PUT"]           # or ["*"]; default GET, HEAD, POST
//! allow_headers = ["content-type", "x-request-id"]   # or ["*"]; default none
//! expose_headers = ["x-total-count"]         # or ["*"]; default none
//! credentials = true                         # default false
//! max_age = 600                              # seconds; default: absent
//! private_network = false                    # default false
//! ```
//!
//! Only `origins` is required. Keys are never renamed; new ones may be added.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};
use serde::Deserialize;
use toml::Spanned;

use super::model::{
    AllowedMethods, AllowedNames, AllowedOrigins, HeaderName, MethodName, NameError, OriginRule, OriginRuleError,
    Policy, quote,
};
use super::warning::{self, Anchor, PolicyWarning};

/// A key of the policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKey {
    Origins,
    Methods,
    AllowHeaders,
    ExposeHeaders,
    Credentials,
    MaxAge,
    PrivateNetwork,
}

impl PolicyKey {
    /// Every key, in the order files list them.
    pub const ALL: [PolicyKey; 7] = [
        PolicyKey::Origins,
        PolicyKey::Methods,
        PolicyKey::AllowHeaders,
        PolicyKey::ExposeHeaders,
        PolicyKey::Credentials,
        PolicyKey::MaxAge,
        PolicyKey::PrivateNetwork,
    ];

    /// The key as written in a file (`allow_headers`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyKey::Origins => "origins",
            PolicyKey::Methods => "methods",
            PolicyKey::AllowHeaders => "allow_headers",
            PolicyKey::ExposeHeaders => "expose_headers",
            PolicyKey::Credentials => "credentials",
            PolicyKey::MaxAge => "max_age",
            PolicyKey::PrivateNetwork => "private_network",
        }
    }

    pub fn from_name(name: &str) -> Option<PolicyKey> {
        PolicyKey::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The key closest to an unknown one (`allowed_headers` → `allow_headers`), if any is close.
    pub fn closest(unknown: &str) -> Option<PolicyKey> {
        use PolicyKey::*;
        const ALIASES: &[(&str, PolicyKey)] = &[
            ("origin", Origins),
            ("allow_origin", Origins),
            ("allow_origins", Origins),
            ("allowed_origins", Origins),
            ("method", Methods),
            ("allow_methods", Methods),
            ("allowed_methods", Methods),
            ("headers", AllowHeaders),
            ("allowed_headers", AllowHeaders),
            ("request_headers", AllowHeaders),
            ("expose", ExposeHeaders),
            ("exposed_headers", ExposeHeaders),
            ("allow_credentials", Credentials),
            ("supports_credentials", Credentials),
            ("maxage", MaxAge),
            ("max_age_seconds", MaxAge),
            ("allow_private_network", PrivateNetwork),
        ];
        let lower = unknown.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let norm = lower.strip_prefix("access_control_").unwrap_or(&lower);
        if let Some(key) = PolicyKey::from_name(norm) {
            return Some(key);
        }
        if let Some((_, key)) = ALIASES.iter().find(|(alias, _)| *alias == norm) {
            return Some(*key);
        }
        PolicyKey::ALL
            .into_iter()
            .map(|k| (edit_distance(norm, k.as_str()), k))
            .filter(|(d, k)| *d <= (k.as_str().len() / 3).max(1))
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }
}

impl fmt::Display for PolicyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A policy loaded from a file, with the warnings about dangerous-but-valid choices in it.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    pub policy: Policy,
    /// In file order.
    pub warnings: Vec<PolicyWarning>,
}

/// What is wrong in a policy file. The message (`Display`) names the problem; the hint
/// ([`PolicyError::hint`]) says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    #[error("invalid TOML: {message}")]
    Syntax { message: String },
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("unknown key `{key}`")]
    UnknownKey { key: String, suggestion: Option<PolicyKey> },
    #[error("missing key `origins`")]
    MissingOrigins,
    #[error("`{key}` must be {expected}, found {found}")]
    WrongType { key: PolicyKey, expected: &'static str, found: &'static str },
    #[error("`origins` is empty: no origin would be allowed")]
    EmptyOrigins,
    #[error("invalid origin `{value}`: {reason}")]
    InvalidOrigin { value: String, reason: OriginRuleError },
    #[error("`\"*\"` must be the only entry of `{key}`")]
    WildcardNotAlone { key: PolicyKey },
    #[error("invalid {} `{value}` in `{key}`: {reason}", name_kind(*.key))]
    InvalidName { key: PolicyKey, value: String, reason: NameError },
    #[error("`{value}` is listed twice in `{key}`")]
    Duplicate { key: PolicyKey, value: String },
    #[error("`max_age` cannot be negative ({value})")]
    NegativeMaxAge { value: String },
    #[error("`max_age` is too large ({value})")]
    MaxAgeTooLarge { value: String },
}

fn name_kind(key: PolicyKey) -> &'static str {
    if key == PolicyKey::Methods { "method" } else { "header name" }
}

impl PolicyErrorKind {
    /// A stable diagnostic code, e.g. `policy::unknown-key`.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyErrorKind::Syntax { .. } => "policy::syntax",
            PolicyErrorKind::NotUtf8 => "policy::not-utf8",
            PolicyErrorKind::UnknownKey { .. } => "policy::unknown-key",
            PolicyErrorKind::MissingOrigins => "policy::missing-origins",
            PolicyErrorKind::WrongType { .. } => "policy::wrong-type",
            PolicyErrorKind::EmptyOrigins => "policy::empty-origins",
            PolicyErrorKind::InvalidOrigin { .. } => "policy::invalid-origin",
            PolicyErrorKind::WildcardNotAlone { .. } => "policy::wildcard-not-alone",
            PolicyErrorKind::InvalidName { .. } => "policy::invalid-name",
            PolicyErrorKind::Duplicate { .. } => "policy::duplicate",
            PolicyErrorKind::NegativeMaxAge { .. } => "policy::negative-max-age",
            PolicyErrorKind::MaxAgeTooLarge { .. } => "policy::max-age-too-large",
        }
    }
}

/// An error in a policy file, with its location. Renders through miette (it is a
/// [`Diagnostic`] with the file as source code, a labelled span and a help line); plain
/// `Display` gives the message only, [`PolicyError::location`] the `file:line:column`.
///
/// When a file has several independent errors, this is the first in file order and
/// [`PolicyError::others`] holds the rest (rendered by miette as related diagnostics).
#[derive(Debug, Clone)]
pub struct PolicyError(Box<ErrorInner>);

#[derive(Debug, Clone)]
struct ErrorInner {
    kind: PolicyErrorKind,
    source: NamedSource<Arc<str>>,
    span: Range<usize>,
    label: String,
    secondary: Option<(Range<usize>, String)>,
    help: Option<String>,
    line: usize,
    column: usize,
    others: Vec<PolicyError>,
}

impl PolicyError {
    fn new(issue: Issue, source: &NamedSource<Arc<str>>) -> PolicyError {
        let (line, column) = line_column(source.inner(), issue.span.start);
        PolicyError(Box::new(ErrorInner {
            kind: issue.kind,
            source: source.clone(),
            span: issue.span,
            label: issue.label,
            secondary: issue.secondary,
            help: issue.help,
            line,
            column,
            others: Vec::new(),
        }))
    }

    pub fn kind(&self) -> &PolicyErrorKind {
        &self.0.kind
    }

    /// Byte range of the offending text in the file.
    pub fn span(&self) -> Range<usize> {
        self.0.span.clone()
    }

    /// 1-based line of the start of [`PolicyError::span`].
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// 1-based column (in characters) of the start of [`PolicyError::span`].
    pub fn column(&self) -> usize {
        self.0.column
    }

    /// `file:line:column`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.0.source.name(), self.0.line, self.0.column)
    }

    pub fn file_name(&self) -> &str {
        self.0.source.name()
    }

    /// What to write instead.
    pub fn hint(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// The label under the offending text (`"unknown key"`).
    pub fn label(&self) -> &str {
        &self.0.label
    }

    /// Further errors found in the same file, in file order.
    pub fn others(&self) -> &[PolicyError] {
        &self.0.others
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.kind.fmt(f)
    }
}

impl std::error::Error for PolicyError {}

impl Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.0.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(Some(self.0.label.clone()), self.0.span.clone());
        let secondary =
            self.0.secondary.iter().map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), span.clone()));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.0.others.is_empty() {
            return None;
        }
        Some(Box::new(self.0.others.iter().map(|e| e as &dyn Diagnostic)))
    }
}

/// Why [`Policy::load`] failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("cannot read policy file {}", .path.display())]
    #[diagnostic(code(policy::io))]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] PolicyError),
}

/// 1-based line and column (in characters) of a byte offset. Offsets past the end or inside a
/// character are moved back to the nearest character boundary.
pub(super) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Policy {
    /// Parses a policy file. `file_name` names the source in diagnostics. Never panics.
    ///
    /// ```
    /// use cors_harness::policy::Policy;
    ///
    /// let err = Policy::from_toml_str("origins = [\"https://a.example/\"]\n", "cors.toml").unwrap_err();
    /// assert_eq!((err.line(), err.column()), (1, 12));
    /// assert!(err.hint().unwrap().contains("remove the trailing slash: browsers send `https://a.example`"));
    /// ```
    pub fn from_toml_str(source: &str, file_name: &str) -> Result<LoadedPolicy, PolicyError> {
        let named = NamedSource::new(file_name, Arc::<str>::from(source)).with_language("TOML");
        Loader::new(source)
            .load()
            .map_err(|issues| {
                let mut errors = issues.into_iter().map(|i| PolicyError::new(i, &named));
                let mut first = errors.next().unwrap_or_else(|| {
                    let kind = PolicyErrorKind::Syntax { message: "invalid policy".into() };
                    PolicyError::new(Issue::new(kind, 0..0, "here"), &named)
                });
                first.0.others = errors.collect();
                first
            })
            .map(|(policy, findings, spans)| {
                let mut warnings: Vec<PolicyWarning> = findings
                    .into_iter()
                    .map(|f| {
                        let labels =
                            f.anchors.into_iter().filter_map(|(a, l)| spans.resolve(a).map(|s| (s, l))).collect();
                        PolicyWarning::new(f.kind, labels, Some(named.clone()))
                    })
                    .collect();
                warnings.sort_by_key(|w| w.span().map_or(usize::MAX, |s| s.start));
                LoadedPolicy { policy, warnings }
            })
    }

    /// Reads and parses a policy file. A file that is not UTF-8 is a [`PolicyErrorKind::NotUtf8`]
    /// error pointing at the first bad byte.
    pub fn load(path: impl AsRef<Path>) -> Result<LoadedPolicy, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
        let name = path.display().to_string();
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Policy::from_toml_str(&text, &name)?),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let span = at..(at + char::REPLACEMENT_CHARACTER.len_utf8()).min(text.len());
                let named = NamedSource::new(&name, Arc::<str>::from(text)).with_language("TOML");
                let mut issue = Issue::new(PolicyErrorKind::NotUtf8, span, "not UTF-8");
                issue.help = Some("save the file as UTF-8".into());
                Err(PolicyError::new(issue, &named).into())
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Raw deserialization

/// The file as serde sees it: every key optional and of any type, so that type errors can name
/// the key and suggest the fix.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    origins: Option<Spanned<RawValue>>,
    methods: Option<Spanned<RawValue>>,
    allow_headers: Option<Spanned<RawValue>>,
    expose_headers: Option<Spanned<RawValue>>,
    credentials: Option<Spanned<RawValue>>,
    max_age: Option<Spanned<RawValue>>,
    private_network: Option<Spanned<RawValue>>,
}

/// Any TOML value, array elements with their spans.
enum RawValue {
    Str(String),
    Int(i128),
    Float,
    Bool(bool),
    Array(Vec<Spanned<RawValue>>),
    Table,
    Datetime,
}

impl RawValue {
    fn type_name(&self) -> &'static str {
        match self {
            RawValue::Str(_) => "a string",
            RawValue::Int(_) => "an integer",
            RawValue::Float => "a float",
            RawValue::Bool(_) => "a boolean",
            RawValue::Array(_) => "an array",
            RawValue::Table => "a table",
            RawValue::Datetime => "a date-time",
        }
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawValue, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any TOML value")
            }
            fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
                Ok(RawValue::Str(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
                Ok(RawValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
                Ok(RawValue::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
                Ok(RawValue::Int(v.into()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<RawValue, E> {
                Ok(RawValue::Int(v))
            }
            fn visit_u128<E>(self, v: u128) -> Result<RawValue, E> {
                Ok(RawValue::Int(i128::try_from(v).unwrap_or(i128::MAX)))
            }
            fn visit_f64<E>(self, _: f64) -> Result<RawValue, E> {
                Ok(RawValue::Float)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<RawValue>>()? {
                    items.push(item);
                }
                Ok(RawValue::Array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
                // toml hands date-times to serde as a one-key map with a private key name.
                let mut datetime = false;
                while let Some(key) = map.next_key::<String>()? {
                    datetime |= key.contains("toml_private_datetime");
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
                Ok(if datetime { RawValue::Datetime } else { RawValue::Table })
            }
        }
        d.deserialize_any(Visitor)
    }
}

// ------------------------------------------------------------------------------------------------
// Validation

/// One problem found in a file.
struct Issue {
    kind: PolicyErrorKind,
    span: Range<usize>,
    label: String,
    help: Option<String>,
    secondary: Option<(Range<usize>, String)>,
}

impl Issue {
    fn new(kind: PolicyErrorKind, span: Range<usize>, label: impl Into<String>) -> Issue {
        Issue { kind, span, label: label.into(), help: None, secondary: None }
    }

    fn help(mut self, help: impl Into<String>) -> Issue {
        self.help = Some(help.into());
        self
    }
}

/// Where each part of a loaded policy was written, to point warnings at it.
#[derive(Default)]
struct SpanIndex {
    keys: HashMap<PolicyKey, Range<usize>>,
    entries: HashMap<PolicyKey, Vec<Range<usize>>>,
}

impl SpanIndex {
    fn resolve(&self, anchor: Anchor) -> Option<Range<usize>> {
        match anchor {
            Anchor::Key(key) => self.keys.get(&key).cloned(),
            Anchor::Entry(key, i) => self.entries.get(&key).and_then(|e| e.get(i)).cloned(),
        }
    }
}

struct Loader<'s> {
    source: &'s str,
    issues: Vec<Issue>,
    spans: SpanIndex,
}

type Loaded = (Policy, Vec<warning::Finding>, SpanIndex);

impl<'s> Loader<'s> {
    fn new(source: &'s str) -> Loader<'s> {
        Loader { source, issues: Vec::new(), spans: SpanIndex::default() }
    }

    fn load(mut self) -> Result<Loaded, Vec<Issue>> {
        let raw: RawPolicy = toml::from_str(self.source).map_err(|e| vec![self.toml_error(&e)])?;
        let defaults = Policy::default();
        let origins = match &raw.origins {
            Some(v) => self.origins(v),
            None => {
                self.issues.push(Issue::new(PolicyErrorKind::MissingOrigins, 0..0, "`origins` is required").help(
                    "add the origins allowed to read responses, e.g. \
                         `origins = [\"https://app.example.com\"]`, or `origins = [\"*\"]` for a public resource",
                ));
                None
            }
        };
        let methods = match &raw.methods {
            Some(v) => self.names(PolicyKey::Methods, v).map(|names| match names {
                None => AllowedMethods::Any,
                Some(list) => AllowedMethods::List(list.iter().filter_map(|n| MethodName::new(n).ok()).collect()),
            }),
            None => Some(defaults.methods),
        };
        let allow_headers = self.header_names(PolicyKey::AllowHeaders, raw.allow_headers.as_ref());
        let expose_headers = self.header_names(PolicyKey::ExposeHeaders, raw.expose_headers.as_ref());
        let credentials = self.boolean(PolicyKey::Credentials, raw.credentials.as_ref());
        let private_network = self.boolean(PolicyKey::PrivateNetwork, raw.private_network.as_ref());
        let max_age = self.max_age(raw.max_age.as_ref());

        match (origins, methods, allow_headers, expose_headers, credentials, private_network, max_age) {
            (
                Some(origins),
                Some(methods),
                Some(allow_headers),
                Some(expose_headers),
                Some(credentials),
                Some(private_network),
                Some(max_age),
            ) if self.issues.is_empty() => {
                let policy =
                    Policy { origins, methods, allow_headers, expose_headers, credentials, max_age, private_network };
                let findings = warning::findings(&policy);
                Ok((policy, findings, self.spans))
            }
            _ => {
                let mut issues = self.issues;
                issues.sort_by_key(|i| (i.span.start, i.span.end));
                Err(issues)
            }
        }
    }

    fn toml_error(&self, e: &toml::de::Error) -> Issue {
        let span = e.span().unwrap_or(0..0);
        let message = e.message();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let key = match rest.split_once('`') {
                Some((key, _)) => key.to_owned(),
                None => self.source.get(span.clone()).unwrap_or_default().trim_matches(['"', '\'']).to_owned(),
            };
            let suggestion = PolicyKey::closest(&key);
            let valid = PolicyKey::ALL.map(PolicyKey::as_str).join(", ");
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? Valid keys: {valid}"),
                None => format!("valid keys: {valid} (all at the top level of the file)"),
            };
            return Issue::new(PolicyErrorKind::UnknownKey { key, suggestion }, span, "unknown key").help(help);
        }
        let mut issue = Issue::new(PolicyErrorKind::Syntax { message: message.to_owned() }, span, "here");
        if message.contains("duplicate key") {
            issue = issue.help("each key may appear once");
        }
        issue
    }

    fn wrong_type(&mut self, key: PolicyKey, expected: &'static str, value: &Spanned<RawValue>, help: String) {
        let found = value.get_ref().type_name();
        let issue = Issue::new(PolicyErrorKind::WrongType { key, expected, found }, value.span(), found);
        self.issues.push(issue.help(help));
    }

    /// The strings of an array value (with spans); errors for the value or elements of other types.
    fn strings<'v>(&mut self, key: PolicyKey, value: &'v Spanned<RawValue>) -> Option<Vec<(&'v str, Range<usize>)>> {
        let RawValue::Array(items) = value.get_ref() else {
            let help = match value.get_ref() {
                RawValue::Str(s) => format!("write a list: `{key} = [{}]`", quote(s)),
                _ => format!("write a list of strings: `{key} = [\"…\", \"…\"]`"),
            };
            self.wrong_type(key, "an array of strings", value, help);
            return None;
        };
        let mut strings = Vec::with_capacity(items.len());
        for item in items {
            match item.get_ref() {
                RawValue::Str(s) => strings.push((s.as_str(), item.span())),
                _ => self.wrong_type(key, "an array of strings", item, "write each entry as a quoted string".into()),
            }
        }
        Some(strings)
    }

    /// `Some(true)` when the list is exactly `["*"]`, `Some(false)` when it has no `*`; `None`
    /// (after recording the error) when `*` is mixed with other entries.
    fn wildcard(&mut self, key: PolicyKey, entries: &[(&str, Range<usize>)]) -> Option<bool> {
        let Some((_, span)) = entries.iter().find(|(s, _)| *s == "*") else {
            return Some(false);
        };
        if entries.len() == 1 {
            return Some(true);
        }
        let help = match key {
            PolicyKey::Origins => "`\"*\"` already allows every origin: keep it alone, or remove it and list origins",
            _ => "`\"*\"` already allows every name: keep it alone, or remove it and list names",
        };
        self.issues.push(Issue::new(PolicyErrorKind::WildcardNotAlone { key }, span.clone(), "wildcard").help(help));
        None
    }

    /// Records a duplicate if `norm` was seen; returns whether it was new.
    fn first_time(
        &mut self,
        seen: &mut HashMap<String, (String, Range<usize>)>,
        key: PolicyKey,
        norm: String,
        written: &str,
        span: &Range<usize>,
    ) -> bool {
        if let Some((first, first_span)) = seen.get(&norm) {
            let help = if first == written {
                "remove one of them".to_owned()
            } else if key == PolicyKey::Methods {
                format!("`{first}` and `{written}` are the same method after normalization (METH-3); remove one")
            } else {
                format!("`{first}` and `{written}` are the same name: header names are case-insensitive; remove one")
            };
            let mut issue =
                Issue::new(PolicyErrorKind::Duplicate { key, value: written.to_owned() }, span.clone(), "listed again")
                    .help(help);
            issue.secondary = Some((first_span.clone(), "first listed here".into()));
            self.issues.push(issue);
            return false;
        }
        seen.insert(norm, (written.to_owned(), span.clone()));
        true
    }

    fn origins(&mut self, value: &Spanned<RawValue>) -> Option<AllowedOrigins> {
        self.spans.keys.insert(PolicyKey::Origins, value.span());
        let entries = self.strings(PolicyKey::Origins, value)?;
        if entries.is_empty() && matches!(value.get_ref(), RawValue::Array(a) if a.is_empty()) {
            self.issues.push(Issue::new(PolicyErrorKind::EmptyOrigins, value.span(), "empty list").help(
                "list the origins allowed to read responses, or `[\"*\"]` for a public resource; \
                 without CORS, leave the policy out",
            ));
            return None;
        }
        if self.wildcard(PolicyKey::Origins, &entries)? {
            self.spans.entries.insert(PolicyKey::Origins, vec![entries[0].1.clone()]);
            return Some(AllowedOrigins::Any);
        }
        let mut seen = HashMap::new();
        let mut rules = Vec::with_capacity(entries.len());
        let mut spans = Vec::with_capacity(entries.len());
        for (written, span) in entries {
            match OriginRule::parse(written) {
                Ok(rule) => {
                    if self.first_time(&mut seen, PolicyKey::Origins, rule.to_string(), written, &span) {
                        rules.push(rule);
                        spans.push(span);
                    }
                }
                Err(reason) => {
                    let help = reason.help();
                    let label = match &reason {
                        OriginRuleError::NotCanonical { .. } => "not as browsers send it",
                        OriginRuleError::HasPath { trailing_slash: true, .. } => "trailing slash",
                        OriginRuleError::HasPath { .. } => "has a path",
                        OriginRuleError::HasUserinfo { .. } => "has a user name or password",
                        OriginRuleError::PatternMissingScheme { .. }
                        | OriginRuleError::PatternPartialLabel { .. }
                        | OriginRuleError::PatternNotLeftmost { .. }
                        | OriginRuleError::PatternWildcardPosition
                        | OriginRuleError::PatternParentTooShort { .. }
                        | OriginRuleError::PatternNotDomain => "invalid pattern",
                        _ => "not an origin",
                    };
                    let kind = PolicyErrorKind::InvalidOrigin { value: written.to_owned(), reason };
                    self.issues.push(Issue::new(kind, span, label).help(help));
                }
            }
        }
        self.spans.entries.insert(PolicyKey::Origins, spans);
        Some(AllowedOrigins::List(rules))
    }

    /// Validated names of a method or header list: `Some(None)` for `["*"]`, `Some(Some(list))`
    /// for a valid list (as written; the caller builds the typed names), `None` on error.
    fn names<'v>(&mut self, key: PolicyKey, value: &'v Spanned<RawValue>) -> Option<Option<Vec<&'v str>>> {
        self.spans.keys.insert(key, value.span());
        let entries = self.strings(key, value)?;
        if self.wildcard(key, &entries)? {
            self.spans.entries.insert(key, vec![entries[0].1.clone()]);
            return Some(None);
        }
        let mut seen = HashMap::new();
        let mut names = Vec::with_capacity(entries.len());
        let mut spans = Vec::with_capacity(entries.len());
        let mut ok = true;
        for (written, span) in entries {
            let norm = match key {
                PolicyKey::Methods => MethodName::new(written).map(|m| m.to_string()),
                _ => HeaderName::new(written).map(|n| n.to_string()),
            };
            match norm {
                Ok(norm) => {
                    if self.first_time(&mut seen, key, norm, written, &span) {
                        names.push(written);
                        spans.push(span);
                    } else {
                        ok = false;
                    }
                }
                Err(reason) => {
                    ok = false;
                    let help = name_help(key, written, &reason);
                    let kind = PolicyErrorKind::InvalidName { key, value: written.to_owned(), reason };
                    self.issues.push(Issue::new(kind, span, "not an HTTP token").help(help));
                }
            }
        }
        self.spans.entries.insert(key, spans);
        ok.then_some(Some(names))
    }

    fn header_names(&mut self, key: PolicyKey, value: Option<&Spanned<RawValue>>) -> Option<AllowedNames> {
        let Some(value) = value else {
            return Some(AllowedNames::none());
        };
        self.names(key, value).map(|names| match names {
            None => AllowedNames::Any,
            Some(list) => AllowedNames::List(list.iter().filter_map(|n| HeaderName::new(n).ok()).collect()),
        })
    }

    fn boolean(&mut self, key: PolicyKey, value: Option<&Spanned<RawValue>>) -> Option<bool> {
        let Some(value) = value else {
            return Some(false);
        };
        self.spans.keys.insert(key, value.span());
        match value.get_ref() {
            RawValue::Bool(b) => Some(*b),
            RawValue::Str(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                let help = format!("remove the quotes: `{key} = {}`", s.to_ascii_lowercase());
                self.wrong_type(key, "a boolean", value, help);
                None
            }
            _ => {
                self.wrong_type(key, "a boolean", value, format!("write `{key} = true` or `{key} = false`"));
                None
            }
        }
    }

    fn max_age(&mut self, value: Option<&Spanned<RawValue>>) -> Option<Option<u64>> {
        let Some(value) = value else {
            return Some(None);
        };
        let key = PolicyKey::MaxAge;
        self.spans.keys.insert(key, value.span());
        let expected = "a whole number of seconds";
        match value.get_ref() {
            RawValue::Int(n) if *n < 0 => {
                let kind = PolicyErrorKind::NegativeMaxAge { value: n.to_string() };
                let help = "use `max_age = 0` to forbid caching preflights, or leave `max_age` out \
                            (browsers then cache for 5 seconds, PRE-11)";
                self.issues.push(Issue::new(kind, value.span(), "negative").help(help));
                None
            }
            RawValue::Int(n) => match i64::try_from(*n) {
                Ok(n) => Some(Some(n as u64)),
                Err(_) => {
                    let kind = PolicyErrorKind::MaxAgeTooLarge { value: n.to_string() };
                    let help = "browsers cap the max-age at 7200 s (Chromium), 86400 s (Firefox), \
                                600 s (Safari) (PRE-12)";
                    self.issues.push(Issue::new(kind, value.span(), "too large").help(help));
                    None
                }
            },
            RawValue::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                self.wrong_type(key, expected, value, format!("remove the quotes: `max_age = {s}`"));
                None
            }
            _ => {
                self.wrong_type(key, expected, value, "write an integer, e.g. `max_age = 600`".into());
                None
            }
        }
    }
}

fn name_help(key: PolicyKey, written: &str, reason: &NameError) -> String {
    let what = if key == PolicyKey::Methods { "method" } else { "name" };
    match reason {
        NameError::Empty => "remove the empty entry".into(),
        NameError::Wildcard => "write `[\"*\"]` alone".into(),
        NameError::NotToken(_) if written.contains(',') => {
            let parts: Vec<String> = written.split(',').map(str::trim).filter(|p| !p.is_empty()).map(quote).collect();
            format!("write each {what} as its own string: `[{}]`", parts.join(", "))
        }
        NameError::NotToken(':') if key != PolicyKey::Methods => {
            let name = written.split(':').next().unwrap_or_default().trim();
            format!("write the header name only, without `:` and a value: {}", quote(name))
        }
        NameError::NotToken(_) => format!(
            "a {what} is an HTTP token: ASCII letters, digits and !#$%&'*+-.^_`|~, \
             no spaces, quotes or separators (RFC 9110; METH-4, PRE-6)"
        ),
    }
}
