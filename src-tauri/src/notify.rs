//! Expiry notifications: checked at start, every hour, and whenever a change
//! may have moved an expiry. One notification per secret version, expiry and
//! threshold; thresholds missed while the app was closed are folded into one,
//! and many at once are grouped.

use std::sync::Arc;
use std::time::Duration;

use coffer_core::{ExpiryNotice, Timestamp};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;
use tokio::sync::Notify;

use crate::events::{OpenJob, OpenSecret, OpenView};
use crate::shared::Shared;
use crate::state::{AppState, with_vault};
use crate::window;

/// More notices than this at once become one grouped notification.
const GROUP_ABOVE: usize = 3;

/// Starts the checker and the click handler.
pub fn spawn<R: Runtime>(app: &AppHandle<R>, wake: Arc<Notify>) {
    let handle = app.clone();
    let _ = app.notification().on_action(move |action| {
        if action.action_id() != "tap" {
            return;
        }
        let extra = action
            .notification()
            .map(|n| n.extra().clone())
            .unwrap_or_default();
        window::show_main(&handle);
        if let Some(Ok(id)) = extra
            .get("job_id")
            .and_then(|v| v.as_str())
            .map(coffer_core::job::JobId::parse)
        {
            let _ = OpenJob { id }.emit(&handle);
            return;
        }
        if let Some(id) = extra.get("shared_id").and_then(|v| v.as_str()) {
            let _ = OpenView {
                view: format!("shared/{id}"),
            }
            .emit(&handle);
            return;
        }
        match extra
            .get("secret_id")
            .and_then(|v| v.as_str())
            .map(coffer_core::secret::SecretId::parse)
        {
            Some(Ok(id)) => {
                let _ = OpenSecret { id }.emit(&handle);
            }
            _ => {
                let _ = OpenView {
                    view: "expiry".into(),
                }
                .emit(&handle);
            }
        }
    });
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            check(&app).await;
            let _ = tokio::time::timeout(Duration::from_secs(3600), wake.notified()).await;
            // Let a burst of changes settle into one check.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

async fn check<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let due = with_vault(&state, |v| {
        Ok((
            v.due_expiry_notices()?,
            v.now(),
            v.settings().notify_days_before.clone(),
        ))
    })
    .await;
    let Ok((mut notices, now, thresholds)) = due else {
        return;
    };
    // Shared secrets from the team vault's replica.
    let shared = app.state::<Arc<Shared>>();
    let local = notices.len();
    notices.extend(shared.due_notices(&thresholds, now));
    if notices.is_empty() {
        return;
    }
    let shown = if notices.len() > GROUP_ABOVE {
        show_group(app, &notices, now)
    } else {
        show_each(app, &notices, now)
    };
    if shown {
        shared.notified(&notices[local..]);
        notices.truncate(local);
        let _ = with_vault(&state, move |v| v.record_expiry_notices(&notices)).await;
    }
}

fn title(notice: &ExpiryNotice, now: Timestamp) -> &'static str {
    if notice.expires_at <= now {
        "Secret expired"
    } else {
        "Secret expiring soon"
    }
}

fn show_each<R: Runtime>(app: &AppHandle<R>, notices: &[ExpiryNotice], now: Timestamp) -> bool {
    notices.iter().all(|notice| {
        let body = format!("{} ({}, {})", notice.message(now), notice.kind, notice.org);
        // A shared secret opens its shared page.
        let key = if notice.org.ends_with(" (shared)") {
            "shared_id"
        } else {
            "secret_id"
        };
        app.notification()
            .builder()
            .title(title(notice, now))
            .body(body)
            .extra(key, notice.secret_id.to_string())
            .show()
            .map_err(|e| eprintln!("coffer-desktop: notification failed: {e}"))
            .is_ok()
    })
}

fn show_group<R: Runtime>(app: &AppHandle<R>, notices: &[ExpiryNotice], now: Timestamp) -> bool {
    let expired = notices.iter().filter(|n| n.expires_at <= now).count();
    let names: Vec<&str> = notices.iter().take(5).map(|n| n.name.as_str()).collect();
    let more = notices.len().saturating_sub(names.len());
    let mut body = names.join(", ");
    if more > 0 {
        body.push_str(&format!(" and {more} more"));
    }
    let title = format!(
        "{} secrets need attention ({expired} expired, {} expiring)",
        notices.len(),
        notices.len() - expired
    );
    app.notification()
        .builder()
        .title(title)
        .body(body)
        .show()
        .map_err(|e| eprintln!("coffer-desktop: notification failed: {e}"))
        .is_ok()
}
