//! From a stored connection and its credentials to a client: [`connect`]
//! and [`AnyVault`], which every caller holds.

use std::sync::Arc;
use std::time::Duration;

use coffer_core::remote::{Manager, ManagerSettings};

use crate::aws::AwsKeyVault;
use crate::azure::{AzureConnectOptions, AzureKeyVault};
use crate::error::Result;
use crate::keyvault::{
    Credentials, KeyVault, Page, Probe, RemoteSecret, RemoteValue, RemoteVersion, WriteOutcome,
    WriteRequest,
};

/// How clients are built: timeouts, retries, extra trusted CAs.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Time to open a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time for one attempt of a call.
    pub attempt_timeout: Duration,
    /// Attempts of one call (the first and the retries) before a transient
    /// failure or throttling is reported.
    pub max_attempts: u32,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// CA certificates (PEM) trusted in addition to the platform's: a
    /// company proxy's CA, a test CA. Certificates are always verified.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// This vault's id, to tell which remote secrets it manages.
    pub vault_id: Option<String>,
    /// Azure: check that the 401 challenge's resource matches the vault's
    /// host (off only for a stand-in server on 127.0.0.1).
    pub azure_verify_challenge_resource: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
            max_attempts: 4,
            max_backoff: Duration::from_secs(20),
            extra_roots_pem: Vec::new(),
            vault_id: None,
            azure_verify_challenge_resource: true,
        }
    }
}

/// A client of either service.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyVault {
    /// AWS Secrets Manager.
    Aws(AwsKeyVault),
    /// Azure Key Vault.
    Azure(Arc<AzureKeyVault>),
}

/// Builds the client of a stored connection with the credentials read from
/// the Coffer secret it names (or [`Credentials::Implicit`]).
pub async fn connect(
    manager: &Manager,
    credentials: Credentials,
    options: &ConnectOptions,
) -> Result<AnyVault> {
    match &manager.spec.settings {
        ManagerSettings::Aws(settings) => Ok(AnyVault::Aws(
            AwsKeyVault::connect(&manager.spec.name, settings, credentials, options).await?,
        )),
        ManagerSettings::Azure(settings) => Ok(AnyVault::Azure(Arc::new(AzureKeyVault::connect(
            &manager.spec.name,
            settings,
            credentials,
            AzureConnectOptions {
                extra_ca_pem: options.extra_roots_pem.clone(),
                verify_challenge_resource: options.azure_verify_challenge_resource,
                max_retries: options.max_attempts.saturating_sub(1),
            },
        )?))),
    }
}

/// What building the client of saved connection `name` needs from the
/// vault: the connection, its credentials (the credential secret used, and
/// audited, for `purpose`) and the options (this vault's id tells which
/// remote secrets it manages). Taken in one short turn at the vault; the
/// network comes after, in [`connect`].
pub fn connection_of(
    vault: &mut coffer_core::Vault,
    name: &str,
    purpose: &str,
) -> Result<(Manager, Credentials, ConnectOptions)> {
    let manager = vault.manager(name)?;
    let credentials = crate::credentials::credentials_for(vault, name, purpose)?;
    let options = ConnectOptions {
        vault_id: Some(vault.id()),
        ..ConnectOptions::default()
    };
    Ok((manager, credentials, options))
}

/// The client of saved connection `name` ([`connection_of`], then
/// [`connect`]): what the CLI calls before a remote call.
pub async fn client_of(
    vault: &mut coffer_core::Vault,
    name: &str,
    purpose: &str,
) -> Result<(Manager, AnyVault)> {
    let (manager, credentials, options) = connection_of(vault, name, purpose)?;
    let client = connect(&manager, credentials, &options).await?;
    Ok((manager, client))
}

impl KeyVault for AnyVault {
    async fn probe(&self) -> Result<Probe> {
        match self {
            Self::Aws(v) => v.probe().await,
            Self::Azure(v) => v.probe().await,
        }
    }

    async fn list(&self, prefix: &str, page: Option<String>, page_size: u32) -> Result<Page> {
        match self {
            Self::Aws(v) => v.list(prefix, page, page_size).await,
            Self::Azure(v) => v.list(prefix, page, page_size).await,
        }
    }

    async fn describe(&self, name: &str) -> Result<Option<RemoteSecret>> {
        match self {
            Self::Aws(v) => v.describe(name).await,
            Self::Azure(v) => v.describe(name).await,
        }
    }

    async fn versions(&self, name: &str) -> Result<Vec<RemoteVersion>> {
        match self {
            Self::Aws(v) => v.versions(name).await,
            Self::Azure(v) => v.versions(name).await,
        }
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<RemoteValue>> {
        match self {
            Self::Aws(v) => v.get_many(names).await,
            Self::Azure(v) => v.get_many(names).await,
        }
    }

    async fn put(&self, request: WriteRequest<'_>) -> Result<WriteOutcome> {
        match self {
            Self::Aws(v) => v.put(request).await,
            Self::Azure(v) => v.put(request).await,
        }
    }

    async fn delete(&self, name: &str) -> Result<()> {
        match self {
            Self::Aws(v) => v.delete(name).await,
            Self::Azure(v) => v.delete(name).await,
        }
    }
}
