//! Removing members: a new key epoch for the remaining members, the removed
//! member locked out (its login, its open session, its old ticket, its old
//! key), the last administrator kept, and PostgreSQL refusing removal to
//! anyone but an administrator. Three members, each its own local vault.

use coffer_core::Clock as _;
use coffer_team::{Role, TeamVault};

use crate::support::*;

fn id_of(desk: &mut Desk) -> String {
    desk.status().member_id
}

#[test]
fn removing_a_member_rekeys_for_the_others_and_locks_the_member_out() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let mut carol = team.add("Carol", Role::Member);
    let bob_id = id_of(&mut bob);
    // Bob is connected when he is removed.
    let mut bob_session = bob.open();
    assert_eq!(bob_session.organizations().unwrap()[0].epoch, 1);

    let now = team.admin.clock.now();
    let removed = team.admin.open().remove(&bob_id[..8], now).unwrap();
    assert_eq!(removed.member_id, bob_id);
    assert_eq!(removed.display_name.as_deref(), Some("Bob"));
    assert_eq!(removed.epoch, 2);
    assert_eq!(removed.organizations_rekeyed, 1);
    assert!(removed.to_rotate.is_empty());

    // Carol (still a member) reads the organization at epoch 2 and every
    // name, Bob's marked removed.
    let mut carol_tv = carol.open();
    let orgs = carol_tv.organizations().unwrap();
    assert_eq!((orgs[0].name.as_str(), orgs[0].epoch), (ORG, 2));
    let members = carol_tv.members().unwrap();
    let bob_row = members.iter().find(|m| m.id == bob_id).unwrap();
    assert_eq!(bob_row.status, "removed");
    assert_eq!(bob_row.display_name.as_deref(), Some("Bob"));
    assert!(members.iter().all(|m| m.display_name.is_some()));
    // The removal is in the verified audit chain, signed by Alice.
    let audit = carol_tv.audit_entries().unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.target.as_str()),
        ("member.remove", bob_id.as_str())
    );
    assert_eq!(last.actor_name.as_deref(), Some("Alice Admin"));

    // Bob's open session was ended; he cannot log in again.
    assert!(bob_session.revision().is_err());
    let e = TeamVault::open(&mut bob.vault, None).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert_eq!(bob.status().state, "removed");

    // A server that lets Bob back in (it is hostile: it restores his login
    // and erases the removal) still gives him nothing written after the
    // epoch change: his newest key is epoch 1's.
    let login = team.login_of(&bob_id);
    let mut root = team.pg.superuser("team");
    root.batch_execute(&format!(
        "ALTER ROLE {login} LOGIN; GRANT {prefix}_member TO {login};
         ALTER TABLE coffer.members DISABLE TRIGGER USER;
         UPDATE coffer.members SET status = 'active', removed_by = NULL, removal = NULL
             WHERE id = '{bob_id}';",
        prefix = team.prefix()
    ))
    .unwrap();
    // (His own client also sees the removal in the audit chain.)
    let mut again = TeamVault::open(&mut bob.vault, None).unwrap();
    assert_eq!(again.organizations().unwrap_err().code(), "tampered");
    assert_eq!(again.members().unwrap_err().code(), "tampered");
}

#[test]
fn a_removed_member_cannot_join_again_with_an_old_ticket() {
    let mut team = Team::new();
    let ticket = team.ticket(Role::Member);
    let mut bob = Desk::new("Bob");
    let pending = coffer_team::join(&mut bob.vault, &ticket, "Bob", None).unwrap();
    let now = team.admin.clock.now();
    team.admin
        .open()
        .confirm(&pending.member_id, &pending.fingerprint, now)
        .unwrap();
    // Erin is pending while Bob is removed: her invitation's key moves to
    // the new epoch with the rest, so she is confirmed afterwards as usual.
    let erin_ticket = team.ticket(Role::Member);
    let mut erin = Desk::new("Erin");
    let erin_pending = coffer_team::join(&mut erin.vault, &erin_ticket, "Erin", None).unwrap();
    coffer_team::remove(&mut team.admin.vault, None, &pending.member_id).unwrap();
    let names = team.admin.open().members().unwrap();
    let erin_row = names
        .iter()
        .find(|m| m.id == erin_pending.member_id)
        .unwrap();
    assert_eq!(
        (erin_row.status.as_str(), erin_row.display_name.as_deref()),
        ("pending", Some("Erin"))
    );
    let confirmed = team
        .admin
        .open()
        .confirm(&erin_pending.member_id, &erin_pending.fingerprint, now)
        .unwrap();
    assert_eq!(confirmed.display_name.as_deref(), Some("Erin"));
    assert_eq!(erin.open().organizations().unwrap()[0].epoch, 2);
    let mut elsewhere = Desk::new("Bob again");
    let e = coffer_team::join(&mut elsewhere.vault, &ticket, "Bob", None).unwrap_err();
    assert_eq!(e.code(), "invitation_invalid");
    // A fresh invitation made after the removal works for a new member, who
    // is granted the key of the new epoch.
    let mut dan = team.add("Dan", Role::Member);
    assert_eq!(dan.open().organizations().unwrap()[0].epoch, 2);
}

