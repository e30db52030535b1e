//! Running a job in three steps, so that the desktop app holds the vault
//! only while it must: [`prepare`] (with the vault: start the run record,
//! read templates, resolve secrets), [`execute`] (without it: network,
//! processes, files), [`complete`] (with it again: record the outcome).
//! [`run_job`] does all three.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use coffer_core::Vault;
use coffer_core::job::{
    CommandSpec, GitFetchSpec, HttpFetchSpec, Job, JobRef, JobRun, JobSpec, RunOutcome, RunStatus,
    RunTrigger, SecretReference, SecretRole, TemplateSpec,
};
use coffer_remote::Remotes;
use serde_json::json;

use crate::error::{Error, Result};
use crate::git;
use crate::http::{self, HttpOptions, TokenCache};
use crate::placeholder::Template;
use crate::process::{self, OutputMode};
use crate::resolve::{
    JobSource, Located, Needs, Resolved, StorePasswords, references_of, resolve,
    store_password_secrets,
};
use crate::tls::TlsSetup;

/// Default time limit of a command job.
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(3600);
/// Largest template file.
const MAX_TEMPLATE_BYTES: u64 = 16 * 1024 * 1024;

/// What runs need besides the vault; shared by every run of a process.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Where a run's scratch directory (SSH keys, client keys, askpass
    /// scripts) is made: by default the per-user [`crate::scratch::root`].
    pub temp_dir: PathBuf,
    /// The `git` program.
    pub git: PathBuf,
    /// The `ssh` program.
    pub ssh: PathBuf,
    /// HTTP limits.
    pub http: HttpOptions,
    /// OAuth 2.0 tokens, reused until they expire.
    pub tokens: Arc<TokenCache>,
    /// Key-vault clients and the remote value cache (the app's for its
    /// lifetime, a CLI command's for its run).
    pub remotes: Arc<Remotes>,
}

impl Default for RunContext {
    fn default() -> Self {
        Self {
            temp_dir: crate::scratch::root().unwrap_or_else(|_| std::env::temp_dir()),
            git: PathBuf::from("git"),
            ssh: PathBuf::from("ssh"),
            http: HttpOptions::default(),
            tokens: Arc::new(TokenCache::new()),
            remotes: Arc::new(Remotes::new(
                Arc::new(coffer_core::SystemClock),
                coffer_remote::ConnectOptions::default(),
            )),
        }
    }
}

/// The work a run does, with its inputs parsed.
enum Work {
    Http(HttpFetchSpec),
    Git(GitFetchSpec),
    Template(TemplateSpec, Template),
    Command(CommandSpec, Vec<Template>, Vec<(String, Template)>),
}

/// A run whose secrets are resolved, ready to execute without the vault.
pub struct ReadyRun {
    run: u32,
    job: Job,
    resolved: Resolved,
    work: Work,
    roles: Vec<(SecretRole, String)>,
    references: Vec<SecretReference>,
}

impl std::fmt::Debug for ReadyRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadyRun")
            .field("run", &self.run)
            .field("job", &self.job.name)
            .finish_non_exhaustive()
    }
}

impl ReadyRun {
    /// The run's number.
    pub fn run(&self) -> u32 {
        self.run
    }

    /// The job.
    pub fn job(&self) -> &Job {
        &self.job
    }
}

/// A run that has ended, to be recorded with [`complete`].
#[derive(Debug)]
pub struct FinishedRun {
    /// The run's number.
    pub run: u32,
    /// How it ended (already redacted).
    pub outcome: RunOutcome,
}

/// What [`prepare`] produced.
#[derive(Debug)]
pub enum Prepared {
    /// Ready to execute.
    Ready(Box<ReadyRun>),
    /// Ended already (refused, or a template that does not parse), recorded.
    Finished(JobRun),
}

fn roles_of(job: &Job) -> Vec<(SecretRole, String)> {
    job.bindings
        .iter()
        .filter_map(|b| match b.source {
            coffer_core::job::BindingSource::Role(role) => Some((role, b.secret.clone())),
            coffer_core::job::BindingSource::Placeholder => None,
        })
        .collect()
}

