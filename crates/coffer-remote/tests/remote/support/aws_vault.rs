//! A real vault with an AWS connection to a moto endpoint, its access key
//! kept in a Coffer `key_value` secret, and the connection's client.

use coffer_core::remote::{
    AwsAuth, AwsSettings, DEFAULT_CACHE_TTL_SECS, DEFAULT_STALE_IF_ERROR_SECS, ManagerSettings,
    ManagerSpec,
};
use coffer_core::secret::SecretType;
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
    let stored = vault
        .add_manager(ManagerSpec {
            name: manager.into(),
            org: "Default".into(),
            settings: ManagerSettings::Aws(AwsSettings {
                region: "us-east-1".into(),
                endpoint: Some(endpoint.to_owned()),
                auth: AwsAuth::AccessKey {
                    secret: "aws-key".into(),
                },
            }),
            cache_ttl_secs: DEFAULT_CACHE_TTL_SECS,
            stale_if_error_secs: DEFAULT_STALE_IF_ERROR_SECS,
            writes_per_sec,
        })
        .expect("add the connection");
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
