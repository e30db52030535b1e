//! OpenSSH keys: private keys (plain and bcrypt-pbkdf encrypted) and `authorized_keys` lines.

use ssh_key::public::KeyData;
use ssh_key::{EcdsaCurve, HashAlg, LineEnding, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::budget::WorkBudget;
use crate::{CertError, SshAlgorithm, SshKeySummary};

const PRIVATE: &str = "OpenSSH private key";

/// A decoded SSH key and, for a private key, its unencrypted OpenSSH encoding.
pub(crate) struct ParsedSshKey {
    pub summary: SshKeySummary,
    pub private_openssh: Option<Zeroizing<String>>,
}

/// Decodes the binary body of an `OPENSSH PRIVATE KEY` block, decrypting it if needed.
pub(crate) fn parse_private(
    body: &[u8],
    password: Option<&[u8]>,
    work: &WorkBudget,
) -> Result<ParsedSshKey, CertError> {
    let key = PrivateKey::from_bytes(body).map_err(|e| map_decode_error(&e, PRIVATE))?;
    let encrypted = key.is_encrypted();
    let key = if encrypted {
        if let ssh_key::Kdf::Bcrypt { rounds, .. } = key.kdf() {
            work.charge(
                "bcrypt-pbkdf rounds",
                (*rounds).into(),
                work.limits.max_bcrypt_rounds.into(),
            )?;
        }
        let password = password.ok_or(CertError::PasswordRequired { what: PRIVATE })?;
        key.decrypt(password).map_err(|e| match e {
            ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. } => {
                CertError::unsupported("OpenSSH key encryption cipher or KDF")
            }
            _ => CertError::WrongPassword { what: PRIVATE },
        })?
    } else {
        key
    };
    let summary = summarize(key.public_key(), true, encrypted)?;
    let openssh = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| map_decode_error(&e, PRIVATE))?;
    Ok(ParsedSshKey {
        summary,
        private_openssh: Some(openssh),
    })
}

/// Decodes the first key line of `authorized_keys` text (options before the key allowed).
pub(crate) fn parse_public(text: &str) -> Result<ParsedSshKey, CertError> {
    const WHAT: &str = "OpenSSH public key";
    let entry = ssh_key::AuthorizedKeys::new(text)
        .next()
        .ok_or(CertError::UnrecognizedFormat)?
        .map_err(|e| map_decode_error(&e, WHAT))?;
    let summary = summarize(entry.public_key(), false, false)?;
    Ok(ParsedSshKey {
        summary,
        private_openssh: None,
    })
}

/// Algorithm, size, `authorized_keys` line and SHA-256 fingerprint of `key`.
pub(crate) fn summarize(
    key: &PublicKey,
    private: bool,
    encrypted: bool,
) -> Result<SshKeySummary, CertError> {
    let (algorithm, bits) = match key.key_data() {
        KeyData::Ed25519(_) => (SshAlgorithm::Ed25519, 256),
        KeyData::Rsa(rsa) => (SshAlgorithm::Rsa, rsa.key_size()),
        KeyData::Ecdsa(ec) => (SshAlgorithm::Ecdsa, curve_bits(ec.curve())),
        KeyData::SkEd25519(_) => (SshAlgorithm::SkEd25519, 256),
        KeyData::SkEcdsaSha2NistP256(_) => (SshAlgorithm::SkEcdsa, 256),
        _ => return Err(CertError::unsupported(key.algorithm().as_str())),
    };
    let public_key = key
        .to_openssh()
        .map_err(|e| map_decode_error(&e, "OpenSSH public key"))?;
    Ok(SshKeySummary {
        algorithm,
        bits,
        public_key,
        fingerprint_sha256: key.fingerprint(HashAlg::Sha256).to_string(),
        private,
        encrypted,
    })
}

/// Size in bits of an ECDSA curve.
pub(crate) fn curve_bits(curve: EcdsaCurve) -> u32 {
    match curve {
        EcdsaCurve::NistP256 => 256,
        EcdsaCurve::NistP384 => 384,
        EcdsaCurve::NistP521 => 521,
    }
}

pub(crate) fn map_decode_error(error: &ssh_key::Error, what: &'static str) -> CertError {
    match error {
        ssh_key::Error::AlgorithmUnknown => CertError::unsupported("unknown SSH key algorithm"),
        ssh_key::Error::AlgorithmUnsupported { algorithm } => {
            CertError::unsupported(algorithm.as_str())
        }
        ssh_key::Error::Encoding(ssh_key::encoding::Error::Length) => CertError::Truncated { what },
        _ => CertError::MalformedSshKey { what },
    }
}
