//! Access rules against a real PostgreSQL, with five members as separate
//! local vaults: the matrix of level × operation × visibility through the
//! API and through direct SQL as each member's role; bulk changes; a member
//! removed from a team; unsigned rules.

use coffer_core::Clock as _;
use coffer_core::Timestamp;
use coffer_core::secret::NewSecret;
use coffer_team::{AccessChange, Level, MetadataChange, Role, RulesChange, TeamVault, Visibility};

use crate::support::basic_auth;
use crate::support::*;

/// The members of the matrix: one per level, through a team of each level
/// (or none), and the administrator who owns every secret.
struct Cast {
    team: Team,
    none: Desk,
    reader: Desk,
    writer: Desk,
    owner: Desk,
}

const LEVELS: [&str; 4] = ["none", "READER", "WRITER", "OWNER"];

impl Cast {
    fn new() -> Self {
        let mut team = Team::new();
        let none = team.add("Nadia None", Role::Member);
        let mut reader = team.add("Rita Reader", Role::Member);
        let mut writer = team.add("Walt Writer", Role::Member);
        let mut owner = team.add("Olga Owner", Role::Member);
        let now = team.admin.clock.now();
        let mut admin = team.admin.open();
        for (name, desk) in [
            ("readers", &mut reader),
            ("writers", &mut writer),
            ("owners", &mut owner),
        ] {
            admin.create_team(ORG, name, now).unwrap();
            let id = desk.status().member_id;
            admin.add_team_member(ORG, name, &id, now).unwrap();
        }
        admin.create_team(ORG, "spare", now).unwrap();
        Self {
            team,
            none,
            reader,
            writer,
            owner,
        }
    }

    fn desk(&mut self, level: &str) -> &mut Desk {
        match level {
            "none" => &mut self.none,
            "READER" => &mut self.reader,
            "WRITER" => &mut self.writer,
            _ => &mut self.owner,
        }
    }

    fn now(&self) -> Timestamp {
        self.team.admin.clock.now()
    }

    /// A secret owned by the administrator with the three team rules.
    fn secret(&mut self, name: &str, visibility: Visibility) -> i32 {
        let now = self.now();
        let mut admin = self.team.admin.open();
        admin
            .create_shared_secret(
                ORG,
                NewSecret::new(name, basic_auth("app", "pw-Canary")),
                now,
            )
            .unwrap();
        let change = AccessChange {
            visibility: Some(visibility),
            owner: None,
            rules: RulesChange::Replace(vec![
                ("readers".into(), Level::Reader),
                ("writers".into(), Level::Writer),
                ("owners".into(), Level::Owner),
            ]),
        };
        admin.change_access(ORG, name, &change, now).unwrap();
        admin.shared_secret(ORG, name).unwrap().revision
    }
}

