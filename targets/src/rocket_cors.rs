//! rocket_cors 0.6's `Cors` **fairing** on Rocket 0.5, the crate's documented simplest way:
//! `rocket::custom(config).mount("/", catch_all).attach(cors)`, where `catch_all` is one route
//! per Rocket method on `/<path..>` (Rocket's default rank, -1) answering with the application.
//!
//! | policy | rocket_cors `CorsOptions` |
//! |---|---|
//! | exact origins | `allowed_origins: AllowedOrigins::some_exact(list)` (parsed into `url::Origin`s) |
//! | `null` | `Origins { allow_null: true, .. }` (`AllowedOrigins::some_null()`) |
//! | `https://*.example.com` | `Origins { regex: .. }` (`AllowedOrigins::some_regex`) with the anchored regex `^https://[^.]+(?:\.[^.]+)*\.example\.com$` (`:port` before `$` for a non-default port): matched against the origin's serialization, it accepts exactly the serializations the policy's pattern accepts. Other schemes than http(s)/ws(s)/ftp: unsupported (rocket_cors matches opaque origins' raw text) |
//! | mixed lists | one `Origins { allow_null, exact, regex }` |
//! | `origins = []` | `AllowedOrigins::some_exact::<&str>(&[])`: nothing allowed |
//! | `origins = ["*"]` | `AllowedOrigins::all()` with `send_wildcard(true)`: constant `*` |
//! | `["*"]` + credentials | `AllowedOrigins::all()` without `send_wildcard` (the only valid combination): echoes, with `Vary: Origin` |
//! | `methods` | `allowed_methods`: GET, HEAD, POST + listed (rocket_cors refuses a preflight whose method is not in its set, and the policy always allows the safelisted methods, METH-1); a method Rocket has no variant for, or not in Rocket's spelling (`patch`): unsupported |
//! | `methods = ["*"]` | unsupported: `AllowedMethods` is a set of Rocket's nine methods, no "any" |
//! | `allow_headers` | `AllowedHeaders::some(list)` (case-insensitive); `[]`: `some(&[])`, every requested header refused |
//! | `allow_headers = ["*"]` | `AllowedHeaders::all()`: echoes `Access-Control-Request-Headers` |
//! | `expose_headers` | `expose_headers(set)`; `["*"]`: `{"*"}`; `["*"]` with credentials: unsupported |
//! | `credentials` | `allow_credentials(true)` |
//! | `max_age` | `max_age(Some(usize))`; unset: `None`, no header |
//! | `private_network` | unsupported (no private-network access support) |
//!
//! **Refusals and the fairing route.** The fairing validates every request carrying `Origin` in
//! `on_request`; on failure it rewrites the request to `GET {fairing_route_base}/{status}`
//! (`/cors/403`, `/cors/400`), a route it mounts whose handler fails with that status, so
//! Rocket's default catcher answers (HTML or JSON by `Accept`), without CORS headers. The route
//! is mounted with `fairing_route_rank` (default 0), but Rocket's default rank for a catch-all
//! `/<path..>` route is -1: with the defaults the application's catch-all `GET` route wins, and
//! every refused request is answered `200 ok` by the application (see
//! `tests/rocket_cors.rs`, `default_fairing_rank_is_shadowed_by_a_catch_all_route`). As
//! rocket_cors's documentation asks ("specify the rank of the route so that it doesn't clash
//! with any of your existing routes"), the adapter sets `fairing_route_rank(-2)`.
//!
//! **Origin matching.** rocket_cors parses the request's `Origin` with the URL parser and
//! compares `url::Origin`s (exact rules) or the parsed origin's serialization (regexes), and
//! echoes that serialization: the configuration above is exact, but the comparison is not
//! byte-exact (`https://APP.example.com`, `https://app.example.com:443`, `NULL` are allowed and
//! echoed normalized; SRV-3). An `Origin` that does not parse fails every request.
//!
//! **Preflights reach the application.** The fairing turns an allowed `OPTIONS` into a `204`
//! only when no route matches; the catch-all `OPTIONS` route matches, so the application
//! answers allowed preflights (`200 ok`, its headers, plus the CORS headers).
//!
//! **Running.** In-process: `rocket::local::asynchronous::Client::untracked` (ignited on the
//! first request), each request converted byte-exactly as Rocket's own server converts a hyper
//! request (method, path and query, headers in order with repeats, `Host` from the URI as the
//! served client sends it, body; non-UTF-8 header values dropped and methods Rocket has no
//! variant for answered by Rocket's 400 catcher, as the server does), under
//! [`guard`](crate::in_process::guard). Served: Rocket 0.5 binds its own listener from its
//! configuration and cannot take one, so it listens on `127.0.0.1:0` (the port read from a
//! liftoff fairing) inside a [`Server::spawn`] thread, whose listener forwards each connection
//! byte for byte to it; dropping the target notifies Rocket's `Shutdown`. Logging is off (and a
//! silent `log` logger is installed if the process has none, see `quiet`), and Rocket's
//! Ctrl-C/signal handling is disabled (it would otherwise catch the test process's signals).
//!
//! rocket_cors keeps methods, exposed and requested headers in `HashSet`s and builds a new set
//! per response for `Access-Control-Expose-Headers`/`-Allow-Headers`: list order varies from one
//! response to the next, even within one target (lists are sets to a browser, HDR-3).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy, SubdomainPattern};
use cors_harness::target::{Target, TargetError, TargetFuture};
use rocket::config::{Config, LogLevel};
use rocket::http::uri::Origin;
use rocket::http::{Header, Method, Status};
use rocket::local::asynchronous::Client;
use rocket::{Build, Data, Request, Rocket, Route};
use rocket_cors::{AllowedHeaders, Cors, CorsOptions, Origins};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::{DEFAULT_TIMEOUT, guard};
use crate::served::{ServedTarget, Server};

