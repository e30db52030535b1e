//! Certificates, chains and CA bundles.

use coffer_certs::{KeyAlgorithm, WarningCode, inspect, inspect_ca_bundle};

use crate::fixtures::{Issue, Workdir, options_in_days, options_now};
use crate::reference::openssl_cert;

fn codes(report: &coffer_certs::InspectionReport) -> Vec<WarningCode> {
    report.warnings.iter().map(|w| w.code).collect()
}

fn subjects(report: &coffer_certs::InspectionReport) -> Vec<String> {
    report
        .certificates
        .iter()
        .map(|c| c.subject_cn.clone().unwrap_or_default())
        .collect()
}

#[test]
fn chain_in_any_order_comes_out_leaf_first() {
    let w = Workdir::new();
    w.chain();
    let orders: [[&str; 3]; 6] = [
        ["leaf.pem", "inter.pem", "root.pem"],
        ["leaf.pem", "root.pem", "inter.pem"],
        ["inter.pem", "leaf.pem", "root.pem"],
        ["inter.pem", "root.pem", "leaf.pem"],
        ["root.pem", "leaf.pem", "inter.pem"],
        ["root.pem", "inter.pem", "leaf.pem"],
    ];
    for order in orders {
        let got = inspect(&w.concat(&order), None, &options_now()).expect("chain parses");
        assert_eq!(
            subjects(&got.report),
            [
                "leaf.example.com",
                "Coffer Intermediate CA",
                "Coffer Root CA"
            ],
            "input order {order:?}"
        );
        assert!(got.report.warnings.is_empty(), "{:?}", got.report.warnings);
        assert_eq!(got.report.key_matches_leaf, None);
        let pem = got.material.chain_pem.expect("chain PEM");
        let expected: Vec<u8> = w.concat(&["leaf.pem", "inter.pem", "root.pem"]);
        assert_eq!(
            pem.as_bytes(),
            expected.as_slice(),
            "re-encoded chain is leaf first"
        );
    }
}

#[test]
fn certificate_facts_match_openssl() {
    let w = Workdir::new();
    w.chain();
    let got = inspect(
        &w.concat(&["root.pem", "leaf.pem", "inter.pem"]),
        None,
        &options_now(),
    )
    .expect("chain parses");
    for (summary, file) in got
        .report
        .certificates
        .iter()
        .zip(["leaf.pem", "inter.pem", "root.pem"])
    {
        let reference = openssl_cert(&w, file);
        assert_eq!(summary.subject, reference.subject, "{file}");
        assert_eq!(summary.issuer, reference.issuer, "{file}");
        assert_eq!(summary.serial, reference.serial, "{file}");
        assert_eq!(summary.sha256, reference.sha256, "{file}");
        assert_eq!(summary.sha1, reference.sha1, "{file}");
        assert_eq!(
            coffer_certs::rfc3339::format(summary.not_before),
            reference.not_before
        );
        assert_eq!(
            coffer_certs::rfc3339::format(summary.not_after),
            reference.not_after
        );
        assert_eq!(summary.san, reference.san, "{file}");
        assert_eq!(summary.key_bits, reference.key_bits, "{file}");
        assert_eq!(
            summary.signature_algorithm, reference.signature_algorithm,
            "{file}"
        );
    }
    let [leaf, inter, root] = &got.report.certificates[..] else {
        panic!("three certificates")
    };
    assert_eq!(leaf.serial, "a1b2c3d4e5f60718");
    assert_eq!(
        leaf.san,
        [
            "DNS:leaf.example.com",
            "DNS:www.leaf.example.com",
            "IP:192.0.2.7",
            "IP:2001:db8::7"
        ]
    );
    assert_eq!((leaf.is_ca, leaf.path_len), (false, None));
    assert_eq!((inter.is_ca, inter.path_len), (true, Some(0)));
    assert_eq!((root.is_ca, root.path_len), (true, None));
    assert_eq!(leaf.key_algorithm, KeyAlgorithm::Ec);
    assert_eq!(leaf.ec_curve.as_deref(), Some("P-256"));
    assert_eq!(inter.key_algorithm, KeyAlgorithm::Rsa);
    assert_eq!(leaf.key_usage, ["digital_signature"]);
    assert_eq!(leaf.extended_key_usage, ["server_auth", "client_auth"]);
    assert_eq!(inter.key_usage, ["key_cert_sign", "crl_sign"]);
    assert!(root.self_signed && !inter.self_signed);
    assert_eq!(leaf.authority_key_id, inter.subject_key_id);
    assert_eq!(got.report.earliest_expiry, Some(leaf.not_after));
}