/// What one operation returns: `ok` or the error's code.
fn outcome<T>(result: coffer_team::Result<T>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

fn run(tv: &mut TeamVault, op: &str, name: &str, revision: i32, now: Timestamp) -> String {
    match op {
        "list" => match tv.shared_secrets(ORG) {
            Ok(list) if list.iter().any(|s| s.name == name) => "ok".into(),
            Ok(_) => "hidden".into(),
            Err(e) => e.code().into(),
        },
        "metadata" => outcome(tv.shared_secret(ORG, name)),
        "reveal" => outcome(tv.reveal_shared_secret(ORG, name, now)),
        "update value" => {
            outcome(tv.update_shared_value(ORG, name, revision, basic_auth("app", "pw-2"), now))
        }
        "update metadata" => outcome(tv.update_shared_metadata(
            ORG,
            name,
            revision,
            MetadataChange {
                description: Some("changed".into()),
                ..MetadataChange::default()
            },
            now,
        )),
        "deactivate" => outcome(tv.set_shared_status(ORG, name, revision, "deactivated", now)),
        "trash" => outcome(tv.set_shared_status(ORG, name, revision, "trashed", now)),
        "purge" => outcome(tv.purge_shared_secret(ORG, name, revision, now)),
        "change rules" => outcome(tv.change_access(
            ORG,
            name,
            &AccessChange {
                rules: RulesChange::Set {
                    team: "spare".into(),
                    level: Some(Level::Reader),
                },
                ..AccessChange::default()
            },
            now,
        )),
        other => panic!("no operation {other}"),
    }
}

#[test]
fn the_api_matrix_of_level_operation_and_visibility() {
    let mut cast = Cast::new();
    // Expected outcome per level (none, READER, WRITER, OWNER).
    let table: [(&str, &str, [&str; 4]); 18] = [
        ("PUBLIC", "list", ["ok", "ok", "ok", "ok"]),
        ("PUBLIC", "metadata", ["ok", "ok", "ok", "ok"]),
        ("PUBLIC", "reveal", ["ok", "ok", "ok", "ok"]),
        (
            "PUBLIC",
            "update value",
            ["forbidden", "forbidden", "ok", "ok"],
        ),
        (
            "PUBLIC",
            "update metadata",
            ["forbidden", "forbidden", "ok", "ok"],
        ),
        (
            "PUBLIC",
            "deactivate",
            ["forbidden", "forbidden", "ok", "ok"],
        ),
        ("PUBLIC", "trash", ["forbidden", "forbidden", "ok", "ok"]),
        (
            "PUBLIC",
            "purge",
            ["forbidden", "forbidden", "forbidden", "ok"],
        ),
        (
            "PUBLIC",
            "change rules",
            ["forbidden", "forbidden", "forbidden", "ok"],
        ),
        ("PRIVATE", "list", ["hidden", "ok", "ok", "ok"]),
        ("PRIVATE", "metadata", ["not_found", "ok", "ok", "ok"]),
        ("PRIVATE", "reveal", ["not_found", "ok", "ok", "ok"]),
        (
            "PRIVATE",
            "update value",
            ["not_found", "forbidden", "ok", "ok"],
        ),
        (
            "PRIVATE",
            "update metadata",
            ["not_found", "forbidden", "ok", "ok"],
        ),
        (
            "PRIVATE",
            "deactivate",
            ["not_found", "forbidden", "ok", "ok"],
        ),
        ("PRIVATE", "trash", ["not_found", "forbidden", "ok", "ok"]),
        (
            "PRIVATE",
            "purge",
            ["not_found", "forbidden", "forbidden", "ok"],
        ),
        (
            "PRIVATE",
            "change rules",
            ["not_found", "forbidden", "forbidden", "ok"],
        ),
    ];
    let mut failures = Vec::new();
    for (visibility, op, expected) in table {
        for (level, want) in LEVELS.iter().zip(expected) {
            let name = format!("{visibility}/{op}/{level}").replace(' ', "-");
            let vis = Visibility::parse(visibility).unwrap();
            let mut revision = cast.secret(&name, vis);
            let now = cast.now();
            if op == "purge" {
                // Purging is from the trash: the administrator trashes first.
                revision = cast
                    .team
                    .admin
                    .open()
                    .set_shared_status(ORG, &name, revision, "trashed", now)
                    .unwrap()
                    .revision;
            }
            let got = run(&mut cast.desk(level).open(), op, &name, revision, now);
            if got != want {
                failures.push(format!(
                    "{visibility} {op} as {level}: {got}, expected {want}"
                ));
            }
            // Whatever was refused left the secret as it was.
            let after = cast.team.admin.open().shared_secrets(ORG).unwrap();
            let found = after.iter().find(|s| s.name == name);
            match (want, op) {
                ("ok", "purge") => assert!(found.is_none(), "{name} purged"),
                ("ok", "update value" | "update metadata" | "deactivate" | "trash") => {
                    assert_eq!(found.unwrap().revision, revision + 1, "{name}")
                }
                ("ok", _) => assert_eq!(found.unwrap().revision, revision, "{name}"),
                _ => {
                    let s = found.unwrap();
                    assert_eq!(s.revision, revision, "{name} unchanged");
                    let access = cast.team.admin.open().secret_access(ORG, &name).unwrap();
                    assert_eq!(access.rules.len(), 3, "{name}: rules unchanged");
                    assert_eq!(access.visibility, visibility);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Counts the rows of a secret in a table as a role sees them.
fn rows(sql: &mut postgres::Client, table: &str, column: &str, id: uuid::Uuid) -> i64 {
    sql.query_one(
        &format!("SELECT count(*) FROM coffer.{table} WHERE {column} = $1"),
        &[&id],
    )
    .unwrap()
    .get(0)
}

/// Runs `statement` in a transaction rolled back: `ok` (rows changed),
/// `no rows` (row-level security filtered them) or the SQLSTATE.
fn try_sql(sql: &mut postgres::Client, statement: &str) -> String {
    let mut tx = sql.transaction().unwrap();
    let result = match tx.execute(statement, &[]) {
        Ok(0) => "no rows".to_owned(),
        Ok(_) => "ok".to_owned(),
        Err(e) => e
            .as_db_error()
            .map(|d| d.code().code().to_owned())
            .unwrap_or_else(|| e.to_string()),
    };
    tx.rollback().ok();
    result
}

#[test]
fn the_sql_matrix_postgresql_hides_private_rows_and_refuses_writes() {
    let mut cast = Cast::new();
    let public = cast.secret("sql/public", Visibility::Public);
    let private = cast.secret("sql/private", Visibility::Private);
    let mut root = cast.team.pg.superuser("team");
    assert_eq!(public, private);
    let ids: Vec<(String, uuid::Uuid, uuid::Uuid)> = root
        .query(
            "SELECT visibility, id, org_id FROM coffer.secrets ORDER BY visibility DESC",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let spare: uuid::Uuid = {
        let teams = cast.team.admin.open().teams(ORG).unwrap();
        uuid::Uuid::parse_str(&teams.iter().find(|t| t.name == "spare").unwrap().id).unwrap()
    };
    // Rows visible (secret, revisions, data keys, rules), then the outcome
    // of each write, per level: ["none", "READER", "WRITER", "OWNER"].
    type Cell = [&'static str; 4];
    let reads: [(&str, &str, [i64; 4]); 8] = [
        ("PUBLIC", "secrets", [1, 1, 1, 1]),
        ("PUBLIC", "secret_versions", [1, 1, 1, 1]),
        ("PUBLIC", "data_keys", [1, 1, 1, 1]),
        ("PUBLIC", "access_rules", [3, 3, 3, 3]),
        ("PRIVATE", "secrets", [0, 1, 1, 1]),
        ("PRIVATE", "secret_versions", [0, 1, 1, 1]),
        // One revision, wrapped for three teams and the owner.
        ("PRIVATE", "data_keys", [0, 4, 4, 4]),
        ("PRIVATE", "access_rules", [0, 3, 3, 3]),
    ];
    let writes: [(&str, &str, Cell); 14] = [
        (
            "PUBLIC",
            "update status",
            ["no rows", "no rows", "ok", "ok"],
        ),
        ("PUBLIC", "insert version", ["42501", "42501", "ok", "ok"]),
        (
            "PUBLIC",
            "change visibility",
            ["no rows", "no rows", "42501", "ok"],
        ),
        ("PUBLIC", "insert rule", ["42501", "42501", "42501", "ok"]),
        (
            "PUBLIC",
            "delete rules",
            ["no rows", "no rows", "no rows", "ok"],
        ),
        ("PUBLIC", "purge", ["42501", "42501", "42501", "CF004"]),
        (
            "PUBLIC",
            "delete secret",
            ["42501", "42501", "42501", "42501"],
        ),
        (
            "PRIVATE",
            "update status",
            ["no rows", "no rows", "ok", "ok"],
        ),
        ("PRIVATE", "insert version", ["42501", "42501", "ok", "ok"]),
        (
            "PRIVATE",
            "change visibility",
            ["no rows", "no rows", "42501", "ok"],
        ),
        ("PRIVATE", "insert rule", ["42501", "42501", "42501", "ok"]),
        (
            "PRIVATE",
            "delete rules",
            ["no rows", "no rows", "no rows", "ok"],
        ),
        ("PRIVATE", "purge", ["42501", "42501", "42501", "CF004"]),
        (
            "PRIVATE",
            "delete secret",
            ["42501", "42501", "42501", "42501"],
        ),
    ];
    let mut failures = Vec::new();
    for (i, level) in LEVELS.iter().enumerate() {
        let member = cast.desk(level).status().member_id;
        let mut sql = cast.team.sql_as(&cast.team.login_of(&member));
        for (visibility, table, want) in reads {
            let (_, id, _) = ids.iter().find(|(v, _, _)| v == visibility).unwrap();
            let column = if table == "secrets" {
                "id"
            } else {
                "secret_id"
            };
            let got = rows(&mut sql, table, column, *id);
            if got != want[i] {
                failures.push(format!(
                    "{visibility} {table} as {level}: {got} rows, expected {}",
                    want[i]
                ));
            }
        }
        for (visibility, op, want) in writes {
            let (_, id, org) = ids.iter().find(|(v, _, _)| v == visibility).unwrap();
            let other = if visibility == "PUBLIC" {
                "PRIVATE"
            } else {
                "PUBLIC"
            };
            let statement = match op {
                "update status" => {
                    format!("UPDATE coffer.secrets SET status = 'deactivated' WHERE id = '{id}'")
                }
                "insert version" => format!(
                    "INSERT INTO coffer.secret_versions (secret_id, org_id, revision, version, \
                     status, author, at, meta, value, sig) VALUES ('{id}', '{org}', 99, 1, \
                     'active', '{member}', 0, '\\x00', '\\x00', '\\x00')"
                ),
                "change visibility" => {
                    format!("UPDATE coffer.secrets SET visibility = '{other}' WHERE id = '{id}'")
                }
                "insert rule" => format!(
                    "INSERT INTO coffer.access_rules (secret_id, org_id, team_id, level) \
                     VALUES ('{id}', '{org}', '{spare}', 'OWNER')"
                ),
                "delete rules" => {
                    format!("DELETE FROM coffer.access_rules WHERE secret_id = '{id}'")
                }
                "purge" => format!("SELECT coffer.purge_secret('{id}', {public})"),
                "delete secret" => format!("DELETE FROM coffer.secrets WHERE id = '{id}'"),
                other => panic!("no statement {other}"),
            };
            let mut got = try_sql(&mut sql, &statement);
            if op == "purge" && got == "ok" {
                got = "no rows".into();
            }
            if got != want[i] {
                failures.push(format!(
                    "{visibility} {op} as {level}: {got}, expected {}",
                    want[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing changed for anyone.
    for (visibility, id, _) in &ids {
        let status: String = root
            .query_one("SELECT status FROM coffer.secrets WHERE id = $1", &[id])
            .unwrap()
            .get(0);
        assert_eq!(status, "active", "{visibility}");
    }
}

#[test]
fn a_private_secret_is_never_wrapped_under_the_organization_key() {
    let mut cast = Cast::new();
    cast.secret("wrap/private", Visibility::Private);
    let mut root = cast.team.pg.superuser("team");
    let under: Vec<String> = root
        .query(
            "SELECT DISTINCT k.wrapped_under FROM coffer.data_keys k
             JOIN coffer.secrets s ON s.id = k.secret_id ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(under, ["member", "team"]);
    // A writer cannot add an organization wrap to a PRIVATE secret, even by SQL.
    let member = cast.writer.status().member_id;
    let mut sql = cast.team.sql_as(&cast.team.login_of(&member));
    let got = try_sql(
        &mut sql,
        "INSERT INTO coffer.data_keys (secret_id, org_id, revision, wrapped_under, under_id, \
         epoch, wrapped) SELECT id, org_id, revision, 'org', org_id, 1, '\\x00' \
         FROM coffer.secrets",
    );
    assert_eq!(got, "42501");
    // Made PUBLIC again, its keys are under the organization key alone.
    let now = cast.now();
    cast.team
        .admin
        .open()
        .change_access(
            ORG,
            "wrap/private",
            &AccessChange {
                visibility: Some(Visibility::Public),
                ..AccessChange::default()
            },
            now,
        )
        .unwrap();
    let under: Vec<String> = root
        .query("SELECT DISTINCT wrapped_under FROM coffer.data_keys", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(under, ["org"]);
    let (_, value) = cast
        .none
        .open()
        .reveal_shared_secret(ORG, "wrap/private", now)
        .unwrap();
    assert_eq!(
        value.field("password").unwrap().value.as_ref(),
        b"pw-Canary"
    );
}

#[test]
fn bulk_rules_on_a_hundred_secrets_change_in_one_transaction() {
    let mut cast = Cast::new();
    let now = cast.now();
    let names: Vec<String> = (0..100).map(|i| format!("bulk/{i:03}")).collect();
    {
        let mut owner = cast.owner.open();
        for name in &names {
            owner
                .create_shared_secret(ORG, NewSecret::new(name, basic_auth("u", "p")), now)
                .unwrap();
        }
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let private_to_readers = AccessChange {
        visibility: Some(Visibility::Private),
        owner: None,
        rules: RulesChange::Set {
            team: "readers".into(),
            level: Some(Level::Reader),
        },
    };
    // One secret the owner may not change: nothing changes at all.
    cast.team
        .admin
        .open()
        .create_shared_secret(
            ORG,
            NewSecret::new("bulk/zz-admins", basic_auth("u", "p")),
            now,
        )
        .unwrap();
    let mut with_foreign = refs.clone();
    with_foreign.push("bulk/zz-admins");
    let e = cast
        .owner
        .open()
        .change_access_many(ORG, &with_foreign, &private_to_readers, now)
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    assert_eq!(cast.none.open().shared_secrets(ORG).unwrap().len(), 101);
    // The hundred in one transaction: every one or none.
    let before = cast
        .team
        .pg
        .superuser("team")
        .query_one("SELECT value FROM coffer.revision", &[])
        .unwrap()
        .get::<_, i64>(0);
    let changed = cast
        .owner
        .open()
        .change_access_many(ORG, &refs, &private_to_readers, now)
        .unwrap();
    assert_eq!(changed.len(), 100);
    assert!(
        changed
            .iter()
            .all(|a| a.visibility == "PRIVATE" && a.rules.len() == 1)
    );
    let stamps: Vec<i64> = cast
        .team
        .pg
        .superuser("team")
        .query(
            "SELECT DISTINCT xmin::text::bigint FROM coffer.secrets WHERE visibility = 'PRIVATE'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(stamps.len(), 1, "one transaction wrote all hundred");
    let after = cast
        .team
        .pg
        .superuser("team")
        .query_one("SELECT value FROM coffer.revision", &[])
        .unwrap()
        .get::<_, i64>(0);
    assert!(after > before);
    let none_sees = cast.none.open().shared_secrets(ORG).unwrap();
    assert_eq!(
        none_sees
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["bulk/zz-admins"]
    );
    let mut reader = cast.reader.open();
    assert_eq!(reader.shared_secrets(ORG).unwrap().len(), 101);
    let (_, value) = reader.reveal_shared_secret(ORG, "bulk/042", now).unwrap();
    assert_eq!(value.field("password").unwrap().value.as_ref(), b"p");
    // Audited: who, which secret, which team, old -> new.
    let audited: i64 = cast
        .team
        .pg
        .superuser("team")
        .query_one(
            "SELECT count(*) FROM coffer.audit WHERE action = 'secret.access' \
             AND target LIKE '% team % none -> READER'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(audited, 100);
}

#[test]
fn a_member_removed_from_a_team_cannot_decrypt_new_versions() {
    let mut cast = Cast::new();
    let revision = cast.secret("prod/db", Visibility::Private);
    let now = cast.now();
    let reader_id = cast.reader.status().member_id;
    let (_, value) = cast
        .reader
        .open()
        .reveal_shared_secret(ORG, "prod/db", now)
        .unwrap();
    assert_eq!(
        value.field("password").unwrap().value.as_ref(),
        b"pw-Canary"
    );
    let removed = cast
        .team
        .admin
        .open()
        .remove_team_member(ORG, "readers", &reader_id, now)
        .unwrap();
    assert_eq!(removed.team.epoch, 2);
    assert_eq!(removed.to_rotate.len(), 1);
    cast.team
        .admin
        .open()
        .update_shared_value(ORG, "prod/db", revision, basic_auth("app", "pw-new"), now)
        .unwrap();
    // Row-level security hides it now...
    assert_eq!(
        cast.reader
            .open()
            .shared_secret(ORG, "prod/db")
            .unwrap_err()
            .code(),
        "not_found"
    );
    // ...and no key the member holds opens the new revision: its data key
    // is wrapped for the team's new epoch and the owner only.
    let mut root = cast.team.pg.superuser("team");
    let member = uuid::Uuid::parse_str(&reader_id).unwrap();
    let openable: i64 = root
        .query_one(
            "SELECT count(*) FROM coffer.data_keys k JOIN coffer.secrets s ON s.id = k.secret_id
             WHERE k.revision = s.revision AND (
                (k.wrapped_under = 'member' AND k.under_id = $1)
                OR (k.wrapped_under = 'org')
                OR (k.wrapped_under = 'team' AND EXISTS (SELECT 1 FROM coffer.team_keys t
                    WHERE t.team_id = k.under_id AND t.epoch = k.epoch AND t.member_id = $1)))",
            &[&member],
        )
        .unwrap()
        .get(0);
    assert_eq!(openable, 0);
    let readers_epoch: i32 = root
        .query_one(
            "SELECT k.epoch FROM coffer.data_keys k JOIN coffer.teams t ON t.id = k.under_id
             JOIN coffer.secrets s ON s.id = k.secret_id
             WHERE k.wrapped_under = 'team' AND k.revision = s.revision AND t.epoch = 2",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        readers_epoch, 2,
        "the new revision is wrapped for the new epoch"
    );
    // Another member added to the team later reads every revision.
    let none_id = cast.none.status().member_id;
    cast.team
        .admin
        .open()
        .add_team_member(ORG, "readers", &none_id, now)
        .unwrap();
    let (_, value) = cast
        .none
        .open()
        .reveal_shared_secret(ORG, "prod/db", now)
        .unwrap();
    assert_eq!(value.field("password").unwrap().value.as_ref(), b"pw-new");
}

#[test]
fn an_unsigned_rule_written_by_sql_is_tampered_for_every_client() {
    let mut cast = Cast::new();
    cast.secret("prod/api", Visibility::Private);
    // An OWNER may write rules by SQL (PostgreSQL allows it)...
    let member = cast.owner.status().member_id;
    let mut sql = cast.team.sql_as(&cast.team.login_of(&member));
    let spare: uuid::Uuid = {
        let teams = cast.team.admin.open().teams(ORG).unwrap();
        uuid::Uuid::parse_str(&teams.iter().find(|t| t.name == "spare").unwrap().id).unwrap()
    };
    sql.execute(
        "INSERT INTO coffer.access_rules (secret_id, org_id, team_id, level)
         SELECT id, org_id, $1, 'OWNER' FROM coffer.secrets",
        &[&spare],
    )
    .unwrap();
    // ...but no client accepts a rule outside the signed access record.
    for level in ["READER", "WRITER", "OWNER"] {
        let e = cast.desk(level).open().shared_secrets(ORG).unwrap_err();
        assert_eq!(e.code(), "tampered", "{level}");
    }
}

#[test]
fn a_secret_created_private_is_wrapped_for_its_teams_and_owner_only() {
    let mut cast = Cast::new();
    let now = cast.now();
    cast.owner
        .open()
        .create_shared_secret_with(
            ORG,
            NewSecret::new("born/private", basic_auth("app", "pw-born")),
            Visibility::Private,
            &[("readers".into(), Level::Reader)],
            now,
        )
        .unwrap();
    let mut root = cast.team.pg.superuser("team");
    let under: Vec<String> = root
        .query("SELECT wrapped_under FROM coffer.data_keys ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(under, ["member", "team"]);
    let table: [(&str, &str); 4] = [
        ("none", "not_found"),
        ("READER", "ok"),
        ("WRITER", "not_found"),
        ("OWNER", "ok"),
    ];
    for (level, want) in table {
        let got = outcome(
            cast.desk(level)
                .open()
                .reveal_shared_secret(ORG, "born/private", now),
        );
        assert_eq!(got, want, "{level}");
    }
    // Even the administrator does not see it: no rule, not its owner.
    assert_eq!(
        outcome(cast.team.admin.open().shared_secret(ORG, "born/private")),
        "not_found"
    );
}

#[test]
fn removing_a_member_from_the_team_vault_moves_their_teams_to_a_new_epoch() {
    let mut cast = Cast::new();
    let revision = cast.secret("prod/db", Visibility::Private);
    let now = cast.now();
    let reader_id = cast.reader.status().member_id;
    let removed = cast.team.admin.open().remove(&reader_id, now).unwrap();
    assert_eq!(removed.member_id, reader_id);
    let teams = cast.team.admin.open().teams(ORG).unwrap();
    let readers = teams.iter().find(|t| t.name == "readers").unwrap();
    assert_eq!(readers.epoch, 2);
    assert!(readers.members.is_empty());
    let others: Vec<i32> = teams
        .iter()
        .filter(|t| t.name != "readers")
        .map(|t| t.epoch)
        .collect();
    assert_eq!(others, [1, 1, 1]);
    // A new revision is wrapped for the new epoch: the removed member holds no key of it.
    cast.team
        .admin
        .open()
        .update_shared_value(ORG, "prod/db", revision, basic_auth("app", "pw-after"), now)
        .unwrap();
    let member = uuid::Uuid::parse_str(&reader_id).unwrap();
    let openable: i64 = cast
        .team
        .pg
        .superuser("team")
        .query_one(
            "SELECT count(*) FROM coffer.data_keys k JOIN coffer.secrets s ON s.id = k.secret_id
             WHERE k.revision = s.revision AND k.wrapped_under = 'team' AND EXISTS (
                SELECT 1 FROM coffer.team_keys t
                WHERE t.team_id = k.under_id AND t.epoch = k.epoch AND t.member_id = $1)",
            &[&member],
        )
        .unwrap()
        .get(0);
    assert_eq!(openable, 0);
    let (_, value) = cast
        .writer
        .open()
        .reveal_shared_secret(ORG, "prod/db", now)
        .unwrap();
    assert_eq!(value.field("password").unwrap().value.as_ref(), b"pw-after");
}
