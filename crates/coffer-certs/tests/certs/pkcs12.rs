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

/// One DER element: (tag, content, rest). Fixtures only hold short-form or long-form lengths.
fn split_tlv(input: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = input[0];
    let (len, header) = match input[1] {
        n if n < 0x80 => (usize::from(n), 2),
        n => {
            let count = usize::from(n & 0x7f);
            let len = input[2..2 + count]
                .iter()
                .fold(0, |acc, &b| (acc << 8) | usize::from(b));
            (len, 2 + count)
        }
    };
    (tag, &input[header..header + len], &input[header + len..])
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    match content.len() {
        n if n < 0x80 => out.push(u8::try_from(n).expect("short length")),
        n => {
            let bytes = u32::try_from(n).expect("fixture size").to_be_bytes();
            out.push(0x84);
            out.extend_from_slice(&bytes);
        }
    }
    out.extend_from_slice(content);
}

/// `SEQUENCE { SEQUENCE { OID …` — an AuthenticatedSafe or SafeContents, not a certificate.
fn holds_safes(content: &[u8]) -> bool {
    content.first() == Some(&0x30) && {
        let (_, outer, _) = split_tlv(content);
        outer.first() == Some(&0x30) && split_tlv(outer).1.first() == Some(&0x06)
    }
}

/// Rewrites DER as the BER that Windows, Java and macOS write: every constructed element with
/// an indefinite length, OCTET STRINGs (and the `[0] IMPLICIT` encrypted content) cut into
/// 16-byte chunks of a constructed string, and when `deep` the same inside OCTET STRINGs that
/// hold PKCS#12 safes (only valid without a MAC, which covers those bytes).
fn to_ber(der: &[u8], deep: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = der;
    while !rest.is_empty() {
        let (tag, content, next) = split_tlv(rest);
        let chunked = |out: &mut Vec<u8>, tag: u8, content: &[u8]| {
            out.extend_from_slice(&[tag, 0x80]);
            for chunk in content.chunks(16) {
                push_tlv(out, 0x04, chunk);
            }
            out.extend_from_slice(&[0, 0]);
        };
        match tag {
            0x04 if deep && holds_safes(content) => chunked(&mut out, 0x24, &to_ber(content, deep)),
            0x04 => chunked(&mut out, 0x24, content),
            0x80 => chunked(&mut out, 0xa0, content),
            t if t & 0x20 != 0 => {
                out.extend_from_slice(&[t, 0x80]);
                out.extend(to_ber(content, deep));
                out.extend_from_slice(&[0, 0]);
            }
            t => push_tlv(&mut out, t, content),
        }
        rest = next;
    }
    out
}

#[test]
fn ber_files_with_indefinite_lengths_and_chunked_strings() {
    let w = fixture();
    let expected: Vec<String> = ["leaf.pem", "inter.pem", "root.pem"]
        .iter()
        .map(|f| openssl_cert(&w, f).sha256)
        .collect();
    export(&w, "mac.p12", "pw", &[]);
    export(&w, "nomac.p12", "pw", &["-legacy", "-nomac"]);
    export(
        &w,
        "plain.p12",
        "pw",
        &["-nomac", "-keypbe", "NONE", "-certpbe", "NONE"],
    );
    for (file, deep) in [("mac.p12", false), ("nomac.p12", true), ("plain.p12", true)] {
        let ber = to_ber(&w.read(file), deep);
        assert_eq!(&ber[..2], [0x30, 0x80], "{file} is indefinite-length BER");
        let got = inspect(&ber, Some(b"pw"), &options_now()).expect(file);
        let fps: Vec<String> = got
            .report
            .certificates
            .iter()
            .map(|c| c.sha256.clone())
            .collect();
        assert_eq!(fps, expected, "{file}");
        assert_eq!(got.report.key_matches_leaf, Some(true), "{file}");
        let err = inspect(&ber, Some(b"nope"), &options_now())
            .map(|_| ())
            .err()
            .map(|e| e.code());
        let expected_err = if file == "plain.p12" {
            None
        } else {
            Some("wrong_password")
        };
        assert_eq!(err, expected_err, "{file}");
    }
    // Anything but PKCS#12 must still be DER.
    w.openssl(&[
        "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der",
    ]);
    let ber_cert = to_ber(&w.read("leaf.der"), false);
    let err = inspect(&ber_cert, None, &options_now()).expect_err("BER certificate");
    assert_eq!(err.code(), "malformed_der");
}
