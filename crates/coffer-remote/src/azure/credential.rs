//! Entra ID credentials of a connection: a service principal's client secret
//! (from a Coffer secret, or the `AZURE_*` variables), else the platform's
//! (Azure CLI or Azure Developer CLI sign-in, managed identity). The Rust SDK
//! has no `DefaultAzureCredential`, so the chain is here.

use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::ClientOptions;
use azure_identity::{
    ClientSecretCredential, ClientSecretCredentialOptions, DeveloperToolsCredential,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions,
};
use secrecy::ExposeSecret as _;

use crate::keyvault::Credentials;

/// The credential for a connection in `tenant`.
pub(super) fn for_connection(
    tenant: &str,
    credentials: Credentials,
    client_options: impl Fn() -> ClientOptions,
) -> azure_core::Result<Arc<dyn TokenCredential>> {
    match credentials {
        Credentials::AzureClientSecret {
            client_id,
            client_secret,
        } => Ok(ClientSecretCredential::new(
            tenant,
            client_id,
            Secret::new(client_secret.expose_secret().to_owned()),
            Some(ClientSecretCredentialOptions {
                client_options: client_options(),
            }),
        )?),
        Credentials::Implicit { .. } => {
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
            if let (Some(client_id), Some(secret)) =
                (var("AZURE_CLIENT_ID"), var("AZURE_CLIENT_SECRET"))
            {
                let tenant = var("AZURE_TENANT_ID").unwrap_or_else(|| tenant.to_owned());
                return Ok(ClientSecretCredential::new(
                    &tenant,
                    client_id,
                    Secret::new(secret),
                    Some(ClientSecretCredentialOptions {
                        client_options: client_options(),
                    }),
                )?);
            }
            let developer: Arc<dyn TokenCredential> = DeveloperToolsCredential::new(None)?;
            let managed: Arc<dyn TokenCredential> =
                ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    client_options: client_options(),
                    ..Default::default()
                }))?;
            Ok(Arc::new(Chain {
                sources: vec![developer, managed],
            }))
        }
        Credentials::AwsAccessKey { .. } => Err(azure_core::Error::with_message(
            ErrorKind::Credential,
            "an AWS access key cannot sign in to Azure: pick a client_credentials secret",
        )),
    }
}

/// The first of its sources that gives a token.
#[derive(Debug)]
struct Chain {
    sources: Vec<Arc<dyn TokenCredential>>,
}

#[async_trait::async_trait]
impl TokenCredential for Chain {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let mut failures = Vec::new();
        for source in &self.sources {
            match source.get_token(scopes, options.clone()).await {
                Ok(token) => return Ok(token),
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(azure_core::Error::with_message(
            ErrorKind::Credential,
            format!(
                "no implicit Azure credentials (AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, Azure CLI, managed identity): {}",
                failures.join("; ")
            ),
        ))
    }
}
