//! `coffer job add | list | show | run | runs | approve | enable | disable | delete`.

use std::collections::BTreeMap;

use coffer_core::job::{
    BindingSource, CommandSpec, GitFetchSpec, HttpFetchSpec, Job, JobKind, JobRef, JobRun, JobSpec,
    NewJob, RoleBinding, RunStatus, RunTrigger, Schedule, SecretRole, TemplateSpec,
};
use coffer_core::{Error, Timestamp};
use coffer_jobs::RunContext;
use serde_json::json;

use crate::args::{Global, JobAdd, JobCommand, JobTarget};
use crate::output::{Failure, Out, pairs, table, when};
use crate::unlock;

type Result<T> = std::result::Result<T, Failure>;

fn reference(target: &JobTarget) -> JobRef {
    JobRef::in_org(&target.org, &target.name)
}

fn need<T>(value: Option<T>, option: &str, kind: &str) -> Result<T> {
    value.ok_or_else(|| Error::invalid(option, format!("is required for a {kind} job")).into())
}

/// Parses `VAR=TEMPLATE` pairs.
pub fn env_pairs(options: &[String]) -> Result<Vec<(String, String)>> {
    options
        .iter()
        .map(|o| {
            o.split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Error::invalid("--env", format!("{o:?} is not VAR=TEMPLATE")).into())
        })
        .collect()
}

fn add(g: &Global, out: Out, add: JobAdd) -> Result<()> {
    let JobAdd {
        kind,
        name,
        org,
        project,
        description,
        secrets,
        schedule,
        every,
        disabled,
        url,
        target,
        repo,
        branch,
        token_username,
        template,
        output,
        allow_write_only_to_disk,
        env,
        workdir,
        timeout,
        command,
    } = add;
    let kind = JobKind::parse(&kind)?;
    let k = kind.as_str();
    let spec = match kind {
        JobKind::HttpFetch => JobSpec::HttpFetch(HttpFetchSpec {
            url: need(url, "--url", k)?,
            target: need(target, "--target", k)?,
        }),
        JobKind::GitFetch => JobSpec::GitFetch(GitFetchSpec {
            repo_url: need(repo, "--repo", k)?,
            branch,
            target: need(target, "--target", k)?,
            token_username,
        }),
        JobKind::Template => JobSpec::Template(TemplateSpec {
            template: need(template, "--template", k)?,
            output: need(output, "--output", k)?,
            allow_write_only_to_disk,
        }),
        JobKind::Command => {
            let mut words = command.into_iter();
            JobSpec::Command(CommandSpec {
                program: need(words.next(), "-- PROGRAM", k)?,
                args: words.collect(),
                env: env_pairs(&env)?.into_iter().collect::<BTreeMap<_, _>>(),
                working_dir: workdir,
                timeout_seconds: timeout,
            })
        }
    };
    let roles = secrets
        .iter()
        .map(|s| {
            let (role, secret) = s
                .split_once('=')
                .ok_or_else(|| Error::invalid("--secret", format!("{s:?} is not ROLE=NAME")))?;
            Ok(RoleBinding {
                role: SecretRole::parse(role)?,
                secret: secret.to_owned(),
            })
        })
        .collect::<std::result::Result<Vec<_>, Error>>()?;
    let schedule = match (schedule, every) {
        (Some(cron), _) => Some(Schedule::cron(&cron)?),
        (None, Some(every)) => Some(Schedule::every(&every)?),
        (None, None) => None,
    };
    let mut new = NewJob::new(name, spec);
    new.org = Some(org);
    new.project = project;
    new.description = description.unwrap_or_default();
    new.roles = roles;
    new.schedule = schedule;
    new.enabled = !disabled;
    let mut vault = unlock::open_unlocked(g, out)?;
    let job = coffer_jobs::define::create_job(&mut vault, new)?;
    if out.json {
        return Ok(out.json(&job)?);
    }
    println!("job {} added ({})", job.name, job.kind);
    if let Some(next) = job.next_run_at {
        println!("next run: {}", when(next, vault.now()));
    }
    Ok(())
}

fn secrets_text(job: &Job) -> String {
    if job.bindings.is_empty() {
        return "-".into();
    }
    let mut names: Vec<&str> = job.bindings.iter().map(|b| b.secret.as_str()).collect();
    names.dedup();
    names.join(",")
}

fn schedule_text(job: &Job) -> String {
    match (&job.schedule, job.enabled) {
        (Some(s), true) => s.describe(),
        (Some(s), false) => format!("{} (off)", s.describe()),
        (None, _) => "manual".into(),
    }
}

