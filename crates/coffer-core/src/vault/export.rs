//! Encrypted (and, behind an explicit choice, plaintext) export of secrets:
//! the whole vault, an organization or a selection, to one file in the
//! documented `coffer-export` JSON, encrypted to a passphrase with `age`.

use std::io::Write;
use std::path::Path;

use secrecy::SecretString;
use serde::Serialize;
use zeroize::Zeroizing;

use super::{Vault, target_of};
use crate::audit::Record;
use crate::crypto;
use crate::error::{Error, Result};
use crate::export::format::{self, Document, Field, Withheld};
use crate::secret::{Protection, SecretRef};
use crate::store::{Db, SecretRow};

/// Which secrets an export covers (live ones: the trash is never exported).
#[derive(Debug, Clone)]
pub enum ExportScope {
    /// Every live secret.
    All,
    /// The live secrets of one organization.
    Organization(String),
    /// These secrets.
    Secrets(Vec<SecretRef>),
}

/// How the export file is protected.
#[derive(Debug)]
pub enum ExportEncryption {
    /// An `age` file encrypted to this passphrase (scrypt); at least 8 characters.
    Passphrase(SecretString),
    /// Plain JSON. Only behind an explicit flag with a warning (CLI) or a
    /// second confirmation (app).
    Plaintext,
}

/// What to export.
#[derive(Debug)]
pub struct ExportOptions {
    /// Which secrets.
    pub scope: ExportScope,
    /// Every kept version (oldest first), or the current one only.
    pub all_versions: bool,
    /// Encrypted or plaintext.
    pub encryption: ExportEncryption,
    /// Also the jobs of the organizations in scope (format version 2): of
    /// every organization, of the one exported, or of those the selected
    /// secrets belong to.
    pub jobs: bool,
}

/// What an export wrote.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Secrets in the file.
    pub secrets: u32,
    /// Versions with their values.
    pub versions: u32,
    /// Secrets exported without a value (write-only or store-password).
    pub withheld: u32,
    /// Jobs in the file (none unless asked for).
    pub jobs: u32,
    /// Whether the file is encrypted.
    pub encrypted: bool,
}

/// What an export would hold, shown before anything is asked or written
/// (clear metadata only: nothing is decrypted).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportPreview {
    /// Secrets in scope.
    pub secrets: u32,
    /// Versions whose values would be exported.
    pub versions: u32,
    /// The secrets exported as metadata only (`org:name`), write-only or
    /// store-password ones, in name order.
    pub metadata_only: Vec<String>,
    /// The jobs of the organizations in scope (what "include jobs" adds).
    pub jobs: u32,
}

/// An export's bytes and summary.
pub struct Exported {
    /// The file's content: an age file, or plain JSON.
    pub bytes: Zeroizing<Vec<u8>>,
    /// What it holds.
    pub summary: ExportSummary,
}

impl std::fmt::Debug for Exported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exported")
            .field("bytes", &self.bytes.len())
            .field("summary", &self.summary)
            .finish()
    }
}

