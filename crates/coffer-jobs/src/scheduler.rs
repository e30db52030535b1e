//! The scheduler: inside the desktop app, while it is open, runs jobs whose
//! schedule is due. A job that came due while the app was closed runs once
//! on the next start, marked `missed`. The vault is held only to start and
//! to record a run; the work itself runs on a blocking thread.

use std::sync::Arc;
use std::time::Duration;

use coffer_core::job::{Job, JobRef, JobRun, RunTrigger};
use coffer_core::{Timestamp, Vault};

use crate::error::{Error, Result};
use crate::runner::{self, Prepared, RunContext};

/// How the scheduler reaches the vault the app holds.
pub trait VaultAccess: Send + Sync + 'static {
    /// Calls `f` with the open vault (locked or not); false when none is open.
    fn with_vault(&self, f: &mut dyn FnMut(&mut Vault)) -> bool;
}

/// What the scheduler reports (for notifications and refreshing screens).
#[derive(Debug, Clone)]
pub enum SchedulerEvent {
    /// A run started.
    Started {
        /// The job's name.
        job: String,
        /// Why.
        trigger: RunTrigger,
    },
    /// A run ended (including refused ones).
    Finished(Box<JobRun>),
    /// A due job could not be started (a run already under way, the vault locked).
    Skipped {
        /// The job's name.
        job: String,
        /// Why.
        reason: String,
    },
}

/// The trigger of a due job: `missed` when it came due before `since` (the
/// scheduler's start), `schedule` otherwise.
pub fn trigger_for(job: &Job, since: Timestamp) -> RunTrigger {
    match job.next_run_at {
        Some(at) if at < since => RunTrigger::Missed,
        _ => RunTrigger::Schedule,
    }
}

/// Jobs due now, each with its trigger.
pub fn due(vault: &Vault, since: Timestamp) -> Result<Vec<(Job, RunTrigger)>> {
    Ok(vault
        .due_jobs()?
        .into_iter()
        .map(|job| {
            let trigger = trigger_for(&job, since);
            (job, trigger)
        })
        .collect())
}

/// Runs every due job now, one after the other (the CLI's and the tests'
/// synchronous scheduler tick).
pub fn run_due(vault: &mut Vault, since: Timestamp, ctx: &RunContext) -> Result<Vec<JobRun>> {
    let mut runs = Vec::new();
    for (job, trigger) in due(vault, since)? {
        let reference = JobRef::Id(job.id);
        match runner::run_job(vault, &reference, trigger, ctx) {
            Ok(run) => runs.push(run),
            Err(Error::Core(coffer_core::Error::JobRunning { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(runs)
}

/// Runs one job through `access`: prepared and completed with the vault,
/// executed on a blocking thread without it. `passwords` (store passwords
/// a person gave for a manual run) are dropped once the secrets are open.
pub async fn run_with_access(
    access: Arc<dyn VaultAccess>,
    job: JobRef,
    trigger: RunTrigger,
    ctx: RunContext,
    passwords: crate::StorePasswords,
) -> Result<JobRun> {
    let mut prepared: Option<Result<Prepared>> = None;
    let open = access.with_vault(&mut |vault| {
        prepared = Some(runner::prepare_in(
            vault,
            &job,
            trigger,
            &passwords,
            Some(&ctx.remotes),
        ));
    });
    drop(passwords);
    if !open {
        return Err(Error::Core(coffer_core::Error::Locked));
    }
    let prepared = prepared.ok_or(Error::Core(coffer_core::Error::Locked))??;
    let ready = match prepared {
        Prepared::Finished(run) => return Ok(run),
        Prepared::Ready(ready) => ready,
    };
    let finished = tokio::task::spawn_blocking(move || runner::execute(*ready, &ctx))
        .await
        .map_err(|e| Error::process(format!("the run's thread failed: {e}")))?;
    let mut completed: Option<Result<JobRun>> = None;
    let mut finished = Some(finished);
    access.with_vault(&mut |vault| {
        if let Some(finished) = finished.take() {
            completed = Some(runner::complete(vault, finished));
        }
    });
    completed.unwrap_or(Err(Error::Core(coffer_core::Error::Locked)))
}

/// Runs the scheduler until `stop` resolves: every `poll`, due jobs start
/// (each on its own task; a job never overlaps itself).
pub async fn run_scheduler(
    access: Arc<dyn VaultAccess>,
    ctx: RunContext,
    poll: Duration,
    events: Arc<dyn Fn(SchedulerEvent) + Send + Sync>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut since: Option<Timestamp> = None;
    let mut stop = stop;
    loop {
        let mut found: Vec<(Job, RunTrigger)> = Vec::new();
        access.with_vault(&mut |vault| {
            if !vault.is_unlocked() {
                return;
            }
            let start = *since.get_or_insert_with(|| vault.now());
            match due(vault, start) {
                Ok(list) => found = list,
                Err(e) => events(SchedulerEvent::Skipped {
                    job: String::new(),
                    reason: e.to_string(),
                }),
            }
        });
        for (job, trigger) in found {
            let access = access.clone();
            let ctx = ctx.clone();
            let events = events.clone();
            events(SchedulerEvent::Started {
                job: job.name.clone(),
                trigger,
            });
            tokio::spawn(async move {
                match run_with_access(
                    access,
                    JobRef::Id(job.id),
                    trigger,
                    ctx,
                    crate::StorePasswords::new(),
                )
                .await
                {
                    Ok(run) => events(SchedulerEvent::Finished(Box::new(run))),
                    Err(e) => events(SchedulerEvent::Skipped {
                        job: job.name.clone(),
                        reason: e.to_string(),
                    }),
                }
            });
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
