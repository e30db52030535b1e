//! Connections to external key vaults.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

/// How long a fetched value is cached unless the remote expiry is sooner.
pub const DEFAULT_CACHE_TTL_SECS: u32 = 3600;
/// How long an expired cache entry may still be used while the remote is
/// throttled or unreachable (0: never).
pub const DEFAULT_STALE_IF_ERROR_SECS: u32 = 300;
/// The client-side write rate per connection (AWS shares 50 writes/s per
/// account; Coffer stays well under it by default).
pub const DEFAULT_WRITES_PER_SEC: u32 = 20;

/// The service a connection talks to.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagerKind {
    /// AWS Secrets Manager.
    Aws,
    /// Azure Key Vault (secrets).
    Azure,
}

impl ManagerKind {
    /// The kind as stored and shown (`aws`, `azure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Azure => "azure",
        }
    }
}

/// How an AWS connection authenticates.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum AwsAuth {
    /// The SDK's default chain: environment, shared profile (`profile` if
    /// given), SSO, credential process, instance role.
    Implicit {
        /// A named profile of `~/.aws/config`, if not the default one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
    },
    /// An access key kept in a Coffer `key_value` secret (keys
    /// `aws_access_key_id`, `aws_secret_access_key`, optional
    /// `aws_session_token`), named in the connection's organization.
    AccessKey {
        /// The Coffer secret's name.
        secret: String,
    },
}

/// An AWS Secrets Manager connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsSettings {
    /// The region (`eu-west-1`).
    pub region: String,
    /// An endpoint other than the region's (a VPC endpoint, a test server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// How it authenticates.
    pub auth: AwsAuth,
}

/// How an Azure connection authenticates.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum AzureAuth {
    /// The platform's credentials: `AZURE_*` variables, managed identity,
    /// the Azure CLI's sign-in.
    Implicit,
    /// A service principal's client id and secret, kept in a Coffer
    /// `client_credentials` secret named in the connection's organization.
    ClientSecret {
        /// The Coffer secret's name.
        secret: String,
    },
}

/// An Azure Key Vault connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzureSettings {
    /// The vault URI (`https://NAME.vault.azure.net/`).
    pub vault_uri: String,
    /// The Entra ID tenant (directory) id.
    pub tenant: String,
    /// The Entra ID authority, if not the public cloud's
    /// (`https://login.microsoftonline.com/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_host: Option<String>,
    /// How it authenticates.
    pub auth: AzureAuth,
}

/// What a connection talks to and how.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ManagerSettings {
    /// AWS Secrets Manager.
    Aws(AwsSettings),
    /// Azure Key Vault.
    Azure(AzureSettings),
}

impl ManagerSettings {
    /// The service.
    pub fn kind(&self) -> ManagerKind {
        match self {
            Self::Aws(_) => ManagerKind::Aws,
            Self::Azure(_) => ManagerKind::Azure,
        }
    }

    /// The Coffer secret holding the credentials, if any.
    pub fn credential_secret(&self) -> Option<&str> {
        match self {
            Self::Aws(AwsSettings {
                auth: AwsAuth::AccessKey { secret },
                ..
            })
            | Self::Azure(AzureSettings {
                auth: AzureAuth::ClientSecret { secret },
                ..
            }) => Some(secret),
            _ => None,
        }
    }
}

/// A connection as it is added or edited.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerSpec {
    /// The name placeholders use (`${secret:NAME:...}`): unique in the
    /// vault, `[A-Za-z0-9._/-]`.
    pub name: String,
    /// The organization whose secrets hold its credentials and receive its
    /// imports.
    pub org: String,
    /// What it talks to and how.
    pub settings: ManagerSettings,
    /// Cache lifetime of fetched values, in seconds.
    pub cache_ttl_secs: u32,
    /// How long an expired value may still be used while the remote is
    /// throttled or down, in seconds.
    pub stale_if_error_secs: u32,
    /// Client-side write limit (deployments), per second.
    pub writes_per_sec: u32,
}

/// A stored connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manager {
    /// Its row id.
    pub id: i64,
    /// Its settings.
    #[serde(flatten)]
    pub spec: ManagerSpec,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A job whose placeholders name a connection (`${secret:MANAGER:NAME}`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagerUsage {
    /// The job's id.
    pub job_id: crate::job::JobId,
    /// The job's name.
    pub job: String,
    /// The job's organization.
    pub org: String,
    /// The remote secret names it uses, sorted.
    pub remote_names: Vec<String>,
}
