//! The team vault's audit chain, verified from any desktop: entries in
//! order, each chaining to the previous entry's hash, its hash recomputed,
//! and signed by its author, a confirmed member of the verified roster. A
//! rewritten, removed or forged entry is `tampered`.

use coffer_core::Timestamp;
use serde::Serialize;

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::members::{Roster, show_id};
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
    /// What used a shared secret (`job NAME run N`), opened where this
    /// member holds the organization's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An entry of the verified chain, before names are attached.
pub(crate) struct ChainEntry {
    seq: i64,
    at: i64,
    actor: [u8; 16],
    action: String,
    target: String,
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
        let chain = self.verified_chain(&roster)?;
        let mut notes = self.notes()?;
        Ok(chain
            .into_iter()
            .map(|e| {
                let actor = show_id(&e.actor);
                AuditEntry {
                    seq: e.seq,
                    at: Timestamp::from_unix(e.at),
                    actor_name: names.get(&actor).cloned(),
                    actor,
                    action: e.action,
                    note: notes.remove(&e.seq),
                    target: e.target,
                }
            })
            .collect())
    }

    /// The notes of audit entries this member can open (of organizations it
    /// holds a key of), by entry. A note that does not open is `tampered`.
    fn notes(&mut self) -> Result<HashMap<i64, String>> {
        let fail = self.fail("reading the audit's notes");
        let rows = self
            .client
            .query(
                "SELECT seq, target, note FROM coffer.audit WHERE note IS NOT NULL ORDER BY seq",
                &[],
            )
            .map_err(fail)?;
        let team = self.me.team_id;
        let mut held: HashMap<[u8; 16], Option<crate::secrets::OrgContext>> = HashMap::new();
        let mut out = HashMap::new();
        for row in rows {
            let seq: i64 = row.get(0);
            let target: String = row.get(1);
            let note: Vec<u8> = row.get(2);
            let what = format!("audit entry {seq}");
            let (Some(org), Ok(secret)) = (
                note.get(..16).and_then(|o| <[u8; 16]>::try_from(o).ok()),
                uuid::Uuid::parse_str(&target),
            ) else {
                return Err(Error::tampered(format!("{what} (its note)")));
            };
            if !held.contains_key(&org) {
                let ctx = match self.org_context(&show_id(&org)) {
                    Ok(ctx) => Some(ctx),
                    Err(Error::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                };
                held.insert(org, ctx);
            }
            if let Some(Some(ctx)) = held.get(&org) {
                let text = crate::uses::open_note(&team, ctx, secret.as_bytes(), &note, &what)?;
                out.insert(seq, text);
            }
        }
        Ok(out)
    }

    /// The whole chain in order, each entry's link, hash and author's
    /// signature verified against `roster`, then the membership history
    /// checked against it ([`check_history`]).
    pub(crate) fn verified_chain(&mut self, roster: &Roster) -> Result<Vec<ChainEntry>> {
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
            out.push(ChainEntry {
                seq,
                at,
                actor: *actor.as_bytes(),
                action,
                target,
            });
        }
        check_history(roster, &out)?;
        Ok(out)
    }
}