/// Reads and parses what a job resolves placeholders in.
fn work_of(job: &Job) -> Result<(Work, Vec<Located>, bool)> {
    Ok(match &job.spec {
        JobSpec::HttpFetch(s) => (Work::Http(s.clone()), Vec::new(), false),
        JobSpec::GitFetch(s) => (Work::Git(s.clone()), Vec::new(), false),
        JobSpec::Template(s) => {
            let text = read_template(&s.template)?;
            let location = format!("template {}", s.template.display());
            let template = Template::parse(&text, &location)?;
            let located = template
                .placeholders()
                .map(|p| Located {
                    location: location.clone(),
                    placeholder: p.clone(),
                    to_disk: true,
                })
                .collect();
            (
                Work::Template(s.clone(), template),
                located,
                s.allow_write_only_to_disk,
            )
        }
        JobSpec::Command(s) => {
            let mut located = Vec::new();
            let mut parse = |text: &str, location: String| -> Result<Template> {
                let t = Template::parse(text, &location)?;
                located.extend(t.placeholders().map(|p| Located {
                    location: location.clone(),
                    placeholder: p.clone(),
                    to_disk: false,
                }));
                Ok(t)
            };
            let args = s
                .args
                .iter()
                .enumerate()
                .map(|(i, a)| parse(a, format!("argument {}", i + 1)))
                .collect::<Result<Vec<_>>>()?;
            let env = s
                .env
                .iter()
                .map(|(k, v)| Ok((k.clone(), parse(v, format!("environment variable {k}"))?)))
                .collect::<Result<Vec<_>>>()?;
            (Work::Command(s.clone(), args, env), located, false)
        }
    })
}

/// Reads a template file (a regular file of at most 16 MiB of UTF-8; a
/// FIFO or device is refused rather than waited on).
pub fn read_template(path: &std::path::Path) -> Result<String> {
    let bytes =
        crate::file_input::read_regular_file(path, MAX_TEMPLATE_BYTES).map_err(|e| {
            match e.kind() {
                std::io::ErrorKind::InvalidInput
                | std::io::ErrorKind::FileTooLarge
                | std::io::ErrorKind::TimedOut => Error::invalid("template", e.to_string()),
                _ => Error::io(format!("reading template {}", path.display()), e),
            }
        })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Error::invalid("template", format!("{} is not UTF-8 text", path.display())))
}

fn failed(error: &Error, log: String, result: serde_json::Value) -> RunOutcome {
    RunOutcome {
        status: if error.is_refusal() {
            RunStatus::Refused
        } else {
            RunStatus::Failed
        },
        log,
        error: Some(error.to_string()),
        result,
        state: None,
        references: None,
    }
}

/// A template job's file is read at every run: the secrets it names must be
/// among those approved when the job was saved (or approved since), or the
/// run is refused before anything is decrypted.
fn check_approved(job: &Job, references: &[SecretReference]) -> Result<()> {
    if !matches!(job.spec, JobSpec::Template(_)) {
        return Ok(());
    }
    let new = crate::define::unapproved(job, references);
    if new.is_empty() {
        return Ok(());
    }
    Err(coffer_core::Error::ApprovalNeeded {
        job: job.name.clone(),
        secrets: new,
    }
    .into())
}

/// Why a scheduled run stops at a store-password secret.
const SCHEDULED_CANNOT_ASK: &str = "protected by a store password, which a scheduled run cannot \
     ask for (run the job by hand: Run now, or coffer job run)";

fn needs_of(job: &Job, placeholders: Vec<Located>, allow_write_only: bool) -> Needs {
    Needs {
        placeholders,
        roles: roles_of(job)
            .iter()
            .map(|(r, n)| (r.as_str().to_owned(), n.clone()))
            .collect(),
        allow_write_only_to_disk: allow_write_only,
    }
}

/// The secrets a run of `job` would use that have a store password, by
/// name: what a manual run asks for before [`prepare_with`]. Judged from
/// clear metadata (a template job's file is read now).
pub fn store_passwords_needed(vault: &mut Vault, job: &JobRef) -> Result<Vec<String>> {
    let job = vault.job(job)?;
    let (_, placeholders, allow) = work_of(&job)?;
    let needs = needs_of(&job, placeholders, allow);
    let none = StorePasswords::new();
    let source = JobSource {
        vault,
        job: &job,
        run: 0,
        passwords: &none,
        cannot_ask: None,
        remotes: None,
    };
    Ok(store_password_secrets(&source, &needs))
}

