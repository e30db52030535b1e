//! AES-256-GCM with a fresh random 96-bit nonce per encryption.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use zeroize::Zeroizing;

use super::random_array;
use crate::error::{Error, Result};

/// Nonce length in bytes.
pub(crate) const NONCE_LEN: usize = 12;

/// A ciphertext with its nonce; the tag is appended to the ciphertext.
#[derive(Debug, Clone)]
pub(crate) struct Sealed {
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
}

fn cipher(key: &[u8; 32]) -> Result<Aes256Gcm> {
    Aes256Gcm::new_from_slice(key).map_err(|_| Error::Internal("AES key length".into()))
}

/// Encrypts `plaintext` under `key`, authenticating `aad`.
pub(crate) fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Sealed> {
    let nonce: [u8; NONCE_LEN] = random_array()?;
    let mut buffer = Vec::with_capacity(plaintext.len() + 16);
    buffer.extend_from_slice(plaintext);
    cipher(key)?
        .encrypt_in_place(&Nonce::from(nonce), aad, &mut buffer)
        .map_err(|_| Error::Internal("AES-GCM encryption failed".into()))?;
    Ok(Sealed {
        nonce,
        ciphertext: buffer,
    })
}

/// Decrypts and authenticates; any change to key, nonce, data or `aad` fails
/// with [`Error::Tampered`] naming `what`, and nothing partial is returned.
pub(crate) fn open(
    key: &[u8; 32],
    aad: &[u8],
    nonce: &[u8],
    ciphertext: &[u8],
    what: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let tampered = || Error::Tampered {
        what: what.to_owned(),
    };
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| tampered())?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher(key)?
        .decrypt_in_place(&Nonce::from(nonce), aad, &mut *buffer)
        .map_err(|_| tampered())?;
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = [7u8; 32];
        let sealed = seal(&key, b"aad", b"hello").unwrap();
        assert_eq!(
            &*open(&key, b"aad", &sealed.nonce, &sealed.ciphertext, "x").unwrap(),
            b"hello"
        );
        assert!(open(&key, b"aad2", &sealed.nonce, &sealed.ciphertext, "x").is_err());
        assert!(open(&[8; 32], b"aad", &sealed.nonce, &sealed.ciphertext, "x").is_err());
        let mut ct = sealed.ciphertext.clone();
        ct[0] ^= 1;
        assert!(open(&key, b"aad", &sealed.nonce, &ct, "x").is_err());
        assert!(open(&key, b"aad", &sealed.nonce[..11], &sealed.ciphertext, "x").is_err());
        let again = seal(&key, b"aad", b"hello").unwrap();
        assert_ne!(again.nonce, sealed.nonce, "nonces are fresh");
    }

    /// NIST GCM test vector (gcmEncryptExtIV256.rsp, Count = 0 with 128-bit PT and AAD).
    #[test]
    fn known_answer() {
        let key: [u8; 32] =
            hex::decode("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b")
                .unwrap()
                .try_into()
                .unwrap();
        let nonce = hex::decode("ac93a1a6145299bde902f21a").unwrap();
        let plaintext = hex::decode("2d71bcfa914e4ac045b2aa60955fad24").unwrap();
        let aad = hex::decode("1e0889016f67601c8ebea4943bc23ad6").unwrap();
        let expected = "8995ae2e6df3dbf96fac7b7137bae67feca5aa77d51d4a0a14d9c51e1da474ab";
        let nonce_arr: [u8; 12] = nonce.clone().try_into().unwrap();
        let mut buffer = plaintext.clone();
        cipher(&key)
            .unwrap()
            .encrypt_in_place(&Nonce::from(nonce_arr), &aad, &mut buffer)
            .unwrap();
        assert_eq!(hex::encode(&buffer), expected);
        assert_eq!(
            &*open(&key, &aad, &nonce, &buffer, "kat").unwrap(),
            &plaintext[..]
        );
    }
}