pub struct RocketCorsAdapter;

pub static ROCKET_CORS: RocketCorsAdapter = RocketCorsAdapter;

const NAME: &str = "rocket_cors";

/// The fairing's error route rank: before Rocket's default rank of a `/<path..>` route (-1).
pub const FAIRING_ROUTE_RANK: isize = -2;

/// How long Rocket may take to stop after the served target is dropped.
const DRAIN: Duration = Duration::from_secs(1);

/// Rocket's nine methods, each with its exact spelling on the wire.
const METHODS: [Method; 9] = [
    Method::Get,
    Method::Put,
    Method::Post,
    Method::Delete,
    Method::Options,
    Method::Head,
    Method::Trace,
    Method::Connect,
    Method::Patch,
];

impl Adapter for RocketCorsAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "rocket_cors 0.6.0 (Rocket 0.5.2)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let cors = build(&options(policy)?)?;
        Ok(Box::new(RocketTarget {
            name: NAME.to_owned(),
            cors,
            client: tokio::sync::OnceCell::new(),
            timeout: DEFAULT_TIMEOUT,
        }))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let cors = build(&options(policy)?)?;
        let server = Server::spawn(NAME, move |listener, shutdown| serve(cors, listener, shutdown))
            .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(ServedTarget::new(format!("{NAME} (served)"), server)))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// `CorsOptions::to_cors`, its configuration errors as [`Unsupported`].
fn build(options: &CorsOptions) -> Result<Cors, Unsupported> {
    options.to_cors().map_err(|e| unsupported("the translated CorsOptions", &format!("to_cors() failed: {e}")))
}

/// Translates the neutral policy into rocket_cors's options (see the module doc), with the
/// fairing's error route ranked before the application's catch-all routes.
pub fn options(policy: &Policy) -> Result<CorsOptions, Unsupported> {
    let credentials = policy.credentials;
    let mut options = CorsOptions::default().allow_credentials(credentials).fairing_route_rank(FAIRING_ROUTE_RANK);
    options = match &policy.origins {
        AllowedOrigins::Any => options.allowed_origins(rocket_cors::AllowedOrigins::all()).send_wildcard(!credentials),
        AllowedOrigins::List(rules) => {
            let mut origins = Origins::default();
            let (mut exact, mut regex) = (HashSet::new(), HashSet::new());
            for rule in rules {
                match rule {
                    OriginRule::Exact(_) => {
                        exact.insert(rule.to_string());
                    }
                    OriginRule::Null => origins.allow_null = true,
                    OriginRule::Subdomains(pattern) => {
                        regex.insert(subdomain_regex(pattern)?);
                    }
                }
            }
            origins.exact = Some(exact);
            origins.regex = (!regex.is_empty()).then_some(regex);
            options.allowed_origins(rocket_cors::AllowedOrigins::Some(origins))
        }
    };
    options = match &policy.methods {
        AllowedMethods::Any => {
            return Err(unsupported(
                "methods = [\"*\"]",
                "AllowedMethods is a set of Rocket's nine methods: no \"any method\"",
            ));
        }
        AllowedMethods::List(methods) => {
            let mut set = HashSet::new();
            for method in ["GET", "HEAD", "POST"].into_iter().chain(methods.iter().map(|m| m.as_str())) {
                set.insert(rocket_cors::Method::from(rocket_method(method).ok_or_else(|| {
                    unsupported(
                        &format!("methods = [\"{method}\"]"),
                        "rocket_cors accepts only Rocket's nine methods (GET, PUT, POST, DELETE, OPTIONS, HEAD, TRACE, CONNECT, PATCH), spelled in uppercase",
                    )
                })?));
            }
            options.allowed_methods(set)
        }
    };
    options = match &policy.allow_headers {
        AllowedNames::Any => options.allowed_headers(AllowedHeaders::all()),
        AllowedNames::List(names) => {
            let names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
            options.allowed_headers(AllowedHeaders::some(&names))
        }
    };
    options = match &policy.expose_headers {
        AllowedNames::Any if credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "`*` is inert for credentialed requests (EXP-2) and rocket_cors has no way to list the response's own header names",
            ));
        }
        AllowedNames::Any => options.expose_headers(HashSet::from(["*".to_owned()])),
        AllowedNames::List(names) => options.expose_headers(names.iter().map(|n| n.as_str().to_owned()).collect()),
    };
    if let Some(seconds) = policy.max_age {
        let seconds = usize::try_from(seconds)
            .map_err(|_| unsupported(&format!("max_age = {seconds}"), "rocket_cors takes the max-age as a usize"))?;
        options = options.max_age(Some(seconds));
    }
    if policy.private_network {
        return Err(unsupported("private_network = true", "rocket_cors has no private-network access support"));
    }
    Ok(options)
}

