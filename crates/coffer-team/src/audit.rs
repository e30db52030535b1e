//! The team vault's audit chain, verified from any desktop: entries in
//! order, each chaining to the previous entry's hash, its hash recomputed,
//! and signed by its author, a confirmed member of the verified roster. A
//! rewritten, removed or forged entry is `tampered`.

use coffer_core::Timestamp;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::records;
use crate::team::TeamVault;

/// An audit entry that verified.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Its position.
    pub seq: i64,
    /// When its author's clock said it happened.
    pub at: Timestamp,
    /// The author's member id.
    pub actor: String,
    /// The author's display name, opened on this desktop (none where this
    /// member may not read it).
    pub actor_name: Option<String>,
    /// What was done (`team.create`, `member.invite`, `member.confirm`, ...).
    pub action: String,
    /// The id it was done to.
    pub target: String,
}

impl TeamVault {
    /// Every audit entry, the whole chain verified first.
    pub fn audit_entries(&mut self) -> Result<Vec<AuditEntry>> {
        let roster = self.roster()?;
        let names: std::collections::HashMap<String, String> = self
            .members()?
            .into_iter()
            .filter_map(|m| Some((m.id, m.display_name?)))
            .collect();
        let server = self.me.server.clone();
        let rows = self
            .client
            .query(
                "SELECT seq, at, actor, action, target, prev, hash, sig FROM coffer.audit
                 ORDER BY seq",
                &[],
            )
            .map_err(|e| crate::connect::query_error(&server, "reading the audit", &e))?;
        let team = self.me.team_id;
        let mut expected_prev = vec![0u8; 32];
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.get(0);
            let at: i64 = row.get(1);
            let actor: uuid::Uuid = row.get(2);
            let action: String = row.get(3);
            let target: String = row.get(4);
            let prev: Vec<u8> = row.get(5);
            let hash: Vec<u8> = row.get(6);
            let sig: Vec<u8> = row.get(7);
            let what = format!("audit entry {seq}");
            if prev != expected_prev {
                return Err(Error::tampered(format!("{what} (the chain is broken)")));
            }
            let computed =
                records::audit_hash(&team, &prev, at, actor.as_bytes(), &action, &target);
            if computed[..] != hash[..] {
                return Err(Error::tampered(what));
            }
            let author = roster
                .confirmed(actor.as_bytes())
                .ok_or_else(|| Error::tampered(format!("{what} (its author is no member)")))?;
            author.keys.verify(&hash, &sig, &what)?;
            expected_prev = hash;
            out.push(AuditEntry {
                seq,
                at: Timestamp::from_unix(at),
                actor_name: names.get(&actor.to_string()).cloned(),
                actor: actor.to_string(),
                action,
                target,
            });
        }
        Ok(out)
    }
}
