//! Starting a real browser: Debian's `chromium` (or `firefox-esr`), headless, with a fresh
//! profile, every made-up hostname sent to the scripted server, and its console captured.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::shm::SharedMemory;

/// A browser engine the differential can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
        }
    }

    pub fn by_name(name: &str) -> Option<Engine> {
        match name {
            "chromium" | "chrome" => Some(Engine::Chromium),
            "firefox" | "firefox-esr" => Some(Engine::Firefox),
            _ => None,
        }
    }

    /// The binary: `$CORS_BROWSER_CHROMIUM` / `$CORS_BROWSER_FIREFOX`, else the first of the
    /// usual names on `PATH`.
    pub fn binary(self) -> Result<PathBuf, String> {
        let (var, names, package): (&str, &[&str], &str) = match self {
            Engine::Chromium => ("CORS_BROWSER_CHROMIUM", &["chromium", "chromium-browser"], "chromium"),
            Engine::Firefox => ("CORS_BROWSER_FIREFOX", &["firefox-esr", "firefox"], "firefox-esr"),
        };
        if let Some(p) = std::env::var_os(var) {
            return Ok(PathBuf::from(p));
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        for dir in std::env::split_paths(&path) {
            for name in names {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
        Err(format!(
            "no {} binary on PATH (looked for {}; or set {var}): install Debian's package with \
             `apt-get install -y --no-install-recommends {package}` (.ci/run does)",
            self.name(),
            names.join(", ")
        ))
    }
}

/// Console lines, indexed by the case whose URLs (`/c<index>/`) they mention.
#[derive(Debug, Default)]
pub struct Console {
    by_case: HashMap<u64, Vec<String>>,
    tail: VecDeque<String>,
}

impl Console {
    fn add(&mut self, line: String) {
        if self.tail.len() == 40 {
            self.tail.pop_front();
        }
        self.tail.push_back(line.clone());
        let is_console = line.contains("CONSOLE") || line.contains("console.") || line.contains("CORS");
        if !is_console {
            return;
        }
        let mut seen = Vec::new();
        let bytes = line.as_bytes();
        let mut i = 0;
        while let Some(p) = line[i..].find("/c") {
            let start = i + p + 2;
            let end = bytes[start..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |e| start + e);
            if end > start
                && bytes.get(end) == Some(&b'/')
                && let Ok(n) = line[start..end].parse::<u64>()
                && !seen.contains(&n)
            {
                seen.push(n);
                self.by_case.entry(n).or_default().push(line.clone());
            }
            i = start;
        }
    }

    pub fn take(&mut self, case: u64) -> Vec<String> {
        self.by_case.remove(&case).unwrap_or_default()
    }

    pub fn tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
    }
}

/// A running browser; killed on drop.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    pub console: Arc<Mutex<Console>>,
    pub engine: Engine,
    pub version: String,
    /// Where Chromium's data pipes live (see [`crate::shm`]).
    pub shared_memory: SharedMemory,
}

impl Browser {
    /// Starts `engine` headless on `url`, sending every `*.test` host to 127.0.0.1:`port`.
    pub fn launch(engine: Engine, port: u16, url: &str) -> Result<Browser, String> {
        let binary = engine.binary()?;
        let version = Command::new(&binary)
            .arg("--version")
            .stderr(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .map_err(|e| format!("{} --version: {e}", binary.display()))?;
        let profile = tempfile::Builder::new()
            .prefix(&format!("cors-browser-{}-", engine.name()))
            .tempdir()
            .map_err(|e| format!("profile directory: {e}"))?;
        let mut shared_memory = SharedMemory::System;
        let mut command = match engine {
            Engine::Chromium => {
                shared_memory = SharedMemory::detect();
                shared_memory.command(binary.as_os_str())
            }
            Engine::Firefox => Command::new(&binary),
        };
        match engine {
            Engine::Chromium => {
                command.args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-extensions",
                    "--disable-default-apps",
                    "--mute-audio",
                    "--disable-renderer-backgrounding",
                    "--disable-background-timer-throttling",
                    "--disable-backgrounding-occluded-windows",
                    // The scripted server's https certificate is self-signed (crate::tls).
                    "--ignore-certificate-errors",
                ]);
                // Console messages (Chromium's CORS error reasons) on stderr, unless turned off
                // for a pure throughput run.
                if std::env::var_os("CORS_BROWSER_NO_CONSOLE").is_none() {
                    command.args(["--enable-logging=stderr", "--v=0"]);
                }
                // In a private tmpfs the profile (HTTP disk cache included) costs no disk I/O
                // and vanishes with the browser.
                match shared_memory.private_dir() {
                    Some(dir) => command.arg(format!("--user-data-dir={dir}/profile")),
                    None => command.arg(format!("--user-data-dir={}", profile.path().display())),
                };
                // Extra flags for experiments (space-separated).
                if let Some(extra) = std::env::var_os("CORS_BROWSER_CHROMIUM_FLAGS") {
                    command.args(extra.to_string_lossy().split_whitespace());
                }
                // Made-up hosts (any port) to the scripted server; nothing else resolves.
                command.arg(format!("--host-resolver-rules=MAP *.test 127.0.0.1:{port}, MAP * ~NOTFOUND"));
                command.arg(url);
            }
            Engine::Firefox => {
                crate::firefox::write_profile(profile.path(), port).map_err(|e| format!("firefox profile: {e}"))?;
                command.args(["--headless", "--no-remote", "--profile"]).arg(profile.path()).arg(url);
                command.env("MOZ_LOG", "");
            }
        }
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let console = Arc::new(Mutex::new(Console::default()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = console.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().expect("console").add(line);
            }
        });
        Ok(Browser { child, _profile: profile, console, engine, version, shared_memory })
    }

    /// `Err` with the last stderr lines if the browser exited.
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}); last stderr lines:\n{}",
                self.engine.name(),
                self.console.lock().expect("console").tail().join("\n")
            )),
            Err(e) => Err(format!("waiting for {}: {e}", self.engine.name())),
        }
    }
}

impl Browser {
    /// CPU seconds (user + system) used so far by the browser's live processes (Linux
    /// `/proc`; 0 elsewhere): a measure of its work that does not depend on what else the
    /// machine runs.
    pub fn cpu_seconds(&self) -> f64 {
        let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
        let mut stats: Vec<(u32, u32, u64)> = Vec::new(); // pid, parent, ticks
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            // Fields after the `(comm)`: state ppid ... utime(14) stime(15), 1-based overall.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else { continue };
            let f: Vec<&str> = rest.split(' ').collect();
            let parse = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            stats.push((pid, parse(1) as u32, parse(11) + parse(12)));
        }
        let mut tree = vec![self.child.id()];
        let mut ticks = 0;
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            for (pid, ppid, t) in &stats {
                if *pid == parent {
                    ticks += t;
                }
                if *ppid == parent && !tree.contains(pid) {
                    tree.push(*pid);
                }
            }
            i += 1;
        }
        ticks as f64 / 100.0 // USER_HZ
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_lines_are_indexed_by_case() {
        let mut c = Console::default();
        c.add("[1:1:INFO:CONSOLE:0] \"Access to fetch at 'http://a.test/c12/x' (redirected from 'http://b.test/c12/y') blocked by CORS policy\"".into());
        c.add("noise /c13/ without the marker".into());
        assert_eq!(c.take(12).len(), 1);
        assert!(c.take(13).is_empty());
    }
}