fn list(g: &Global, out: Out, org: Option<&str>) -> Result<()> {
    let vault = unlock::open(g)?;
    let jobs = vault.jobs(org)?;
    if out.json {
        return Ok(out.json(&jobs)?);
    }
    if jobs.is_empty() {
        println!("No jobs.");
        return Ok(());
    }
    let now = vault.now();
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            vec![
                if j.org == coffer_core::secret::DEFAULT_ORG {
                    j.name.clone()
                } else {
                    format!("{}:{}", j.org, j.name)
                },
                j.kind.to_string(),
                schedule_text(j),
                j.next_run_at
                    .map(|t| when(t, now))
                    .unwrap_or_else(|| "-".into()),
                j.last_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                secrets_text(j),
            ]
        })
        .collect();
    table(
        &[
            "NAME", "KIND", "SCHEDULE", "NEXT RUN", "LAST RUN", "SECRETS",
        ],
        &rows,
    );
    Ok(())
}

fn spec_rows(spec: &JobSpec) -> Vec<(&'static str, String)> {
    match spec {
        JobSpec::HttpFetch(s) => vec![
            ("url", s.url.clone()),
            ("target", s.target.display().to_string()),
        ],
        JobSpec::GitFetch(s) => vec![
            ("repository", s.repo_url.clone()),
            (
                "branch",
                s.branch.clone().unwrap_or_else(|| "(default)".into()),
            ),
            ("target", s.target.display().to_string()),
        ],
        JobSpec::Template(s) => vec![
            ("template", s.template.display().to_string()),
            ("output", s.output.display().to_string()),
            (
                "write-only to disk",
                if s.allow_write_only_to_disk {
                    "allowed"
                } else {
                    "refused"
                }
                .into(),
            ),
        ],
        JobSpec::Command(s) => {
            let mut rows = vec![
                ("program", s.program.clone()),
                ("arguments", s.args.join(" ")),
            ];
            for (k, v) in &s.env {
                rows.push(("env", format!("{k}={v}")));
            }
            rows
        }
    }
}

fn show(g: &Global, out: Out, target: &JobTarget) -> Result<()> {
    let vault = unlock::open(g)?;
    let job = vault.job(&reference(target))?;
    if out.json {
        return Ok(out.json(&job)?);
    }
    let now = vault.now();
    let opt = |t: Option<Timestamp>| t.map(|t| when(t, now)).unwrap_or_else(|| "-".into());
    let mut rows: Vec<(&str, String)> = vec![
        ("name", job.name.clone()),
        ("kind", job.kind.to_string()),
        ("org", job.org.clone()),
        ("project", job.project.clone().unwrap_or_else(|| "-".into())),
    ];
    if !job.description.is_empty() {
        rows.push(("description", job.description.clone()));
    }
    rows.extend(spec_rows(&job.spec));
    rows.push(("schedule", schedule_text(&job)));
    rows.push(("next run", opt(job.next_run_at)));
    rows.push((
        "last run",
        match (job.last_run_at, job.last_status) {
            (Some(at), Some(status)) => format!("{status}, {}", when(at, now)),
            _ => "never".into(),
        },
    ));
    for b in &job.bindings {
        let source = match b.source {
            BindingSource::Role(role) => role.to_string(),
            BindingSource::Placeholder => "placeholder".into(),
        };
        let name = match (&b.manager, &b.field) {
            (Some(m), Some(f)) => format!("{m}:{}#{f}", b.secret),
            (Some(m), None) => format!("{m}:{}", b.secret),
            (None, Some(f)) => format!("{}#{f}", b.secret),
            (None, None) => b.secret.clone(),
        };
        let status = match (b.secret_status, b.in_trash, &b.manager) {
            (_, _, Some(_)) => "external".to_owned(),
            (_, true, _) => "in the trash".to_owned(),
            (Some(status), false, _) => status.to_string(),
            (None, false, _) => "missing".to_owned(),
        };
        rows.push(("secret", format!("{name} ({source}, {status})")));
    }
    if let Some(keys) = job.state["ssh_known_hosts"].as_array() {
        rows.push(("pinned host keys", keys.len().to_string()));
    }
    rows.push(("id", job.id.to_string()));
    pairs(&rows);
    Ok(())
}

