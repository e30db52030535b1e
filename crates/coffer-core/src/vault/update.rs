//! Changing secrets: metadata in place, values as new immutable versions.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::register::{check_expiry, derived_expiry};
use super::{Vault, seal, target_of};
use crate::crypto::{self, Purpose, associated_data};
use crate::error::{Error, Result};
use crate::secret::{
    MetadataChange, Protection, SecretData, SecretMeta, SecretRef, SecretType, ValueChange,
    ValueOutcome, validate,
};
use crate::store::{Db, SecretRow, StoreTx};

impl Vault {
    /// Changes description, labels, expiry, project, visibility or write-only.
    pub fn update_metadata(
        &mut self,
        secret: &SecretRef,
        change: MetadataChange,
    ) -> Result<SecretMeta> {
        self.keys()?;
        let row = self.live(secret)?;
        let now = self.now();
        let description = change
            .description
            .clone()
            .unwrap_or_else(|| row.description.clone());
        validate::description(&description)?;
        let mut labels = row.labels()?;
        for key in &change.remove_labels {
            labels.remove(key);
        }
        labels.extend(change.set_labels.clone());
        validate::labels(&labels)?;
        let expires_at = match change.expires_at {
            Some(value) => {
                check_expiry(value, change.allow_past_expiry, now)?;
                value
            }
            None => row.expires_at,
        };
        if let Some(Some(project)) = &change.project {
            validate::name("project", project)?;
        }
        let visibility = change.visibility.unwrap_or(row.visibility);
        let write_only = row.write_only || change.make_write_only;
        let changed: Vec<&str> = [
            (change.description.is_some(), "description"),
            (
                !change.set_labels.is_empty() || !change.remove_labels.is_empty(),
                "labels",
            ),
            (change.expires_at.is_some(), "expires"),
            (change.project.is_some(), "project"),
            (change.visibility.is_some(), "visibility"),
            (change.make_write_only && !row.write_only, "write_only"),
        ]
        .into_iter()
        .filter_map(|(yes, name)| yes.then_some(name))
        .collect();
        self.write(|tx, ctx| {
            let project_id = match &change.project {
                None => row.project_id,
                Some(None) => None,
                Some(Some(project)) => {
                    Some(tx.ensure_project(row.org_id, project, ctx.now.unix())?)
                }
            };
            tx.update_secret_metadata(
                &row,
                &description,
                &labels,
                expires_at,
                project_id,
                visibility,
                write_only,
                ctx.now,
            )?;
            ctx.audit_secret(
                tx,
                "secret.update",
                &row.id,
                &target_of(&row),
                json!({ "changed": changed }),
            )
        })?;
        self.get(&SecretRef::Id(row.id))
    }

    /// Changes the value: the given fields are set, the named ones removed,
    /// and when the result differs a new version becomes current.
    pub fn update_value(
        &mut self,
        secret: &SecretRef,
        change: ValueChange,
        password: Option<&SecretString>,
    ) -> Result<ValueOutcome> {
        let row = self.live(secret)?;
        let key = self.wrapping_key(&row, password)?;
        let current = self.open_version(&row, row.current_version, &key)?;
        let Some(data) = current.changed(&row.name, change)? else {
            return Ok(ValueOutcome::Unchanged);
        };
        let expires_at = if row.kind == SecretType::Certificate {
            derived_expiry(&data).or(row.expires_at)
        } else {
            row.expires_at
        };
        let version = self.add_version(&row, &key, &data, expires_at, "updated")?;
        Ok(ValueOutcome::NewVersion { version })
    }

    /// Makes an old version's value current again, as a new version.
    pub fn restore_version(
        &mut self,
        secret: &SecretRef,
        version: u32,
        password: Option<&SecretString>,
    ) -> Result<u32> {
        let row = self.live(secret)?;
        let key = self.wrapping_key(&row, password)?;
        let stored = self.store_version(&row, version)?;
        let data = seal::open(&self.vault_id, &row, &stored, &key)?;
        let expires_at = if row.kind == SecretType::Certificate {
            stored.expires_at
        } else {
            row.expires_at
        };
        self.add_version(
            &row,
            &key,
            &data,
            expires_at,
            &format!("restored from version {version}"),
        )
    }

