//! The server side: a newer schema refused, a stopped server a clear error
//! within the connect timeout, a role without privileges told to use
//! `--print-sql` (whose SQL a DBA runs), and what a dump of the database holds.

use std::time::{Duration, Instant};

use coffer_team::{Role, TeamVault};

use coffer_core::Clock as _;

use crate::support::*;

#[test]
fn a_newer_server_schema_is_refused() {
    let mut team = Team::new();
    let ticket = team.ticket(Role::Member);
    team.pg
        .superuser("team")
        .batch_execute(&format!(
            "INSERT INTO coffer.coffer_schema (version) VALUES ({})",
            coffer_team::SCHEMA_VERSION + 1
        ))
        .unwrap();
    let e = TeamVault::open(&mut team.admin.vault, None).unwrap_err();
    assert_eq!(e.code(), "schema_too_new");
    assert!(e.to_string().contains("upgrade Coffer"), "{e}");
    let mut bob = Desk::new("Bob");
    let e = coffer_team::join(&mut bob.vault, &ticket, "Bob", None).unwrap_err();
    assert_eq!(e.code(), "schema_too_new");
    // Refused before anything was kept: the join rolled back.
    let pending: i64 = team
        .pg
        .superuser("team")
        .query_one(
            "SELECT count(*) FROM coffer.members WHERE status = 'pending'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(pending, 0);
    assert!(bob.vault.team_identities().unwrap().is_empty());
}

#[test]
fn a_stopped_server_is_a_clear_error_then_recovers() {
    let mut team = Team::new();
    team.pg.stop();
    let started = Instant::now();
    let e = coffer_team::status(&mut team.admin.vault, None).unwrap_err();
    assert_eq!(e.code(), "unreachable");
    assert!(
        e.to_string()
            .contains(&format!("127.0.0.1:{}/team", team.pg.port)),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    team.pg.restart();
    assert_eq!(team.admin.status().state, "active");
}

#[test]
fn a_silent_server_times_out() {
    // Accepts TCP connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut desk = Desk::new("Alice");
    let options = coffer_team::CreateOptions {
        connection: format!("postgres://coffer@127.0.0.1:{port}/team?sslmode=disable"),
        password_secret: None,
        ca_secret: None,
        client_cert: None,
        display_name: "Alice".into(),
        org_name: ORG.into(),
    };
    let started = Instant::now();
    let e = coffer_team::create(&mut desk.vault, &options, false).unwrap_err();
    assert_eq!(e.code(), "unreachable", "{e}");
    assert!(started.elapsed() < coffer_team::CONNECT_TIMEOUT + Duration::from_secs(5));
    assert!(desk.vault.team_identities().unwrap().is_empty());
    drop(listener);
}

#[test]
fn without_privileges_create_asks_for_a_dba_and_the_printed_sql_works() {
    let pg = Postgres::start();
    pg.superuser("team")
        .batch_execute("CREATE ROLE plain LOGIN")
        .unwrap();
    let mut alice = Desk::new("Alice");
    let e =
        coffer_team::create(&mut alice.vault, &options(&pg, "plain", "Alice"), false).unwrap_err();
    assert_eq!(e.code(), "needs_dba", "{e}");
    assert!(e.to_string().contains("--print-sql"), "{e}");
    assert!(alice.vault.team_identities().unwrap().is_empty());
    let printed =
        coffer_team::create(&mut alice.vault, &options(&pg, "plain", "Alice"), true).unwrap();
    let sql = printed.sql.expect("the SQL");
    assert!(
        !sql.contains("Alice"),
        "the display name is sealed in the SQL too"
    );
    // The DBA runs it.
    pg.superuser("team").batch_execute(&sql).unwrap();
    let status = alice.status();
    assert_eq!(status.state, "active");
    assert_eq!(status.fingerprint, printed.fingerprint);
    // A second create on the same database is refused.
    let e =
        coffer_team::create(&mut alice.vault, &options(&pg, "coffer", "Alice"), false).unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
}

#[test]
fn a_dump_of_the_database_holds_no_name_in_clear() {
    let mut team = Team::new();
    let ticket = team.ticket(Role::Member);
    let mut bob = Desk::new("Bob Canary-7f3a");
    let joined = coffer_team::join(&mut bob.vault, &ticket, bob.name, None).unwrap();
    let dump_pending = team.pg.dump();
    let now = team.admin.clock.now();
    team.admin
        .open()
        .confirm(&joined.member_id, &joined.fingerprint, now)
        .unwrap();
    let dump = team.pg.dump();
    let ticket_text = coffer_core::ExposeSecret::expose_secret(&ticket).to_owned();
    for (what, haystack) in [("pending", &dump_pending), ("confirmed", &dump)] {
        for needle in [
            "Alice Admin",
            "Canary-7f3a",
            ORG,
            "Payments",
            "AGE-SECRET-KEY",
            &ticket_text[20..60],
        ] {
            assert!(
                !contains(haystack, needle.as_bytes()),
                "{what}: the dump holds {needle:?}"
            );
        }
    }
    // What the server may see is there: ids, roles, statuses, public keys.
    assert!(contains(&dump, joined.member_id.as_bytes()));
    assert!(contains(&dump, b"age1pq1"));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