#[test]
fn the_last_administrator_stays_and_another_can_remove_the_first() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let alice_id = id_of(&mut team.admin);
    let now = team.admin.clock.now();
    let e = team.admin.open().remove(&alice_id, now).unwrap_err();
    assert_eq!(e.code(), "last_admin");
    // PostgreSQL refuses it too, for a client that skips the check.
    let mut sql = team.sql_as(&team.login_of(&alice_id));
    let err = sql
        .batch_execute(&format!(
            "SELECT coffer.remove_member('{alice_id}', '\\x00')"
        ))
        .unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "CF003");
    // A second administrator removes the first (the trust anchor): every
    // record still verifies for the members left.
    let mut carol = team.add("Carol", Role::Administrator);
    let removed = carol.open().remove(&alice_id, now).unwrap();
    assert_eq!(removed.epoch, 2);
    let members = bob.open().members().unwrap();
    let alice = members.iter().find(|m| m.id == alice_id).unwrap();
    assert_eq!(alice.status, "removed");
    assert_eq!(bob.open().organizations().unwrap()[0].epoch, 2);
    // Alice's audit entries still verify, under her name, after her removal.
    let audit = bob.open().audit_entries().unwrap();
    assert_eq!(audit[0].action, "team.create");
    assert_eq!(audit[0].actor_name.as_deref(), Some("Alice Admin"));
    assert_eq!(audit.last().unwrap().action, "member.remove");
    // Carol is now the last administrator.
    let carol_id = id_of(&mut carol);
    assert_eq!(
        carol.open().remove(&carol_id, now).unwrap_err().code(),
        "last_admin"
    );
}

#[test]
fn only_administrators_remove_members_even_by_direct_sql() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let mut carol = team.add("Carol", Role::Member);
    let (bob_id, carol_id) = (id_of(&mut bob), id_of(&mut carol));
    let now = team.admin.clock.now();
    assert_eq!(
        bob.open().remove(&carol_id, now).unwrap_err().code(),
        "forbidden"
    );
    let mut sql = team.sql_as(&team.login_of(&bob_id));
    for statement in [
        format!("SELECT coffer.remove_member('{carol_id}', '\\x00')"),
        format!("UPDATE coffer.members SET status = 'removed' WHERE id = '{carol_id}'"),
        format!("UPDATE coffer.members SET name = '\\x00' WHERE id = '{carol_id}'"),
        format!("ALTER ROLE {} NOLOGIN", team.login_of(&carol_id)),
        "UPDATE coffer.settings SET value = '\\x00'".to_owned(),
        "UPDATE coffer.invitations SET revoked_at = now()".to_owned(),
    ] {
        refused(&mut sql, &statement);
    }
    assert_eq!(carol.status().state, "active");
}

#[test]
fn a_removal_the_server_made_up_is_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = id_of(&mut bob);
    let mut root = team.pg.superuser("team");
    root.batch_execute(&format!(
        "UPDATE coffer.members SET status = 'removed' WHERE id = '{bob_id}'"
    ))
    .unwrap();
    let e = team.admin.open().members().unwrap_err();
    assert_eq!(e.code(), "tampered");
    // A removal signed by a plain member is no better.
    root.batch_execute(&format!(
        "UPDATE coffer.members SET removed_by = id, removal = endorsement WHERE id = '{bob_id}'"
    ))
    .unwrap();
    assert_eq!(team.admin.open().members().unwrap_err().code(), "tampered");
}

