//! Row integrity and sealed run logs.
//!
//! Every row whose clear columns decide a rule carries a tag (HMAC-SHA256
//! under a key derived from the master key; `store/seal.rs` says which
//! columns). The store re-tags a row in the same transaction as every change;
//! this module checks the tags wherever a rule is enforced: a row whose tag
//! does not match, or that lacks one, is [`Error::Tampered`] and nothing is
//! decrypted, sent or run. Listing while locked shows the clear columns as
//! they are (a reader of the file sees them anyway).
//!
//! Upgraded vaults are tagged at their first unlock, which then sets a keyed
//! record in `meta`; from then on a missing tag is tampering too. A vault
//! whose record was removed is recognised by its audit log, which says that
//! its rows were sealed (at creation, or by that first unlock).

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Vault;
use crate::audit::Record;
use crate::crypto::{self, Key32, MasterKey, Purpose, associated_data, check_value};
use crate::error::{Error, Result};
use crate::store::{
    Db, DeploymentRow, JobRow, ManagerRow, Reader, RowKind, Sealer, SecretRow, StoreTx,
    org_message, project_message,
};

/// The keyed record that says every row is tagged.
pub(super) const META_ROWS_SEALED: &str = "rows_sealed";
const ROWS_SEALED_LABEL: &str = "coffer/rows-sealed/v1";
/// The audit action of the first unlock that tagged an upgraded vault.
pub(super) const SEAL_ACTION: &str = "vault.seal_rows";

/// Keys derived from the master key: row tags and run logs. A run in progress
/// keeps a copy so that it can record its end after the vault was locked.
#[derive(Clone)]
pub(super) struct RowKeys {
    rows: Key32,
    logs: Key32,
}

impl RowKeys {
    pub(super) fn derive(master: &MasterKey, vault_id: &[u8; 16]) -> Result<Self> {
        Ok(Self {
            rows: Zeroizing::new(check_value(
                master.bytes(),
                "coffer/row-key/v1",
                &[vault_id],
            )?),
            logs: Zeroizing::new(check_value(
                master.bytes(),
                "coffer/run-log-key/v1",
                &[vault_id],
            )?),
        })
    }

    /// The keyed record that says every row is tagged.
    pub(super) fn sealed_record(&self, vault_id: &[u8; 16]) -> Result<[u8; 32]> {
        check_value(&self.rows, ROWS_SEALED_LABEL, &[vault_id])
    }

    fn check(&self, kind: RowKind, message: &[u8], mac: Option<&[u8]>) -> Result<bool> {
        let expected = self.tag(kind, message)?;
        Ok(mac.is_some_and(|mac| bool::from(expected.ct_eq(mac))))
    }

    /// Checks a secret row with its organization and project.
    pub(super) fn check_secret(&self, row: &SecretRow) -> Result<()> {
        let tampered = |what: String| Error::Tampered {
            what: format!("{what} (changed outside Coffer)"),
        };
        if !self.check(RowKind::Secret, &row.seal().encode(), row.mac.as_deref())? {
            return Err(tampered(format!("secret {}:{}", row.org, row.name)));
        }
        match self.failing_org_or_project(
            row.org_id,
            &row.org,
            row.org_mac.as_deref(),
            row.project_id,
            row.project.as_deref(),
            row.project_seal.as_ref(),
        ) {
            Some(what) => Err(tampered(format!(
                "{what} of secret {}:{}",
                row.org, row.name
            ))),
            None => Ok(()),
        }
    }

    /// Checks a job row, its bindings, organization and project.
    pub(super) fn check_job(&self, read: Reader<'_>, row: &JobRow) -> Result<()> {
        let bindings = read.job_binding_keys(row.rowid)?;
        let name = format!("job {}:{}", row.org, row.name);
        if !self.check(
            RowKind::Job,
            &row.seal(&bindings).encode(),
            row.mac.as_deref(),
        )? {
            return Err(Error::Tampered {
                what: format!("{name} (changed outside Coffer)"),
            });
        }
        match self.failing_org_or_project(
            row.org_id,
            &row.org,
            row.org_mac.as_deref(),
            row.project_id,
            row.project.as_deref(),
            row.project_seal.as_ref(),
        ) {
            Some(what) => Err(Error::Tampered {
                what: format!("{what} of {name} (changed outside Coffer)"),
            }),
            None => Ok(()),
        }
    }

