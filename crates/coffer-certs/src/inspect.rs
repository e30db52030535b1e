//! The entry points: turning inputs into an [`Inspection`].

use der::pem::LineEnding;

use crate::chain::order_chain;
use crate::decode::{Contents, decode_input};
use crate::warnings::{certificate_warnings, chain_warnings, display_name, is_weak_rsa, weak_rsa};
use crate::{
    CertError, InspectOptions, Inspection, InspectionReport, KeyAlgorithm, Material, SshAlgorithm,
    SshKeySummary, Warning, WarningCode,
};

/// One input with the password that opens it, if any.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    /// The bytes as pasted or dropped.
    pub bytes: &'a [u8],
    /// The password of an encrypted key or PKCS#12 file; used once, never kept.
    pub password: Option<&'a [u8]>,
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("password", &self.password.map(|_| "<redacted>"))
            .finish()
    }
}

/// Inspects one input of any supported format: certificates, a chain, keys, a PKCS#12 file
/// or an SSH key, detected from the content.
///
/// # Errors
/// See [`CertError`]; every failure has a stable code and no panic is possible.
pub fn inspect(
    input: &[u8],
    password: Option<&[u8]>,
    options: &InspectOptions,
) -> Result<Inspection, CertError> {
    let contents = decode_input(input, password, options)?;
    assemble(contents, options, Mode::Chain)
}

/// Inspects a certificate chain and a private key given as two inputs, reporting whether
/// the key matches the leaf as if they had come in one input.
///
/// # Errors
/// As [`inspect`], for whichever input fails first.
pub fn inspect_parts(
    certificates: Source<'_>,
    key: Source<'_>,
    options: &InspectOptions,
) -> Result<Inspection, CertError> {
    let mut contents = decode_input(certificates.bytes, certificates.password, options)?;
    contents.merge(decode_input(key.bytes, key.password, options)?);
    assemble(contents, options, Mode::Chain)
}

/// Inspects a CA bundle: every certificate in input order, no chain building, and a
/// `not_a_ca` warning for certificates that are not CAs.
///
/// # Errors
/// As [`inspect`]; `unexpected_private_key` if the bundle holds a private key,
/// `unrecognized_format` if it holds no certificate.
pub fn inspect_ca_bundle(input: &[u8], options: &InspectOptions) -> Result<Inspection, CertError> {
    let contents = decode_input(input, None, options)?;
    if !contents.keys.is_empty() || contents.ssh.as_ref().is_some_and(|s| s.summary.private) {
        return Err(CertError::UnexpectedPrivateKey);
    }
    if contents.certificates.is_empty() {
        return Err(CertError::UnrecognizedFormat);
    }
    assemble(contents, options, Mode::Bundle)
}

/// The public half of an SSH key (private or public, any supported encoding), for "get
/// public key" on a stored private key.
///
/// # Errors
/// As [`inspect`]; `unrecognized_format` if the input holds no SSH key.
pub fn ssh_public_key(
    key: &[u8],
    passphrase: Option<&[u8]>,
    options: &InspectOptions,
) -> Result<SshKeySummary, CertError> {
    decode_input(key, passphrase, options)?
        .ssh
        .map(|s| s.summary)
        .ok_or(CertError::UnrecognizedFormat)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Chain,
    Bundle,
}

fn assemble(
    contents: Contents,
    options: &InspectOptions,
    mode: Mode,
) -> Result<Inspection, CertError> {
    let Contents {
        certificates,
        mut keys,
        ssh,
        warnings: skipped,
    } = contents;
    let mut warnings = skipped;

    // With several keys, prefer one that belongs to a certificate; the first otherwise.
    let matched = keys.iter().enumerate().find_map(|(k, key)| {
        certificates
            .iter()
            .position(|c| c.public_key == key.public)
            .map(|c| (k, c))
    });
    if keys.len() > 1 {
        warnings.push(Warning::new(
            WarningCode::ExtraPrivateKey,
            format!(
                "the input holds {} private keys; only one is kept",
                keys.len()
            ),
        ));
    }
    let key = match matched {
        Some((k, _)) => Some(keys.swap_remove(k)),
        None if keys.is_empty() => None,
        None => Some(keys.swap_remove(0)),
    };

    let (order, chain_len) = match mode {
        Mode::Chain => order_chain(&certificates, matched.map(|(_, c)| c)),
        Mode::Bundle => ((0..certificates.len()).collect(), 0),
    };
    let ordered: Vec<_> = order.iter().map(|&i| &certificates[i]).collect();
    for cert in &ordered {
        certificate_warnings(cert, options, &mut warnings);
        if mode == Mode::Bundle && !cert.summary.is_ca {
            warnings.push(Warning::new(
                WarningCode::NotACa,
                format!(
                    "certificate {} in the CA bundle is not a CA",
                    display_name(cert)
                ),
            ));
        }
    }
    chain_warnings(&ordered[..chain_len], &mut warnings);

    let leaf = ordered.first().filter(|_| mode == Mode::Chain);
    let key_matches_leaf = match (&key, leaf) {
        (Some(key), Some(leaf)) => Some(leaf.public_key == key.public),
        _ => None,
    };
    if let (Some(false), Some(leaf)) = (key_matches_leaf, leaf) {
        warnings.push(Warning::new(
            WarningCode::KeyMismatch,
            format!(
                "the private key does not belong to certificate {}",
                display_name(leaf)
            ),
        ));
    }
    if let Some(key) = &key {
        let s = &key.summary;
        if s.algorithm == KeyAlgorithm::Rsa && is_weak_rsa(s.bits) && key_matches_leaf != Some(true)
        {
            warnings.push(weak_rsa("the private key", s.bits));
        }
    }
    if let Some(ssh) = &ssh
        && ssh.summary.algorithm == SshAlgorithm::Rsa
        && is_weak_rsa(ssh.summary.bits)
    {
        warnings.push(weak_rsa("the SSH key", ssh.summary.bits));
    }

    let chain_pem = if ordered.is_empty() {
        None
    } else {
        let mut pem = String::new();
        for cert in &ordered {
            pem.push_str(
                &der::pem::encode_string("CERTIFICATE", LineEnding::LF, &cert.der).map_err(
                    |_| CertError::MalformedDer {
                        what: "certificate",
                    },
                )?,
            );
        }
        Some(pem)
    };
    let material = Material {
        chain_pem,
        private_key_pem: key.as_ref().map(|k| k.to_pem()).transpose()?,
        ssh_private_key: ssh.as_ref().and_then(|s| s.private_openssh.clone()),
        ssh_public_key: ssh.as_ref().map(|s| s.summary.public_key.clone()),
    };
    let report = InspectionReport {
        earliest_expiry: ordered.iter().map(|c| c.summary.not_after).min(),
        certificates: ordered.iter().map(|c| c.summary.clone()).collect(),
        private_key: key.map(|k| k.summary),
        key_matches_leaf,
        ssh: ssh.map(|s| s.summary),
        warnings,
    };
    Ok(Inspection { report, material })
}
