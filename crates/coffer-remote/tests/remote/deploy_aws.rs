//! The deploy and import scenarios against moto through the real AWS SDK,
//! with the access key read from a Coffer `key_value` secret.

use coffer_core::remote::{
    AwsAuth, AwsSettings, Deployment, DeploymentState, DeploymentTarget, ManagerKind,
    ManagerSettings,
};
use coffer_core::secret::{SecretRef, SecretType};
use coffer_remote::{AnyVault, Engine, KeyVault as _, RateLimiter, connect, credentials_for};

use crate::deploy::{self, Site, fast_options};
use crate::support::faults::{Fault, FaultInjector};
use crate::support::moto::Moto;
use crate::support::quick_options;
use crate::support::vault::TestVault;

const MANAGER: &str = "aws-test";

/// A vault with a connection to `moto`, its access key in a secret.
async fn connected(moto: &Moto) -> (TestVault, AnyVault) {
    let mut vault = TestVault::new();
    vault.add(
        "aws-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
        ],
    );
    vault.connect(
        MANAGER,
        ManagerSettings::Aws(AwsSettings {
            region: "us-east-1".into(),
            endpoint: Some(moto.endpoint()),
            auth: AwsAuth::AccessKey {
                secret: "aws-key".into(),
            },
        }),
    );
    let credentials = credentials_for(&mut vault, MANAGER, "tests").expect("credentials");
    let manager = vault.manager(MANAGER).expect("connection");
    let client = connect(&manager, credentials, &quick_options())
        .await
        .expect("connect");
    (vault, client)
}

async fn site(moto: &Moto) -> Site<AnyVault> {
    let (vault, client) = connected(moto).await;
    Site {
        vault,
        client,
        manager: MANAGER,
        kind: ManagerKind::Aws,
        limiter: RateLimiter::new(20),
        options: fast_options(),
    }
}

#[tokio::test]
async fn aws_deploy_update_and_decommission() {
    let moto = Moto::start();
    deploy::deploy_update_and_decommission(&mut site(&moto).await).await;
}

#[tokio::test]
async fn aws_conflicts_and_limits_stall() {
    let moto = Moto::start();
    deploy::conflicts_and_limits_stall(&mut site(&moto).await).await;
}

#[tokio::test]
async fn aws_a_retried_push_makes_no_second_version() {
    let moto = Moto::start();
    deploy::a_retried_push_makes_no_second_version(&mut site(&moto).await).await;
}

#[tokio::test]
async fn aws_import_many_with_one_gone() {
    let moto = Moto::start();
    deploy::import_many_with_one_gone(&mut site(&moto).await).await;
}

#[tokio::test]
async fn aws_import_is_all_or_nothing() {
    let moto = Moto::start();
    deploy::import_is_all_or_nothing(&mut site(&moto).await).await;
}

#[tokio::test]
async fn aws_write_only_stays_write_only() {
    let moto = Moto::start();
    let mut site = site(&moto).await;
    let (mut other, _) = connected(&moto).await;
    deploy::write_only_stays_write_only(&mut site, &mut other).await;
}

/// A site whose connection goes through a fault injector in front of moto.
async fn site_through(faults: &FaultInjector) -> Site<AnyVault> {
    let mut vault = TestVault::new();
    vault.add(
        "aws-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
        ],
    );
    vault.connect(
        MANAGER,
        ManagerSettings::Aws(AwsSettings {
            region: "us-east-1".into(),
            endpoint: Some(faults.endpoint()),
            auth: AwsAuth::AccessKey {
                secret: "aws-key".into(),
            },
        }),
    );
    let credentials = credentials_for(&mut vault, MANAGER, "tests").unwrap();
    let manager = vault.manager(MANAGER).unwrap();
    let client = connect(&manager, credentials, &quick_options())
        .await
        .unwrap();
    Site {
        vault,
        client,
        manager: MANAGER,
        kind: ManagerKind::Aws,
        limiter: RateLimiter::new(20),
        options: fast_options(),
    }
}

async fn deploy_svc(site: &mut Site<AnyVault>, remote: &str) -> Deployment {
    site.vault
        .add("svc", SecretType::KeyValue, &[("key", "value-1")]);
    let target = DeploymentTarget {
        manager: MANAGER.into(),
        remote_name: remote.into(),
    };
    let d = site
        .vault
        .create_deployment(&SecretRef::named("svc"), &target)
        .unwrap();
    run(site, d.id).await
}

async fn run(site: &mut Site<AnyVault>, id: i64) -> Deployment {
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &site.client,
        limiter: &site.limiter,
        options: &site.options,
    };
    engine.run(&mut site.vault, id, &mut |_| {}).await.unwrap()
}