fn print_run(run: &JobRun, now: Timestamp) {
    let mut rows: Vec<(&str, String)> = vec![
        ("run", format!("#{}", run.number)),
        ("status", run.status.to_string()),
        ("trigger", run.trigger.as_str().to_owned()),
        ("started", when(run.started_at, now)),
    ];
    if let Some(at) = run.finished_at {
        rows.push(("finished", when(at, now)));
    }
    if let Some(ms) = run.duration_ms {
        rows.push(("took", duration(ms)));
    }
    if let serde_json::Value::Object(map) = &run.result {
        for (k, v) in map {
            rows.push((
                "result",
                format!(
                    "{k}: {}",
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                ),
            ));
        }
    }
    if let Some(error) = &run.error {
        rows.push(("error", error.clone()));
    }
    pairs(&rows);
    if !run.log.is_empty() {
        println!("--- log ---\n{}", run.log);
    }
}

fn run(g: &Global, out: Out, target: &JobTarget, store_password_files: &[String]) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let needed = coffer_jobs::store_passwords_needed(&mut vault, &reference(target))?;
    let passwords = crate::input::store_passwords(&needed, store_password_files)?;
    crate::signals::handle_during_run();
    let run = coffer_jobs::run_job_with(
        &mut vault,
        &reference(target),
        RunTrigger::Manual,
        &RunContext::default(),
        &passwords,
    );
    drop(passwords);
    // Cancelled: the run was recorded as failed and its scratch removed.
    crate::signals::exit_if_cancelled();
    let run = run?;
    if out.json {
        out.json(&run)?;
    } else {
        print_run(&run, vault.now());
    }
    match run.status {
        RunStatus::Succeeded => Ok(()),
        RunStatus::Refused => Err(Failure::Exit(6)),
        _ => Err(Failure::Exit(1)),
    }
}

fn runs(g: &Global, out: Out, target: &JobTarget, limit: u32) -> Result<()> {
    let vault = unlock::open_unlocked(g, out)?;
    let runs = vault.job_runs(&reference(target), limit)?;
    if out.json {
        return Ok(out.json(&runs)?);
    }
    if runs.is_empty() {
        println!("No runs yet.");
        return Ok(());
    }
    let now = vault.now();
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                format!("#{}", r.number),
                r.status.to_string(),
                r.trigger.as_str().to_owned(),
                when(r.started_at, now),
                r.duration_ms.map(duration).unwrap_or_default(),
                r.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &["RUN", "STATUS", "TRIGGER", "STARTED", "TOOK", "ERROR"],
        &rows,
    );
    Ok(())
}

/// A run's duration: milliseconds below a second, then seconds, then minutes.
fn duration(ms: u32) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", f64::from(ms) / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
    }
}

fn approve(g: &Global, out: Out, target: &JobTarget) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let (job, added) = coffer_jobs::define::approve_references(&mut vault, &reference(target))?;
    if out.json {
        return Ok(out.json(&json!({ "job": job.name, "approved": added }))?);
    }
    if added.is_empty() {
        println!(
            "job {}: its template uses no secret beyond those approved",
            job.name
        );
    } else {
        println!("job {}: approved {}", job.name, added.join(", "));
    }
    Ok(())
}

/// Runs a `coffer job` command.
pub fn run_command(g: &Global, out: Out, command: JobCommand) -> Result<()> {
    match command {
        JobCommand::Add(options) => add(g, out, *options),
        JobCommand::List { org } => list(g, out, org.as_deref()),
        JobCommand::Show { target } => show(g, out, &target),
        JobCommand::Run {
            target,
            store_password_file,
        } => run(g, out, &target, &store_password_file),
        JobCommand::Runs { target, limit } => runs(g, out, &target, limit),
        JobCommand::Approve { target } => approve(g, out, &target),
        JobCommand::Enable { target } => switch(g, out, &target, true),
        JobCommand::Disable { target } => switch(g, out, &target, false),
        JobCommand::Delete { target } => {
            let mut vault = unlock::open_unlocked(g, out)?;
            vault.delete_job(&reference(&target))?;
            if out.json {
                return Ok(out.json(&json!({ "deleted": target.name }))?);
            }
            println!("job {} deleted", target.name);
            Ok(())
        }
    }
}

/// Switches a job's schedule on or off.
fn switch(g: &Global, out: Out, target: &JobTarget, enabled: bool) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let change = coffer_core::job::JobChange {
        enabled: Some(enabled),
        ..Default::default()
    };
    let job = vault.update_job(&reference(target), change)?;
    if out.json {
        return Ok(out.json(&job)?);
    }
    match (enabled, job.schedule.is_some(), job.next_run_at) {
        (true, true, Some(next)) => println!("job {} scheduled: next run {next}", job.name),
        (true, false, _) => println!("job {} enabled (it has no schedule)", job.name),
        _ if enabled => println!("job {} enabled", job.name),
        _ => println!("job {} schedule off", job.name),
    }
    Ok(())
}
