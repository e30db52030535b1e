//! Status changes, the trash, purging and moving between organizations.

use serde::Serialize;
use serde_json::json;

use super::{Vault, target_of};
use crate::error::{Error, Result};
use crate::secret::{Lifecycle, SecretMeta, SecretRef, validate};
use crate::store::{Db, SecretRow, StoreTx};

/// Why a secret was purged.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PurgeReason {
    /// A user asked.
    Requested,
    /// Its time in the trash ran out.
    Retention,
}

impl Vault {
    /// Deactivates a secret: using it fails until it is activated again.
    pub fn deactivate(&mut self, secret: &SecretRef) -> Result<SecretMeta> {
        self.set_lifecycle(secret, Lifecycle::Deactivated, "secret.deactivate")
    }

    /// Activates a deactivated secret.
    pub fn activate(&mut self, secret: &SecretRef) -> Result<SecretMeta> {
        self.set_lifecycle(secret, Lifecycle::Active, "secret.activate")
    }

    fn set_lifecycle(
        &mut self,
        secret: &SecretRef,
        to: Lifecycle,
        action: &str,
    ) -> Result<SecretMeta> {
        self.keys()?;
        let row = self.live(secret)?;
        if row.lifecycle != to {
            self.write(|tx, ctx| {
                tx.set_lifecycle(row.rowid, to, ctx.now)?;
                ctx.audit_secret(tx, action, &row.id, &target_of(&row), json!({}))
            })?;
        }
        self.get(&SecretRef::Id(row.id))
    }

    /// Moves a secret to the trash; it is purged after the retention period.
    pub fn delete(&mut self, secret: &SecretRef) -> Result<SecretMeta> {
        self.keys()?;
        let row = self.live(secret)?;
        let retention = self.settings.trash_retention_days;
        self.write(|tx, ctx| {
            tx.set_deleted(row.rowid, Some(ctx.now), ctx.now)?;
            ctx.audit_secret(
                tx,
                "secret.delete",
                &row.id,
                &target_of(&row),
                json!({ "retention_days": retention }),
            )
        })?;
        self.get(&SecretRef::Id(row.id))
    }

    /// Takes a secret out of the trash.
    pub fn undelete(&mut self, secret: &SecretRef) -> Result<SecretMeta> {
        self.keys()?;
        let row = self.find(secret)?;
        if row.deleted_at.is_none() {
            return Err(Error::invalid(
                "name",
                format!("{} is not in the trash", row.name),
            ));
        }
        self.write(|tx, ctx| {
            tx.set_deleted(row.rowid, None, ctx.now)?;
            ctx.audit_secret(tx, "secret.undelete", &row.id, &target_of(&row), json!({}))
        })?;
        self.get(&SecretRef::Id(row.id))
    }

    /// Destroys a secret now (from the trash or not): its data keys are
    /// deleted, so no copy of its ciphertexts can be opened again.
    pub fn purge(&mut self, secret: &SecretRef) -> Result<()> {
        self.keys()?;
        let row = self.find(secret)?;
        self.write(|tx, ctx| purge_row(tx, ctx, &row, PurgeReason::Requested))?;
        self.store.checkpoint()
    }

    /// Empties the trash; returns how many secrets were purged.
    pub fn empty_trash(&mut self) -> Result<u32> {
        self.keys()?;
        let rows = self.store.read().trash_all()?;
        self.purge_rows(rows, PurgeReason::Requested)
    }

    /// Purges secrets whose time in the trash has run out (done at every unlock).
    pub fn purge_expired_trash(&mut self) -> Result<u32> {
        self.keys()?;
        let days = i64::from(self.settings.trash_retention_days);
        let cutoff = self.now().plus_days(-days);
        let rows = self.store.read().trash_before(cutoff)?;
        self.purge_rows(rows, PurgeReason::Retention)
    }

    fn purge_rows(&mut self, rows: Vec<SecretRow>, reason: PurgeReason) -> Result<u32> {
        // A trash date changed outside Coffer purges nothing.
        let rows: Vec<SecretRow> = rows
            .into_iter()
            .filter(|row| self.check_secret(row).is_ok())
            .collect();
        if rows.is_empty() {
            return Ok(0);
        }
        let count = rows.len() as u32;
        self.write(|tx, ctx| {
            rows.iter()
                .try_for_each(|row| purge_row(tx, ctx, row, reason))
        })?;
        self.store.checkpoint()?;
        Ok(count)
    }

    /// Moves a secret to another organization (created when new). Its project
    /// belongs to the old organization and is cleared.
    pub fn move_to_org(&mut self, secret: &SecretRef, org: &str) -> Result<SecretMeta> {
        self.keys()?;
        validate::name("org", org)?;
        let row = self.live(secret)?;
        if row.org == org {
            return self.get(&SecretRef::Id(row.id));
        }
        let from = row.org.clone();
        self.write(|tx, ctx| {
            if let Some(existing) = tx.read().secret_by_name(org, &row.name)? {
                return Err(Error::AlreadyExists {
                    org: org.to_owned(),
                    name: row.name.clone(),
                    in_trash: existing.deleted_at.is_some(),
                });
            }
            let (org_id, _) = tx.ensure_org(org, ctx.now.unix())?;
            tx.set_org(row.rowid, org_id, None, ctx.now)?;
            let detail = json!({ "from": from, "to": org });
            ctx.audit_secret(
                tx,
                "secret.move",
                &row.id,
                &format!("{org}:{}", row.name),
                detail,
            )
        })?;
        self.get(&SecretRef::Id(row.id))
    }
}

fn purge_row(
    tx: &StoreTx<'_>,
    ctx: &super::VaultCtx<'_>,
    row: &SecretRow,
    reason: PurgeReason,
) -> Result<()> {
    tx.delete_secret(row.rowid)?;
    ctx.audit_secret(
        tx,
        "secret.purge",
        &row.id,
        &target_of(row),
        json!({ "reason": reason }),
    )
}
