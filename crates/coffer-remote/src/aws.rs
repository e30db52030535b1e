//! AWS Secrets Manager on the official SDK (`aws-sdk-secretsmanager` +
//! `aws-config`), its HTTPS client on rustls with ring.
//!
//! Reads always ask for the `AWSCURRENT` stage; values are read in batches
//! of 20 (`BatchGetSecretValue`); writes carry the caller's token as
//! `ClientRequestToken`, so that a retried write never makes a second
//! version; deletes are soft (a recovery window).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::primitives::Blob;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, Tag};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::DateTime;
use coffer_core::Timestamp;
use coffer_core::remote::{AwsAuth, AwsSettings, ManagerKind};
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::connect::ConnectOptions;
use crate::error::{Error, FailureClass, Result};
use crate::keyvault::{
    Credentials, KeyVault, Page, Probe, RemoteSecret, RemoteValue, RemoteVersion, Tags,
    WriteOutcome, WriteRequest,
};
use crate::retry_after::RetryAfterClassifier;
use crate::{limits, tags, transport};

/// The stage every read asks for (moto can return a stale value without it).
const CURRENT: &str = "AWSCURRENT";
/// `BatchGetSecretValue` takes at most 20 names.
const BATCH: usize = 20;
/// `ListSecrets` filters take at most 10 values.
const FILTER_VALUES: usize = 10;
/// The recovery window of a soft delete, in days (AWS's default).
const RECOVERY_DAYS: i64 = 30;

/// A connection to AWS Secrets Manager.
#[derive(Debug, Clone)]
pub struct AwsKeyVault {
    manager: String,
    client: Client,
    /// The host the client talks to, for telling DNS failures apart.
    host: String,
    /// What the probe reports it talked to.
    endpoint: String,
    vault_id: Option<String>,
}