    /// Checks a connection row and its organization.
    pub(super) fn check_manager(&self, row: &ManagerRow) -> Result<()> {
        let sound = self.check(RowKind::Manager, &row.seal().encode(), row.mac.as_deref())?
            && self.check(
                RowKind::Org,
                &org_message(row.org_id, &row.org),
                row.org_mac.as_deref(),
            )?;
        if sound {
            Ok(())
        } else {
            Err(Error::Tampered {
                what: format!("connection {} (changed outside Coffer)", row.name),
            })
        }
    }

    /// Checks a deployment row with its pushed versions.
    pub(super) fn check_deployment(&self, read: Reader<'_>, row: &DeploymentRow) -> Result<()> {
        let versions = read.deployment_versions(row.rowid)?;
        if self.check(
            RowKind::Deployment,
            &row.seal(&versions).encode(),
            row.mac.as_deref(),
        )? {
            Ok(())
        } else {
            Err(Error::Tampered {
                what: format!(
                    "the deployment of secret {}:{} to {}:{} (changed outside Coffer)",
                    row.org, row.secret, row.manager, row.remote_name
                ),
            })
        }
    }

    /// Names the organization or project whose row fails its check, if any.
    fn failing_org_or_project(
        &self,
        org_id: i64,
        org: &str,
        org_mac: Option<&[u8]>,
        project_id: Option<i64>,
        project: Option<&str>,
        project_seal: Option<&(Option<Vec<u8>>, i64)>,
    ) -> Option<String> {
        let ok = |r: Result<bool>| r.unwrap_or(false);
        if !ok(self.check(RowKind::Org, &org_message(org_id, org), org_mac)) {
            return Some(format!("the organization {org}"));
        }
        if let Some(id) = project_id {
            let name = project.unwrap_or_default();
            let fits = match project_seal {
                Some((mac, project_org)) => {
                    *project_org == org_id
                        && ok(self.check(
                            RowKind::Project,
                            &project_message(id, *project_org, name),
                            mac.as_deref(),
                        ))
                }
                None => false,
            };
            if !fits {
                return Some(format!("the project {name:?}"));
            }
        }
        None
    }

    /// Seals a run's log and error.
    pub(super) fn seal_log(
        &self,
        vault_id: &[u8; 16],
        job_uid: &[u8; 16],
        run: i64,
        log: &str,
        error: Option<&str>,
    ) -> Result<Vec<u8>> {
        let plain = Zeroizing::new(
            serde_json::to_vec(&RunLog {
                log: log.to_owned(),
                error: error.map(str::to_owned),
            })
            .map_err(|e| Error::Internal(format!("encoding a run log: {e}")))?,
        );
        let aad = log_aad(vault_id, job_uid, run)?;
        let sealed = crypto::seal(&self.logs, &aad, &plain)?;
        let mut out = sealed.nonce.to_vec();
        out.extend_from_slice(&sealed.ciphertext);
        Ok(out)
    }

    /// Opens a run's sealed log and error.
    pub(super) fn open_log(
        &self,
        vault_id: &[u8; 16],
        job_uid: &[u8; 16],
        run: i64,
        sealed: &[u8],
    ) -> Result<(String, Option<String>)> {
        let what = format!("the log of run {run}");
        if sealed.len() < crypto::NONCE_LEN {
            return Err(Error::Tampered { what });
        }
        let aad = log_aad(vault_id, job_uid, run)?;
        let (nonce, ciphertext) = sealed.split_at(crypto::NONCE_LEN);
        let plain = crypto::open(&self.logs, &aad, nonce, ciphertext, &what)?;
        let log: RunLog = serde_json::from_slice(&plain).map_err(|_| Error::Tampered { what })?;
        Ok((log.log, log.error))
    }
}

fn log_aad(vault_id: &[u8; 16], job_uid: &[u8; 16], run: i64) -> Result<Vec<u8>> {
    let run = u32::try_from(run).map_err(|_| Error::Internal("run id out of range".into()))?;
    Ok(associated_data(
        Purpose::RunLog,
        vault_id,
        Some(job_uid),
        run,
    ))
}

impl Sealer for RowKeys {
    fn tag(&self, kind: RowKind, message: &[u8]) -> Result<[u8; 32]> {
        check_value(&self.rows, kind.label(), &[message])
    }
}

/// A run's log and error as sealed.
#[derive(Serialize, Deserialize)]
struct RunLog {
    log: String,
    error: Option<String>,
}

