//! Chromium's shared memory on huge pages.
//!
//! Chromium hands every response body from the network service to the renderer through a
//! Mojo data pipe backed by a fresh 2 MiB shared-memory file in `/dev/shm`
//! (`kLargerDataPipeAllocationSize`), which it `fallocate`s whole. On a tmpfs with 4 KiB pages
//! that is 512 page allocations, memcg charges and LRU moves per response, and as many frees
//! when the pipe closes: measured here (perf, 8,000 generated cases), ~40% of the network
//! service's CPU, the process that limits the differential's throughput. On a tmpfs with
//! `huge=within_size` the same file is one 2 MiB page (small files keep small pages).
//! (That was Chromium 148. Chromium 156 runs as fast on the system's `/dev/shm`: 481–531
//! against 500–507 cases/s, alternating runs of 10,000 cases; the mode stays for older builds.)
//!
//! We do not touch the machine's `/dev/shm`: Chromium is started inside a private mount
//! namespace (`unshare`, util-linux) in which `/dev/shm` is a fresh huge-page tmpfs; the mount
//! disappears with the browser's last process. The browser's profile lives there too (its
//! HTTP disk cache was the network service's next cost: a file created on ext4 per entry).
//! This needs root or unprivileged user namespaces; where neither works the browser runs on
//! the system's `/dev/shm` (same behaviour). `CORS_BROWSER_SHM=system` turns it off (for comparisons).

use std::ffi::OsStr;
use std::process::{Command, Stdio};

/// Where the browser's shared memory lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedMemory {
    /// A private huge-page tmpfs on `/dev/shm` (mount namespace as root).
    HugePages,
    /// The same, in a user namespace mapped to the caller (no root needed).
    HugePagesUserNamespace,
    /// The machine's own `/dev/shm`.
    System,
}

impl SharedMemory {
    /// The first mode that works on this machine (each namespace mode is tried once, with a
    /// throwaway `sh`).
    pub fn detect() -> SharedMemory {
        if std::env::var("CORS_BROWSER_SHM").is_ok_and(|v| v == "system") {
            return SharedMemory::System;
        }
        for mode in [SharedMemory::HugePages, SharedMemory::HugePagesUserNamespace] {
            let works = mode
                .command(OsStr::new("true"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if works {
                return mode;
            }
        }
        SharedMemory::System
    }

    /// A command that runs `program` (arguments to be added by the caller) in this mode.
    pub fn command(self, program: &OsStr) -> Command {
        let unshare: &[&str] = match self {
            SharedMemory::System => return Command::new(program),
            SharedMemory::HugePages => &["--mount", "--propagation", "private"],
            SharedMemory::HugePagesUserNamespace => {
                &["--user", "--map-root-user", "--mount", "--propagation", "private"]
            }
        };
        let mut command = Command::new("unshare");
        // `exec`: the browser keeps the PID we spawned (killed and measured by it).
        command.args(unshare).args(["sh", "-c", MOUNT_AND_EXEC]).arg(program);
        command
    }

    /// A directory only the browser sees, on the private tmpfs (`None` on the system's).
    pub fn private_dir(self) -> Option<&'static str> {
        (self != SharedMemory::System).then_some("/dev/shm")
    }

    pub fn describe(self) -> &'static str {
        match self {
            SharedMemory::HugePages => "huge-page tmpfs on /dev/shm (private mount namespace)",
            SharedMemory::HugePagesUserNamespace => "huge-page tmpfs on /dev/shm (user + mount namespace)",
            SharedMemory::System => "the system's /dev/shm",
        }
    }
}

/// `$0` is the program, `"$@"` its arguments.
const MOUNT_AND_EXEC: &str =
    r#"mount -t tmpfs -o huge=within_size,mode=1777 cors-browser-shm /dev/shm && exec "$0" "$@""#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever mode is detected, a program run through it sees its arguments unchanged and,
    /// in a namespace mode, a huge-page `/dev/shm`.
    #[test]
    fn runs_the_program_with_its_arguments() {
        let mode = SharedMemory::detect();
        let out = mode
            .command(OsStr::new("sh"))
            .args(["-c", r#"printf '%s|' "$@"; grep ' /dev/shm ' /proc/self/mounts | tail -1"#, "sh", "a b", "--x=1"])
            .output()
            .expect("runs");
        let out = String::from_utf8_lossy(&out.stdout);
        assert!(out.starts_with("a b|--x=1|"), "{mode:?}: {out}");
        if mode != SharedMemory::System {
            assert!(out.contains("huge=within_size"), "{mode:?}: {out}");
        }
    }
}
