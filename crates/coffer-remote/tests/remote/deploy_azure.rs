//! The deploy and import scenarios against the Azure Key Vault stand-in,
//! through Microsoft's Rust SDK, with credentials read from a Coffer
//! `client_credentials` secret.

use coffer_core::remote::{ManagerKind, ManagerSettings};
use coffer_core::secret::SecretType;
use coffer_remote::{AzureKeyVault, KeyVault as _, RateLimiter, credentials_for};

use crate::deploy::{self, Site, fast_options};
use crate::support::azure_standin::{AzureStandIn, CLIENT_ID};
use crate::support::vault::TestVault;

const MANAGER: &str = "azure-test";

/// A vault with a connection to `standin`, its credentials in a secret.
fn connected(standin: &AzureStandIn) -> (TestVault, AzureKeyVault) {
    let mut vault = TestVault::new();
    vault.add(
        "azure-sp",
        SecretType::ClientCredentials,
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", &standin.client_secret),
        ],
    );
    vault.connect(MANAGER, ManagerSettings::Azure(standin.settings()));
    let credentials = credentials_for(&mut vault, MANAGER, "tests").expect("credentials");
    let client =
        AzureKeyVault::connect(MANAGER, &standin.settings(), credentials, standin.options())
            .expect("connect");
    (vault, client)
}

fn site(standin: &AzureStandIn) -> Site<AzureKeyVault> {
    let (vault, client) = connected(standin);
    Site {
        vault,
        client,
        manager: MANAGER,
        kind: ManagerKind::Azure,
        limiter: RateLimiter::new(20),
        options: fast_options(),
    }
}

#[tokio::test]
async fn azure_deploy_update_and_decommission() {
    let standin = AzureStandIn::start();
    deploy::deploy_update_and_decommission(&mut site(&standin)).await;
}

#[tokio::test]
async fn azure_conflicts_and_limits_stall() {
    let standin = AzureStandIn::start();
    deploy::conflicts_and_limits_stall(&mut site(&standin)).await;
}

#[tokio::test]
async fn azure_a_retried_push_makes_no_second_version() {
    let standin = AzureStandIn::start();
    deploy::a_retried_push_makes_no_second_version(&mut site(&standin)).await;
}

#[tokio::test]
async fn azure_import_many_with_one_gone() {
    let standin = AzureStandIn::start();
    deploy::import_many_with_one_gone(&mut site(&standin)).await;
}

#[tokio::test]
async fn azure_write_only_stays_write_only() {
    let standin = AzureStandIn::start();
    let mut site = site(&standin);
    let (mut other, _) = connected(&standin);
    deploy::write_only_stays_write_only(&mut site, &mut other).await;
}

async fn deploy_one(
    site: &mut Site<AzureKeyVault>,
    remote: &str,
) -> coffer_core::remote::Deployment {
    site.vault
        .add("svc", SecretType::KeyValue, &[("key", "value-1")]);
    let target = coffer_core::remote::DeploymentTarget {
        manager: MANAGER.into(),
        remote_name: remote.into(),
    };
    let d = site
        .vault
        .create_deployment(&coffer_core::secret::SecretRef::named("svc"), &target)
        .unwrap();
    run(site, d.id).await
}

async fn run(site: &mut Site<AzureKeyVault>, id: i64) -> coffer_core::remote::Deployment {
    let engine = coffer_remote::Engine {
        manager: MANAGER,
        kind: ManagerKind::Azure,
        client: &site.client,
        limiter: &site.limiter,
        options: &site.options,
    };
    engine.run(&mut site.vault, id, &mut |_| {}).await.unwrap()
}

fn put_outcomes(site: &Site<AzureKeyVault>, remote: &str) -> Vec<String> {
    let target = format!("{MANAGER}:{remote}");
    let mut out: Vec<String> = site
        .vault
        .audit_entries(None, 200)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "remote.put" && e.target == target)
        .map(|e| e.detail["outcome"].as_str().unwrap_or("").to_owned())
        .collect();
    out.reverse();
    out
}

#[tokio::test]
async fn azure_throttled_pushes_back_off_then_succeed() {
    let standin = AzureStandIn::start();
    let mut site = site(&standin);
    // More 429s than the SDK client's own retries: the engine tries again.
    standin
        .control(
            "faults",
            serde_json::json!({"throttle": 6, "retry_after": 0, "method": "PUT"}),
        )
        .await;
    let d = deploy_one(&mut site, "throttled").await;
    assert_eq!(
        d.state,
        coffer_core::remote::DeploymentState::Available,
        "{:?}",
        d.last_error
    );
    assert_eq!((d.attempts, d.last_error.as_deref()), (0, None));
    assert_eq!(standin.stat("throttled").await, 6);
    let outcomes = put_outcomes(&site, "throttled");
    assert_eq!(outcomes.first().map(String::as_str), Some("throttled"));
    assert_eq!(outcomes.last().map(String::as_str), Some("ok"));
    assert_eq!(site.client.versions("throttled").await.unwrap().len(), 1);
}

#[tokio::test]
async fn azure_spent_retries_end_in_updating_error_and_retry_recovers() {
    let standin = AzureStandIn::start();
    let mut site = site(&standin);
    standin
        .control(
            "faults",
            serde_json::json!({"throttle": 1000, "retry_after": 0, "method": "PUT"}),
        )
        .await;
    let d = deploy_one(&mut site, "always-throttled").await;
    assert_eq!(d.state, coffer_core::remote::DeploymentState::UpdatingError);
    assert_eq!(d.attempts, 3);
    let error = d.last_error.unwrap();
    assert!(error.contains("throttl"), "{error}");
    assert!(!error.contains("value-1"), "{error}");
    assert_eq!(put_outcomes(&site, "always-throttled"), ["throttled"; 3]);
    standin
        .control("faults", serde_json::json!({"reset": true}))
        .await;
    site.vault.retry_deployment(d.id).unwrap();
    let d = run(&mut site, d.id).await;
    assert_eq!(
        d.state,
        coffer_core::remote::DeploymentState::Available,
        "{:?}",
        d.last_error
    );
    assert_eq!(
        site.client
            .versions("always-throttled")
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn azure_a_connection_cut_after_the_write_makes_no_second_version() {
    let standin = AzureStandIn::start();
    let mut site = site(&standin);
    // The write lands, its answer never comes.
    standin
        .control(
            "faults",
            serde_json::json!({"cut_after": 1, "method": "PUT"}),
        )
        .await;
    let d = deploy_one(&mut site, "cut-mid-push").await;
    assert_eq!(
        d.state,
        coffer_core::remote::DeploymentState::Available,
        "{:?}",
        d.last_error
    );
    assert_eq!(site.client.versions("cut-mid-push").await.unwrap().len(), 1);
    assert_eq!(d.versions.len(), 1);
}

#[tokio::test]
async fn azure_binary_data_round_trips() {
    let standin = AzureStandIn::start();
    let mut site = site(&standin);
    let (mut other, _) = connected(&standin);
    deploy::binary_data_round_trips(&mut site, &mut other).await;
}
