//! Header lists as browsers store them (HDR-1..4): raw bytes, repeated names kept in order.

use bytes::Bytes;

/// One header line: name and value bytes exactly as sent or received. `Bytes`, so the oracle
/// can copy header lists between requests, responses and verdicts without copying bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    pub name: Bytes,
    pub value: Bytes,
}

impl Header {
    /// A header whose name and value are static (no allocation).
    pub const fn from_static(name: &'static [u8], value: &'static [u8]) -> Header {
        Header { name: Bytes::from_static(name), value: Bytes::from_static(value) }
    }
}

/// An ordered list of header lines. Unlike `http::HeaderMap` it keeps invalid bytes, so the
/// oracle can judge exactly what a server sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct HeaderList(pub Vec<Header>);

/// Result of "extract header list values" (HDR-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListValues<T> {
    /// The header is absent.
    Absent,
    /// Some occurrence does not match the list grammar.
    Failure,
    /// The parsed items, in order, across all occurrences.
    Items(Vec<T>),
}

impl HeaderList {
    pub fn new() -> HeaderList {
        HeaderList(Vec::new())
    }

    /// Builds a list from `(name, value)` pairs; values are normalized as a browser stores
    /// them (HDR-1: surrounding tabs and spaces removed).
    pub fn from_pairs<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: impl IntoIterator<Item = (N, V)>) -> HeaderList {
        let mut list = HeaderList::new();
        for (n, v) in pairs {
            list.append(n.as_ref(), v.as_ref());
        }
        list
    }

    /// Appends a header line, stripping HTTP whitespace around the value (HDR-1).
    pub fn append(&mut self, name: &[u8], value: &[u8]) {
        self.0
            .push(Header { name: Bytes::copy_from_slice(name), value: Bytes::copy_from_slice(normalize_value(value)) });
    }

    /// Appends a header line as is (the caller has normalized the value).
    pub fn push(&mut self, header: Header) {
        self.0.push(header);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True if a header with this name (case-insensitive) is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|h| h.name.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// Removes every header with this name (case-insensitive).
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(name.as_bytes()));
    }

    /// Number of lines with this name.
    pub fn count(&self, name: &str) -> usize {
        self.0.iter().filter(|h| h.name.eq_ignore_ascii_case(name.as_bytes())).count()
    }

    /// Fetch's "get" (HDR-2): all values with this name joined by `", "`, or `None`.
    pub fn get(&self, name: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        let mut values = self.0.iter().filter(|h| h.name.eq_ignore_ascii_case(name.as_bytes()));
        let first = values.next()?;
        let Some(second) = values.next() else {
            return Some(std::borrow::Cow::Borrowed(&first.value));
        };
        let mut joined = first.value.to_vec();
        for h in std::iter::once(second).chain(values) {
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(&h.value);
        }
        Some(std::borrow::Cow::Owned(joined))
    }

    /// "Extract header list values" (HDR-3) for a `#token` list header such as
    /// Access-Control-Allow-Methods, -Allow-Headers or -Expose-Headers: every occurrence must
    /// be a comma list of tokens (HDR-4: optional whitespace and empty elements allowed).
    pub fn token_list(&self, name: &str) -> ListValues<&[u8]> {
        self.token_list_with(name, |_, item| item)
    }

    /// [`token_list`](Self::token_list) with items that share the header's bytes (no copy),
    /// for results that outlive the list (preflight-cache entries).
    pub fn token_list_shared(&self, name: &str) -> ListValues<Bytes> {
        self.token_list_with(name, |value, item| value.slice_ref(item))
    }

    fn token_list_with<'a, T>(&'a self, name: &str, make: impl Fn(&'a Bytes, &'a [u8]) -> T) -> ListValues<T> {
        let mut present = false;
        let mut items = Vec::with_capacity(4);
        for h in self.0.iter().filter(|h| h.name.eq_ignore_ascii_case(name.as_bytes())) {
            present = true;
            for item in h.value.split(|&b| b == b',') {
                let item = trim_ows(item);
                if item.is_empty() {
                    continue;
                }
                if !is_token(item) {
                    return ListValues::Failure;
                }
                items.push(make(&h.value, item));
            }
        }
        if present { ListValues::Items(items) } else { ListValues::Absent }
    }

    /// True if any header value holds a byte a browser's header parser rejects (HDR-1).
    pub fn has_invalid_value(&self) -> bool {
        self.0.iter().any(|h| !is_valid_value(&h.value))
    }
}

/// Strips leading and trailing HTTP tab or space bytes (HDR-1). CR/LF are left in place:
/// a value containing them is invalid, and stripping would hide that.
pub fn normalize_value(value: &[u8]) -> &[u8] {
    trim_ows(value)
}

fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// RFC 9110 `tchar`.
pub const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// `tchar` as a table: `is_token` runs on every header name and list item.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_tchar(b as u8);
        b += 1;
    }
    table
};

/// RFC 9110 `token` (METH-4, PRE-6): one or more `tchar`.
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| TCHAR[usize::from(b)])
}

/// A header value a script may set (fetch's "header value"): no NUL, CR or LF. Surrounding
/// whitespace is removed before this check by [`normalize_value`].
pub fn is_valid_value(value: &[u8]) -> bool {
    memchr::memchr3(0, b'\r', b'\n', value).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> HeaderList {
        HeaderList::from_pairs(pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
    }

    #[test]
    fn hdr1_values_are_stripped_and_names_case_insensitive() {
        let l = list(&[("Access-Control-Allow-Origin", " \t* \t")]);
        assert_eq!(l.get("access-control-allow-origin").as_deref(), Some(&b"*"[..]));
    }

    #[test]
    fn hdr2_get_joins_repeated_values() {
        let l = list(&[("ACAO", "https://a.example"), ("x", "y"), ("acao", "https://a.example")]);
        assert_eq!(l.get("AcAo").as_deref(), Some(&b"https://a.example, https://a.example"[..]));
        assert_eq!(l.get("missing"), None);
    }

    #[test]
    fn hdr3_hdr4_token_lists() {
        let l = list(&[("m", "GET,,PUT , "), ("m", "x-a")]);
        assert_eq!(l.token_list("M"), ListValues::Items(vec![&b"GET"[..], b"PUT", b"x-a"]));
        assert_eq!(list(&[]).token_list("m"), ListValues::Absent);
        assert_eq!(list(&[("m", "")]).token_list("m"), ListValues::Items(vec![]));
        for bad in ["Bad method name", "PUT;", "\"PUT\"", "x-a x-b", "x-a/b", "x-é"] {
            assert_eq!(list(&[("m", "GET"), ("m", bad)]).token_list("m"), ListValues::Failure, "{bad}");
        }
    }
}
