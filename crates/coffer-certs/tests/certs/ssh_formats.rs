//! SSH inputs beyond modern OpenSSH keys: 3DES-CBC encrypted keys, PuTTY `.ppk` files (made
//! by `puttygen`, from Debian's putty-tools), SSH certificates and `known_hosts` files.

use coffer_certs::{SshAlgorithm, inspect, ssh_public_key};

use crate::fixtures::{Workdir, options_now};
use crate::reference::ssh_public_line;

/// The key type and base64 of a public key line, without its comment.
fn key_part(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn an_openssh_key_encrypted_with_3des_cbc_opens_with_its_password() {
    let w = Workdir::new();
    // As RustCrypto's id_ed25519.3des-cbc.enc: Ed25519, 3des-cbc, password hunter42.
    w.ssh_keygen(&[
        "-q",
        "-t",
        "ed25519",
        "-Z",
        "3des-cbc",
        "-N",
        "hunter42",
        "-C",
        "3des@coffer",
        "-f",
        "id_3des",
    ]);
    let input = w.read("id_3des");
    let expected = ssh_public_line(&w, "id_3des", Some("hunter42"));
    let report = inspect(&input, Some(b"hunter42"), &options_now())
        .expect("3DES key opens")
        .report;
    let ssh = report.ssh.expect("ssh key");
    assert!(ssh.encrypted);
    assert_eq!(key_part(&ssh.public_key), key_part(&expected));
    let wrong = inspect(&input, Some(b"hunter43"), &options_now()).expect_err("wrong password");
    assert_eq!(wrong.code(), "wrong_password");
    let none = inspect(&input, None, &options_now()).expect_err("no password");
    assert_eq!(none.code(), "password_required");
}

#[test]
fn putty_keys_v2_and_v3_plain_and_encrypted_match_their_openssh_originals() {
    let w = Workdir::new();
    w.write("pw", "correct horse");
    for (kind, bits, algorithm) in [
        ("ed25519", "256", SshAlgorithm::Ed25519),
        ("rsa", "2048", SshAlgorithm::Rsa),
        ("ecdsa", "384", SshAlgorithm::Ecdsa),
    ] {
        let original = format!("id_{kind}");
        w.ssh_keygen(&[
            "-q",
            "-t",
            kind,
            "-b",
            bits,
            "-N",
            "",
            "-C",
            "putty@coffer",
            "-f",
            &original,
        ]);
        let expected = ssh_public_line(&w, &original, None);
        for version in ["2", "3"] {
            for encrypted in [false, true] {
                let out = format!("{kind}_v{version}_{encrypted}.ppk");
                let param = format!("version={version}");
                let mut args = vec![
                    original.as_str(),
                    "-O",
                    "private",
                    "-o",
                    &out,
                    "--ppk-param",
                    &param,
                ];
                if encrypted {
                    args.extend(["--new-passphrase", "pw"]);
                }
                puttygen(&w, &args);
                let input = w.read(&out);
                let password: Option<&[u8]> = encrypted.then_some(b"correct horse");
                let inspection = inspect(&input, password, &options_now())
                    .unwrap_or_else(|e| panic!("{out}: {e} ({})", e.code()));
                let ssh = inspection.report.ssh.expect("ssh key");
                assert_eq!(ssh.algorithm, algorithm, "{out}");
                assert!(ssh.private, "{out}");
                assert_eq!(ssh.encrypted, encrypted, "{out}");
                assert_eq!(key_part(&ssh.public_key), key_part(&expected), "{out}");
                // What is stored is an OpenSSH key that ssh-keygen reads back to the same key.
                let stored = inspection.material.ssh_private_key.expect("openssh");
                w.write("stored", stored.as_bytes());
                set_private(&w, "stored");
                assert_eq!(
                    key_part(&ssh_public_line(&w, "stored", None)),
                    key_part(&expected)
                );
                if encrypted {
                    let e = inspect(&input, Some(b"wrong"), &options_now()).expect_err("wrong");
                    assert_eq!(e.code(), "wrong_password", "{out}");
                    let e = inspect(&input, None, &options_now()).expect_err("none");
                    assert_eq!(e.code(), "password_required", "{out}");
                }
                let public = ssh_public_key(&input, password, &options_now()).expect("public");
                assert_eq!(key_part(&public.public_key), key_part(&expected));
            }
        }
    }
}

#[test]
fn putty_keys_altered_or_too_costly_are_refused_with_their_codes() {
    let w = Workdir::new();
    w.ssh_keygen(&["-q", "-t", "ed25519", "-N", "", "-f", "id"]);
    w.write("pw", "pw");
    puttygen(&w, &["id", "-O", "private", "-o", "plain.ppk"]);
    puttygen(
        &w,
        &[
            "id",
            "-O",
            "private",
            "-o",
            "enc.ppk",
            "--new-passphrase",
            "pw",
        ],
    );
    // A changed comment breaks the MAC of a plain key: altered, not a password problem.
    let altered = w
        .read_string("plain.ppk")
        .replacen("Comment: ", "Comment: x", 1);
    let err = inspect(altered.as_bytes(), None, &options_now()).expect_err("altered");
    assert_eq!(err.code(), "malformed_ssh_key", "{err}");
    // Argon2 memory beyond the cap is refused before any work.
    let costly =
        w.read_string("enc.ppk")
            .replacen("Argon2-Memory: 8192", "Argon2-Memory: 4194304", 1);
    let err = inspect(costly.as_bytes(), Some(b"pw"), &options_now()).expect_err("costly");
    assert_eq!(err.code(), "too_costly", "{err}");
    let version =
        w.read_string("plain.ppk")
            .replacen("PuTTY-User-Key-File-3", "PuTTY-User-Key-File-1", 1);
    let err = inspect(version.as_bytes(), None, &options_now()).expect_err("v1");
    assert_eq!(err.code(), "unsupported_algorithm", "{err}");
}

#[test]
fn ssh_certificates_and_known_hosts_say_what_they_are() {
    let w = Workdir::new();
    w.ssh_keygen(&["-q", "-t", "ed25519", "-N", "", "-f", "ca"]);
    w.ssh_keygen(&["-q", "-t", "ed25519", "-N", "", "-f", "user"]);
    w.ssh_keygen(&["-q", "-s", "ca", "-I", "user", "-n", "admin", "user.pub"]);
    let cert = w.read("user-cert.pub");
    let err = inspect(&cert, None, &options_now()).expect_err("certificate");
    assert_eq!(err.code(), "nothing_to_store", "{err}");
    assert!(err.to_string().contains("SSH certificate"), "{err}");

    let key = w.read_string("user.pub");
    let body = key_part(&key);
    let hashed = format!("|1|c2FsdA==|aGFzaA== {body}\n");
    for known_hosts in [
        format!("git.example.com,192.0.2.1 {body}\n"),
        hashed,
        format!("@cert-authority *.example.com {body}\n"),
    ] {
        let err = inspect(known_hosts.as_bytes(), None, &options_now()).expect_err("known_hosts");
        assert_eq!(err.code(), "nothing_to_store", "{known_hosts}");
        assert!(err.to_string().contains("known_hosts"), "{err}");
    }
    // authorized_keys lines with options stay public keys.
    for line in [
        format!("no-pty,command=\"/bin/true\" {body} me"),
        format!("restrict {body} me"),
        key.clone(),
    ] {
        let report = inspect(line.as_bytes(), None, &options_now())
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .report;
        assert!(!report.ssh.expect("key").private);
    }
}

fn puttygen(w: &Workdir, args: &[&str]) {
    let output = std::process::Command::new("puttygen")
        .args(args)
        .current_dir(w.path(""))
        .output()
        .unwrap_or_else(|e| {
            panic!("puttygen (Debian package putty-tools) is required by this test: {e}")
        });
    assert!(
        output.status.success(),
        "puttygen {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// ssh-keygen refuses private key files readable by others.
fn set_private(w: &Workdir, name: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(w.path(name), std::fs::Permissions::from_mode(0o600)).expect("chmod");
}
