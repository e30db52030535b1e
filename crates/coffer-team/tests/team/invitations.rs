//! Listing and revoking invitations: a revoked code is refused by the join
//! function; the list never holds a code; revoking is audited and for
//! administrators only.

use coffer_core::Clock as _;
use coffer_core::ExposeSecret;
use coffer_team::Role;

use crate::support::*;

#[test]
fn a_revoked_invitation_is_refused_and_listed_as_revoked() {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    let invitation = team.admin.open().invite(Role::Member, 3600, now).unwrap();
    let kept = team
        .admin
        .open()
        .invite(Role::Administrator, 7200, now)
        .unwrap();
    let list = team.admin.open().invitations().unwrap();
    assert_eq!(list.len(), 2);
    let listed = serde_json::to_string(&list).unwrap();
    for ticket in [&invitation.ticket, &kept.ticket] {
        let code = ticket.expose_secret();
        assert!(!listed.contains(&code[code.len() - 20..]));
    }
    let revoked = team.admin.open().revoke(&invitation.id[..8], now).unwrap();
    assert_eq!(revoked.state(now), "revoked");
    let mut bob = Desk::new("Bob");
    let e = coffer_team::join(&mut bob.vault, &invitation.ticket, "Bob", None).unwrap_err();
    assert_eq!(e.code(), "invitation_invalid");
    assert!(bob.vault.team_identities().unwrap().is_empty());
    // Revoking twice is refused; the other invitation still works.
    let e = team.admin.open().revoke(&invitation.id, now).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    let list = team.admin.open().invitations().unwrap();
    let states: Vec<(&str, &str)> = list.iter().map(|i| (i.id.as_str(), i.state(now))).collect();
    assert!(states.contains(&(invitation.id.as_str(), "revoked")));
    assert!(states.contains(&(kept.id.as_str(), "open")));
    coffer_team::join(&mut bob.vault, &kept.ticket, "Bob", None).unwrap();
    let audit = team.admin.open().audit_entries().unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "invitation.revoke" && e.target == invitation.id)
    );
    // A member may neither list nor revoke.
    let mut carol = team.add("Carol", Role::Member);
    let other = team.admin.open().invite(Role::Member, 3600, now).unwrap();
    assert_eq!(carol.open().invitations().unwrap_err().code(), "forbidden");
    assert_eq!(
        carol.open().revoke(&other.id, now).unwrap_err().code(),
        "forbidden"
    );
    assert_eq!(
        team.admin
            .open()
            .revoke("ffffffff", now)
            .unwrap_err()
            .code(),
        "not_found"
    );
}