impl Vault {
    /// Exports secrets. The recovery passphrase is asked first (exporting
    /// takes every value out of the vault); the export is audited as one
    /// `vault.export` entry plus one `secret.export` per secret. Write-only
    /// values and store-password values are never exported: their metadata
    /// is, marked `value_withheld`.
    pub fn export(&mut self, recovery: &SecretString, options: &ExportOptions) -> Result<Exported> {
        self.keys()?;
        if let ExportEncryption::Passphrase(passphrase) = &options.encryption {
            super::keys::check_passphrase(passphrase).map_err(|_| {
                Error::invalid(
                    "export passphrase",
                    format!(
                        "must be at least {} characters",
                        super::keys::MIN_PASSPHRASE_CHARS
                    ),
                )
            })?;
        }
        self.open_recovery(recovery)?;
        let rows = self.export_rows(&options.scope)?;
        let master = Zeroizing::new(*self.keys()?.master.bytes());
        let jobs = if options.jobs {
            Some(self.export_jobs(&options.scope, &rows)?)
        } else {
            None
        };
        let mut summary = ExportSummary {
            secrets: 0,
            versions: 0,
            withheld: 0,
            jobs: jobs.as_ref().map_or(0, |j| count(j.len())),
            encrypted: matches!(options.encryption, ExportEncryption::Passphrase(_)),
        };
        let mut secrets = Vec::with_capacity(rows.len());
        let mut per_secret = Vec::with_capacity(rows.len());
        for row in &rows {
            self.check_secret(row)?;
            let withheld = if row.write_only {
                Some(Withheld::WriteOnly)
            } else if row.protection == Protection::Password {
                Some(Withheld::StorePassword)
            } else {
                None
            };
            let mut stored = self.store.read().versions(row.rowid)?;
            stored.reverse();
            if !options.all_versions {
                stored.retain(|v| v.version == row.current_version);
            }
            let mut versions = Vec::with_capacity(stored.len());
            for v in &stored {
                let fields = if withheld.is_some() {
                    public_fields_of(&v.public_fields)
                } else {
                    let data = super::seal::open(&self.vault_id, row, v, &master)?;
                    summary.versions += 1;
                    Field::all_of(&data)
                };
                versions.push(format::Version {
                    version: v.version,
                    created_at: v.created_at,
                    expires_at: v.expires_at,
                    note: v.note.clone(),
                    fields,
                });
            }
            summary.secrets += 1;
            summary.withheld += u32::from(withheld.is_some());
            per_secret.push((row.id, target_of(row), versions.len(), withheld));
            secrets.push(format::Secret {
                name: row.name.clone(),
                organization: row.org.clone(),
                project: row.project.clone(),
                description: row.description.clone(),
                labels: row.labels()?,
                expires_at: row.expires_at,
                kind: row.kind,
                status: row.lifecycle,
                visibility: row.visibility,
                write_only: row.write_only,
                protection: row.protection,
                created_at: row.created_at,
                updated_at: row.updated_at,
                value_withheld: withheld,
                versions,
            });
        }
        let job_targets: Vec<(crate::job::JobId, String)> = jobs
            .iter()
            .flatten()
            .map(|j| (j.id, format!("job {}:{}", j.org, j.name)))
            .collect();
        let document = Document {
            format: format::FORMAT.to_owned(),
            version: if jobs.is_some() {
                format::VERSION
            } else {
                format::VERSION_WITHOUT_JOBS
            },
            exported_at: self.now(),
            vault_id: self.id(),
            scope: match &options.scope {
                ExportScope::All => "all".to_owned(),
                ExportScope::Organization(org) => format!("organization:{org}"),
                ExportScope::Secrets(_) => "selected".to_owned(),
            },
            all_versions: options.all_versions,
            secrets,
            jobs: jobs.map(|jobs| jobs.iter().map(crate::export::jobs::Job::of).collect()),
        };
        let mut json = Zeroizing::new(Vec::new());
        serde_json::to_writer(&mut *json, &document)
            .map_err(|e| Error::Internal(format!("encoding the export: {e}")))?;
        drop(document);
        let bytes = match &options.encryption {
            ExportEncryption::Passphrase(passphrase) => {
                Zeroizing::new(crypto::seal_with_passphrase(&json, passphrase)?)
            }
            ExportEncryption::Plaintext => json,
        };
        let scope = match &options.scope {
            ExportScope::All => "all".to_owned(),
            ExportScope::Organization(org) => format!("organization:{org}"),
            ExportScope::Secrets(list) => format!("selected ({})", list.len()),
        };
        let detail = serde_json::json!({
            "scope": scope,
            "secrets": summary.secrets,
            "versions": summary.versions,
            "withheld": summary.withheld,
            "jobs": options.jobs.then_some(summary.jobs),
            "all_versions": options.all_versions,
            "encrypted": summary.encrypted,
        });
        self.write(|tx, ctx| {
            ctx.audit(
                tx,
                Record {
                    action: "vault.export",
                    secret_id: None,
                    target: "vault",
                    detail,
                },
            )?;
            for (id, target, versions, withheld) in &per_secret {
                let detail = serde_json::json!({
                    "via": "vault.export",
                    "versions": versions,
                    "withheld": withheld,
                    "encrypted": summary.encrypted,
                });
                ctx.audit_secret(tx, "secret.export", id, target, detail)?;
            }
            for (id, target) in &job_targets {
                ctx.audit(
                    tx,
                    Record {
                        action: "job.export",
                        secret_id: None,
                        target,
                        detail: serde_json::json!({
                            "via": "vault.export",
                            "job_id": id,
                            "encrypted": summary.encrypted,
                        }),
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(Exported { bytes, summary })
    }

    /// What [`Vault::export`] of `scope` would hold; a named secret that is
    /// missing or in the trash fails as the export would.
    pub fn export_preview(&self, scope: &ExportScope, all_versions: bool) -> Result<ExportPreview> {
        let rows = self.export_rows(scope)?;
        let mut preview = ExportPreview {
            secrets: 0,
            versions: 0,
            metadata_only: Vec::new(),
            jobs: count(self.export_jobs(scope, &rows)?.len()),
        };
        for row in &rows {
            preview.secrets += 1;
            if row.write_only || row.protection == Protection::Password {
                preview.metadata_only.push(target_of(row));
            } else if all_versions {
                let count = self.store.read().versions(row.rowid)?.len();
                preview.versions += u32::try_from(count).unwrap_or(u32::MAX);
            } else {
                preview.versions += 1;
            }
        }
        Ok(preview)
    }

    /// Checks the recovery passphrase (what an export or a restore asks
    /// first, before any dialog or file); [`Error::WrongPassphrase`] when it
    /// is not this vault's.
    pub fn check_recovery(&self, recovery: &SecretString) -> Result<()> {
        self.open_recovery(recovery).map(|_| ())
    }

    /// [`Vault::export`] into a new file (owner-only, written beside and
    /// renamed into place, so a failed export leaves nothing half-written).
    pub fn export_to_file(
        &mut self,
        recovery: &SecretString,
        options: &ExportOptions,
        path: &Path,
        overwrite: bool,
    ) -> Result<ExportSummary> {
        if !overwrite && std::fs::symlink_metadata(path).is_ok() {
            return Err(Error::invalid(
                "file",
                format!("{} already exists", path.display()),
            ));
        }
        let exported = self.export(recovery, options)?;
        write_beside(path, &exported.bytes)?;
        Ok(exported.summary)
    }

    /// The jobs of the organizations a scope covers (for named secrets:
    /// their organizations), by organization and name, integrity checked.
    fn export_jobs(&self, scope: &ExportScope, rows: &[SecretRow]) -> Result<Vec<crate::job::Job>> {
        let checked = |jobs: Vec<crate::job::Job>| -> Result<Vec<crate::job::Job>> {
            // Each one through `job`, which checks its integrity tag.
            jobs.iter()
                .map(|j| self.job(&crate::job::JobRef::Id(j.id)))
                .collect()
        };
        let orgs: Vec<&str> = match scope {
            ExportScope::All => return checked(self.jobs(None)?),
            ExportScope::Organization(org) => vec![org.as_str()],
            ExportScope::Secrets(_) => {
                let mut orgs: Vec<&str> = rows.iter().map(|r| r.org.as_str()).collect();
                orgs.sort_unstable();
                orgs.dedup();
                orgs
            }
        };
        let mut jobs = Vec::new();
        for org in orgs {
            jobs.extend(self.jobs(Some(org))?);
        }
        checked(jobs)
    }

    /// The live rows a scope names, in name order; a named secret that is
    /// missing or in the trash fails the export.
    fn export_rows(&self, scope: &ExportScope) -> Result<Vec<SecretRow>> {
        let read = self.store.read();
        let mut rows: Vec<SecretRow> = match scope {
            ExportScope::All => read.all_secrets()?,
            ExportScope::Organization(org) => {
                let rows: Vec<SecretRow> = read
                    .all_secrets()?
                    .into_iter()
                    .filter(|r| &r.org == org)
                    .collect();
                if rows.is_empty() && !read.orgs()?.iter().any(|o| &o.name == org) {
                    return Err(Error::NotFound {
                        what: "organization",
                        name: org.clone(),
                    });
                }
                rows
            }
            ExportScope::Secrets(list) => {
                let mut rows = Vec::with_capacity(list.len());
                for secret in list {
                    let row = super::find_in(read, secret)?;
                    if row.deleted_at.is_some() {
                        return Err(Error::invalid(
                            "secrets",
                            format!("{} is in the trash", target_of(&row)),
                        ));
                    }
                    if !rows.iter().any(|r: &SecretRow| r.id == row.id) {
                        rows.push(row);
                    }
                }
                rows
            }
        };
        rows.retain(|r| r.deleted_at.is_none());
        rows.sort_by(|a, b| (&a.org, &a.name).cmp(&(&b.org, &b.name)));
        Ok(rows)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Writes `bytes` to `path` through a temporary file beside it (0600,
/// fsynced, renamed into place, the directory fsynced).
fn write_beside(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    let tmp = std::path::PathBuf::from(name);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut file = crate::store::create_private(&tmp)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, path)
            .map_err(|e| Error::io(format!("moving the export to {}", path.display()), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The public fields of a stored version (clear JSON), for a secret whose
/// value is withheld: what the listing already shows, nothing secret.
fn public_fields_of(stored: &str) -> Vec<Field> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(stored)
    else {
        return Vec::new();
    };
    let names = [
        "username",
        "header_name",
        "client_id",
        "token_url",
        "audience",
        "public_key",
        "content_type",
        "file_name",
    ];
    let mut fields: Vec<Field> = names
        .iter()
        .filter_map(|name| {
            map.get(*name)
                .and_then(serde_json::Value::as_str)
                .map(|text| Field {
                    name: (*name).to_owned(),
                    secret: false,
                    text: Some(text.to_owned()),
                    base64: None,
                })
        })
        .collect();
    if let Some(scopes) = map.get("scopes").and_then(serde_json::Value::as_array) {
        let joined: Vec<&str> = scopes
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        if !joined.is_empty() {
            fields.push(Field {
                name: "scopes".into(),
                secret: false,
                text: Some(joined.join(" ")),
                base64: None,
            });
        }
    }
    fields
}
