//! Jobs: definitions, the secrets they bind, schedules and run records.
//! Nothing here touches the network or starts a process; `coffer-jobs`
//! runs jobs and reports back through [`Vault::finish_run`].

use std::collections::{BTreeMap, HashSet};

use secrecy::SecretString;
use serde_json::json;

use super::integrity::RowKeys;
use super::read::SecretUse;
use super::shared::this_process;
use super::{Vault, VaultCtx};
use crate::audit::Record;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::job::{
    BindingSource, GitFetchSpec, Job, JobBinding, JobChange, JobId, JobKind, JobRef, JobRun,
    JobSpec, JobUsage, KEEP_RUNS, MAX_RUN_LOG_BYTES, NewJob, RoleBinding, RunOutcome, RunStatus,
    RunTrigger, Schedule, SecretReference, SecretRole, SelectionUsage, StartedRun, git_uses_ssh,
};
use crate::secret::{
    DEFAULT_ORG, Lifecycle, SecretId, SecretQuery, SecretRef, SecretStatus, SecretType, validate,
};
use crate::store::{
    BindingRow, Db, JobRow, JobUpdate, NewBinding, NewJobRow, Reader, RunRow, StoreTx, UsageRow,
};

/// Longest error text kept with a run.
const MAX_ERROR_BYTES: usize = 4096;

fn job_target(row: &JobRow) -> String {
    format!("job {}:{}", row.org, row.name)
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, name: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt {
        reason: format!("{what} of job {name:?}: {e}"),
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("encoding a job: {e}")))
}

fn binding_of(row: BindingRow, now: Timestamp) -> Result<JobBinding> {
    let source = if row.role == "placeholder" {
        BindingSource::Placeholder
    } else {
        BindingSource::Role(SecretRole::parse(&row.role)?)
    };
    let status = row.lifecycle.map(|l| match (l, row.expires_at) {
        (Lifecycle::Deactivated, _) => SecretStatus::Deactivated,
        (Lifecycle::Active, Some(at)) if at <= now => SecretStatus::Expired,
        (Lifecycle::Active, _) => SecretStatus::Active,
    });
    Ok(JobBinding {
        source,
        manager: Some(row.manager).filter(|m| !m.is_empty()),
        secret: row.secret_name,
        field: Some(row.field).filter(|f| !f.is_empty()),
        secret_id: row.secret_id,
        secret_type: row.secret_type,
        secret_status: status,
        in_trash: row.deleted_at.is_some(),
    })
}

fn job_of(read: Reader<'_>, row: &JobRow, now: Timestamp) -> Result<Job> {
    let bindings = read
        .job_bindings(row)?
        .into_iter()
        .map(|b| binding_of(b, now))
        .collect::<Result<Vec<_>>>()?;
    Ok(Job {
        id: row.id,
        name: row.name.clone(),
        org: row.org.clone(),
        project: row.project.clone(),
        description: row.description.clone(),
        kind: row.kind,
        spec: parse_json("spec", &row.name, &row.spec)?,
        schedule: row
            .schedule
            .as_deref()
            .map(|s| parse_json("schedule", &row.name, s))
            .transpose()?,
        enabled: row.enabled,
        uses_secrets: !bindings.is_empty(),
        bindings,
        state: parse_json("state", &row.name, &row.state)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_run_at: row.last_run_at,
        last_status: row.last_status,
        next_run_at: row.next_run_at,
    })
}

fn run_of(row: RunRow, keys: &RowKeys, vault_id: &[u8; 16]) -> Result<JobRun> {
    let (log, error) = match &row.sealed {
        Some(sealed) => keys.open_log(vault_id, &row.job_uid.0, row.id, sealed)?,
        // Running, or recorded before logs were sealed and not yet migrated.
        None => (row.log.clone(), row.error.clone()),
    };
    Ok(JobRun {
        id: u32::try_from(row.id).map_err(|_| Error::Internal("run id out of range".into()))?,
        number: u32::try_from(row.number)
            .map_err(|_| Error::Internal("run number out of range".into()))?,
        duration_ms: row
            .duration_ms
            .map(|d| u32::try_from(d.max(0)).unwrap_or(u32::MAX)),
        job_id: row.job_uid,
        job_name: row.job_name.clone(),
        trigger: row.trigger,
        status: row.status,
        started_at: row.started_at,
        finished_at: row.finished_at,
        log,
        error,
        result: parse_json("a run's result", &row.job_name, &row.result)?,
    })
}

