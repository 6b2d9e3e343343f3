//! Request methods as script passes them (METH-1..4, PRE-8): safelisted ones, the six that
//! fetch normalizes written in odd case (`get`, `pUt`), the policy's methods and their case
//! variants (`patch` for a policy listing `PATCH`: a different method, METH-3), custom tokens,
//! and rarely forbidden (`TRACE`) or invalid ones, which make `fetch()` throw.

use arbitrary::{Result, Unstructured};

use crate::method;
use crate::policy::Policy;
use crate::rule::Rule;

use super::choose::{one, weighted};

/// What kind of method a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MethodClass {
    /// `GET`, `HEAD`, `POST` (METH-1).
    Safelisted,
    /// One of the six methods fetch uppercases, in another case (`get`, `Put`, METH-3).
    NormalizedCase,
    /// A method the policy lists beyond the safelisted ones.
    Listed,
    /// A listed method in another case: the same method only for the six of METH-3.
    ListedCase,
    /// A token the policy does not list (`PATCH`, `pAtCh`, `PROPFIND`, `*`).
    Custom,
    /// `CONNECT`, `TRACE`, `TRACK` in any case: `fetch()` throws (METH-2).
    Forbidden,
    /// Not a token: `fetch()` throws (METH-4).
    Invalid,
}

impl MethodClass {
    pub const ALL: &'static [MethodClass] = &[
        MethodClass::Safelisted,
        MethodClass::NormalizedCase,
        MethodClass::Listed,
        MethodClass::ListedCase,
        MethodClass::Custom,
        MethodClass::Forbidden,
        MethodClass::Invalid,
    ];

    /// Per mille, in [`MethodClass::ALL`] order. Forbidden and invalid methods are script
    /// errors (nothing is sent): rare.
    const WEIGHTS: [u32; 7] = [440, 90, 175, 85, 192, 12, 6];

    pub fn name(self) -> &'static str {
        match self {
            MethodClass::Safelisted => "safelisted",
            MethodClass::NormalizedCase => "normalized-case",
            MethodClass::Listed => "listed",
            MethodClass::ListedCase => "listed-case",
            MethodClass::Custom => "custom",
            MethodClass::Forbidden => "forbidden",
            MethodClass::Invalid => "invalid",
        }
    }

    pub fn rules(self) -> &'static [Rule] {
        match self {
            MethodClass::Safelisted => &[Rule::Meth1],
            MethodClass::NormalizedCase => &[Rule::Meth3, Rule::Pre8],
            MethodClass::Listed => &[Rule::Pre8, Rule::Srv12],
            MethodClass::ListedCase => &[Rule::Meth3, Rule::Pre8, Rule::Srv12],
            MethodClass::Custom => &[Rule::Meth4, Rule::Pre8, Rule::Srv12],
            MethodClass::Forbidden => &[Rule::Meth2],
            MethodClass::Invalid => &[Rule::Meth4],
        }
    }
}

const SAFELISTED: [&str; 3] = ["GET", "POST", "HEAD"];
const NORMALIZED_CASE: [&str; 12] =
    ["get", "post", "Post", "head", "put", "Put", "pUT", "delete", "Delete", "options", "Options", "gEt"];
/// Normalized-case spellings of the safelisted methods: all a `no-cors` request may use.
const NORMALIZED_SAFELISTED: [&str; 5] = ["get", "post", "Post", "head", "gEt"];
const CUSTOM: [&str; 14] = [
    "PATCH", "patch", "pAtCh", "Patch", "PROPFIND", "QUERY", "X-CUSTOM", "M-SEARCH", "*", "PURGE", "GETS", "POSTX",
    "PUT2", "DELETE_",
];
const FORBIDDEN: [&str; 5] = ["TRACE", "connect", "TrAcK", "CONNECT", "trace"];
const INVALID: [&str; 5] = ["GE T", "GET\n", "", "PÖST", "GET(1)"];

/// A method for a request; `safelisted_only` for `no-cors` requests (MISC-1), which throw on
/// anything else.
pub(crate) fn method(
    u: &mut Unstructured<'_>,
    policy: &Policy,
    safelisted_only: bool,
) -> Result<(MethodClass, String)> {
    if safelisted_only {
        return Ok(if weighted(u, &[85, 15])? == 0 {
            (MethodClass::Safelisted, (*one(u, &SAFELISTED)?).to_owned())
        } else {
            (MethodClass::NormalizedCase, (*one(u, &NORMALIZED_SAFELISTED)?).to_owned())
        });
    }
    let class = MethodClass::ALL[weighted(u, &MethodClass::WEIGHTS)?];
    let listed: Vec<&str> =
        policy.methods.listed().iter().map(|m| m.as_str()).filter(|m| !method::is_cors_safelisted(m)).collect();
    Ok(match class {
        MethodClass::Safelisted => (class, (*one(u, &SAFELISTED)?).to_owned()),
        MethodClass::NormalizedCase => (class, (*one(u, &NORMALIZED_CASE)?).to_owned()),
        MethodClass::Listed | MethodClass::ListedCase if listed.is_empty() => {
            (MethodClass::Custom, (*one(u, &CUSTOM)?).to_owned())
        }
        MethodClass::Listed => (class, (*one(u, &listed)?).to_owned()),
        MethodClass::ListedCase => {
            let m = *one(u, &listed)?;
            let variant = [m.to_ascii_lowercase(), m.to_ascii_uppercase(), alternate_case(m)]
                .into_iter()
                .filter(|v| v != m)
                .collect::<Vec<_>>();
            match variant.as_slice() {
                // No letters to change (`M-1`?): the listed method itself.
                [] => (MethodClass::Listed, m.to_owned()),
                vs => (class, one(u, vs)?.clone()),
            }
        }
        MethodClass::Custom => {
            let m = *one(u, &CUSTOM)?;
            // `PATCH` under a policy listing it is a listed method, not a custom one.
            let is_listed = policy.methods.listed().iter().any(|l| l.as_str() == m);
            (if is_listed { MethodClass::Listed } else { class }, m.to_owned())
        }
        MethodClass::Forbidden => (class, (*one(u, &FORBIDDEN)?).to_owned()),
        MethodClass::Invalid => (class, (*one(u, &INVALID)?).to_owned()),
    })
}

fn alternate_case(s: &str) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| if i % 2 == 0 { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() })
        .collect()
}