/// The Rocket method spelled exactly `method` (Rocket's own parser ignores case).
fn rocket_method(method: &str) -> Option<Method> {
    METHODS.into_iter().find(|m| m.as_str() == method)
}

/// An anchored regex accepting exactly the origin serializations `pattern` matches: scheme,
/// one or more non-empty labels, the parent, the port (absent for the default port).
fn subdomain_regex(pattern: &SubdomainPattern) -> Result<String, Unsupported> {
    // rocket_cors matches a regex against the serialization of a tuple origin, but against
    // the raw header value of an opaque one (any non-special scheme): only special schemes
    // give the policy's meaning.
    if !matches!(pattern.scheme(), "http" | "https" | "ws" | "wss" | "ftp") {
        return Err(unsupported(
            &format!("origins = [\"{pattern}\"]"),
            "rocket_cors matches origins of non-special schemes (opaque to its URL parser) by their raw text",
        ));
    }
    let port = pattern.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!(r"^{}://[^.]+(?:\.[^.]+)*\.{}{}$", escape(pattern.scheme()), escape(pattern.parent()), port))
}

/// `regex::escape`: a backslash before each of the regex crate's meta characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Rocket's configuration for both targets: logging off, no signal handling, a quick shutdown,
/// `127.0.0.1:0`.
fn config() -> Config {
    let mut config = Config {
        address: [127, 0, 0, 1].into(),
        port: 0,
        log_level: LogLevel::Off,
        cli_colors: false,
        ..Config::default()
    };
    config.shutdown.ctrlc = false;
    #[cfg(unix)]
    config.shutdown.signals.clear();
    config.shutdown.grace = 0;
    config.shutdown.mercy = 0;
    config
}

/// The application on every method and path, with the CORS fairing attached.
pub fn rocket(cors: Cors) -> Rocket<Build> {
    quiet();
    rocket::custom(config()).mount("/", catch_all()).attach(cors)
}

/// Installs a `log` logger that discards everything, unless the process already has one.
/// `log_level = off` alone is not enough: Rocket installs its own logger as the process's, and
/// every `rocket::custom()` call sets the global max level back to `Info` until that Rocket
/// ignites, so with several targets alive Rocket (and every other crate logging through `log`)
/// prints its configuration, routes and requests. With a logger already set, Rocket never
/// touches the max level.
fn quiet() {
    struct Silent;
    impl log::Log for Silent {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            false
        }
        fn log(&self, _: &log::Record<'_>) {}
        fn flush(&self) {}
    }
    static SILENT: Silent = Silent;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = log::set_logger(&SILENT);
    });
}

/// One `/<path..>` route per method, at Rocket's default rank, answering with the application.
fn catch_all() -> Vec<Route> {
    METHODS.into_iter().map(|method| Route::new(method, "/<path..>", App)).collect()
}

/// The application behind the fairing: every method and path answers the same.
#[derive(Clone)]
struct App;

#[rocket::async_trait]
impl rocket::route::Handler for App {
    async fn handle<'r>(&self, _request: &'r Request<'_>, _data: Data<'r>) -> rocket::route::Outcome<'r> {
        let (parts, body) = crate::app::response().into_parts();
        let mut response = rocket::Response::build();
        response.status(Status::new(parts.status.as_u16()));
        for (name, value) in &parts.headers {
            let value = value.to_str().expect("the application's header values are text");
            response.raw_header_adjoin(name.as_str().to_owned(), value.to_owned());
        }
        response.sized_body(body.len(), std::io::Cursor::new(body));
        rocket::route::Outcome::Success(response.finalize())
    }
}

