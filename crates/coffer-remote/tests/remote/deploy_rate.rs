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
use crate::support::faults::FaultInjector;
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

#[test]
fn write_requests_per_put() {
    assert_eq!(write_requests(ManagerKind::Aws, false), 1);
    assert_eq!(write_requests(ManagerKind::Aws, true), 2);
    assert_eq!(write_requests(ManagerKind::Azure, false), 1);
    assert_eq!(write_requests(ManagerKind::Azure, true), 1);
}
