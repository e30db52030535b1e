//! A real vault with an AWS connection to a moto endpoint, its access key
//! kept in a Coffer `key_value` secret, and the connection's client.

use coffer_core::secret::{DEFAULT_ORG, SecretType};
use coffer_remote::{AnyVault, ConnectOptions, credentials_for};

use super::vault::TestVault;

/// Adds connection `manager` to `endpoint` at `writes_per_sec` and connects.
pub async fn connected(
    manager: &str,
    endpoint: &str,
    writes_per_sec: u32,
) -> (TestVault, AnyVault) {
    let mut vault = TestVault::new();
    vault.add(
        "aws-key",
        SecretType::KeyValue,
        &[
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
        ],
    );
    // The stored-looking connection of the other tests, in the vault's
    // organization and at the wanted rate.
    let mut spec = super::aws_manager(manager, endpoint).spec;
    spec.org = DEFAULT_ORG.into();
    spec.writes_per_sec = writes_per_sec;
    let stored = vault.add_manager(spec).expect("add the connection");
    let credentials = credentials_for(&mut vault, manager, "tests").expect("credentials");
    let options = ConnectOptions {
        vault_id: Some(vault.id()),
        ..ConnectOptions::default()
    };
    let client = coffer_remote::connect(&stored, credentials, &options)
        .await
        .expect("client");
    (vault, client)
}
