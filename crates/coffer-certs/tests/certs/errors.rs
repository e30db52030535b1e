//! Every error code, and what error messages must never contain.

use coffer_certs::{CertError, InspectOptions, inspect, inspect_ca_bundle, ssh_public_key};

use crate::fixtures::{Workdir, options_now};

fn code(input: &[u8], password: Option<&[u8]>, options: &InspectOptions) -> &'static str {
    match inspect(input, password, options) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

const CERT_HEAD: &str = "-----BEGIN CERTIFICATE-----\n";
const CERT_TAIL: &str = "-----END CERTIFICATE-----\n";

#[test]
fn structural_error_codes() {
    let o = options_now();
    assert_eq!(code(b"", None, &o), "empty");
    assert_eq!(code(b" \r\n\t", None, &o), "empty");
    let mut small = options_now();
    small.max_input_bytes = 8;
    assert_eq!(code(b"0123456789", None, &small), "too_large");
    assert_eq!(code(b"hello world", None, &o), "unrecognized_format");
    assert_eq!(code(&[0xff, 0x00, 0x13], None, &o), "unrecognized_format");
    let only_params =
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    assert_eq!(code(only_params.as_bytes(), None, &o), "nothing_to_store");
    let bad_base64 = format!("{CERT_HEAD}MII*not base64*\n{CERT_TAIL}");
    assert_eq!(code(bad_base64.as_bytes(), None, &o), "malformed_pem");
    let mismatched = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n";
    assert_eq!(code(mismatched.as_bytes(), None, &o), "malformed_pem");
    let not_a_cert = format!("{CERT_HEAD}MAMCAQA=\n{CERT_TAIL}");
    assert_eq!(code(not_a_cert.as_bytes(), None, &o), "malformed_der");
    assert_eq!(
        code(&[0x30, 0x03, 0x01, 0x01, 0x00], None, &o),
        "malformed_der"
    );
    let unterminated = format!("{CERT_HEAD}MAMCAQA=\n");
    assert_eq!(code(unterminated.as_bytes(), None, &o), "truncated");
    assert_eq!(code(&[0x30, 0x82, 0x01, 0x00, 0x02], None, &o), "truncated");
    let junk_ssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    assert!(matches!(
        code(junk_ssh.as_bytes(), None, &o),
        "malformed_ssh_key" | "truncated"
    ));
    assert_eq!(
        code(b"ssh-ed25519 AAAA!!!! me", None, &o),
        "malformed_ssh_key"
    );
}

#[test]
fn certificate_cut_short_is_truncated() {
    let w = Workdir::new();
    w.chain();
    w.openssl(&[
        "x509",
        "-in",
        "inter.pem",
        "-outform",
        "DER",
        "-out",
        "inter.der",
    ]);
    let der = w.read("inter.der");
    assert_eq!(
        code(&der[..der.len() / 2], None, &options_now()),
        "truncated"
    );
}

#[test]
fn unsupported_algorithms_and_legacy_pem_encryption() {
    let w = Workdir::new();
    w.openssl(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DSA",
        "-pkeyopt",
        "dsa_paramgen_bits:1024",
        "-out",
        "dsa.params",
    ]);
    w.openssl(&["genpkey", "-paramfile", "dsa.params", "-out", "dsa.key"]);
    assert_eq!(
        code(&w.read("dsa.key"), None, &options_now()),
        "unsupported_algorithm"
    );
    w.key("rsa.key", "rsa:2048");
    w.openssl(&[
        "rsa",
        "-in",
        "rsa.key",
        "-traditional",
        "-aes256",
        "-passout",
        "pass:pw",
        "-out",
        "old.key",
    ]);
    assert!(w.read_string("old.key").contains("Proc-Type: 4,ENCRYPTED"));
    assert_eq!(
        code(&w.read("old.key"), Some(b"pw"), &options_now()),
        "unsupported_algorithm"
    );
    w.key("x448.key", "X448");
    assert_eq!(
        code(&w.read("x448.key"), None, &options_now()),
        "unsupported_algorithm"
    );
}

