//! Fault-injecting targets, for testing that everything downstream survives broken servers:
//! each failure must come back as the right [`TargetError`], never as a hang or a crash.

use std::time::Duration;

use bytes::Bytes;
use cors_harness::adapter::{Adapter, Unsupported};
use cors_harness::policy::Policy;
use cors_harness::target::Target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::in_process::ServiceTarget;
use crate::served::{ServedTarget, Server};

/// How a fault target misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Reads the request, never answers.
    Hang,
    /// Reads the request, then resets the connection (TCP RST).
    Reset,
    /// Answers bytes that are not HTTP.
    Garbage,
    /// Answers a response with a 1 MiB header value.
    HugeHeader,
    /// The handler panics (served: the connection dies; in-process: the task panics).
    Panic,
    /// Answers a valid response one byte every 2 ms.
    Slow,
}

impl Fault {
    pub const ALL: [Fault; 6] =
        [Fault::Hang, Fault::Reset, Fault::Garbage, Fault::HugeHeader, Fault::Panic, Fault::Slow];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Hang => "fault-hang",
            Fault::Reset => "fault-reset",
            Fault::Garbage => "fault-garbage",
            Fault::HugeHeader => "fault-huge-header",
            Fault::Panic => "fault-panic",
            Fault::Slow => "fault-slow",
        }
    }
}

/// `connection: close`: the fault closes every connection after one answer, and says so, so a
/// pooling client does not race the close with its next request.
const VALID: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\naccess-control-allow-origin: *\r\n\r\nok";

/// The fault served on `127.0.0.1:0`, with the given client timeout.
pub fn served(fault: Fault, timeout: Duration) -> std::io::Result<Box<dyn Target>> {
    let server = match fault {
        Fault::Panic => Server::tower(fault.name(), tower::service_fn(panicking))?,
        _ => Server::spawn(fault.name(), move |listener, mut shutdown| async move {
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        tokio::spawn(misbehave(fault, stream));
                    }
                }
            }
        })?,
    };
    Ok(Box::new(ServedTarget::new(fault.name(), server).with_timeout(timeout)))
}

/// The panicking handler in-process (the other faults need a socket).
pub fn in_process_panic(timeout: Duration) -> Box<dyn Target> {
    Box::new(ServiceTarget::new("fault-panic", tower::service_fn(panicking)).with_timeout(timeout))
}

/// How long a fault adapter's client waits for an answer: long enough for [`Fault::Slow`]
/// (about 0.2 s per response), short enough that a matrix over [`Fault::Hang`] ends soon.
pub const ADAPTER_TIMEOUT: Duration = Duration::from_secs(1);

/// A fault target as an [`Adapter`], so the matrix can be run against it
/// (`cors-harness matrix --target fault-hang`): it ignores the policy. Not in the default
/// registry ([`crate::adapters`]); see [`fault_adapters`].
#[derive(Debug, Clone, Copy)]
pub struct FaultAdapter(pub Fault);

/// One adapter per fault, in [`Fault::ALL`] order.
pub static FAULT_ADAPTERS: [FaultAdapter; 6] = [
    FaultAdapter(Fault::Hang),
    FaultAdapter(Fault::Reset),
    FaultAdapter(Fault::Garbage),
    FaultAdapter(Fault::HugeHeader),
    FaultAdapter(Fault::Panic),
    FaultAdapter(Fault::Slow),
];

/// The fault adapters, for the CLI's `--target fault-*`.
pub fn fault_adapters() -> Vec<&'static dyn Adapter> {
    FAULT_ADAPTERS.iter().map(|a| a as &dyn Adapter).collect()
}

impl Adapter for FaultAdapter {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn version(&self) -> &'static str {
        "fault injection (cors-targets)"
    }

    /// Only the panic can happen in-process; the other faults need a socket, so they are
    /// served in both modes.
    fn in_process(&self, policy: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        match self.0 {
            Fault::Panic => Ok(in_process_panic(ADAPTER_TIMEOUT)),
            _ => self.served(policy),
        }
    }

    fn served(&self, _: &Policy) -> Result<Box<dyn Target>, Unsupported> {
        served(self.0, ADAPTER_TIMEOUT).map_err(|e| Unsupported {
            adapter: self.0.name(),
            feature: "serving on 127.0.0.1".into(),
            reason: e.to_string(),
        })
    }
}

async fn panicking<B>(
    _: http::Request<B>,
) -> Result<http::Response<http_body_util::Full<Bytes>>, std::convert::Infallible> {
    panic!("fault target: the handler panics");
}

async fn misbehave(fault: Fault, mut stream: tokio::net::TcpStream) {
    // Read the request head (the client sends no body for these tests' requests).
    let mut buf = vec![0u8; 16 * 1024];
    let mut read = 0;
    while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf[read..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => read += n,
        }
        if read == buf.len() {
            return;
        }
    }
    match fault {
        Fault::Hang => std::future::pending::<()>().await,
        Fault::Reset => {
            // Linger 0 turns the close into a reset.
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Fault::Garbage => {
            let _ = stream.write_all(b"\x00\x01 this is not HTTP \xff\r\n\r\n").await;
        }
        Fault::HugeHeader => {
            let mut response = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-huge: ".to_vec();
            response.extend(std::iter::repeat_n(b'a', 1 << 20));
            response.extend_from_slice(b"\r\n\r\nok");
            let _ = stream.write_all(&response).await;
        }
        Fault::Slow => {
            for byte in VALID {
                if stream.write_all(&[*byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        Fault::Panic => unreachable!("served by a panicking tower service"),
    }
}
