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

/// Changes a job; a new spec's references replace the old ones.
pub fn update_job(vault: &mut Vault, job: &JobRef, mut change: JobChange) -> Result<Job> {
    if let Some(spec) = &change.spec {
        spec.check()?;
        change.references = Some(spec_references(spec)?);
    }
    Ok(vault.update_job(job, change)?)
}
