//! Every adapter answers the same in-process and served on loopback (modulo `date` and
//! framing headers), for a few hundred requests per example policy.

mod support;

use cors_targets::adapters;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_and_served_give_the_same_responses() {
    let requests = support::requests();
    let mut compared = 0;
    for adapter in adapters() {
        for (policy_name, policy) in support::example_policies() {
            let (in_process, served) = match (adapter.in_process(&policy), adapter.served(&policy)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(a), Err(b)) => {
                    assert_eq!(a, b, "unsupported the same way both ways");
                    continue;
                }
                (a, b) => panic!("{} {policy_name}: in-process {:?} vs served {:?}", adapter.name(), a.err(), b.err()),
            };
            for request in &requests {
                let a = in_process.send(request.clone()).await.unwrap_or_else(|e| panic!("{}: {e}", in_process.name()));
                let b = served.send(request.clone()).await.unwrap_or_else(|e| panic!("{}: {e}", served.name()));
                assert_eq!(
                    support::comparable(request.method(), &a),
                    support::comparable(request.method(), &b),
                    "{} / {policy_name}: {} {} {:?}",
                    adapter.name(),
                    request.method(),
                    request.uri(),
                    request.headers()
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 300 * 2, "compared only {compared} responses");
    eprintln!("{compared} requests answered identically in-process and served");
}
