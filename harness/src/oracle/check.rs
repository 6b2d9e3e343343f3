//! The CORS check (CHK-1..5).

use crate::header::HeaderList;
use crate::oracle::verdict::Failure;
use crate::rule::Rule;

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";

/// Runs the CORS check of a response against the byte-serialized request origin (ORIG-6).
pub fn cors_check(headers: &HeaderList, request_origin: &str, include: bool) -> Result<(), Failure> {
    check(headers, request_origin, include, "")
}

/// The CORS check of a preflight's answer: the same check, explanations prefixed with
/// `preflight: ` (fixed ones without formatting anything).
pub(crate) fn preflight_cors_check(headers: &HeaderList, request_origin: &str, include: bool) -> Result<(), Failure> {
    check(headers, request_origin, include, "preflight: ")
}

/// A fixed explanation, with the `preflight: ` prefix when `prefix` is it.
macro_rules! fixed {
    ($prefix:expr, $text:literal) => {
        if $prefix.is_empty() { $text } else { concat!("preflight: ", $text) }
    };
}

fn check(headers: &HeaderList, request_origin: &str, include: bool, prefix: &str) -> Result<(), Failure> {
    let Some(acao) = headers.get(ACAO) else {
        return Err(Failure::new(Rule::Chk1, fixed!(prefix, "the response has no Access-Control-Allow-Origin header")));
    };
    if !include && &acao[..] == b"*" {
        return Ok(()); // CHK-2
    }
    if &acao[..] != request_origin.as_bytes() {
        let shown = String::from_utf8_lossy(&acao);
        if headers.count(ACAO) > 1 {
            return Err(Failure::new(
                Rule::Hdr2,
                format!(
                    "{prefix}Access-Control-Allow-Origin is sent {} times; the browser joins them into {shown:?}, which never equals an origin",
                    headers.count(ACAO)
                ),
            ));
        }
        let why = if &acao[..] == b"*" {
            format!(
                "{prefix}Access-Control-Allow-Origin is * but the request carries credentials; the server must echo {request_origin:?}"
            )
        } else {
            format!(
                "{prefix}Access-Control-Allow-Origin {shown:?} is not byte-identical to the request origin {request_origin:?}"
            )
        };
        return Err(Failure::new(Rule::Chk3, why));
    }
    if !include {
        return Ok(()); // CHK-4
    }
    match headers.get(ACAC) {
        Some(v) if &v[..] == b"true" => Ok(()),
        Some(v) if headers.count(ACAC) > 1 => Err(Failure::new(
            Rule::Hdr2,
            format!(
                "{prefix}Access-Control-Allow-Credentials is sent {} times; the browser joins them into {:?}, which is not \"true\"",
                headers.count(ACAC),
                String::from_utf8_lossy(&v)
            ),
        )),
        Some(v) => Err(Failure::new(
            Rule::Chk5,
            format!(
                "{prefix}the request carries credentials and Access-Control-Allow-Credentials is {:?}, not exactly \"true\"",
                String::from_utf8_lossy(&v)
            ),
        )),
        None => Err(Failure::new(
            Rule::Chk5,
            fixed!(
                prefix,
                "the request carries credentials and the response has no Access-Control-Allow-Credentials: true"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: &str = "http://web.example.test:8000";

    fn check(pairs: &[(&str, &str)], include: bool) -> Result<(), Rule> {
        cors_check(&HeaderList::from_pairs(pairs.iter().copied()), O, include).map_err(|f| f.rule)
    }

    #[test]
    fn chk1_missing_acao() {
        assert_eq!(check(&[], false), Err(Rule::Chk1));
    }

    #[test]
    fn chk2_star_without_credentials() {
        assert_eq!(check(&[("ACAO", "x")], false), Err(Rule::Chk1), "name must be the full header name");
        assert_eq!(check(&[("Access-Control-Allow-Origin", " * ")], false), Ok(()));
        assert_eq!(check(&[("access-control-allow-origin", "*")], true), Err(Rule::Chk3));
    }

    #[test]
    fn chk3_byte_identical() {
        for bad in [
            "http://web.example.test:8000/",
            "HTTP://web.example.test:8000",
            "null",
            "",
            "\"*\"",
            "http://web.example.test:8000, *",
        ] {
            assert_eq!(check(&[("access-control-allow-origin", bad)], false), Err(Rule::Chk3), "{bad:?}");
        }
        assert_eq!(check(&[("access-control-allow-origin", O)], false), Ok(()));
        assert_eq!(
            check(&[("access-control-allow-origin", O), ("access-control-allow-origin", O)], false),
            Err(Rule::Hdr2)
        );
        assert_eq!(
            cors_check(&HeaderList::from_pairs([("access-control-allow-origin", "null")]), "null", true)
                .map_err(|f| f.rule),
            Err(Rule::Chk5)
        );
    }

    #[test]
    fn chk4_credentials_header_ignored_without_include() {
        assert_eq!(
            check(&[("access-control-allow-origin", O), ("access-control-allow-credentials", "garbage")], false),
            Ok(())
        );
    }

    #[test]
    fn chk5_credentials_must_be_exactly_true() {
        let with =
            |v: &str| check(&[("access-control-allow-origin", O), ("access-control-allow-credentials", v)], true);
        assert_eq!(with("true"), Ok(()));
        for bad in ["True", "TRUE", "\"true\"", "1", "yes", ""] {
            assert_eq!(with(bad), Err(Rule::Chk5), "{bad:?}");
        }
        assert_eq!(check(&[("access-control-allow-origin", O)], true), Err(Rule::Chk5));
        assert_eq!(
            check(
                &[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-allow-credentials", "true")
                ],
                true
            ),
            Err(Rule::Hdr2)
        );
    }
}
