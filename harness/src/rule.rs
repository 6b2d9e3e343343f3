//! Rule IDs of our digest of the Fetch CORS rules (`spec/cors-fetch-digest.md`).
//!
//! Every verdict, divergence and test names the rule it rests on with one of these IDs, so a
//! reader can go from a report line straight to the paragraph of the standard behind it.

use std::fmt;

/// How binding a rule is (the digest's legend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleStatus {
    /// Required by the Fetch standard: browser behaviour the oracle models.
    Normative,
    /// Browser-specific / implementation-defined behaviour.
    Browser,
    /// Follows directly from browser behaviour (server side): getting it wrong breaks clients.
    NormativeDerived,
    /// Server best practice; browsers do not check it.
    BestPractice,
}

macro_rules! rules {
    ($( $variant:ident = $id:literal, $status:ident, $title:literal; )*) => {
        /// A rule of the digest. `Rule::Chk3.id() == "CHK-3"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $( #[doc = $title] $variant, )* }

        impl Rule {
            /// Every rule, in digest order.
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant, )* ];

            /// The stable ID, e.g. `"PRE-8"`.
            pub const fn id(self) -> &'static str {
                match self { $( Rule::$variant => $id, )* }
            }

            /// How binding the rule is.
            pub const fn status(self) -> RuleStatus {
                match self { $( Rule::$variant => RuleStatus::$status, )* }
            }

            /// One line saying what the rule is about.
            pub const fn title(self) -> &'static str {
                match self { $( Rule::$variant => $title, )* }
            }

            /// Looks a rule up by its ID (`"CHK-3"`).
            pub fn from_id(id: &str) -> Option<Rule> {
                match id { $( $id => Some(Rule::$variant), )* _ => None }
            }
        }
    };
}

