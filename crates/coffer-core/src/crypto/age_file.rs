//! Files encrypted to a passphrase in the `age` format (scrypt recipient),
//! so that `age -d` opens what Coffer exports.

use std::io::{Read, Write};

use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// scrypt work factor (N = 2^18) of the files Coffer writes: age's own
/// default, about a second on a desktop.
pub(crate) const WORK_FACTOR: u8 = 18;

/// The largest work factor accepted when opening (N = 2^20, about 1 GiB of
/// scrypt memory): a hostile header cannot make opening take minutes.
pub(crate) const MAX_WORK_FACTOR: u8 = 20;

/// Encrypts `plain` to `passphrase`.
pub(crate) fn seal_with_passphrase(plain: &[u8], passphrase: &SecretString) -> Result<Vec<u8>> {
    seal_with_work_factor(plain, passphrase, WORK_FACTOR)
}

pub(crate) fn seal_with_work_factor(
    plain: &[u8],
    passphrase: &SecretString,
    log_n: u8,
) -> Result<Vec<u8>> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(log_n);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| Error::Internal(format!("preparing the age file: {e}")))?;
    let mut out = Vec::with_capacity(plain.len() + 1024);
    let failed = |e: std::io::Error| Error::Internal(format!("encrypting the age file: {e}"));
    let mut writer = encryptor.wrap_output(&mut out).map_err(failed)?;
    writer.write_all(plain).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

/// Decrypts an age file made for a passphrase. A wrong passphrase is
/// [`Error::WrongFilePassphrase`]; a file that is not age, is cut short or
/// was altered is [`Error::Unreadable`] naming `what`.
pub(crate) fn open_with_passphrase(
    bytes: &[u8],
    passphrase: &SecretString,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    use age::DecryptError as D;
    let unreadable = |reason: String| Error::Unreadable {
        what: what.to_owned(),
        reason,
    };
    let map = |e: D| match e {
        D::DecryptionFailed => unreadable("it was cut short or altered".into()),
        D::ExcessiveWork { required, .. } => unreadable(format!(
            "its scrypt work factor 2^{required} is above the accepted 2^{MAX_WORK_FACTOR}"
        )),
        D::InvalidHeader | D::UnknownFormat => {
            unreadable("it is not an age file made for a passphrase".into())
        }
        D::InvalidMac => unreadable("its header was altered".into()),
        D::KeyDecryptionFailed => Error::WrongFilePassphrase {
            what: what.to_owned(),
        },
        D::NoMatchingKeys => {
            unreadable("it is encrypted to age recipients, not to a passphrase".into())
        }
        D::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            unreadable("it is truncated".into())
        }
        D::Io(e) => unreadable(format!("reading it failed: {e}")),
        _ => unreadable("it is not an age file Coffer can open".into()),
    };
    let decryptor = age::Decryptor::new_buffered(bytes).map_err(map)?;
    if !decryptor.is_scrypt() {
        return Err(unreadable(
            "it is encrypted to age recipients, not to a passphrase".into(),
        ));
    }
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    // At this stage a failed decryption is the passphrase's: scrypt of the
    // wrong one does not open the file key.
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            D::DecryptionFailed => Error::WrongFilePassphrase {
                what: what.to_owned(),
            },
            other => map(other),
        })?;
    let mut out = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            unreadable("it is truncated".into())
        } else {
            unreadable("it was cut short or altered".into())
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(text: &str) -> SecretString {
        SecretString::from(text)
    }

    #[test]
    fn round_trip_and_refusals() {
        let sealed = seal_with_work_factor(b"hello export", &pass("correct horse"), 10).unwrap();
        let opened = open_with_passphrase(&sealed, &pass("correct horse"), "f").unwrap();
        assert_eq!(&opened[..], b"hello export");
        let wrong = open_with_passphrase(&sealed, &pass("wrong horse"), "f").unwrap_err();
        assert_eq!(wrong.code().as_str(), "wrong_passphrase");
        let cut = open_with_passphrase(&sealed[..sealed.len() - 5], &pass("correct horse"), "f")
            .unwrap_err();
        assert_eq!(cut.code().as_str(), "corrupt", "{cut}");
        let mut flipped = sealed.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        let altered = open_with_passphrase(&flipped, &pass("correct horse"), "f").unwrap_err();
        assert_eq!(altered.code().as_str(), "corrupt", "{altered}");
        let junk = open_with_passphrase(b"not an age file", &pass("x"), "f").unwrap_err();
        assert_eq!(junk.code().as_str(), "corrupt");
    }

    #[test]
    fn excessive_work_factor_is_refused_before_any_work() {
        let sealed = seal_with_work_factor(b"x", &pass("pw pw pw pw"), 10).unwrap();
        // Rewrite the scrypt stanza's work factor to 2^40 in the header.
        let text = String::from_utf8_lossy(&sealed).into_owned();
        let start = text.find("-> scrypt ").unwrap();
        let line_end = start + text[start..].find('\n').unwrap();
        let mut hostile = sealed[..line_end - 2].to_vec();
        hostile.extend_from_slice(b"40");
        hostile.extend_from_slice(&sealed[line_end..]);
        let started = std::time::Instant::now();
        let err = open_with_passphrase(&hostile, &pass("pw pw pw pw"), "f").unwrap_err();
        assert_eq!(err.code().as_str(), "corrupt", "{err}");
        assert!(err.to_string().contains("work factor"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