/// Checks, before a manual run starts, the store password of every
/// store-password secret it would use: a missing one is
/// [`coffer_core::Error::PasswordRequired`], a wrong one
/// [`coffer_core::Error::WrongPassword`], each naming the secret, and no
/// run is recorded (the person is asked again). Nothing is decrypted. A job
/// whose work cannot be read is left to the run, which records why.
pub fn check_store_passwords(
    vault: &mut Vault,
    job: &JobRef,
    passwords: &StorePasswords,
) -> Result<()> {
    let job = vault.job(job)?;
    let Ok((_, placeholders, allow)) = work_of(&job) else {
        return Ok(());
    };
    let needs = needs_of(&job, placeholders, allow);
    let needed = {
        let source = JobSource {
            vault,
            job: &job,
            run: 0,
            passwords,
            cannot_ask: None,
            remotes: None,
        };
        store_password_secrets(&source, &needs)
    };
    for name in &needed {
        let secret = coffer_core::secret::SecretRef::in_org(&job.org, name);
        vault.check_store_password(&secret, passwords.get(name))?;
    }
    Ok(())
}

/// [`prepare_with`] without store passwords.
pub fn prepare(vault: &mut Vault, job: &JobRef, trigger: RunTrigger) -> Result<Prepared> {
    prepare_with(vault, job, trigger, &StorePasswords::new())
}

/// [`prepare_in`] without key vaults: a remote placeholder fails the run.
pub fn prepare_with(
    vault: &mut Vault,
    job: &JobRef,
    trigger: RunTrigger,
    passwords: &StorePasswords,
) -> Result<Prepared> {
    prepare_in(vault, job, trigger, passwords, None)
}

/// Starts a run of `job` and resolves its secrets, opening store-password
/// secrets with `passwords`. A manual run checks them first
/// ([`check_store_passwords`]): a missing or wrong one is an error and no
/// run is recorded. A scheduled run cannot ask, so one that needs a store
/// password is recorded as refused with the reason. A second run of a job that is running
/// is refused ([`coffer_core::Error::JobRunning`]); a run that cannot start
/// (a refused secret, a bad template) is recorded and returned as
/// [`Prepared::Finished`]. Remote placeholders are read through `remotes`
/// (each remote name once, through its cache) before anything runs.
pub fn prepare_in(
    vault: &mut Vault,
    job: &JobRef,
    trigger: RunTrigger,
    passwords: &StorePasswords,
    remotes: Option<&Remotes>,
) -> Result<Prepared> {
    if trigger == RunTrigger::Manual {
        check_store_passwords(vault, job, passwords)?;
    }
    let started = vault.start_run(job, trigger)?;
    let run = started.run;
    let job = started.job;
    let end = |vault: &mut Vault, error: Error, references: Option<Vec<SecretReference>>| {
        let mut outcome = failed(&error, String::new(), json!({}));
        outcome.references = references;
        vault
            .finish_run(run, outcome)
            .map(Prepared::Finished)
            .map_err(Error::from)
    };
    let (work, placeholders, allow_write_only) = match work_of(&job) {
        Ok(parsed) => parsed,
        Err(e) => return end(vault, e, None),
    };
    let references = references_of(&placeholders);
    if let Err(e) = check_approved(&job, &references) {
        return end(vault, e, None);
    }
    let roles = roles_of(&job);
    let needs = needs_of(&job, placeholders, allow_write_only);
    let resolved = {
        let mut source = JobSource {
            vault,
            job: &job,
            run,
            passwords,
            cannot_ask: (trigger != RunTrigger::Manual).then_some(SCHEDULED_CANNOT_ASK),
            remotes,
        };
        resolve(&mut source, &needs)
    };
    match resolved {
        Ok(resolved) => Ok(Prepared::Ready(Box::new(ReadyRun {
            run,
            job,
            resolved,
            work,
            roles,
            references,
        }))),
        Err(e) => end(vault, e, Some(references)),
    }
}

