//! Applying an import batch: names checked against the vault and the batch,
//! conflicts resolved per item, every secret written in one transaction,
//! audited as one entry for the import plus one per secret.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use super::register::{Prepared, derived_expiry, insert};
use super::update::{append_version, same_value};
use super::{Vault, seal};
use crate::audit::Record;
use crate::error::{Error, Result};
use crate::import::{
    ImportBatch, ImportChoices, ImportItem, ImportJob, ImportPreview, ImportReport, OnConflict,
    PreviewItem, PreviewJob,
};
use crate::job::{JobId, NewJob};
use crate::secret::{DEFAULT_ORG, Protection, validate};
use crate::store::{Db, Reader, SecretRow};

/// The longest secret name (see `validate::name`).
const NAME_MAX: usize = 128;

/// How one item's name fares against the vault and the items before it.
struct Plan {
    org: String,
    name: String,
    /// The existing secret of that name (live or in the trash).
    existing: Option<SecretRow>,
    /// An earlier item of the batch has the same name.
    clashes_in_batch: bool,
    /// The name a rename gives (the item's own name without a conflict).
    renamed_to: String,
}

impl Plan {
    fn conflict(&self) -> bool {
        self.existing.is_some() || self.clashes_in_batch
    }
}

/// Plans every item: conflicts, and a unique rename for each conflicting
/// one that takes no name of the vault, of another item or of another rename.
fn plan(read: Reader<'_>, batch: &ImportBatch) -> Result<Vec<Plan>> {
    let org_of = |item: &ImportItem| {
        item.secret
            .org
            .clone()
            .unwrap_or_else(|| DEFAULT_ORG.to_owned())
    };
    let mut taken: HashSet<(String, String)> = batch
        .items
        .iter()
        .map(|item| (org_of(item), item.secret.name.clone()))
        .collect();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut plans = Vec::with_capacity(batch.items.len());
    for item in &batch.items {
        let org = org_of(item);
        let name = item.secret.name.clone();
        let existing = read.secret_by_name(&org, &name)?;
        let clashes_in_batch = !seen.insert((org.clone(), name.clone()));
        let renamed_to = if existing.is_some() || clashes_in_batch {
            let mut n = 2u64;
            loop {
                let candidate = numbered(&name, n);
                let key = (org.clone(), candidate.clone());
                if !taken.contains(&key) && read.secret_by_name(&org, &candidate)?.is_none() {
                    taken.insert(key);
                    break candidate;
                }
                n += 1;
            }
        } else {
            name.clone()
        };
        plans.push(Plan {
            org,
            name,
            existing,
            clashes_in_batch,
            renamed_to,
        });
    }
    Ok(plans)
}

/// `name-n`, the name shortened so that the whole stays within the limit.
fn numbered(name: &str, n: u64) -> String {
    let suffix = format!("-{n}");
    let keep = NAME_MAX.saturating_sub(suffix.len());
    let base: String = name.chars().take(keep).collect();
    format!("{base}{suffix}")
}

/// How one job's name fares against the vault's jobs and the jobs before it.
struct JobPlan {
    org: String,
    /// The name it clashes with, if any.
    conflict: Option<String>,
    /// The name a rename gives (its own name without a conflict).
    renamed_to: String,
}

/// Plans every job of a batch: conflicts with the vault's jobs and earlier
/// jobs of the file, and a unique rename for each conflicting one.
fn plan_jobs(read: Reader<'_>, jobs: &[ImportJob]) -> Result<Vec<JobPlan>> {
    let org_of = |job: &NewJob| job.org.clone().unwrap_or_else(|| DEFAULT_ORG.to_owned());
    let mut taken: HashSet<(String, String)> = jobs
        .iter()
        .map(|j| (org_of(&j.job), j.job.name.clone()))
        .collect();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut plans = Vec::with_capacity(jobs.len());
    for ImportJob { job, .. } in jobs {
        let org = org_of(job);
        let exists = read.job_by_name(&org, &job.name)?.is_some();
        let clashes = !seen.insert((org.clone(), job.name.clone()));
        let renamed_to = if exists || clashes {
            let mut n = 2u64;
            loop {
                let candidate = numbered(&job.name, n);
                let key = (org.clone(), candidate.clone());
                if !taken.contains(&key) && read.job_by_name(&org, &candidate)?.is_none() {
                    taken.insert(key);
                    break candidate;
                }
                n += 1;
            }
        } else {
            job.name.clone()
        };
        plans.push(JobPlan {
            conflict: (exists || clashes).then(|| job.name.clone()),
            org,
            renamed_to,
        });
    }
    Ok(plans)
}