impl AwsKeyVault {
    /// Builds the client: region, endpoint, credentials (static from an
    /// access-key secret, or the SDK's default chain with an optional
    /// profile), timeouts, retries honouring `Retry-After`.
    pub async fn connect(
        manager: &str,
        settings: &AwsSettings,
        credentials: Credentials,
        options: &ConnectOptions,
    ) -> Result<Self> {
        let region = settings.region.trim();
        if region.is_empty() {
            return Err(coffer_core::Error::invalid("region", "give the AWS region").into());
        }
        let http_client = transport::aws_https_client(options)?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_owned()))
            .http_client(http_client)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(options.connect_timeout)
                    .operation_attempt_timeout(options.attempt_timeout)
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(options.max_attempts)
                    .with_max_backoff(options.max_backoff),
            );
        if let Some(endpoint) = settings
            .endpoint
            .as_deref()
            .filter(|e| !e.trim().is_empty())
        {
            loader = loader.endpoint_url(endpoint.trim());
        }
        match (&settings.auth, credentials) {
            (
                AwsAuth::AccessKey { .. },
                Credentials::AwsAccessKey {
                    access_key_id,
                    secret_access_key,
                    session_token,
                },
            ) => {
                loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                    access_key_id,
                    secret_access_key.expose_secret(),
                    session_token.map(|t| t.expose_secret().to_owned()),
                    None,
                    "coffer",
                ));
            }
            (AwsAuth::Implicit { profile }, Credentials::Implicit { profile: given }) => {
                if let Some(profile) = given.or_else(|| profile.clone()) {
                    loader = loader.profile_name(profile);
                }
            }
            (AwsAuth::AccessKey { secret }, _) => {
                return Err(coffer_core::Error::invalid(
                    "auth",
                    format!("the connection needs the access key from secret {secret:?}"),
                )
                .into());
            }
            (AwsAuth::Implicit { .. }, _) => {
                return Err(coffer_core::Error::invalid(
                    "auth",
                    "the connection uses the implicit AWS credentials; give no credential secret",
                )
                .into());
            }
        }
        let shared = loader.load().await;
        let config = aws_sdk_secretsmanager::config::Builder::from(&shared)
            .retry_classifier(RetryAfterClassifier)
            .build();
        let endpoint = settings
            .endpoint
            .clone()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| format!("https://secretsmanager.{region}.amazonaws.com"));
        let host = url::Url::parse(&endpoint)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        Ok(Self {
            manager: manager.to_owned(),
            client: Client::from_conf(config),
            host,
            endpoint,
            vault_id: options.vault_id.clone(),
        })
    }

    async fn fail<E>(&self, operation: impl Into<String>, err: SdkError<E, HttpResponse>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (mut class, message, retry_after_ms) = classify(&err);
        drop(err);
        if class == FailureClass::Unreachable
            && !self.host.is_empty()
            && !resolves(&self.host).await
        {
            class = FailureClass::Dns;
        }
        Error::Remote {
            manager: self.manager.clone(),
            operation: operation.into(),
            class,
            message,
            retry_after_ms,
        }
    }

    fn rejected(&self, operation: String, message: String) -> Error {
        Error::Remote {
            manager: self.manager.clone(),
            operation,
            class: FailureClass::Rejected,
            message,
            retry_after_ms: None,
        }
    }

    fn remote_secret(
        &self,
        name: Option<&str>,
        arn: Option<&str>,
        changed: Option<&DateTime>,
        tags: &[Tag],
        versions: Option<usize>,
        deleted: bool,
    ) -> RemoteSecret {
        let tags = tag_map(tags);
        RemoteSecret {
            name: name.unwrap_or_default().to_owned(),
            remote_id: arn.unwrap_or_default().to_owned(),
            updated_at: changed.map(timestamp),
            expires_at: None,
            managed: tags::is_managed_by(&tags, self.vault_id.as_deref()),
            tags,
            versions: versions.and_then(|n| u32::try_from(n).ok()),
            deleted,
        }
    }

    /// Tags of the named secrets through `ListSecrets` name filters (ten
    /// names a call), since `BatchGetSecretValue` returns none.
    async fn tags_of(&self, names: &[String]) -> Result<BTreeMap<String, Tags>> {
        let mut found = BTreeMap::new();
        for chunk in names.chunks(FILTER_VALUES) {
            let filter = Filter::builder()
                .key(FilterNameStringType::Name)
                .set_values(Some(chunk.to_vec()))
                .build();
            let mut next = None;
            loop {
                let page = self
                    .client
                    .list_secrets()
                    .filters(filter.clone())
                    .max_results(100)
                    .set_next_token(next.clone())
                    .send()
                    .await;
                let page = match page {
                    Ok(page) => page,
                    Err(e) => return Err(self.fail("reading tags", e).await),
                };
                for entry in page.secret_list() {
                    if let Some(name) = entry.name().filter(|n| chunk.iter().any(|c| c == n)) {
                        found.insert(name.to_owned(), tag_map(entry.tags()));
                    }
                }
                next = more(next.as_deref(), page.next_token());
                if next.is_none() {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// One value by name at `AWSCURRENT`; `None` when it does not exist.
    async fn get_current(&self, name: &str) -> Result<Option<(String, Zeroizing<Vec<u8>>, bool)>> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(name)
            .version_stage(CURRENT)
            .send()
            .await;
        match out {
            Ok(out) => {
                let (value, binary) = value_of(out.secret_string(), out.secret_binary());
                Ok(Some((
                    out.version_id().unwrap_or_default().to_owned(),
                    value,
                    binary,
                )))
            }
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(self.fail(format!("reading {name}"), e).await),
        }
    }
}

impl KeyVault for AwsKeyVault {
    async fn probe(&self) -> Result<Probe> {
        let started = Instant::now();
        let out = self.client.list_secrets().max_results(1).send().await;
        match out {
            Ok(out) => Ok(Probe {
                checked: format!(
                    "ListSecrets ({} result{}) on {}",
                    out.secret_list().len(),
                    if out.secret_list().len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    self.endpoint
                ),
                latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            }),
            Err(e) => Err(self.fail("testing the connection", e).await),
        }
    }

    async fn list(&self, prefix: &str, page: Option<String>, page_size: u32) -> Result<Page> {
        let size = i32::try_from(page_size.clamp(1, 100)).unwrap_or(100);
        let mut request = self
            .client
            .list_secrets()
            .max_results(size)
            .set_next_token(page);
        if !prefix.is_empty() {
            request = request.filters(
                Filter::builder()
                    .key(FilterNameStringType::Name)
                    .values(prefix)
                    .build(),
            );
        }
        let out = match request.send().await {
            Ok(out) => out,
            Err(e) => return Err(self.fail("listing secrets", e).await),
        };
        let items = out
            .secret_list()
            .iter()
            // The service's name filter also matches words inside names:
            // keep the prefix promise here.
            .filter(|e| e.name().is_some_and(|n| n.starts_with(prefix)))
            .map(|e| {
                self.remote_secret(
                    e.name(),
                    e.arn(),
                    e.last_changed_date().or(e.created_date()),
                    e.tags(),
                    e.secret_versions_to_stages().map(|v| v.len()),
                    e.deleted_date().is_some(),
                )
            })
            .collect();
        Ok(Page {
            items,
            next: out
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }

    async fn describe(&self, name: &str) -> Result<Option<RemoteSecret>> {
        let out = self.client.describe_secret().secret_id(name).send().await;
        match out {
            Ok(d) => Ok(Some(self.remote_secret(
                d.name(),
                d.arn(),
                d.last_changed_date().or(d.created_date()),
                d.tags(),
                d.version_ids_to_stages().map(|v| v.len()),
                d.deleted_date().is_some(),
            ))),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(self.fail(format!("describing {name}"), e).await),
        }
    }

    async fn versions(&self, name: &str) -> Result<Vec<RemoteVersion>> {
        let secret_tags = match self.describe(name).await? {
            Some(secret) => secret.tags,
            None => {
                return Err(Error::Remote {
                    manager: self.manager.clone(),
                    operation: format!("listing the versions of {name}"),
                    class: FailureClass::NotFound,
                    message: format!("no secret named {name:?}"),
                    retry_after_ms: None,
                });
            }
        };
        let mut versions = Vec::new();
        let mut next = None;
        loop {
            let out = self
                .client
                .list_secret_version_ids()
                .secret_id(name)
                .max_results(100)
                .set_next_token(next.clone())
                .send()
                .await;
            let out = match out {
                Ok(out) => out,
                Err(e) => {
                    return Err(self
                        .fail(format!("listing the versions of {name}"), e)
                        .await);
                }
            };
            for v in out.versions() {
                versions.push(RemoteVersion {
                    id: v.version_id().unwrap_or_default().to_owned(),
                    created_at: v.created_date().map(timestamp),
                    current: v.version_stages().iter().any(|s| s == CURRENT),
                    tags: secret_tags.clone(),
                });
            }
            next = more(next.as_deref(), out.next_token());
            if next.is_none() {
                break;
            }
        }
        versions.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(b.current.cmp(&a.current))
        });
        Ok(versions)
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<RemoteValue>> {
        let mut wanted: Vec<String> = names.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut values = Vec::new();
        for chunk in wanted.chunks(BATCH) {
            let out = self
                .client
                .batch_get_secret_value()
                .set_secret_id_list(Some(chunk.to_vec()))
                .send()
                .await;
            let out = match out {
                Ok(out) => out,
                Err(e) => return Err(self.fail("reading secrets", e).await),
            };
            for failure in out.errors() {
                let code = failure.error_code().unwrap_or_default();
                // Absent (or deleted): missing from the result, as promised.
                if code == "ResourceNotFoundException" || code == "InvalidRequestException" {
                    continue;
                }
                let class = class_of_code(code, 0);
                return Err(Error::Remote {
                    manager: self.manager.clone(),
                    operation: format!("reading {}", failure.secret_id().unwrap_or_default()),
                    class,
                    message: format!("{code}: {}", failure.message().unwrap_or_default()),
                    retry_after_ms: None,
                });
            }
            for entry in out.secret_values() {
                let name = entry.name().unwrap_or_default().to_owned();
                let stale = !entry.version_stages().iter().any(|s| s == CURRENT);
                let (version, value, binary) = if stale {
                    // The batch answered another stage: ask for AWSCURRENT.
                    match self.get_current(&name).await? {
                        Some(found) => found,
                        None => continue,
                    }
                } else {
                    let (value, binary) = value_of(entry.secret_string(), entry.secret_binary());
                    (
                        entry.version_id().unwrap_or_default().to_owned(),
                        value,
                        binary,
                    )
                };
                values.push(RemoteValue {
                    name,
                    version,
                    value,
                    binary,
                    expires_at: None,
                    tags: Tags::new(),
                });
            }
        }
        if !values.is_empty() {
            let found: Vec<String> = values.iter().map(|v| v.name.clone()).collect();
            let mut tags = self.tags_of(&found).await?;
            for value in &mut values {
                value.tags = tags.remove(&value.name).unwrap_or_default();
            }
        }
        Ok(values)
    }

    async fn put(&self, request: WriteRequest<'_>) -> Result<WriteOutcome> {
        let operation = format!("writing {}", request.name);
        if let Err(violation) = limits::check(ManagerKind::Aws, request.name, request.value.len()) {
            return Err(self.rejected(operation, violation.to_string()));
        }
        let token = request_token(request.idempotency_token)
            .map_err(|message| self.rejected(operation.clone(), message))?;
        let aws_tags: Vec<Tag> = request
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        let described = self
            .client
            .describe_secret()
            .secret_id(request.name)
            .send()
            .await;
        let described = match described {
            Ok(d) => Some(d),
            Err(e) if is_absent(&e) => None,
            Err(e) => return Err(self.fail(operation, e).await),
        };
        let Some(described) = described else {
            let mut create = self
                .client
                .create_secret()
                .name(request.name)
                .client_request_token(&token)
                .set_tags((!aws_tags.is_empty()).then_some(aws_tags));
            create = if request.binary {
                create.secret_binary(Blob::new(request.value))
            } else {
                create.secret_string(text(request.value, &operation, self)?)
            };
            return match create.send().await {
                Ok(out) => Ok(WriteOutcome {
                    remote_id: out.arn().unwrap_or_default().to_owned(),
                    version: out.version_id().unwrap_or(&token).to_owned(),
                    already_written: false,
                }),
                Err(e) => Err(self.fail(operation, e).await),
            };
        };
        let arn = described.arn().unwrap_or_default().to_owned();
        if described.deleted_date().is_some()
            && let Err(e) = self
                .client
                .restore_secret()
                .secret_id(request.name)
                .send()
                .await
        {
            return Err(self.fail(format!("restoring {}", request.name), e).await);
        }
        let already_written = described
            .version_ids_to_stages()
            .is_some_and(|versions| versions.contains_key(&token));
        if !already_written {
            let mut put = self
                .client
                .put_secret_value()
                .secret_id(request.name)
                .client_request_token(&token);
            put = if request.binary {
                put.secret_binary(Blob::new(request.value))
            } else {
                put.secret_string(text(request.value, &operation, self)?)
            };
            if let Err(e) = put.send().await {
                return Err(self.fail(operation, e).await);
            }
        }
        if !aws_tags.is_empty()
            && let Err(e) = self
                .client
                .tag_resource()
                .secret_id(request.name)
                .set_tags(Some(aws_tags))
                .send()
                .await
        {
            return Err(self.fail(format!("tagging {}", request.name), e).await);
        }
        Ok(WriteOutcome {
            remote_id: arn,
            version: token,
            already_written,
        })
    }

    async fn delete(&self, name: &str) -> Result<()> {
        let out = self
            .client
            .delete_secret()
            .secret_id(name)
            .recovery_window_in_days(RECOVERY_DAYS)
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) => Err(self.fail(format!("deleting {name}"), e).await),
        }
    }
}

/// The next page's token: none when the service sends none, an empty one
/// (moto) or the same one again.
fn more(previous: Option<&str>, next: Option<&str>) -> Option<String> {
    next.filter(|t| !t.is_empty() && Some(*t) != previous)
        .map(str::to_owned)
}

/// AWS wants a `ClientRequestToken` of 32 to 64 characters: shorter tokens
/// (a local version id) are padded with leading zeros, so the same token
/// always maps to the same request.
fn request_token(token: &str) -> std::result::Result<String, String> {
    if token.is_empty() || token.len() > 64 || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err("the idempotency token must be 1 to 64 printable ASCII characters".into());
    }
    Ok(format!("{token:0>32}"))
}

