//! Requests per second for every adapter compiled in, three ways, each iteration a batch of
//! 100 preflights (`OPTIONS` with `Origin`, `Access-Control-Request-Method: PUT`,
//! `Access-Control-Request-Headers: content-type`, all allowed):
//!
//! - `bare`: the middleware and the same application called with the framework's own
//!   in-process API and types (no harness conversion, guard or boxing), on the bench thread;
//! - `in-process`: the adapter's in-process [`Target`] (`send` with `http::Request<Bytes>`);
//! - `served`: the adapter's served target, over loopback with the shared pooled client.
//!
//! For tower-http also `service-target-around-bare`: the bare `CorsLayer` service through
//! `ServiceTarget`, i.e. the adapter layer alone (its overhead vs `bare` is the bar).
//!
//! `cargo bench -p cors-targets --bench adapters` (all default adapters; one adapter:
//! `--no-default-features --features poem`; one group: `-- poem/`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cors_harness::policy::Policy;
use cors_harness::target::Target;
use cors_targets::Adapter;
use criterion::{Criterion, Throughput};

const BATCH: usize = 100;

// As in the `cors-harness` binary, whose allocator this is.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
const ORIGIN: &str = "https://app.example.com";

fn policy() -> Policy {
    Policy::from_toml_str(
        "origins = [\"https://app.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nallow_headers = [\"content-type\"]\nmax_age = 600",
        "bench.toml",
    )
    .unwrap()
    .policy
}

fn preflight() -> http::Request<Bytes> {
    http::Request::builder()
        .method("OPTIONS")
        .uri("http://api.example.test/data")
        .header("origin", ORIGIN)
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .body(Bytes::new())
        .unwrap()
}

/// The preflight's headers, for the frameworks' own request builders.
const PREFLIGHT_HEADERS: [(&str, &str); 4] = [
    ("host", "api.example.test"),
    ("origin", ORIGIN),
    ("access-control-request-method", "PUT"),
    ("access-control-request-headers", "content-type"),
];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Checks once that a response to the bench preflight is an allowing one.
fn assert_allowed(status: u16, acao: Option<&[u8]>, what: &str) {
    assert!((200..300).contains(&status), "{what}: status {status}");
    assert_eq!(acao, Some(ORIGIN.as_bytes()), "{what}: Access-Control-Allow-Origin");
}

/// `in-process` and `served` rows for one adapter, through the `Target` trait.
fn target_rows(rows: &mut Rows<'_, '_>, adapter: &dyn Adapter, policy: &Policy) {
    let runtime = runtime();
    let Ok(in_process) = adapter.in_process(policy) else { return };
    let r = runtime.block_on(in_process.send(preflight())).unwrap();
    assert_allowed(
        r.status().as_u16(),
        r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
        "in-process",
    );
    rows.add("in-process", &mut |iters| {
        let started = Instant::now();
        runtime.block_on(async {
            for _ in 0..iters {
                for _ in 0..BATCH {
                    black_box(in_process.send(preflight()).await.unwrap());
                }
            }
        });
        started.elapsed()
    });
    let served = adapter.served(policy).unwrap();
    let r = runtime.block_on(served.send(preflight())).unwrap();
    assert_allowed(r.status().as_u16(), r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()), "served");
    rows.add("served", &mut |iters| {
        let started = Instant::now();
        runtime.block_on(async {
            for _ in 0..iters {
                for _ in 0..BATCH {
                    black_box(served.send(preflight()).await.unwrap());
                }
            }
        });
        started.elapsed()
    });
}

