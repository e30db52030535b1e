//! Renaming and cloning secrets.
//!
//! A rename rewrites, in the same transaction, every job of the secret's
//! organization that names it: its bindings (roles and placeholder
//! references) and the `${secret:NAME...}` placeholders in its spec (a
//! command's arguments and environment), each job re-tagged and audited.
//! Template files live outside the vault and are not touched: the jobs whose
//! templates still name the old name are listed for the user to edit.

use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

use super::jobs::audit_job;
use super::register::insert;
use super::{Vault, target_of};
use crate::error::{Error, Result};
use crate::job::{JobKind, JobSpec};
use crate::secret::{NewProtection, NewSecret, Protection, SecretMeta, SecretRef, validate};
use crate::store::Db;

/// What a rename changed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Renamed {
    /// The secret under its new name.
    pub meta: SecretMeta,
    /// Jobs now bound to the new name (bindings and placeholders rewritten).
    pub jobs: Vec<String>,
    /// Of those, jobs whose template file may still name the old name (the
    /// file is outside the vault: edit it).
    pub templates: Vec<String>,
}

impl Vault {
    /// Renames a live secret; the jobs that name it follow (see the module).
    pub fn rename(&mut self, secret: &SecretRef, new_name: &str) -> Result<Renamed> {
        self.keys()?;
        validate::name("name", new_name)?;
        let row = self.live(secret)?;
        if row.name == new_name {
            return Err(Error::invalid(
                "name",
                format!("{} already has this name", row.name),
            ));
        }
        let mut jobs = Vec::new();
        for usage in self.store.read().jobs_using(row.org_id, &row.name)? {
            if jobs
                .iter()
                .any(|j: &crate::store::JobRow| j.rowid == usage.job.rowid)
            {
                continue;
            }
            self.check_job(&usage.job)?;
            jobs.push(usage.job);
        }
        let mut rewrites = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let spec: JobSpec = serde_json::from_str(&job.spec).map_err(|e| Error::Corrupt {
                reason: format!("spec of job {:?}: {e}", job.name),
            })?;
            let renamed = rename_in_spec(&spec, &row.name, new_name);
            let spec_json = if renamed == spec {
                None
            } else {
                Some(
                    serde_json::to_string(&renamed)
                        .map_err(|e| Error::Internal(format!("encoding a job: {e}")))?,
                )
            };
            rewrites.push(spec_json);
        }
        let job_names: Vec<String> = jobs.iter().map(|j| j.name.clone()).collect();
        let templates: Vec<String> = jobs
            .iter()
            .filter(|j| j.kind == JobKind::Template)
            .map(|j| j.name.clone())
            .collect();
        let old = row.name.clone();
        self.write(|tx, ctx| {
            if let Some(existing) = tx.read().secret_by_name(&row.org, new_name)? {
                return Err(Error::AlreadyExists {
                    org: row.org.clone(),
                    name: new_name.to_owned(),
                    in_trash: existing.deleted_at.is_some(),
                });
            }
            tx.rename_secret(&row, new_name, ctx.now)?;
            for (job, spec) in jobs.iter().zip(&rewrites) {
                tx.rename_in_job(job.rowid, &old, new_name, spec.as_deref(), ctx.now)?;
                let mut changed = vec!["bindings"];
                if spec.is_some() {
                    changed.push("spec");
                }
                audit_job(
                    tx,
                    ctx,
                    "job.update",
                    job,
                    json!({ "changed": changed, "secret_renamed": { "from": old, "to": new_name } }),
                )?;
            }
            ctx.audit_secret(
                tx,
                "secret.rename",
                &row.id,
                &format!("{}:{new_name}", row.org),
                json!({ "from": old, "to": new_name, "jobs": job_names }),
            )
        })?;
        Ok(Renamed {
            meta: self.get(&SecretRef::Id(row.id))?,
            jobs: job_names,
            templates,
        })
    }

    /// Copies a live secret's current value into a new secret `new_name` in
    /// the same organization, with its own data key (and, for a
    /// store-password secret, the same password under a new lock). Metadata
    /// follows; versions, history and job bindings do not.
    pub fn clone_secret(
        &mut self,
        secret: &SecretRef,
        new_name: &str,
        password: Option<&SecretString>,
    ) -> Result<SecretMeta> {
        validate::name("name", new_name)?;
        let row = self.live(secret)?;
        let key = self.wrapping_key(&row, password)?;
        let data = self.open_version(&row, row.current_version, &key)?;
        let protection = match row.protection {
            Protection::Vault => NewProtection::Vault,
            Protection::Password => {
                NewProtection::Password(password.cloned().ok_or_else(|| {
                    Error::PasswordRequired {
                        name: row.name.clone(),
                    }
                })?)
            }
        };
        let new = NewSecret {
            name: new_name.to_owned(),
            org: Some(row.org.clone()),
            project: row.project.clone(),
            description: row.description.clone(),
            labels: row.labels()?,
            expires_at: row.expires_at,
            allow_past_expiry: true,
            visibility: row.visibility,
            write_only: row.write_only,
            protection,
            data,
        };
        let prepared = self.prepare(new, self.now())?;
        self.write(|tx, ctx| {
            let registered = insert(tx, ctx, prepared)?;
            ctx.audit_secret(
                tx,
                "secret.clone",
                &row.id,
                &target_of(&row),
                json!({ "to": new_name, "version": row.current_version }),
            )?;
            Ok(registered.meta)
        })
    }
}