/// The newest `max` bytes of `text`, cut at a character boundary, marked.
fn keep_tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[earlier output cut]\n{}", &text[start..])
}

/// When a job with `schedule` runs next after `after`.
pub(super) fn next_run(
    schedule: Option<&Schedule>,
    enabled: bool,
    after: Timestamp,
) -> Result<Option<Timestamp>> {
    match schedule {
        Some(schedule) if enabled => schedule.next_after(after),
        _ => Ok(None),
    }
}

fn find_job(read: Reader<'_>, job: &JobRef) -> Result<JobRow> {
    let row = match job {
        JobRef::Id(id) => read.job_by_id(id)?,
        JobRef::Name { org, name } => read.job_by_name(org, name)?,
    };
    row.ok_or_else(|| Error::job_not_found(job.describe()))
}

fn reference_bindings(references: &[SecretReference]) -> Result<Vec<NewBinding>> {
    let mut out: Vec<NewBinding> = references
        .iter()
        .map(|r| {
            if r.secret.is_empty() {
                return Err(Error::invalid("references", "a secret name is empty"));
            }
            Ok(NewBinding {
                role: "placeholder",
                manager: r.manager.clone().unwrap_or_default(),
                secret_name: r.secret.clone(),
                field: r.field.clone().unwrap_or_default(),
            })
        })
        .collect::<Result<_>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Checks explicit roles against the job's kind and the secrets they name.
fn role_bindings(
    read: Reader<'_>,
    org: &str,
    spec: &JobSpec,
    roles: &[RoleBinding],
) -> Result<Vec<NewBinding>> {
    let kind = spec.kind();
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for binding in roles {
        let role = binding.role;
        if !kind.roles().contains(&role) {
            return Err(Error::invalid(
                "secret",
                format!("a {kind} job has no {role} role (it uses placeholders)"),
            ));
        }
        if seen.insert(role, ()).is_some() {
            return Err(Error::invalid(
                "secret",
                format!("the {role} role is bound twice"),
            ));
        }
        let row = read.secret_by_name(org, &binding.secret)?.ok_or_else(|| {
            Error::secret_not_found(SecretRef::in_org(org, &binding.secret).describe())
        })?;
        let mut accepted: Vec<SecretType> = role.accepts().to_vec();
        if kind == JobKind::GitFetch && role == SecretRole::Auth {
            accepted = vec![SecretType::BasicAuth, SecretType::BearerToken];
        }
        if !accepted.contains(&row.kind) {
            let names: Vec<&str> = accepted.iter().map(|t| t.as_str()).collect();
            return Err(Error::invalid(
                "secret",
                format!(
                    "{} is a {} secret; the {role} role of a {kind} job takes {}",
                    binding.secret,
                    row.kind,
                    names.join(" or ")
                ),
            ));
        }
        out.push(NewBinding {
            role: role.as_str(),
            manager: String::new(),
            secret_name: binding.secret.clone(),
            field: String::new(),
        });
    }
    let bound: Vec<SecretRole> = seen.into_keys().collect();
    spec_rules(spec, &bound)?;
    Ok(out)
}

/// The rules between a spec and the roles it binds: SSH keys only for SSH
/// remotes, credentials over TLS only (plain http on loopback aside).
fn spec_rules(spec: &JobSpec, bound: &[SecretRole]) -> Result<()> {
    let has = |role: SecretRole| bound.contains(&role);
    match spec {
        JobSpec::GitFetch(GitFetchSpec { repo_url, .. }) => {
            let ssh = git_uses_ssh(repo_url);
            if ssh
                && (has(SecretRole::Auth)
                    || has(SecretRole::CaBundle)
                    || has(SecretRole::ClientCertificate))
            {
                return Err(Error::invalid(
                    "secret",
                    "an SSH remote takes only an ssh_key secret",
                ));
            }
            if !ssh && has(SecretRole::SshKey) {
                return Err(Error::invalid(
                    "secret",
                    "an ssh_key secret needs an ssh:// or user@host:path remote",
                ));
            }
            if !ssh && (has(SecretRole::Auth) || has(SecretRole::ClientCertificate)) {
                // As for http_fetch: credentials over TLS only (loopback aside).
                validate::credential_url("repo_url", repo_url)?;
            }
        }
        JobSpec::HttpFetch(s) if has(SecretRole::Auth) || has(SecretRole::ClientCertificate) => {
            validate::credential_url("url", &s.url)?;
        }
        _ => {}
    }
    Ok(())
}

/// Checks a stored job as if it were being saved: a row whose tag verifies
/// but whose spec no longer passes today's rules is refused all the same.
fn recheck(job: &Job) -> Result<()> {
    job.spec.check()?;
    if let Some(schedule) = &job.schedule {
        schedule.check()?;
    }
    let bound: Vec<SecretRole> = job
        .bindings
        .iter()
        .filter_map(|b| match b.source {
            BindingSource::Role(role) => Some(role),
            BindingSource::Placeholder => None,
        })
        .collect();
    if bound.iter().any(|role| !job.kind.roles().contains(role)) {
        return Err(Error::invalid(
            "secret",
            format!("job {} binds a role its kind does not have", job.name),
        ));
    }
    spec_rules(&job.spec, &bound)
}

impl Vault {
    /// Creates a job. Explicit roles must name existing secrets of fitting
    /// types; placeholder references may name secrets that do not exist yet.
    pub fn create_job(&mut self, new: NewJob) -> Result<Job> {
        self.keys()?;
        let checked = check_new_job(&new)?;
        let roles = role_bindings(self.store.read(), &checked.org, &new.spec, &new.roles)?;
        let next = next_run(new.schedule.as_ref(), new.enabled, self.now())?;
        let id = JobId::random()?;
        self.write(|tx, ctx| {
            let row = insert_job(tx, ctx, id, &new, &checked, &roles, next)?;
            audit_job(
                tx,
                ctx,
                "job.create",
                &row,
                json!({ "kind": row.kind, "secrets": binding_names(&roles, &checked.references) }),
            )?;
            Ok(())
        })?;
        self.job(&JobRef::Id(id))
    }

    /// Changes a job. Its kind stays; a spec of another kind is refused.
    pub fn update_job(&mut self, job: &JobRef, change: JobChange) -> Result<Job> {
        self.keys()?;
        let row = find_job(self.store.read(), job)?;
        self.check_job(&row)?;
        let current = job_of(self.store.read(), &row, self.now())?;
        let spec = change.spec.clone().unwrap_or_else(|| current.spec.clone());
        if spec.kind() != row.kind {
            return Err(Error::invalid(
                "kind",
                format!(
                    "job {} is a {} job; its kind cannot change",
                    row.name, row.kind
                ),
            ));
        }
        spec.check()?;
        let description = change
            .description
            .clone()
            .unwrap_or_else(|| row.description.clone());
        validate::description(&description)?;
        let schedule = match &change.schedule {
            Some(s) => s.clone(),
            None => current.schedule.clone(),
        };
        if let Some(s) = &schedule {
            s.check()?;
        }
        if let Some(Some(project)) = &change.project {
            validate::name("project", project)?;
        }
        let enabled = change.enabled.unwrap_or(row.enabled);
        let roles = match &change.roles {
            Some(roles) => Some(role_bindings(self.store.read(), &row.org, &spec, roles)?),
            None if change.spec.is_some() => {
                // A new spec must still fit the roles the job has.
                let existing: Vec<RoleBinding> = current
                    .bindings
                    .iter()
                    .filter_map(|b| match b.source {
                        BindingSource::Role(role) => Some(RoleBinding {
                            role,
                            secret: b.secret.clone(),
                        }),
                        BindingSource::Placeholder => None,
                    })
                    .collect();
                Some(role_bindings(
                    self.store.read(),
                    &row.org,
                    &spec,
                    &existing,
                )?)
            }
            None => None,
        };
        let references = change
            .references
            .as_deref()
            .map(reference_bindings)
            .transpose()?;
        let spec_json = to_json(&spec)?;
        let schedule_json = schedule.as_ref().map(to_json).transpose()?;
        let next = if change.schedule.is_some() || change.enabled.is_some() {
            next_run(schedule.as_ref(), enabled, self.now())?
        } else {
            row.next_run_at.filter(|_| enabled && schedule.is_some())
        };
        let changed: Vec<&str> = [
            (change.description.is_some(), "description"),
            (change.spec.is_some(), "spec"),
            (change.schedule.is_some(), "schedule"),
            (change.enabled.is_some(), "enabled"),
            (change.project.is_some(), "project"),
            (change.roles.is_some(), "roles"),
            (change.references.is_some(), "references"),
        ]
        .into_iter()
        .filter_map(|(yes, name)| yes.then_some(name))
        .collect();
        self.write(|tx, ctx| {
            let project_id = match &change.project {
                None => row.project_id,
                Some(None) => None,
                Some(Some(p)) => Some(tx.ensure_project(row.org_id, p, ctx.now.unix())?),
            };
            tx.update_job(
                row.rowid,
                &JobUpdate {
                    project_id,
                    description: &description,
                    spec: &spec_json,
                    schedule: schedule_json.as_deref(),
                    enabled,
                    next_run_at: next,
                    now: ctx.now,
                },
            )?;
            if let Some(roles) = &roles {
                tx.set_job_bindings(row.rowid, false, roles)?;
            }
            if let Some(references) = &references {
                tx.set_job_bindings(row.rowid, true, references)?;
            }
            audit_job(tx, ctx, "job.update", &row, json!({ "changed": changed }))
        })?;
        self.job(&JobRef::Id(row.id))
    }

    /// Deletes a job with its run history.
    pub fn delete_job(&mut self, job: &JobRef) -> Result<()> {
        self.keys()?;
        let row = find_job(self.store.read(), job)?;
        if self.active_runs.values().any(|j| *j == row.rowid) {
            return Err(Error::JobRunning { name: row.name });
        }
        self.write(|tx, ctx| {
            tx.delete_job(row.rowid)?;
            audit_job(tx, ctx, "job.delete", &row, json!({ "kind": row.kind }))
        })
    }

    /// One job, its integrity checked when unlocked.
    pub fn job(&self, job: &JobRef) -> Result<Job> {
        let read = self.store.read();
        let row = find_job(read, job)?;
        self.check_job(&row)?;
        job_of(read, &row, self.now())
    }

    /// Jobs, optionally of one organization, by name.
    pub fn jobs(&self, org: Option<&str>) -> Result<Vec<Job>> {
        let read = self.store.read();
        let now = self.now();
        read.list_jobs(org)?
            .iter()
            .map(|row| job_of(read, row, now))
            .collect()
    }

    /// The jobs that use a secret (by role or placeholder), for "used by"
    /// and for confirming a deactivation, deletion or change first.
    pub fn secret_usage(&self, secret: &SecretRef) -> Result<Vec<JobUsage>> {
        let row = self.find(secret)?;
        let mut usages: Vec<JobUsage> = Vec::new();
        for usage in self.store.read().jobs_using(row.org_id, &row.name)? {
            add_usage(&mut usages, &usage)?;
        }
        Ok(usages)
    }

    /// The jobs that use any secret `query` matches (its paging ignored) but
    /// those in `except`, each with the names of those it uses: what "all N
    /// matching" would touch, loaded on screen or not. By job name.
    pub fn usage_of_matching(
        &self,
        query: &SecretQuery,
        except: &[SecretId],
    ) -> Result<Vec<SelectionUsage>> {
        let except: HashSet<&SecretId> = except.iter().collect();
        let mut jobs: Vec<JobUsage> = Vec::new();
        let mut names: Vec<Vec<String>> = Vec::new();
        for (id, name, usage) in self.store.read().jobs_using_matching(query, self.now())? {
            if except.contains(&id) {
                continue;
            }
            let index = add_usage(&mut jobs, &usage)?;
            names.resize(jobs.len(), Vec::new());
            if names[index].last() != Some(&name) {
                names[index].push(name);
            }
        }
        Ok(jobs
            .into_iter()
            .zip(names)
            .map(|(job, mut secrets)| {
                secrets.dedup();
                SelectionUsage { job, secrets }
            })
            .collect())
    }

    /// Jobs whose schedule is due now and that are not running.
    pub fn due_jobs(&self) -> Result<Vec<Job>> {
        let read = self.store.read();
        let now = self.now();
        read.due_jobs(now)?
            .iter()
            .map(|row| job_of(read, row, now))
            .collect()
    }

    /// Records the start of a run. Refused with [`Error::JobRunning`] while
    /// another run of the job is under way.
    pub fn start_run(&mut self, job: &JobRef, trigger: RunTrigger) -> Result<StartedRun> {
        let row_keys = self.keys()?.rows.clone();
        let row = find_job(self.store.read(), job)?;
        // Nothing runs from a row changed outside Coffer, nor from a spec
        // that would not be saved today.
        self.check_job(&row)?;
        recheck(&job_of(self.store.read(), &row, self.now())?)?;
        let run = self.write(|tx, ctx| {
            let run = tx.insert_run(row.rowid, &row.name, trigger, ctx.now, this_process())?;
            audit_job(
                tx,
                ctx,
                "job.run",
                &row,
                json!({ "run": run, "trigger": trigger }),
            )?;
            Ok(run)
        })?;
        self.run_started(run, row.rowid);
        self.run_keys = Some(row_keys);
        let started_at = self.now();
        Ok(StartedRun {
            run: u32::try_from(run).map_err(|_| Error::Internal("run id out of range".into()))?,
            job: self.job(&JobRef::Id(row.id))?,
            started_at,
        })
    }

    /// Hands a secret to a run of a job: looked up by name in the job's
    /// organization, checked against the job's project, and recorded as
    /// used with the job and run as its purpose. A store-password secret
    /// needs `password` (asked by the caller of a manual run).
    pub fn use_secret_for_run(
        &mut self,
        job: &Job,
        run: u32,
        name: &str,
        password: Option<&SecretString>,
    ) -> Result<SecretUse> {
        let purpose = format!("job {}:{} run {run}", job.org, job.name);
        self.use_secret(
            &SecretRef::in_org(&job.org, name),
            job.project.as_deref(),
            &purpose,
            password,
        )
    }

    /// Records how a run ended, schedules the next one, and keeps the newest
    /// runs. Texts are stored as given (the runner redacts them) and cut to
    /// their newest 64 KiB. Works while locked (a run may outlast an idle
    /// lock); the audit entry is then left out.
    pub fn finish_run(&mut self, run: u32, outcome: RunOutcome) -> Result<JobRun> {
        let id = i64::from(run);
        let (job_rowid, status) =
            self.store
                .read()
                .run_job(id)?
                .ok_or_else(|| Error::NotFound {
                    what: "run",
                    name: run.to_string(),
                })?;
        if status != RunStatus::Running {
            return Err(Error::invalid(
                "run",
                format!("run {run} has already finished"),
            ));
        }
        if outcome.status == RunStatus::Running {
            return Err(Error::invalid("status", "a finished run cannot be running"));
        }
        let row = self
            .store
            .read()
            .job_by_rowid(job_rowid)?
            .ok_or_else(|| Error::Internal("a run's job vanished".into()))?;
        let schedule: Option<Schedule> = row
            .schedule
            .as_deref()
            .map(|s| parse_json("schedule", &row.name, s))
            .transpose()?;
        let now = self.now();
        let next = next_run(schedule.as_ref(), row.enabled, now)?;
        let keys = self
            .row_keys()?
            .or(self.run_keys.as_ref())
            .ok_or(Error::Locked)?
            .clone();
        let log = keep_tail(&outcome.log, MAX_RUN_LOG_BYTES);
        let error = outcome
            .error
            .as_deref()
            .map(|e| keep_tail(e, MAX_ERROR_BYTES));
        let sealed = keys.seal_log(&self.vault_id, &row.id.0, id, &log, error.as_deref())?;
        let result = to_json(&outcome.result)?;
        let state = outcome.state.as_ref().map(to_json).transpose()?;
        let references = outcome
            .references
            .as_deref()
            .map(reference_bindings)
            .transpose()?;
        let audited = self.keys.is_some();
        let duration_ms = self
            .run_clocks
            .get(&id)
            .map(|started| i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
        self.write(|tx, ctx| {
            tx.finish_run(id, outcome.status, ctx.now, &sealed, &result, duration_ms)?;
            tx.set_job_progress(row.rowid, state.as_deref(), next)?;
            if let Some(references) = &references {
                tx.set_job_bindings(row.rowid, true, references)?;
            }
            tx.prune_runs(row.rowid, KEEP_RUNS)?;
            if audited {
                audit_job(
                    tx,
                    ctx,
                    "job.run_finish",
                    &row,
                    json!({ "run": id, "status": outcome.status }),
                )?;
            }
            Ok(())
        })?;
        self.run_ended(id);
        let finished = self.open_run(run, &keys);
        if self.active_runs.is_empty() {
            self.run_keys = None;
        }
        finished
    }

    fn open_run(&self, run: u32, keys: &RowKeys) -> Result<JobRun> {
        let row = self
            .store
            .read()
            .run_by_id(i64::from(run))?
            .ok_or_else(|| Error::NotFound {
                what: "run",
                name: run.to_string(),
            })?;
        run_of(row, keys, &self.vault_id)
    }

    /// One run, with its log (sealed like values: needs the vault unlocked).
    pub fn job_run(&self, run: u32) -> Result<JobRun> {
        let keys = self.row_keys()?.ok_or(Error::Locked)?;
        self.open_run(run, keys)
    }

    /// A job's newest runs, newest first, with their logs (needs the vault
    /// unlocked).
    pub fn job_runs(&self, job: &JobRef, limit: u32) -> Result<Vec<JobRun>> {
        let keys = self.row_keys()?.ok_or(Error::Locked)?;
        let read = self.store.read();
        let row = find_job(read, job)?;
        read.job_runs(row.rowid, limit.min(KEEP_RUNS))?
            .into_iter()
            .map(|r| run_of(r, keys, &self.vault_id))
            .collect()
    }

    /// Marks runs left `running` by a Coffer that stopped as interrupted:
    /// not ones under way in this process, nor ones of another process that
    /// is still running. Done at every unlock.
    pub(super) fn interrupt_stale_runs(&mut self) -> Result<u32> {
        let stale: Vec<(i64, Vec<u8>, String, String)> = self
            .store
            .read()
            .running_runs()?
            .into_iter()
            .filter(|r| self.run_is_stale(r.id, r.pid, r.pid_started))
            .map(|r| (r.id, r.job_uid, r.job_name, r.org))
            .collect();
        if stale.is_empty() {
            return Ok(0);
        }
        let keys = self.row_keys()?.ok_or(Error::Locked)?.clone();
        let vault_id = self.vault_id;
        let count = stale.len() as u32;
        self.write(|tx, ctx| {
            for (run, job_uid, name, org) in &stale {
                let uid = super::integrity::job_uid(job_uid)?;
                let error = "Coffer stopped before the run finished";
                let sealed = keys.seal_log(&vault_id, &uid, *run, "", Some(error))?;
                tx.finish_run(*run, RunStatus::Interrupted, ctx.now, &sealed, "{}", None)?;
                ctx.audit(
                    tx,
                    Record {
                        action: "job.run_interrupted",
                        secret_id: None,
                        target: &format!("job {org}:{name}"),
                        detail: json!({ "run": run }),
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(count)
    }
}

/// A new job's checked organization and placeholder bindings (its roles
/// are checked against the secrets where it is written).
pub(crate) struct CheckedJob {
    pub org: String,
    pub references: Vec<NewBinding>,
}

/// Checks a new job's name, organization, project, description, spec,
/// schedule and references; each failure names its field.
pub(crate) fn check_new_job(new: &NewJob) -> Result<CheckedJob> {
    validate::name("name", &new.name)?;
    let org = new.org.clone().unwrap_or_else(|| DEFAULT_ORG.to_owned());
    validate::name("org", &org)?;
    if let Some(project) = &new.project {
        validate::name("project", project)?;
    }
    validate::description(&new.description)?;
    new.spec.check()?;
    if let Some(schedule) = &new.schedule {
        schedule.check()?;
    }
    let references = reference_bindings(&new.references)?;
    Ok(CheckedJob { org, references })
}

/// Checks a new job's explicit roles against the secrets `read` sees (in
/// an import: those the same transaction just wrote).
pub(super) fn check_roles(read: Reader<'_>, org: &str, new: &NewJob) -> Result<Vec<NewBinding>> {
    role_bindings(read, org, &new.spec, &new.roles)
}

/// Writes a checked job and its bindings; the name must be free.
pub(super) fn insert_job(
    tx: &StoreTx<'_>,
    ctx: &VaultCtx<'_>,
    id: JobId,
    new: &NewJob,
    checked: &CheckedJob,
    roles: &[NewBinding],
    next: Option<Timestamp>,
) -> Result<JobRow> {
    let org = &checked.org;
    let spec = to_json(&new.spec)?;
    let schedule = new.schedule.as_ref().map(to_json).transpose()?;
    let (org_id, _) = tx.ensure_org(org, ctx.now.unix())?;
    if tx.read().job_by_name(org, &new.name)?.is_some() {
        return Err(Error::JobExists {
            org: org.clone(),
            name: new.name.clone(),
        });
    }
    let project_id = new
        .project
        .as_deref()
        .map(|p| tx.ensure_project(org_id, p, ctx.now.unix()))
        .transpose()?;
    let rowid = tx.insert_job(&NewJobRow {
        id,
        org_id,
        project_id,
        name: &new.name,
        kind: new.spec.kind(),
        description: &new.description,
        spec: &spec,
        schedule: schedule.as_deref(),
        enabled: new.enabled,
        next_run_at: next,
        now: ctx.now,
    })?;
    tx.set_job_bindings(rowid, false, roles)?;
    tx.set_job_bindings(rowid, true, &checked.references)?;
    find_job(tx.read(), &JobRef::Id(id))
}

pub(super) fn binding_names(roles: &[NewBinding], references: &[NewBinding]) -> Vec<String> {
    roles
        .iter()
        .chain(references)
        .map(|b| match b.manager.as_str() {
            "" => b.secret_name.clone(),
            m => format!("{m}:{}", b.secret_name),
        })
        .collect()
}

pub(super) fn audit_job(
    tx: &StoreTx<'_>,
    ctx: &VaultCtx<'_>,
    action: &str,
    row: &JobRow,
    mut detail: serde_json::Value,
) -> Result<()> {
    if let serde_json::Value::Object(map) = &mut detail {
        map.insert("job_id".into(), json!(row.id));
    }
    ctx.audit(
        tx,
        Record {
            action,
            secret_id: None,
            target: &job_target(row),
            detail,
        },
    )
}

/// Adds one binding to the usages (one per job); returns the job's index.
fn add_usage(usages: &mut Vec<JobUsage>, usage: &UsageRow) -> Result<usize> {
    let index = match usages.iter().position(|u| u.job_id == usage.job.id) {
        Some(i) => i,
        None => {
            usages.push(JobUsage {
                job_id: usage.job.id,
                name: usage.job.name.clone(),
                org: usage.job.org.clone(),
                kind: usage.job.kind,
                roles: Vec::new(),
                placeholder_fields: Vec::new(),
                by_placeholder: false,
                enabled: usage.job.enabled,
            });
            usages.len() - 1
        }
    };
    let entry = &mut usages[index];
    if usage.role == "placeholder" {
        entry.by_placeholder = true;
        let field = Some(usage.field.clone()).filter(|f| !f.is_empty());
        if !entry.placeholder_fields.contains(&field) {
            entry.placeholder_fields.push(field);
        }
    } else {
        let role = SecretRole::parse(&usage.role)?;
        if !entry.roles.contains(&role) {
            entry.roles.push(role);
        }
    }
    Ok(index)
}