fn text(value: &[u8], operation: &str, vault: &AwsKeyVault) -> Result<String> {
    String::from_utf8(value.to_vec()).map_err(|_| {
        vault.rejected(
            operation.to_owned(),
            "the value is not UTF-8 text: store it as binary".into(),
        )
    })
}

fn value_of(string: Option<&str>, binary: Option<&Blob>) -> (Zeroizing<Vec<u8>>, bool) {
    match (string, binary) {
        (Some(s), _) => (Zeroizing::new(s.as_bytes().to_vec()), false),
        (None, Some(b)) => (Zeroizing::new(b.as_ref().to_vec()), true),
        (None, None) => (Zeroizing::new(Vec::new()), false),
    }
}

fn tag_map(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn timestamp(at: &DateTime) -> Timestamp {
    Timestamp::from_unix(at.secs())
}

fn is_absent<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    err.as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|c| c == "ResourceNotFoundException")
}

async fn resolves(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    tokio::net::lookup_host((host, 443))
        .await
        .is_ok_and(|mut addrs| addrs.next().is_some())
}

/// The class, a message without values, and the server's `Retry-After`.
fn classify<E>(err: &SdkError<E, HttpResponse>) -> (FailureClass, String, Option<u64>)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let Some(cause) = transport::credentials_cause(err) {
        return (FailureClass::Unauthorized, cause, None);
    }
    match err {
        SdkError::ServiceError(service) => {
            let raw = service.raw();
            let status = raw.status().as_u16();
            let xml_code = xml_error_code(raw.body().bytes());
            let code = service
                .err()
                .code()
                .or(xml_code.as_deref())
                .unwrap_or_default();
            let class = class_of_code(code, status);
            let retry_after = crate::retry_after::from_headers(raw.headers());
            let message = match service.err().message() {
                Some(m) if !code.is_empty() => format!("{code}: {m}"),
                Some(m) => format!("HTTP {status}: {m}"),
                None if !code.is_empty() => code.to_owned(),
                None => format!("HTTP {status}"),
            };
            (class, message, retry_after.map(duration_ms))
        }
        SdkError::ResponseError(response) => {
            let raw = response.raw();
            let status = raw.status().as_u16();
            let class = class_of_code("", status);
            let retry_after = crate::retry_after::from_headers(raw.headers());
            (
                class,
                format!("HTTP {status}: the response could not be read"),
                retry_after.map(duration_ms),
            )
        }
        SdkError::TimeoutError(_) => (FailureClass::Timeout, "no answer in time".to_owned(), None),
        SdkError::DispatchFailure(dispatch) => {
            if dispatch.is_timeout() {
                return (FailureClass::Timeout, "no answer in time".to_owned(), None);
            }
            transport::classify_transport(err)
        }
        _ => (FailureClass::Service, transport::describe_chain(err), None),
    }
}