/// Waits until `n` backends of the team database wait on a lock, or `done`.
fn wait_for_lock_waiters(root: &mut postgres::Client, n: i64, done: impl Fn() -> bool) {
    for _ in 0..600 {
        let waiting: i64 = root
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = 'team' AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting >= n || done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no backend came to wait on a lock");
}

#[test]
fn a_confirmation_racing_a_removal_still_gets_the_new_epochs_key() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = id_of(&mut bob);
    let alice_id = id_of(&mut team.admin);
    let ticket = team.ticket(Role::Member);
    let mut erin = Desk::new("Erin");
    let pending = coffer_team::join(&mut erin.vault, &ticket, "Erin", None).unwrap();
    // Alice on a second desktop confirms Erin while her first removes Bob.
    let mut alice_too = team.admin.open();
    let now = team.admin.clock.now();
    // Hold the removal's first write of epoch 2 (a row of the same key,
    // inserted and not yet committed) so that the confirmation runs in the
    // middle of the removal: deterministic, not a timing bet.
    let mut root = team.pg.superuser("team");
    let mut hold = team.pg.superuser("team");
    let mut holding = hold.transaction().unwrap();
    holding
        .batch_execute(&format!(
            "INSERT INTO coffer.organization_keys (org_id, epoch, member_id, wrapped, granted_by, sig)
             SELECT home_org, 2, '{alice_id}', '\\x00', '{alice_id}', '\\x00' FROM coffer.team"
        ))
        .unwrap();
    let removed_done = std::sync::atomic::AtomicBool::new(false);
    let confirmed_done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let admin_vault = &mut team.admin.vault;
        let removal = s.spawn(|| {
            let out = coffer_team::remove(admin_vault, None, &bob_id);
            removed_done.store(true, std::sync::atomic::Ordering::SeqCst);
            out
        });
        wait_for_lock_waiters(&mut root, 1, || {
            removed_done.load(std::sync::atomic::Ordering::SeqCst)
        });
        let confirm = s.spawn(|| {
            let out = alice_too.confirm(&pending.member_id, &pending.fingerprint, now);
            confirmed_done.store(true, std::sync::atomic::Ordering::SeqCst);
            out
        });
        // The confirmation either finishes or waits for the removal.
        wait_for_lock_waiters(&mut root, 2, || {
            confirmed_done.load(std::sync::atomic::Ordering::SeqCst)
        });
        holding.rollback().unwrap();
        let removed = removal.join().unwrap().unwrap();
        assert_eq!(removed.epoch, 2);
        let confirmed = confirm.join().unwrap().unwrap();
        assert_eq!(confirmed.status, "active");
    });
    // Erin, confirmed at the same moment, reads the organization at the
    // newest epoch like every other remaining member.
    let orgs = erin.open().organizations().unwrap();
    assert_eq!((orgs[0].name.as_str(), orgs[0].epoch), (ORG, 2));
    assert_eq!(team.admin.open().organizations().unwrap()[0].epoch, 2);
    assert_eq!(bob.status().state, "removed");
}

#[test]
fn the_server_refuses_a_removal_or_confirmation_on_a_stale_epoch() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = id_of(&mut bob);
    let alice_id = id_of(&mut team.admin);
    let ticket = team.ticket(Role::Member);
    let mut erin = Desk::new("Erin");
    let pending = coffer_team::join(&mut erin.vault, &ticket, "Erin", None).unwrap();
    // The home organization is at epoch 1 and every member holds its key.
    let mut sql = team.sql_as(&team.login_of(&alice_id));
    let stale = format!(
        "SELECT coffer.confirm_member('{}', '\\x00', 0, '\\x00')",
        pending.member_id
    );
    let err = sql.batch_execute(&stale).unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "CF004");
    // An epoch nobody holds a key of yet: removing would leave the others
    // without it.
    let mut root = team.pg.superuser("team");
    root.batch_execute("UPDATE coffer.organizations SET epoch = epoch + 1")
        .unwrap();
    let err = sql
        .batch_execute(&format!("SELECT coffer.remove_member('{bob_id}', '\\x00')"))
        .unwrap_err();
    assert_eq!(err.as_db_error().unwrap().code().code(), "CF004");
    root.batch_execute("UPDATE coffer.organizations SET epoch = epoch - 1")
        .unwrap();
    assert_eq!(bob.status().state, "active");
    assert_eq!(team.admin.open().members().unwrap().len(), 3);
}