#[test]
fn scrypt_parameters_beyond_the_caps_are_too_costly() {
    let w = Workdir::new();
    w.key("k.key", "ec:P-256");
    w.openssl(&[
        "pkcs8", "-topk8", "-scrypt", "-in", "k.key", "-passout", "pass:pw", "-out", "s.key",
    ]);
    let input = w.read("s.key");
    for tweak in [
        |o: &mut InspectOptions| o.limits.max_scrypt_n = 1024,
        |o: &mut InspectOptions| o.limits.max_scrypt_r = 4,
        |o: &mut InspectOptions| o.limits.max_scrypt_memory_bytes = 1 << 20,
        |o: &mut InspectOptions| o.limits.max_scrypt_work = 1 << 10,
    ] {
        let mut options = options_now();
        tweak(&mut options);
        assert_eq!(code(&input, Some(b"pw"), &options), "too_costly");
    }
    assert_eq!(code(&input, Some(b"pw"), &options_now()), "ok");
}

#[test]
fn bundle_and_ssh_specific_codes() {
    let w = Workdir::new();
    w.chain();
    let err = inspect_ca_bundle(&w.concat(&["root.pem", "root.key"]), &options_now()).err();
    assert_eq!(err.map(|e| e.code()), Some("unexpected_private_key"));
    let err = ssh_public_key(&w.read("root.pem"), None, &options_now()).err();
    assert_eq!(err.map(|e| e.code()), Some("unrecognized_format"));
}

#[test]
fn messages_never_contain_passwords_or_key_material() {
    let w = Workdir::new();
    w.chain();
    let password = "Tr0ub4dor&3-unique-marker";
    let passout = format!("pass:{password}");
    w.openssl(&[
        "pkcs8", "-topk8", "-in", "leaf.key", "-out", "enc.key", "-passout", &passout,
    ]);
    w.openssl(&[
        "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-out", "f.p12", "-passout",
        &passout,
    ]);
    w.ssh_keygen(&["-q", "-t", "ed25519", "-N", password, "-f", "id"]);
    let key_text = w.read_string("leaf.key");
    let key_body: String = key_text
        .lines()
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take(24)
        .collect();
    let mut errors: Vec<CertError> = Vec::new();
    for file in ["enc.key", "f.p12", "id"] {
        let input = w.read(file);
        // A near miss of the password, and a password that is itself a key.
        for attempt in [format!("{password}x"), key_text.clone()] {
            errors.extend(inspect(&input, Some(attempt.as_bytes()), &options_now()).err());
        }
        errors.extend(inspect(&input, None, &options_now()).err());
    }
    // Broken key material inside otherwise valid armour.
    let broken = key_text.replacen(&key_body, &key_body.to_lowercase(), 1);
    errors.extend(inspect(broken.as_bytes(), None, &options_now()).err());
    assert_eq!(errors.len(), 10, "every attempt fails");
    for error in errors {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(password), "{text}");
            assert!(!text.contains(&key_body), "{text}");
            assert!(!text.contains("unique-marker"), "{text}");
            assert!(text.len() < 200, "{text}");
        }
    }
}

#[test]
fn total_work_of_one_input_is_bounded() {
    let w = Workdir::new();
    w.key("k.key", "ec:P-256");
    w.openssl(&[
        "pkcs8", "-topk8", "-in", "k.key", "-passout", "pass:pw", "-iter", "2048", "-out", "e.key",
    ]);
    let mut options = options_now();
    // Each key now costs a whole derivation at its cap; three fit the total, four do not.
    options.limits.max_pbkdf2_iterations = 2048;
    let three = w.concat(&["e.key", "e.key", "e.key"]);
    assert_eq!(code(&three, Some(b"pw"), &options), "ok");
    let four = w.concat(&["e.key", "e.key", "e.key", "e.key"]);
    let err = inspect(&four, Some(b"pw"), &options).expect_err("over budget");
    assert_eq!(err.code(), "too_costly");
    assert!(
        err.to_string().contains("total key-derivation work"),
        "{err}"
    );
}
