//! PKCS#12 files written by OpenSSL, modern and legacy.

use coffer_certs::inspect;

use crate::fixtures::{Workdir, options_now};
use crate::reference::{openssl_cert, openssl_public_pem};

fn export(w: &Workdir, out: &str, pass: &str, extra: &[&str]) {
    let passout = format!("pass:{pass}");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-in",
        "leaf.pem",
        "-inkey",
        "leaf.key",
        "-certfile",
        "cas.pem",
        "-out",
        out,
        "-passout",
        &passout,
    ];
    args.extend(extra);
    w.openssl(&args);
}

fn fixture() -> Workdir {
    let w = Workdir::new();
    w.chain();
    // CA certificates in the "wrong" order, root first.
    w.write("cas.pem", w.concat(&["root.pem", "inter.pem"]));
    w
}

#[test]
fn modern_and_legacy_files_yield_key_and_whole_chain() {
    let w = fixture();
    export(&w, "modern.p12", "s3cret", &[]);
    export(&w, "legacy.p12", "s3cret", &["-legacy"]);
    export(
        &w,
        "sha512mac.p12",
        "s3cret",
        &["-macalg", "sha512", "-iter", "10000"],
    );
    export(
        &w,
        "tdes.p12",
        "s3cret",
        &["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES"],
    );
    let expected: Vec<String> = ["leaf.pem", "inter.pem", "root.pem"]
        .iter()
        .map(|f| openssl_cert(&w, f).sha256)
        .collect();
    for file in ["modern.p12", "legacy.p12", "sha512mac.p12", "tdes.p12"] {
        let input = w.read(file);
        let got = inspect(&input, Some(b"s3cret"), &options_now()).expect(file);
        let got_fps: Vec<String> = got
            .report
            .certificates
            .iter()
            .map(|c| c.sha256.clone())
            .collect();
        assert_eq!(got_fps, expected, "{file}");
        assert_eq!(got.report.key_matches_leaf, Some(true), "{file}");
        assert!(
            got.report.private_key.as_ref().expect("key").encrypted,
            "{file}"
        );
        let pem = got.material.private_key_pem.expect("material");
        w.write("out.key", pem.as_bytes());
        assert_eq!(
            openssl_public_pem(&w, "out.key", None),
            openssl_public_pem(&w, "leaf.key", None),
            "{file}"
        );

        let missing = inspect(&input, None, &options_now()).expect_err("needs password");
        assert_eq!(missing.code(), "password_required", "{file}");
        let wrong = inspect(&input, Some(b"S3cret"), &options_now()).expect_err("wrong");
        assert_eq!(wrong.code(), "wrong_password", "{file}");
    }
}

#[test]
fn an_empty_password_needs_no_password() {
    let w = fixture();
    export(&w, "empty.p12", "", &[]);
    export(&w, "empty-legacy.p12", "", &["-legacy"]);
    for file in ["empty.p12", "empty-legacy.p12"] {
        let got = inspect(&w.read(file), None, &options_now()).expect(file);
        assert_eq!(got.report.certificates.len(), 3, "{file}");
        assert_eq!(got.report.key_matches_leaf, Some(true), "{file}");
        let got = inspect(&w.read(file), Some(b""), &options_now()).expect(file);
        assert_eq!(got.report.certificates.len(), 3, "{file}");
    }
}

#[test]
fn unencrypted_certificates_without_a_key() {
    let w = fixture();
    w.openssl(&[
        "pkcs12",
        "-export",
        "-nokeys",
        "-in",
        "cas.pem",
        "-out",
        "trust.p12",
        "-passout",
        "pass:pw",
        "-certpbe",
        "NONE",
    ]);
    let got = inspect(&w.read("trust.p12"), Some(b"pw"), &options_now()).expect("parses");
    assert_eq!(got.report.certificates.len(), 2);
    assert!(got.report.private_key.is_none());
}

#[test]
fn iteration_counts_beyond_the_cap_are_too_costly() {
    let w = fixture();
    export(&w, "modern.p12", "pw", &[]);
    let mut options = options_now();
    options.limits.max_pkcs12_iterations = 1000;
    let err = inspect(&w.read("modern.p12"), Some(b"pw"), &options).expect_err("capped");
    assert_eq!(err.code(), "too_costly");
    options = options_now();
    options.limits.max_pbkdf2_iterations = 1000;
    let err = inspect(&w.read("modern.p12"), Some(b"pw"), &options).expect_err("capped");
    assert_eq!(err.code(), "too_costly");
}
