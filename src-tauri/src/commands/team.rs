//! The team vault (`coffer-team` on PostgreSQL): status, create, join,
//! invite, members, confirm, remove (the audit view and invitations are in
//! `team_audit`). Each command is a few lines over the team
//! API. The vault is held while the connection is opened (the API reads
//! this member's identity and CA from it then) and released before the
//! queries, so other commands wait at most for the connect timeout.

use std::sync::Arc;

use coffer_core::{ErrorCode, Timestamp, Vault};
use coffer_team::{CreateOptions, JoinOptions, Role, TeamVault};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, lock};

/// A team vault this local vault belongs to (read locally, no network).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamVaultEntry {
    /// The team vault's id.
    pub team_id: String,
    /// Its server (host:port/database).
    pub server: String,
    /// When this vault joined or created it.
    pub joined_at: Timestamp,
}

/// Where this member stands in a team vault.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamStatus {
    /// The team vault's id.
    pub team_id: String,
    /// host:port/database.
    pub server: String,
    /// This member's id.
    pub member_id: String,
    /// This member's fingerprint (five groups of four hex digits).
    pub fingerprint: String,
    /// `pending`, `active` or `removed`.
    pub state: String,
    /// `administrator` or `member`, once confirmed.
    pub role: Option<String>,
    /// The server's schema version, once confirmed.
    pub schema_version: Option<i32>,
    /// The revision counter, once confirmed.
    pub revision: Option<f64>,
}

impl From<coffer_team::Status> for TeamStatus {
    fn from(s: coffer_team::Status) -> Self {
        Self {
            team_id: s.team_id,
            server: s.server,
            member_id: s.member_id,
            fingerprint: s.fingerprint,
            state: s.state,
            role: s.role,
            schema_version: s.schema_version,
            // A counter far below 2^53: exact as a JSON number.
            revision: s.revision.map(|r| r as f64),
        }
    }
}

/// A member as the administrator's table shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamMember {
    /// The member's id.
    pub id: String,
    /// The display name, when this member may read it.
    pub display_name: Option<String>,
    /// `administrator` or `member`.
    pub role: String,
    /// `pending`, `active` or `removed`.
    pub status: String,
    /// The fingerprint of the member's public keys.
    pub fingerprint: String,
    /// The administrator who confirmed the member.
    pub confirmed_by: Option<String>,
}

impl From<coffer_team::Member> for TeamMember {
    fn from(m: coffer_team::Member) -> Self {
        Self {
            id: m.id,
            display_name: m.display_name,
            role: m.role,
            status: m.status,
            fingerprint: m.fingerprint,
            confirmed_by: m.confirmed_by,
        }
    }
}

/// What creating a team vault did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamCreated {
    /// The team vault's id.
    pub team_id: String,
    /// The creator's member id.
    pub member_id: String,
    /// The creator's fingerprint.
    pub fingerprint: String,
    /// host:port/database.
    pub server: String,
    /// The SQL for a database administrator, when it was printed, not run.
    pub sql: Option<String>,
}

/// An invitation: its ticket is a credential, shown once.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamInvitation {
    /// The invitation's id.
    pub id: String,
    /// The ticket to hand over out of band.
    pub ticket: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A team-vault error for the UI, with its stable code.
pub fn team_error(error: coffer_team::Error) -> IpcError {
    use coffer_team::Error as E;
    let code = match &error {
        E::InvalidInput { .. } => ErrorCode::InvalidInput,
        E::Unreachable { .. } => ErrorCode::Unreachable,
        E::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
        E::NeedsDba { .. } => ErrorCode::NeedsDba,
        E::Forbidden { .. } => ErrorCode::Forbidden,
        E::InvitationInvalid => ErrorCode::InvitationInvalid,
        E::FingerprintMismatch { .. } => ErrorCode::FingerprintMismatch,
        E::Tampered { .. } => ErrorCode::Tampered,
        E::NotFound { .. } | E::NoIdentity { .. } => ErrorCode::NotFound,
        E::LastAdmin => ErrorCode::Refused,
        E::Rollback { .. } => ErrorCode::Tampered,
        E::Database { .. } => ErrorCode::Remote,
        E::Conflict { .. } | E::MembershipChanged { .. } => ErrorCode::Conflict,
        E::NameTaken { .. } => ErrorCode::AlreadyExists,
        E::Vault(_) => match error {
            E::Vault(e) => return e.into(),
            _ => return IpcError::internal("unreachable team error"),
        },
        _ => return IpcError::internal(error.to_string()),
    };
    IpcError::new(code, error.to_string())
}