/// The member rows against the verified chain, where each removal and
/// confirmation is an entry in order:
/// - nothing is signed by a member after its `member.remove` entry (a
///   removed member, even an administrator, colluding with the server);
/// - a member confirmed, or removed, by an administrator removed since was
///   confirmed (removed) before that administrator's removal: a signed
///   record replayed later is refused;
/// - a removed row has its `member.remove` entry, by the administrator who
///   signed the removal, and a row with such an entry is removed (a removal
///   the server undid).
fn check_history(roster: &Roster, chain: &[ChainEntry]) -> Result<()> {
    let mut removed_at: HashMap<[u8; 16], (usize, [u8; 16])> = HashMap::new();
    let mut confirmed_at: HashMap<[u8; 16], (usize, [u8; 16])> = HashMap::new();
    for (i, entry) in chain.iter().enumerate() {
        if removed_at.contains_key(&entry.actor) {
            return Err(Error::tampered(format!(
                "audit entry {} (signed by member {} after its removal)",
                entry.seq,
                show_id(&entry.actor)
            )));
        }
        let Ok(target) = uuid::Uuid::parse_str(&entry.target) else {
            continue;
        };
        match entry.action.as_str() {
            "member.remove" => {
                removed_at.insert(*target.as_bytes(), (i, entry.actor));
            }
            "member.confirm" => {
                confirmed_at.insert(*target.as_bytes(), (i, entry.actor));
            }
            _ => {}
        }
    }
    // Whether `by` did something (at position `at`) before its own removal.
    let before_removal_of =
        |by: &[u8; 16], at: usize| removed_at.get(by).is_none_or(|(removal, _)| at < *removal);
    for row in &roster.rows {
        let what = format!("member {}", show_id(&row.id));
        match (row.status.as_str(), removed_at.get(&row.id)) {
            ("removed", Some((at, by)))
                if row.removed_by != Some(*by) || !before_removal_of(by, *at) =>
            {
                return Err(Error::tampered(format!(
                    "{what} (its removal does not match the audit)"
                )));
            }
            ("removed", Some(_)) => {}
            ("removed", None) => {
                return Err(Error::tampered(format!(
                    "{what} (its removal is not in the audit)"
                )));
            }
            (_, Some(_)) => {
                return Err(Error::tampered(format!(
                    "{what} (active again after its removal in the audit)"
                )));
            }
            _ => {}
        }
        let Some(endorser) = row.endorsed_by.filter(|by| *by != row.id) else {
            continue;
        };
        if row.status == "pending" || !removed_at.contains_key(&endorser) {
            continue;
        }
        // Confirmed by an administrator removed since: only a confirmation
        // it made while it could stands.
        match confirmed_at.get(&row.id) {
            Some((at, by)) if *by == endorser && before_removal_of(by, *at) => {}
            _ => {
                return Err(Error::tampered(format!(
                    "{what} (confirmed by member {} after its removal)",
                    show_id(&endorser)
                )));
            }
        }
    }
    Ok(())
}

/// The audit actions that write a new revision of a shared secret (one
/// entry per revision, in the revision's transaction): the n-th of them
/// naming a secret is that secret's revision n.
pub(crate) const SECRET_WRITES: [&str; 4] = [
    "secret.create",
    "secret.update",
    "secret.delete",
    "secret.restore",
];

/// Who wrote each revision of each shared secret, by the verified chain:
/// `writers[secret][n - 1]` wrote revision n. A write entry by a member
/// before its confirmation is `tampered` (a write after its removal already
/// is, [`check_history`]), so a revision's author had the right to write
/// it when it did.
pub(crate) fn secret_writers(
    roster: &Roster,
    chain: &[ChainEntry],
) -> Result<HashMap<[u8; 16], Vec<[u8; 16]>>> {
    // The first administrator confirmed itself at creation.
    let mut confirmed: std::collections::HashSet<[u8; 16]> = roster
        .rows
        .iter()
        .filter(|r| r.endorsed_by == Some(r.id))
        .map(|r| r.id)
        .collect();
    let mut writers: HashMap<[u8; 16], Vec<[u8; 16]>> = HashMap::new();
    for entry in chain {
        let Ok(target) = uuid::Uuid::parse_str(&entry.target) else {
            continue;
        };
        if entry.action == "member.confirm" {
            confirmed.insert(*target.as_bytes());
        } else if SECRET_WRITES.contains(&entry.action.as_str()) {
            if !confirmed.contains(&entry.actor) {
                return Err(Error::tampered(format!(
                    "audit entry {} (a write by member {} before its confirmation)",
                    entry.seq,
                    show_id(&entry.actor)
                )));
            }
            writers
                .entry(*target.as_bytes())
                .or_default()
                .push(entry.actor);
        }
    }
    Ok(writers)
}
