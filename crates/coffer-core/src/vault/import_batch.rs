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
    ImportBatch, ImportChoices, ImportItem, ImportPreview, ImportReport, OnConflict, PreviewItem,
};
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
        let format = batch.format;
        let total = batch.items.len();
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
                    self.new_version_step(row, &item, &mut report)
                        .map_err(|e| in_item(&source, e))?
                }
                (conflict, _) => {
                    let renamed = conflict.then(|| plan.name.clone());
                    let deactivated = item.deactivated;
                    item.secret.name = plan.renamed_to;
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
                    } => {
                        pruned |=
                            append_version(tx, ctx, &row, version, &sealed, expires_at, &note)?;
                    }
                    Step::Skip => {}
                }
                progress(done + 1, total);
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

    /// The item's value as the next version of `row`, or a skip when the
    /// value is the current one already.
    fn new_version_step(
        &self,
        row: SecretRow,
        item: &ImportItem,
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
        Ok(Step::NewVersion {
            row: Box::new(row),
            version,
            sealed,
            expires_at,
        })
    }
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
