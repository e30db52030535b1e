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

/// Alice creates a team vault whose home organization is "Payments".
fn create_payments(pg: &Postgres) -> Env {
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
    alice
}

/// Bob or Carol joins with a ticket from Alice and is confirmed.
fn join_and_confirm(alice: &Env, who: &Env, name: &str) -> String {
    join_and_confirm_as(alice, who, name, "member")
}

/// [`join_and_confirm`] with `role` (member or administrator).
fn join_and_confirm_as(alice: &Env, who: &Env, name: &str, role: &str) -> String {
    let invite = alice
        .run(&["shared-vault", "invite", "--role", role, "--json"])
        .ok()
        .json();
    let ticket = who.file("ticket", format!("{}\n", field(&invite, "ticket")));
    let joined = who
        .run(&[
            "shared-vault",
            "join",
            "--ticket-file",
            ticket.to_str().unwrap(),
            "--name",
            name,
            "--json",
        ])
        .ok()
        .json();
    let id = field(&joined, "member_id");
    alice
        .run(&[
            "shared-vault",
            "confirm",
            &id,
            "--fingerprint",
            &field(&joined, "fingerprint"),
        ])
        .ok();
    id
}

#[test]
fn revoke_audit_and_remove_through_the_cli() {
    let pg = Postgres::start();
    let alice = create_payments(&pg);
    let (bob, carol) = (Env::new(), Env::new());
    let bob_id = join_and_confirm(&alice, &bob, "Bob");
    join_and_confirm(&alice, &carol, "Carol");

    // An invitation listed (never its code), revoked, then refused.
    let invite = alice.run(&["shared-vault", "invite", "--json"]).ok().json();
    let (inv_id, ticket) = (field(&invite, "id"), field(&invite, "ticket"));
    let listed = alice.run(&["shared-vault", "invitations"]).ok();
    assert!(listed.stdout.contains(&inv_id), "{}", listed.stdout);
    assert!(listed.stdout.contains("open"), "{}", listed.stdout);
    let list_json = alice.run(&["shared-vault", "invitations", "--json"]).ok();
    assert!(!list_json.stdout.contains(&ticket[ticket.len() - 20..]));
    alice.run(&["shared-vault", "revoke", &inv_id[..8]]).ok();
    let dave = Env::new();
    let file = dave.file("ticket", &ticket);
    let refused = dave
        .run(&[
            "shared-vault",
            "join",
            "--ticket-file",
            file.to_str().unwrap(),
            "--name",
            "Dave",
            "--json",
        ])
        .fails(6);
    assert_eq!(refused.error_json()["error"]["code"], "invitation_invalid");
    let listed = alice.run(&["shared-vault", "invitations"]).ok();
    assert!(listed.stdout.contains("revoked"), "{}", listed.stdout);
    // Bob may not list invitations.
    bob.run(&["shared-vault", "invitations"]).fails(6);

    // Removing asks for --yes without a terminal; then Bob is out.
    alice.run(&["shared-vault", "remove", &bob_id]).fails(2);
    let removed = alice
        .run(&["shared-vault", "remove", &bob_id[..8], "--yes", "--json"])
        .ok()
        .json();
    assert_eq!(field(&removed, "member_id"), bob_id);
    assert_eq!(removed["epoch"], 2);
    assert_eq!(removed["to_rotate"], serde_json::json!([]));
    let status = bob.run(&["shared-vault", "status", "--json"]).ok().json();
    assert_eq!(field(&status, "state"), "removed");
    bob.run(&["shared-vault", "members"]).fails(6);
    // Alice cannot remove herself, the last administrator.
    let alice_id = field(
        &alice.run(&["shared-vault", "status", "--json"]).ok().json(),
        "member_id",
    );
    let last = alice
        .run(&["shared-vault", "remove", &alice_id, "--yes", "--json"])
        .fails(6);
    assert_eq!(last.error_json()["error"]["code"], "last_admin");

    // Carol reads the audit with names, verified.
    let audit = carol.run(&["shared-vault", "audit"]).ok();
    assert!(audit.stdout.contains("member.remove"), "{}", audit.stdout);
    assert!(
        audit.stdout.contains("invitation.revoke"),
        "{}",
        audit.stdout
    );
    assert!(audit.stdout.contains("Alice"), "{}", audit.stdout);
    let entries = carol.run(&["shared-vault", "audit", "--json"]).ok().json();
    let n = entries.as_array().unwrap().len();
    let limited = carol
        .run(&["shared-vault", "audit", "--json", "--limit", "2"])
        .ok()
        .json();
    assert_eq!(limited.as_array().unwrap().len(), 2);
    assert_eq!(limited[1]["action"], "member.remove");
    let verified = carol.run(&["shared-vault", "audit", "--verify"]).ok();
    assert!(
        verified
            .stdout
            .contains(&format!("chain verified: {n} entries, last by Alice at")),
        "{}",
        verified.stdout
    );

    // A rewritten entry: tampered, nothing listed.
    let mut root = pg.superuser("team");
    root.batch_execute(
        "ALTER TABLE coffer.audit DISABLE TRIGGER audit_append_only;
         UPDATE coffer.audit SET action = 'team.delete' WHERE seq = 2;",
    )
    .unwrap();
    let tampered = carol.run(&["shared-vault", "audit"]).fails(1);
    assert!(
        !tampered.stdout.contains("member.remove"),
        "{}",
        tampered.stdout
    );
    let tampered = carol
        .run(&["shared-vault", "audit", "--verify", "--json"])
        .fails(1);
    assert_eq!(tampered.error_json()["error"]["code"], "tampered");
}

