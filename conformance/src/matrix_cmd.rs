//! `cors-harness matrix`: the main job. Every built-in target under every built-in policy,
//! the conformance catalogue plus N generated probes each, in parallel; a matrix of targets ×
//! probe groups, then the top findings with their minimal reproductions.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cors_harness::adapter::Adapter;
use cors_harness::divergence::DivergenceClass;
use cors_harness::engine::{DriverSettings, MatrixSpec, PolicyProbes, RunSettings, Transport, Watch, run_matrix};
use cors_harness::policy::Policy;
use cors_harness::probe::Probe;

/// Where probes are sent. In-process targets never see the host; served ones are reached on
/// 127.0.0.1 whatever it says.
pub const TARGET_URL: &str = "http://api.example.test/data";

#[derive(clap::Args)]
pub struct Args {
    /// Generated probes per target and policy, on top of the catalogue.
    #[arg(long, default_value_t = 2000)]
    cases: usize,
    /// Seed of the generated probes (printed on every run; the same seed replays them).
    #[arg(long)]
    seed: Option<u64>,
    /// Policy files to run instead of the built-in policies (repeatable).
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// Only these targets (repeatable); `--list-targets` shows the names.
    #[arg(long = "target", value_name = "NAME")]
    targets: Vec<String>,
    /// List the targets and exit.
    #[arg(long)]
    list_targets: bool,
    /// Serve each target on 127.0.0.1 and send over loopback instead of calling it in-process.
    #[arg(long)]
    served: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = cors_reports::Format::Terminal)]
    format: cors_reports::Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Findings shown in full (terminal and Markdown).
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// The browser the oracle models: chromium, firefox or spec (the standard as written).
    #[arg(long, default_value = "chromium")]
    browser: String,
    /// Per-request timeout in milliseconds.
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
    /// (target, policy) pairs run at once (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Report findings as found, without shrinking them to a minimal reproduction.
    #[arg(long)]
    no_shrink: bool,
    /// Exit with status 1 when a divergence of one of these classes is found
    /// (comma-separated: security, functional, protocol, execution).
    #[arg(long, value_delimiter = ',', value_parser = parse_class)]
    fail_on: Vec<DivergenceClass>,
}

fn parse_class(text: &str) -> Result<DivergenceClass, String> {
    match text {
        "security" => Ok(DivergenceClass::Security),
        "functional" => Ok(DivergenceClass::Functional),
        "protocol" => Ok(DivergenceClass::Protocol),
        "execution" => Ok(DivergenceClass::Execution),
        other => Err(format!("unknown divergence class {other:?} (security, functional, protocol, execution)")),
    }
}

/// The targets `matrix` knows: `defaults` run when no `--target` is given; `extra` ones only
/// when named (fault targets, historical pins).
pub struct Registry {
    pub defaults: Vec<&'static dyn Adapter>,
    pub extra: Vec<&'static dyn Adapter>,
}

impl Registry {
    /// The built-in adapters (cargo features of `cors-targets`), then the fault targets.
    #[cfg(feature = "builtin-targets")]
    pub fn builtin() -> Registry {
        Registry { defaults: cors_targets::adapters(), extra: cors_targets::faults::fault_adapters() }
    }
}

