//! Certificates, CA bundles and SSH keys from what administrators drop in:
//! parsed by `coffer-certs`, checked, and re-encoded for storage (chain leaf
//! first, keys decrypted with their password, which is used once and never
//! stored). The public summary becomes the secret's clear public fields.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::data::{CaBundle, Certificate, Intake, SecretBytes, SshKeyPair};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
pub use coffer_certs::{
    CertError, InspectionReport, SshAlgorithm, SshKeySummary, SshKeyType, WarningCode,
};

/// Warnings that depend on the day they were computed; they are not stored,
/// since status and expiry are shown from the dates themselves.
const DATED_WARNINGS: [WarningCode; 3] = [
    WarningCode::Expired,
    WarningCode::NotYetValid,
    WarningCode::ExpiresSoon,
];

fn options(intake: &Intake) -> coffer_certs::InspectOptions {
    let now = intake
        .now
        .unwrap_or_else(|| crate::clock::Clock::now(&crate::clock::SystemClock));
    coffer_certs::InspectOptions::new(now.to_datetime())
}

/// Maps a parsing error onto the field it came from.
pub fn cert_error(field: &str, error: CertError) -> Error {
    match error {
        CertError::PasswordRequired { .. } => Error::KeyPasswordRequired {
            field: field.to_owned(),
        },
        CertError::WrongPassword { .. } => Error::WrongKeyPassword {
            field: field.to_owned(),
        },
        other => Error::invalid(field, format!("{} ({})", other, other.code())),
    }
}

fn password(intake: &Intake) -> Option<&[u8]> {
    intake
        .key_password
        .as_ref()
        .map(|p| p.expose_secret().as_bytes())
}

/// The report as stored: without the warnings that go stale.
fn stored_summary(mut report: InspectionReport) -> Result<Value> {
    report
        .warnings
        .retain(|w| !DATED_WARNINGS.contains(&w.code));
    serde_json::to_value(&report).map_err(|e| Error::Internal(format!("encoding a summary: {e}")))
}

/// Inspects a certificate input (and optional separate key) as the wizard shows it.
pub fn inspect_certificate(
    certificate: &[u8],
    private_key: Option<&[u8]>,
    intake: &Intake,
) -> Result<coffer_certs::Inspection> {
    let options = options(intake);
    let pw = password(intake);
    match private_key {
        None => coffer_certs::inspect(certificate, pw, &options)
            .map_err(|e| cert_error("certificate", e)),
        Some(key) => {
            // The key alone first, so that its errors name its field.
            coffer_certs::inspect(key, pw, &options).map_err(|e| cert_error("private_key", e))?;
            coffer_certs::inspect_parts(
                coffer_certs::Source {
                    bytes: certificate,
                    password: pw,
                },
                coffer_certs::Source {
                    bytes: key,
                    password: pw,
                },
                &options,
            )
            .map_err(|e| cert_error("certificate", e))
        }
    }
}

/// A certificate secret: the chain (leaf first) and the key, if any.
pub(super) fn certificate(
    certificate: &SecretBytes,
    private_key: Option<&SecretBytes>,
    intake: &Intake,
) -> Result<Certificate> {
    let inspection = inspect_certificate(
        certificate.expose_secret(),
        private_key.map(ExposeSecret::expose_secret),
        intake,
    )?;
    let report = inspection.report;
    if report.certificates.is_empty() {
        return Err(Error::invalid(
            "certificate",
            "holds no certificate (only a key?)",
        ));
    }
    if report.key_matches_leaf == Some(false) && !intake.allow_key_mismatch {
        return Err(Error::invalid(
            "private_key",
            "does not match the certificate's leaf (store it anyway only if you mean to: \
             allow a key mismatch)",
        ));
    }
    let chain = inspection
        .material
        .chain_pem
        .ok_or_else(|| Error::invalid("certificate", "holds no certificate (only a key?)"))?;
    let key = inspection
        .material
        .private_key_pem
        .map(|k| SecretString::from(k.as_str()));
    Ok(Certificate {
        certificate: SecretString::from(chain),
        private_key: key,
        summary: stored_summary(report)?,
    })
}

