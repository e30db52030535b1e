//! Warnings about certificates, chains and keys.

use crate::certificate::ParsedCertificate;
use crate::rfc3339::format;
use crate::{InspectOptions, KeyAlgorithm, Warning, WarningCode};

/// RSA keys shorter than this raise `weak_key`.
const MIN_RSA_BITS: u32 = 2048;

/// Validity, key strength and signature warnings for one certificate.
pub(crate) fn certificate_warnings(
    cert: &ParsedCertificate,
    options: &InspectOptions,
    out: &mut Vec<Warning>,
) {
    let s = &cert.summary;
    let name = display_name(cert);
    if options.now > s.not_after {
        out.push(Warning::new(
            WarningCode::Expired,
            format!("certificate {name} expired on {}", format(s.not_after)),
        ));
    } else if s.not_after - options.now <= options.expiry_warning {
        out.push(Warning::new(
            WarningCode::ExpiresSoon,
            format!("certificate {name} expires on {}", format(s.not_after)),
        ));
    }
    if options.now < s.not_before {
        out.push(Warning::new(
            WarningCode::NotYetValid,
            format!(
                "certificate {name} is not valid before {}",
                format(s.not_before)
            ),
        ));
    }
    if !s.key_algorithm.is_usable() {
        out.push(Warning::new(
            WarningCode::UnusableKey,
            format!(
                "certificate {name} has a key of type {}, which Coffer cannot use for \
                 mutual TLS; it is stored and its expiry tracked",
                key_name(s.key_algorithm)
            ),
        ));
    }
    if s.key_algorithm == KeyAlgorithm::Rsa && s.key_bits < MIN_RSA_BITS {
        out.push(weak_rsa(&format!("certificate {name}"), s.key_bits));
    }
    // A root's own signature is never checked by verifiers, so SHA-1 there is harmless.
    if cert.sha1_signed && !s.self_signed {
        out.push(Warning::new(
            WarningCode::Sha1Signature,
            format!(
                "certificate {name} is signed with SHA-1 ({})",
                s.signature_algorithm
            ),
        ));
    }
}

/// Warnings about the chain as a whole; `chain` is leaf first.
pub(crate) fn chain_warnings(chain: &[&ParsedCertificate], out: &mut Vec<Warning>) {
    let (Some(leaf), Some(top)) = (chain.first(), chain.last()) else {
        return;
    };
    if leaf.summary.self_signed && !leaf.summary.is_ca {
        out.push(Warning::new(
            WarningCode::SelfSignedLeaf,
            format!("certificate {} is self-signed", display_name(leaf)),
        ));
    }
    if !top.summary.self_signed {
        out.push(Warning::new(
            WarningCode::IncompleteChain,
            format!(
                "the chain stops at {}: its issuer {} is not included",
                display_name(top),
                top.summary.issuer
            ),
        ));
    }
    for ca in chain.iter().skip(1) {
        if ca.summary.not_after < leaf.summary.not_after {
            out.push(Warning::new(
                WarningCode::ChainExpiresBeforeLeaf,
                format!(
                    "CA certificate {} expires on {}, before the leaf ({})",
                    display_name(ca),
                    format(ca.summary.not_after),
                    format(leaf.summary.not_after)
                ),
            ));
        }
    }
}

/// `weak_key` for an RSA key of `bits` described by `what`.
pub(crate) fn weak_rsa(what: &str, bits: u32) -> Warning {
    Warning::new(
        WarningCode::WeakKey,
        format!("{what} has a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are needed"),
    )
}

/// Whether an RSA key of `bits` is weak.
pub(crate) fn is_weak_rsa(bits: u32) -> bool {
    bits < MIN_RSA_BITS
}

/// `"CN"` in quotes, or the full subject when there is no common name.
pub(crate) fn display_name(cert: &ParsedCertificate) -> String {
    let s = &cert.summary;
    format!("\"{}\"", s.subject_cn.as_deref().unwrap_or(&s.subject))
}

/// A key algorithm as a person names it.
fn key_name(algorithm: KeyAlgorithm) -> &'static str {
    match algorithm {
        KeyAlgorithm::Rsa => "RSA",
        KeyAlgorithm::Ec => "EC",
        KeyAlgorithm::Ed25519 => "Ed25519",
        KeyAlgorithm::Ed448 => "Ed448",
        KeyAlgorithm::Dsa => "DSA",
        KeyAlgorithm::Dh => "Diffie-Hellman",
        KeyAlgorithm::Gost => "GOST R 34.10",
        KeyAlgorithm::X25519 => "X25519 (key agreement only)",
        KeyAlgorithm::X448 => "X448 (key agreement only)",
        KeyAlgorithm::MlDsa => "ML-DSA",
        KeyAlgorithm::MlKem => "ML-KEM",
        KeyAlgorithm::SlhDsa => "SLH-DSA",
        _ => "unknown (or EC with explicit curve parameters)",
    }
}
