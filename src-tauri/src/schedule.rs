//! The job scheduler inside the app: while Coffer is open and unlocked,
//! jobs whose schedule is due run; jobs that came due while it was closed
//! run once, marked `missed`. A scheduled run that fails raises a
//! notification that opens the job.

use std::sync::Arc;
use std::time::Duration;

use coffer_core::job::{RunStatus, RunTrigger};
use coffer_jobs::scheduler::{SchedulerEvent, run_scheduler};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

use crate::commands::jobs::SharedVault;
use crate::events::JobRunFinished;
use crate::state::AppState;

/// How often due jobs are looked for (cron has minute resolution).
const POLL: Duration = Duration::from_secs(15);

/// Starts the scheduler for the life of the app.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let access = Arc::new(SharedVault(Arc::clone(&state.vault)));
    let context = state.run_context.clone();
    let handle = app.clone();
    let events = Arc::new(move |event: SchedulerEvent| match event {
        SchedulerEvent::Finished(run) => {
            let _ = JobRunFinished {
                job_id: run.job_id,
                run: run.id,
                status: run.status,
            }
            .emit(&handle);
            if run.trigger != RunTrigger::Manual
                && matches!(run.status, RunStatus::Failed | RunStatus::Refused)
            {
                // The error is already redacted; it names files, hosts and placeholders.
                let body = run.error.clone().unwrap_or_else(|| run.status.to_string());
                let _ = handle
                    .notification()
                    .builder()
                    .title(format!("Job {} {}", run.job_name, run.status))
                    .body(body)
                    .extra("job_id", run.job_id.to_string())
                    .show()
                    .map_err(|e| eprintln!("coffer-desktop: notification failed: {e}"));
            }
        }
        SchedulerEvent::Skipped { job, reason } if !job.is_empty() => {
            eprintln!("coffer-desktop: job {job} did not run: {reason}");
        }
        SchedulerEvent::Skipped { .. } | SchedulerEvent::Started { .. } => {}
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tauri::async_runtime::spawn(async move {
        // Held for the life of the app: the scheduler stops with the process.
        let _stop = stop;
        run_scheduler(access, context, POLL, events, stopped).await;
    });
}