/// A CA bundle: every CA in input order.
pub(super) fn ca_bundle(certificates: &SecretBytes, intake: &Intake) -> Result<CaBundle> {
    let inspection =
        coffer_certs::inspect_ca_bundle(certificates.expose_secret(), &options(intake))
            .map_err(|e| cert_error("certificates", e))?;
    let pem = inspection
        .material
        .chain_pem
        .filter(|_| !inspection.report.certificates.is_empty())
        .ok_or_else(|| Error::invalid("certificates", "holds no certificate"))?;
    Ok(CaBundle {
        certificates: SecretString::from(pem),
        summary: stored_summary(inspection.report)?,
    })
}

/// An SSH key pair from an OpenSSH private key (decrypted with its passphrase);
/// a given public key must belong to it.
pub(super) fn ssh_key_pair(
    private_key: &SecretBytes,
    public_key: Option<&str>,
    intake: &Intake,
) -> Result<SshKeyPair> {
    let inspection = coffer_certs::inspect(
        private_key.expose_secret(),
        password(intake),
        &options(intake),
    )
    .map_err(|e| cert_error("private_key", e))?;
    let (Some(private), Some(derived), Some(ssh)) = (
        inspection.material.ssh_private_key,
        inspection.material.ssh_public_key,
        inspection.report.ssh.clone(),
    ) else {
        let hint = if inspection.report.private_key.is_some() {
            " (convert it with `ssh-keygen -p -f FILE`, which rewrites it in OpenSSH format)"
        } else {
            ""
        };
        return Err(Error::invalid(
            "private_key",
            format!("is not an OpenSSH private key{hint}"),
        ));
    };
    let given = public_key.filter(|k| !k.trim().is_empty());
    if given.is_some_and(|given| key_body(given) != key_body(&derived)) {
        return Err(Error::invalid(
            "public_key",
            "does not belong to the private key",
        ));
    }
    Ok(SshKeyPair {
        private_key: SecretString::from(private.as_str()),
        public_key: derived,
        summary: ssh_summary(&ssh),
    })
}

/// `algorithm base64` of an `authorized_keys` line, without its comment.
fn key_body(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

fn ssh_summary(ssh: &SshKeySummary) -> Value {
    serde_json::json!({
        "algorithm": ssh.algorithm,
        "bits": ssh.bits,
        "fingerprint_sha256": ssh.fingerprint_sha256,
    })
}

/// Generates a fresh SSH key pair (Ed25519 unless told otherwise).
pub fn generate_ssh_key_pair(kind: SshKeyType, comment: &str) -> Result<SshKeyPair> {
    let generated = coffer_certs::generate_ssh_key(kind, comment)
        .map_err(|e| Error::invalid("algorithm", e.to_string()))?;
    Ok(SshKeyPair {
        private_key: SecretString::from(generated.private_key_openssh.as_str()),
        summary: serde_json::json!({
            "algorithm": generated.algorithm,
            "bits": generated.bits,
            "fingerprint_sha256": generated.fingerprint_sha256,
        }),
        public_key: generated.public_key,
    })
}

/// Parses an SSH key type as the CLI and UI name it.
pub fn parse_ssh_key_type(algorithm: &str, bits: Option<u32>) -> Result<SshKeyType> {
    match (algorithm, bits) {
        ("ed25519", None | Some(256)) => Ok(SshKeyType::Ed25519),
        ("rsa", None | Some(3072)) => Ok(SshKeyType::Rsa { bits: 3072 }),
        ("rsa", Some(4096)) => Ok(SshKeyType::Rsa { bits: 4096 }),
        ("ecdsa", None | Some(256)) => Ok(SshKeyType::EcdsaP256),
        ("ed25519" | "ecdsa", Some(b)) => Err(Error::invalid(
            "bits",
            format!("{algorithm} keys have a fixed size, not {b}"),
        )),
        ("rsa", Some(b)) => Err(Error::invalid(
            "bits",
            format!("RSA keys are 3072 or 4096 bits, not {b}"),
        )),
        (other, _) => Err(Error::invalid(
            "algorithm",
            format!("{other:?} is not ed25519, rsa or ecdsa"),
        )),
    }
}

/// The leaf's `not_after` recorded in a certificate summary.
pub(crate) fn leaf_not_after(summary: &Value) -> Option<Timestamp> {
    summary
        .get("certificates")?
        .get(0)?
        .get("not_after")?
        .as_str()
        .and_then(|text| Timestamp::parse("not_after", text).ok())
}
