//! Private keys in every encoding, matching against the leaf, and re-encoding.

use coffer_certs::{KeyAlgorithm, Source, WarningCode, inspect, inspect_parts};

use crate::fixtures::{Workdir, options_now};
use crate::reference::{openssl_cert, openssl_public_pem};

/// Makes `name.key` of `kind` and a self-signed certificate `name.pem` for it.
fn key_and_cert(w: &Workdir, name: &str, kind: &str) {
    w.root(name, kind, &format!("/CN={name}.example"), 90);
}

/// The public key of the unencrypted PKCS#8 that the crate produced, as OpenSSL sees it.
fn public_of_material(w: &Workdir, pem: &str) -> String {
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "unencrypted PKCS#8 PEM"
    );
    w.write("material.key", pem);
    openssl_public_pem(w, "material.key", None)
}

#[test]
fn every_key_algorithm_matches_its_certificate() {
    let cases = [
        ("rsa:2048", KeyAlgorithm::Rsa, 2048),
        ("rsa:3072", KeyAlgorithm::Rsa, 3072),
        ("RSA-PSS", KeyAlgorithm::Rsa, 2048),
        ("ec:P-256", KeyAlgorithm::Ec, 256),
        ("ec:P-384", KeyAlgorithm::Ec, 384),
        ("ec:P-521", KeyAlgorithm::Ec, 521),
        ("ed25519", KeyAlgorithm::Ed25519, 256),
    ];
    let w = Workdir::new();
    for (kind, algorithm, bits) in cases {
        key_and_cert(&w, "k", kind);
        let got = inspect(&w.concat(&["k.key", "k.pem"]), None, &options_now()).expect(kind);
        let key = got.report.private_key.as_ref().expect("key present");
        assert_eq!(
            (key.algorithm, key.bits, key.encrypted),
            (algorithm, bits, false),
            "{kind}"
        );
        assert_eq!(openssl_cert(&w, "k.pem").key_bits, bits, "{kind}");
        assert_eq!(got.report.key_matches_leaf, Some(true), "{kind}");
        let pem = got.material.private_key_pem.expect("key material");
        assert_eq!(
            public_of_material(&w, &pem),
            openssl_public_pem(&w, "k.key", None),
            "{kind}"
        );
    }
}

