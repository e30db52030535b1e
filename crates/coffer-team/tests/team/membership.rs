//! Create, invite, join, confirm with fingerprints: three members, three
//! local vaults, one PostgreSQL.

use coffer_team::{Role, TeamVault};

use coffer_core::Clock as _;

use crate::support::*;

#[test]
fn create_invite_join_confirm_three_members() {
    let mut team = Team::new();
    let status = team.admin.status();
    assert_eq!(status.state, "active");
    assert_eq!(status.role.as_deref(), Some("administrator"));
    assert_eq!(status.schema_version, Some(coffer_team::SCHEMA_VERSION));
    assert_eq!(status.team_id, team.team_id);
    let orgs = team.admin.open().organizations().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].name, ORG);
    assert_eq!(orgs[0].epoch, 1);

    // Bob joins with a ticket: pending, his fingerprint on his screen.
    let ticket = team.ticket(Role::Member);
    let mut bob = Desk::new("Bob Builder");
    let joined = coffer_team::join(&mut bob.vault, &ticket, bob.name, None).unwrap();
    assert_eq!(joined.state, "pending");
    let bob_status = bob.status();
    assert_eq!(bob_status.state, "pending");
    assert_eq!(bob_status.fingerprint, joined.fingerprint);
    assert!(
        TeamVault::open(&mut bob.vault, None).is_err(),
        "no login before confirmation"
    );

    // The administrator's screen shows the same fingerprint and his name.
    let members = team.admin.open().members().unwrap();
    let pending = members.iter().find(|m| m.id == joined.member_id).unwrap();
    assert_eq!(pending.status, "pending");
    assert_eq!(pending.fingerprint, joined.fingerprint);
    assert_eq!(pending.display_name.as_deref(), Some("Bob Builder"));

    let revision = team.admin.open().revision().unwrap();
    let now = team.admin.clock.now();
    let confirmed = team
        .admin
        .open()
        .confirm(
            &joined.member_id[..8],
            &joined.fingerprint.to_uppercase(),
            now,
        )
        .unwrap();
    assert_eq!(confirmed.status, "active");
    assert_eq!(confirmed.role, "member");
    assert!(
        team.admin.open().revision().unwrap() > revision,
        "the revision moved"
    );

    // Bob now logs in, holds the organization key and reads names.
    let status = bob.status();
    assert_eq!(status.state, "active");
    assert_eq!(status.role.as_deref(), Some("member"));
    let mut bob_team = bob.open();
    let orgs = bob_team.organizations().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].name, ORG, "bob unwrapped the organization key");
    let names: Vec<_> = bob_team
        .members()
        .unwrap()
        .into_iter()
        .filter_map(|m| m.display_name)
        .collect();
    assert_eq!(names, ["Alice Admin", "Bob Builder"]);
    // A member cannot invite.
    let e = bob_team.invite(Role::Member, 3600, now).unwrap_err();
    assert_eq!(e.code(), "forbidden");

    // Carol joins as an administrator and can invite in turn.
    let mut carol = team.add("Carol Chief", Role::Administrator);
    assert_eq!(carol.status().role.as_deref(), Some("administrator"));
    let now = carol.clock.now();
    let ticket = carol.open().invite(Role::Member, 600, now).unwrap();
    let mut dave = Desk::new("Dave Dev");
    let d = coffer_team::join(&mut dave.vault, &ticket.ticket, dave.name, None).unwrap();
    // Bob sees Dave pending, without his name (names of pending members
    // are for administrators).
    let seen = bob.open().members().unwrap();
    let dave_row = seen.iter().find(|m| m.id == d.member_id).unwrap();
    assert_eq!(dave_row.status, "pending");
    assert_eq!(dave_row.display_name, None);
    assert_eq!(seen.len(), 4);
}

#[test]
fn a_wrong_fingerprint_is_refused_and_nothing_is_granted() {
    let mut team = Team::new();
    let ticket = team.ticket(Role::Member);
    let mut mallory = Desk::new("Mallory");
    let joined = coffer_team::join(&mut mallory.vault, &ticket, mallory.name, None).unwrap();
    let revision = team.admin.open().revision().unwrap();
    let now = team.admin.clock.now();
    let mut wrong = joined.fingerprint.clone().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let e = team
        .admin
        .open()
        .confirm(&joined.member_id, std::str::from_utf8(&wrong).unwrap(), now)
        .unwrap_err();
    assert_eq!(e.code(), "fingerprint_mismatch");
    let e = team
        .admin
        .open()
        .confirm(&joined.member_id, "", now)
        .unwrap_err();
    assert_eq!(e.code(), "fingerprint_mismatch");
    assert_eq!(
        team.admin.open().revision().unwrap(),
        revision,
        "nothing changed"
    );
    assert_eq!(mallory.status().state, "pending");
    let e = team
        .admin
        .open()
        .confirm("ffffffff", &joined.fingerprint, now)
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[test]
fn a_code_used_twice_or_expired_is_refused() {
    let mut team = Team::new();
    let ticket = team.ticket(Role::Member);
    let mut bob = Desk::new("Bob");
    coffer_team::join(&mut bob.vault, &ticket, "Bob", None).unwrap();
    let mut eve = Desk::new("Eve");
    let e = coffer_team::join(&mut eve.vault, &ticket, "Eve", None).unwrap_err();
    assert_eq!(e.code(), "invitation_invalid");
    assert!(
        eve.vault.team_identities().unwrap().is_empty(),
        "no identity kept"
    );

    // An invitation whose hour ran out (the administrator's clock says it
    // was made two hours ago; the server's clock decides).
    team.admin.clock.advance(-7200);
    let now = team.admin.clock.now();
    let old = team.admin.open().invite(Role::Member, 3600, now).unwrap();
    let e = coffer_team::join(&mut eve.vault, &old.ticket, "Eve", None).unwrap_err();
    assert_eq!(e.code(), "invitation_invalid");

    // A ticket for a code that never existed.
    let e = coffer_team::join(
        &mut eve.vault,
        &coffer_core::SecretString::from("coffer-invite-v1.bm9wZQ"),
        "Eve",
        None,
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    let e = team.admin.open().invite(Role::Member, 10, now).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
}

#[test]
fn identities_live_sealed_in_each_local_vault() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let listed = bob.vault.team_identities().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].team_id, team.team_id);
    // Locked, the identity cannot be used.
    bob.vault.lock();
    let e = TeamVault::open(&mut bob.vault, None).unwrap_err();
    assert_eq!(e.code(), "locked");
    // A team id this vault does not belong to.
    bob.vault
        .unlock_with_passphrase(&coffer_core::SecretString::from(
            "correct horse battery staple",
        ))
        .unwrap();
    let e = TeamVault::open(&mut bob.vault, Some("0000")).unwrap_err();
    assert_eq!(e.code(), "no_identity");
    let _ = &mut team;
}
