//! Generation of new OpenSSH key pairs with the operating system's random generator.

use std::fmt;

use ssh_key::getrandom::SysRng;
use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::rand_core::UnwrapErr;
use ssh_key::{Algorithm, EcdsaCurve, LineEnding, PrivateKey};
use zeroize::Zeroizing;

use crate::ssh::{map_decode_error, summarize};
use crate::{CertError, SshAlgorithm};

/// The kinds of SSH key that [`generate_ssh_key`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshKeyType {
    /// Ed25519 (recommended).
    Ed25519,
    /// RSA with a 3072- or 4096-bit modulus; other sizes are refused.
    Rsa {
        /// Modulus size: 3072 or 4096.
        bits: u32,
    },
    /// ECDSA on NIST P-256.
    EcdsaP256,
}

/// A freshly generated key pair. `Debug` never shows the private key.
pub struct GeneratedSshKey {
    /// The private key, unencrypted OpenSSH PEM (the vault encrypts it).
    pub private_key_openssh: Zeroizing<String>,
    /// The `authorized_keys` line, with the comment.
    pub public_key: String,
    /// `SHA256:` fingerprint as `ssh-keygen -l` prints it.
    pub fingerprint_sha256: String,
    /// Key algorithm.
    pub algorithm: SshAlgorithm,
    /// Key size in bits.
    pub bits: u32,
}

impl fmt::Debug for GeneratedSshKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedSshKey")
            .field("private_key_openssh", &"<redacted>")
            .field("public_key", &self.public_key)
            .field("fingerprint_sha256", &self.fingerprint_sha256)
            .field("algorithm", &self.algorithm)
            .field("bits", &self.bits)
            .finish()
    }
}

/// Generates a key pair of `kind` labelled with `comment` (one line of printable text).
///
/// # Errors
/// `invalid_comment` for a comment with control characters, `unsupported_algorithm` for an
/// RSA size other than 3072 or 4096, `key_generation` if encoding the new key fails.
///
/// # Panics
/// Only if the operating system's random generator fails, which key generators built on
/// `getrandom` treat as fatal; parsing never panics.
pub fn generate_ssh_key(kind: SshKeyType, comment: &str) -> Result<GeneratedSshKey, CertError> {
    if comment.chars().any(char::is_control) {
        return Err(CertError::InvalidComment);
    }
    let mut rng = UnwrapErr(SysRng);
    fn failed<E>(_: E) -> CertError {
        CertError::KeyGeneration {
            reason: "the key generator failed",
        }
    }
    let mut key = match kind {
        SshKeyType::Ed25519 => PrivateKey::random(&mut rng, Algorithm::Ed25519).map_err(failed)?,
        SshKeyType::EcdsaP256 => PrivateKey::random(
            &mut rng,
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256,
            },
        )
        .map_err(failed)?,
        SshKeyType::Rsa {
            bits: bits @ (3072 | 4096),
        } => {
            let bits = usize::try_from(bits).map_err(failed)?;
            let pair = RsaKeypair::random(&mut rng, bits).map_err(failed)?;
            PrivateKey::new(KeypairData::from(pair), comment).map_err(failed)?
        }
        SshKeyType::Rsa { .. } => {
            return Err(CertError::unsupported(
                "RSA key size (use 3072 or 4096 bits)",
            ));
        }
    };
    key.set_comment(comment);
    let summary = summarize(key.public_key(), true, false)?;
    let private_key_openssh = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| map_decode_error(&e, "generated key"))?;
    Ok(GeneratedSshKey {
        private_key_openssh,
        public_key: summary.public_key,
        fingerprint_sha256: summary.fingerprint_sha256,
        algorithm: summary.algorithm,
        bits: summary.bits,
    })
}