#[test]
fn a_confirmation_by_an_administrator_replayed_after_its_removal_is_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let mut carol = team.add("Carol", Role::Administrator);
    let alice_id = id_of(&mut team.admin);
    let ticket = team.ticket(Role::Member);
    let mut dan = Desk::new("Dan");
    let pending = coffer_team::join(&mut dan.vault, &ticket, "Dan", None).unwrap();
    let dan_id = pending.member_id.clone();
    // Alice confirms Dan; the server keeps her signed endorsement and then
    // forgets the confirmation (the row pending again, the grant and the
    // audit entry at the chain's tail withheld).
    let now = team.admin.clock.now();
    let mut root = team.pg.superuser("team");
    let pending_name: Vec<u8> = root
        .query_one(
            &format!("SELECT name FROM coffer.members WHERE id = '{dan_id}'"),
            &[],
        )
        .unwrap()
        .get(0);
    team.admin
        .open()
        .confirm(&dan_id, &pending.fingerprint, now)
        .unwrap();
    let row = root
        .query_one(
            &format!("SELECT name, endorsement FROM coffer.members WHERE id = '{dan_id}'"),
            &[],
        )
        .unwrap();
    let (name, endorsement): (Vec<u8>, Vec<u8>) = (row.get(0), row.get(1));
    root.execute(
        "UPDATE coffer.members SET name = $1 WHERE id = $2",
        &[&pending_name, &uuid::Uuid::parse_str(&dan_id).unwrap()],
    )
    .unwrap();
    root.batch_execute(&format!(
        "ALTER TABLE coffer.members DISABLE TRIGGER USER;
         ALTER TABLE coffer.audit DISABLE TRIGGER USER;
         UPDATE coffer.members SET status = 'pending', name_epoch = NULL, endorsed_by = NULL,
             endorsement = NULL WHERE id = '{dan_id}';
         DELETE FROM coffer.organization_keys WHERE member_id = '{dan_id}';
         DELETE FROM coffer.audit WHERE seq = (SELECT max(seq) FROM coffer.audit);
         ALTER TABLE coffer.audit ENABLE TRIGGER USER;
         ALTER TABLE coffer.members ENABLE TRIGGER USER;"
    ))
    .unwrap();
    // Carol removes Alice; then the server replays Alice's endorsement of
    // Dan, a record she signed and that now appears after her removal.
    let removed = carol.open().remove(&alice_id, now).unwrap();
    assert_eq!(removed.epoch, 2);
    assert_eq!(bob.open().members().unwrap().len(), 4);
    root.execute("ALTER TABLE coffer.members DISABLE TRIGGER USER", &[])
        .unwrap();
    root.execute(
        "UPDATE coffer.members SET status = 'active', name = $1, name_epoch = 1,
             endorsed_by = $2, endorsement = $3 WHERE id = $4",
        &[
            &name,
            &uuid::Uuid::parse_str(&alice_id).unwrap(),
            &endorsement,
            &uuid::Uuid::parse_str(&dan_id).unwrap(),
        ],
    )
    .unwrap();
    for desk in [&mut bob, &mut carol] {
        let e = desk.open().members().unwrap_err();
        assert_eq!(e.code(), "tampered", "{e}");
        assert!(e.to_string().contains(&dan_id), "{e}");
    }
}

