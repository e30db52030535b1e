//! PKCS#7 certificate bundles (`.p7b`, `.p7c`) and PEM files with a block that is garbage.

use coffer_certs::{WarningCode, inspect, inspect_ca_bundle};

use crate::fixtures::{Workdir, options_now};
use crate::reference::openssl_cert;

#[test]
fn pkcs7_bundles_in_pem_and_der_give_the_chain_leaf_first() {
    let w = Workdir::new();
    w.chain();
    // Root first, leaf last: the order the bundle is written in does not matter.
    w.openssl(&[
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        "root.pem",
        "-certfile",
        "inter.pem",
        "-certfile",
        "leaf.pem",
        "-out",
        "chain.p7b",
    ]);
    w.openssl(&[
        "pkcs7",
        "-in",
        "chain.p7b",
        "-outform",
        "DER",
        "-out",
        "chain.p7c",
    ]);
    assert!(
        w.read_string("chain.p7b")
            .starts_with("-----BEGIN PKCS7-----")
    );
    let expected: Vec<String> = ["leaf.pem", "inter.pem", "root.pem"]
        .iter()
        .map(|n| openssl_cert(&w, n).sha256)
        .collect();
    for file in ["chain.p7b", "chain.p7c"] {
        let report = inspect(&w.read(file), None, &options_now())
            .unwrap_or_else(|e| panic!("{file}: {e} ({})", e.code()))
            .report;
        let got: Vec<String> = report
            .certificates
            .iter()
            .map(|c| c.sha256.clone())
            .collect();
        assert_eq!(got, expected, "{file}");
        assert!(
            !report
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::IncompleteChain)
        );
        // As a CA bundle: input order, the leaf flagged as not a CA.
        let bundle = inspect_ca_bundle(&w.read(file), &options_now())
            .expect("bundle")
            .report;
        assert_eq!(bundle.certificates.len(), 3);
        assert_eq!(bundle.certificates[2].sha256, expected[0]);
        assert!(
            bundle
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::NotACa)
        );
    }
    // BER with indefinite lengths around DER certificates, as Windows and Java write it.
    let der = w.read("chain.p7c");
    let ber = indefinite_outer_layers(&der);
    let report = inspect(&ber, None, &options_now())
        .expect("BER bundle")
        .report;
    assert_eq!(report.certificates.len(), 3);
    // A chain from a .p7b and its key given apart match.
    let mut with_key = w.read("chain.p7b");
    with_key.extend(w.read("leaf.key"));
    let report = inspect(&with_key, None, &options_now())
        .expect("p7b + key")
        .report;
    assert_eq!(report.key_matches_leaf, Some(true));
}

#[test]
fn a_pkcs7_file_without_certificates_is_nothing_to_store() {
    let w = Workdir::new();
    w.root("ca", "ec:P-256", "/CN=CRL CA", 30);
    w.write("index.txt", "");
    w.write(
        "ca.cnf",
        "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=30\n",
    );
    w.openssl(&[
        "ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-out",
        "ca.crl",
    ]);
    w.openssl(&["crl2pkcs7", "-in", "ca.crl", "-out", "crl.p7b"]);
    let err = inspect(&w.read("crl.p7b"), None, &options_now()).expect_err("no certificates");
    assert_eq!(err.code(), "nothing_to_store", "{err}");
    assert!(err.to_string().contains("PKCS#7"), "{err}");
}

#[test]
fn a_garbage_block_next_to_certificates_is_skipped_with_a_warning() {
    let w = Workdir::new();
    w.chain();
    // As cryptography's with_garbage.pem: a "PRIVATE KEY" block holding a URL, text around.
    let garbage = "-----BEGIN PRIVATE KEY-----\naHR0cHM6Ly9iaXQubHkvM3VKOXpZZw==\n-----END PRIVATE KEY-----\n";
    let mut input = b"This file also contains text before...\n\n".to_vec();
    input.extend(garbage.as_bytes());
    input.extend(b"\n...and...\n\n");
    input.extend(w.read("leaf.pem"));
    input.extend(w.read("inter.pem"));
    input.extend(b"-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n");
    let report = inspect(&input, None, &options_now())
        .expect("certificates kept")
        .report;
    assert_eq!(report.certificates.len(), 2);
    assert!(report.private_key.is_none());
    let ignored: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| w.code == WarningCode::IgnoredBlock)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(ignored.len(), 2, "{ignored:?}");
    assert!(
        ignored[0].contains("PEM block 1 (PRIVATE KEY)"),
        "{ignored:?}"
    );
    assert!(
        ignored[1].contains("PEM block 4 (CERTIFICATE)"),
        "{ignored:?}"
    );
    // Alone, the garbage block is still an error with its own code.
    let err = inspect(garbage.as_bytes(), None, &options_now()).expect_err("garbage only");
    assert_eq!(err.code(), "malformed_der");
}

/// `ContentInfo` and its `[0]` re-encoded with indefinite lengths; the content as it was.
fn indefinite_outer_layers(der: &[u8]) -> Vec<u8> {
    fn header_len(at: &[u8]) -> usize {
        if at[1] & 0x80 == 0 {
            2
        } else {
            2 + usize::from(at[1] & 0x7f)
        }
    }
    let body = &der[header_len(der)..];
    let oid_len = 2 + usize::from(body[1]);
    let (oid, explicit) = body.split_at(oid_len);
    let signed_data = &explicit[header_len(explicit)..];
    let mut out = vec![0x30, 0x80];
    out.extend(oid);
    out.extend([0xa0, 0x80]);
    out.extend(signed_data);
    out.extend([0, 0, 0, 0]);
    out
}
