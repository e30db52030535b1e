//! What PostgreSQL itself refuses, whatever a modified client sends: the
//! join login may only call the join function; a member's login may not
//! confirm anyone, write administrator tables or change the audit table.

use coffer_team::Role;

use crate::support::*;

#[test]
fn the_join_login_can_only_call_the_join_function() {
    let team = Team::new();
    let mut join = team.sql_as(&format!("{}_join", team.prefix()));
    for sql in [
        "SELECT * FROM coffer.members",
        "SELECT * FROM coffer.invitations",
        "SELECT * FROM coffer.organization_keys",
        "SELECT * FROM coffer.settings",
        "SELECT * FROM coffer.audit",
        "SELECT * FROM coffer.coffer_schema",
        "INSERT INTO coffer.members (id, db_role, role, status, name, recipient, verifying_key, \
         self_sig) VALUES (gen_random_uuid(), 'x', 'administrator', 'active', '', 'r', \
         '\\x00', '\\x00')",
        "UPDATE coffer.invitations SET used_at = NULL",
        "SELECT coffer.confirm_member(gen_random_uuid(), '\\x00', 1, '\\x00')",
        "SELECT coffer.me()",
        "CREATE TABLE coffer.evil (x int)",
    ] {
        refused(&mut join, sql);
    }
}

#[test]
fn a_members_login_cannot_do_what_administrators_do() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = bob.status().member_id;
    // A pending member for Bob to try to confirm.
    let ticket = team.ticket(Role::Member);
    let mut carl = Desk::new("Carl");
    let carl_id = coffer_team::join(&mut carl.vault, &ticket, "Carl", None)
        .unwrap()
        .member_id;
    let mut sql = team.sql_as(&team.login_of(&bob_id));
    // Reading what members may read works.
    sql.batch_execute("SELECT * FROM coffer.members").unwrap();
    for statement in [
        format!("SELECT coffer.confirm_member('{carl_id}', '\\x00', 1, '\\x00')"),
        format!("SELECT coffer.confirm_member('{bob_id}', '\\x00', 1, '\\x00')"),
        format!("UPDATE coffer.members SET role = 'administrator' WHERE id = '{bob_id}'"),
        format!("UPDATE coffer.members SET status = 'active' WHERE id = '{carl_id}'"),
        format!("DELETE FROM coffer.members WHERE id = '{carl_id}'"),
        "SELECT * FROM coffer.invitations".to_owned(),
        "SELECT * FROM coffer.settings".to_owned(),
        format!(
            "INSERT INTO coffer.invitations (id, code_hash, role, expires_at, created_by, org_id, \
             epoch, invite_key) VALUES (gen_random_uuid(), '\\x01', 'administrator', now(), \
             '{bob_id}', gen_random_uuid(), 1, '\\x00')"
        ),
        format!(
            "INSERT INTO coffer.organizations (id, name, epoch, created_by, sig) \
             VALUES (gen_random_uuid(), '\\x00', 1, '{bob_id}', '\\x00')"
        ),
        format!(
            "INSERT INTO coffer.organization_keys (org_id, epoch, member_id, wrapped, granted_by, \
             sig) SELECT id, 2, '{carl_id}', '\\x00', '{bob_id}', '\\x00' FROM coffer.organizations"
        ),
        "UPDATE coffer.audit SET action = 'nothing'".to_owned(),
        "DELETE FROM coffer.audit".to_owned(),
        "TRUNCATE coffer.audit".to_owned(),
        "UPDATE coffer.revision SET value = 0".to_owned(),
        "CREATE ROLE sneaky LOGIN".to_owned(),
    ] {
        refused(&mut sql, &statement);
    }
    // Bob sees only his own organization keys.
    let rows = sql
        .query("SELECT member_id FROM coffer.organization_keys", &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    // Nobody, not even the superuser, rewrites the audit table.
    let mut root = team.pg.superuser("team");
    refused(&mut root, "UPDATE coffer.audit SET action = 'rewritten'");
    refused(&mut root, "DELETE FROM coffer.audit");
    assert_eq!(carl.status().state, "pending");
}