#[test]
fn unicode_subject_matches_openssl() {
    let w = Workdir::new();
    w.root(
        "uni",
        "ed25519",
        "/C=FR/O=Çoffer Ünïcode, Inc./OU=Sécurité & Équipe/CN=Racine ✓ 根",
        30,
    );
    let got = inspect(&w.read("uni.pem"), None, &options_now()).expect("parses");
    let cert = &got.report.certificates[0];
    let reference = openssl_cert(&w, "uni.pem");
    assert_eq!(cert.subject, reference.subject);
    assert_eq!(cert.subject_cn.as_deref(), Some("Racine ✓ 根"));
    assert_eq!(cert.key_algorithm, KeyAlgorithm::Ed25519);
    assert_eq!(cert.key_bits, 256);
    assert_eq!(cert.signature_algorithm, "ED25519");
    assert_eq!(cert.sha256, reference.sha256);
}

#[test]
fn der_certificate_is_detected_from_content() {
    let w = Workdir::new();
    w.chain();
    w.openssl(&[
        "x509",
        "-in",
        "inter.pem",
        "-outform",
        "DER",
        "-out",
        "inter.bin",
    ]);
    let got = inspect(&w.read("inter.bin"), None, &options_now()).expect("DER parses");
    assert_eq!(
        got.report.certificates[0].sha256,
        openssl_cert(&w, "inter.pem").sha256
    );
}

#[test]
fn crlf_indentation_and_text_around_blocks_are_accepted() {
    let w = Workdir::new();
    w.chain();
    let text = w.openssl(&["x509", "-in", "leaf.pem", "-text"]);
    let chain = String::from_utf8(w.concat(&["inter.pem", "root.pem"])).expect("utf-8");
    let input = format!("Bundle for prod\r\n\r\n{text}\r\nnotes between\r\n{chain}\r\n-- end\r\n")
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .replace("\r\nMII", "\r\n   MII");
    let got = inspect(input.as_bytes(), None, &options_now()).expect("parses");
    assert_eq!(subjects(&got.report)[0], "leaf.example.com");
    assert_eq!(got.report.certificates.len(), 3);
}

#[test]
fn ca_bundle_keeps_input_order_and_flags_non_cas() {
    let w = Workdir::new();
    w.root("a", "ec:P-384", "/CN=Bundle A", 100);
    w.root("b", "rsa:2048", "/CN=Bundle B", 100);
    w.root("c", "ec:P-256", "/CN=Bundle C", 100);
    w.chain();
    let input = w.concat(&["c.pem", "a.pem", "leaf.pem", "b.pem"]);
    let got = inspect_ca_bundle(&input, &options_now()).expect("bundle parses");
    assert_eq!(
        subjects(&got.report),
        ["Bundle C", "Bundle A", "leaf.example.com", "Bundle B"]
    );
    assert_eq!(codes(&got.report), [WarningCode::NotACa]);
    for (summary, file) in got
        .report
        .certificates
        .iter()
        .zip(["c.pem", "a.pem", "leaf.pem", "b.pem"])
    {
        assert_eq!(summary.sha256, openssl_cert(&w, file).sha256);
    }
    // Through `inspect`, unrelated roots keep input order after the chain.
    let got = inspect(
        &w.concat(&["c.pem", "a.pem", "b.pem"]),
        None,
        &options_now(),
    )
    .expect("ok");
    assert_eq!(subjects(&got.report), ["Bundle C", "Bundle A", "Bundle B"]);
    assert!(got.report.warnings.is_empty(), "{:?}", got.report.warnings);
}

#[test]
fn missing_issuer_is_an_incomplete_chain() {
    let w = Workdir::new();
    w.chain();
    for input in [w.concat(&["leaf.pem"]), w.concat(&["root.pem", "leaf.pem"])] {
        let got = inspect(&input, None, &options_now()).expect("parses");
        assert_eq!(subjects(&got.report)[0], "leaf.example.com");
        assert_eq!(codes(&got.report), [WarningCode::IncompleteChain]);
    }
}

