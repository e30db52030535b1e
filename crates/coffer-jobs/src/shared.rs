//! Shared secrets in placeholders: `${secret:ORG:NAME[#FIELD]}` where ORG
//! is a shared organization of this desktop's team vault (and no key-vault
//! connection has that name; a connection wins). Checked first from the
//! replica's metadata (status, expiry, write-only, fields; nothing is
//! decrypted while any placeholder fails), then each secret is used once
//! through the server: a signed `secret.use` entry in the server's audit by
//! this member, with `job ORG:NAME run N` sealed as its note. "Used by" for
//! a shared secret lists this desktop's jobs that name it
//! ([`jobs_using_shared`]).

use std::collections::BTreeMap;

use coffer_core::job::Job;
use coffer_core::secret::{SecretData, SecretType};
use coffer_core::{ErrorCode, ExpiredPolicy, Vault};
use coffer_team::SharedSecret;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::resolve::{Located, Needs, SecretSource, ValueKey, fields_of, placeholder_error};

/// What the shared placeholders of a run resolved to.
#[derive(Default)]
pub(crate) struct SharedValues {
    /// Values by placeholder.
    pub values: Vec<(ValueKey, Zeroizing<Vec<u8>>)>,
    /// Every secret field of the secrets used: redacted from output.
    pub redact: Vec<Zeroizing<Vec<u8>>>,
}

/// A shared secret as the replica holds it, judged at the vault's clock.
#[derive(Debug, Clone)]
pub struct SharedMeta {
    /// Its metadata.
    pub secret: SharedSecret,
    /// Whether its expiry has passed.
    pub expired: bool,
}

/// The replica's record of a shared secret (no server).
pub(crate) fn replica_meta(
    vault: &Vault,
    org: &str,
    name: &str,
) -> coffer_core::Result<Option<SharedMeta>> {
    let now = vault.now();
    coffer_team::replica_secret(vault, org, name)
        .map(|found| {
            found.map(|secret| SharedMeta {
                expired: secret.expires_at.is_some_and(|at| at <= now),
                secret,
            })
        })
        .map_err(|e| match e {
            coffer_team::Error::Vault(e) => e,
            other => coffer_core::Error::Internal(other.to_string()),
        })
}

/// Uses a shared secret through the server, recording `purpose` (from the
/// replica, queued for the audit, when the server is unreachable and the
/// organization allows offline use).
pub(crate) fn use_shared(
    vault: &mut Vault,
    org: &str,
    name: &str,
    purpose: &str,
) -> Result<SecretData> {
    let now = vault.now();
    Ok(coffer_team::use_shared(vault, org, name, purpose, now)?.1)
}

/// Checks a shared placeholder from the replica's metadata.
pub(crate) fn check(
    located: &Located,
    shared: &SharedMeta,
    policy: ExpiredPolicy,
    allow_write_only_to_disk: bool,
) -> Result<()> {
    let p = &located.placeholder;
    let secret = &shared.secret;
    let what = format!("shared secret {}:{}", secret.org, secret.name);
    let refuse = |why: String| Err(placeholder_error(located, ErrorCode::Refused, why));
    match secret.status.as_str() {
        "trashed" => return refuse(format!("{what} is in the trash")),
        "deactivated" => return refuse(format!("{what} is deactivated")),
        _ => {}
    }
    if shared.expired && policy == ExpiredPolicy::Block {
        let at = secret
            .expires_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        return refuse(format!(
            "{what} expired on {at} (expired secrets are blocked)"
        ));
    }
    if secret.write_only && located.to_disk && !allow_write_only_to_disk {
        return Err(placeholder_error(
            located,
            ErrorCode::WriteOnly,
            format!(
                "{what} is write-only and this job writes it to disk (allow it with \
                 allow_write_only_to_disk)"
            ),
        ));
    }
    let kind = SecretType::parse(&secret.kind).map_err(Error::Core)?;
    let fields = fields_of(kind, &secret.public_fields);
    match &p.field {
        Some(field) if !fields.iter().any(|f| f == field) => Err(placeholder_error(
            located,
            ErrorCode::NotFound,
            format!(
                "{what} has no field {field:?} (fields: {})",
                fields.join(", ")
            ),
        )),
        None if kind.main_field().is_none() && fields.len() != 1 => Err(placeholder_error(
            located,
            ErrorCode::NotFound,
            format!(
                "{what} has several keys and no main value; name one with #KEY ({})",
                fields.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

/// Uses every shared secret the placeholders of `needs` name, once each,
/// and picks the values they ask for.
pub(crate) fn resolve_shared(source: &mut dyn SecretSource, needs: &Needs) -> Result<SharedValues> {
    let mut wanted: BTreeMap<(String, String), Vec<&Located>> = BTreeMap::new();
    for located in &needs.placeholders {
        let p = &located.placeholder;
        let Some(org) = p.manager.as_deref() else {
            continue;
        };
        if source.manager(org)?.is_some() || source.shared_meta(org, &p.name)?.is_none() {
            continue;
        }
        wanted
            .entry((org.to_owned(), p.name.clone()))
            .or_default()
            .push(located);
    }
    let mut out = SharedValues::default();
    for ((org, name), placeholders) in wanted {
        let data = source.use_shared(&org, &name)?;
        for field in data.fields() {
            if field.secret {
                out.redact.push(Zeroizing::new(field.value.to_vec()));
            }
        }
        for located in placeholders {
            let p = &located.placeholder;
            let field = match &p.field {
                Some(f) => data.field(f),
                None => data.main_value(),
            }
            .ok_or_else(|| {
                placeholder_error(
                    located,
                    ErrorCode::NotFound,
                    format!("shared secret {org}:{name} has no such value"),
                )
            })?;
            out.values.push((
                (p.manager.clone(), p.name.clone(), p.field.clone()),
                Zeroizing::new(field.value.into_owned()),
            ));
        }
    }
    Ok(out)
}

/// This desktop's jobs whose placeholders name shared secret `name` of
/// organization `org` (`${secret:ORG:NAME...}`): "used by" for a shared
/// secret, per desktop.
pub fn jobs_using_shared(vault: &Vault, org: &str, name: &str) -> Result<Vec<Job>> {
    Ok(vault
        .jobs(None)?
        .into_iter()
        .filter(|job| {
            job.bindings.iter().any(|b| {
                b.manager
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(org.trim()))
                    && b.secret == name
            })
        })
        .collect())
}
