//! Client-certificate authentication: a server whose pg_hba asks for a
//! certificate (`cert` for the creating role, `clientcert=verify-ca` with a
//! password for members) accepts Coffer certificate secrets signed by its
//! CA and refuses a missing or foreign one with a clear error.

use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType, text_input};
use coffer_team::{JoinOptions, Role};

use crate::support::*;
use crate::tls::{certificates, sh};

/// A client certificate for `cn`, signed by the CA `ca` (its files in `dir`).
fn client_cert(dir: &std::path::Path, ca: &str, cn: &str) -> (String, String) {
    std::fs::write(
        dir.join("client.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    sh(
        dir,
        &format!(
            "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {cn}.key \
             -out {cn}.csr -subj '/CN={cn}' 2>/dev/null && \
             openssl x509 -req -in {cn}.csr -CA {ca}.crt -CAkey {ca}.key -CAcreateserial \
             -out {cn}-{ca}.crt -days 2 -extfile client.ext 2>/dev/null"
        ),
    );
    let read = |n: String| std::fs::read_to_string(dir.join(n)).unwrap();
    (read(format!("{cn}-{ca}.crt")), read(format!("{cn}.key")))
}

fn add(desk: &mut Desk, name: &str, kind: SecretType, fields: &[(&str, &str)]) {
    let data = SecretData::from_fields(
        kind,
        fields
            .iter()
            .map(|(k, v)| text_input(k, v))
            .collect::<Vec<_>>()
            .into_iter()
            .collect(),
        &Intake::default(),
    )
    .unwrap();
    desk.vault.register(NewSecret::new(name, data)).unwrap();
}

#[test]
fn a_client_certificate_from_a_secret_logs_in_and_a_missing_or_foreign_one_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let (ca, cert, key) = certificates(dir);
    // A second CA the server does not trust.
    sh(
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key \
         -out rogue.crt -subj '/CN=Rogue CA' -days 2 \
         -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
         2>/dev/null",
    );
    let (good, good_key) = client_cert(dir, "ca", "coffer");
    let (rogue, rogue_key) = client_cert(dir, "rogue", "coffer");
    let (bob_cert, bob_key) = client_cert(dir, "ca", "bob");
    let pg = Postgres::start_with_client_certs(&cert, &key, &ca);
    let ca_text = String::from_utf8(ca).unwrap();

    let mut alice = Desk::new("Alice");
    add(
        &mut alice,
        "pg-ca",
        SecretType::CaBundle,
        &[("certificates", &ca_text)],
    );
    for (name, c, k) in [
        ("me-cert", &good, &good_key),
        ("rogue-cert", &rogue, &rogue_key),
    ] {
        add(
            &mut alice,
            name,
            SecretType::Certificate,
            &[("certificate", c), ("private_key", k)],
        );
    }
    let mut options = options(&pg, "coffer", "Alice");
    options.connection = format!(
        "postgres://coffer@127.0.0.1:{}/team?sslmode=require",
        pg.port
    );
    options.ca_secret = Some("pg-ca".into());

    // No certificate: PostgreSQL refuses the login.
    let e = coffer_team::create(&mut alice.vault, &options, false).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert!(e.to_string().contains("certificate"), "{e}");
    // A certificate from a CA the server does not trust: refused too.
    options.client_cert = Some("rogue-cert".into());
    let e = coffer_team::create(&mut alice.vault, &options, false).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert!(e.to_string().contains("certificate"), "{e}");
    // A secret that is not a certificate with its key: a clear input error.
    options.client_cert = Some("pg-ca".into());
    let e = coffer_team::create(&mut alice.vault, &options, false).unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
    assert!(alice.vault.team_identities().unwrap().is_empty());
    // The right one: created; the identity keeps using it for the member login.
    options.client_cert = Some("me-cert".into());
    coffer_team::create(&mut alice.vault, &options, false).unwrap();
    assert_eq!(alice.status().state, "active");

    // Bob joins with his own certificate (and the password his login has).
    let ticket = {
        let now = coffer_core::Clock::now(&*alice.clock);
        alice.open().invite(Role::Member, 3600, now).unwrap().ticket
    };
    let mut bob = Desk::new("Bob");
    add(
        &mut bob,
        "pg-ca",
        SecretType::CaBundle,
        &[("certificates", &ca_text)],
    );
    add(
        &mut bob,
        "bob-cert",
        SecretType::Certificate,
        &[("certificate", &bob_cert), ("private_key", &bob_key)],
    );
    let without = JoinOptions {
        ca_secret: Some("pg-ca".into()),
        client_cert: None,
    };
    let e = coffer_team::join_with(&mut bob.vault, &ticket, "Bob", &without).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let with = JoinOptions {
        client_cert: Some("bob-cert".into()),
        ..without
    };
    let pending = coffer_team::join_with(&mut bob.vault, &ticket, "Bob", &with).unwrap();
    let now = coffer_core::Clock::now(&*alice.clock);
    alice
        .open()
        .confirm(&pending.member_id, &pending.fingerprint, now)
        .unwrap();
    assert_eq!(bob.status().state, "active");
    assert_eq!(bob.open().organizations().unwrap()[0].name, ORG);
}
