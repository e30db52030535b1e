//! The one trait both services implement, and what crosses it.

use std::collections::BTreeMap;

use coffer_core::Timestamp;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::error::Result;

/// Remote tags (AWS tags, Azure tags): names and short clear texts only.
pub type Tags = BTreeMap<String, String>;

/// Credentials for one connection, read from the Coffer secret it names
/// (or none: the platform's implicit chain).
pub enum Credentials {
    /// The SDK's default chain (AWS: with an optional profile).
    Implicit {
        /// An AWS profile name.
        profile: Option<String>,
    },
    /// An AWS access key.
    AwsAccessKey {
        /// `aws_access_key_id`.
        access_key_id: String,
        /// `aws_secret_access_key`.
        secret_access_key: SecretString,
        /// `aws_session_token`.
        session_token: Option<SecretString>,
    },
    /// An Entra ID service principal.
    AzureClientSecret {
        /// The application (client) id.
        client_id: String,
        /// The client secret.
        client_secret: SecretString,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Implicit { .. } => "Credentials::Implicit",
            Self::AwsAccessKey { .. } => "Credentials::AwsAccessKey(<redacted>)",
            Self::AzureClientSecret { .. } => "Credentials::AzureClientSecret(<redacted>)",
        })
    }
}

/// A remote secret as listed or described: never its value.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemoteSecret {
    /// Its name.
    pub name: String,
    /// Its remote id (an ARN; an Azure secret id without version).
    pub remote_id: String,
    /// When it last changed.
    pub updated_at: Option<Timestamp>,
    /// When it expires (Azure `exp`; AWS has none).
    pub expires_at: Option<Timestamp>,
    /// Its tags.
    pub tags: Tags,
    /// How many versions it has, where listing tells (AWS tells through
    /// `ListSecretVersionIds`, Azure through the versions list).
    pub versions: Option<u32>,
    /// Whether Coffer's tag marks it as deployed by this vault.
    pub managed: bool,
    /// Deleted (soft-deleted, recoverable) rather than live.
    pub deleted: bool,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    /// The secrets on it.
    pub items: Vec<RemoteSecret>,
    /// The token of the next page, if there is one.
    pub next: Option<String>,
}

/// A remote version.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemoteVersion {
    /// Its id.
    pub id: String,
    /// When it was created.
    pub created_at: Option<Timestamp>,
    /// Whether it is current (AWS `AWSCURRENT`; Azure: the newest enabled).
    pub current: bool,
    /// Its tags (Azure versions carry their own; AWS: the secret's).
    pub tags: Tags,
}

/// A value read from a key vault.
pub struct RemoteValue {
    /// The secret's name.
    pub name: String,
    /// The version read.
    pub version: String,
    /// The value (text; binary AWS values are base64-encoded by the caller
    /// that needs text).
    pub value: Zeroizing<Vec<u8>>,
    /// Whether the service holds it as binary (AWS `SecretBinary`).
    pub binary: bool,
    /// When the remote says it expires.
    pub expires_at: Option<Timestamp>,
    /// The secret's tags (Coffer's write-only mark travels here).
    pub tags: Tags,
}

impl std::fmt::Debug for RemoteValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteValue")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("value", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A write of one version.
pub struct WriteRequest<'a> {
    /// The remote name.
    pub name: &'a str,
    /// The value.
    pub value: &'a [u8],
    /// Whether to store it as binary (AWS `SecretBinary`).
    pub binary: bool,
    /// Tags to set (Coffer's ownership tags).
    pub tags: &'a Tags,
    /// Makes the write idempotent: AWS `ClientRequestToken`; Azure compares
    /// it with the latest version's tag before writing.
    pub idempotency_token: &'a str,
}

impl std::fmt::Debug for WriteRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteRequest")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The remote id.
    pub remote_id: String,
    /// The version written (or found already written by the same token).
    pub version: String,
    /// Whether the token showed the version had been written before.
    pub already_written: bool,
}

/// The result of a connection test: one cheap call.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct Probe {
    /// What was checked ("ListSecrets (1 result) on https://...").
    pub checked: String,
    /// How long it took, in milliseconds.
    pub latency_ms: u64,
}

/// A key vault: AWS Secrets Manager or Azure Key Vault.
///
/// Every method is one logical remote operation with the service's own
/// retries; throttling surfaces as [`crate::FailureClass::Throttled`] with
/// the server's `Retry-After` so that callers can back off.
pub trait KeyVault: Send + Sync {
    /// One cheap authenticated call.
    fn probe(&self) -> impl Future<Output = Result<Probe>> + Send;
    /// A page of remote secrets whose names start with `prefix`.
    fn list(
        &self,
        prefix: &str,
        page: Option<String>,
        page_size: u32,
    ) -> impl Future<Output = Result<Page>> + Send;
    /// One remote secret's description, if it exists.
    fn describe(&self, name: &str) -> impl Future<Output = Result<Option<RemoteSecret>>> + Send;
    /// Its versions, newest first.
    fn versions(&self, name: &str) -> impl Future<Output = Result<Vec<RemoteVersion>>> + Send;
    /// The current value of each name, in as few calls as the service
    /// allows (AWS `BatchGetSecretValue`); names that do not exist are
    /// missing from the result.
    fn get_many(&self, names: &[String]) -> impl Future<Output = Result<Vec<RemoteValue>>> + Send;
    /// Writes a version (creating the secret if it does not exist).
    fn put(&self, request: WriteRequest<'_>) -> impl Future<Output = Result<WriteOutcome>> + Send;
    /// Deletes the secret (soft delete where the service has it).
    fn delete(&self, name: &str) -> impl Future<Output = Result<()>> + Send;
}