    /// Changes a store-password secret's password; every kept version's data
    /// key is re-wrapped. The old password is required.
    pub fn change_store_password(
        &mut self,
        secret: &SecretRef,
        old: &SecretString,
        new: &SecretString,
    ) -> Result<()> {
        let row = self.live(secret)?;
        if row.protection != Protection::Password {
            return Err(Error::invalid(
                "store_password",
                format!("{} has no store password", row.name),
            ));
        }
        let old_key = self.wrapping_key(&row, Some(old))?;
        let (lock, new_key) = seal::password_lock(&self.vault_id, &row.id, new)?;
        if new.expose_secret() == old.expose_secret() {
            return Err(Error::invalid(
                "store_password",
                "the new password is the same as the old one",
            ));
        }
        let mut rewrapped = Vec::new();
        for stored in self.store.read().versions(row.rowid)? {
            let aad = associated_data(
                Purpose::DataKey,
                &self.vault_id,
                Some(row.id.as_bytes()),
                stored.version,
            );
            let dek = crypto::open(
                &old_key,
                &aad,
                &stored.dek_nonce,
                &stored.wrapped_dek,
                "a data key",
            )?;
            rewrapped.push((stored.version, crypto::seal(&new_key, &aad, &dek)?));
        }
        self.write(|tx, ctx| {
            for (version, sealed) in &rewrapped {
                tx.set_wrapped_key(row.rowid, *version, &sealed.nonce, &sealed.ciphertext)?;
            }
            tx.set_password_lock(row.rowid, &lock, ctx.now)?;
            ctx.audit_secret(
                tx,
                "secret.change_password",
                &row.id,
                &target_of(&row),
                json!({ "versions": rewrapped.len() }),
            )
        })
    }

    /// Seals `data` as the next version, makes it current and prunes old ones.
    fn add_version(
        &mut self,
        row: &SecretRow,
        key: &[u8; 32],
        data: &SecretData,
        expires_at: Option<crate::clock::Timestamp>,
        note: &str,
    ) -> Result<u32> {
        let version = row.current_version + 1;
        let sealed = seal::seal(&self.vault_id, &row.id, version, key, data)?;
        let pruned =
            self.write(|tx, ctx| append_version(tx, ctx, row, version, &sealed, expires_at, note))?;
        if pruned {
            self.store.checkpoint()?;
        }
        Ok(version)
    }

    /// A secret that is not in the trash.
    pub(super) fn live(&self, secret: &SecretRef) -> Result<SecretRow> {
        let row = self.find(secret)?;
        if row.deleted_at.is_some() {
            return Err(Error::Refused {
                name: row.name,
                status: "in the trash (restore it first)".into(),
            });
        }
        Ok(row)
    }
}

/// Stores `sealed` as `version` of `row`, makes it current, audits it and
/// prunes old versions; true when any were pruned.
pub(super) fn append_version(
    tx: &StoreTx<'_>,
    ctx: &super::VaultCtx<'_>,
    row: &SecretRow,
    version: u32,
    sealed: &seal::SealedVersion,
    expires_at: Option<crate::clock::Timestamp>,
    note: &str,
) -> Result<bool> {
    tx.insert_version(row.rowid, &sealed.row(version, ctx.now, expires_at, note))?;
    tx.set_current_version(
        row.rowid,
        version,
        &sealed.public_fields,
        expires_at,
        ctx.now,
    )?;
    let detail = json!({ "version": version, "note": note });
    ctx.audit_secret(tx, "secret.update_value", &row.id, &target_of(row), detail)?;
    prune(tx, ctx, row, version)
}

/// Deletes versions beyond the newest `keep_versions`; true when any went.
pub(super) fn prune(
    tx: &StoreTx<'_>,
    ctx: &super::VaultCtx<'_>,
    row: &SecretRow,
    newest: u32,
) -> Result<bool> {
    let keep = ctx.settings.keep_versions.max(1);
    if newest <= keep {
        return Ok(false);
    }
    let pruned = tx.delete_versions_before(row.rowid, newest - keep + 1)?;
    if pruned.is_empty() {
        return Ok(false);
    }
    ctx.audit_secret(
        tx,
        "secret.prune_versions",
        &row.id,
        &target_of(row),
        json!({ "versions": pruned }),
    )?;
    Ok(true)
}

pub(crate) fn same_value(a: &SecretData, b: &SecretData) -> bool {
    use subtle::ConstantTimeEq;
    let (fa, fb) = (a.fields(), b.fields());
    fa.len() == fb.len()
        && a.public_fields() == b.public_fields()
        && fa.iter().zip(fb.iter()).all(|(x, y)| {
            x.name == y.name
                && x.value.len() == y.value.len()
                && bool::from(x.value.ct_eq(&y.value))
        })
}
