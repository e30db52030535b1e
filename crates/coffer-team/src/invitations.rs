//! Invitations as administrators see them (never the code: the server
//! keeps only its hash) and revoking one: a revoked code is refused by
//! `coffer.join_team` like a used or expired one.

use coffer_core::Timestamp;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::members::show_id;
use crate::team::{TeamVault, uuid};

/// An invitation, without its code.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationInfo {
    /// Its id.
    pub id: String,
    /// The role it grants.
    pub role: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was used, if it was.
    pub used_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// Who made it.
    pub created_by: String,
}

impl InvitationInfo {
    /// `open`, `used`, `revoked` or `expired` at `now`.
    pub fn state(&self, now: Timestamp) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.used_at.is_some() {
            "used"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "open"
        }
    }
}

impl TeamVault {
    fn require_admin(&mut self, operation: &str) -> Result<()> {
        let roster = self.roster()?;
        roster
            .admin(&self.me.member_id, "this member")
            .map(|_| ())
            .map_err(|_| Error::Forbidden {
                operation: operation.into(),
                reason: "only an administrator manages invitations".into(),
            })
    }

    /// Every invitation, newest first (administrators).
    pub fn invitations(&mut self) -> Result<Vec<InvitationInfo>> {
        self.require_admin("listing invitations")?;
        let server = self.me.server.clone();
        let rows = self
            .client
            .query(
                "SELECT id, role, extract(epoch FROM expires_at)::bigint,
                        extract(epoch FROM used_at)::bigint,
                        extract(epoch FROM revoked_at)::bigint, created_by
                 FROM coffer.invitations ORDER BY expires_at DESC, id",
                &[],
            )
            .map_err(|e| crate::connect::query_error(&server, "listing invitations", &e))?;
        Ok(rows
            .iter()
            .map(|row| {
                let at = |i: usize| row.get::<_, Option<i64>>(i).map(Timestamp::from_unix);
                InvitationInfo {
                    id: row.get::<_, uuid::Uuid>(0).to_string(),
                    role: row.get(1),
                    expires_at: Timestamp::from_unix(row.get(2)),
                    used_at: at(3),
                    revoked_at: at(4),
                    created_by: row.get::<_, uuid::Uuid>(5).to_string(),
                }
            })
            .collect())
    }

    /// Revokes an unused invitation (administrators): its code stops
    /// working at once. Audited (`invitation.revoke`).
    pub fn revoke(&mut self, invitation: &str, now: Timestamp) -> Result<InvitationInfo> {
        let wanted = invitation.trim().to_ascii_lowercase();
        let found: Vec<InvitationInfo> = self
            .invitations()?
            .into_iter()
            .filter(|i| !wanted.is_empty() && i.id.starts_with(&wanted))
            .collect();
        let target = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(Error::NotFound {
                    what: format!("an invitation {invitation:?}"),
                });
            }
            _ => {
                return Err(Error::invalid(
                    "invitation",
                    format!("{invitation:?} matches several invitations: give more of the id"),
                ));
            }
        };
        if target.used_at.is_some() || target.revoked_at.is_some() {
            return Err(Error::invalid(
                "invitation",
                format!("invitation {} is {} already", target.id, target.state(now)),
            ));
        }
        let id = uuid::Uuid::parse_str(&target.id)
            .map_err(|_| Error::Internal("an invitation id".into()))?;
        let me = &self.me;
        let server = me.server.clone();
        let fail = |e: postgres::Error| crate::connect::query_error(&server, "revoking", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let changed = tx
            .execute(
                "UPDATE coffer.invitations SET revoked_at = to_timestamp($2::bigint),
                        revoked_by = $3
                 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL",
                &[&id, &now.unix(), &uuid(&me.member_id)],
            )
            .map_err(fail)?;
        if changed != 1 {
            return Err(Error::invalid(
                "invitation",
                format!("invitation {id} was used or revoked meanwhile"),
            ));
        }
        Self::audit(
            &mut tx,
            me,
            now,
            "invitation.revoke",
            &show_id(id.as_bytes()),
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(InvitationInfo {
            revoked_at: Some(now),
            ..target
        })
    }
}
