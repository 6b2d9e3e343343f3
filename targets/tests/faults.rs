//! Broken servers come back as the right `TargetError`, quickly, and never hang the caller.

use std::time::{Duration, Instant};

use bytes::Bytes;
use cors_harness::target::TargetError;
use cors_targets::faults::{self, Fault};

fn request() -> http::Request<Bytes> {
    http::Request::get("http://api.example.test/x").header("origin", "https://a.example").body(Bytes::new()).unwrap()
}

// Long enough for the slow fault (about 150 ms of trickling) even on a loaded CI machine.
const TIMEOUT: Duration = Duration::from_millis(1500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_becomes_a_target_error_or_a_late_answer() {
    for fault in Fault::ALL {
        let target = faults::served(fault, TIMEOUT).unwrap();
        let started = Instant::now();
        let result = target.send(request()).await;
        let took = started.elapsed();
        assert!(took < TIMEOUT + Duration::from_millis(500), "{fault:?} took {took:?}");
        match (fault, &result) {
            (Fault::Hang, Err(TargetError::Timeout(_))) => {}
            (Fault::Reset, Err(TargetError::ConnectionReset(_))) => {}
            (Fault::Garbage, Err(TargetError::Malformed(_))) => {}
            (Fault::HugeHeader, Err(TargetError::Malformed(_))) => {}
            (Fault::Panic, Err(TargetError::ConnectionReset(_))) => {}
            (Fault::Slow, Ok(response)) => assert_eq!(response.body(), &Bytes::from_static(b"ok")),
            _ => panic!("{fault:?}: unexpected {result:?}"),
        }
    }
}

#[tokio::test]
async fn a_slow_target_past_the_timeout_is_a_timeout() {
    let target = faults::served(Fault::Slow, Duration::from_millis(50)).unwrap();
    assert_eq!(target.send(request()).await.err(), Some(TargetError::Timeout(Duration::from_millis(50))));
}

#[tokio::test]
async fn a_panic_in_process_is_reported_with_its_message() {
    let target = faults::in_process_panic(TIMEOUT);
    match target.send(request()).await {
        Err(TargetError::Panic(message)) => assert!(message.contains("handler panics"), "{message}"),
        other => panic!("{other:?}"),
    }
}