/// Runs `f` with the vault on a blocking thread (local work and the
/// create/join round trips, which must save the identity they make).
async fn with_team_vault<T, F>(state: &AppState, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Vault) -> coffer_team::Result<T> + Send + 'static,
{
    let vault = Arc::clone(&state.vault);
    tauri::async_runtime::spawn_blocking(move || {
        let mut slot = lock(&vault);
        let vault = slot
            .as_mut()
            .ok_or_else(|| IpcError::new(ErrorCode::NoVault, "No vault is open yet."))?;
        f(vault).map_err(team_error)
    })
    .await
    .map_err(|e| IpcError::internal(format!("a team-vault task failed: {e}")))?
}

/// Connects as this member (holding the vault only for that), then runs
/// `f` on the connection with the vault's time, the vault released; then
/// keeps the audit checkpoint the connection verified (the vault held
/// again, briefly), so the next verification starts from it.
pub(crate) async fn with_connected<T, F>(
    state: &AppState,
    team: Option<String>,
    f: F,
) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut TeamVault, Timestamp) -> coffer_team::Result<T> + Send + 'static,
{
    let vault = Arc::clone(&state.vault);
    tauri::async_runtime::spawn_blocking(move || {
        let (mut connected, now) = {
            let mut slot = lock(&vault);
            let vault = slot
                .as_mut()
                .ok_or_else(|| IpcError::new(ErrorCode::NoVault, "No vault is open yet."))?;
            let connected = TeamVault::open(vault, team.as_deref()).map_err(team_error)?;
            (connected, vault.now())
        };
        let out = f(&mut connected, now).map_err(team_error)?;
        // Locked (or closed) meanwhile: the checkpoint waits for next time.
        if let Some(vault) = lock(&vault).as_mut().filter(|v| v.is_unlocked()) {
            connected.keep_checkpoint(vault).map_err(team_error)?;
        }
        Ok(out)
    })
    .await
    .map_err(|e| IpcError::internal(format!("a team-vault task failed: {e}")))?
}

/// The team vaults this vault belongs to (no network).
#[tauri::command(async)]
#[specta::specta]
pub async fn team_vaults(state: State<'_, AppState>) -> IpcResult<Vec<TeamVaultEntry>> {
    let known = with_team_vault(&state, |v| Ok(v.team_identities()?)).await?;
    Ok(known
        .into_iter()
        .map(|i| TeamVaultEntry {
            team_id: i.team_id,
            server: i.label,
            joined_at: i.created_at,
        })
        .collect())
}

/// Where this member stands: confirmed (with role, schema, revision) or
/// pending. An unreachable server is an error after the connect timeout.
/// The status queries run with the vault released.
#[tauri::command(async)]
#[specta::specta]
pub async fn team_status(
    state: State<'_, AppState>,
    team: Option<String>,
) -> IpcResult<TeamStatus> {
    let vault = Arc::clone(&state.vault);
    tauri::async_runtime::spawn_blocking(move || {
        let mut connected = {
            let mut slot = lock(&vault);
            let vault = slot
                .as_mut()
                .ok_or_else(|| IpcError::new(ErrorCode::NoVault, "No vault is open yet."))?;
            match TeamVault::open(vault, team.as_deref()) {
                Ok(connected) => connected,
                // The server refuses a member not confirmed yet: the API
                // answers "pending" from the local identity.
                Err(coffer_team::Error::Forbidden { .. }) => {
                    return coffer_team::status(vault, team.as_deref())
                        .map(TeamStatus::from)
                        .map_err(team_error);
                }
                Err(e) => return Err(team_error(e)),
            }
        };
        connected.status().map(TeamStatus::from).map_err(team_error)
    })
    .await
    .map_err(|e| IpcError::internal(format!("a team-vault task failed: {e}")))?
}