#[test]
fn pkcs1_and_sec1_keys_are_normalized_to_pkcs8() {
    let w = Workdir::new();
    key_and_cert(&w, "rsa", "rsa:2048");
    w.openssl(&["rsa", "-in", "rsa.key", "-traditional", "-out", "rsa1.key"]);
    assert!(
        w.read_string("rsa1.key")
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    w.openssl(&[
        "rsa",
        "-in",
        "rsa.key",
        "-traditional",
        "-outform",
        "DER",
        "-out",
        "rsa1.der",
    ]);
    key_and_cert(&w, "ec", "ec:P-384");
    w.openssl(&["ec", "-in", "ec.key", "-out", "sec1.key"]);
    assert!(
        w.read_string("sec1.key")
            .starts_with("-----BEGIN EC PRIVATE KEY-----")
    );
    w.openssl(&["ec", "-in", "ec.key", "-outform", "DER", "-out", "sec1.der"]);
    // As `openssl ecparam -genkey` writes it: an EC PARAMETERS block before the key.
    w.openssl(&["ecparam", "-name", "secp384r1", "-out", "ecparams.pem"]);
    w.write("sec1params.key", w.concat(&["ecparams.pem", "sec1.key"]));
    for (key, cert, original) in [
        ("rsa1.key", "rsa.pem", "rsa.key"),
        ("rsa1.der", "rsa.pem", "rsa.key"),
        ("sec1.key", "ec.pem", "ec.key"),
        ("sec1.der", "ec.pem", "ec.key"),
        ("sec1params.key", "ec.pem", "ec.key"),
    ] {
        let got = inspect_parts(
            Source {
                bytes: &w.read(cert),
                password: None,
            },
            Source {
                bytes: &w.read(key),
                password: None,
            },
            &options_now(),
        )
        .expect(key);
        assert_eq!(got.report.key_matches_leaf, Some(true), "{key}");
        let pem = got.material.private_key_pem.expect("material");
        assert_eq!(
            public_of_material(&w, &pem),
            openssl_public_pem(&w, original, None),
            "{key}"
        );
    }
}

#[test]
fn encrypted_pkcs8_with_pbkdf2_scrypt_and_legacy_pbe() {
    let w = Workdir::new();
    key_and_cert(&w, "k", "ec:P-256");
    let pass = "pässwörd-42";
    let passout = format!("pass:{pass}");
    let variants: [(&str, &[&str]); 6] = [
        ("aes.key", &["-v2", "aes-256-cbc"]),
        ("aes128.der", &["-v2", "aes-128-cbc", "-outform", "DER"]),
        (
            "sha1prf.key",
            &["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1"],
        ),
        ("scrypt.key", &["-scrypt"]),
        ("des3.key", &["-v2", "des3"]),
        ("pbe3des.key", &["-v1", "PBE-SHA1-3DES"]),
    ];
    for (file, extra) in variants {
        let mut args = vec![
            "pkcs8", "-topk8", "-in", "k.key", "-out", file, "-passout", &passout,
        ];
        args.extend(extra);
        w.openssl(&args);
        let input = w.read(file);
        let got = inspect_parts(
            Source {
                bytes: &w.read("k.pem"),
                password: None,
            },
            Source {
                bytes: &input,
                password: Some(pass.as_bytes()),
            },
            &options_now(),
        )
        .expect(file);
        let key = got.report.private_key.as_ref().expect("key");
        assert!(key.encrypted, "{file}");
        assert_eq!(got.report.key_matches_leaf, Some(true), "{file}");
        let pem = got.material.private_key_pem.expect("material");
        assert_eq!(
            public_of_material(&w, &pem),
            openssl_public_pem(&w, "k.key", None),
            "{file}"
        );

        let missing = inspect(&input, None, &options_now()).expect_err("needs a password");
        assert_eq!(missing.code(), "password_required", "{file}");
        let wrong = inspect(&input, Some(b"not it"), &options_now()).expect_err("wrong");
        assert_eq!(wrong.code(), "wrong_password", "{file}");
    }
}

#[test]
fn a_key_of_another_certificate_is_a_mismatch() {
    let w = Workdir::new();
    key_and_cert(&w, "a", "ec:P-256");
    key_and_cert(&w, "b", "ec:P-256");
    let got = inspect(&w.concat(&["a.pem", "b.key"]), None, &options_now()).expect("parses");
    assert_eq!(got.report.key_matches_leaf, Some(false));
    let codes: Vec<_> = got.report.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, [WarningCode::KeyMismatch]);
}

#[test]
fn the_key_picks_its_leaf_and_extra_keys_are_flagged() {
    let w = Workdir::new();
    w.chain();
    let got = inspect(
        &w.concat(&["root.key", "root.pem", "inter.pem", "leaf.key", "leaf.pem"]),
        None,
        &options_now(),
    )
    .expect("parses");
    assert_eq!(
        got.report.certificates[0].subject_cn.as_deref(),
        Some("Coffer Root CA")
    );
    assert_eq!(got.report.key_matches_leaf, Some(true));
    let codes: Vec<_> = got.report.warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&WarningCode::ExtraPrivateKey), "{codes:?}");
}

#[test]
fn a_lone_key_reports_no_match_and_weak_rsa() {
    let w = Workdir::new();
    w.key("weak.key", "rsa:1024");
    let got = inspect(&w.read("weak.key"), None, &options_now()).expect("parses");
    assert!(got.report.certificates.is_empty());
    assert_eq!(got.report.key_matches_leaf, None);
    assert_eq!(got.report.private_key.as_ref().map(|k| k.bits), Some(1024));
    let codes: Vec<_> = got.report.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, [WarningCode::WeakKey]);
    assert!(got.material.chain_pem.is_none());
}

#[test]
fn material_is_redacted_in_debug_output() {
    let w = Workdir::new();
    key_and_cert(&w, "k", "ed25519");
    let got = inspect(&w.concat(&["k.pem", "k.key"]), None, &options_now()).expect("parses");
    assert_eq!(format!("{:?}", got.material), "<redacted>");
    let debug = format!("{got:?}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
}
