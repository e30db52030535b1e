//! Validity dates before 1970 and negative serial numbers, read as OpenSSL reads them.

use coffer_certs::inspect;

use crate::fixtures::{Workdir, options_now};
use crate::reference::openssl_cert;

/// A DER certificate whose first UTCTime (notBefore) is replaced by `utc_time` (13 bytes).
/// The signature no longer verifies, which neither OpenSSL's printing nor Coffer checks.
fn with_not_before(w: &Workdir, der: &[u8], utc_time: &[u8; 13], name: &str) {
    let at = der
        .windows(2)
        .position(|p| p == [0x17, 0x0d])
        .expect("a UTCTime");
    let mut patched = der.to_vec();
    patched[at + 2..at + 15].copy_from_slice(utc_time);
    w.write(&format!("{name}.der"), &patched);
    w.openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        &format!("{name}.der"),
        "-out",
        &format!("{name}.pem"),
    ]);
}

#[test]
fn validity_before_1970_is_read_as_openssl_reads_it() {
    let w = Workdir::new();
    w.root("ca", "ec:P-256", "/CN=Old Root", 30);
    w.openssl(&["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"]);
    let der = w.read("ca.der");
    // UTCTime's range starts in 1950 (PKITS Validpre2000UTCnotBeforeDateTest3EE has such a
    // date); 1969 is the last year before the Unix epoch.
    for (time, name) in [(b"500101120000Z", "y1950"), (b"691231235959Z", "y1969")] {
        with_not_before(&w, &der, time, name);
        let reference = openssl_cert(&w, &format!("{name}.pem"));
        for input in [
            w.read(&format!("{name}.der")),
            w.read(&format!("{name}.pem")),
        ] {
            let report = inspect(&input, None, &options_now())
                .unwrap_or_else(|e| panic!("{name}: {e} ({})", e.code()))
                .report;
            let cert = &report.certificates[0];
            assert_eq!(
                coffer_certs::rfc3339::format(cert.not_before),
                reference.not_before,
                "{name}"
            );
            assert_eq!(
                coffer_certs::rfc3339::format(cert.not_after),
                reference.not_after
            );
            // The fingerprint is of the bytes as given, not of anything rewritten.
            assert_eq!(cert.sha256, reference.sha256);
        }
    }
}

#[test]
fn a_pre_1970_certificate_inside_pkcs12_is_accepted() {
    let w = Workdir::new();
    w.root("ca", "ec:P-256", "/CN=Old Root", 30);
    w.openssl(&["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"]);
    with_not_before(&w, &w.read("ca.der"), b"500101000000Z", "old");
    w.openssl(&[
        "pkcs12", "-export", "-in", "old.pem", "-inkey", "ca.key", "-out", "old.p12", "-passout",
        "pass:pw",
    ]);
    let report = inspect(&w.read("old.p12"), Some(b"pw"), &options_now())
        .expect("PKCS#12 with a 1950 notBefore")
        .report;
    assert_eq!(
        coffer_certs::rfc3339::format(report.certificates[0].not_before),
        "1950-01-01T00:00:00Z"
    );
    assert_eq!(report.key_matches_leaf, Some(true));
}

#[test]
fn negative_serials_print_with_a_sign_as_openssl_does() {
    let w = Workdir::new();
    for (serial, expected) in [
        ("-0x4316693ed", "-04316693ed"),
        ("-1", "-01"),
        ("-0x80", "-80"),
        ("-0xff00", "-ff00"),
        ("0x4316693ed", "04316693ed"),
    ] {
        w.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.key",
            "-subj",
            "/CN=serial",
            "-set_serial",
            serial,
            "-out",
            "s.pem",
        ]);
        let reference = openssl_cert(&w, "s.pem");
        let report = inspect(&w.read("s.pem"), None, &options_now())
            .expect("certificate")
            .report;
        assert_eq!(report.certificates[0].serial, reference.serial, "{serial}");
        assert_eq!(report.certificates[0].serial, expected, "{serial}");
    }
}
