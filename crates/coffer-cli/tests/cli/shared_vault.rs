//! `coffer shared-vault` with three desktops as three vaults and separate
//! processes, on a real PostgreSQL started by the test.

use crate::pg::Postgres;
use crate::support::Env;

fn field(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

#[test]
fn create_invite_join_confirm_through_the_cli() {
    let mut pg = Postgres::start();
    let alice = Env::new();
    alice.add_basic("pg-dba", "not-needed-with-trust");
    let created = alice
        .run(&[
            "shared-vault",
            "create",
            "--url",
            &pg.url("coffer"),
            "--password-secret",
            "pg-dba",
            "--name",
            "Alice",
            "--org",
            "Payments",
            "--json",
        ])
        .ok()
        .json();
    let team = field(&created, "team_id");
    assert!(!field(&created, "fingerprint").is_empty());

    let invite = alice
        .run(&["shared-vault", "invite", "--expires-in", "2", "--json"])
        .ok()
        .json();
    let ticket = field(&invite, "ticket");
    assert!(ticket.starts_with("coffer-invite-v1."));

    // Bob joins from his own vault; the ticket comes from a file.
    let bob = Env::new();
    let ticket_file = bob.file("ticket", format!("{ticket}\n"));
    let ticket_path = ticket_file.to_str().unwrap();
    let joined = bob
        .run(&[
            "shared-vault",
            "join",
            "--ticket-file",
            ticket_path,
            "--name",
            "Bob",
            "--json",
        ])
        .ok()
        .json();
    let bob_id = field(&joined, "member_id");
    let fingerprint = field(&joined, "fingerprint");
    let status = bob.run(&["shared-vault", "status", "--json"]).ok().json();
    assert_eq!(field(&status, "state"), "pending");
    assert_eq!(field(&status, "fingerprint"), fingerprint);
    assert_eq!(field(&status, "team_id"), team);

    // Alice sees him pending with the same fingerprint.
    let members = alice
        .run(&["shared-vault", "members", "--json"])
        .ok()
        .json();
    let row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| field(m, "id") == bob_id)
        .unwrap()
        .clone();
    assert_eq!(field(&row, "status"), "pending");
    assert_eq!(field(&row, "fingerprint"), fingerprint);
    assert_eq!(field(&row, "display_name"), "Bob");
    let human = alice.run(&["shared-vault", "members"]).ok();
    assert!(human.stdout.contains(&fingerprint), "{}", human.stdout);

    // A wrong fingerprint is refused (exit 6), the right one confirms.
    let wrong = alice
        .run(&[
            "shared-vault",
            "confirm",
            &bob_id,
            "--fingerprint",
            "0000-0000-0000-0000-0000",
            "--json",
        ])
        .fails(6);
    assert_eq!(wrong.error_json()["error"]["code"], "fingerprint_mismatch");
    alice
        .run(&[
            "shared-vault",
            "confirm",
            &bob_id[..8],
            "--fingerprint",
            &fingerprint,
        ])
        .ok();
    let status = bob.run(&["shared-vault", "status", "--json"]).ok().json();
    assert_eq!(field(&status, "state"), "active");
    assert_eq!(field(&status, "role"), "member");
    // Bob may not invite (PostgreSQL and Coffer refuse): exit 6.
    bob.run(&["shared-vault", "invite"]).fails(6);

    // The ticket was single-use.
    let carol = Env::new();
    let used = carol
        .run(&[
            "shared-vault",
            "join",
            "--ticket-file",
            ticket_path,
            "--name",
            "Carol",
            "--json",
        ])
        .fails(6);
    assert_eq!(used.error_json()["error"]["code"], "invitation_invalid");

    // The server stopped: a clear error, exit 7, quickly.
    pg.stop();
    let started = std::time::Instant::now();
    let down = alice.run(&["shared-vault", "status", "--json"]).fails(7);
    assert_eq!(down.error_json()["error"]["code"], "unreachable");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

#[test]
fn secret_commands_with_a_shared_org_go_to_the_team_vault() {
    let mut pg = Postgres::start();
    let alice = Env::new();
    alice
        .run(&[
            "shared-vault",
            "create",
            "--url",
            &pg.url("coffer"),
            "--name",
            "Alice",
            "--org",
            "Payments",
        ])
        .ok();
    let invite = alice.run(&["shared-vault", "invite", "--json"]).ok().json();
    let bob = Env::new();
    let ticket = bob.file("ticket", field(&invite, "ticket"));
    let joined = bob
        .run(&[
            "shared-vault",
            "join",
            "--ticket-file",
            ticket.to_str().unwrap(),
            "--name",
            "Bob",
            "--json",
        ])
        .ok()
        .json();
    alice
        .run(&[
            "shared-vault",
            "confirm",
            &field(&joined, "member_id"),
            "--fingerprint",
            &field(&joined, "fingerprint"),
        ])
        .ok();

    // Alice adds a shared secret: the same command as a local one.
    let added = alice
        .run_with_stdin(
            &[
                "secret",
                "add",
                "basic_auth",
                "prod/db",
                "--org",
                "Payments",
                "--field",
                "username=app",
                "--field",
                "password=@-",
                "--label",
                "env=prod",
            ],
            b"shared-Canary-pw\n",
        )
        .ok();
    assert!(added.stdout.contains("shared"), "{}", added.stdout);
    // A local organization of the same vault stays local.
    alice.add_basic("local-only", "pw-local");
    let local = alice.run(&["secret", "list", "--json"]).ok().json();
    assert_eq!(local["items"].as_array().unwrap().len(), 1);

    // Bob, in his own process and vault, lists, shows and reveals it.
    let listed = bob
        .run(&["secret", "list", "--org", "Payments", "--json"])
        .ok()
        .json();
    assert_eq!(listed["online"], true);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(field(&items[0], "name"), "prod/db");
    assert_eq!(items[0]["labels"]["env"], "prod");
    let table = bob.run(&["secret", "list", "--org", "Payments"]).ok();
    assert!(table.stdout.contains("prod/db"), "{}", table.stdout);
    assert!(table.stdout.contains("active (shared)"), "{}", table.stdout);
    let shown = bob
        .run(&["secret", "show", "prod/db", "--org", "Payments"])
        .ok();
    assert!(shown.stdout.contains("username"), "{}", shown.stdout);
    assert!(!shown.stdout.contains("shared-Canary-pw"));
    let revealed = bob
        .run(&["secret", "reveal", "prod/db", "--org", "Payments"])
        .ok();
    assert_eq!(revealed.stdout.trim_end(), "shared-Canary-pw");

    // Bob changes the description; Alice sees it; then deactivates and trashes.
    bob.run(&[
        "secret",
        "update",
        "prod/db",
        "--org",
        "Payments",
        "--description",
        "primary",
    ])
    .ok();
    let shown = alice
        .run(&["secret", "show", "prod/db", "--org", "Payments", "--json"])
        .ok()
        .json();
    assert_eq!(field(&shown, "description"), "primary");
    assert_eq!(shown["revision"], 2);
    alice
        .run(&["secret", "deactivate", "prod/db", "--org", "Payments"])
        .ok();
    let missing = bob
        .run(&["secret", "reveal", "nope", "--org", "Payments", "--json"])
        .fails(3);
    assert_eq!(missing.error_json()["error"]["code"], "not_found");

    // Offline: the list comes from Bob's replica (as of his last sync) and says so.
    bob.run(&["secret", "list", "--org", "Payments"]).ok();
    pg.stop();
    let offline = bob.run(&["secret", "list", "--org", "Payments"]).ok();
    assert!(
        offline.stderr.contains("offline, as of"),
        "{}",
        offline.stderr
    );
    assert!(offline.stdout.contains("prod/db"), "{}", offline.stdout);
    assert!(
        offline.stdout.contains("deactivated (shared)"),
        "{}",
        offline.stdout
    );
    bob.run(&["secret", "reveal", "prod/db", "--org", "Payments"])
        .fails(7);
}
