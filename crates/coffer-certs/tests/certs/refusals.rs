//! Refusals in words a person understands: legacy encryptions named with what to do, and
//! files with nothing to store (in DER as in PEM) saying what they are.

use coffer_certs::{CertError, inspect};

use crate::fixtures::{Workdir, options_now};

fn refusal(input: &[u8], password: Option<&[u8]>) -> CertError {
    inspect(input, password, &options_now()).expect_err("refused")
}

#[test]
fn legacy_encryptions_are_named_with_how_to_re_encrypt() {
    let w = Workdir::new();
    w.key("k.key", "ec:P-256");
    let legacy = ["-provider", "legacy", "-provider", "default"];
    for (args, name) in [
        (&["-v1", "PBE-MD5-DES"][..], "PBES1 with MD5 and DES"),
        (&["-v1", "PBE-SHA1-RC2-64"][..], "PBES1 with SHA-1 and RC2"),
        (&["-v2", "rc2-cbc"][..], "RC2-CBC in PBES2"),
        (&["-v2", "des-cbc"][..], "single DES-CBC in PBES2"),
    ] {
        let mut all = vec!["pkcs8", "-topk8", "-in", "k.key", "-passout", "pass:pw"];
        all.extend(legacy);
        all.extend(args);
        all.extend(["-out", "legacy.key"]);
        w.openssl(&all);
        let err = refusal(&w.read("legacy.key"), Some(b"pw"));
        assert_eq!(err.code(), "unsupported_algorithm", "{name}: {err}");
        let text = err.to_string();
        assert!(text.contains(name), "{text}");
        assert!(
            text.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"),
            "{text}"
        );
        assert!(!text.contains("1.2.840."), "{text}");
    }
    // RC4 in PKCS#12 names itself and how to export again.
    let mut args = vec![
        "pkcs12",
        "-export",
        "-legacy",
        "-nocerts",
        "-inkey",
        "k.key",
        "-keypbe",
        "PBE-SHA1-RC4-128",
        "-passout",
        "pass:pw",
        "-out",
        "rc4.p12",
    ];
    args.extend(legacy);
    w.openssl(&args);
    let err = refusal(&w.read("rc4.p12"), Some(b"pw"));
    assert_eq!(err.code(), "unsupported_algorithm", "{err}");
    assert!(err.to_string().contains("RC4"), "{err}");
    assert!(err.to_string().contains("openssl pkcs12 -export"), "{err}");
}

#[test]
fn an_iteration_count_of_zero_is_malformed_not_a_wrong_password() {
    let w = Workdir::new();
    w.key("k.key", "ec:P-256");
    w.openssl(&[
        "pkcs8", "-topk8", "-iter", "1", "-in", "k.key", "-passout", "pass:pw", "-outform", "DER",
        "-out", "one.der",
    ]);
    let mut der = w.read("one.der");
    // PBKDF2 parameters: OCTET STRING salt (8 bytes), then INTEGER 1.
    let at = der
        .windows(3)
        .enumerate()
        .position(|(i, win)| win == [0x02, 0x01, 0x01] && i > 10 && der[i - 10] == 0x04)
        .expect("iteration count");
    der[at + 2] = 0;
    let err = refusal(&der, Some(b"pw"));
    assert_eq!(err.code(), "malformed_der", "{err}");
    assert!(err.to_string().contains("iteration count of 0"), "{err}");
}

#[test]
fn files_with_nothing_to_store_say_what_they_are_in_der_and_pem() {
    let w = Workdir::new();
    w.root("ca", "rsa:2048", "/CN=Nothing CA", 30);
    w.openssl(&[
        "req",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=request",
        "-out",
        "req.pem",
    ]);
    w.write("index.txt", "");
    w.write(
        "ca.cnf",
        "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=30\n",
    );
    w.openssl(&[
        "ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-out",
        "crl.pem",
    ]);
    w.openssl(&["pkey", "-in", "ca.key", "-pubout", "-out", "spki.pem"]);
    w.openssl(&[
        "rsa",
        "-in",
        "ca.key",
        "-RSAPublicKey_out",
        "-out",
        "pkcs1pub.pem",
    ]);
    w.openssl(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DH",
        "-pkeyopt",
        "group:ffdhe2048",
        "-out",
        "dh.pem",
    ]);
    w.openssl(&[
        "genpkey",
        "-genparam",
        "-algorithm",
        "DSA",
        "-pkeyopt",
        "dsa_paramgen_bits:1024",
        "-out",
        "dsa.pem",
    ]);
    for (pem, to_der, what) in [
        (
            "req.pem",
            &["req", "-in", "req.pem"][..],
            "certificate signing request",
        ),
        ("crl.pem", &["crl", "-in", "crl.pem"][..], "revocation list"),
        (
            "spki.pem",
            &["pkey", "-pubin", "-in", "spki.pem"][..],
            "public key",
        ),
        (
            "pkcs1pub.pem",
            &[
                "rsa",
                "-RSAPublicKey_in",
                "-in",
                "pkcs1pub.pem",
                "-RSAPublicKey_out",
            ][..],
            "public key",
        ),
        ("dh.pem", &["dhparam", "-in", "dh.pem"][..], "parameters"),
        ("dsa.pem", &["dsaparam", "-in", "dsa.pem"][..], "parameters"),
    ] {
        let mut args = to_der.to_vec();
        args.extend(["-outform", "DER", "-out", "out.der"]);
        w.openssl(&args);
        for (form, input) in [("PEM", w.read(pem)), ("DER", w.read("out.der"))] {
            let err = refusal(&input, None);
            assert_eq!(err.code(), "nothing_to_store", "{pem} {form}: {err}");
            let text = err.to_string();
            assert!(text.starts_with("this is "), "{text}");
            assert!(text.contains(what), "{pem} {form}: {text}");
        }
    }
}