/// `spec` with `${secret:OLD}` and `${secret:OLD#FIELD}` placeholders naming
/// `new` instead (external key vaults' `${secret:MANAGER:NAME}` untouched).
fn rename_in_spec(spec: &JobSpec, old: &str, new: &str) -> JobSpec {
    match spec {
        JobSpec::Command(command) => {
            let mut command = command.clone();
            for arg in &mut command.args {
                *arg = rename_placeholders(arg, old, new);
            }
            for value in command.env.values_mut() {
                *value = rename_placeholders(value, old, new);
            }
            JobSpec::Command(command)
        }
        other => other.clone(),
    }
}

const OPEN: &str = "${secret:";

/// Rewrites the placeholders of `old` in `text` to name `new`, by the
/// placeholder syntax of `coffer-jobs` (`$${` is a literal `${`).
fn rename_placeholders(text: &str, old: &str, new: &str) -> String {
    rename_placeholders_by(text, &mut |name| (name == old).then(|| new.to_owned()))
}

/// Rewrites each placeholder's secret name (`MANAGER:NAME` for a key
/// vault's) in `text` to what `rename` gives for it, by the placeholder
/// syntax of `coffer-jobs` (`$${` is a literal `${`); `None` leaves it.
pub(crate) fn rename_placeholders_by(
    text: &str,
    rename: &mut dyn FnMut(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        if let Some(after) = from.strip_prefix("$${") {
            out.push_str("$${");
            rest = after;
        } else if let Some(body) = from.strip_prefix(OPEN) {
            let end = body
                .find(['}', '\n', '$'])
                .filter(|&j| body[j..].starts_with('}'));
            match end {
                Some(j) => {
                    let inner = &body[..j];
                    let (reference, field) = match inner.split_once('#') {
                        Some((r, f)) => (r, Some(f)),
                        None => (inner, None),
                    };
                    out.push_str(OPEN);
                    match rename(reference) {
                        Some(new) => {
                            out.push_str(&new);
                            if let Some(field) = field {
                                out.push('#');
                                out.push_str(field);
                            }
                        }
                        None => out.push_str(inner),
                    }
                    out.push('}');
                    rest = &body[j + 1..];
                }
                None => {
                    out.push_str(OPEN);
                    rest = body;
                }
            }
        } else {
            out.push('$');
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::rename_placeholders;

    #[test]
    fn placeholders_of_the_old_name_are_rewritten_and_nothing_else() {
        let r = |t: &str| rename_placeholders(t, "db", "prod/db");
        assert_eq!(r("${secret:db}"), "${secret:prod/db}");
        assert_eq!(
            r("u=${secret:db#username} p=${secret:db}"),
            "u=${secret:prod/db#username} p=${secret:prod/db}"
        );
        assert_eq!(
            r("${secret:dbx} ${secret:vault:db} $${secret:db}"),
            "${secret:dbx} ${secret:vault:db} $${secret:db}"
        );
        assert_eq!(
            r("$HOME ${PATH} $ ${secret:db"),
            "$HOME ${PATH} $ ${secret:db"
        );
        assert_eq!(r("héllo ${secret:db}€"), "héllo ${secret:prod/db}€");
        assert_eq!(r(""), "");
    }
}
