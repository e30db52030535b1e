//! The team vault's audit chain, verified from any desktop: entries in
//! order, each chaining to the previous entry's hash, its hash recomputed,
//! and signed by its author, a confirmed member of the verified roster. A
//! rewritten, removed or forged entry is `tampered`.

use coffer_core::{Timestamp, Vault};
use serde::{Deserialize, Serialize};

use std::cmp::Ordering;
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

/// The last audit entry this desktop verified, kept in its identity (sealed
/// and row-tagged in the local vault, like the highest revision seen), and
/// what the membership check needs of the entries up to it. Later
/// verifications check signatures only after it; a server whose chain no
/// longer holds that entry with that hash is `tampered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    /// The entry's position.
    pub(crate) seq: i64,
    /// Its hash (hex).
    pub(crate) hash: String,
    /// Its time.
    pub(crate) at: i64,
    /// `member.remove` entries up to it: (member, seq, by), ids in hex.
    removed: Vec<(String, i64, String)>,
    /// `member.confirm` entries up to it.
    confirmed: Vec<(String, i64, String)>,
}

/// Where this desktop's verification of the audit chain stands.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AuditVerified {
    /// The last entry verified.
    pub seq: i64,
    /// Its time.
    pub at: Timestamp,
}

/// An entry of the verified chain, before names are attached.
pub(crate) struct ChainEntry {
    seq: i64,
    at: i64,
    actor: [u8; 16],
    action: String,
    target: String,
}

/// Member → (position of the entry, its author).
type Marks = HashMap<[u8; 16], (i64, [u8; 16])>;

/// Removals and confirmations seen along the chain.
#[derive(Default)]
struct History {
    removed_at: Marks,
    confirmed_at: Marks,
}

fn marks(map: &Marks) -> Vec<(String, i64, String)> {
    let mut out: Vec<_> = map
        .iter()
        .map(|(member, (seq, by))| (hex::encode(member), *seq, hex::encode(by)))
        .collect();
    out.sort();
    out
}

fn unmark(marks: &[(String, i64, String)]) -> Result<Marks> {
    let id = |text: &str| -> Result<[u8; 16]> {
        hex::decode(text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::tampered("the stored audit checkpoint"))
    };
    marks
        .iter()
        .map(|(member, seq, by)| Ok((id(member)?, (*seq, id(by)?))))
        .collect()
}

impl History {
    /// Takes one verified entry: refuses one signed by a removed member.
    fn take(&mut self, entry: &ChainEntry) -> Result<()> {
        if self.removed_at.contains_key(&entry.actor) {
            return Err(Error::tampered(format!(
                "audit entry {} (signed by member {} after its removal)",
                entry.seq,
                show_id(&entry.actor)
            )));
        }
        let Ok(target) = uuid::Uuid::parse_str(&entry.target) else {
            return Ok(());
        };
        let mark = (entry.seq, entry.actor);
        match entry.action.as_str() {
            "member.remove" => {
                self.removed_at.insert(*target.as_bytes(), mark);
            }
            "member.confirm" => {
                self.confirmed_at.insert(*target.as_bytes(), mark);
            }
            _ => {}
        }
        Ok(())
    }
}

impl TeamVault {
    /// Every audit entry, verified first: after this desktop's checkpoint
    /// each entry's link, hash and signature; up to it the links and hashes
    /// back to the checkpointed hash (whose entries this desktop verified
    /// before). Nothing is returned from a chain that does not verify.
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

    /// The last audit entry this desktop verified (none before the first
    /// verification).
    pub fn audit_verified(&self) -> Option<AuditVerified> {
        self.me.audit_checkpoint.as_ref().map(|c| AuditVerified {
            seq: c.seq,
            at: Timestamp::from_unix(c.at),
        })
    }

    /// Keeps this connection's audit checkpoint (and highest revision seen)
    /// in the local vault, so that the next connection verifies only what
    /// came after. Merged with what is stored: neither ever goes back.
    pub fn keep_checkpoint(&self, vault: &mut Vault) -> Result<()> {
        let Some(mine) = &self.me.audit_checkpoint else {
            return Ok(());
        };
        let mut stored = crate::local::identity(vault, Some(&show_id(&self.me.team_id)))?;
        let newer = stored
            .audit_checkpoint
            .as_ref()
            .is_none_or(|c| c.seq < mine.seq);
        if !newer && stored.seen_revision >= self.me.seen_revision {
            return Ok(());
        }
        if newer {
            stored.audit_checkpoint = Some(mine.clone());
        }
        stored.seen_revision = stored.seen_revision.max(self.me.seen_revision);
        crate::local::save_identity(vault, &stored)
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
            if let std::collections::hash_map::Entry::Vacant(slot) = held.entry(org) {
                slot.insert(match self.org_context(&show_id(&org)) {
                    Ok(ctx) => Some(ctx),
                    Err(Error::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                });
            }
            if let Some(Some(ctx)) = held.get(&org) {
                let text = crate::uses::open_note(&team, ctx, secret.as_bytes(), &note, &what)?;
                out.insert(seq, text);
            }
        }
        Ok(out)
    }

