//! Rules of a connection's settings that need no vault: names, regions,
//! endpoints, URIs and bounds. Each failure names its field.

use super::{AwsAuth, AwsSettings, AzureSettings, ManagerSettings, ManagerSpec};
use crate::error::{Error, Result};
use crate::secret::validate;

/// Longest cache lifetime: a week.
pub const MAX_CACHE_TTL_SECS: u32 = 7 * 24 * 3600;
/// Longest stale-if-error window: a day.
pub const MAX_STALE_IF_ERROR_SECS: u32 = 24 * 3600;
/// Highest client-side write rate (AWS shares 50 writes/s per account).
pub const MAX_WRITES_PER_SEC: u32 = 50;

/// Checks everything about `spec` that does not depend on the vault.
pub fn spec(spec: &ManagerSpec) -> Result<()> {
    validate::name("name", &spec.name)?;
    validate::name("org", &spec.org)?;
    match &spec.settings {
        ManagerSettings::Aws(aws) => self::aws(aws)?,
        ManagerSettings::Azure(azure) => self::azure(azure)?,
    }
    if spec.cache_ttl_secs > MAX_CACHE_TTL_SECS {
        return Err(Error::invalid(
            "cache_ttl_secs",
            format!("must be at most {MAX_CACHE_TTL_SECS} seconds (a week)"),
        ));
    }
    if spec.stale_if_error_secs > MAX_STALE_IF_ERROR_SECS {
        return Err(Error::invalid(
            "stale_if_error_secs",
            format!("must be at most {MAX_STALE_IF_ERROR_SECS} seconds (a day)"),
        ));
    }
    if !(1..=MAX_WRITES_PER_SEC).contains(&spec.writes_per_sec) {
        return Err(Error::invalid(
            "writes_per_sec",
            format!("must be between 1 and {MAX_WRITES_PER_SEC}"),
        ));
    }
    Ok(())
}

fn aws(settings: &AwsSettings) -> Result<()> {
    region(&settings.region)?;
    if let Some(endpoint) = &settings.endpoint {
        url("endpoint", endpoint, true)?;
    }
    match &settings.auth {
        AwsAuth::Implicit {
            profile: Some(profile),
        } => {
            let bad = profile.is_empty()
                || profile.len() > 128
                || profile
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '[' | ']'));
            if bad {
                return Err(Error::invalid(
                    "profile",
                    "must be a profile name of ~/.aws/config (1-128 characters, no spaces or brackets)",
                ));
            }
        }
        AwsAuth::Implicit { profile: None } => {}
        AwsAuth::AccessKey { secret } => validate::name("credential_secret", secret)?,
    }
    Ok(())
}

fn azure(settings: &AzureSettings) -> Result<()> {
    url("vault_uri", &settings.vault_uri, false)?;
    let tenant = &settings.tenant;
    if tenant.is_empty() {
        return Err(Error::invalid(
            "tenant",
            "must not be empty (the directory's id or domain)",
        ));
    }
    if tenant.len() > 128
        || !tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
    {
        return Err(Error::invalid(
            "tenant",
            "must be a directory id or domain (letters, digits, '.', '-')",
        ));
    }
    if let Some(host) = &settings.authority_host {
        url("authority_host", host, false)?;
    }
    if let super::AzureAuth::ClientSecret { secret } = &settings.auth {
        validate::name("credential_secret", secret)?;
    }
    Ok(())
}

/// An AWS region: `eu-west-1`, `us-gov-west-1`, `cn-northwest-1`.
fn region(region: &str) -> Result<()> {
    let parts: Vec<&str> = region.split('-').collect();
    let fits = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|n| (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()));
    if fits {
        Ok(())
    } else {
        Err(Error::invalid(
            "region",
            format!("{region:?} is not an AWS region (like eu-west-1)"),
        ))
    }
}

/// An https URL; plain http only to this machine (a test server) when
/// `loopback_http` allows it. No user name or password inside.
fn url(field: &str, text: &str, loopback_http: bool) -> Result<()> {
    let parsed = url::Url::parse(text)
        .map_err(|e| Error::invalid(field, format!("{text:?} is not a URL: {e}")))?;
    let Some(host) = parsed.host_str() else {
        return Err(Error::invalid(field, "must name a host"));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not contain a user name or password (credentials come from a Coffer secret)",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid(field, "must not have a query or fragment"));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback_http && matches!(host, "127.0.0.1" | "localhost" | "[::1]") => Ok(()),
        "http" if loopback_http => Err(Error::invalid(
            field,
            "must use https (plain http only to 127.0.0.1, localhost or [::1])",
        )),
        _ => Err(Error::invalid(field, "must use https")),
    }
}
