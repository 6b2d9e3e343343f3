//! The matrix: every adapter under every policy, each pair on its own task (in parallel across
//! the runtime's worker threads), gathered into one [`RunReport`].

use std::sync::Arc;
use std::time::Instant;

use crate::adapter::Adapter;
use crate::engine::run::{RunSettings, Watch, run_target};
use crate::policy::Policy;
use crate::probe::Probe;
use crate::report::{RunReport, RunStatus, TargetRun};
use crate::target::Target;

/// How targets are reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// The middleware called directly (no sockets): fastest, same answers as served (the
    /// targets crate's equivalence test shows it).
    #[default]
    InProcess,
    /// The middleware behind its own server on 127.0.0.1, reached over loopback.
    Served,
}

/// One policy of the matrix and the probes run under it (catalogue plus generated).
#[derive(Debug, Clone)]
pub struct PolicyProbes {
    pub name: String,
    pub policy: Arc<Policy>,
    pub probes: Arc<Vec<Probe>>,
}

/// What to run.
pub struct MatrixSpec {
    pub adapters: Vec<&'static dyn Adapter>,
    pub policies: Vec<PolicyProbes>,
    pub transport: Transport,
    pub settings: RunSettings,
    /// Recorded in the report: the browser profile's name, the seed and generated count the
    /// probes were made with.
    pub seed: u64,
    pub generated: usize,
    /// (target, policy) pairs running at once.
    pub parallel_pairs: usize,
}

/// Runs the matrix on the current tokio runtime (multi-threaded for parallelism). Pairs not
/// started when `watch` is cancelled are left out of the report; started ones report what
/// finished, as [`RunStatus::Interrupted`].
pub async fn run_matrix(spec: MatrixSpec, watch: &Watch) -> RunReport {
    let started = Instant::now();
    let limit = Arc::new(tokio::sync::Semaphore::new(spec.parallel_pairs.max(1)));
    let mut tasks = Vec::new();
    for (a, &adapter) in spec.adapters.iter().enumerate() {
        for (p, policy) in spec.policies.iter().enumerate() {
            let (policy, watch, limit, settings) = (policy.clone(), watch.clone(), limit.clone(), spec.settings);
            let transport = spec.transport;
            tasks.push(tokio::spawn(async move {
                let _permit = limit.acquire_owned().await.expect("the semaphore is never closed");
                if watch.cancelled() {
                    return None;
                }
                let run = run_pair(adapter, &policy, transport, &settings, &watch).await;
                Some(((a, p), run))
            }));
        }
    }
    let mut runs = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Some(run)) => runs.push(run),
            Ok(None) => {}
            // run_pair catches the target's panics; a panic here is the harness's own.
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
    runs.sort_by_key(|(order, _)| *order);
    let runs: Vec<TargetRun> = runs.into_iter().map(|(_, run)| run).collect();
    RunReport {
        tool: format!("cors-harness {}", env!("CARGO_PKG_VERSION")),
        profile: spec.settings.driver.profile.name.to_owned(),
        seed: spec.seed,
        generated: spec.generated,
        duration_ms: started.elapsed().as_millis() as u64,
        interrupted: watch.cancelled(),
        runs,
    }
}

/// One adapter under one policy: build the target (off the async workers: some frameworks
/// start threads or block while building), run the probes.
pub async fn run_pair(
    adapter: &'static dyn Adapter,
    policy: &PolicyProbes,
    transport: Transport,
    settings: &RunSettings,
    watch: &Watch,
) -> TargetRun {
    let name = match transport {
        Transport::InProcess => adapter.name().to_owned(),
        Transport::Served => format!("{} (served)", adapter.name()),
    };
    let mut run = TargetRun {
        target: name,
        policy: policy.name.clone(),
        status: RunStatus::Completed,
        groups: Vec::new(),
        findings: Vec::new(),
    };
    let built = {
        let policy = policy.policy.clone();
        tokio::task::spawn_blocking(move || match transport {
            Transport::InProcess => adapter.in_process(&policy),
            Transport::Served => adapter.served(&policy),
        })
        .await
    };
    let target: Box<dyn Target> = match built {
        Ok(Ok(target)) => target,
        Ok(Err(unsupported)) => {
            watch.progress(policy.probes.len());
            run.status = RunStatus::Unsupported { feature: unsupported.feature, reason: unsupported.reason };
            return run;
        }
        Err(join) => {
            watch.progress(policy.probes.len());
            let why = if join.is_panic() {
                crate::service_target::panic_message(join.into_panic())
            } else {
                join.to_string()
            };
            run.status = RunStatus::Failed { error: format!("building the target panicked: {why}") };
            return run;
        }
    };
    let outcome = run_target(target.as_ref(), &policy.policy, &policy.probes, settings, watch).await;
    run.groups = outcome.groups;
    run.findings = outcome.findings;
    if !outcome.completed {
        run.status = RunStatus::Interrupted;
    }
    // Dropping a served target stops its server thread, which may block briefly.
    tokio::task::spawn_blocking(move || drop(target)).await.ok();
    run
}