/// Does the work of a prepared run. Never touches the vault; never fails:
/// errors become a failed outcome. Every text is redacted.
pub fn execute(ready: ReadyRun, ctx: &RunContext) -> FinishedRun {
    let ReadyRun {
        run,
        job,
        mut resolved,
        work,
        roles,
        references,
    } = ready;
    let mut log: Vec<String> = resolved.warnings.clone();
    log.extend(resolved.remote_notes.iter().cloned());
    let mut state = None;
    let result = match &work {
        Work::Http(spec) => http_fetch(&job, spec, &roles, &mut resolved, ctx, &mut log).map(
            |(result, new_state)| {
                state = Some(new_state);
                result
            },
        ),
        Work::Git(spec) => git::fetch(&job, spec, &roles, &mut resolved, ctx, &mut log).map(
            |(result, new_state)| {
                state = Some(new_state);
                result
            },
        ),
        Work::Template(spec, template) => render_template(spec, template, &resolved, &mut log),
        Work::Command(spec, args, env) => run_command(spec, args, env, &resolved, &mut log),
    };
    let redactor = resolved.redactor();
    let text = redactor.redact(&log.join("\n"));
    let mut outcome = match result {
        Ok(result) => RunOutcome {
            status: if result["exit_code"].as_i64().is_some_and(|c| c != 0) {
                RunStatus::Failed
            } else {
                RunStatus::Succeeded
            },
            log: text,
            error: result["exit_code"]
                .as_i64()
                .filter(|c| *c != 0)
                .map(|c| format!("the program exited with status {c}")),
            result,
            state,
            references: None,
        },
        Err(e) => {
            let mut outcome = failed(&e, text, json!({}));
            outcome.error = outcome.error.map(|m| redactor.redact(&m));
            outcome
        }
    };
    outcome.references = Some(references);
    FinishedRun { run, outcome }
}

/// Records a finished run.
pub fn complete(vault: &mut Vault, finished: FinishedRun) -> Result<JobRun> {
    Ok(vault.finish_run(finished.run, finished.outcome)?)
}

/// Runs a job now: prepare, execute, complete.
pub fn run_job(
    vault: &mut Vault,
    job: &JobRef,
    trigger: RunTrigger,
    ctx: &RunContext,
) -> Result<JobRun> {
    run_job_with(vault, job, trigger, ctx, &StorePasswords::new())
}

/// [`run_job`] with store passwords (see [`prepare_with`]).
pub fn run_job_with(
    vault: &mut Vault,
    job: &JobRef,
    trigger: RunTrigger,
    ctx: &RunContext,
    passwords: &StorePasswords,
) -> Result<JobRun> {
    match prepare_in(vault, job, trigger, passwords, Some(&ctx.remotes))? {
        Prepared::Finished(run) => Ok(run),
        Prepared::Ready(ready) => {
            let finished = execute(*ready, ctx);
            complete(vault, finished)
        }
    }
}

/// The secret bound to `role`, if any.
pub(crate) fn role(roles: &[(SecretRole, String)], role: SecretRole) -> Option<&str> {
    roles
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, n)| n.as_str())
}

/// Resolved secret of a role (resolution guarantees it is there).
pub(crate) fn role_secret<'a>(
    resolved: &'a Resolved,
    roles: &[(SecretRole, String)],
    which: SecretRole,
) -> Result<Option<(&'a str, &'a coffer_core::SecretUse)>> {
    match role(roles, which) {
        None => Ok(None),
        Some(name) => resolved
            .secret(name)
            .map(|used| Some((used.meta.name.as_str(), used)))
            .ok_or_else(|| Error::invalid("secret", format!("{name} was not resolved"))),
    }
}

fn tls_for(
    resolved: &Resolved,
    roles: &[(SecretRole, String)],
    log: &mut Vec<String>,
) -> Result<TlsSetup> {
    let mut tls = TlsSetup::default();
    if let Some((name, used)) = role_secret(resolved, roles, SecretRole::CaBundle)? {
        tls.add_roots(&used.data, name)?;
        log.push(format!("trusting the CAs of {name} besides the system's"));
    }
    if let Some((name, used)) = role_secret(resolved, roles, SecretRole::ClientCertificate)? {
        tls.set_identity(&used.data, name)?;
        log.push(format!(
            "client certificate {name} ({})",
            tls.identity_subject.clone().unwrap_or_default()
        ));
    }
    Ok(tls)
}

