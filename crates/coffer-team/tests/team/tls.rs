//! TLS to the server: a private CA taken from a Coffer ca_bundle secret is
//! trusted; without it (system roots only) the same server is refused.

use std::process::Command;

use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType, text_input};

use crate::support::*;

/// Runs a shell script (openssl) in `dir`.
pub fn sh(dir: &std::path::Path, script: &str) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1, made by openssl now.
pub fn certificates(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let sh = |script: &str| sh(dir, script);
    sh(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
        -out ca.crt -subj '/CN=Coffer Test CA' -days 2 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null",
    );
    sh(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
        -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null",
    );
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    sh(
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
        -out server.crt -days 2 -extfile ext 2>/dev/null",
    );
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    (read("ca.crt"), read("server.crt"), read("server.key"))
}

#[test]
fn a_private_ca_from_a_ca_bundle_secret_is_trusted_and_required() {
    let scratch = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(scratch.path());
    let pg = Postgres::start_with_tls(&cert, &key);
    let mut alice = Desk::new("Alice");
    let ca_text = String::from_utf8(ca).unwrap();
    let data = SecretData::from_fields(
        SecretType::CaBundle,
        vec![text_input("certificates", &ca_text)]
            .into_iter()
            .collect(),
        &Intake::default(),
    )
    .unwrap();
    alice.vault.register(NewSecret::new("pg-ca", data)).unwrap();
    let url = format!(
        "postgres://coffer@127.0.0.1:{}/team?sslmode=require",
        pg.port
    );
    let mut options = options(&pg, "coffer", "Alice");
    options.connection = url;
    // The system roots do not know this CA: refused, nothing kept.
    let e = coffer_team::create(&mut alice.vault, &options, false).unwrap_err();
    assert_eq!(e.code(), "unreachable", "{e}");
    assert!(alice.vault.team_identities().unwrap().is_empty());
    options.ca_secret = Some("pg-ca".into());
    coffer_team::create(&mut alice.vault, &options, false).unwrap();
    assert_eq!(alice.status().state, "active");
}
