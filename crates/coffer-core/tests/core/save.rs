//! Saving to a file (`file_bytes`): a data secret's exact bytes, a
//! certificate's PEM chain or DER leaf (checked against openssl's own
//! conversion), audited as `secret.export`, under the reveal's rules.

use coffer_core::secret::{Intake, NewProtection, NewSecret, SecretBytes, SecretData, SecretType};
use coffer_core::{ErrorCode, ExposeSecret, FileForm, SecretString};

use crate::support::{Fixture, basic, expect_code, named, pems, require_program, secret};

fn binary_data(name: &str, bytes: &[u8]) -> NewSecret {
    let inputs = [("data".to_owned(), SecretBytes::from(bytes.to_vec()))]
        .into_iter()
        .collect();
    NewSecret::new(
        name,
        SecretData::from_fields(SecretType::Data, inputs, &Intake::default()).unwrap(),
    )
}

fn exports(fx: &Fixture, name: &str) -> usize {
    fx.audit_entries(Some(&named(name)), 100)
        .unwrap()
        .iter()
        .filter(|e| e.action == "secret.export")
        .count()
}

#[test]
fn a_certificate_is_saved_as_its_pem_chain_or_its_der_leaf() {
    require_program("openssl");
    let mut fx = Fixture::new();
    let p = pems();
    fx.register(secret(
        "client",
        SecretType::Certificate,
        &[("certificate", &p.chain), ("private_key", &p.key)],
    ))
    .unwrap();

    let pem = fx
        .file_bytes(&named("client"), FileForm::Pem, None)
        .unwrap();
    let pem = String::from_utf8(pem.expose_secret().to_vec()).unwrap();
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 2, "{pem}");
    assert!(
        !pem.contains("PRIVATE KEY"),
        "the key is not saved with the chain"
    );

    let der = fx
        .file_bytes(&named("client"), FileForm::Der, None)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.pem");
    std::fs::write(&chain, &p.chain).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&chain)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        der.expose_secret(),
        &out.stdout[..],
        "the leaf, as openssl writes it"
    );
    assert_eq!(exports(&fx, "client"), 2);
}

#[test]
fn a_data_secret_is_saved_as_its_exact_bytes() {
    let mut fx = Fixture::new();
    let bytes = [0u8, 0xff, 0x10, b'\n', 0x80, 0];
    fx.register(binary_data("blob", &bytes)).unwrap();
    let saved = fx
        .file_bytes(&named("blob"), FileForm::Bytes, None)
        .unwrap();
    assert_eq!(saved.expose_secret(), &bytes[..]);
    assert_eq!(exports(&fx, "blob"), 1);
}

#[test]
fn what_cannot_be_saved_is_refused_before_anything_is_read() {
    let mut fx = Fixture::new();
    fx.register(binary_data("blob", b"abc")).unwrap();
    fx.register(basic("login", "u", "p")).unwrap();
    let mut sealed = binary_data("sealed", b"xyz");
    sealed.write_only = true;
    fx.register(sealed).unwrap();
    let mut boxed = binary_data("boxed", b"inner");
    boxed.protection = NewProtection::Password(SecretString::from("box pw"));
    fx.register(boxed).unwrap();

    // A form that does not fit, and a type that is not saved to files.
    let e = expect_code(
        fx.file_bytes(&named("blob"), FileForm::Der, None),
        ErrorCode::InvalidInput,
    );
    assert!(e.to_string().contains("format"), "{e}");
    expect_code(
        fx.file_bytes(&named("login"), FileForm::Bytes, None),
        ErrorCode::InvalidInput,
    );
    expect_code(
        fx.file_bytes(&named("sealed"), FileForm::Bytes, None),
        ErrorCode::WriteOnly,
    );
    expect_code(
        fx.file_bytes(&named("boxed"), FileForm::Bytes, None),
        ErrorCode::PasswordRequired,
    );
    expect_code(
        fx.file_bytes(
            &named("boxed"),
            FileForm::Bytes,
            Some(&SecretString::from("no")),
        ),
        ErrorCode::WrongPassword,
    );
    for name in ["blob", "login", "sealed", "boxed"] {
        assert_eq!(exports(&fx, name), 0, "{name}");
    }
    let inner = fx
        .file_bytes(
            &named("boxed"),
            FileForm::Bytes,
            Some(&SecretString::from("box pw")),
        )
        .unwrap();
    assert_eq!(inner.expose_secret(), b"inner");
    assert_eq!(exports(&fx, "boxed"), 1);

    fx.lock();
    expect_code(
        fx.file_bytes(&named("blob"), FileForm::Bytes, None),
        ErrorCode::Locked,
    );
}
