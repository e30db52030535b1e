//! The connection's write rate counts write requests, not puts: against
//! moto (through the fault injector, which records every request), a first
//! push is one write (`CreateSecret` with its tags) and an update two
//! (`PutSecretValue`, `TagResource`), and the limiter grants exactly as
//! many as the service saw, so a burst of updates stays under the
//! connection's rate (and the account's 50 writes/s) instead of doubling it.

use coffer_core::remote::{DeploymentState, DeploymentTarget, ManagerKind};
use coffer_core::secret::{SecretRef, SecretType, ValueChange, text_input};
use coffer_remote::deploy::write_requests;
use coffer_remote::{DeployOptions, Engine, KeyVault as _, RateLimiter};

use crate::support::aws_vault;
use crate::support::faults::{Fault, FaultInjector};
use crate::support::moto::Moto;

const MANAGER: &str = "aws-rate";
const WRITES: [&str; 5] = [
    "CreateSecret",
    "PutSecretValue",
    "TagResource",
    "RestoreSecret",
    "DeleteSecret",
];

fn writes_seen(injector: &FaultInjector) -> usize {
    injector
        .seen()
        .iter()
        .filter(|(op, _)| WRITES.contains(&op.as_str()))
        .count()
}

#[tokio::test]
async fn the_write_rate_counts_each_write_request_of_a_push() {
    let moto = Moto::start();
    let injector = FaultInjector::start(moto.port);
    let (mut vault, client) = aws_vault::connected(MANAGER, &injector.endpoint(), 20).await;
    vault.add("db", SecretType::KeyValue, &[("password", "one")]);
    let limiter = RateLimiter::new(20);
    let options = DeployOptions::default();
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &client,
        limiter: &limiter,
        options: &options,
    };
    let d = vault
        .create_deployment(
            &SecretRef::named("db"),
            &DeploymentTarget {
                manager: MANAGER.into(),
                remote_name: "rate/db".into(),
            },
        )
        .expect("deployment");
    injector.clear_seen();

    let first = engine
        .run(&mut vault, d.id, &mut |_| {})
        .await
        .expect("run");
    assert_eq!(first.state, DeploymentState::Available);
    assert_eq!(injector.count("CreateSecret"), 1);
    assert_eq!(writes_seen(&injector), 1, "{:?}", injector.seen());
    assert_eq!(limiter.granted(), 1);

    for (i, value) in ["two", "three"].into_iter().enumerate() {
        vault
            .update_value(
                &SecretRef::named("db"),
                ValueChange {
                    set: vec![text_input("password", value)],
                    ..Default::default()
                },
                None,
            )
            .expect("new version");
        let updated = engine
            .run(&mut vault, d.id, &mut |_| {})
            .await
            .expect("run");
        assert_eq!(updated.state, DeploymentState::Available);
        assert_eq!(updated.versions.len(), i + 2);
    }
    assert_eq!(injector.count("PutSecretValue"), 2);
    assert_eq!(injector.count("TagResource"), 2);
    assert_eq!(writes_seen(&injector), 5, "{:?}", injector.seen());
    assert_eq!(limiter.granted(), 5, "granted as many as the service saw");
    assert_eq!(client.versions("rate/db").await.expect("versions").len(), 3);
}

/// Pending deployments are pushed several at once (the describes of
/// different deployments are in flight together) under the connection's
/// one limiter: against a fault injector that throttles a run of requests
/// with `Retry-After`, all twelve end `available`, every write the service
/// saw went through the limiter, and no window of the rate's length held
/// more writes than the rate allows.
#[tokio::test]
async fn pending_deployments_are_pushed_concurrently_under_the_rate_limit() {
    const RATE: u32 = 5;
    const COUNT: usize = 12;
    let moto = Moto::start();
    let injector = FaultInjector::start(moto.port);
    let (mut vault, _) = aws_vault::connected(MANAGER, &injector.endpoint(), RATE).await;
    // Retries only by the engine, so every write attempt asks the limiter.
    let manager = vault.manager(MANAGER).expect("connection");
    let credentials =
        coffer_remote::credentials_for(&mut vault, MANAGER, "tests").expect("credentials");
    let options = coffer_remote::ConnectOptions {
        max_attempts: 1,
        vault_id: Some(vault.id()),
        ..coffer_remote::ConnectOptions::default()
    };
    let client = coffer_remote::connect(&manager, credentials, &options)
        .await
        .expect("client");
    for i in 0..COUNT {
        let name = format!("db{i}");
        vault.add(&name, SecretType::KeyValue, &[("password", "pw")]);
        vault
            .create_deployment(
                &SecretRef::named(&name),
                &DeploymentTarget {
                    manager: MANAGER.into(),
                    remote_name: format!("conc/db{i}"),
                },
            )
            .expect("deployment");
    }
    injector.clear_seen();
    injector.next(2, Fault::Pass).next(
        6,
        Fault::Throttle {
            retry_after_secs: 1,
        },
    );
    let limiter = RateLimiter::new(RATE);
    let deploy_options = DeployOptions {
        max_attempts: 8,
        base_backoff: std::time::Duration::from_millis(20),
        max_backoff: std::time::Duration::from_secs(2),
    };
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &client,
        limiter: &limiter,
        options: &deploy_options,
    };
    // The vault as the app holds it: behind a mutex, taken per step.
    let shared = std::sync::Mutex::new(Some(vault.second_handle()));
    let mut states = 0;
    let done = engine
        .run_pending_shared(&shared, &mut |_| states += 1)
        .await
        .expect("run pending");
    assert_eq!(done.len(), COUNT);
    for d in &done {
        assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
        assert_eq!(d.versions.len(), 1);
    }
    assert!(states >= COUNT * 3, "progress saw each state: {states}");
    let seen = injector.seen();
    assert!(
        seen.iter().any(|(_, met)| met == "throttle"),
        "throttled: {seen:?}"
    );
    // Concurrent: several describes went out before the first write.
    let first_write = seen
        .iter()
        .position(|(op, _)| op == "CreateSecret")
        .expect("a write");
    let describes_before = seen[..first_write]
        .iter()
        .filter(|(op, _)| op == "DescribeSecret")
        .count();
    assert!(describes_before >= 2, "{seen:?}");
    // Every write went through the limiter (a put throttled at its own
    // describe was granted a write it never sent), and they were spaced.
    assert!(
        writes_seen(&injector) as u64 <= limiter.granted(),
        "{seen:?}"
    );
    let created = seen
        .iter()
        .filter(|(op, met)| op == "CreateSecret" && met == "pass")
        .count();
    assert_eq!(created, COUNT, "one creation each: {seen:?}");
    let writes = injector.arrivals(&WRITES);
    let rate = RATE as usize;
    for pair in writes.windows(rate + 1) {
        let span = pair[rate] - pair[0];
        // RATE + 1 writes span at least a second (less a margin for a
        // loaded machine's scheduling).
        assert!(
            span >= std::time::Duration::from_millis(800),
            "{} writes in {span:?}",
            rate + 1
        );
    }
    // Each remote secret exists once, with one version.
    for i in 0..COUNT {
        let versions = client
            .versions(&format!("conc/db{i}"))
            .await
            .expect("versions");
        assert_eq!(versions.len(), 1);
    }
    drop(shared);
}

#[test]
fn write_requests_per_put() {
    assert_eq!(write_requests(ManagerKind::Aws, false), 1);
    assert_eq!(write_requests(ManagerKind::Aws, true), 2);
    assert_eq!(write_requests(ManagerKind::Azure, false), 1);
    assert_eq!(write_requests(ManagerKind::Azure, true), 1);
}
