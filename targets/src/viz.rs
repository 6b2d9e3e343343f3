//! viz 0.11's CORS middleware (`viz::middleware::cors::Config`, cargo feature `cors`) on a viz
//! `Router` whose every route answers like the application.
//!
//! | policy | viz `cors::Config` |
//! |---|---|
//! | exact origins, `null` | `allow_origins` (a set of header values; the `Origin` must be in it) |
//! | subdomain patterns | unsupported: `origin_verify` is only consulted for origins already in the `allow_origins` set, so no predicate can add one |
//! | `origins = ["*"]` | unsupported: the set is compared with the `Origin` value, so its default `*` entry matches only a literal `Origin: *` |
//! | `methods` | `allow_methods`: the policy's methods plus `GET`, `HEAD`, `POST` (METH-1); `["*"]`: an empty set, which the middleware's check reads as "any method" |
//! | `allow_headers` | `allow_headers`; `[]`: an empty set; `["*"]`: unsupported (no way to allow any header) |
//! | `expose_headers` | `expose_headers`; `["*"]`: `expose_headers(["*"])`; with credentials: unsupported |
//! | `credentials` | `credentials(true)` |
//! | `max_age` | `max_age(usize)` (set as the API offers it; see below) |
//! | `private_network` | unsupported (no private-network support) |
//!
//! What viz's middleware does that the harness reports rather than hides (`tests/viz.rs`,
//! `viz_cors_quirks_as_reported`), read from its source: a disallowed origin gets `403` on
//! every request, actual ones included (the application never runs); a preflight is approved
//! when *any* one of the requested headers is allowed, and refused (403) when headers are
//! requested and none is configured; `max_age` is stored but never sent; a preflight without
//! `Access-Control-Request-Headers` gets `Access-Control-Allow-Headers: *`; the allowed
//! methods and headers are listed in hash order, different for each instance.
//!
//! In-process, a request goes the way viz's server sends it (`Responder`): the route tree is
//! searched by method and path (`HEAD` falls back to `GET`, no route is a 404), the handler's
//! error becomes its response; on the caller's task, with the shared panic and timeout guard.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cors_harness::policy::{AllowedMethods, AllowedNames, AllowedOrigins, OriginRule, Policy};
use cors_harness::target::{Target, TargetError, TargetFuture};
use http_body_util::BodyExt;
use viz::middleware::cors::Config;
use viz::{Body, Handler, IntoResponse, Request, Response, Router, Tree};

use crate::adapter::{Adapter, Unsupported};
use crate::in_process::{DEFAULT_TIMEOUT, guard};
use crate::served::{ServedTarget, Server};
use crate::shared::PerPolicy;

pub struct VizAdapter;

pub static VIZ: VizAdapter = VizAdapter;

const NAME: &str = "viz";

impl Adapter for VizAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> &'static str {
        "viz 0.11 (cors)"
    }

    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let config = shared_config(policy)?;
        let tree = Arc::new(Tree::from(router(&config)));
        Ok(Box::new(VizTarget { tree, timeout: DEFAULT_TIMEOUT, _config: config }))
    }

    fn served(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        let config = shared_config(policy)?;
        let router = router(&config);
        let server = Server::spawn(NAME, move |listener, shutdown| async move {
            let stop = async move {
                let _ = shutdown.await;
            };
            let _ = viz::serve(listener, router).signal(stop).await;
        })
        .map_err(|e| unsupported("serving on 127.0.0.1", &e.to_string()))?;
        Ok(Box::new(VizServed { inner: ServedTarget::new(format!("{NAME} (served)"), server), _config: config }))
    }
}

fn unsupported(feature: &str, reason: &str) -> Unsupported {
    Unsupported { adapter: NAME, feature: feature.into(), reason: reason.into() }
}

/// The application: every method viz routes (`Router::any`) and every path.
async fn app(_: Request) -> viz::Result<Response> {
    Ok(crate::app::response().map(|body| Body::from(http_body_util::Full::new(body))))
}

fn router(config: &Config) -> Router {
    Router::new().any("/", app).any("/*", app).with(config.clone())
}

/// Configured middleware of the live targets, by policy: viz keeps the allowed methods and
/// headers in `HashSet`s with random hashers, so the in-process and served targets of one
/// policy share one configuration to list them alike.
static SHARED: PerPolicy<Config> = PerPolicy::new();

fn shared_config(policy: &Policy) -> Result<Arc<Config>, Unsupported> {
    SHARED.get_or_build(policy, config)
}

