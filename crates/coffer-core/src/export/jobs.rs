//! Jobs in an export (format version 2): what a person set on each job,
//! checked on reading as a new job is, and the renaming that makes an
//! imported job follow a secret the import renamed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::job::{JobSpec, NewJob, RoleBinding, Schedule, SecretReference};

/// One job as exported: everything a person set. Run history and the
/// runner's state (pinned SSH host keys, the last content hash) stay behind.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Job {
    pub name: String,
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Tagged by `kind`: `http_fetch`, `git_fetch`, `template`, `command`.
    pub spec: JobSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Whether the schedule was on (an import switches it off).
    pub enabled: bool,
    /// Explicit roles, by secret name in the job's organization.
    #[serde(default)]
    pub roles: Vec<RoleBinding>,
    /// The approved placeholder references (`${secret:NAME#FIELD}`).
    #[serde(default)]
    pub references: Vec<SecretReference>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Job {
    /// The exported form of a stored job.
    pub fn of(job: &crate::job::Job) -> Self {
        use crate::job::BindingSource;
        let mut roles = Vec::new();
        let mut references = Vec::new();
        for binding in &job.bindings {
            match binding.source {
                BindingSource::Role(role) => roles.push(RoleBinding {
                    role,
                    secret: binding.secret.clone(),
                }),
                BindingSource::Placeholder => references.push(SecretReference {
                    manager: binding.manager.clone(),
                    secret: binding.secret.clone(),
                    field: binding.field.clone(),
                }),
            }
        }
        roles.sort_by_key(|r| r.role);
        references.sort();
        Self {
            name: job.name.clone(),
            organization: job.org.clone(),
            project: job.project.clone(),
            description: job.description.clone(),
            spec: job.spec.clone(),
            schedule: job.schedule.clone(),
            enabled: job.enabled,
            roles,
            references,
            created_at: job.created_at,
            updated_at: job.updated_at,
        }
    }

    /// The job to create, checked as `coffer job add` checks one (roles
    /// against secrets are checked when it is written). Its schedule
    /// arrives switched off: an imported job runs by itself only once a
    /// person has looked at it and switched it on.
    pub fn to_new(&self) -> Result<NewJob> {
        let new = NewJob {
            name: self.name.clone(),
            org: Some(self.organization.clone()),
            project: self.project.clone(),
            description: self.description.clone(),
            spec: self.spec.clone(),
            schedule: self.schedule.clone(),
            enabled: false,
            roles: self.roles.clone(),
            references: self.references.clone(),
        };
        crate::vault::check_new_job(&new)?;
        let kind = new.spec.kind();
        let mut seen = std::collections::BTreeSet::new();
        for binding in &new.roles {
            if !kind.roles().contains(&binding.role) {
                return Err(Error::invalid(
                    "roles",
                    format!("a {kind} job has no {} role", binding.role),
                ));
            }
            if !seen.insert(binding.role) {
                return Err(Error::invalid(
                    "roles",
                    format!("the {} role is bound twice", binding.role),
                ));
            }
            crate::secret::validate::name("roles", &binding.secret)?;
        }
        for reference in &new.references {
            crate::secret::validate::name("references", &reference.secret)?;
        }
        Ok(new)
    }
}

/// Renames, in a job about to be imported, the secrets of its organization
/// that the import renamed (`renamed`: old name → new name): its roles, its
/// approved references and the `${secret:NAME...}` placeholders of a
/// command's arguments and environment. A template's file is the person's
/// and is not changed. Returns the old names it now follows, sorted.
pub(crate) fn follow_renames(job: &mut NewJob, renamed: &BTreeMap<String, String>) -> Vec<String> {
    let mut followed = std::collections::BTreeSet::new();
    let mut rename = |name: &mut String| {
        if let Some(new) = renamed.get(name.as_str()) {
            followed.insert(std::mem::replace(name, new.clone()));
        }
    };
    for role in &mut job.roles {
        rename(&mut role.secret);
    }
    for reference in job.references.iter_mut().filter(|r| r.manager.is_none()) {
        rename(&mut reference.secret);
    }
    if let JobSpec::Command(command) = &mut job.spec {
        for text in command.args.iter_mut().chain(command.env.values_mut()) {
            // Key vaults' `MANAGER:NAME` never match: names have no ':'.
            *text = crate::vault::rename_placeholders_by(text, &mut |name| {
                let new = renamed.get(name)?;
                followed.insert(name.to_owned());
                Some(new.clone())
            });
        }
    }
    followed.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{CommandSpec, SecretRole};

    #[test]
    fn a_job_follows_renamed_secrets_in_roles_references_and_placeholders() {
        let mut env = BTreeMap::new();
        env.insert("P".to_owned(), "${secret:db#password}".to_owned());
        env.insert("L".to_owned(), "$${secret:db} ${secret:aws:db}".to_owned());
        let mut job = NewJob::new(
            "j",
            JobSpec::Command(CommandSpec {
                program: "/bin/sh".into(),
                args: vec!["${secret:db} ${secret:dbx} ${secret:other#db}".into()],
                env,
                working_dir: None,
                timeout_seconds: None,
            }),
        );
        job.roles = vec![RoleBinding {
            role: SecretRole::Auth,
            secret: "db".into(),
        }];
        job.references = vec![
            SecretReference {
                manager: None,
                secret: "db".into(),
                field: Some("password".into()),
            },
            SecretReference {
                manager: Some("aws".into()),
                secret: "db".into(),
                field: None,
            },
        ];
        let renamed = BTreeMap::from([("db".to_owned(), "db-2".to_owned())]);
        assert_eq!(follow_renames(&mut job, &renamed), ["db"]);
        assert_eq!(job.roles[0].secret, "db-2");
        assert_eq!(job.references[0].secret, "db-2");
        assert_eq!(job.references[1].secret, "db", "a key vault's secret");
        let JobSpec::Command(spec) = &job.spec else {
            panic!("a command")
        };
        assert_eq!(
            spec.args[0],
            "${secret:db-2} ${secret:dbx} ${secret:other#db}"
        );
        assert_eq!(spec.env["P"], "${secret:db-2#password}");
        assert_eq!(spec.env["L"], "$${secret:db} ${secret:aws:db}");
        // Nothing renamed: nothing followed.
        assert!(follow_renames(&mut job, &BTreeMap::new()).is_empty());
    }
}
