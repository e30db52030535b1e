//! What the remote tests share: moto, the fault injector, the Azure stand-in.

pub mod aws_vault;
pub mod azure_standin;
pub mod faults;
pub mod moto;

use std::time::Duration;

use coffer_core::Timestamp;
use coffer_core::remote::{
    AwsAuth, AwsSettings, DEFAULT_CACHE_TTL_SECS, DEFAULT_STALE_IF_ERROR_SECS,
    DEFAULT_WRITES_PER_SEC, Manager, ManagerSettings, ManagerSpec,
};
use coffer_remote::{AnyVault, ConnectOptions, Credentials};
use secrecy::SecretString;

/// A stored-looking AWS connection to `endpoint` using an access key.
pub fn aws_manager(name: &str, endpoint: &str) -> Manager {
    Manager {
        id: 1,
        spec: ManagerSpec {
            name: name.into(),
            org: "default".into(),
            settings: ManagerSettings::Aws(AwsSettings {
                region: "us-east-1".into(),
                endpoint: Some(endpoint.into()),
                auth: AwsAuth::AccessKey {
                    secret: "aws-key".into(),
                },
            }),
            cache_ttl_secs: DEFAULT_CACHE_TTL_SECS,
            stale_if_error_secs: DEFAULT_STALE_IF_ERROR_SECS,
            writes_per_sec: DEFAULT_WRITES_PER_SEC,
        },
        created_at: Timestamp::from_unix(0),
        updated_at: Timestamp::from_unix(0),
    }
}

/// moto's accepted dummy key.
pub fn test_key() -> Credentials {
    access_key("testing", "testing")
}

/// An access key.
pub fn access_key(id: &str, secret: &str) -> Credentials {
    Credentials::AwsAccessKey {
        access_key_id: id.into(),
        secret_access_key: SecretString::from(secret.to_owned()),
        session_token: None,
    }
}

/// Short timeouts so that failure tests stay quick.
pub fn quick_options() -> ConnectOptions {
    ConnectOptions {
        connect_timeout: Duration::from_secs(3),
        attempt_timeout: Duration::from_secs(10),
        max_attempts: 3,
        max_backoff: Duration::from_secs(5),
        ..ConnectOptions::default()
    }
}

/// A client of `endpoint` with the test key.
pub async fn aws_client(endpoint: &str, options: &ConnectOptions) -> AnyVault {
    coffer_remote::connect(&aws_manager("aws-test", endpoint), test_key(), options)
        .await
        .expect("client")
}

/// The raw SDK client, for seeding and second opinions.
pub async fn raw_client(endpoint: &str) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .region(aws_sdk_secretsmanager::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// Creates a string secret through the raw SDK.
pub async fn seed(endpoint: &str, name: &str, value: &str) {
    raw_client(endpoint)
        .await
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("seed");
}

/// A free port on 127.0.0.1 (nothing listens on it once returned).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Runs a future to completion on a runtime of its own (for sync tests).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}
pub mod vault;
