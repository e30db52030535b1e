//! Azure Key Vault (secrets) on Microsoft's SDK: `azure_security_keyvault_secrets`
//! with `azure_identity` credentials and Coffer's own HTTPS client.

mod credential;
mod failure;
mod transport;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::TokenCredential;
use azure_core::http::pager::{PagerContinuation, PagerOptions};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport, Url};
use azure_core::time::Duration;
use azure_security_keyvault_secrets::models::{
    SecretAttributes, SecretClientGetSecretOptions, SecretClientListSecretPropertiesOptions,
    SecretClientListSecretPropertiesVersionsOptions, SecretProperties, SetSecretParameters,
};
use azure_security_keyvault_secrets::{ResourceId, SecretClient, SecretClientOptions};
use base64::Engine as _;
use coffer_core::Timestamp;
use coffer_core::remote::AzureSettings;
use futures::{StreamExt as _, TryStreamExt as _};
use zeroize::Zeroizing;

use crate::error::{Error, FailureClass, Result};
use crate::keyvault::{
    Credentials, KeyVault, Page, Probe, RemoteSecret, RemoteValue, RemoteVersion, Tags,
    WriteOutcome, WriteRequest,
};
use crate::tags::{TAG_VERSION, is_managed};
use failure::{classify, remote};

pub use crate::limits::AZURE_MAX_VALUE_BYTES;
/// Reads in flight at once in `get_many`.
const GET_CONCURRENCY: usize = 4;
/// The service's page size limit.
const MAX_PAGE: u32 = 25;
/// How Coffer marks a binary value it stored as base64 text (Key Vault
/// values are strings).
pub const BINARY_CONTENT_TYPE: &str = "application/octet-stream; coffer-encoding=base64";

/// How to reach a vault beyond its settings.
#[derive(Debug, Clone)]
pub struct AzureConnectOptions {
    /// PEM CA certificates to trust on top of the platform's (tests pass
    /// their test CA). Certificates are always verified.
    pub extra_ca_pem: Vec<Vec<u8>>,
    /// Whether the resource in Key Vault's bearer challenge must match the
    /// vault's domain. Only tests, whose vault is on 127.0.0.1, turn it off.
    pub verify_challenge_resource: bool,
    /// Retries of throttled (429, honouring `Retry-After`) and cut requests.
    pub max_retries: u32,
}

impl Default for AzureConnectOptions {
    fn default() -> Self {
        Self {
            extra_ca_pem: Vec::new(),
            verify_challenge_resource: true,
            max_retries: 4,
        }
    }
}

/// Whether Azure accepts the name: `[0-9A-Za-z-]{1,127}`.
pub fn azure_name_allowed(name: &str) -> bool {
    (1..=127).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An Azure Key Vault connection.
pub struct AzureKeyVault {
    manager: String,
    vault: Url,
    client: SecretClient,
    writer: SecretClient,
    max_retries: u32,
}

impl std::fmt::Debug for AzureKeyVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureKeyVault")
            .field("manager", &self.manager)
            .field("vault", &self.vault.as_str())
            .finish_non_exhaustive()
    }
}