/// The secrets a job uses, as the preview lists them.
fn job_secrets(job: &NewJob) -> Vec<String> {
    let mut names: Vec<String> = job
        .roles
        .iter()
        .map(|r| r.secret.clone())
        .chain(job.references.iter().map(|r| match &r.manager {
            Some(m) => format!("{m}:{}", r.secret),
            None => r.secret.clone(),
        }))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A job ready to be written: checked, renamed as chosen, following the
/// secrets the import renamed.
struct JobStep {
    id: JobId,
    job: NewJob,
    checked: super::jobs::CheckedJob,
    next: Option<crate::clock::Timestamp>,
    renamed_from: Option<String>,
    follows: Vec<String>,
}

/// Names the item in a validation error (its source, never a value).
fn in_item(source: &str, error: Error) -> Error {
    match error {
        Error::InvalidInput { field, message } => Error::InvalidInput {
            field,
            message: format!("{source}: {message}"),
        },
        other => other,
    }
}

/// What applying one item does.
enum Step {
    /// A new secret; `true`: deactivated once created.
    Create(Box<Prepared>, bool),
    NewVersion {
        row: Box<SecretRow>,
        version: u32,
        sealed: seal::SealedVersion,
        expires_at: Option<crate::clock::Timestamp>,
        /// The secret's labels with the import's label, when one is asked.
        labels: Option<std::collections::BTreeMap<String, String>>,
    },
    Skip,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Vault {
    /// What importing `batch` would do: per item its type, versions and the
    /// name it clashes with (and the name a rename would give). Writes
    /// nothing, reads names only.
    pub fn preview_import(&self, batch: &ImportBatch) -> Result<ImportPreview> {
        let plans = plan(self.store.read(), batch)?;
        let mut by_type = BTreeMap::new();
        let items = batch
            .items
            .iter()
            .zip(plans)
            .enumerate()
            .map(|(index, (item, plan))| {
                let kind = item.secret.data.kind();
                *by_type.entry(kind).or_insert(0u32) += 1;
                PreviewItem {
                    index: count(index),
                    source: item.source.clone(),
                    conflict: plan.conflict().then(|| plan.name.clone()),
                    name: plan.name,
                    org: plan.org,
                    original_name: item.original_name.clone(),
                    kind,
                    versions: count(item.older_versions.len() + 1),
                    needs_value: item.needs_value,
                    renamed_to: plan.renamed_to,
                }
            })
            .collect();
        Ok(ImportPreview {
            format: batch.format.clone(),
            by_type,
            items,
            unreadable: batch.unreadable.clone(),
            skipped: batch
                .skipped
                .iter()
                .map(|(k, v)| (k.clone(), count(*v)))
                .collect(),
            jobs: plan_jobs(self.store.read(), &batch.jobs)?
                .into_iter()
                .zip(&batch.jobs)
                .enumerate()
                .map(|(index, (plan, ImportJob { job, .. }))| PreviewJob {
                    index: count(index),
                    name: job.name.clone(),
                    org: plan.org,
                    kind: job.spec.kind(),
                    scheduled: job.schedule.is_some(),
                    secrets: job_secrets(job),
                    conflict: plan.conflict,
                    renamed_to: plan.renamed_to,
                })
                .collect(),
        })
    }

    /// Imports `batch` as `choices` say, in one transaction: all items or
    /// none. `progress(done, total)` is called after each item is written
    /// (inside the transaction). Audited as `vault.import` plus one
    /// `secret.import` or `secret.update_value` per secret.
    pub fn import(
        &mut self,
        batch: ImportBatch,
        choices: &ImportChoices,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        self.keys()?;
        let now = self.now();
        let plans = plan(self.store.read(), &batch)?;
        let job_plans = plan_jobs(self.store.read(), &batch.jobs)?;
        let format = batch.format;
        let total = batch.items.len();
        let jobs_total = batch.jobs.len();
        // Secrets created under another name than the file's, by
        // organization: jobs follow them. (A name two items of the file
        // share stays the first one's.)
        let mut renamed_secrets: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut report = ImportReport::default();
        let mut steps = Vec::with_capacity(total);
        let mut may_prune = false;
        for (index, (mut item, plan)) in batch.items.into_iter().zip(plans).enumerate() {
            let source = item.source.clone();
            if item.needs_value {
                let Some(value) = choices.values.get(&index) else {
                    report.skipped += 1;
                    steps.push(Step::Skip);
                    continue;
                };
                if value.kind() != item.secret.data.kind() {
                    return Err(in_item(
                        &source,
                        Error::invalid(
                            "value",
                            format!(
                                "the value given is {}, the secret is {}",
                                value.kind(),
                                item.secret.data.kind()
                            ),
                        ),
                    ));
                }
                item.secret.data = value.duplicate()?;
            }
            let choice = choices.for_item(index);
            let step = match (plan.conflict(), choice) {
                (true, OnConflict::Skip) => {
                    report.skipped += 1;
                    Step::Skip
                }
                (true, OnConflict::NewVersion)
                    if !plan.clashes_in_batch
                        && plan.existing.as_ref().is_some_and(|row| {
                            row.deleted_at.is_none()
                                && row.protection == Protection::Vault
                                && row.kind == item.secret.data.kind()
                        }) =>
                {
                    let Some(row) = plan.existing else {
                        return Err(Error::Internal("a planned secret vanished".into()));
                    };
                    self.new_version_step(row, &item, choices.label.as_ref(), &mut report)
                        .map_err(|e| in_item(&source, e))?
                }
                (conflict, _) => {
                    let renamed = conflict.then(|| plan.name.clone());
                    let deactivated = item.deactivated;
                    if conflict && !plan.clashes_in_batch {
                        renamed_secrets
                            .entry(plan.org.clone())
                            .or_default()
                            .insert(plan.name.clone(), plan.renamed_to.clone());
                    }
                    item.secret.name = plan.renamed_to;
                    if let Some((key, value)) = &choices.label {
                        item.secret.labels.insert(key.clone(), value.clone());
                    }
                    may_prune |=
                        item.older_versions.len() + 1 > self.settings.keep_versions as usize;
                    let prepared = self
                        .prepare_import(item, renamed.as_deref(), &format, now)
                        .map_err(|e| in_item(&source, e))?;
                    report.created += 1;
                    if renamed.is_some() {
                        report.renamed += 1;
                    }
                    Step::Create(Box::new(prepared), deactivated)
                }
            };
            steps.push(step);
        }
        let job_steps = self.job_steps(
            batch.jobs,
            job_plans,
            choices,
            &renamed_secrets,
            &mut report,
        )?;
        let note = format!("imported from {format}");
        let pruned = self.write(|tx, ctx| {
            let mut pruned = false;
            for (done, step) in steps.into_iter().enumerate() {
                match step {
                    Step::Create(prepared, deactivated) => {
                        let created = insert(tx, ctx, *prepared)?;
                        if deactivated {
                            deactivate_imported(tx, ctx, &created.meta.id)?;
                        }
                    }
                    Step::NewVersion {
                        row,
                        version,
                        sealed,
                        expires_at,
                        labels,
                    } => {
                        pruned |=
                            append_version(tx, ctx, &row, version, &sealed, expires_at, &note)?;
                        if let Some(labels) = labels {
                            label_imported(tx, ctx, &row, &labels, expires_at)?;
                        }
                    }
                    Step::Skip => {}
                }
                progress(done + 1, total);
            }
            for step in &job_steps {
                let roles = super::jobs::check_roles(tx.read(), &step.checked.org, &step.job)
                    .map_err(|e| in_item(&format!("job {}", step.job.name), e))?;
                let row = super::jobs::insert_job(
                    tx,
                    ctx,
                    step.id,
                    &step.job,
                    &step.checked,
                    &roles,
                    step.next,
                )?;
                super::jobs::audit_job(
                    tx,
                    ctx,
                    "job.import",
                    &row,
                    json!({
                        "kind": row.kind,
                        "format": format,
                        "secrets": super::jobs::binding_names(&roles, &step.checked.references),
                        "renamed_from": step.renamed_from,
                        "follows_renamed": step.follows,
                    }),
                )?;
            }
            ctx.audit(
                tx,
                Record {
                    action: "vault.import",
                    secret_id: None,
                    target: &format,
                    detail: json!({
                        "format": format,
                        "items": total,
                        "created": report.created,
                        "renamed": report.renamed,
                        "new_versions": report.new_versions,
                        "skipped": report.skipped,
                        "jobs": jobs_total,
                        "jobs_created": report.jobs_created,
                        "jobs_renamed": report.jobs_renamed,
                        "jobs_skipped": report.jobs_skipped,
                        "label": choices.label.as_ref().map(|(k, v)| format!("{k}={v}")),
                    }),
                },
            )?;
            Ok(pruned)
        })?;
        if pruned || may_prune {
            self.store.checkpoint()?;
        }
        Ok(report)
    }

    fn prepare_import(
        &self,
        item: ImportItem,
        renamed_from: Option<&str>,
        format: &str,
        now: crate::clock::Timestamp,
    ) -> Result<Prepared> {
        let mut secret = item.secret;
        validate::name("name", &secret.name)?;
        // An expiry in the past is a fact of the source, worth keeping.
        secret.allow_past_expiry = true;
        let versions = item.older_versions.len() + 1;
        let prepared = self.prepare_versions(secret, &item.older_versions, now)?;
        Ok(prepared.audited_as(
            "secret.import",
            json!({ "format": format, "versions": versions, "renamed_from": renamed_from }),
        ))
    }

    /// The jobs to write: each conflict skipped or renamed as chosen, each
    /// following the secrets of its organization the import renamed, each
    /// checked again after renaming.
    fn job_steps(
        &self,
        jobs: Vec<ImportJob>,
        plans: Vec<JobPlan>,
        choices: &ImportChoices,
        renamed_secrets: &BTreeMap<String, BTreeMap<String, String>>,
        report: &mut ImportReport,
    ) -> Result<Vec<JobStep>> {
        let now = self.now();
        let mut steps = Vec::with_capacity(jobs.len());
        for (index, (ImportJob { source, mut job }, plan)) in
            jobs.into_iter().zip(plans).enumerate()
        {
            let renamed_from = match (&plan.conflict, choices.for_job(index)) {
                (Some(_), OnConflict::Skip) => {
                    report.jobs_skipped += 1;
                    continue;
                }
                (Some(name), _) => Some(name.clone()),
                (None, _) => None,
            };
            job.name = plan.renamed_to;
            let follows = renamed_secrets
                .get(&plan.org)
                .map(|renamed| crate::export::jobs::follow_renames(&mut job, renamed))
                .unwrap_or_default();
            let checked = super::jobs::check_new_job(&job).map_err(|e| in_item(&source, e))?;
            let next = super::jobs::next_run(job.schedule.as_ref(), job.enabled, now)?;
            report.jobs_created += 1;
            report.jobs_renamed += u32::from(renamed_from.is_some());
            steps.push(JobStep {
                id: JobId::random()?,
                job,
                checked,
                next,
                renamed_from,
                follows,
            });
        }
        Ok(steps)
    }

    /// The item's value as the next version of `row`, or a skip when the
    /// value is the current one already. With a `label`, the secret's
    /// labels with it set, to be written with the version.
    fn new_version_step(
        &self,
        row: SecretRow,
        item: &ImportItem,
        label: Option<&(String, String)>,
        report: &mut ImportReport,
    ) -> Result<Step> {
        self.check_secret(&row)?;
        let key = self.wrapping_key(&row, None)?;
        let data = &item.secret.data;
        let current = self.open_version(&row, row.current_version, &key)?;
        if same_value(&current, data) {
            report.skipped += 1;
            return Ok(Step::Skip);
        }
        let version = row.current_version + 1;
        let sealed = seal::seal(&self.vault_id, &row.id, version, &key, data)?;
        let expires_at = derived_expiry(data)
            .or(item.secret.expires_at)
            .or(row.expires_at);
        report.new_versions += 1;
        let labels = match label {
            Some((key, value)) => {
                let mut labels = row.labels()?;
                labels.insert(key.clone(), value.clone());
                validate::labels(&labels)?;
                Some(labels)
            }
            None => None,
        };
        Ok(Step::NewVersion {
            row: Box::new(row),
            version,
            sealed,
            expires_at,
            labels,
        })
    }
}

/// Gives a secret the import added a version to the import's label (its
/// other metadata as it is), audited as a change of its labels by the import.
fn label_imported(
    tx: &crate::store::StoreTx<'_>,
    ctx: &super::VaultCtx<'_>,
    row: &SecretRow,
    labels: &BTreeMap<String, String>,
    expires_at: Option<crate::clock::Timestamp>,
) -> Result<()> {
    tx.update_secret_metadata(
        row,
        &row.description,
        labels,
        expires_at,
        row.project_id,
        row.visibility,
        row.write_only,
        ctx.now,
    )?;
    ctx.audit_secret(
        tx,
        "secret.update",
        &row.id,
        &super::target_of(row),
        json!({ "changed": ["labels"], "via": "vault.import" }),
    )
}

/// Deactivates a secret the import just created (it was deactivated in
/// Coffer's own export), audited as a deactivation by the import.
fn deactivate_imported(
    tx: &crate::store::StoreTx<'_>,
    ctx: &super::VaultCtx<'_>,
    id: &crate::secret::SecretId,
) -> Result<()> {
    let row = tx
        .read()
        .secret_by_id(id)?
        .ok_or_else(|| Error::Internal("an imported secret vanished".into()))?;
    tx.set_lifecycle(row.rowid, crate::secret::Lifecycle::Deactivated, ctx.now)?;
    ctx.audit_secret(
        tx,
        "secret.deactivate",
        &row.id,
        &super::target_of(&row),
        json!({ "via": "vault.import" }),
    )
}