/// Where the rows go: criterion, or the min-of-rounds table (`ADAPTERS_TABLE=1`).
enum Rows<'g, 'c> {
    Criterion(&'g mut criterion::BenchmarkGroup<'c, criterion::measurement::WallTime>),
    Table { adapter: &'static str, out: &'g mut Vec<(&'static str, String, Duration)> },
}

impl Rows<'_, '_> {
    /// One row: `f(n)` runs `n` batches of [`BATCH`] requests and returns the time they took.
    fn add(&mut self, name: &str, f: &mut dyn FnMut(u64) -> Duration) {
        match self {
            Rows::Criterion(group) => {
                group.bench_function(name, |b| b.iter_custom(&mut *f));
            }
            Rows::Table { adapter, out } => {
                // The fastest of many single batches: on a loaded machine the minimum is the
                // run least disturbed by other processes. About two seconds per row.
                let first = f(1).max(Duration::from_micros(1));
                let rounds = (Duration::from_secs(2).as_nanos() / first.as_nanos()).clamp(20, 20_000);
                let mut best = first;
                let trace = std::env::var_os("ADAPTERS_TRACE").is_some();
                for round in 0..rounds {
                    let took = f(1);
                    best = best.min(took);
                    if trace && round % 200 == 0 {
                        println!("  {adapter} {name} round {round}: {:.0} µs per batch", took.as_secs_f64() * 1e6);
                    }
                }
                out.push((adapter, name.to_owned(), best));
            }
        }
    }
}

/// The rows of one adapter.
fn adapter_rows(rows: &mut Rows<'_, '_>, adapter: &dyn Adapter, policy: &Policy) {
    match adapter.name() {
        #[cfg(feature = "tower-http")]
        "tower-http" => bare::tower_http(rows, policy),
        #[cfg(feature = "actix-cors")]
        "actix-cors" => bare::actix_cors(rows, policy),
        #[cfg(feature = "poem")]
        "poem" => bare::poem(rows, policy),
        #[cfg(feature = "salvo")]
        "salvo" => bare::salvo(rows, policy),
        #[cfg(feature = "warp")]
        "warp" => bare::warp(rows, policy),
        #[cfg(feature = "rocket-cors")]
        "rocket_cors" => bare::rocket_cors(rows, policy),
        #[cfg(feature = "ntex-cors")]
        "ntex-cors" => bare::ntex_cors(rows, policy),
        #[cfg(feature = "trillium-cors")]
        "trillium-cors" => bare::trillium_cors(rows, policy),
        #[cfg(feature = "viz")]
        "viz" => bare::viz(rows, policy),
        _ => {} // the reference server is the harness's own: no bare form
    }
    target_rows(rows, adapter, policy);
}

fn bench(c: &mut Criterion) {
    let policy = policy();
    for adapter in cors_targets::adapters() {
        let mut group = c.benchmark_group(adapter.name());
        group.throughput(Throughput::Elements(BATCH as u64));
        group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
        adapter_rows(&mut Rows::Criterion(&mut group), adapter, &policy);
        group.finish();
    }
}

/// `ADAPTERS_TABLE=1`: the README's table (requests per second, min of rounds), no criterion.
fn table() {
    let policy = policy();
    let mut out = Vec::new();
    // `ADAPTERS_TABLE=ntex-cors,viz`: those adapters only.
    let only = std::env::var("ADAPTERS_TABLE").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only == "1" || only.split(',').any(|n| n == name);
    for adapter in cors_targets::adapters().into_iter().filter(|a| wanted(a.name())) {
        adapter_rows(&mut Rows::Table { adapter: adapter.name(), out: &mut out }, adapter, &policy);
    }
    let rate = |d: Duration| BATCH as f64 / d.as_secs_f64();
    println!("| adapter | bare | in-process | served | in-process / bare |");
    println!("|---|---|---|---|---|");
    for adapter in cors_targets::adapters().into_iter().filter(|a| wanted(a.name())) {
        let get = |row: &str| out.iter().find(|(a, r, _)| *a == adapter.name() && r == row).map(|(_, _, d)| *d);
        let fmt = |d: Option<Duration>| d.map_or("–".to_owned(), |d| format!("{:.0} k/s", rate(d) / 1e3));
        let ratio = match (get("bare"), get("in-process")) {
            (Some(bare), Some(in_process)) => format!("{:.2}", rate(in_process) / rate(bare)),
            _ => "–".to_owned(),
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            adapter.name(),
            fmt(get("bare")),
            fmt(get("in-process")),
            fmt(get("served")),
            ratio
        );
    }
    for (adapter, row, d) in &out {
        if !matches!(row.as_str(), "bare" | "in-process" | "served") {
            println!("{adapter} {row}: {:.0} k/s", rate(*d) / 1e3);
        }
    }
}

fn main() {
    if std::env::var_os("ADAPTERS_TABLE").is_some() {
        table();
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}

/// The `bare` rows: each framework's own in-process call of the middleware around an
/// application answering like [`cors_targets::app::response`].
mod bare {
    #[allow(unused_imports)]
    use super::*;

    #[cfg(feature = "tower-http")]
    pub fn tower_http(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use http_body_util::{BodyExt, Full};
        use tower::ServiceExt;
        let runtime = runtime();
        let layer = cors_targets::tower_http::layer(policy).unwrap();
        let bare = tower::ServiceBuilder::new().layer(layer).service(tower::service_fn(
            |_: http::Request<Full<Bytes>>| async {
                Ok::<_, std::convert::Infallible>(cors_targets::app::response().map(Full::new))
            },
        ));
        let r = runtime.block_on(bare.clone().oneshot(preflight().map(Full::new))).unwrap();
        assert_allowed(
            r.status().as_u16(),
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            "bare",
        );
        let service = bare.clone();
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let response = service.clone().oneshot(preflight().map(Full::new)).await.unwrap();
                        black_box(response.into_body().collect().await.unwrap().to_bytes());
                    }
                }
            });
            started.elapsed()
        });
        // The adapter layer alone (panic and timeout guard, boxed future, body collection)
        // around the same bare service.
        let wrapped = cors_targets::in_process::ServiceTarget::new("bare", bare);
        rows.add("service-target-around-bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        black_box(wrapped.send(preflight()).await.unwrap());
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "actix-cors")]
    pub fn actix_cors(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use actix_web::dev::Service;
        use actix_web::test::{self, TestRequest};
        use actix_web::{App, HttpResponse, http::Method, web};
        let system = actix_web::rt::System::new();
        let cors = cors_targets::actix_cors::cors(policy).unwrap();
        let app = system.block_on(test::init_service(App::new().wrap(cors).default_service(web::to(|| async {
            let mut response = HttpResponse::Ok();
            for (name, value) in cors_targets::app::RESPONSE_HEADERS {
                response.append_header((name, value));
            }
            response.body(cors_targets::app::BODY)
        }))));
        let request = || {
            let mut request = TestRequest::default().method(Method::OPTIONS).uri("/data");
            for header in PREFLIGHT_HEADERS {
                request = request.insert_header(header);
            }
            request.to_request()
        };
        let r = system.block_on(app.call(request())).unwrap();
        assert_allowed(
            r.status().as_u16(),
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            "bare",
        );
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            system.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let response = app.call(request()).await.unwrap();
                        black_box(actix_web::body::to_bytes(response.into_body()).await.ok());
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "poem")]
    pub fn poem(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use poem::endpoint::make_sync;
        use poem::http::Method;
        use poem::middleware::Middleware;
        use poem::{Endpoint, Request, Response, Route};
        let runtime = runtime();
        let app = make_sync(|_| {
            let mut response = Response::builder();
            for (name, value) in cors_targets::app::RESPONSE_HEADERS {
                response = response.header(name, value);
            }
            response.body(cors_targets::app::BODY)
        });
        let endpoint = cors_targets::poem::cors(policy).unwrap().transform(Route::new().at("/*path", app));
        let request = || {
            let mut request = Request::builder().method(Method::OPTIONS).uri_str("/data");
            for (name, value) in PREFLIGHT_HEADERS {
                request = request.header(name, value);
            }
            request.finish()
        };
        let r = runtime.block_on(endpoint.get_response(request()));
        assert_allowed(
            r.status().as_u16(),
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            "bare",
        );
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let response = endpoint.get_response(request()).await;
                        black_box(response.into_body().into_bytes().await.unwrap());
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "salvo")]
    pub fn salvo(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use http_body_util::BodyExt;
        use salvo::hyper::service::Service as _;
        use salvo::{ConnCtrl, Depot, FlowCtrl, Handler, Request, Response, Router, Service, async_trait};
        struct App;
        #[async_trait]
        impl Handler for App {
            async fn handle(&self, _: &mut Request, _: &mut Depot, res: &mut Response, _: &mut FlowCtrl) {
                for (name, value) in cors_targets::app::RESPONSE_HEADERS {
                    res.headers_mut().append(name, http::HeaderValue::from_static(value));
                }
                res.body(cors_targets::app::BODY);
            }
        }
        let runtime = runtime();
        let cors = cors_targets::salvo::cors(policy).unwrap();
        let service = Service::new(Router::with_path("{**rest}").goal(App)).hoop(cors.into_handler());
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let call = || {
            let handler = service.hyper_handler(
                loopback.into(),
                loopback.into(),
                http::uri::Scheme::HTTP,
                None,
                ConnCtrl::new(),
                None,
            );
            handler.call(preflight())
        };
        let r = runtime.block_on(call()).unwrap();
        assert_allowed(
            r.status().as_u16(),
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            "bare",
        );
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let response = call().await.unwrap();
                        black_box(response.into_body().collect().await.unwrap().to_bytes());
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "warp")]
    pub fn warp(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use http_body_util::{BodyExt, Full};
        use tower::ServiceExt;
        use warp::Filter;
        let runtime = runtime();
        let cors = cors_targets::warp::cors(policy).unwrap();
        let service = warp::service(warp::any().map(cors_targets::app::response).with(cors));
        let r = runtime.block_on(service.clone().oneshot(preflight().map(Full::new))).unwrap();
        assert_allowed(
            r.status().as_u16(),
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            "bare",
        );
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let response = service.clone().oneshot(preflight().map(Full::new)).await.unwrap();
                        black_box(response.into_body().collect().await.unwrap().to_bytes());
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "rocket-cors")]
    pub fn rocket_cors(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use rocket::http::{Header, Method};
        use rocket::local::asynchronous::Client;
        let runtime = runtime();
        let cors = cors_targets::rocket_cors::options(policy).unwrap().to_cors().unwrap();
        let client = runtime.block_on(Client::untracked(cors_targets::rocket_cors::rocket(cors))).unwrap();
        let call = || {
            let mut request = client.req(Method::Options, "/data");
            for (name, value) in PREFLIGHT_HEADERS {
                request.add_header(Header::new(name, value));
            }
            request.dispatch()
        };
        let r = runtime.block_on(call());
        assert_allowed(r.status().code, r.headers().get_one("access-control-allow-origin").map(str::as_bytes), "bare");
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        black_box(call().await.into_bytes().await);
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "ntex-cors")]
    pub fn ntex_cors(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use ntex::http::Method;
        use ntex::web::{self, App, HttpResponse, test};
        // `SystemRunner::block_on` consumes the runner: one System per sample, timed inside.
        let mut sample = |batches: u64| {
            let cors = cors_targets::ntex_cors::cors(policy).unwrap();
            ntex::rt::System::new("bench", ntex::rt::DefaultRuntime).block_on(async move {
                let app = test::init_service(App::new().middleware(cors).default_service(web::to(|| async {
                    let mut response = HttpResponse::Ok();
                    for (name, value) in cors_targets::app::RESPONSE_HEADERS {
                        response.header(name, value);
                    }
                    response.body(cors_targets::app::BODY)
                })))
                .await;
                let request = || {
                    let mut request = test::TestRequest::default().method(Method::OPTIONS).uri("/data");
                    for (name, value) in PREFLIGHT_HEADERS {
                        request = request.header(name, value);
                    }
                    request.to_request()
                };
                let r = app.call(request()).await.unwrap();
                assert_allowed(
                    r.status().as_u16(),
                    r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
                    "bare",
                );
                let started = std::time::Instant::now();
                for _ in 0..batches {
                    for _ in 0..BATCH {
                        black_box(test::read_body(app.call(request()).await.unwrap()).await);
                    }
                }
                started.elapsed()
            })
        };
        rows.add("bare", &mut sample);
    }

    #[cfg(feature = "trillium-cors")]
    pub fn trillium_cors(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use trillium::{Conn, Handler, KnownHeaderName, Method, Transport};
        struct App;
        impl Handler for App {
            async fn run(&self, mut conn: Conn) -> Conn {
                for (name, value) in cors_targets::app::RESPONSE_HEADERS {
                    conn.response_headers_mut().append(name, value);
                }
                conn.ok(cors_targets::app::BODY)
            }
        }
        let runtime = runtime();
        let handler = (cors_targets::trillium_cors::cors(policy).unwrap(), App);
        let context = std::sync::Arc::new(trillium_http::HttpContext::default());
        let call = || async {
            let mut conn =
                trillium_http::Conn::new_synthetic(Method::Options, "/data", ()).with_context(context.clone());
            for (name, value) in PREFLIGHT_HEADERS {
                conn.request_headers_mut().append(name, value);
            }
            conn.request_headers_mut().remove(KnownHeaderName::ContentLength);
            let conn = handler.run(Conn::from(conn)).await;
            let mut conn = handler.before_send(conn).await;
            AsMut::<trillium_http::Conn<Box<dyn Transport>>>::as_mut(&mut conn).finalize_headers();
            conn
        };
        let mut r = runtime.block_on(call());
        let status = r.status().map_or(404, |s| s as u16);
        assert_allowed(
            status,
            r.response_headers().get_str(KnownHeaderName::AccessControlAllowOrigin).map(str::as_bytes),
            "bare",
        );
        let _ = r.take_response_body();
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let mut conn = call().await;
                        black_box(match conn.take_response_body() {
                            Some(body) => body.into_bytes().await.ok(),
                            None => None,
                        });
                    }
                }
            });
            started.elapsed()
        });
    }

    #[cfg(feature = "viz")]
    pub fn viz(rows: &mut Rows<'_, '_>, policy: &Policy) {
        use http_body_util::{BodyExt, Full};
        use viz::{Body, Handler, Router, Tree};
        async fn app(_: viz::Request) -> viz::Result<viz::Response> {
            Ok(cors_targets::app::response().map(|body| Body::from(Full::new(body))))
        }
        let runtime = runtime();
        let config = cors_targets::viz::config(policy).unwrap();
        let tree = Tree::from(Router::new().any("/", app).any("/*", app).with(config));
        let call = || {
            let mut request = http::Request::builder().method("OPTIONS").uri("/data");
            for (name, value) in PREFLIGHT_HEADERS {
                request = request.header(name, value);
            }
            let (handler, _) = tree.find(&http::Method::OPTIONS, "/data").unwrap();
            handler.call(request.body(Body::Empty).unwrap())
        };
        let r = runtime.block_on(call()).unwrap();
        assert_allowed(
            r.status().as_u16(),
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            "bare",
        );
        rows.add("bare", &mut |iters| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..iters {
                    for _ in 0..BATCH {
                        let response = call().await.unwrap();
                        black_box(response.into_body().collect().await.unwrap().to_bytes());
                    }
                }
            });
            started.elapsed()
        });
    }
}