impl AzureKeyVault {
    /// A client for the connection `manager` (its name, for errors).
    pub fn connect(
        manager: &str,
        settings: &AzureSettings,
        credentials: Credentials,
        options: AzureConnectOptions,
    ) -> Result<Self> {
        let invalid = |field: &str, message: String| {
            Error::Core(coffer_core::Error::InvalidInput {
                field: field.to_owned(),
                message,
            })
        };
        let vault = Url::parse(&settings.vault_uri)
            .map_err(|e| invalid("vault_uri", format!("not a URL: {e}")))?;
        if vault.scheme() != "https" || vault.host_str().is_none() {
            return Err(invalid("vault_uri", "must be an https:// URL".to_owned()));
        }
        if let Some(host) = &settings.authority_host {
            let url = Url::parse(host)
                .map_err(|e| invalid("authority_host", format!("not a URL: {e}")))?;
            if url.scheme() != "https" {
                return Err(invalid(
                    "authority_host",
                    "must be an https:// URL".to_owned(),
                ));
            }
        }
        if settings.tenant.trim().is_empty() {
            return Err(invalid("tenant", "is required".to_owned()));
        }
        let http = transport::https_client(manager, &options.extra_ca_pem)?;
        let client_options = || {
            let mut o = ClientOptions {
                transport: Some(Transport::new(Arc::new(http.clone()))),
                retry: RetryOptions::exponential(ExponentialRetryOptions {
                    initial_delay: Duration::milliseconds(200),
                    max_retries: options.max_retries,
                    max_total_elapsed: Duration::seconds(120),
                    max_delay: Duration::seconds(30),
                }),
                ..ClientOptions::default()
            };
            if let Some(host) = &settings.authority_host {
                let mut custom = CustomConfiguration::default();
                custom.authority_host = host.clone();
                o.cloud = Some(Arc::new(CloudConfiguration::Custom(custom)));
            }
            o
        };
        let credential: Arc<dyn TokenCredential> =
            credential::for_connection(&settings.tenant, credentials, client_options)
                .map_err(|e| classify(manager, "setting up credentials", &e))?;
        let secret_client = |retry: RetryOptions| {
            let mut client_options = client_options();
            client_options.retry = retry;
            SecretClient::new(
                vault.as_str(),
                credential.clone(),
                Some(SecretClientOptions {
                    client_options,
                    verify_challenge_resource: Some(options.verify_challenge_resource),
                    ..SecretClientOptions::default()
                }),
            )
            .map_err(|e| classify(manager, "setting up the client", &e))
        };
        Ok(Self {
            manager: manager.to_owned(),
            client: secret_client(client_options().retry)?,
            writer: secret_client(RetryOptions::none())?,
            vault,
            max_retries: options.max_retries,
        })
    }

    fn fail(&self, operation: &str, err: &azure_core::Error) -> Error {
        classify(&self.manager, operation, err)
    }

    fn refuse(&self, operation: &str, message: String) -> Error {
        remote(&self.manager, operation, FailureClass::Rejected, message)
    }

    fn check_name(&self, operation: &str, name: &str) -> Result<()> {
        if azure_name_allowed(name) {
            Ok(())
        } else {
            Err(self.refuse(
                operation,
                format!(
                    "{name:?} is not a valid Azure Key Vault name: 1 to 127 letters, digits and '-'"
                ),
            ))
        }
    }

    /// A page token must be a link into this vault: the SDK sends the
    /// bearer token to it.
    fn page_link(&self, token: &str) -> Result<Url> {
        let bad = || {
            self.refuse(
                "listing secrets",
                "the page token is not one this vault gave".to_owned(),
            )
        };
        let url = Url::parse(token).map_err(|_| bad())?;
        let same_origin = url.scheme() == self.vault.scheme()
            && url.host_str() == self.vault.host_str()
            && url.port_or_known_default() == self.vault.port_or_known_default();
        if !same_origin || !url.path().starts_with("/secrets") {
            return Err(bad());
        }
        Ok(url)
    }

    /// Every version's properties, newest first.
    async fn version_properties(
        &self,
        name: &str,
        operation: &str,
    ) -> Result<Vec<SecretProperties>> {
        let pager = self
            .client
            .list_secret_properties_versions(
                name,
                Some(SecretClientListSecretPropertiesVersionsOptions {
                    maxresults: Some(MAX_PAGE as i32),
                    ..Default::default()
                }),
            )
            .map_err(|e| self.fail(operation, &e))?;
        let mut all: Vec<SecretProperties> = pager
            .try_collect()
            .await
            .map_err(|e| self.fail(operation, &e))?;
        all.sort_by_key(|p| std::cmp::Reverse(created(p.attributes.as_ref())));
        // Creation times have one-second resolution: when the newest tie,
        // ask Key Vault which one is current.
        if all.len() > 1
            && created(all[0].attributes.as_ref()) == created(all[1].attributes.as_ref())
            && let Some((current, _)) = self.latest_properties(name, operation).await?
            && let Some(at) = all
                .iter()
                .position(|p| version_of(p.id.as_deref()).as_deref() == Some(current.as_str()))
        {
            let newest = all.remove(at);
            all.insert(0, newest);
        }
        Ok(all)
    }

