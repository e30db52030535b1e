//! Defining jobs: the placeholder references of a job are found in its
//! arguments, environment and template file, so "used by" knows them
//! before the first run.

use coffer_core::Vault;
use coffer_core::job::{Job, JobChange, JobRef, JobSpec, NewJob, SecretReference};

use crate::error::Result;
use crate::placeholder::{Template, references};
use crate::runner::read_template;

/// The secrets a spec's placeholders reference (reading its template file).
pub fn spec_references(spec: &JobSpec) -> Result<Vec<SecretReference>> {
    let mut templates = Vec::new();
    for (location, text) in spec.placeholder_texts() {
        templates.push(Template::parse(text, &location)?);
    }
    if let JobSpec::Template(t) = spec {
        let text = read_template(&t.template)?;
        templates.push(Template::parse(
            &text,
            &format!("template {}", t.template.display()),
        )?);
    }
    Ok(references(&templates))
}

/// Creates a job with the references its placeholders make.
pub fn create_job(vault: &mut Vault, mut new: NewJob) -> Result<Job> {
    new.spec.check()?;
    new.references = spec_references(&new.spec)?;
    Ok(vault.create_job(new)?)
}

/// Approves the secrets a job's template names now (a run is refused while
/// it names secrets beyond those approved); returns the job and the secrets
/// newly approved.
pub fn approve_references(vault: &mut Vault, job: &JobRef) -> Result<(Job, Vec<String>)> {
    let current = vault.job(job)?;
    let references = spec_references(&current.spec)?;
    let added = unapproved(&current, &references);
    let change = JobChange {
        references: Some(references),
        ..Default::default()
    };
    Ok((vault.update_job(job, change)?, added))
}

/// The secrets (`NAME`, or `MANAGER:NAME`) that `references` name beyond
/// the job's approved placeholder bindings, sorted.
pub fn unapproved(job: &Job, references: &[SecretReference]) -> Vec<String> {
    let approved: std::collections::BTreeSet<(Option<&str>, &str)> = job
        .bindings
        .iter()
        .filter(|b| b.source == coffer_core::job::BindingSource::Placeholder)
        .map(|b| (b.manager.as_deref(), b.secret.as_str()))
        .collect();
    let mut new: Vec<String> = references
        .iter()
        .filter(|r| !approved.contains(&(r.manager.as_deref(), r.secret.as_str())))
        .map(|r| match &r.manager {
            Some(m) => format!("{m}:{}", r.secret),
            None => r.secret.clone(),
        })
        .collect();
    new.sort();
    new.dedup();
    new
}

/// Changes a job; a new spec's references replace the old ones.
pub fn update_job(vault: &mut Vault, job: &JobRef, mut change: JobChange) -> Result<Job> {
    if let Some(spec) = &change.spec {
        spec.check()?;
        change.references = Some(spec_references(spec)?);
    }
    Ok(vault.update_job(job, change)?)
}