#[test]
fn validity_warnings_follow_the_given_time() {
    let w = Workdir::new();
    w.chain();
    let input = w.concat(&["leaf.pem", "inter.pem", "root.pem"]);
    let at = |days| {
        codes(
            &inspect(&input, None, &options_in_days(days))
                .expect("parses")
                .report,
        )
    };
    assert_eq!(at(400), [WarningCode::Expired]);
    assert_eq!(at(340), [WarningCode::ExpiresSoon]);
    assert_eq!(at(-1), [WarningCode::NotYetValid; 3]);
    assert_eq!(at(4000), [WarningCode::Expired; 3]);
    let mut options = options_in_days(340);
    options.expiry_warning = time::Duration::days(10);
    assert!(
        inspect(&input, None, &options)
            .expect("parses")
            .report
            .warnings
            .is_empty()
    );
}

#[test]
fn ca_expiring_before_the_leaf_is_warned() {
    let w = Workdir::new();
    w.root("root", "ec:P-256", "/CN=Short Root", 3650);
    w.issue(&Issue {
        name: "inter",
        issuer: "root",
        key_kind: "ec:P-256",
        subject: "/CN=Short Intermediate",
        days: 100,
        serial: "7",
        digest: "sha256",
        extensions: &["basicConstraints=critical,CA:true"],
    });
    w.issue(&Issue {
        name: "leaf",
        issuer: "inter",
        key_kind: "ec:P-256",
        subject: "/CN=long.example",
        days: 365,
        serial: "8",
        digest: "sha256",
        extensions: &["basicConstraints=CA:false"],
    });
    let got = inspect(
        &w.concat(&["inter.pem", "leaf.pem", "root.pem"]),
        None,
        &options_now(),
    )
    .expect("parses");
    assert_eq!(codes(&got.report), [WarningCode::ChainExpiresBeforeLeaf]);
    assert_eq!(
        got.report.earliest_expiry,
        Some(got.report.certificates[1].not_after)
    );
}

#[test]
fn weak_key_sha1_signature_and_self_signed_leaf_are_warned() {
    let w = Workdir::new();
    w.chain();
    w.issue(&Issue {
        name: "weak",
        issuer: "inter",
        key_kind: "rsa:1024",
        subject: "/CN=weak.example",
        days: 365,
        serial: "9",
        digest: "sha1",
        extensions: &["basicConstraints=CA:false"],
    });
    let got = inspect(
        &w.concat(&["weak.pem", "inter.pem", "root.pem"]),
        None,
        &options_now(),
    )
    .expect("parses");
    assert_eq!(
        codes(&got.report),
        [WarningCode::WeakKey, WarningCode::Sha1Signature]
    );
    assert_eq!(got.report.certificates[0].key_bits, 1024);
    assert_eq!(
        got.report.certificates[0].signature_algorithm,
        "sha1WithRSAEncryption"
    );

    w.key("self.key", "ec:P-256");
    w.openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "self.key",
        "-out",
        "self.pem",
        "-subj",
        "/CN=self.example",
        "-days",
        "90",
        "-addext",
        "basicConstraints=critical,CA:false",
    ]);
    let got = inspect(&w.read("self.pem"), None, &options_now()).expect("parses");
    assert_eq!(codes(&got.report), [WarningCode::SelfSignedLeaf]);
}

#[test]
fn trusted_certificate_blocks_and_ed448_keys() {
    let w = Workdir::new();
    w.root("ed448", "ed448", "/CN=Ed448 Root", 90);
    w.openssl(&[
        "x509",
        "-in",
        "ed448.pem",
        "-trustout",
        "-addtrust",
        "serverAuth",
        "-out",
        "trusted.pem",
    ]);
    assert!(
        w.read_string("trusted.pem")
            .starts_with("-----BEGIN TRUSTED CERTIFICATE-----")
    );
    let got = inspect(&w.read("trusted.pem"), None, &options_now()).expect("parses");
    let cert = &got.report.certificates[0];
    let reference = openssl_cert(&w, "ed448.pem");
    assert_eq!(
        cert.sha256, reference.sha256,
        "fingerprint of the certificate without trust"
    );
    assert_eq!(
        (cert.key_algorithm, cert.key_bits),
        (KeyAlgorithm::Ed448, 448)
    );
    assert_eq!(cert.signature_algorithm, reference.signature_algorithm);
    let err = inspect(&w.read("ed448.key"), None, &options_now()).expect_err("no Ed448 keys");
    assert_eq!(err.code(), "unsupported_algorithm");
}
