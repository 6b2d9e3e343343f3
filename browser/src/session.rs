//! A browser session: the scripted server, one browser on the runner page, and [`Session::run`]
//! to evaluate batches of cases in it (as many batches as needed, e.g. while minimizing).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::case::{BrowserCase, routes};
use crate::launcher::{Browser, Engine};
use crate::page::{Pages, TOP_URL, key};
use crate::server::{CaseRecord, Server};

/// One case as the browser ran it.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The case with its paths moved under `/c<index>` (what the browser and the oracle see).
    pub relocated: BrowserCase,
    /// The runner page's result (`None`: it never came, see [`Session::run`]).
    pub page: Option<Value>,
    /// What the scripted server received, per step.
    pub record: CaseRecord,
    /// Browser console lines that mention the case's URLs (Chromium's CORS error messages).
    pub console: Vec<String>,
}

pub struct Session {
    rt: tokio::runtime::Runtime,
    server: Server,
    browser: Browser,
    next: u64,
    /// Give up on cases when no result arrived for this long.
    pub stall_timeout: Duration,
}

impl Session {
    /// Starts the scripted server and `engine` on the runner page (`concurrency` cases in
    /// flight per runner frame).
    pub fn start(engine: Engine, concurrency: usize) -> Result<Session, String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let server = Server::start(&rt, Pages::new(concurrency)).map_err(|e| format!("scripted server: {e}"))?;
        let browser = Browser::launch(engine, server.port, TOP_URL)?;
        Ok(Session { rt, server, browser, next: 1, stall_timeout: Duration::from_secs(60) })
    }

    pub fn engine(&self) -> Engine {
        self.browser.engine
    }

    /// `chromium --version` (or Firefox's).
    pub fn version(&self) -> &str {
        &self.browser.version
    }

    /// Where the browser's shared memory lives.
    pub fn shared_memory(&self) -> crate::shm::SharedMemory {
        self.browser.shared_memory
    }

    /// CPU seconds the browser's processes have used so far (see [`crate::launcher::Browser::cpu_seconds`]).
    pub fn browser_cpu_seconds(&self) -> f64 {
        self.browser.cpu_seconds()
    }

    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// Runs every case in the browser (all queued at once; the runner frames keep their
    /// concurrency), returning them in order. Cases must be [supported](BrowserCase::unsupported_in) by the engine.
    /// A case whose result never arrives (no progress for `stall_timeout`) comes back with
    /// `page: None`. Fails if the browser dies.
    pub fn run(&mut self, cases: &[BrowserCase]) -> Result<Vec<Ran>, String> {
        let mut out: Vec<Option<Ran>> = vec![None; cases.len()];
        let mut pending: HashMap<u64, usize> = HashMap::with_capacity(cases.len());
        let mut relocated = Vec::with_capacity(cases.len());
        for (slot, case) in cases.iter().enumerate() {
            let index = self.next;
            self.next += 1;
            let moved = case.relocate(index);
            let runner = key(moved.origin().serialize());
            self.server.submit(index, routes(&moved), &runner, moved.page_spec(index));
            pending.insert(index, slot);
            relocated.push(moved);
        }
        let mut last_progress = Instant::now();
        while !pending.is_empty() {
            self.rt.block_on(self.server.wait_result(Duration::from_millis(100)));
            let done = self.server.drain();
            if !done.is_empty() {
                last_progress = Instant::now();
            }
            let mut console = self.browser.console.lock().expect("console");
            for (index, page, record) in done {
                let Some(slot) = pending.remove(&index) else { continue };
                out[slot] = Some(Ran {
                    relocated: relocated[slot].clone(),
                    page: Some(page),
                    record,
                    console: console.take(index),
                });
            }
            drop(console);
            self.browser.check_alive()?;
            if last_progress.elapsed() > self.stall_timeout {
                for (index, slot) in pending.drain() {
                    let record = self.server.abandon(index).unwrap_or_default();
                    let console = self.browser.console.lock().expect("console").take(index);
                    out[slot] = Some(Ran { relocated: relocated[slot].clone(), page: None, record, console });
                }
            }
        }
        // Console lines can trail the result by a moment.
        std::thread::sleep(Duration::from_millis(50));
        let mut console = self.browser.console.lock().expect("console");
        let out: Vec<Ran> = out.into_iter().map(|r| r.expect("every case finished")).collect();
        let out = out
            .into_iter()
            .map(|mut r| {
                let index = index_of(&r.relocated);
                r.console.extend(console.take(index));
                r
            })
            .collect();
        Ok(out)
    }
}

/// The `/c<index>` a relocated case's URLs carry.
fn index_of(case: &BrowserCase) -> u64 {
    let path = case.main().url.path();
    path.strip_prefix("/c").and_then(|r| r.split('/').next()).and_then(|d| d.parse().ok()).unwrap_or(0)
}