/// Translates the neutral policy into viz's CORS configuration.
pub fn config(policy: &Policy) -> Result<Config, Unsupported> {
    let origins = match &policy.origins {
        AllowedOrigins::Any => {
            return Err(unsupported(
                "origins = [\"*\"]",
                "the middleware looks the Origin up in its allow_origins set, so `*` (its default) matches only a \
                 literal `Origin: *`, and origin_verify can only narrow that set",
            ));
        }
        AllowedOrigins::List(rules) => {
            let mut origins = Vec::new();
            for rule in rules {
                match rule {
                    OriginRule::Exact(_) | OriginRule::Null => origins.push(rule.to_string()),
                    OriginRule::Subdomains(_) => {
                        return Err(unsupported(
                            &format!("origins = [\"{rule}\"]"),
                            "origin_verify is consulted only for origins already in the allow_origins set: no pattern \
                             can allow more",
                        ));
                    }
                }
            }
            origins
        }
    };
    let methods: Vec<String> = match &policy.methods {
        // The middleware's check: an empty set allows any requested method.
        AllowedMethods::Any => Vec::new(),
        AllowedMethods::List(listed) => {
            let mut methods: Vec<String> = ["GET", "HEAD", "POST"].map(str::to_owned).to_vec();
            for m in listed {
                if !methods.iter().any(|x| x == m.as_str()) {
                    methods.push(m.as_str().to_owned());
                }
            }
            methods
        }
    };
    let allow_headers: Vec<String> = match &policy.allow_headers {
        AllowedNames::Any => {
            return Err(unsupported(
                "allow_headers = [\"*\"]",
                "allow_headers takes names; an empty set refuses every preflight that requests headers",
            ));
        }
        AllowedNames::List(names) => names.iter().map(|n| n.as_str().to_owned()).collect(),
    };
    let expose_headers: Vec<String> = match &policy.expose_headers {
        AllowedNames::Any if policy.credentials => {
            return Err(unsupported(
                "expose_headers = [\"*\"] with credentials = true",
                "`*` is inert for credentialed requests (EXP-2) and the middleware has no way to list the \
                 response's own header names",
            ));
        }
        AllowedNames::Any => vec!["*".to_owned()],
        AllowedNames::List(names) => names.iter().map(|n| n.as_str().to_owned()).collect(),
    };
    if policy.private_network {
        return Err(unsupported("private_network = true", "the middleware has no private-network access support"));
    }
    let mut config = Config::new()
        .allow_origins(origins.iter().map(String::as_str))
        .allow_methods(methods.iter().map(String::as_str))
        .allow_headers(allow_headers.iter().map(String::as_str))
        .expose_headers(expose_headers.iter().map(String::as_str))
        .credentials(policy.credentials);
    if let Some(seconds) = policy.max_age {
        let seconds = usize::try_from(seconds)
            .map_err(|_| unsupported(&format!("max_age = {seconds}"), "max_age takes a usize, too small here"))?;
        config = config.max_age(seconds);
    }
    Ok(config)
}

/// The router called in-process, as viz's `Responder` calls it.
struct VizTarget {
    tree: Arc<Tree>,
    timeout: Duration,
    _config: Arc<Config>,
}

impl Target for VizTarget {
    fn name(&self) -> &str {
        NAME
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        let tree = Arc::clone(&self.tree);
        guard(Box::pin(call(tree, request)), self.timeout)
    }
}

async fn call(tree: Arc<Tree>, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, TargetError> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let found = tree
        .find(&method, &path)
        .or_else(|| if method == http::Method::HEAD { tree.find(&http::Method::GET, &path) } else { None });
    let response = match found {
        None => http::StatusCode::NOT_FOUND.into_response(),
        Some((handler, _)) => {
            let handler = handler.clone();
            let request = request
                .map(|body| if body.is_empty() { Body::Empty } else { Body::from(http_body_util::Full::new(body)) });
            handler.call(request).await.unwrap_or_else(IntoResponse::into_response)
        }
    };
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| TargetError::ConnectionReset(format!("the response body failed: {e}")))?
        .to_bytes();
    Ok(http::Response::from_parts(parts, body))
}

/// The served target, keeping the shared configuration alive while it runs.
struct VizServed {
    inner: ServedTarget,
    _config: Arc<Config>,
}

impl Target for VizServed {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        self.inner.send(request)
    }
}
