//! The deploy and import scenarios against the Azure Key Vault stand-in,
//! through Microsoft's Rust SDK, with credentials read from a Coffer
//! `client_credentials` secret.

use coffer_core::remote::{ManagerKind, ManagerSettings};
use coffer_core::secret::SecretType;
use coffer_remote::{AzureKeyVault, RateLimiter, credentials_for};

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
