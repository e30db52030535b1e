//! The team vault's audit view and invitations: the chain verified (from
//! this desktop's checkpoint) before any entry is shown, filtered by member
//! and action here; invitations listed and revoked by administrators. A few
//! lines each over `coffer_team`.

use coffer_core::Timestamp;
use serde::Serialize;
use tauri::State;

use crate::commands::team::with_connected;
use crate::error::IpcResult;
use crate::state::AppState;

/// One verified audit entry.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamAuditEntry {
    /// Its position in the chain.
    pub seq: f64,
    /// When its author's clock said it happened.
    pub at: Timestamp,
    /// The author's member id.
    pub actor: String,
    /// The author's display name, where this member may read it.
    pub actor_name: Option<String>,
    /// What was done (`member.confirm`, `secret.reveal`, ...).
    pub action: String,
    /// The id it was done to.
    pub target: String,
}

/// The audit as the Team vault page shows it: every entry matching the
/// filters, the whole chain verified first (a chain that does not verify is
/// an error, `tampered`, and nothing is listed).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamAudit {
    /// Matching entries, newest first.
    pub entries: Vec<TeamAuditEntry>,
    /// Entries in the chain (before filtering).
    pub total: u32,
    /// The last entry verified: "chain verified up to ...".
    pub verified_seq: Option<f64>,
    /// Its time.
    pub verified_at: Option<Timestamp>,
    /// Every action in the chain, for the filter.
    pub actions: Vec<String>,
}

/// The audit, verified, filtered by member id (`actor`) and `action`.
#[tauri::command(async)]
#[specta::specta]
pub async fn team_audit(
    state: State<'_, AppState>,
    team: Option<String>,
    actor: Option<String>,
    action: Option<String>,
) -> IpcResult<TeamAudit> {
    let (entries, verified) = with_connected(&state, team, |t, _| {
        let entries = t.audit_entries()?;
        Ok((entries, t.audit_verified()))
    })
    .await?;
    let mut actions: Vec<String> = entries.iter().map(|e| e.action.clone()).collect();
    actions.sort();
    actions.dedup();
    let total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let entries = entries
        .into_iter()
        .rev()
        .filter(|e| actor.as_deref().is_none_or(|a| e.actor == a))
        .filter(|e| action.as_deref().is_none_or(|a| e.action == a))
        .map(|e| TeamAuditEntry {
            // Positions far below 2^53: exact as JSON numbers.
            seq: e.seq as f64,
            at: e.at,
            actor: e.actor,
            actor_name: e.actor_name,
            action: e.action,
            target: e.target,
        })
        .collect();
    Ok(TeamAudit {
        entries,
        total,
        verified_seq: verified.map(|v| v.seq as f64),
        verified_at: verified.map(|v| v.at),
        actions,
    })
}

/// An invitation as administrators see it (never its code).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamInvitationInfo {
    /// Its id.
    pub id: String,
    /// The role it grants.
    pub role: String,
    /// `open` (pending), `used`, `expired` or `revoked`, now.
    pub state: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was used.
    pub used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// The administrator who made it.
    pub created_by: String,
}

fn info(i: coffer_team::InvitationInfo, now: Timestamp) -> TeamInvitationInfo {
    TeamInvitationInfo {
        state: i.state(now).to_owned(),
        id: i.id,
        role: i.role,
        expires_at: i.expires_at,
        used_at: i.used_at,
        revoked_at: i.revoked_at,
        created_by: i.created_by,
    }
}

/// Every invitation, newest first (administrators; others get `forbidden`).
#[tauri::command(async)]
#[specta::specta]
pub async fn team_invitations(
    state: State<'_, AppState>,
    team: Option<String>,
) -> IpcResult<Vec<TeamInvitationInfo>> {
    with_connected(&state, team, |t, now| {
        Ok(t.invitations()?.into_iter().map(|i| info(i, now)).collect())
    })
    .await
}

/// Revokes an invitation (administrators): its ticket no longer works.
#[tauri::command(async)]
#[specta::specta]
pub async fn revoke_team_invitation(
    state: State<'_, AppState>,
    team: Option<String>,
    invitation: String,
) -> IpcResult<TeamInvitationInfo> {
    with_connected(&state, team, move |t, now| {
        Ok(info(t.revoke(&invitation, now)?, now))
    })
    .await
}
