//! Teams against a real PostgreSQL: administrators create, rename, list,
//! fill and delete them; members cannot, through the API or by direct SQL;
//! records changed on the server are tampered.

use coffer_core::Clock as _;
use coffer_core::secret::NewSecret;
use coffer_team::{AccessChange, Level, Role, RulesChange};

use crate::support::basic_auth;
use crate::support::*;

#[test]
fn administrators_create_rename_fill_and_delete_teams() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = bob.status().member_id;
    let now = team.admin.clock.now();
    let mut admin = team.admin.open();
    let ops = admin.create_team(ORG, "ops", now).unwrap();
    assert_eq!((ops.name.as_str(), ops.epoch), ("ops", 1));
    assert!(ops.members.is_empty());
    assert_eq!(
        admin.create_team(ORG, " ops ", now).unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(
        admin.create_team(ORG, "", now).unwrap_err().code(),
        "invalid_input"
    );
    admin.create_team(ORG, "dev", now).unwrap();
    let added = admin.add_team_member(ORG, "ops", &bob_id, now).unwrap();
    assert_eq!(added.members, std::slice::from_ref(&bob_id));
    assert_eq!(
        admin
            .add_team_member(ORG, "ops", &bob_id, now)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        admin
            .add_team_member(ORG, "nope", &bob_id, now)
            .unwrap_err()
            .code(),
        "not_found"
    );
    admin.rename_team(ORG, "ops", "operations", now).unwrap();
    // Every member sees the teams and who is in them (names are sealed).
    let seen = bob.open().teams(ORG).unwrap();
    let names: Vec<&str> = seen.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["dev", "operations"]);
    let members = bob.open().team_members(ORG, "operations").unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].id, bob_id);
    let dump = team.pg.dump();
    let text = String::from_utf8_lossy(&dump);
    assert!(!text.contains("operations"), "team names are sealed");
    // A team named by a rule is not deleted until the rule goes.
    admin
        .create_shared_secret(ORG, NewSecret::new("prod/db", basic_auth("a", "b")), now)
        .unwrap();
    let give = |level| AccessChange {
        rules: RulesChange::Set {
            team: "operations".into(),
            level,
        },
        ..AccessChange::default()
    };
    admin
        .change_access(ORG, "prod/db", &give(Some(Level::Reader)), now)
        .unwrap();
    assert_eq!(
        admin
            .delete_team(ORG, "operations", now)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    admin
        .change_access(ORG, "prod/db", &give(None), now)
        .unwrap();
    admin.delete_team(ORG, "operations", now).unwrap();
    let names: Vec<String> = bob
        .open()
        .teams(ORG)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["dev"]);
}

#[test]
fn a_member_cannot_create_or_fill_a_team_even_by_direct_sql() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = bob.status().member_id;
    let now = team.admin.clock.now();
    team.admin.open().create_team(ORG, "ops", now).unwrap();
    let mut tv = bob.open();
    // Through the API: refused before anything is sent.
    let table: [(&str, coffer_team::Result<()>); 4] = [
        ("create", tv.create_team(ORG, "mine", now).map(drop)),
        ("rename", tv.rename_team(ORG, "ops", "x", now).map(drop)),
        (
            "add",
            tv.add_team_member(ORG, "ops", &bob_id, now).map(drop),
        ),
        ("delete", tv.delete_team(ORG, "ops", now).map(drop)),
    ];
    for (op, result) in table {
        assert_eq!(result.unwrap_err().code(), "forbidden", "{op}");
    }
    // By direct SQL as Bob's role: PostgreSQL refuses every write.
    let mut sql = team.sql_as(&team.login_of(&bob_id));
    let org: uuid::Uuid = sql
        .query_one("SELECT id FROM coffer.organizations", &[])
        .unwrap()
        .get(0);
    let ops: uuid::Uuid = sql
        .query_one("SELECT id FROM coffer.teams", &[])
        .unwrap()
        .get(0);
    for statement in [
        format!(
            "INSERT INTO coffer.teams (id, org_id, name, epoch, recipient, signed_by, sig) \
             VALUES (gen_random_uuid(), '{org}', '\\x00', 1, 'r', '{bob_id}', '\\x00')"
        ),
        "UPDATE coffer.teams SET epoch = 9".to_owned(),
        "DELETE FROM coffer.teams".to_owned(),
        format!(
            "INSERT INTO coffer.team_members (team_id, member_id, added_by, sig) \
             VALUES ('{ops}', '{bob_id}', '{bob_id}', '\\x00')"
        ),
        format!(
            "INSERT INTO coffer.team_keys (team_id, epoch, member_id, wrapped, granted_by, sig) \
             VALUES ('{ops}', 1, '{bob_id}', '\\x00', '{bob_id}', '\\x00')"
        ),
        "DELETE FROM coffer.team_keys".to_owned(),
    ] {
        refused(&mut sql, &statement);
    }
    // Bob sees no key of a team he is not in.
    let keys: i64 = sql
        .query_one("SELECT count(*) FROM coffer.team_keys", &[])
        .unwrap()
        .get(0);
    assert_eq!(keys, 0);
}

#[test]
fn a_team_membership_the_server_made_up_is_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let bob_id = bob.status().member_id;
    let admin_id = team.admin.status().member_id;
    let now = team.admin.clock.now();
    team.admin.open().create_team(ORG, "ops", now).unwrap();
    // The server (its superuser) adds Bob to the team without a signature.
    team.pg
        .superuser("team")
        .batch_execute(&format!(
            "INSERT INTO coffer.team_members (team_id, member_id, added_by, sig) \
             SELECT id, '{bob_id}', '{admin_id}', '\\x00' FROM coffer.teams"
        ))
        .unwrap();
    assert_eq!(bob.open().teams(ORG).unwrap_err().code(), "tampered");
    assert_eq!(team.admin.open().teams(ORG).unwrap_err().code(), "tampered");
}
