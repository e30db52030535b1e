//! PuTTY private keys (`.ppk` versions 2 and 3, plain or AES-256-CBC encrypted), what
//! administrators on Windows have, normalized to an OpenSSH private key.

use ssh_key::{LineEnding, PrivateKey};
use zeroize::Zeroizing;

use crate::CertError;
use crate::budget::WorkBudget;
use crate::ssh::{ParsedSshKey, map_decode_error, summarize};

const WHAT: &str = "PuTTY private key";
const HEADER: &str = "PuTTY-User-Key-File-";

/// Whether `input` starts like a PuTTY key file.
pub(crate) fn looks_like_ppk(input: &[u8]) -> bool {
    input.trim_ascii_start().starts_with(HEADER.as_bytes())
}

/// The header values that decide how the file is opened, read before any work.
struct Header<'a> {
    version: &'a str,
    encryption: &'a str,
    kdf: Option<&'a str>,
    memory_kib: u64,
    passes: u64,
    parallelism: u64,
}

fn read_header(text: &str) -> Result<Header<'_>, CertError> {
    let malformed = CertError::MalformedSshKey { what: WHAT };
    let first = text.lines().next().ok_or(malformed.clone())?;
    let version = first
        .strip_prefix(HEADER)
        .and_then(|rest| rest.split_once(':'))
        .map(|(v, _)| v)
        .ok_or(malformed.clone())?;
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
            .map(str::trim)
    };
    let number = |key: &str| -> Result<u64, CertError> {
        value(key).map_or(Ok(0), |v| v.parse().map_err(|_| malformed.clone()))
    };
    Ok(Header {
        version,
        encryption: value("Encryption").unwrap_or("none"),
        kdf: value("Key-Derivation"),
        memory_kib: number("Argon2-Memory")?,
        passes: number("Argon2-Passes")?,
        parallelism: number("Argon2-Parallelism")?,
    })
}

/// Decodes a PuTTY key file, decrypting it with `password` when it is encrypted.
pub(crate) fn parse_ppk(
    input: &[u8],
    password: Option<&[u8]>,
    work: &WorkBudget,
) -> Result<ParsedSshKey, CertError> {
    let text = std::str::from_utf8(input).map_err(|_| CertError::MalformedSshKey { what: WHAT })?;
    let text = text.trim_start();
    let header = read_header(text)?;
    if header.version != "2" && header.version != "3" {
        return Err(CertError::unsupported(
            "PuTTY key file format other than 2 or 3; save it again with PuTTYgen 0.75 or later",
        ));
    }
    let encrypted = match header.encryption {
        "none" => false,
        "aes256-cbc" => true,
        _ => {
            return Err(CertError::unsupported(
                "PuTTY key encryption other than aes256-cbc; save it again with PuTTYgen",
            ));
        }
    };
    let passphrase = if encrypted {
        let password = password.ok_or(CertError::PasswordRequired { what: WHAT })?;
        if header.version == "3" {
            if !matches!(header.kdf, Some("Argon2id" | "Argon2i" | "Argon2d")) {
                return Err(CertError::MalformedSshKey { what: WHAT });
            }
            work.charge(
                "Argon2 memory (KiB) × passes",
                header.memory_kib.saturating_mul(header.passes),
                work.limits.max_argon2_work,
            )?;
            crate::budget::check(
                "Argon2 memory (KiB)",
                header.memory_kib,
                work.limits.max_argon2_memory_kib,
            )?;
            crate::budget::check("Argon2 parallelism", header.parallelism, 16)?;
        }
        // PuTTY passphrases are text; bytes that are not UTF-8 cannot be one.
        Some(
            std::str::from_utf8(password)
                .map_err(|_| CertError::WrongPassword { what: WHAT })?
                .to_owned(),
        )
    } else {
        None
    };
    let key = PrivateKey::from_ppk(text, passphrase).map_err(|e| match &e {
        ssh_key::Error::Ppk(inner) if inner.to_string() == "incorrect MAC" => {
            if encrypted {
                CertError::WrongPassword { what: WHAT }
            } else {
                CertError::MalformedSshKey {
                    what: "PuTTY private key (its MAC does not match: the file was altered)",
                }
            }
        }
        ssh_key::Error::Ppk(_) => CertError::MalformedSshKey { what: WHAT },
        other => map_decode_error(other, WHAT),
    })?;
    let summary = summarize(key.public_key(), true, encrypted)?;
    let openssh: Zeroizing<String> = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| map_decode_error(&e, WHAT))?;
    Ok(ParsedSshKey {
        summary,
        private_openssh: Some(openssh),
    })
}