#[tokio::test]
async fn aws_throttled_past_every_retry_is_updating_error_and_retry_recovers() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    let mut site = site_through(&faults).await;
    // The SDK's own 3 attempts, three times over.
    faults.next(
        9,
        Fault::Throttle {
            retry_after_secs: 0,
        },
    );
    let d = deploy_svc(&mut site, "throttled").await;
    assert_eq!(d.state, DeploymentState::UpdatingError, "{d:?}");
    assert_eq!(d.attempts, 3);
    let error = d.last_error.clone().unwrap();
    assert!(error.contains("throttl"), "{error}");
    assert!(!error.contains("value-1"), "{error}");
    site.vault.retry_deployment(d.id).unwrap();
    let d = run(&mut site, d.id).await;
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    assert_eq!(site.client.versions("throttled").await.unwrap().len(), 1);
}

#[tokio::test]
async fn aws_a_connection_cut_mid_push_ends_available_with_one_version() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    let mut site = site_through(&faults).await;
    // The engine's and the client's describes pass; the write's
    // connections are cut twice.
    faults.next(2, Fault::Pass);
    faults.next(2, Fault::Reset);
    let d = deploy_svc(&mut site, "cut").await;
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    assert_eq!(site.client.versions("cut").await.unwrap().len(), 1);
    let seen = faults.seen();
    let cut = seen
        .iter()
        .filter(|(op, met)| op == "CreateSecret" && met == "reset")
        .count();
    assert_eq!(cut, 2, "{seen:?}");
}

#[tokio::test]
async fn aws_refused_credentials_fail_at_once_with_the_hint() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    let mut site = site_through(&faults).await;
    faults.next(
        1,
        Fault::Answer {
            status: 400,
            code: "UnrecognizedClientException",
        },
    );
    let d = deploy_svc(&mut site, "refused").await;
    assert_eq!(d.state, DeploymentState::UpdatingError, "{d:?}");
    let error = d.last_error.unwrap();
    assert!(error.contains("credentials were refused"), "{error}");
    assert_eq!(d.attempts, 1);
    assert_eq!(faults.count("DescribeSecret"), 1, "not retried");
    assert_eq!(faults.count("CreateSecret"), 0, "nothing written");
}

#[tokio::test]
async fn aws_a_deactivated_secret_stalls_naming_it() {
    let moto = Moto::start();
    let mut site = site(&moto).await;
    site.vault
        .add("svc", SecretType::KeyValue, &[("key", "value-1")]);
    let target = DeploymentTarget {
        manager: MANAGER.into(),
        remote_name: "off".into(),
    };
    let d = site
        .vault
        .create_deployment(&SecretRef::named("svc"), &target)
        .unwrap();
    site.vault.deactivate(&SecretRef::named("svc")).unwrap();
    assert!(
        site.vault.pending_deployments().unwrap().is_empty(),
        "not pushed"
    );
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &site.client,
        limiter: &site.limiter,
        options: &site.options,
    };
    let d = engine
        .run(&mut site.vault, d.id, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(d.state, DeploymentState::Stalled);
    let reason = d.last_error.unwrap();
    assert!(reason.contains("\"svc\" is deactivated"), "{reason}");
    assert!(site.client.describe("off").await.unwrap().is_none());
    // Reactivated, Retry deploys it.
    site.vault.activate(&SecretRef::named("svc")).unwrap();
    site.vault.retry_deployment(d.id).unwrap();
    let d = engine
        .run(&mut site.vault, d.id, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
}

#[tokio::test]
async fn aws_a_deployment_moved_by_another_process_is_followed() {
    let moto = Moto::start();
    let mut site = site(&moto).await;
    site.vault
        .add("svc", SecretType::KeyValue, &[("key", "value-1")]);
    let target = DeploymentTarget {
        manager: MANAGER.into(),
        remote_name: "shared".into(),
    };
    let d = site
        .vault
        .create_deployment(&SecretRef::named("svc"), &target)
        .unwrap();
    // The app beside this process starts the same deployment between this
    // engine's read and its step.
    let mut other = site.vault.second_handle();
    let mut moved = false;
    let engine = Engine {
        manager: MANAGER,
        kind: ManagerKind::Aws,
        client: &site.client,
        limiter: &site.limiter,
        options: &site.options,
    };
    let d = engine
        .run(&mut site.vault, d.id, &mut |seen| {
            if !moved && seen.state == DeploymentState::Start {
                other.begin_deployment(seen.id).unwrap();
                moved = true;
            }
        })
        .await
        .unwrap();
    assert!(moved);
    assert_eq!(d.state, DeploymentState::Available, "{:?}", d.last_error);
    assert_eq!(site.client.versions("shared").await.unwrap().len(), 1);
}

#[tokio::test]
async fn aws_binary_data_round_trips() {
    let moto = Moto::start();
    let mut site = site(&moto).await;
    let (mut other, _) = connected(&moto).await;
    deploy::binary_data_round_trips(&mut site, &mut other).await;
}
