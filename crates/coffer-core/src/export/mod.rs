//! Coffer's own export format: documented JSON (`coffer-export`, version 1;
//! version 2 with jobs) inside an `age` file encrypted to a passphrase. [`Vault::export`] writes
//! it; [`open`] reads it back as an import source.
//!
//! [`Vault::export`]: crate::Vault::export

pub(crate) mod format;
pub(crate) mod jobs;

use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::clock::Timestamp;
use crate::crypto;
use crate::error::{Error, Result};
use crate::secret::{Lifecycle, NewProtection, NewSecret, SecretData};

pub use format::{FORMAT, VERSION, VERSION_WITHOUT_JOBS};

/// How the file is named in messages.
const WHAT: &str = "the export file";

/// Largest export accepted (bytes of the file): 1 GiB.
pub const MAX_EXPORT_BYTES: usize = 1 << 30;

/// Whether `bytes` look like an `age` file (the encrypted export) rather
/// than plain JSON (a plaintext export).
pub fn is_encrypted(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/")
}

/// Decrypts (when encrypted) and parses an export. A plaintext export needs
/// no passphrase; an encrypted one does.
pub(crate) fn read_document(
    bytes: &[u8],
    passphrase: Option<&SecretString>,
) -> Result<format::Document> {
    let unreadable = |reason: String| Error::Unreadable {
        what: WHAT.to_owned(),
        reason,
    };
    if bytes.len() > MAX_EXPORT_BYTES {
        return Err(unreadable(format!(
            "it is larger than {} MiB",
            MAX_EXPORT_BYTES >> 20
        )));
    }
    let json: Zeroizing<Vec<u8>> = if is_encrypted(bytes) {
        let passphrase = passphrase.ok_or_else(|| {
            Error::invalid(
                "passphrase",
                "the export file is encrypted; give its passphrase",
            )
        })?;
        crypto::open_with_passphrase(bytes, passphrase, WHAT)?
    } else {
        Zeroizing::new(bytes.to_vec())
    };
    #[derive(serde::Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u32>,
    }
    let head: Head = serde_json::from_slice(&json).map_err(|e| {
        // serde_json's messages name a position and what was expected, never
        // the text around it.
        unreadable(format!("it is not a Coffer export: {e}"))
    })?;
    if head.format.as_deref() != Some(format::FORMAT) {
        return Err(unreadable(
            "it is not a Coffer export (no \"format\": \"coffer-export\")".into(),
        ));
    }
    match head.version {
        Some(format::VERSION_WITHOUT_JOBS..=format::VERSION) => {}
        Some(other) => {
            return Err(unreadable(format!(
                "it is format version {other}; this Coffer reads versions {} to {}",
                format::VERSION_WITHOUT_JOBS,
                format::VERSION
            )));
        }
        None => return Err(unreadable("it has no format version".into())),
    }
    let document: format::Document =
        serde_json::from_slice(&json).map_err(|e| unreadable(format!("malformed export: {e}")))?;
    if document.version == format::VERSION_WITHOUT_JOBS && document.jobs.is_some() {
        return Err(unreadable(
            "it is format version 1, which has no jobs, yet it holds some".into(),
        ));
    }
    Ok(document)
}

/// Why a secret was exported without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithheldValue {
    /// A write-only secret: its value is never exported.
    WriteOnly,
    /// A store-password secret: its value stays behind its own password.
    StorePassword,
}

/// One secret read back from an export.
#[derive(Debug)]
pub struct ExportedSecret {
    /// Its metadata and current value (for a withheld value: a stand-in with
    /// the public fields and empty secret fields, never to be stored).
    pub secret: NewSecret,
    /// Its earlier values, oldest first.
    pub older_versions: Vec<SecretData>,
    /// Set when the export carries no value.
    pub withheld: Option<WithheldValue>,
    /// Active or deactivated when exported.
    pub status: Lifecycle,
}

/// The contents of an export.
#[derive(Debug)]
pub struct ExportContents {
    /// When it was made.
    pub exported_at: Timestamp,
    /// The exporting vault's id.
    pub vault_id: String,
    /// What was exported: `all`, `organization:NAME` or `selected`.
    pub scope: String,
    /// The secrets, in the file's order.
    pub secrets: Vec<ExportedSecret>,
    /// The jobs (format version 2), in the file's order, each checked as a
    /// new job is; their schedules switched off.
    pub jobs: Vec<crate::job::NewJob>,
}