#[test]
fn a_removal_undone_by_the_server_is_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let mut carol = team.add("Carol", Role::Member);
    let bob_id = id_of(&mut bob);
    coffer_team::remove(&mut team.admin.vault, None, &bob_id).unwrap();
    assert_eq!(carol.open().members().unwrap().len(), 3);
    // The owner puts Bob's row back as it was before the removal (active,
    // no removal signature): the verified `member.remove` entry says
    // otherwise.
    let mut root = team.pg.superuser("team");
    let saved = root
        .query_one(
            &format!("SELECT removed_by, removal FROM coffer.members WHERE id = '{bob_id}'"),
            &[],
        )
        .unwrap();
    let (removed_by, removal): (uuid::Uuid, Vec<u8>) = (saved.get(0), saved.get(1));
    root.batch_execute(&format!(
        "ALTER TABLE coffer.members DISABLE TRIGGER USER;
         UPDATE coffer.members SET status = 'active', removed_by = NULL, removal = NULL
             WHERE id = '{bob_id}';"
    ))
    .unwrap();
    for desk in [&mut carol, &mut team.admin] {
        let mut tv = desk.open();
        for e in [
            tv.members().unwrap_err(),
            tv.organizations().unwrap_err(),
            tv.audit_entries().unwrap_err(),
        ] {
            assert_eq!(e.code(), "tampered", "{e}");
            assert!(e.to_string().contains(&bob_id), "{e}");
        }
    }
    // A removed row, its removal signed, whose `member.remove` entry is
    // missing from the chain (the server withheld the chain's tail) is no
    // better.
    root.execute(
        "UPDATE coffer.members SET status = 'removed', removed_by = $1, removal = $2
             WHERE id = $3",
        &[
            &removed_by,
            &removal,
            &uuid::Uuid::parse_str(&bob_id).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(carol.open().members().unwrap().len(), 3);
    root.batch_execute(
        "ALTER TABLE coffer.audit DISABLE TRIGGER USER;
         DELETE FROM coffer.audit WHERE seq = (SELECT max(seq) FROM coffer.audit);",
    )
    .unwrap();
    let e = carol.open().members().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}

#[test]
fn an_administrator_cancels_a_pending_member_without_a_new_epoch() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let ticket = team.ticket(Role::Member);
    let mut erin = Desk::new("Erin");
    let pending = coffer_team::join(&mut erin.vault, &ticket, "Erin", None).unwrap();
    // A plain member may not cancel her.
    let now = team.admin.clock.now();
    assert_eq!(
        bob.open()
            .remove(&pending.member_id, now)
            .unwrap_err()
            .code(),
        "forbidden"
    );
    let removed = coffer_team::remove(&mut team.admin.vault, None, &pending.member_id).unwrap();
    assert_eq!(removed.member_id, pending.member_id);
    assert_eq!(removed.display_name.as_deref(), Some("Erin"));
    assert_eq!((removed.organizations_rekeyed, removed.epoch), (0, 1));
    assert!(removed.to_rotate.is_empty());
    // Her row is removed, no key was ever granted, nobody moved epoch, and
    // the cancellation is in the verified audit.
    let mut root = team.pg.superuser("team");
    let grants: i64 = root
        .query_one(
            &format!(
                "SELECT count(*) FROM coffer.organization_keys WHERE member_id = '{}'",
                pending.member_id
            ),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(grants, 0);
    let mut bob_tv = bob.open();
    let members = bob_tv.members().unwrap();
    let erin_row = members.iter().find(|m| m.id == pending.member_id).unwrap();
    assert_eq!(erin_row.status, "removed");
    assert_eq!(bob_tv.organizations().unwrap()[0].epoch, 1);
    let last = bob_tv.audit_entries().unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.target.as_str()),
        ("member.remove", pending.member_id.as_str())
    );
    // She can no longer be confirmed, and her code stays used.
    let e = team
        .admin
        .open()
        .confirm(&pending.member_id, &pending.fingerprint, now)
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    let mut again = Desk::new("Erin again");
    let e = coffer_team::join(&mut again.vault, &ticket, "Erin", None).unwrap_err();
    assert_eq!(e.code(), "invitation_invalid");
    // A confirmation the server adds to her cancelled row does not verify.
    assert_eq!(bob.open().members().unwrap().len(), 3);
    root.batch_execute(&format!(
        "ALTER TABLE coffer.members DISABLE TRIGGER USER;
         UPDATE coffer.members SET endorsed_by = removed_by, endorsement = removal
             WHERE id = '{}'",
        pending.member_id
    ))
    .unwrap();
    assert_eq!(bob.open().members().unwrap_err().code(), "tampered");
}

#[test]
fn an_administrator_cannot_remove_itself() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let _carol = team.add("Carol", Role::Administrator);
    let alice_id = id_of(&mut team.admin);
    // The new epoch's grants would be signed by a removed member.
    let e = coffer_team::remove(&mut team.admin.vault, None, &alice_id).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    // PostgreSQL refuses it too, and nothing changed.
    let mut sql = team.sql_as(&team.login_of(&alice_id));
    refused(
        &mut sql,
        &format!("SELECT coffer.remove_member('{alice_id}', '\\x00')"),
    );
    assert_eq!(team.admin.status().state, "active");
    assert_eq!(bob.open().organizations().unwrap()[0].epoch, 1);
}
