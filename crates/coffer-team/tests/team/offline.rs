//! Offline use: off by default (an offline reveal is `unreachable`), set by
//! administrators only (PostgreSQL refuses a member's role), signed; when
//! on, a member reveals and uses from its replica while the server is down,
//! and the entries reach the server's audit, marked offline, at the next sync.

use coffer_core::Clock as _;
use coffer_team::Role;

use crate::secrets::new_secret;
use crate::support::basic_auth;
use crate::support::*;

fn team_id(desk: &mut Desk) -> [u8; 16] {
    *uuid::Uuid::parse_str(&desk.status().team_id)
        .unwrap()
        .as_bytes()
}

#[test]
fn offline_use_is_off_by_default_and_only_administrators_set_it() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "pw-1")), now)
        .unwrap();
    coffer_team::sync(&mut bob.vault, None).unwrap();
    assert!(!bob.open().offline_use(ORG).unwrap());
    let id = team_id(&mut bob);

    // Off: with the server down, a reveal is `unreachable` and nothing is queued.
    team.pg.stop();
    let e = coffer_team::reveal_shared(&mut bob.vault, ORG, "prod/db", now)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code(), "unreachable", "{e}");
    assert!(bob.vault.team_queue(&id).unwrap().is_empty());
    team.pg.restart();

    // A member may not turn it on: Coffer says so, PostgreSQL refuses its role.
    let e = bob.open().set_offline_use(ORG, true, now).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let bob_id = bob.status().member_id;
    let org_id = team.admin.open().organizations().unwrap()[0].id.clone();
    let mut sql = team.sql_as(&team.login_of(&bob_id));
    refused(
        &mut sql,
        &format!(
            "INSERT INTO coffer.org_settings (org_id, key, value, at, set_by, sig)
             VALUES ('{org_id}', 'offline_use', 'on', 0, '{bob_id}', '\\x00')"
        ),
    );
    team.admin.open().set_offline_use(ORG, true, now).unwrap();
    refused(
        &mut sql,
        "UPDATE coffer.org_settings SET value = 'off', set_by = coffer.me()",
    );
    assert!(bob.open().offline_use(ORG).unwrap());

    // A value changed by the server no longer verifies.
    team.pg
        .superuser("team")
        .batch_execute("UPDATE coffer.org_settings SET value = 'off'")
        .unwrap();
    let e = bob.open().offline_use(ORG).unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    let e = coffer_team::sync(&mut bob.vault, None).unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}

#[test]
fn offline_reveals_and_uses_reach_the_audit_marked_offline_on_reconnect() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "pw-1")), now)
        .unwrap();
    // Synced before the setting: the replica holds no value yet.
    coffer_team::sync(&mut bob.vault, None).unwrap();
    team.admin.open().set_offline_use(ORG, true, now).unwrap();
    coffer_team::sync(&mut bob.vault, None).unwrap();
    let id = team_id(&mut bob);

    team.pg.stop();
    let (secret, data, offline) =
        coffer_team::reveal_shared(&mut bob.vault, ORG, "prod/db", now).unwrap();
    assert!(offline);
    assert_eq!(secret.name, "prod/db");
    assert_eq!(&*data.field("password").unwrap().value, b"pw-1");
    let (_, _, offline) = coffer_team::use_shared(
        &mut bob.vault,
        ORG,
        "prod/db",
        "job Default:deploy run 4",
        now,
    )
    .unwrap();
    assert!(offline);
    assert_eq!(bob.vault.team_queue(&id).unwrap().len(), 2);
    // Still needs the server: a write.
    assert_eq!(
        coffer_team::TeamVault::open(&mut bob.vault, None)
            .map(|_| ())
            .unwrap_err()
            .code(),
        "unreachable"
    );

    team.pg.restart();
    coffer_team::sync(&mut bob.vault, None).unwrap();
    assert!(bob.vault.team_queue(&id).unwrap().is_empty());
    let bob_id = bob.status().member_id;
    let offline_entries = |team: &mut Team| -> Vec<(String, String, Option<String>)> {
        team.admin
            .open()
            .audit_entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.action.ends_with(".offline"))
            .map(|e| (e.action, e.actor, e.note))
            .collect()
    };
    assert_eq!(
        offline_entries(&mut team),
        [
            ("secret.reveal.offline".to_owned(), bob_id.clone(), None),
            (
                "secret.use.offline".to_owned(),
                bob_id.clone(),
                Some("job Default:deploy run 4".to_owned())
            ),
        ]
    );
    // Another sync sends nothing twice.
    coffer_team::sync(&mut bob.vault, None).unwrap();
    assert_eq!(offline_entries(&mut team).len(), 2);

    // Turned off: the next sync drops the values; offline is `unreachable` again.
    team.admin.open().set_offline_use(ORG, false, now).unwrap();
    coffer_team::sync(&mut bob.vault, None).unwrap();
    team.pg.stop();
    let e = coffer_team::reveal_shared(&mut bob.vault, ORG, "prod/db", now)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code(), "unreachable", "{e}");
    // Listing still works from the replica.
    let listing = coffer_team::list_shared(&mut bob.vault, None, Some(ORG)).unwrap();
    assert!(!listing.online);
    assert_eq!(listing.secrets.len(), 1);
}
