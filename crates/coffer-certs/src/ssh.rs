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
        // Only a failed check of the decrypted bytes means a wrong password; anything
        // else (a cipher or KDF this build lacks, a broken file) must not send the user
        // retrying passwords.
        key.decrypt(password).map_err(|e| match e {
            ssh_key::Error::Crypto => CertError::WrongPassword { what: PRIVATE },
            ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. } => {
                CertError::unsupported(&format!(
                    "OpenSSH key encryption {}; re-encrypt it: `ssh-keygen -p -f KEY`",
                    key.cipher().as_str()
                ))
            }
            other => map_decode_error(&other, PRIVATE),
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
    if let Some(refusal) = not_a_key_line(text) {
        return Err(refusal);
    }
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

/// SSH certificates and `known_hosts` files: public text that is not a key to store.
fn not_a_key_line(text: &str) -> Option<CertError> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let is_key_type = |w: &str| {
        ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"]
            .iter()
            .any(|p| w.starts_with(p))
    };
    if words
        .iter()
        .any(|w| is_key_type(w) && w.contains("-cert-v01@openssh.com"))
    {
        return Some(CertError::NothingToStore {
            what: "an SSH certificate (-cert.pub)",
            advice: "it holds a public key signed by an SSH CA, not the private key; \
                     store the private key as an SSH key pair",
        });
    }
    let first = words.first()?;
    let known_hosts = first.starts_with("|1|")
        || first.starts_with('@')
        || (!is_key_type(first)
            && words.get(1).is_some_and(|w| is_key_type(w))
            && !first.contains('=')
            && !AUTHORIZED_KEYS_FLAGS
                .iter()
                .any(|f| first.split(',').any(|o| o.eq_ignore_ascii_case(f))));
    known_hosts.then_some(CertError::NothingToStore {
        what: "a known_hosts file",
        advice: "it lists the public keys of servers you connect to; store your own key \
                 pair (its private key) instead",
    })
}

/// `authorized_keys` options without a value, which may come before the key type.
const AUTHORIZED_KEYS_FLAGS: &[&str] = &[
    "agent-forwarding",
    "cert-authority",
    "no-agent-forwarding",
    "no-port-forwarding",
    "no-pty",
    "no-user-rc",
    "no-x11-forwarding",
    "port-forwarding",
    "pty",
    "no-touch-required",
    "verify-required",
    "restrict",
    "user-rc",
    "x11-forwarding",
];

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
        KeyData::Dsa(_) => {
            return Err(CertError::unsupported(
                "ssh-dss (DSA) SSH key; OpenSSH no longer accepts DSA keys: generate an \
                 Ed25519 key with `ssh-keygen -t ed25519`",
            ));
        }
        _ => {
            return Err(CertError::unsupported(&format!(
                "SSH key type {}; Coffer keeps Ed25519, RSA and ECDSA keys",
                key.algorithm().as_str()
            )));
        }
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