/// Runs openssl (through sh) in `dir`.
fn openssl(dir: &std::path::Path, script: &str) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn create_with_a_client_certificate_secret() {
    let alice = Env::new();
    let dir = alice.dir.path();
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("client.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        "set -e
         openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
           -out ca.crt -subj '/CN=Coffer Test CA' -days 2 \
           -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
         for who in server coffer; do
           openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $who.key \
             -out $who.csr -subj \"/CN=$who\" 2>/dev/null
         done
         openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
           -out server.crt -days 2 -extfile server.ext 2>/dev/null
         openssl x509 -req -in coffer.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
           -out coffer.crt -days 2 -extfile client.ext 2>/dev/null",
    );
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let pg = Postgres::start_with_client_certs(
        &read("server.crt"),
        &read("server.key"),
        &read("ca.crt"),
    );
    let path = |n: &str| dir.join(n).to_str().unwrap().to_owned();
    alice
        .run(&[
            "secret",
            "add",
            "ca_bundle",
            "pg-ca",
            "--file",
            &format!("certificates={}", path("ca.crt")),
        ])
        .ok();
    alice
        .run(&[
            "secret",
            "add",
            "certificate",
            "pg-client",
            "--file",
            &format!("certificate={}", path("coffer.crt")),
            "--file",
            &format!("private_key={}", path("coffer.key")),
        ])
        .ok();
    let url = format!(
        "postgres://coffer@127.0.0.1:{}/team?sslmode=require",
        pg.port
    );
    let create = |extra: &[&str]| {
        let mut args = vec![
            "shared-vault",
            "create",
            "--url",
            &url,
            "--ca-secret",
            "pg-ca",
            "--name",
            "Alice",
            "--org",
            "Payments",
            "--json",
        ];
        args.extend_from_slice(extra);
        alice.run(&args)
    };
    // Without the certificate PostgreSQL refuses the login: exit 6.
    let refused = create(&[]).fails(6);
    assert_eq!(refused.error_json()["error"]["code"], "forbidden");
    assert!(
        refused.error_json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("certificate")
    );
    create(&["--client-cert", "pg-client"]).ok();
    let status = alice.run(&["shared-vault", "status", "--json"]).ok().json();
    assert_eq!(field(&status, "state"), "active");
}

#[test]
fn secret_commands_with_a_shared_org_go_to_the_team_vault() {
    let mut pg = Postgres::start();
    let alice = create_payments(&pg);
    let bob = Env::new();
    join_and_confirm(&alice, &bob, "Bob");

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

    // Alice (its owner) changes the description; Bob sees it; she deactivates
    // it. Bob, a member without WRITER on it, may not change it.
    alice
        .run(&[
            "secret",
            "update",
            "prod/db",
            "--org",
            "Payments",
            "--description",
            "primary",
        ])
        .ok();
    let refused = bob
        .run(&[
            "secret",
            "update",
            "prod/db",
            "--org",
            "Payments",
            "--description",
            "mine",
            "--json",
        ])
        .fails(6);
    assert_eq!(refused.error_json()["error"]["code"], "forbidden");
    let shown = bob
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

#[test]
fn shared_versions_restore_and_single_field_updates_through_the_cli() {
    let pg = Postgres::start();
    let alice = create_payments(&pg);
    let bob = Env::new();
    // Writing Alice's secret takes WRITER, OWNER or an administrator.
    join_and_confirm_as(&alice, &bob, "Bob", "administrator");
    alice
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
            ],
            b"first-Canary\n",
        )
        .ok();

    // Bob gives only a new password: the username is kept.
    bob.run_with_stdin(
        &[
            "secret",
            "update",
            "prod/db",
            "--org",
            "Payments",
            "--field",
            "password=@-",
        ],
        b"second-Canary\n",
    )
    .ok();
    let user = alice
        .run(&[
            "secret", "reveal", "prod/db", "--org", "Payments", "--field", "username",
        ])
        .ok();
    assert_eq!(user.stdout.trim_end(), "app");
    // Nothing given: a clear error, nothing written.
    let nothing = bob
        .run(&["secret", "update", "prod/db", "--org", "Payments", "--json"])
        .fails(2);
    assert_eq!(nothing.error_json()["error"]["code"], "invalid_input");

    // The versions list: who and what, never a value.
    let table = alice
        .run(&["secret", "versions", "prod/db", "--org", "Payments"])
        .ok();
    assert!(table.stdout.contains("Bob"), "{}", table.stdout);
    assert!(table.stdout.contains("2 (current)"), "{}", table.stdout);
    assert!(!table.stdout.contains("Canary"), "{}", table.stdout);
    let versions = alice
        .run(&[
            "secret", "versions", "prod/db", "--org", "Payments", "--json",
        ])
        .ok()
        .json();
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["author_name"], "Bob");
    assert_eq!(versions[1]["changes"][0], "value");

    // Restore version 1: a new version with the old value.
    let restored = alice
        .run(&["secret", "restore", "prod/db", "1", "--org", "Payments"])
        .ok();
    assert!(
        restored.stdout.contains("version 1 restored as version 3"),
        "{}",
        restored.stdout
    );
    let pw = bob
        .run(&["secret", "reveal", "prod/db", "--org", "Payments"])
        .ok();
    assert_eq!(pw.stdout.trim_end(), "first-Canary");
    let missing = bob
        .run(&[
            "secret", "restore", "prod/db", "9", "--org", "Payments", "--json",
        ])
        .fails(3);
    assert_eq!(missing.error_json()["error"]["code"], "not_found");
}
