//! A [`Target`] whose service lives on a thread of its own: for frameworks whose services are
//! `!Send` and must run inside their own runtime (actix-web's and ntex's `System`). The thread
//! owns the runtime and the service and answers [`Job`]s sent over a channel; the caller's side
//! (this type) is `Send + Sync` like any other target.
//!
//! Failure handling matches [`crate::service_target::ServiceTarget`]: a call past the timeout
//! becomes [`TargetError::Timeout`] (its reply channel is dropped, which tells the thread to
//! give the call up: see [`Job::reply`]), a panic that ends the thread becomes
//! [`TargetError::Panic`] for that call and every later one. Dropping the target closes the
//! channel and joins the thread.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::service_target::{DEFAULT_TIMEOUT, panic_message};
use crate::target::{Target, TargetError, TargetFuture};

/// Where the thread sends one call's result.
pub type Reply = oneshot::Sender<Result<http::Response<Bytes>, TargetError>>;

/// One request for the target's thread.
pub struct Job {
    pub request: http::Request<Bytes>,
    /// The answer goes here. The caller drops the receiving end when it gives up (timeout):
    /// the thread should then stop the call (`reply.closed()` resolves).
    pub reply: Reply,
}

/// The caller's side of a target that runs on its own thread.
pub struct ThreadTarget {
    name: String,
    /// Names the framework in errors ("the actix-web thread is gone").
    framework: &'static str,
    jobs: Option<mpsc::UnboundedSender<Job>>,
    /// The panic that ended the thread, if one did.
    died: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
    timeout: Duration,
}

impl ThreadTarget {
    /// Starts a thread named `target <name>` running `run` (which builds the framework's
    /// runtime and answers jobs until the receiver closes). A panic escaping `run` is kept and
    /// reported by every later call.
    pub fn spawn(
        name: &str,
        framework: &'static str,
        run: impl FnOnce(mpsc::UnboundedReceiver<Job>) + Send + 'static,
    ) -> std::io::Result<ThreadTarget> {
        let (jobs, receiver) = mpsc::unbounded_channel();
        let died = Arc::new(Mutex::new(None));
        let died_in_thread = Arc::clone(&died);
        let thread = std::thread::Builder::new().name(format!("target {name}")).spawn(move || {
            if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(|| run(receiver))) {
                *died_in_thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(panic_message(payload));
            }
        })?;
        Ok(ThreadTarget {
            name: name.to_owned(),
            framework,
            jobs: Some(jobs),
            died,
            thread: Some(thread),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ThreadTarget {
        self.timeout = timeout;
        self
    }

    /// Stops the thread (closes the channel) and waits for it: the panic that ended it, if one
    /// did (e.g. while building the service, before any job).
    pub fn join(mut self) -> Option<String> {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.death()
    }

    /// The panic that ended the thread, if one did.
    fn death(&self) -> Option<String> {
        self.died.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The panic that ended the thread, waiting briefly for a thread that is still unwinding:
    /// the reply is dropped during the unwinding, before the panic is recorded.
    async fn death_once_stopped(&self) -> Option<String> {
        for _ in 0..100 {
            if self.thread.as_ref().is_none_or(JoinHandle::is_finished) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.death()
    }

    /// Why the thread is gone.
    fn gone(&self) -> TargetError {
        TargetError::Panic(self.death().unwrap_or_else(|| format!("the {} thread is gone", self.framework)))
    }
}

impl Target for ThreadTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&self, request: http::Request<Bytes>) -> TargetFuture<'_> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let jobs = self.jobs.as_ref().ok_or_else(|| self.gone())?;
            jobs.send(Job { request, reply }).map_err(|_| self.gone())?;
            match tokio::time::timeout(self.timeout, answer).await {
                // Dropping `answer` makes the thread give the call up.
                Err(_) => Err(TargetError::Timeout(self.timeout)),
                Ok(Ok(result)) => result,
                Ok(Err(_)) => match self.death_once_stopped().await {
                    Some(message) => Err(TargetError::Panic(message)),
                    None => Err(TargetError::ConnectionReset(format!(
                        "the {} thread stopped before answering",
                        self.framework
                    ))),
                },
            }
        })
    }
}

impl Drop for ThreadTarget {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop and its runtime.
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread on a plain current-thread tokio runtime: answers, hangs on one path, panics
    /// on another (which ends the thread).
    fn target(timeout: Duration) -> ThreadTarget {
        ThreadTarget::spawn("test", "test", |mut jobs| {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                while let Some(Job { request, mut reply }) = jobs.recv().await {
                    match request.uri().path() {
                        "/hang" => {
                            reply.closed().await;
                        }
                        "/panic" => panic!("the service panicked"),
                        _ => {
                            let _ = reply.send(Ok(http::Response::new(Bytes::from_static(b"ok"))));
                        }
                    }
                }
            })
        })
        .unwrap()
        .with_timeout(timeout)
    }

    fn get(path: &str) -> http::Request<Bytes> {
        http::Request::builder().uri(format!("http://t{path}")).body(Bytes::new()).unwrap()
    }

    #[tokio::test]
    async fn answers_times_out_and_reports_the_panic_that_ended_it() {
        let t = target(Duration::from_millis(50));
        assert_eq!(t.send(get("/")).await.unwrap().body(), "ok");
        assert!(matches!(t.send(get("/hang")).await, Err(TargetError::Timeout(_))));
        // The thread gave the hung call up and still answers.
        assert_eq!(t.send(get("/")).await.unwrap().body(), "ok");
        // (Unwinding may print a backtrace: more time for the panic.)
        let t = target(Duration::from_secs(20));
        let panicked = t.send(get("/panic")).await;
        assert!(matches!(&panicked, Err(TargetError::Panic(m)) if m == "the service panicked"), "{panicked:?}");
        // Every later call reports the same panic.
        let later = t.send(get("/")).await;
        assert!(matches!(&later, Err(TargetError::Panic(m)) if m == "the service panicked"), "{later:?}");
        assert_eq!(t.join().as_deref(), Some("the service panicked"));
    }
}
