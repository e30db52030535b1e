//! The audit checkpoint: a desktop keeps the last audit entry it verified
//! (id and hash, in its sealed identity) and later verifications check
//! signatures only after it; a server whose chain no longer holds that
//! entry with that hash is `tampered`.

use coffer_core::Clock as _;
use coffer_team::{Role, TeamVault};

use crate::support::*;

/// Bob verifies the chain and keeps his checkpoint; returns its position.
fn bob_keeps_a_checkpoint(bob: &mut Desk) -> i64 {
    let mut tv = bob.open();
    assert_eq!(tv.audit_verified().map(|v| v.seq), None, "none kept yet");
    let entries = tv.audit_entries().unwrap();
    let verified = tv.audit_verified().unwrap();
    assert_eq!(verified.seq, entries.last().unwrap().seq);
    tv.keep_checkpoint(&mut bob.vault).unwrap();
    let again = bob.open();
    assert_eq!(again.audit_verified().unwrap().seq, verified.seq, "kept");
    verified.seq
}

fn off_trigger(team: &Team, sql: &str) {
    team.pg
        .superuser("team")
        .batch_execute(&format!(
            "ALTER TABLE coffer.audit DISABLE TRIGGER audit_append_only; {sql}"
        ))
        .unwrap();
}

#[test]
fn later_verifications_start_from_the_kept_checkpoint() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let kept = bob_keeps_a_checkpoint(&mut bob);
    // Entries after the checkpoint are verified as they come.
    let now = team.admin.clock.now();
    team.admin.open().invite(Role::Member, 3600, now).unwrap();
    // A signature before the checkpoint replaced (the entry itself, and so
    // its hash, unchanged): a desktop verifying from the start refuses it,
    // Bob, who verified that entry before, does not read it again.
    let first_sig: Vec<u8> = team
        .pg
        .superuser("team")
        .query_one("SELECT sig FROM coffer.audit WHERE seq = 1", &[])
        .unwrap()
        .get(0);
    off_trigger(
        &team,
        "UPDATE coffer.audit SET sig = decode(repeat('00', 64), 'hex') WHERE seq = 1",
    );
    let e = team.admin.open().members().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    let mut tv = bob.open();
    assert_eq!(tv.members().unwrap().len(), 2);
    let entries = tv.audit_entries().unwrap();
    assert_eq!(entries.len() as i64, kept + 1);
    assert_eq!(entries.last().unwrap().action, "member.invite");
    // The checkpoint moved to the new entry.
    assert_eq!(tv.audit_verified().unwrap().seq, kept + 1);
    tv.keep_checkpoint(&mut bob.vault).unwrap();
    assert_eq!(bob.open().audit_verified().unwrap().seq, kept + 1);
    // A forged entry after it is still refused: its signature is checked.
    team.pg
        .superuser("team")
        .execute(
            "UPDATE coffer.audit SET sig = $1 WHERE seq = 1",
            &[&first_sig],
        )
        .unwrap();
    team.admin.open().invite(Role::Member, 3600, now).unwrap();
    off_trigger(
        &team,
        &format!(
            "UPDATE coffer.audit SET sig = decode(repeat('00', 64), 'hex') WHERE seq = {}",
            kept + 2
        ),
    );
    let e = bob.open().members().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}

#[test]
fn a_chain_that_lost_or_changed_the_checkpointed_entry_is_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let kept = bob_keeps_a_checkpoint(&mut bob);
    let mut root = team.pg.superuser("team");
    let saved = root
        .query_one(
            "SELECT at, actor, action, target, prev, hash, sig FROM coffer.audit WHERE seq = $1",
            &[&kept],
        )
        .unwrap();
    // Cut back below the checkpoint (a restored older chain): gone.
    off_trigger(
        &team,
        &format!("DELETE FROM coffer.audit WHERE seq = {kept}"),
    );
    for e in [
        bob.open().members().unwrap_err(),
        TeamVault::open(&mut bob.vault, None)
            .unwrap()
            .audit_entries()
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), "tampered", "{e}");
        assert!(e.to_string().contains("which this desktop verified"), "{e}");
    }
    // Put back with another hash (a rewritten entry): changed.
    let mut hash: Vec<u8> = saved.get(5);
    hash[0] ^= 1;
    root.execute(
        "INSERT INTO coffer.audit (seq, at, actor, action, target, prev, hash, sig)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &kept,
            &saved.get::<_, i64>(0),
            &saved.get::<_, uuid::Uuid>(1),
            &saved.get::<_, String>(2),
            &saved.get::<_, String>(3),
            &saved.get::<_, Vec<u8>>(4),
            &hash,
            &saved.get::<_, Vec<u8>>(6),
        ],
    )
    .unwrap();
    let e = bob.open().members().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    // Nothing partial: the audit view lists nothing either.
    let e = bob.open().audit_entries().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}