    async fn deleted(&self, name: &str, operation: &str) -> Result<Option<RemoteSecret>> {
        match self.client.get_deleted_secret(name, None).await {
            Ok(response) => {
                let deleted = response
                    .into_model()
                    .map_err(|e| self.fail(operation, &e))?;
                let tags = tags_of(deleted.tags);
                Ok(Some(RemoteSecret {
                    name: name.to_owned(),
                    remote_id: self.secret_id(name),
                    updated_at: timestamp(deleted.attributes.as_ref().and_then(|a| a.updated)),
                    expires_at: timestamp(deleted.attributes.as_ref().and_then(|a| a.expires)),
                    managed: is_managed(&tags),
                    tags,
                    versions: None,
                    deleted: true,
                }))
            }
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.fail(operation, &e)),
        }
    }

    fn secret_id(&self, name: &str) -> String {
        let mut url = self.vault.clone();
        url.set_query(None);
        url.set_path(&format!("/secrets/{name}"));
        url.to_string()
    }

    /// The current value of one secret, `None` if it does not exist.
    async fn get_one(&self, name: &str) -> Result<Option<RemoteValue>> {
        let operation = format!("reading {name}");
        self.check_name(&operation, name)?;
        let secret = match self.client.get_secret(name, None).await {
            Ok(response) => response
                .into_model()
                .map_err(|e| self.fail(&operation, &e))?,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(self.fail(&operation, &e)),
        };
        let text = Zeroizing::new(secret.value.unwrap_or_default());
        let binary = secret.content_type.as_deref() == Some(BINARY_CONTENT_TYPE);
        let value = if binary {
            Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map_err(|_| {
                        remote(
                            &self.manager,
                            &operation,
                            FailureClass::Service,
                            "the value is marked binary but is not base64".to_owned(),
                        )
                    })?,
            )
        } else {
            Zeroizing::new(text.as_bytes().to_vec())
        };
        Ok(Some(RemoteValue {
            name: name.to_owned(),
            version: version_of(secret.id.as_deref()).unwrap_or_default(),
            value,
            binary,
            expires_at: timestamp(secret.attributes.as_ref().and_then(|a| a.expires)),
            tags: tags_of(secret.tags),
        }))
    }
}