    /// The whole chain in order, verified: each entry's link and hash; the
    /// author's signature after this desktop's checkpoint (before it, the
    /// links and hashes lead to the checkpointed hash, whose entries this
    /// desktop verified before); then the membership history checked against
    /// `roster` ([`check_history`]). The whole chain, not only what follows
    /// the checkpoint, because each shared secret's revisions are checked
    /// against their writers ([`secret_writers`]); the checkpoint saves the
    /// signature checks, which are most of the cost.
    pub(crate) fn verified_chain(&mut self, roster: &Roster) -> Result<Vec<ChainEntry>> {
        self.read_chain(roster, true)
    }

    /// The chain in order: with `whole`, every entry (signatures checked
    /// after the checkpoint only), else the checkpoint's entry and those
    /// after it.
    fn read_chain(&mut self, roster: &Roster, whole: bool) -> Result<Vec<ChainEntry>> {
        let server = self.me.server.clone();
        let checkpoint = self.me.audit_checkpoint.clone();
        let from = match (&checkpoint, whole) {
            (Some(c), false) => c.seq,
            _ => i64::MIN,
        };
        let rows = self
            .client
            .query(
                "SELECT seq, at, actor, action, target, prev, hash, sig FROM coffer.audit
                 WHERE seq >= $1 ORDER BY seq",
                &[&from],
            )
            .map_err(|e| crate::connect::query_error(&server, "reading the audit", &e))?;
        let team = self.me.team_id;
        let mut history = History::default();
        let mut expected_prev = Some(vec![0u8; 32]);
        // Up to the checkpoint: links and hashes only, until its hash is met.
        let mut pending = checkpoint.as_ref().map(|c| (c.seq, c.hash.clone()));
        if let (Some(c), false) = (&checkpoint, whole) {
            history.removed_at = unmark(&c.removed)?;
            history.confirmed_at = unmark(&c.confirmed)?;
            expected_prev = None;
        }
        let mut out = Vec::with_capacity(rows.len());
        let mut last = None;
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
            if expected_prev.as_ref().is_some_and(|p| *p != prev) {
                return Err(Error::tampered(format!("{what} (the chain is broken)")));
            }
            let computed =
                records::audit_hash(&team, &prev, at, actor.as_bytes(), &action, &target);
            if computed[..] != hash[..] {
                return Err(Error::tampered(what));
            }
            let position = pending.as_ref().map(|(at_seq, at_hash)| {
                (seq.cmp(at_seq), *at_seq, *at_hash == hex::encode(&hash))
            });
            let before_checkpoint = match position {
                Some((Ordering::Less, _, _)) => true,
                Some((Ordering::Equal, _, true)) => {
                    pending = None;
                    true
                }
                // Changed, or passed over: not the chain this desktop verified.
                Some((_, cp_seq, _)) => return Err(checkpoint_gone(cp_seq)),
                None => false,
            };
            if !before_checkpoint {
                let author = roster
                    .confirmed(actor.as_bytes())
                    .ok_or_else(|| Error::tampered(format!("{what} (its author is no member)")))?;
                author.keys.verify(&hash, &sig, &what)?;
            }
            let entry = ChainEntry {
                seq,
                at,
                actor: *actor.as_bytes(),
                action,
                target,
            };
            // Entries up to the checkpoint are in its history already,
            // unless the whole chain is read.
            if whole || !before_checkpoint {
                history.take(&entry)?;
                out.push(entry);
            }
            last = Some((seq, at, hex::encode(&hash)));
            expected_prev = Some(hash);
        }
        if let Some((cp_seq, _)) = pending {
            return Err(checkpoint_gone(cp_seq));
        }
        check_history(roster, &history)?;
        if let Some((seq, at, hash)) = last {
            self.me.audit_checkpoint = Some(Checkpoint {
                seq,
                hash,
                at,
                removed: marks(&history.removed_at),
                confirmed: marks(&history.confirmed_at),
            });
        }
        Ok(out)
    }
}

/// The checkpointed entry is gone or changed: the chain was rewritten or
/// cut back below what this desktop verified.
fn checkpoint_gone(seq: i64) -> Error {
    Error::tampered(format!(
        "the audit chain (entry {seq}, which this desktop verified, is gone or changed)"
    ))
}

/// The member rows against the verified chain's history, where each
/// removal and confirmation is an entry in order:
/// - nothing is signed by a member after its `member.remove` entry (a
///   removed member, even an administrator, colluding with the server;
///   checked as entries are taken, [`History::take`]);
/// - a member confirmed, or removed, by an administrator removed since was
///   confirmed (removed) before that administrator's removal: a signed
///   record replayed later is refused;
/// - a removed row has its `member.remove` entry, by the administrator who
///   signed the removal, and a row with such an entry is removed (a removal
///   the server undid).
fn check_history(roster: &Roster, history: &History) -> Result<()> {
    let History {
        removed_at,
        confirmed_at,
    } = history;
    // Whether `by` did something (at position `at`) before its own removal.
    let before_removal_of =
        |by: &[u8; 16], at: i64| removed_at.get(by).is_none_or(|(removal, _)| at < *removal);
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