/// Serves `cors` with Rocket's own server on `127.0.0.1:0`, forwarding the connections of
/// `listener` to it, until `shutdown`.
async fn serve(cors: Cors, listener: tokio::net::TcpListener, mut shutdown: tokio::sync::oneshot::Receiver<()>) {
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let rocket = rocket(cors).attach(rocket::fairing::AdHoc::on_liftoff("cors-harness port", move |rocket| {
        let port = rocket.config().port;
        Box::pin(async move {
            let _ = port_tx.send(port);
        })
    }));
    // A failure drops the listener: the client then sees the connection refused.
    let Ok(rocket) = rocket.ignite().await else { return };
    let stop = rocket.shutdown();
    let launch = rocket.launch();
    tokio::pin!(launch);
    let port = tokio::select! {
        port = port_rx => port,
        _ = &mut launch => return,
    };
    let Ok(port) = port else { return };
    let upstream = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = &mut launch => return,
            accepted = listener.accept() => {
                let Ok((mut inbound, _)) = accepted else { continue };
                tokio::spawn(async move {
                    // A connection error is the client's business (it sees the reset).
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await else { return };
                    let _ = (inbound.set_nodelay(true), outbound.set_nodelay(true));
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        }
    }
    stop.notify();
    let _ = tokio::time::timeout(DRAIN, launch).await;
}

/// The Rocket application dispatched in-process through a local client, ignited on the first
/// request.
struct RocketTarget {
    name: String,
    cors: Cors,
    client: tokio::sync::OnceCell<Client>,
    timeout: Duration,
}

impl RocketTarget {
    async fn client(&self) -> Result<&Client, TargetError> {
        self.client
            .get_or_try_init(|| async {
                Client::untracked(rocket(self.cors.clone()))
                    .await
                    .map_err(|e| TargetError::Unreachable(format!("Rocket failed to ignite: {e}")))
            })
            .await
    }

    async fn call(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TargetError> {
        let client = self.client().await?;
        let (parts, body) = request.into_parts();
        // As Rocket's server: a method it has no variant for is a bad request, answered by the
        // 400 catcher without routing or fairings. A local request whose URI does not parse
        // takes exactly that path.
        let mut local = match rocket_method(parts.method.as_str()) {
            Some(method) => {
                let path = parts.uri.path().to_owned();
                let query = parts.uri.query().map(str::to_owned);
                client.req(method, Origin::new(path, query))
            }
            None => client.req(Method::Get, "/ unknown method"),
        };
        // The served client sends the URI's authority as `Host` when there is none.
        if !parts.headers.contains_key(http::header::HOST)
            && let Some(authority) = parts.uri.authority()
        {
            local.add_header(Header::new("host", authority.as_str().to_owned()));
        }
        for (name, value) in &parts.headers {
            // Rocket's server drops header values that are not UTF-8.
            if let Ok(value) = std::str::from_utf8(value.as_bytes()) {
                local.add_header(Header::new(name.as_str().to_owned(), value.to_owned()));
            }
        }
        local.set_body(body);
        let response = local.dispatch().await;
        let mut out = http::Response::builder().status(response.status().code);
        for header in response.headers().iter() {
            out = out.header(header.name().as_str(), header.value());
        }
        let body = response.into_bytes().await.unwrap_or_default();
        out.body(Bytes::from(body)).map_err(|e| TargetError::Malformed(format!("Rocket's response: {e}")))
    }
}

impl Target for RocketTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        guard(Box::pin(self.call(request)), self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn methods_are_matched_in_rocket_spelling_only() {
        assert_eq!(rocket_method("PATCH"), Some(Method::Patch));
        assert_eq!(rocket_method("patch"), None);
        assert_eq!(rocket_method("PROPFIND"), None);
        assert_eq!(Method::from_str("patch"), Ok(Method::Patch), "Rocket's own parser ignores case");
    }

    #[test]
    fn subdomain_regexes_are_anchored_and_escaped() {
        let pattern = |s: &str| match OriginRule::parse(s).unwrap() {
            OriginRule::Subdomains(p) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            subdomain_regex(&pattern("https://*.example.com")).unwrap(),
            r"^https://[^.]+(?:\.[^.]+)*\.example\.com$"
        );
        assert_eq!(
            subdomain_regex(&pattern("http://*.my-app.example:8080")).unwrap(),
            r"^http://[^.]+(?:\.[^.]+)*\.my\-app\.example:8080$"
        );
    }
}
