//! Reading: metadata, listings, versions, audit entries, and the two ways a
//! value leaves the vault: an audited reveal, and use by a job.

use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

use super::{ExpiredPolicy, Settings, Vault, find_in, target_of};
use crate::audit::{self, AuditEntry, AuditVerification};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::secret::{
    Lifecycle, SecretBytes, SecretData, SecretId, SecretMeta, SecretPage, SecretQuery, SecretRef,
    SecretStatus, VersionInfo,
};
use crate::store::{Db, OrgSummary, Reader, SecretRow};

/// What a revealed value is taken out for; each is its own audit action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Shown on screen or printed (`secret.reveal`).
    Shown,
    /// Copied to the clipboard (`secret.copy`).
    Copied,
    /// Saved to a file (`secret.export`).
    SavedToFile,
}

impl Disclosure {
    /// The audit action.
    pub fn action(self) -> &'static str {
        match self {
            Self::Shown => "secret.reveal",
            Self::Copied => "secret.copy",
            Self::SavedToFile => "secret.export",
        }
    }
}

/// Builds the listed form of a row.
pub(super) fn meta_of(
    read: Reader<'_>,
    row: &SecretRow,
    now: Timestamp,
    settings: &Settings,
) -> Result<SecretMeta> {
    let status = match (row.lifecycle, row.expires_at) {
        (Lifecycle::Deactivated, _) => SecretStatus::Deactivated,
        (Lifecycle::Active, Some(at)) if at <= now => SecretStatus::Expired,
        (Lifecycle::Active, _) => SecretStatus::Active,
    };
    Ok(SecretMeta {
        id: row.id,
        name: row.name.clone(),
        kind: row.kind,
        org: row.org.clone(),
        project: row.project.clone(),
        description: row.description.clone(),
        labels: row.labels()?,
        status,
        visibility: row.visibility,
        owner: row.owner.clone(),
        write_only: row.write_only,
        protection: row.protection,
        expires_at: row.expires_at,
        public_fields: row.public_fields()?,
        current_version: row.current_version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        purge_at: row
            .deleted_at
            .map(|at| at.plus_days(i64::from(settings.trash_retention_days))),
        last_used_at: row.last_used_at,
        used_by: read.usage_count(row.org_id, &row.name)? + read.credential_use_count(&row.id.0)?,
    })
}

/// One revealed field.
#[derive(Debug)]
pub struct RevealedField {
    /// The field's name.
    pub name: String,
    /// Whether it is a secret field.
    pub secret: bool,
    /// The value.
    pub value: SecretBytes,
}

/// A warning attached to a use that was allowed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsePolicyNote {
    /// The secret.
    pub name: String,
    /// What the user should know ("expired on 2026-01-01T00:00:00Z").
    pub message: String,
}

/// A secret handed to a job, with any warning.
#[derive(Debug)]
pub struct SecretUse {
    /// Its metadata.
    pub meta: SecretMeta,
    /// Its value.
    pub data: SecretData,
    /// A warning (expired under the "warn" policy).
    pub warning: Option<UsePolicyNote>,
}

impl Vault {
    /// A secret's metadata and public fields (live or in the trash).
    pub fn get(&self, secret: &SecretRef) -> Result<SecretMeta> {
        meta_of(
            self.store.read(),
            &self.find(secret)?,
            self.now(),
            &self.settings,
        )
    }

    /// A page of secrets matching `query`, with the total count.
    pub fn list(&self, query: &SecretQuery) -> Result<SecretPage> {
        let now = self.now();
        let (total, rows) = self.store.read().list_secrets(query, now)?;
        let items = rows
            .iter()
            .map(|row| meta_of(self.store.read(), row, now, &self.settings))
            .collect::<Result<Vec<_>>>()?;
        Ok(SecretPage { total, items })
    }

    /// The labels on live secrets with their counts.
    pub fn label_counts(&self) -> Result<Vec<crate::store::LabelCount>> {
        self.store.read().label_counts()
    }

    /// The ids of every secret `query` matches (its paging ignored), for
    /// actions on "all matching" secrets.
    pub fn matching_ids(&self, query: &SecretQuery) -> Result<Vec<SecretId>> {
        self.store.read().matching_ids(query, self.now())
    }

    /// The kept versions of a secret, newest first.
    pub fn versions(&self, secret: &SecretRef) -> Result<Vec<VersionInfo>> {
        let row = self.find(secret)?;
        self.store
            .read()
            .versions(row.rowid)?
            .into_iter()
            .map(|v| {
                Ok(VersionInfo {
                    version: v.version,
                    created_at: v.created_at,
                    public_fields: serde_json::from_str(&v.public_fields).map_err(|e| {
                        Error::Corrupt {
                            reason: format!("public fields of {:?}: {e}", row.name),
                        }
                    })?,
                    expires_at: v.expires_at,
                    note: v.note,
                    current: v.version == row.current_version,
                })
            })
            .collect()
    }

    /// Organizations with their projects and secret counts.
    pub fn organizations(&self) -> Result<Vec<OrgSummary>> {
        self.store.read().orgs()
    }

