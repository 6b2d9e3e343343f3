//! Defensive redaction of credentials. The engine already redacts what it records; every format
//! runs the report through [`redact_report`] again, so a report built by other code (or an old
//! JSON file) cannot leak a token into a CI log or a PR comment.

use std::borrow::Cow;

use cors_harness::report::{Reproduction, RunReport, WireExchange};

/// What reports print instead of a credential.
pub const REDACTED: &str = "<redacted>";

/// Header names whose values are credentials (the engine's list).
const SECRET_HEADERS: [&str; 5] = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"];

/// `curl` options whose argument is a credential.
const SECRET_CURL_OPTIONS: [&str; 7] = ["-b", "--cookie", "-u", "--user", "-U", "--proxy-user", "--oauth2-bearer"];

/// `curl` options whose argument is a header line.
const HEADER_CURL_OPTIONS: [&str; 3] = ["-H", "--header", "--proxy-header"];

/// True if values of header `name` are credentials.
pub(crate) fn is_secret_header(name: &str) -> bool {
    let name = name.trim();
    SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// A copy of `report` with every credential-bearing header value replaced by `<redacted>`: in
/// the script's headers, the wire lines and the `curl` commands.
pub fn redact_report(report: &RunReport) -> RunReport {
    let mut report = report.clone();
    for finding in report.runs.iter_mut().flat_map(|r| r.findings.iter_mut()) {
        redact_reproduction(&mut finding.reproduction);
    }
    report
}

fn redact_reproduction(reproduction: &mut Reproduction) {
    for (name, value) in &mut reproduction.script.headers {
        if is_secret_header(name) && value != REDACTED {
            *value = REDACTED.to_owned();
        }
    }
    for WireExchange { request, response, curl, .. } in &mut reproduction.exchanges {
        for line in request.iter_mut().chain(response.iter_mut()) {
            if let Cow::Owned(redacted) = redact_header_line(line) {
                *line = redacted;
            }
        }
        if let Cow::Owned(redacted) = redact_curl(curl) {
            *curl = redacted;
        }
    }
}

/// A `name: value` line with the value redacted when `name` is a credential header.
pub(crate) fn redact_header_line(line: &str) -> Cow<'_, str> {
    match line.split_once(':') {
        Some((name, value)) if is_secret_header(name) && value.trim() != REDACTED => {
            Cow::Owned(format!("{name}: {REDACTED}"))
        }
        _ => Cow::Borrowed(line),
    }
}

/// What the next `curl` argument is.
#[derive(Clone, Copy)]
enum Argument {
    Header,
    Secret,
    /// A method, which may start with `-u` or `-b` like a credential option.
    Plain,
}

/// A `curl` command with credential headers, cookies and user passwords redacted.
pub(crate) fn redact_curl(command: &str) -> Cow<'_, str> {
    let Some(words) = shell_words(command) else {
        return redact_unparsable(command);
    };
    let mut changed = false;
    let mut out = Vec::with_capacity(words.len());
    let mut next_is: Option<Argument> = None;
    for word in words {
        let redacted = match next_is.take() {
            Some(Argument::Header) => redact_header_line(&word).into_owned(),
            Some(Argument::Secret) => REDACTED.to_owned(),
            Some(Argument::Plain) => word.clone(),
            None => {
                if HEADER_CURL_OPTIONS.contains(&word.as_str()) {
                    next_is = Some(Argument::Header);
                    word.clone()
                } else if word == "-X" || word == "--request" {
                    next_is = Some(Argument::Plain);
                    word.clone()
                } else if SECRET_CURL_OPTIONS.contains(&word.as_str()) {
                    next_is = Some(Argument::Secret);
                    word.clone()
                } else if let Some(header) = word.strip_prefix("-H") {
                    format!("-H{}", redact_header_line(header))
                } else if (word.starts_with("-b") || word.starts_with("-u")) && !word.starts_with("--") {
                    format!("{}{REDACTED}", &word[..2])
                } else {
                    // A header line passed some other way (`--header=...` is not curl syntax,
                    // but a config-style word still must not leak).
                    redact_header_line(&word).into_owned()
                }
            }
        };
        changed |= redacted != word;
        out.push(redacted);
    }
    if !changed {
        return Cow::Borrowed(command);
    }
    Cow::Owned(out.iter().map(|w| shell_quote(w)).collect::<Vec<_>>().join(" "))
}

/// A command the shell-word splitter cannot read (unbalanced quotes): everything from the first
/// credential header name on is dropped.
fn redact_unparsable(command: &str) -> Cow<'_, str> {
    let lower = command.to_ascii_lowercase();
    let cut = SECRET_HEADERS
        .iter()
        .filter_map(|name| {
            lower.match_indices(name).find_map(|(at, _)| {
                let rest = lower[at + name.len()..].trim_start();
                rest.starts_with(':').then_some(at + name.len())
            })
        })
        .min();
    match cut {
        Some(at) => Cow::Owned(format!("{}: {REDACTED} (rest of the command withheld)", &command[..at])),
        None => Cow::Borrowed(command),
    }
}

/// POSIX shell word splitting (quotes and backslashes; no expansions). `None` on an unbalanced
/// quote or a trailing backslash.
fn shell_words(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => {
                            let next = chars.next()?;
                            if !matches!(next, '"' | '\\' | '$' | '`' | '\n') {
                                word.push('\\');
                            }
                            if next != '\n' {
                                word.push(next);
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                let next = chars.next()?;
                if next != '\n' {
                    word.push(next);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

/// Single-quoted for POSIX shells unless every byte is plainly safe (the engine's rule).
fn shell_quote(text: &str) -> Cow<'_, str> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+".contains(&b)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("'{}'", text.replace('\'', r"'\''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines() {
        assert_eq!(redact_header_line("Authorization: Bearer abc"), "Authorization: <redacted>");
        assert_eq!(redact_header_line(" cookie :a=b"), " cookie : <redacted>");
        assert_eq!(redact_header_line("set-cookie: <redacted>"), "set-cookie: <redacted>");
        assert_eq!(redact_header_line("x-cookie: a"), "x-cookie: a");
        assert_eq!(redact_header_line("GET http://a:1/ HTTP/1.1"), "GET http://a:1/ HTTP/1.1");
    }

    #[test]
    fn curl_commands() {
        let plain = "curl -i -X PUT -H 'origin: https://a.example' http://api.test/data";
        assert!(matches!(redact_curl(plain), Cow::Borrowed(_)));
        assert_eq!(
            redact_curl(r"curl -i -H 'Authorization: Bearer it'\''s' -H x-a:1 'http://api.test/'"),
            "curl -i -H 'Authorization: <redacted>' -H x-a:1 http://api.test/"
        );
        assert_eq!(
            redact_curl(r#"curl -b "sid=1" -u user:pw -Hcookie:x --oauth2-bearer t http://a/"#),
            "curl -b '<redacted>' -u '<redacted>' '-Hcookie: <redacted>' --oauth2-bearer '<redacted>' http://a/"
        );
        assert_eq!(
            redact_curl("curl -H 'authorization: secret http://a/"),
            "curl -H 'authorization: <redacted> (rest of the command withheld)"
        );
        assert_eq!(redact_curl("curl -H 'x-a: 1 http://a/"), "curl -H 'x-a: 1 http://a/");
    }
}
