//! Argon2id: the recovery passphrase and store passwords become keys.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::keys::{Key32, check_value};
use super::random_array;
use crate::error::{Error, Result};

/// Argon2id cost parameters, stored next to what they protect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The floor: 64 MiB and 3 passes. Nothing weaker is created or accepted.
    pub const MINIMUM: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };
    /// What new vaults use.
    pub const DEFAULT: Self = Self::MINIMUM;
    /// The ceiling for stored parameters: beyond it a file is refused rather
    /// than allowed to exhaust memory or hang the app.
    pub const MAXIMUM: Self = Self {
        memory_kib: 4 * 1024 * 1024,
        iterations: 64,
        parallelism: 16,
    };

    /// Refuses parameters below the floor or above the ceiling.
    pub fn check(&self) -> Result<()> {
        let (lo, hi) = (Self::MINIMUM, Self::MAXIMUM);
        let ok = (lo.memory_kib..=hi.memory_kib).contains(&self.memory_kib)
            && (lo.iterations..=hi.iterations).contains(&self.iterations)
            && (lo.parallelism..=hi.parallelism).contains(&self.parallelism)
            && self.memory_kib >= 8 * self.parallelism;
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "kdf",
                format!(
                    "Argon2id parameters m={} KiB, t={}, p={} are outside the accepted range \
                     (m {}..={} KiB, t {}..={}, p {}..={})",
                    self.memory_kib,
                    self.iterations,
                    self.parallelism,
                    lo.memory_kib,
                    hi.memory_kib,
                    lo.iterations,
                    hi.iterations,
                    lo.parallelism,
                    hi.parallelism
                ),
            ))
        }
    }
}

/// Derives a 256-bit key from `password` with Argon2id.
pub(crate) fn derive(password: &[u8], salt: &[u8], params: &KdfParams) -> Result<Key32> {
    params.check()?;
    let argon_params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|e| Error::invalid("kdf", format!("Argon2id parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params)
        .hash_password_into(password, salt, &mut *out)
        .map_err(|e| Error::Internal(format!("Argon2id failed: {e}")))?;
    Ok(out)
}

/// A password-derived key's stored parameters: the KDF settings, the salt,
/// and a check value that tells a wrong password apart from damaged data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PasswordLock {
    pub algorithm: String,
    pub version: u32,
    #[serde(flatten)]
    pub params: KdfParams,
    #[serde(with = "b64")]
    pub salt: Vec<u8>,
    #[serde(with = "b64")]
    pub check: Vec<u8>,
}

impl PasswordLock {
    /// Derives a key from `password` under a fresh salt.
    pub fn create(
        password: &[u8],
        params: KdfParams,
        label: &str,
        context: &[&[u8]],
    ) -> Result<(Self, Key32)> {
        let salt: [u8; 16] = random_array()?;
        let key = derive(password, &salt, &params)?;
        let check = check_value(&key, label, context)?;
        let lock = Self {
            algorithm: "argon2id".into(),
            version: 0x13,
            params,
            salt: salt.to_vec(),
            check: check.to_vec(),
        };
        Ok((lock, key))
    }

    /// Derives the key again; `None` when the password is wrong.
    pub fn open(&self, password: &[u8], label: &str, context: &[&[u8]]) -> Result<Option<Key32>> {
        if self.algorithm != "argon2id" || self.version != 0x13 {
            return Err(Error::invalid(
                "kdf",
                format!(
                    "unsupported key derivation {} v{}",
                    self.algorithm, self.version
                ),
            ));
        }
        if self.salt.len() < 16 || self.salt.len() > 64 {
            return Err(Error::invalid("kdf", "stored salt has an invalid length"));
        }
        let key = derive(password, &self.salt, &self.params)?;
        let check = check_value(&key, label, context)?;
        Ok(bool::from(check.ct_eq(&self.check[..])).then_some(key))
    }
}

/// Serde helpers for bytes as base64 text.
pub(crate) mod b64 {
    use super::B64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        B64.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_weak_and_absurd_parameters() {
        assert!(KdfParams::DEFAULT.check().is_ok());
        let weak = KdfParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        };
        assert!(weak.check().is_err());
        let huge = KdfParams {
            memory_kib: u32::MAX,
            iterations: 3,
            parallelism: 1,
        };
        assert!(huge.check().is_err());
        let slow = KdfParams {
            memory_kib: 65536,
            iterations: 1_000_000,
            parallelism: 1,
        };
        assert!(slow.check().is_err());
        assert!(derive(b"pw", b"saltsaltsaltsalt", &huge).is_err());
    }

    #[test]
    fn lock_tells_wrong_password() {
        let (lock, key) = PasswordLock::create(b"right", KdfParams::DEFAULT, "t", &[b"c"]).unwrap();
        assert_eq!(*lock.open(b"right", "t", &[b"c"]).unwrap().unwrap(), *key);
        assert!(lock.open(b"wrong", "t", &[b"c"]).unwrap().is_none());
        let json = serde_json::to_string(&lock).unwrap();
        assert!(json.contains("\"memory_kib\":65536"), "{json}");
        let back: PasswordLock = serde_json::from_str(&json).unwrap();
        assert!(back.open(b"right", "t", &[b"c"]).unwrap().is_some());
    }

    /// Argon2id reference vector from RFC 9106 §5.3 checks the primitive itself.
    #[test]
    fn argon2id_known_answer() {
        let params = argon2::ParamsBuilder::new()
            .m_cost(32)
            .t_cost(3)
            .p_cost(4)
            .data(argon2::AssociatedData::new(&[4; 12]).unwrap())
            .output_len(32)
            .build()
            .unwrap();
        let argon =
            Argon2::new_with_secret(&[3; 8], Algorithm::Argon2id, Version::V0x13, params).unwrap();
        let mut out = [0u8; 32];
        argon
            .hash_password_into(&[1; 32], &[2; 16], &mut out)
            .unwrap();
        assert_eq!(
            hex::encode(out),
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
        );
    }
}