    /// Reveals the current value (one field, or all), audited. Write-only
    /// secrets refuse; store-password secrets need their password.
    pub fn reveal(
        &mut self,
        secret: &SecretRef,
        field: Option<&str>,
        password: Option<&SecretString>,
    ) -> Result<Vec<RevealedField>> {
        self.reveal_for(secret, field, password, Disclosure::Shown)
    }

    /// Like [`Vault::reveal`] (the same rules), audited as what the value
    /// is taken out for: shown, copied to the clipboard, or saved to a file.
    pub fn reveal_for(
        &mut self,
        secret: &SecretRef,
        field: Option<&str>,
        password: Option<&SecretString>,
        purpose: Disclosure,
    ) -> Result<Vec<RevealedField>> {
        let row = self.find(secret)?;
        if row.write_only {
            return Err(Error::WriteOnly { name: row.name });
        }
        let key = self.wrapping_key(&row, password)?;
        let data = self.open_version(&row, row.current_version, &key)?;
        let fields: Vec<RevealedField> = data
            .fields()
            .into_iter()
            .filter(|f| field.is_none_or(|wanted| f.name == wanted))
            .map(|f| RevealedField {
                name: f.name.into_owned(),
                secret: f.secret,
                value: SecretBytes::from(f.value.into_owned()),
            })
            .collect();
        if let (Some(wanted), true) = (field, fields.is_empty()) {
            let names: Vec<String> = data
                .fields()
                .into_iter()
                .map(|f| f.name.into_owned())
                .collect();
            return Err(Error::NotFound {
                what: "field",
                name: format!("{wanted} (fields of {}: {})", row.name, names.join(", ")),
            });
        }
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let detail = json!({ "version": row.current_version, "fields": names });
        self.write(|tx, ctx| {
            ctx.audit_secret(tx, purpose.action(), &row.id, &target_of(&row), detail)
        })?;
        Ok(fields)
    }

    /// Checks a store-password secret's password without decrypting its
    /// value: what a manual run does for every such secret before it starts,
    /// so that a missing or wrong password leaves no run behind. `Ok` for a
    /// secret without a store password. Not audited: nothing is read.
    pub fn check_store_password(
        &self,
        secret: &SecretRef,
        password: Option<&SecretString>,
    ) -> Result<()> {
        let row = self.find(secret)?;
        self.wrapping_key(&row, password).map(drop)
    }

    /// Hands a secret's value to a job: refused when deactivated, in the
    /// trash, restricted to another project, or expired under the "block"
    /// policy; records the use. Write-only secrets may be used.
    pub fn use_secret(
        &mut self,
        secret: &SecretRef,
        project: Option<&str>,
        purpose: &str,
        password: Option<&SecretString>,
    ) -> Result<SecretUse> {
        let row = self.find(secret)?;
        let refuse = |status: String| {
            Err(Error::Refused {
                name: row.name.clone(),
                status,
            })
        };
        if row.deleted_at.is_some() {
            return refuse("in the trash".into());
        }
        if row.lifecycle == Lifecycle::Deactivated {
            return refuse("deactivated".into());
        }
        if let Some(owner) = row
            .project
            .as_deref()
            .filter(|owner| project != Some(*owner))
        {
            return refuse(format!("restricted to project {owner:?}"));
        }
        let now = self.now();
        let warning = match row.expires_at {
            Some(at) if at <= now => match self.settings.expired_use {
                ExpiredPolicy::Block => return refuse(format!("expired (on {at})")),
                ExpiredPolicy::Warn => Some(UsePolicyNote {
                    name: row.name.clone(),
                    message: format!("secret {:?} expired on {at}", row.name),
                }),
            },
            _ => None,
        };
        let key = self.wrapping_key(&row, password)?;
        let data = self.open_version(&row, row.current_version, &key)?;
        let detail = json!({ "version": row.current_version, "purpose": purpose });
        self.write(|tx, ctx| {
            tx.set_last_used(row.rowid, ctx.now)?;
            ctx.audit_secret(tx, "secret.use", &row.id, &target_of(&row), detail)
        })?;
        let row = find_in(self.store.read(), secret)?;
        Ok(SecretUse {
            meta: meta_of(self.store.read(), &row, now, &self.settings)?,
            data,
            warning,
        })
    }

    /// The newest audit entries, optionally about one secret.
    pub fn audit_entries(&self, secret: Option<&SecretRef>, limit: u32) -> Result<Vec<AuditEntry>> {
        let id = secret.map(|s| self.find(s)).transpose()?.map(|row| row.id);
        let rows = self
            .store
            .read()
            .audit_recent(id.as_ref().map(|i| &i.as_bytes()[..]), limit)?;
        Ok(rows.into_iter().map(AuditEntry::from_row).collect())
    }

    /// Checks the whole audit chain.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        let keys = self.audit_keys()?;
        // One snapshot: another process appending between reading the log
        // and reading its head would look like a cut.
        self.store.snapshot(|read| audit::verify(read, &keys))
    }
}
