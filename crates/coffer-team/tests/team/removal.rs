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
    let mut again = TeamVault::open(&mut bob.vault, None).unwrap();
    assert_eq!(again.organizations().unwrap_err().code(), "tampered");
    let names = again.members().unwrap();
    assert!(names.iter().all(|m| m.display_name.is_none()), "{names:?}");
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
