//! Import of a remote secret as a local one (IMCO "brownfield"): the secret
//! and its link to the remote are written in one transaction.

use serde_json::json;

use super::register::{Prepared, insert};
use super::{Registered, Vault, VaultCtx};
use crate::error::{Error, Result};
use crate::remote::{DeploymentState, RemoteLink};
use crate::secret::{NewSecret, SecretRef};
use crate::store::{Db, ManagerRow, NewDeploymentRow, StoreTx, VersionPushRow};

impl Vault {
    /// Registers `new` as a secret imported from `link` (its connection,
    /// remote name, remote id and the remote version read) and records the
    /// link: a deployment row with `brownfield`, not managed (Coffer does
    /// not write to it until the user adopts it), `available`, with local
    /// version 1 pushed as that remote version. Refused when the remote name
    /// is already linked to a secret in that connection. The secret goes to
    /// the connection's organization unless `new.org` says otherwise.
    pub fn import_remote(&mut self, new: NewSecret, link: &RemoteLink) -> Result<Registered> {
        let mut out = self.import_remotes(vec![(new, link.clone())])?;
        out.pop()
            .ok_or_else(|| Error::Internal("an import returned nothing".into()))
    }

    /// [`Vault::import_remote`] for many secrets in one transaction: all or
    /// none. A refused item (a remote name linked already or twice in the
    /// selection, a local name taken, an invalid secret) refuses the whole
    /// selection, naming it, and leaves the vault unchanged.
    pub fn import_remotes(
        &mut self,
        items: Vec<(NewSecret, RemoteLink)>,
    ) -> Result<Vec<Registered>> {
        let now = self.now();
        let mut prepared = Vec::with_capacity(items.len());
        let mut seen: Vec<(i64, String)> = Vec::with_capacity(items.len());
        for (mut new, link) in items {
            let manager = self.manager_row(&link.manager)?;
            let remote_version = link
                .remote_version
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    Error::invalid("remote_version", "the imported version is unknown")
                })?;
            let key = (manager.rowid, link.remote_name.clone());
            let live = self
                .store
                .read()
                .live_deployment(manager.rowid, &link.remote_name)?
                .map(|live| format!("{}:{}", live.org, live.secret));
            let twice = seen
                .contains(&key)
                .then(|| "another item of this import".to_owned());
            if let Some(secret) = live.or(twice) {
                return Err(Error::RemoteNameTaken {
                    manager: manager.name,
                    remote_name: link.remote_name.clone(),
                    secret,
                });
            }
            seen.push(key);
            if new.org.is_none() {
                new.org = Some(manager.org.clone());
            }
            let secret = self.prepare(new, now)?;
            prepared.push((secret, manager, link, remote_version));
        }
        self.write(|tx, ctx| {
            let mut out = Vec::with_capacity(prepared.len());
            for (secret, manager, link, remote_version) in prepared {
                out.push(insert_imported(
                    tx,
                    ctx,
                    secret,
                    &manager,
                    &link,
                    &remote_version,
                )?);
            }
            Ok(out)
        })
    }

    /// The remote secret a local secret was imported from, if any.
    pub fn remote_link(&self, secret: &SecretRef) -> Result<Option<RemoteLink>> {
        let row = self.find(secret)?;
        let read = self.store.read();
        for d in read.deployments_of_secret(row.rowid)? {
            if !d.brownfield {
                continue;
            }
            self.check_deployment(&d)?;
            let first = read.deployment_versions(d.rowid)?.into_iter().next();
            return Ok(Some(RemoteLink {
                manager: d.manager,
                remote_name: d.remote_name,
                remote_id: d.remote_id,
                remote_version: first.map(|v| v.remote_version),
            }));
        }
        Ok(None)
    }
}

/// Writes one imported secret, its link (a brownfield deployment row,
/// `available`, local version 1 as the remote version read) and its audit
/// entry, inside the import's transaction.
fn insert_imported(
    tx: &StoreTx<'_>,
    ctx: &VaultCtx<'_>,
    prepared: Prepared,
    manager: &ManagerRow,
    link: &RemoteLink,
    remote_version: &str,
) -> Result<Registered> {
    let registered = insert(tx, ctx, prepared)?;
    let secret = tx
        .read()
        .secret_by_id(&registered.meta.id)?
        .ok_or_else(|| Error::Internal("an imported secret vanished".into()))?;
    let id = tx.insert_deployment(&NewDeploymentRow {
        secret_rowid: secret.rowid,
        manager_id: manager.rowid,
        remote_name: &link.remote_name,
        remote_id: link.remote_id.as_deref(),
        state: DeploymentState::Available.as_str(),
        brownfield: true,
        managed: false,
        now: ctx.now,
    })?;
    tx.record_deployment_version(
        id,
        &VersionPushRow {
            version: 1,
            remote_version: remote_version.to_owned(),
            pushed_at: ctx.now,
        },
    )?;
    ctx.audit_secret(
        tx,
        "secret.import",
        &registered.meta.id,
        &format!("{}:{}", secret.org, secret.name),
        json!({
            "manager": manager.name,
            "remote_name": link.remote_name,
            "remote_version": remote_version,
            "write_only": secret.write_only,
        }),
    )?;
    Ok(registered)
}
