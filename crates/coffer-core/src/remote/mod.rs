//! External key vaults as the core stores them: connections ("secret
//! managers", DESIGN §8) and deployments of local secrets into them. The
//! network side (the SDKs, the value cache, the deploy engine) lives in
//! `coffer-remote`; here are only the rows, their rules and their integrity.
//!
//! A connection never stores a credential value: it names a Coffer secret
//! (a `key_value` secret with `aws_access_key_id`, `aws_secret_access_key`
//! and optionally `aws_session_token`, or a `client_credentials` secret)
//! or uses the platform's implicit credentials.

mod deployment;
mod manager;
pub mod validate;

pub use deployment::{
    DEPLOYMENT_STATES, Deployment, DeploymentEvent, DeploymentState, DeploymentTarget,
    DeploymentVersion, RemoteLink,
};
pub use manager::{
    AwsAuth, AwsSettings, AzureAuth, AzureSettings, DEFAULT_CACHE_TTL_SECS,
    DEFAULT_STALE_IF_ERROR_SECS, DEFAULT_WRITES_PER_SEC, Manager, ManagerKind, ManagerSettings,
    ManagerSpec, ManagerUsage,
};
