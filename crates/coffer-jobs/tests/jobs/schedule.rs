//! Schedules: cron parsing, next runs against a fixed clock, missed runs
//! detected on start, and the scheduler loop running a due job.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use coffer_core::job::{
    CommandSpec, CronExpr, JobRef, JobSpec, NewJob, RunStatus, RunTrigger, Schedule,
};
use coffer_core::{Timestamp, Vault};
use coffer_jobs::scheduler::{SchedulerEvent, VaultAccess, run_due, run_scheduler};

use crate::support::Fixture;

fn at(text: &str) -> Timestamp {
    Timestamp::parse("t", text).unwrap()
}

fn next(expr: &str, after: &str) -> String {
    CronExpr::parse(expr)
        .unwrap()
        .next_after(at(after))
        .unwrap()
        .to_rfc3339()
}

#[test]
fn cron_expressions_parse_and_compute_next_runs() {
    assert_eq!(
        next("*/15 * * * *", "2026-03-01T08:01:00Z"),
        "2026-03-01T08:15:00Z"
    );
    assert_eq!(
        next("30 2-4 * * *", "2026-03-01T03:31:00Z"),
        "2026-03-01T04:30:00Z"
    );
    assert_eq!(
        next("0 8,12,18 * * *", "2026-03-01T12:00:00Z"),
        "2026-03-01T18:00:00Z"
    );
    // 2026-03-01 is a Sunday.
    assert_eq!(
        next("0 9 * * MON-FRI", "2026-03-01T10:00:00Z"),
        "2026-03-02T09:00:00Z"
    );
    assert_eq!(
        next("0 9 * * sat,SUN", "2026-03-02T10:00:00Z"),
        "2026-03-07T09:00:00Z"
    );
    assert_eq!(
        next("0 0 1 */3 *", "2026-03-01T00:00:00Z"),
        "2026-04-01T00:00:00Z"
    );
    assert_eq!(
        next("@hourly", "2026-03-01T10:59:59Z"),
        "2026-03-01T11:00:00Z"
    );
    for bad in [
        "*/15 * * *",
        "61 * * * *",
        "* * * * FUNDAY",
        "1-2-3 * * * *",
    ] {
        assert!(CronExpr::parse(bad).is_err(), "{bad}");
    }
}

fn scheduled(fx: &mut Fixture, name: &str, schedule: Schedule) {
    let mut job = NewJob::new(
        name,
        JobSpec::Command(CommandSpec {
            program: "/bin/true".into(),
            args: vec![],
            env: Default::default(),
            working_dir: None,
            timeout_seconds: None,
        }),
    );
    job.schedule = Some(schedule);
    coffer_jobs::define::create_job(fx, job).unwrap();
}

#[test]
fn due_jobs_run_on_schedule_and_missed_ones_on_start() {
    let mut fx = Fixture::new();
    fx.clock.set(at("2026-03-01T10:07:00Z"));
    scheduled(
        &mut fx,
        "quarterly",
        Schedule::cron("*/15 * * * *").unwrap(),
    );
    let job = fx.job(&JobRef::named("quarterly")).unwrap();
    assert_eq!(
        job.next_run_at.unwrap().to_rfc3339(),
        "2026-03-01T10:15:00Z"
    );
    let ctx = fx.context();
    let since = fx.now();
    assert!(run_due(&mut fx, since, &ctx).unwrap().is_empty());
    fx.clock.set(at("2026-03-01T10:15:20Z"));
    let runs = run_due(&mut fx, since, &ctx).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].trigger, RunTrigger::Schedule);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    let job = fx.job(&JobRef::named("quarterly")).unwrap();
    assert_eq!(
        job.next_run_at.unwrap().to_rfc3339(),
        "2026-03-01T10:30:00Z"
    );
    // Coffer is closed until noon: on start the job runs once, as missed.
    fx.clock.set(at("2026-03-01T12:00:05Z"));
    let start = fx.now();
    let runs = run_due(&mut fx, start, &ctx).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].trigger, RunTrigger::Missed);
    let job = fx.job(&JobRef::named("quarterly")).unwrap();
    assert_eq!(
        job.next_run_at.unwrap().to_rfc3339(),
        "2026-03-01T12:15:00Z"
    );
    assert!(run_due(&mut fx, start, &ctx).unwrap().is_empty());
}

struct Held(Mutex<Option<Vault>>);

impl VaultAccess for Held {
    fn with_vault(&self, f: &mut dyn FnMut(&mut Vault)) -> bool {
        match self.0.lock().unwrap().as_mut() {
            Some(vault) => {
                f(vault);
                true
            }
            None => false,
        }
    }
}

#[test]
fn the_scheduler_loop_runs_due_jobs() {
    let mut fx = Fixture::new();
    scheduled(&mut fx, "every-minute", Schedule::every("1m").unwrap());
    let ctx = fx.context();
    fx.clock.advance(61);
    let held = Arc::new(Held(Mutex::new(Some(fx.take()))));
    let events: Arc<Mutex<Vec<SchedulerEvent>>> = Arc::default();
    let seen = events.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    runtime.block_on(async {
        let scheduler = tokio::spawn(run_scheduler(
            held.clone(),
            ctx,
            Duration::from_millis(50),
            Arc::new(move |e| seen.lock().unwrap().push(e)),
            stop_rx,
        ));
        for _ in 0..200 {
            if events
                .lock()
                .unwrap()
                .iter()
                .any(|e| matches!(e, SchedulerEvent::Finished(_)))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop_tx.send(true).unwrap();
        scheduler.await.unwrap();
    });
    let events = events.lock().unwrap();
    let finished: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SchedulerEvent::Finished(run) => Some(run),
            _ => None,
        })
        .collect();
    assert_eq!(finished.len(), 1, "{events:?}");
    // Due before the scheduler started: a missed run.
    assert_eq!(finished[0].trigger, RunTrigger::Missed);
    assert_eq!(finished[0].status, RunStatus::Succeeded);
}