/// Creates a team vault (or, with `print_sql`, returns the SQL a database
/// administrator runs) and keeps the creator's identity in this vault.
// A command's arguments are its IPC fields, one per form field.
#[allow(clippy::too_many_arguments)]
#[tauri::command(async)]
#[specta::specta]
pub async fn create_team_vault(
    state: State<'_, AppState>,
    connection: String,
    password_secret: Option<String>,
    ca_secret: Option<String>,
    client_cert: Option<String>,
    display_name: String,
    org_name: String,
    print_sql: bool,
) -> IpcResult<TeamCreated> {
    let options = CreateOptions {
        connection,
        password_secret,
        ca_secret,
        display_name,
        org_name,
        client_cert,
    };
    let c = with_team_vault(&state, move |v| coffer_team::create(v, &options, print_sql)).await?;
    Ok(TeamCreated {
        team_id: c.team_id,
        member_id: c.member_id,
        fingerprint: c.fingerprint,
        server: c.server,
        sql: c.sql,
    })
}

/// Joins with an invitation ticket; the member stays pending until an
/// administrator confirms the fingerprint this returns. `client_cert` names
/// a certificate secret (with its private key) for servers that ask for one.
#[tauri::command(async)]
#[specta::specta]
pub async fn join_team_vault(
    state: State<'_, AppState>,
    ticket: String,
    display_name: String,
    ca_secret: Option<String>,
    client_cert: Option<String>,
) -> IpcResult<TeamStatus> {
    let ticket = SecretString::from(ticket);
    let options = JoinOptions {
        ca_secret,
        client_cert,
    };
    let status = with_team_vault(&state, move |v| {
        coffer_team::join_with(v, &ticket, &display_name, &options)
    })
    .await?;
    Ok(status.into())
}

/// Invites a member (`administrator` or `member`) for `expires_in_hours`.
#[tauri::command(async)]
#[specta::specta]
pub async fn invite_team_member(
    state: State<'_, AppState>,
    team: Option<String>,
    role: String,
    expires_in_hours: u32,
) -> IpcResult<TeamInvitation> {
    let role = Role::parse(&role).map_err(team_error)?;
    let ttl = i64::from(expires_in_hours) * 3600;
    let invitation = with_connected(&state, team, move |t, now| t.invite(role, ttl, now)).await?;
    Ok(TeamInvitation {
        id: invitation.id,
        ticket: invitation.ticket.expose_secret().to_owned(),
        expires_at: invitation.expires_at,
    })
}

/// Every member with role, status and fingerprint.
#[tauri::command(async)]
#[specta::specta]
pub async fn team_members(
    state: State<'_, AppState>,
    team: Option<String>,
) -> IpcResult<Vec<TeamMember>> {
    let members = with_connected(&state, team, |t, _| t.members()).await?;
    Ok(members.into_iter().map(TeamMember::from).collect())
}

/// Confirms a pending member once the fingerprint they read out matches.
#[tauri::command(async)]
#[specta::specta]
pub async fn confirm_team_member(
    state: State<'_, AppState>,
    team: Option<String>,
    member: String,
    fingerprint: String,
) -> IpcResult<TeamMember> {
    let confirmed = with_connected(&state, team, move |t, now| {
        t.confirm(&member, &fingerprint, now)
    })
    .await?;
    Ok(confirmed.into())
}

/// A secret the removed member could read.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamToRotate {
    /// The organization's id.
    pub org_id: String,
    /// The secret's id.
    pub secret_id: String,
    /// The secret's name.
    pub name: String,
}

