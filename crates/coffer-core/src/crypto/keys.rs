//! Key types. Key bytes live in zeroizing buffers and never print.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::random_array;
use crate::error::{Error, Result};

/// A 256-bit key.
pub(crate) type Key32 = Zeroizing<[u8; 32]>;

/// The vault master key.
pub(crate) struct MasterKey(Key32);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        Ok(Self(Zeroizing::new(random_array()?)))
    }

    /// From raw bytes (the keyring's copy, or an unwrapped key).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| Error::WrongKey {
            source_name: "the stored key (wrong length)",
        })?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A per-version data key.
pub(crate) struct DataKey(Key32);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        Ok(Self(Zeroizing::new(random_array()?)))
    }

    /// From unwrapped bytes.
    pub fn from_bytes(bytes: &[u8], what: &str) -> Result<Self> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| Error::Tampered {
            what: what.to_owned(),
        })?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// `HMAC-SHA256(key, label ‖ context)`: a key-check value that tells a wrong
/// key apart from damaged data without revealing anything about the key.
pub(crate) fn check_value(key: &[u8; 32], label: &str, context: &[&[u8]]) -> Result<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|_| Error::Internal("HMAC key length".into()))?;
    mac.update(label.as_bytes());
    for part in context {
        mac.update(&(part.len() as u32).to_be_bytes());
        mac.update(part);
    }
    Ok(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2 ("Jefe"), with our framing disabled by using the raw MAC.
    #[test]
    fn hmac_known_answer() {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn check_values_differ_by_key_and_context() {
        let cv = |k: u8, l: &str, c: &[&[u8]]| check_value(&[k; 32], l, c).unwrap();
        let a = cv(1, "l", &[b"x"]);
        assert_ne!(a, cv(2, "l", &[b"x"]));
        assert_ne!(a, cv(1, "l", &[b"y"]));
        assert_ne!(a, cv(1, "m", &[b"x"]));
        assert_ne!(cv(1, "l", &[b"ab", b"c"]), cv(1, "l", &[b"a", b"bc"]));
    }
}