fn http_fetch(
    job: &Job,
    spec: &HttpFetchSpec,
    roles: &[(SecretRole, String)],
    resolved: &mut Resolved,
    ctx: &RunContext,
    log: &mut Vec<String>,
) -> Result<(serde_json::Value, serde_json::Value)> {
    let tls = tls_for(resolved, roles, log)?;
    let auth = match role_secret(resolved, roles, SecretRole::Auth)? {
        Some((_, used)) => Some(http::auth_header(
            &used.data,
            used.meta.id,
            used.meta.current_version,
            &tls,
            &ctx.tokens,
            &ctx.http,
        )?),
        None => None,
    };
    if let Some(auth) = &auth {
        resolved.also_redact(auth.value.as_bytes());
        log.push(format!("authenticating with {}", auth.describe));
    }
    let fetched =
        http::fetch_to_file(&spec.url, &spec.target, auth.as_ref(), &tls, &ctx.http, log)?;
    let previous = job.state["sha256"].as_str();
    let changed = previous != Some(fetched.sha256.as_str());
    log.push(format!(
        "sha256 {}{}",
        fetched.sha256,
        if changed {
            " (changed)"
        } else {
            " (unchanged)"
        }
    ));
    let mut result = serde_json::to_value(&fetched).unwrap_or_default();
    result["changed"] = json!(changed);
    let mut state = job.state.clone();
    if !state.is_object() {
        state = json!({});
    }
    state["sha256"] = json!(fetched.sha256);
    Ok((result, state))
}

fn render_template(
    spec: &TemplateSpec,
    template: &Template,
    resolved: &Resolved,
    log: &mut Vec<String>,
) -> Result<serde_json::Value> {
    let bytes = template.render(|p| resolved.value(p))?;
    crate::atomic::write(&spec.output, 0o600, &bytes)?;
    let count = template.placeholders().count();
    log.push(format!(
        "rendered {} with {count} placeholders to {} ({} bytes, mode 0600)",
        spec.template.display(),
        spec.output.display(),
        bytes.len()
    ));
    Ok(json!({
        "output": spec.output,
        "size": bytes.len(),
        "placeholders": count,
    }))
}

/// Builds the command of a command job or `coffer run`; `environment`
/// sets up what it inherits (see [`crate::child_env`]) before the job's own
/// variables are added.
pub(crate) fn command_of(
    program: &str,
    args: &[Template],
    env: &[(String, Template)],
    resolved: &Resolved,
    environment: fn(&mut std::process::Command),
) -> Result<std::process::Command> {
    let mut command = std::process::Command::new(program);
    environment(&mut command);
    for arg in args {
        let value = arg.render(|p| resolved.value(p))?;
        command.arg(std::ffi::OsStr::new(&*String::from_utf8_lossy(&value)));
    }
    for (name, value) in env {
        let value = value.render(|p| resolved.value(p))?;
        command.env(name, &*String::from_utf8_lossy(&value));
    }
    Ok(command)
}

fn run_command(
    spec: &CommandSpec,
    args: &[Template],
    env: &[(String, Template)],
    resolved: &Resolved,
    log: &mut Vec<String>,
) -> Result<serde_json::Value> {
    let mut command = command_of(
        &spec.program,
        args,
        env,
        resolved,
        crate::child_env::for_command_job,
    )?;
    if let Some(dir) = &spec.working_dir {
        command.current_dir(dir);
    }
    let timeout = spec
        .timeout_seconds
        .map(|s| Duration::from_secs(u64::from(s)))
        .unwrap_or(DEFAULT_COMMAND_TIMEOUT);
    log.push(format!("running {}", spec.program));
    let finished = process::run(
        command,
        &spec.program,
        resolved.redactor(),
        OutputMode::Capture,
        Some(timeout),
    )?;
    if !finished.output.is_empty() {
        log.push(finished.output.trim_end().to_owned());
    }
    if finished.timed_out {
        return Err(Error::process(format!(
            "{} ran longer than {}s and was killed",
            spec.program,
            timeout.as_secs()
        )));
    }
    log.push(format!("exit status {}", finished.exit_code));
    Ok(json!({ "exit_code": finished.exit_code }))
}