/// The `<Code>` of an XML error document: what an endpoint in front of the
/// service (or moto's credential check) answers even to a JSON request.
fn xml_error_code(body: Option<&[u8]>) -> Option<String> {
    let text = std::str::from_utf8(body?).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = start + text[start..].find("</Code>")?;
    let code = text[start..end].trim();
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .then(|| code.to_owned())
}

/// The class of an AWS error code (or, without one, the HTTP status).
fn class_of_code(code: &str, status: u16) -> FailureClass {
    match code {
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "InvalidClientTokenId"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "ExpiredTokenException"
        | "ExpiredToken"
        | "AuthFailure" => FailureClass::Unauthorized,
        "AccessDeniedException" | "AccessDenied" | "DecryptionFailure" => FailureClass::Forbidden,
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => FailureClass::Throttled,
        "ResourceNotFoundException" => FailureClass::NotFound,
        "ResourceExistsException" => FailureClass::Conflict,
        "InvalidParameterException"
        | "InvalidRequestException"
        | "LimitExceededException"
        | "MalformedPolicyDocumentException"
        | "ValidationException" => FailureClass::Rejected,
        _ => match status {
            401 => FailureClass::Unauthorized,
            403 => FailureClass::Forbidden,
            404 => FailureClass::NotFound,
            408 | 504 => FailureClass::Timeout,
            429 => FailureClass::Throttled,
            _ => FailureClass::Service,
        },
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_are_padded_the_same_way_every_time() {
        assert_eq!(
            request_token("42").as_deref(),
            Ok("00000000000000000000000000000042")
        );
        let long = "a".repeat(40);
        assert_eq!(request_token(&long).as_deref(), Ok(long.as_str()));
        assert!(request_token("").is_err());
        assert!(request_token(&"a".repeat(65)).is_err());
        assert!(request_token("with space").is_err());
    }

    #[test]
    fn xml_error_documents_give_their_code() {
        let body = b"<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>m</Message></Error></ErrorResponse>";
        assert_eq!(
            xml_error_code(Some(body)).as_deref(),
            Some("InvalidClientTokenId")
        );
        assert_eq!(xml_error_code(Some(b"{}")), None);
        assert_eq!(xml_error_code(Some(b"<Code><script></Code>")), None);
        assert_eq!(xml_error_code(None), None);
    }

    #[test]
    fn codes_map_to_classes() {
        for (code, status, class) in [
            (
                "UnrecognizedClientException",
                400,
                FailureClass::Unauthorized,
            ),
            ("InvalidSignatureException", 400, FailureClass::Unauthorized),
            ("ExpiredTokenException", 400, FailureClass::Unauthorized),
            ("AccessDeniedException", 400, FailureClass::Forbidden),
            ("ThrottlingException", 400, FailureClass::Throttled),
            ("", 429, FailureClass::Throttled),
            ("ResourceNotFoundException", 400, FailureClass::NotFound),
            ("InternalServiceError", 500, FailureClass::Service),
            ("", 403, FailureClass::Forbidden),
        ] {
            assert_eq!(class_of_code(code, status), class, "{code} {status}");
        }
    }
}