pub fn run(args: &Args, registry: &Registry) -> ExitCode {
    let (defaults, faults) = (registry.defaults.clone(), &registry.extra);
    if args.list_targets {
        for adapter in defaults.iter().chain(faults) {
            println!("{:<20} {}", adapter.name(), adapter.version());
        }
        return ExitCode::SUCCESS;
    }
    let adapters: Vec<&'static dyn Adapter> = if args.targets.is_empty() {
        defaults
    } else {
        let mut chosen = Vec::new();
        for name in &args.targets {
            match defaults.iter().chain(faults).find(|a| a.name() == name) {
                Some(adapter) => chosen.push(*adapter),
                None => {
                    eprintln!("error: no target named {name:?}; `cors-harness matrix --list-targets` lists them");
                    return ExitCode::from(2);
                }
            }
        }
        chosen
    };
    let Some(&profile) = cors_harness::profile::ALL.iter().find(|p| p.name == args.browser) else {
        eprintln!("error: no browser profile {:?} (chromium, firefox, spec)", args.browser);
        return ExitCode::from(2);
    };
    let policies = match load_policies(&args.policies) {
        Ok(policies) => policies,
        Err(code) => return code,
    };
    let seed = args.seed.unwrap_or_else(random_seed);
    eprintln!("seed {seed} (replay with --seed {seed})");

    let url = url::Url::parse(TARGET_URL).expect("a valid URL");
    let policies: Vec<PolicyProbes> = policies
        .into_iter()
        .map(|(name, policy)| {
            let probes = probes(&policy, &url, seed, args.cases);
            PolicyProbes { name, policy: Arc::new(policy), probes: Arc::new(probes) }
        })
        .collect();
    let total: usize = adapters.len() * policies.iter().map(|p| p.probes.len()).sum::<usize>();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let spec = MatrixSpec {
        adapters,
        policies,
        transport: if args.served { Transport::Served } else { Transport::InProcess },
        settings: RunSettings {
            driver: DriverSettings { profile, timeout: Duration::from_millis(args.timeout_ms) },
            shrink_budget: if args.no_shrink { 0 } else { RunSettings::default().shrink_budget },
            ..RunSettings::default()
        },
        seed,
        generated: args.cases,
        parallel_pairs: args.jobs.unwrap_or(cores),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let report = runtime.block_on(async {
        let watch = Watch::default();
        let bar = progress_bar(total as u64);
        let watch = Watch {
            on_probe: bar
                .clone()
                .map(|bar| Arc::new(move |n: usize| bar.inc(n as u64)) as Arc<dyn Fn(usize) + Send + Sync>),
            ..watch
        };
        // First Ctrl-C: stop starting probes and report what finished; second: exit now.
        let cancel = watch.cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupted: finishing the probes in flight (Ctrl-C again to quit now)");
                cancel.store(true, Ordering::Relaxed);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        let report = run_matrix(spec, &watch).await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        report
    });
    // Served targets' server threads stop when dropped; don't wait for stragglers.
    runtime.shutdown_timeout(Duration::from_secs(1));

    let options = cors_reports::RenderOptions {
        color: args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        top: args.top,
        policy_files: args.policies.iter().map(|f| (policy_name(f), f.display().to_string())).collect(),
        ..cors_reports::RenderOptions::default()
    };
    let text = cors_reports::render(args.format, &report, &options);
    match &args.output {
        Some(path) => {
            if let Err(e) = cors_reports::write_atomic(path, text.as_bytes()) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            eprintln!("report written to {}", path.display());
        }
        None => print!("{text}"),
    }
    if report.interrupted {
        return ExitCode::from(130);
    }
    if cors_harness::report::has_failures(&report, &args.fail_on) { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// The catalogue for `policy`, then `n` generated probes.
pub fn probes(policy: &Policy, url: &url::Url, seed: u64, n: usize) -> Vec<Probe> {
    let mut probes = cors_harness::catalogue::catalogue(policy, url);
    probes.extend(cors_harness::generate::probes(policy, url, seed, n));
    probes
}

fn load_policies(files: &[PathBuf]) -> Result<Vec<(String, Policy)>, ExitCode> {
    if files.is_empty() {
        return Ok(cors_harness::policy::builtin::builtin().into_iter().map(|(n, p)| (n.to_owned(), p)).collect());
    }
    let mut out = Vec::new();
    for file in files {
        match Policy::load(file) {
            Ok(loaded) => {
                for warning in &loaded.warnings {
                    eprintln!("{:?}", miette::Report::new(warning.clone()));
                }
                out.push((policy_name(file), loaded.policy));
            }
            Err(e) => {
                eprintln!("{:?}", miette::Report::new(e));
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(out)
}

/// A policy's name in reports: its file name without the extension.
fn policy_name(file: &std::path::Path) -> String {
    file.file_stem().map_or_else(|| file.display().to_string(), |s| s.to_string_lossy().into())
}

/// A progress bar on a terminal; none in CI or when stderr is not a terminal.
fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} probes ({per_sec}, eta {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    Some(bar)
}

/// A seed from the clock and the process: different per run, printed so it can be replayed.
fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}