impl Vault {
    /// The row keys while unlocked (a locked vault checks nothing: listing
    /// shows clear columns, and nothing else works without keys).
    /// Keys replaced by another process's rotation are an error, not "locked".
    pub(super) fn row_keys(&self) -> Result<Option<&RowKeys>> {
        match self.keys() {
            Ok(keys) => Ok(Some(&keys.rows)),
            Err(Error::Locked) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Checks a secret row when unlocked.
    pub(super) fn check_secret(&self, row: &SecretRow) -> Result<()> {
        self.row_keys()?.map_or(Ok(()), |k| k.check_secret(row))
    }

    /// Checks a job row when unlocked.
    pub(super) fn check_job(&self, row: &JobRow) -> Result<()> {
        self.row_keys()?
            .map_or(Ok(()), |k| k.check_job(self.store.read(), row))
    }

    /// Checks a connection row when unlocked.
    pub(super) fn check_manager(&self, row: &ManagerRow) -> Result<()> {
        self.row_keys()?.map_or(Ok(()), |k| k.check_manager(row))
    }

    /// Checks a deployment row when unlocked.
    pub(super) fn check_deployment(&self, row: &DeploymentRow) -> Result<()> {
        self.row_keys()?
            .map_or(Ok(()), |k| k.check_deployment(self.store.read(), row))
    }

    /// Checks every sealed row (before key rotation re-tags them all).
    pub(super) fn verify_all_rows(&self) -> Result<()> {
        let keys = self.row_keys()?.ok_or(Error::Locked)?;
        let read = self.store.read();
        for row in read.all_secrets()? {
            keys.check_secret(&row)?;
        }
        for row in read.list_jobs(None)? {
            keys.check_job(read, &row)?;
        }
        for row in read.managers()? {
            keys.check_manager(&row)?;
        }
        for id in read.deployment_ids()? {
            if let Some(row) = read.deployment_by_rowid(id)? {
                keys.check_deployment(read, &row)?;
            }
        }
        let [_, _, orgs, projects, _, _] = read.sealed_row_ids()?;
        for id in orgs {
            let Some((name, mac)) = read.org_sealed(id)? else {
                continue;
            };
            if !keys.check(RowKind::Org, &org_message(id, &name), mac.as_deref())? {
                return Err(Error::Tampered {
                    what: format!("the organization {name} (changed outside Coffer)"),
                });
            }
        }
        for id in projects {
            let Some(project) = read.project_sealed(id)? else {
                continue;
            };
            let message = project_message(id, project.org_id, &project.name);
            if !keys.check(RowKind::Project, &message, project.mac.as_deref())? {
                return Err(Error::Tampered {
                    what: format!("the project {} (changed outside Coffer)", project.name),
                });
            }
        }
        Ok(())
    }

    /// At unlock: checks the keyed record that every row is tagged, or tags
    /// an upgraded vault's rows (and seals its clear run logs) once.
    pub(super) fn ensure_rows_sealed(&mut self) -> Result<()> {
        let keys = self.row_keys()?.ok_or(Error::Locked)?.clone();
        let expected = keys.sealed_record(&self.vault_id)?;
        let read = self.store.read();
        match read.meta(META_ROWS_SEALED)? {
            Some(record) if bool::from(expected.ct_eq(&record[..])) => return Ok(()),
            Some(_) => {
                return Err(Error::Tampered {
                    what: "the vault's integrity record".into(),
                });
            }
            None if read.audit_says_rows_sealed(SEAL_ACTION)? => {
                return Err(Error::Tampered {
                    what: "the vault's integrity record (it was removed)".into(),
                });
            }
            None => {}
        }
        let vault_id = self.vault_id;
        self.write(|tx, ctx| {
            let rows = tx.reseal_all_with(&keys)?;
            let logs = seal_clear_logs(tx, &keys, &vault_id)?;
            tx.set_meta(META_ROWS_SEALED, &expected)?;
            ctx.audit(
                tx,
                Record {
                    action: SEAL_ACTION,
                    secret_id: None,
                    target: "vault",
                    detail: serde_json::json!({ "rows": rows, "run_logs": logs }),
                },
            )
        })
    }
}

/// A job's 16-byte id from a stored column.
pub(super) fn job_uid(bytes: &[u8]) -> Result<[u8; 16]> {
    bytes.try_into().map_err(|_| Error::Corrupt {
        reason: "a job id is not 16 bytes".into(),
    })
}

/// Seals run logs recorded in clear before the upgrade.
fn seal_clear_logs(tx: &StoreTx<'_>, keys: &RowKeys, vault_id: &[u8; 16]) -> Result<u32> {
    let clear = tx.clear_run_logs()?;
    for row in &clear {
        let sealed = keys.seal_log(
            vault_id,
            &job_uid(&row.job_uid)?,
            row.run,
            &row.log,
            row.error.as_deref(),
        )?;
        tx.seal_run_log(row.run, &sealed)?;
    }
    Ok(u32::try_from(clear.len()).unwrap_or(u32::MAX))
}