impl KeyVault for AzureKeyVault {
    async fn probe(&self) -> Result<Probe> {
        let started = Instant::now();
        let operation = "testing the connection";
        let mut pages = self
            .client
            .list_secret_properties(Some(SecretClientListSecretPropertiesOptions {
                maxresults: Some(1),
                ..Default::default()
            }))
            .map_err(|e| self.fail(operation, &e))?
            .into_pages();
        let count = match pages
            .try_next()
            .await
            .map_err(|e| self.fail(operation, &e))?
        {
            Some(page) => page
                .into_model()
                .map_err(|e| self.fail(operation, &e))?
                .value
                .len(),
            None => 0,
        };
        Ok(Probe {
            checked: format!(
                "signed in to Entra ID and listed secrets ({count} result, maxresults 1) on {}",
                self.vault
            ),
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    async fn list(&self, prefix: &str, page: Option<String>, page_size: u32) -> Result<Page> {
        let operation = "listing secrets";
        let continuation = match page {
            Some(token) => Some(PagerContinuation::Link(self.page_link(&token)?)),
            None => None,
        };
        let mut pages = self
            .client
            .list_secret_properties(Some(SecretClientListSecretPropertiesOptions {
                maxresults: Some(page_size.clamp(1, MAX_PAGE) as i32),
                method_options: PagerOptions {
                    continuation,
                    ..Default::default()
                },
            }))
            .map_err(|e| self.fail(operation, &e))?
            .into_pages();
        // Azure cannot filter by prefix: filter here, and skip pages with no
        // match so that a caller never gets an empty page with more to come.
        loop {
            let Some(page) = pages
                .try_next()
                .await
                .map_err(|e| self.fail(operation, &e))?
            else {
                return Ok(Page {
                    items: Vec::new(),
                    next: None,
                });
            };
            let next = pages.continuation().map(|c| c.to_string());
            let result = page.into_model().map_err(|e| self.fail(operation, &e))?;
            let items: Vec<RemoteSecret> = result
                .value
                .into_iter()
                .filter_map(|p| self.listed(p))
                .filter(|s| s.name.starts_with(prefix))
                .collect();
            if !items.is_empty() || next.is_none() {
                return Ok(Page { items, next });
            }
        }
    }

    async fn describe(&self, name: &str) -> Result<Option<RemoteSecret>> {
        let operation = format!("describing {name}");
        self.check_name(&operation, name)?;
        let versions = match self.version_properties(name, &operation).await {
            Ok(v) => v,
            Err(e) if e.class() == Some(FailureClass::NotFound) => {
                return self.deleted(name, &operation).await;
            }
            Err(e) => return Err(e),
        };
        let Some(newest) = versions.first() else {
            return self.deleted(name, &operation).await;
        };
        let tags = tags_of(newest.tags.clone());
        Ok(Some(RemoteSecret {
            name: name.to_owned(),
            remote_id: self.secret_id(name),
            updated_at: timestamp(newest.attributes.as_ref().and_then(|a| a.updated)),
            expires_at: timestamp(newest.attributes.as_ref().and_then(|a| a.expires)),
            managed: is_managed(&tags),
            tags,
            versions: u32::try_from(versions.len()).ok(),
            deleted: false,
        }))
    }

    async fn versions(&self, name: &str) -> Result<Vec<RemoteVersion>> {
        let operation = format!("listing versions of {name}");
        self.check_name(&operation, name)?;
        let versions = self.version_properties(name, &operation).await?;
        let current = versions
            .iter()
            .find(|p| {
                p.attributes
                    .as_ref()
                    .and_then(|a| a.enabled)
                    .unwrap_or(true)
            })
            .and_then(|p| version_of(p.id.as_deref()));
        Ok(versions
            .into_iter()
            .filter_map(|p| {
                let id = version_of(p.id.as_deref())?;
                Some(RemoteVersion {
                    current: current.as_deref() == Some(id.as_str()),
                    created_at: timestamp(created(p.attributes.as_ref())),
                    tags: tags_of(p.tags),
                    id,
                })
            })
            .collect())
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<RemoteValue>> {
        // Key Vault has no batch read: one GET per name, a few at a time
        // (enough to hide latency, few enough not to trip the vault's
        // per-second limits).
        let reads: Vec<_> = names.iter().map(|name| self.get_one(name)).collect();
        let fetched: Vec<Option<RemoteValue>> = futures::stream::iter(reads)
            .buffered(GET_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(fetched.into_iter().flatten().collect())
    }

    async fn put(&self, request: WriteRequest<'_>) -> Result<WriteOutcome> {
        let name = request.name;
        let operation = format!("writing {name}");
        self.check_name(&operation, name)?;
        let (value, content_type) = if request.binary {
            (
                Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(request.value)),
                Some(BINARY_CONTENT_TYPE.to_owned()),
            )
        } else {
            let text = std::str::from_utf8(request.value).map_err(|_| {
                self.refuse(
                    &operation,
                    "the value is not UTF-8 text (send it as binary)".to_owned(),
                )
            })?;
            (Zeroizing::new(text.to_owned()), None)
        };
        if value.len() > AZURE_MAX_VALUE_BYTES {
            return Err(self.refuse(
                &operation,
                format!(
                    "the value is {} bytes; Azure Key Vault takes at most {AZURE_MAX_VALUE_BYTES}",
                    value.len()
                ),
            ));
        }
        let mut tags: Tags = request.tags.clone();
        tags.insert(TAG_VERSION.to_owned(), request.idempotency_token.to_owned());
        let tags: std::collections::HashMap<String, String> = tags.into_iter().collect();
        // Idempotency: Key Vault has no request token, so read the latest
        // version's tag before each attempt; a retry of a write that landed
        // (its answer lost) finds it. Writes go through a client without the
        // SDK's own retries, which would resend a PUT blindly.
        let mut attempt: u32 = 0;
        loop {
            if let Some((version, latest)) = self.latest_properties(name, &operation).await?
                && latest.get(TAG_VERSION).map(String::as_str) == Some(request.idempotency_token)
            {
                return Ok(WriteOutcome {
                    remote_id: self.secret_id(name),
                    version,
                    already_written: true,
                });
            }
            let parameters = SetSecretParameters {
                value: Some(value.to_string()),
                content_type: content_type.clone(),
                tags: Some(tags.clone()),
                secret_attributes: Some(SecretAttributes {
                    enabled: Some(true),
                    ..Default::default()
                }),
            };
            let body = parameters
                .try_into()
                .map_err(|e: azure_core::Error| self.fail(&operation, &e))?;
            let err = match self.writer.set_secret(name, body, None).await {
                Ok(response) => {
                    let written = response
                        .into_model()
                        .map_err(|e| self.fail(&operation, &e))?;
                    drop(Zeroizing::new(written.value));
                    return Ok(WriteOutcome {
                        remote_id: self.secret_id(name),
                        version: version_of(written.id.as_deref()).unwrap_or_default(),
                        already_written: false,
                    });
                }
                Err(e) => self.fail(&operation, &e),
            };
            attempt += 1;
            let retry_after = match &err {
                Error::Remote { retry_after_ms, .. } => *retry_after_ms,
                Error::Core(_) => None,
            };
            let retryable = matches!(
                err.class(),
                Some(FailureClass::Throttled | FailureClass::Unreachable | FailureClass::Timeout)
            );
            if !retryable || attempt > self.max_retries {
                return Err(err);
            }
            let backoff_ms = 200u64.saturating_mul(1 << attempt.min(7)).min(30_000);
            let wait = retry_after.map_or(backoff_ms, |ms| ms.max(backoff_ms.min(1000)));
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        }
    }

    async fn delete(&self, name: &str) -> Result<()> {
        let operation = format!("deleting {name}");
        self.check_name(&operation, name)?;
        self.client
            .delete_secret(name, None)
            .await
            .map_err(|e| self.fail(&operation, &e))?;
        Ok(())
    }
}

impl AzureKeyVault {
    /// The current version's id and tags, from Key Vault's own answer (the
    /// versions list has one-second creation times, which tie for versions
    /// written within a second). The value comes along and is dropped.
    async fn latest_properties(
        &self,
        name: &str,
        operation: &str,
    ) -> Result<Option<(String, Tags)>> {
        match self.client.get_secret(name, None).await {
            Ok(response) => {
                let secret = response
                    .into_model()
                    .map_err(|e| self.fail(operation, &e))?;
                drop(Zeroizing::new(secret.value));
                Ok(version_of(secret.id.as_deref()).map(|id| (id, tags_of(secret.tags))))
            }
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.fail(operation, &e)),
        }
    }

    /// Recovers a soft-deleted secret.
    pub async fn recover(&self, name: &str) -> Result<()> {
        let operation = format!("recovering {name}");
        self.check_name(&operation, name)?;
        self.client
            .recover_deleted_secret(name, None)
            .await
            .map_err(|e| self.fail(&operation, &e))?;
        Ok(())
    }

    /// One version's value (for tests and import of a given version).
    pub async fn get_version(&self, name: &str, version: &str) -> Result<Option<RemoteValue>> {
        let operation = format!("reading {name}");
        self.check_name(&operation, name)?;
        let options = SecretClientGetSecretOptions {
            secret_version: Some(version.to_owned()),
            ..Default::default()
        };
        match self.client.get_secret(name, Some(options)).await {
            Ok(response) => {
                let secret = response
                    .into_model()
                    .map_err(|e| self.fail(&operation, &e))?;
                let text = Zeroizing::new(secret.value.unwrap_or_default());
                Ok(Some(RemoteValue {
                    name: name.to_owned(),
                    version: version.to_owned(),
                    value: Zeroizing::new(text.as_bytes().to_vec()),
                    binary: false,
                    expires_at: timestamp(secret.attributes.as_ref().and_then(|a| a.expires)),
                    tags: tags_of(secret.tags),
                }))
            }
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.fail(&operation, &e)),
        }
    }

    fn listed(&self, p: SecretProperties) -> Option<RemoteSecret> {
        let id = p.id.as_deref()?;
        let name = ResourceId::try_from(&Url::parse(id).ok()?).ok()?.name;
        let tags = tags_of(p.tags);
        Some(RemoteSecret {
            remote_id: self.secret_id(&name),
            name,
            updated_at: timestamp(p.attributes.as_ref().and_then(|a| a.updated)),
            expires_at: timestamp(p.attributes.as_ref().and_then(|a| a.expires)),
            managed: is_managed(&tags),
            tags,
            versions: None,
            deleted: false,
        })
    }
}

fn is_not_found(e: &azure_core::Error) -> bool {
    e.http_status().map(u16::from) == Some(404)
}

fn created(attributes: Option<&SecretAttributes>) -> Option<time::OffsetDateTime> {
    attributes.and_then(|a| a.created)
}

fn timestamp(t: Option<time::OffsetDateTime>) -> Option<Timestamp> {
    t.map(Timestamp::from_datetime)
}

fn tags_of(tags: Option<std::collections::HashMap<String, String>>) -> Tags {
    tags.unwrap_or_default()
        .into_iter()
        .collect::<BTreeMap<_, _>>()
}

fn version_of(id: Option<&str>) -> Option<String> {
    let url = Url::parse(id?).ok()?;
    ResourceId::try_from(&url).ok()?.version
}
