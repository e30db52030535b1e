//! Coffer's external key vaults (DESIGN §8): AWS Secrets Manager and Azure
//! Key Vault on their official SDKs, behind one [`KeyVault`] trait; the
//! in-memory value cache; browsing, import and deployments.
//!
//! Nothing here touches SQL or keys: connections, deployments and the
//! credentials they name are read and written through the core's `Vault`.
//! Values never reach an error, a log or an audit entry.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod access;
mod aws;
mod azure;
mod cache;
mod connect;
mod credentials;
pub mod deploy;
mod error;
pub mod import;
mod keyvault;
pub mod limits;
pub mod mapping;
pub mod rate;
mod remotes;
mod retry_after;
pub mod tags;
mod transport;

pub use access::VaultAccess;
pub use aws::AwsKeyVault;
pub use azure::{
    AZURE_MAX_VALUE_BYTES, AzureConnectOptions, AzureKeyVault, BINARY_CONTENT_TYPE,
    azure_name_allowed,
};
pub use cache::{CachedSecret, CachedValue, Derived, Lookup, ValueCache};
pub use connect::{AnyVault, ConnectOptions, client_of, connect, connection_of};
pub use credentials::{credentials_for, credentials_of};
pub use deploy::{CONCURRENT_PUSHES, DeployOptions, Engine};
pub use error::{Error, FailureClass, Result};
pub use import::{
    ImportItem, ImportOutcome, ImportProgress, import_many, import_many_shared, local_name_for,
};
pub use keyvault::{
    Credentials, KeyVault, Page, Probe, RemoteSecret, RemoteValue, RemoteVersion, Tags,
    WriteOutcome, WriteRequest,
};
pub use rate::RateLimiter;
pub use remotes::{Fetched, Origin, Remotes};
