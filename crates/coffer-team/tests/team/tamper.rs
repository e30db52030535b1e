//! Rows changed in PostgreSQL behind Coffer's back (by whoever runs the
//! server): every client refuses them as `tampered` and shows nothing.

use coffer_team::Role;

use crate::support::*;

/// Alice (anchor), Bob and Carol, all confirmed; returns their ids.
fn three() -> (Team, Desk, Desk, String, String) {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let mut carol = team.add("Carol", Role::Administrator);
    let b = bob.status().member_id;
    let c = carol.status().member_id;
    (team, bob, carol, b, c)
}

fn expect_tampered(team: &mut Team, bob: &mut Desk, sql: &str) {
    team.pg.superuser("team").batch_execute(sql).unwrap();
    let e = team.admin.open().members().unwrap_err();
    assert_eq!(e.code(), "tampered", "{sql}: {e}");
    let e = coffer_team::TeamVault::open(&mut bob.vault, None)
        .unwrap()
        .organizations()
        .unwrap_err();
    assert_eq!(e.code(), "tampered", "{sql}: {e}");
}

#[test]
fn a_swapped_public_key_is_tampered() {
    let (mut team, mut bob, _carol, b, c) = three();
    expect_tampered(
        &mut team,
        &mut bob,
        &format!(
            "UPDATE coffer.members SET verifying_key =
                (SELECT verifying_key FROM coffer.members WHERE id = '{c}') WHERE id = '{b}'"
        ),
    );
}

#[test]
fn a_swapped_wrapping_key_with_its_signature_is_tampered() {
    // Keys and self-signature copied from Carol: the endorsement still
    // names Bob's keys.
    let (mut team, mut bob, _carol, b, c) = three();
    expect_tampered(
        &mut team,
        &mut bob,
        &format!(
            "UPDATE coffer.members m SET (recipient, verifying_key, self_sig) =
                (SELECT recipient, verifying_key, self_sig FROM coffer.members WHERE id = '{c}')
             WHERE m.id = '{b}'"
        ),
    );
}

#[test]
fn a_replaced_signature_is_tampered() {
    let (mut team, mut bob, _carol, b, c) = three();
    expect_tampered(
        &mut team,
        &mut bob,
        &format!(
            "UPDATE coffer.members SET self_sig =
                (SELECT self_sig FROM coffer.members WHERE id = '{c}') WHERE id = '{b}'"
        ),
    );
}

#[test]
fn a_role_raised_in_the_database_is_tampered() {
    let (mut team, mut bob, _carol, b, _c) = three();
    expect_tampered(
        &mut team,
        &mut bob,
        &format!("UPDATE coffer.members SET role = 'administrator' WHERE id = '{b}'"),
    );
}

#[test]
fn a_flipped_byte_in_an_organization_name_is_tampered() {
    let (team, mut bob, _carol, _b, _c) = three();
    team.pg
        .superuser("team")
        .batch_execute(
            "UPDATE coffer.organizations SET name = overlay(name placing '\\x00'::bytea from 20)",
        )
        .unwrap();
    let e = bob.open().organizations().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}

#[test]
fn a_key_grant_signed_by_a_plain_member_is_tampered() {
    // The server claims Bob (a member) granted Carol's key.
    let (team, _bob, mut carol, b, c) = three();
    team.pg
        .superuser("team")
        .batch_execute(&format!(
            "UPDATE coffer.organization_keys SET granted_by = '{b}' WHERE member_id = '{c}'"
        ))
        .unwrap();
    let e = carol.open().organizations().unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}