rules! {
    Hdr1 = "HDR-1", Normative, "Header values are stored without surrounding whitespace and never contain NUL, CR or LF; names match case-insensitively.";
    Hdr2 = "HDR-2", Normative, "Repeated response headers are combined with \", \" into one value.";
    Hdr3 = "HDR-3", Normative, "Extracting header list values: null if absent, failure if any item fails its grammar.";
    Hdr4 = "HDR-4", Normative, "Comma lists tolerate optional whitespace and empty elements.";
    Orig1 = "ORIG-1", Normative, "A tuple origin serializes as scheme://host[:port], default port omitted.";
    Orig2 = "ORIG-2", Normative, "An opaque origin serializes as null.";
    Orig3 = "ORIG-3", Normative, "Sandboxed, data: and file: documents have opaque origins.";
    Orig4 = "ORIG-4", Normative, "When the Origin request header is sent.";
    Orig5 = "ORIG-5", Normative, "A redirect through a cross-origin server taints the request origin to null.";
    Orig6 = "ORIG-6", Normative, "The byte-serialized request origin is what the CORS check compares and the cache keys on.";
    Chk1 = "CHK-1", Normative, "CORS check: Access-Control-Allow-Origin must be present.";
    Chk2 = "CHK-2", Normative, "CORS check: * passes when credentials mode is not include.";
    Chk3 = "CHK-3", Normative, "CORS check: Access-Control-Allow-Origin must be byte-identical to the request origin.";
    Chk4 = "CHK-4", Normative, "CORS check: without credentials, Access-Control-Allow-Credentials is ignored.";
    Chk5 = "CHK-5", Normative, "CORS check: with credentials, Access-Control-Allow-Credentials must be exactly true.";
    Chk6 = "CHK-6", Normative, "The CORS check runs on preflights (with the actual credentials mode) and on every actual response and redirect hop.";
    Chk7 = "CHK-7", Normative, "Any status is readable on an actual response that passes the check; a failure is a network error.";
    Chk8 = "CHK-8", Normative, "Credentials modes omit, same-origin and include.";
    Meth1 = "METH-1", Normative, "GET, HEAD and POST are CORS-safelisted methods.";
    Meth2 = "METH-2", Normative, "CONNECT, TRACE and TRACK are forbidden methods.";
    Meth3 = "METH-3", Normative, "DELETE, GET, HEAD, OPTIONS, POST and PUT are uppercased; other methods keep their bytes.";
    Meth4 = "METH-4", Normative, "Methods are case-sensitive tokens.";
    Safe1 = "SAFE-1", Normative, "CORS-safelisted request headers and their value rules (128-byte limit).";
    Safe2 = "SAFE-2", Normative, "CORS-unsafe request-header bytes.";
    Safe3 = "SAFE-3", Normative, "CORS-unsafe request-header names, with the 1024-byte total for safelisted values.";
    Safe4 = "SAFE-4", Normative, "Forbidden request headers are dropped and never make a request unsafe.";
    Safe5 = "SAFE-5", Normative, "The unsafe-name list is computed over author headers plus UA defaults.";
    Safe6 = "SAFE-6", Normative, "Authorization is never safelisted and never covered by *.";
    Safe7 = "SAFE-7", Normative, "Browser-sent report content types need no preflight.";
    Pre1 = "PRE-1", Normative, "When a preflight is needed.";
    Pre2 = "PRE-2", Normative, "A preflight-cache match skips the preflight.";
    Pre3 = "PRE-3", Normative, "Shape of the preflight request.";
    Pre4 = "PRE-4", Normative, "Preflights do not follow redirects.";
    Pre5 = "PRE-5", Normative, "A preflight passes only with the CORS check and a 2xx status.";
    Pre6 = "PRE-6", Normative, "Access-Control-Allow-Methods/-Headers must parse as token lists.";
    Pre7 = "PRE-7", Normative, "With the use-CORS-preflight flag and no Allow-Methods, the request method is cached.";
    Pre8 = "PRE-8", Normative, "The request method must be listed (case-sensitively), safelisted, or covered by * without credentials.";
    Pre9 = "PRE-9", Normative, "Authorization must be listed explicitly in Access-Control-Allow-Headers.";
    Pre10 = "PRE-10", Normative, "Every unsafe request header must be listed, or covered by * without credentials.";
    Pre11 = "PRE-11", Normative, "Access-Control-Max-Age parsing; default 5 seconds.";
    Pre12 = "PRE-12", Browser, "Browsers cap the preflight max-age.";
    Pre13 = "PRE-13", Normative, "After a successful preflight the actual response is CORS-checked on its own.";
    Pre14 = "PRE-14", Normative, "A network error clears the preflight-cache entries for the origin and URL.";
    Cache1 = "CACHE-1", Normative, "Preflight-cache entries are created per allowed method and header name.";
    Cache2 = "CACHE-2", Normative, "Cache entries match on origin, URL and credentials.";
    Cache3 = "CACHE-3", Normative, "Method and header-name cache matches.";
    Cache4 = "CACHE-4", Normative, "Cache entries expire after max-age.";
    Cache5 = "CACHE-5", Browser, "A user agent may not cache preflights at all.";
    Exp1 = "EXP-1", Normative, "CORS-safelisted response-header names are always visible; Set-Cookie never is.";
    Exp2 = "EXP-2", Normative, "Access-Control-Expose-Headers parsing and * semantics.";
    Exp3 = "EXP-3", Normative, "Exposure never decides whether a response is shared.";
    Exp4 = "EXP-4", Normative, "Access-Control-Expose-Headers on a preflight has no effect.";
    Red1 = "RED-1", Normative, "CORS requests follow up to 20 redirects, each hop CORS-checked.";
    Red2 = "RED-2", Normative, "A redirect to a URL with credentials is a network error.";
    Red3 = "RED-3", Normative, "A redirected preflight fails.";
    Red4 = "RED-4", Normative, "After a tainting redirect the server must allow the null origin.";
    Red5 = "RED-5", Normative, "A cross-origin redirect drops Authorization.";
    Red6 = "RED-6", Normative, "301/302 POST and 303 non-GET redirects become GET without body headers.";
    Red7 = "RED-7", Normative, "A non-HTTP(S) or unparsable Location is a network error.";
    Red8 = "RED-8", Normative, "Script never sees the redirect responses of a followed CORS fetch.";
    Misc1 = "MISC-1", Normative, "no-cors mode: opaque responses, safelisted methods and headers only.";
    Misc2 = "MISC-2", Normative, "same-origin mode to a cross-origin URL is a network error.";
    Misc3 = "MISC-3", Normative, "Cookies and HTTP auth are attached only with credentials mode include.";
    Misc4 = "MISC-4", Normative, "Set-Cookie is processed even when the CORS check fails.";
    Misc5 = "MISC-5", Normative, "The crossorigin attribute selects the mode and credentials mode.";
    Pna1 = "PNA-1", Browser, "Private Network Access preflights (Chromium, historical).";
    Pna2 = "PNA-2", Browser, "PNA was never enforced; Local Network Access replaced it.";
    Pna3 = "PNA-3", Browser, "Model PNA as an optional profile; never fail on missing PNA headers.";
    Vary1 = "VARY-1", BestPractice, "Vary: Origin when the CORS answer depends on the origin.";
    Vary2 = "VARY-2", BestPractice, "A fixed ACAO is sent on every response without Vary.";
    Vary3 = "VARY-3", BestPractice, "Vary: Origin also on responses that omit ACAO.";
    Ws1 = "WS-1", Normative, "WebSocket handshakes carry Origin and cookies but get no CORS check.";
    Ws2 = "WS-2", Normative, "WebSocket servers must check Origin themselves.";
    Ws3 = "WS-3", Browser, "Local Network Access applies to WebSockets in later Chromium.";
    Srv1 = "SRV-1", NormativeDerived, "A preflight is OPTIONS with Origin and Access-Control-Request-Method.";
    Srv2 = "SRV-2", NormativeDerived, "Any other request with Origin is a potential CORS request.";
    Srv3 = "SRV-3", NormativeDerived, "Compare Origin byte-exactly against the allowlist.";
    Srv4 = "SRV-4", BestPractice, "No substring, prefix or suffix origin matching; do not trust null.";
    Srv5 = "SRV-5", BestPractice, "Never reflect an arbitrary Origin together with credentials.";
    Srv6 = "SRV-6", NormativeDerived, "Exactly one Access-Control-Allow-Origin with the origin or *.";
    Srv7 = "SRV-7", NormativeDerived, "Access-Control-Allow-Credentials: true only, never with *.";
    Srv8 = "SRV-8", NormativeDerived, "Expose headers explicitly; CORS headers also on error and redirect responses.";
    Srv9 = "SRV-9", BestPractice, "Vary: Origin whenever the answer depends on the Origin.";
    Srv10 = "SRV-10", NormativeDerived, "Answer preflights 2xx, never redirect them or demand authentication.";
    Srv11 = "SRV-11", NormativeDerived, "Access-Control-Allow-Origin (and -Credentials) on preflights too.";
    Srv12 = "SRV-12", NormativeDerived, "Access-Control-Allow-Methods lists tokens in the case clients send.";
    Srv13 = "SRV-13", NormativeDerived, "Access-Control-Allow-Headers lists names; * never covers Authorization.";
    Srv14 = "SRV-14", NormativeDerived, "Access-Control-Max-Age is one line of digits.";
    Srv15 = "SRV-15", BestPractice, "Refuse disallowed methods/headers with a 2xx listing what is allowed, or 403; never 500.";
    Srv16 = "SRV-16", BestPractice, "Preflights are not forwarded to the application handler.";
    Srv17 = "SRV-17", BestPractice, "No Access-Control-* headers for a disallowed origin.";
    Srv18 = "SRV-18", BestPractice, "Preflight from a disallowed origin: no CORS headers.";
    Srv19 = "SRV-19", BestPractice, "ACAO * only for public, cookie-less resources.";
    Srv20 = "SRV-20", BestPractice, "Private-network preflights answered only for allowlisted origins.";
    Srv21 = "SRV-21", BestPractice, "WebSocket endpoints check Origin during the upgrade.";
}

impl Rule {
    /// True for the rules the browser-side oracle must model (the digest's `[N]` rules).
    pub fn is_normative(self) -> bool {
        self.status() == RuleStatus::Normative
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Rule::from_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule ID {id:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(rule));
            assert!(seen.insert(rule.id()), "duplicate {rule}");
        }
    }
}
