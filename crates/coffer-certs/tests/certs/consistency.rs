//! Private keys whose parts disagree (curves, public point, RSA factors) are refused as
//! `openssl pkey -check` refuses them; a key whose inner curve is the real one is read as such.

use std::process::Command;

use coffer_certs::{KeyAlgorithm, inspect};

use crate::fixtures::{Workdir, options_now};

/// DER tag-length-value, for assembling test structures.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap());
    } else if len < 0x100 {
        out.extend([0x81, u8::try_from(len).unwrap()]);
    } else {
        out.extend([0x82, u8::try_from(len >> 8).unwrap(), (len & 0xff) as u8]);
    }
    out.extend(content);
    out
}

const P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// PKCS#8 with `outer` as the algorithm's curve around the SEC1 key `sec1`.
fn pkcs8(outer: &[u8], sec1: &[u8]) -> Vec<u8> {
    let algorithm = tlv(0x30, &[EC_PUBLIC_KEY, outer].concat());
    tlv(
        0x30,
        &[&[0x02, 0x01, 0x00][..], &algorithm, &tlv(0x04, sec1)].concat(),
    )
}

/// Whether `openssl pkey -check` accepts the DER key file `name`.
fn openssl_checks(w: &Workdir, name: &str) -> bool {
    Command::new("openssl")
        .args(["pkey", "-inform", "DER", "-in", name, "-check", "-noout"])
        .current_dir(w.path(""))
        .output()
        .expect("openssl runs")
        .status
        .success()
}

fn sec1_der(w: &Workdir, key: &str, out: &str) -> Vec<u8> {
    w.openssl(&["ec", "-in", key, "-outform", "DER", "-out", out]);
    w.read(out)
}

#[test]
fn the_curve_inside_an_ec_key_wins_and_a_mismatched_one_is_refused() {
    let w = Workdir::new();
    w.root("p256", "ec:P-256", "/CN=p256", 30);
    let sec1 = sec1_der(&w, "p256.key", "p256.sec1");
    // Outer P-384, inner P-256 (cryptography's ec-inconsistent-curve2.pem): OpenSSL reads a
    // P-256 key, which belongs to its P-256 certificate.
    let outer_wrong = pkcs8(P384, &sec1);
    w.write("outer.der", &outer_wrong);
    assert!(openssl_checks(&w, "outer.der"));
    let mut input = w.read("p256.pem");
    input.extend(
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64_lines(&outer_wrong)
        )
        .as_bytes(),
    );
    let inspection = inspect(&input, None, &options_now()).expect("read as P-256");
    assert_eq!(inspection.report.key_matches_leaf, Some(true));
    let key = inspection.report.private_key.expect("key");
    assert_eq!((key.algorithm, key.bits), (KeyAlgorithm::Ec, 256));
    // What is stored names the real curve.
    let stored = inspection.material.private_key_pem.expect("pem");
    w.write("stored.pem", stored.as_bytes());
    let text = w.openssl(&["pkey", "-in", "stored.pem", "-noout", "-text"]);
    assert!(text.contains("P-256"), "{text}");
    assert!(
        !w.openssl(&["asn1parse", "-in", "stored.pem"])
            .contains("secp384r1")
    );

    // Inner P-384 around a P-256 scalar and point (ec-inconsistent-curve.pem): refused.
    let inner_wrong = sec1
        .windows(P256.len())
        .position(|win| win == P256)
        .map(|at| {
            let mut der = sec1.clone();
            // Same length: P-384's OID is shorter, so rebuild the [0] parameters instead.
            let params_start = at - 2;
            let mut rebuilt = der[..params_start].to_vec();
            rebuilt.extend(tlv(0xa0, P384));
            rebuilt.extend(&der[at + P256.len()..]);
            // Fix the outer SEQUENCE length (short enough for the one-byte form here).
            let body = rebuilt[2..].to_vec();
            der = tlv(0x30, &body);
            der
        })
        .expect("P-256 OID in SEC1");
    let refused = pkcs8(P256, &inner_wrong);
    w.write("inner.der", &refused);
    assert!(!openssl_checks(&w, "inner.der"));
    let err = inspect(&refused, None, &options_now()).expect_err("inconsistent");
    assert_eq!(err.code(), "inconsistent_key", "{err}");
}

#[test]
fn an_ec_key_carrying_another_keys_public_point_is_refused() {
    let w = Workdir::new();
    w.key("a.key", "ec:P-256");
    w.key("b.key", "ec:P-256");
    let a = sec1_der(&w, "a.key", "a.sec1");
    let b = sec1_der(&w, "b.key", "b.sec1");
    // The public point is the last 65 bytes of a P-256 SEC1 key.
    let mut mixed = a.clone();
    let n = mixed.len();
    mixed[n - 65..].copy_from_slice(&b[b.len() - 65..]);
    w.write("mixed.sec1", &mixed);
    assert!(!openssl_checks(&w, "mixed.sec1"));
    for input in [mixed.clone(), pkcs8(P256, &mixed)] {
        let err = inspect(&input, None, &options_now()).expect_err("mixed key");
        assert_eq!(err.code(), "inconsistent_key", "{err}");
        assert!(err.to_string().contains("public point"), "{err}");
    }
    assert!(inspect(&a, None, &options_now()).is_ok());
}

#[test]
fn an_rsa_key_with_a_wrong_crt_value_is_refused() {
    let w = Workdir::new();
    w.key("r.key", "rsa:2048");
    w.openssl(&[
        "rsa",
        "-in",
        "r.key",
        "-traditional",
        "-outform",
        "DER",
        "-out",
        "r.der",
    ]);
    let good = w.read("r.der");
    assert!(inspect(&good, None, &options_now()).is_ok());
    // The last byte is the end of the CRT coefficient qInv.
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    w.write("bad.der", &bad);
    assert!(!openssl_checks(&w, "bad.der"));
    let err = inspect(&bad, None, &options_now()).expect_err("bad CRT");
    assert_eq!(err.code(), "inconsistent_key", "{err}");
}

fn base64_lines(der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    text.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
