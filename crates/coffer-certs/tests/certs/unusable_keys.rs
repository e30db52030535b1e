//! Certificates whose key algorithm Coffer does not use (DSA, X25519, X448) are stored and
//! tracked with an `unusable_key` warning; their private keys are refused with words.

use coffer_certs::{KeyAlgorithm, WarningCode, inspect, inspect_ca_bundle};

use crate::fixtures::{Workdir, options_now};
use crate::reference::openssl_cert;

fn dsa_root(w: &Workdir) {
    w.openssl(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DSA",
        "-pkeyopt",
        "dsa_paramgen_bits:2048",
        "-out",
        "dsa.params",
    ]);
    w.openssl(&["genpkey", "-paramfile", "dsa.params", "-out", "dsa.key"]);
    w.openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "dsa.key",
        "-subj",
        "/CN=DSA Root",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:true",
        "-out",
        "dsa.pem",
    ]);
}

#[test]
fn a_dsa_certificate_is_kept_with_a_warning_and_its_key_refused_with_words() {
    let w = Workdir::new();
    dsa_root(&w);
    let reference = openssl_cert(&w, "dsa.pem");
    let report = inspect(&w.read("dsa.pem"), None, &options_now())
        .expect("DSA certificate kept")
        .report;
    let cert = &report.certificates[0];
    assert_eq!(cert.key_algorithm, KeyAlgorithm::Dsa);
    assert_eq!(cert.key_bits, reference.key_bits);
    assert_eq!(cert.sha256, reference.sha256);
    assert_eq!(cert.serial, reference.serial);
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["certificates"][0]["key_algorithm"], "dsa");
    let warning = report
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::UnusableKey)
        .expect("unusable_key warning");
    assert!(warning.message.contains("DSA"), "{}", warning.message);
    assert!(
        warning.message.contains("mutual TLS"),
        "{}",
        warning.message
    );

    // The key: PKCS#8, and OpenSSL's traditional DER, which once read as a truncated RSA key.
    w.openssl(&[
        "dsa",
        "-in",
        "dsa.key",
        "-outform",
        "DER",
        "-out",
        "dsa.trad.der",
    ]);
    for file in ["dsa.key", "dsa.trad.der"] {
        let err = inspect(&w.read(file), None, &options_now()).expect_err("DSA key");
        assert_eq!(err.code(), "unsupported_algorithm", "{file}");
        let text = err.to_string();
        assert!(text.contains("DSA private key"), "{file}: {text}");
        assert!(!text.contains("1.2.840.10040.4.1"), "{file}: {text}");
        assert!(!text.contains("RSA private key"), "{file}: {text}");
    }
}

#[test]
fn x25519_and_x448_certificates_are_kept_and_a_ca_bundle_may_hold_a_dsa_ca() {
    let w = Workdir::new();
    w.root("ca", "ec:P-256", "/CN=Agreement CA", 30);
    for (kind, algorithm, bits) in [
        ("X25519", KeyAlgorithm::X25519, 256),
        ("X448", KeyAlgorithm::X448, 448),
    ] {
        let key = format!("{kind}.key");
        w.key(&key, kind);
        w.openssl(&["pkey", "-in", &key, "-pubout", "-out", "pub.pem"]);
        w.openssl(&[
            "x509",
            "-new",
            "-subj",
            &format!("/CN={kind} leaf"),
            "-force_pubkey",
            "pub.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-days",
            "10",
            "-out",
            "leaf.pem",
        ]);
        let report = inspect(&w.read("leaf.pem"), None, &options_now())
            .expect("kept")
            .report;
        let cert = &report.certificates[0];
        assert_eq!((cert.key_algorithm, cert.key_bits), (algorithm, bits));
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::UnusableKey)
        );
        let err = inspect(&w.read(&key), None, &options_now()).expect_err("agreement key");
        assert_eq!(err.code(), "unsupported_algorithm");
        assert!(err.to_string().contains(kind), "{err}");
        assert!(!err.to_string().contains("1.3.101."), "{err}");
    }
    dsa_root(&w);
    let bundle = inspect_ca_bundle(&w.concat(&["ca.pem", "dsa.pem"]), &options_now())
        .expect("bundle")
        .report;
    assert_eq!(bundle.certificates.len(), 2);
    assert_eq!(bundle.certificates[1].key_algorithm, KeyAlgorithm::Dsa);
}
