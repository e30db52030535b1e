//! The error type of the crate and its stable codes.

/// Why an input could not be inspected.
///
/// Messages name the structure that failed and never contain input bytes, key material or
/// passwords. Branch on [`CertError::code`], never on the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The input is empty or only whitespace.
    #[error("the input is empty")]
    Empty,
    /// The input is larger than [`crate::InspectOptions::max_input_bytes`].
    #[error("the input is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The input is neither PEM, DER, PKCS#12 nor an OpenSSH key.
    #[error("the input is not a certificate, key, PKCS#12 file or SSH key")]
    UnrecognizedFormat,
    /// A PEM block is broken (bad base64, missing or mismatched armour).
    #[error("malformed PEM: {reason}")]
    MalformedPem {
        /// What is wrong with the PEM text.
        reason: &'static str,
    },
    /// A DER structure does not decode.
    #[error("malformed {what}")]
    MalformedDer {
        /// The structure that failed to decode.
        what: &'static str,
    },
    /// The input ends before a structure that it started.
    #[error("truncated {what}")]
    Truncated {
        /// The structure that was cut short.
        what: &'static str,
    },
    /// An OpenSSH key does not decode.
    #[error("malformed {what}")]
    MalformedSshKey {
        /// The key that failed to decode.
        what: &'static str,
    },
    /// The input is encrypted and no password was given.
    #[error("{what} is encrypted and needs a password")]
    PasswordRequired {
        /// What is encrypted.
        what: &'static str,
    },
    /// The password does not decrypt the input.
    #[error("wrong password for {what}")]
    WrongPassword {
        /// What failed to decrypt.
        what: &'static str,
    },
    /// The input is recognized but holds nothing Coffer stores: a certificate signing
    /// request, a CRL, a bare public key, parameters, an SSH certificate, `known_hosts`.
    #[error("this is {what}; {advice}")]
    NothingToStore {
        /// What the input is, e.g. "a certificate signing request (CSR)".
        what: &'static str,
        /// What it holds and what to give Coffer instead.
        advice: &'static str,
    },
    /// A private key whose parts disagree (curve, public point, RSA factors): damaged or
    /// edited, and refused as OpenSSL's `pkey -check` refuses it.
    #[error("the {what} is inconsistent: {reason}; export the key again from its source")]
    InconsistentKey {
        /// The key concerned.
        what: &'static str,
        /// Which parts disagree.
        reason: &'static str,
    },
    /// The input uses an algorithm this crate does not handle.
    #[error("unsupported algorithm: {algorithm}")]
    UnsupportedAlgorithm {
        /// Name or object identifier of the algorithm.
        algorithm: String,
    },
    /// A key-derivation parameter asks for more work than the configured limit.
    #[error("{parameter} is {value}, more than the limit of {limit}")]
    TooCostly {
        /// The parameter, e.g. "PBKDF2 iteration count".
        parameter: &'static str,
        /// The value found in the input.
        value: u64,
        /// The configured limit.
        limit: u64,
    },
    /// A CA bundle contains a private key.
    #[error("a CA bundle must not contain a private key")]
    UnexpectedPrivateKey,
    /// An SSH key comment contains a line break or control character.
    #[error("an SSH key comment must be a single line of printable text")]
    InvalidComment,
    /// Generating or encoding a key failed.
    #[error("key generation failed: {reason}")]
    KeyGeneration {
        /// What failed.
        reason: &'static str,
    },
}

impl CertError {
    /// The stable code of this error, for the UI and the CLI to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::UnrecognizedFormat => "unrecognized_format",
            Self::MalformedPem { .. } => "malformed_pem",
            Self::MalformedDer { .. } => "malformed_der",
            Self::Truncated { .. } => "truncated",
            Self::MalformedSshKey { .. } => "malformed_ssh_key",
            Self::PasswordRequired { .. } => "password_required",
            Self::WrongPassword { .. } => "wrong_password",
            Self::NothingToStore { .. } => "nothing_to_store",
            Self::InconsistentKey { .. } => "inconsistent_key",
            Self::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Self::TooCostly { .. } => "too_costly",
            Self::UnexpectedPrivateKey => "unexpected_private_key",
            Self::InvalidComment => "invalid_comment",
            Self::KeyGeneration { .. } => "key_generation",
        }
    }

    /// Maps a DER decoding error onto `truncated` or `malformed_der` for `what`.
    pub(crate) fn from_der(error: &der::Error, what: &'static str) -> Self {
        match error.kind() {
            der::ErrorKind::Incomplete { .. } => Self::Truncated { what },
            _ => Self::MalformedDer { what },
        }
    }

    /// An unsupported algorithm named by its object identifier.
    pub(crate) fn unsupported_oid(oid: &der::asn1::ObjectIdentifier) -> Self {
        Self::UnsupportedAlgorithm {
            algorithm: oid.to_string(),
        }
    }

    /// A private key of an algorithm Coffer does not keep, named in words when known.
    pub(crate) fn unsupported_key(oid: &der::asn1::ObjectIdentifier) -> Self {
        let name = crate::public_key::unusable_algorithm(oid)
            .map_or_else(|| format!("algorithm {oid}"), |u| u.name.to_owned());
        Self::UnsupportedAlgorithm {
            algorithm: format!(
                "{name} private key; Coffer keeps RSA, EC (P-256, P-384, P-521) and Ed25519 \
                 keys: issue one of those instead"
            ),
        }
    }

    /// A legacy password-based encryption, named, with how to re-encrypt the file.
    pub(crate) fn legacy_encryption(name: &str, what: &str) -> Self {
        let advice = if what.starts_with("PKCS#12") {
            "export it again with AES (`openssl pkcs12 -export` without -legacy)"
        } else {
            "re-encrypt it: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW`"
        };
        Self::UnsupportedAlgorithm {
            algorithm: format!("{name}, a legacy encryption of the {what}; {advice}"),
        }
    }

    /// An unsupported algorithm named in words.
    pub(crate) fn unsupported(name: &str) -> Self {
        Self::UnsupportedAlgorithm {
            algorithm: name.to_owned(),
        }
    }
}