/// What removing a member did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TeamRemoved {
    /// The removed member's id.
    pub member_id: String,
    /// Their display name, where readable.
    pub display_name: Option<String>,
    /// How many organizations moved to a new key epoch.
    pub organizations_rekeyed: u32,
    /// The home organization's new epoch.
    pub epoch: i32,
    /// The secrets whose values should be rotated (a key that was read
    /// cannot be taken back).
    pub to_rotate: Vec<TeamToRotate>,
}

/// Removes an active member (administrators): a new key epoch for the
/// others, the login revoked, and the secrets the member could read listed.
#[tauri::command(async)]
#[specta::specta]
pub async fn remove_team_member(
    state: State<'_, AppState>,
    team: Option<String>,
    member: String,
) -> IpcResult<TeamRemoved> {
    let r = with_connected(&state, team, move |t, now| t.remove(&member, now)).await?;
    Ok(TeamRemoved {
        member_id: r.member_id,
        display_name: r.display_name,
        organizations_rekeyed: u32::try_from(r.organizations_rekeyed).unwrap_or(u32::MAX),
        epoch: r.epoch,
        to_rotate: r
            .to_rotate
            .into_iter()
            .map(|t| TeamToRotate {
                org_id: t.org_id,
                secret_id: t.secret_id,
                name: t.name,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use coffer_core::ErrorCode;
    use coffer_team::Error;

    use super::team_error;

    #[test]
    fn team_errors_keep_their_codes_for_the_ui() {
        let server = || "127.0.0.1:5432/team".to_owned();
        let cases = [
            (
                Error::Unreachable {
                    server: server(),
                    operation: "connecting".into(),
                    reason: "refused".into(),
                },
                ErrorCode::Unreachable,
            ),
            (
                Error::SchemaTooNew {
                    found: 9,
                    supported: 1,
                },
                ErrorCode::SchemaTooNew,
            ),
            (
                Error::NeedsDba {
                    operation: "create".into(),
                    reason: "permission denied".into(),
                },
                ErrorCode::NeedsDba,
            ),
            (
                Error::Forbidden {
                    operation: "confirming".into(),
                    reason: "the server refused the login".into(),
                },
                ErrorCode::Forbidden,
            ),
            (Error::InvitationInvalid, ErrorCode::InvitationInvalid),
            (
                Error::FingerprintMismatch {
                    member: "b2".into(),
                },
                ErrorCode::FingerprintMismatch,
            ),
            (
                Error::Tampered {
                    what: "member b2".into(),
                },
                ErrorCode::Tampered,
            ),
            (
                Error::NoIdentity {
                    reason: "none".into(),
                },
                ErrorCode::NotFound,
            ),
            (
                Error::Database {
                    server: server(),
                    operation: "listing".into(),
                    reason: "boom".into(),
                },
                ErrorCode::Remote,
            ),
            (Error::LastAdmin, ErrorCode::Refused),
            (
                Error::Conflict {
                    secret: "s1".into(),
                    revision: 3,
                    version: 2,
                    author: "b2".into(),
                    at: coffer_core::Timestamp::from_unix(1_700_000_000),
                },
                ErrorCode::Conflict,
            ),
            (
                Error::NameTaken {
                    name: "db".into(),
                    org: "Platform".into(),
                },
                ErrorCode::AlreadyExists,
            ),
            (Error::Vault(coffer_core::Error::Locked), ErrorCode::Locked),
        ];
        for (error, code) in cases {
            let message = error.to_string();
            let ipc = team_error(error);
            assert_eq!(ipc.code, code, "{message}");
            assert_eq!(ipc.message, message);
        }
        let internal = team_error(Error::Internal("a bug".into()));
        assert_eq!(internal.code, ErrorCode::Internal);
        assert!(
            !internal.message.contains("a bug"),
            "internal details stay in detail"
        );
    }
}