/// Reads an export (encrypted: the passphrase is needed; plaintext: it is
/// not). Every value is validated as an input would be; the first that
/// fails names its secret, version and field, never a value.
pub fn read(bytes: &[u8], passphrase: Option<&SecretString>) -> Result<ExportContents> {
    let document = read_document(bytes, passphrase)?;
    let mut secrets = Vec::with_capacity(document.secrets.len());
    for (index, item) in document.secrets.iter().enumerate() {
        let at = |what: String| Error::Unreadable {
            what: WHAT.to_owned(),
            reason: format!(
                "secret {} ({}:{}): {what}",
                index + 1,
                item.organization,
                item.name
            ),
        };
        crate::secret::validate::name("name", &item.name).map_err(|e| at(e.to_string()))?;
        let Some(current) = item.versions.last() else {
            return Err(at("it has no version".into()));
        };
        let withheld = match item.value_withheld {
            Some(format::Withheld::WriteOnly) => Some(WithheldValue::WriteOnly),
            Some(format::Withheld::StorePassword) => Some(WithheldValue::StorePassword),
            None => None,
        };
        let mut older_versions = Vec::new();
        let data = if withheld.is_some() {
            format::placeholder(item.kind, &current.fields)
        } else {
            for version in &item.versions[..item.versions.len() - 1] {
                older_versions.push(
                    format::data_of(item.kind, &version.fields)
                        .map_err(|e| at(format!("version {}: {e}", version.version)))?,
                );
            }
            format::data_of(item.kind, &current.fields)
                .map_err(|e| at(format!("version {}: {e}", current.version)))?
        };
        let mut secret = NewSecret::new(item.name.clone(), data);
        secret.org = Some(item.organization.clone());
        secret.project.clone_from(&item.project);
        secret.description.clone_from(&item.description);
        secret.labels.clone_from(&item.labels);
        secret.expires_at = item.expires_at;
        secret.allow_past_expiry = true;
        secret.visibility = item.visibility;
        secret.write_only = item.write_only;
        secret.protection = NewProtection::Vault;
        secrets.push(ExportedSecret {
            secret,
            older_versions,
            withheld,
            status: item.status,
        });
    }
    let mut jobs = Vec::new();
    for (index, job) in document.jobs.iter().flatten().enumerate() {
        let new = job.to_new().map_err(|e| Error::Unreadable {
            what: WHAT.to_owned(),
            // Validation messages name the field, never a value of a secret.
            reason: format!(
                "job {} ({}:{}): {}",
                index + 1,
                job.organization,
                job.name,
                e
            ),
        })?;
        jobs.push(new);
    }
    Ok(ExportContents {
        exported_at: document.exported_at,
        vault_id: document.vault_id.clone(),
        scope: document.scope.clone(),
        secrets,
        jobs,
    })
}

/// Reads an export as an import source (format `coffer`): every secret
/// becomes an item with its history (`older_versions`); a write-only or
/// store-password secret becomes an item that `needs_value`. Preview,
/// conflicts and apply are the import path's. A plaintext export opens
/// whatever `passphrase` is.
pub fn open(bytes: &[u8], passphrase: &SecretString) -> Result<crate::import::ImportBatch> {
    let contents = read(bytes, Some(passphrase))?;
    let items = contents
        .secrets
        .into_iter()
        .map(|s| {
            let org = s.secret.org.clone().unwrap_or_default();
            let mut item =
                crate::import::ImportItem::new(format!("{org}:{}", s.secret.name), s.secret);
            item.older_versions = s.older_versions;
            item.needs_value = s.withheld.is_some();
            item.deactivated = s.status == Lifecycle::Deactivated;
            item
        })
        .collect();
    let jobs = contents
        .jobs
        .into_iter()
        .map(|job| crate::import::ImportJob {
            source: format!(
                "job {}:{}",
                job.org.as_deref().unwrap_or_default(),
                job.name
            ),
            job,
        })
        .collect();
    Ok(crate::import::ImportBatch {
        format: "coffer".to_owned(),
        items,
        jobs,
        ..Default::default()
    })
}
