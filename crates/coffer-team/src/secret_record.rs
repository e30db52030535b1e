//! The plaintext of a shared secret's revision before sealing: the metadata
//! record (name, type, description, labels, expiry, write-only, public
//! fields) as JSON, and the value as the core's named fields
//! (`SecretData::fields`, rebuilt and validated by `SecretData::from_fields`),
//! length-prefixed in a zeroizing buffer.

use std::collections::BTreeMap;

use aes_gcm::KeyInit;
use coffer_core::Timestamp;
use coffer_core::secret::{FieldInputs, Intake, SecretBytes, SecretData, SecretType};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The sealed metadata record of one revision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub labels: BTreeMap<String, String>,
    pub expires_at: Option<i64>,
    pub write_only: bool,
    pub public_fields: serde_json::Value,
    /// The value version a restore took the value from (absent otherwise,
    /// so that other records encode as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_from: Option<i32>,
}

impl Meta {
    pub(crate) fn encode(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|e| Error::Internal(format!("encoding metadata: {e}")))
    }

    pub(crate) fn decode(bytes: &[u8], what: &str) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|_| Error::tampered(format!("{what} (metadata)")))
    }

    pub(crate) fn kind(&self, what: &str) -> Result<SecretType> {
        SecretType::parse(&self.kind).map_err(|_| Error::tampered(format!("{what} (its type)")))
    }

    pub(crate) fn expiry(&self) -> Option<Timestamp> {
        self.expires_at.map(Timestamp::from_unix)
    }
}

/// `u32 count`, then per field `u16 name length`, name, `u32 value length`, value.
pub(crate) fn encode_value(data: &SecretData) -> Zeroizing<Vec<u8>> {
    let fields = data.fields();
    let mut out = Zeroizing::new(Vec::new());
    out.extend_from_slice(&(fields.len() as u32).to_be_bytes());
    for field in &fields {
        out.extend_from_slice(&(field.name.len() as u16).to_be_bytes());
        out.extend_from_slice(field.name.as_bytes());
        out.extend_from_slice(&(field.value.len() as u32).to_be_bytes());
        out.extend_from_slice(&field.value);
    }
    out
}

/// Rebuilds (and validates) a value of `kind` from what [`encode_value`] wrote.
pub(crate) fn decode_value(kind: SecretType, bytes: &[u8], what: &str) -> Result<SecretData> {
    let bad = || Error::tampered(format!("{what} (its value's layout)"));
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8]> {
        if rest.len() < n {
            return Err(bad());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let count = u32::from_be_bytes(take(4)?.try_into().map_err(|_| bad())?);
    if count > 64 {
        return Err(bad());
    }
    let mut inputs: FieldInputs = Vec::new();
    for _ in 0..count {
        let len = u16::from_be_bytes(take(2)?.try_into().map_err(|_| bad())?);
        let name = std::str::from_utf8(take(len.into())?)
            .map_err(|_| bad())?
            .to_owned();
        let len = u32::from_be_bytes(take(4)?.try_into().map_err(|_| bad())?);
        inputs.push((name, SecretBytes::from(take(len as usize)?.to_vec())));
    }
    if !rest.is_empty() {
        return Err(bad());
    }
    SecretData::from_fields(kind, inputs, &Intake::default())
        .map_err(|_| Error::tampered(format!("{what} (its value does not validate)")))
}

/// The blind index of a name in an organization: HMAC-SHA256 under the
/// organization's name key.
pub(crate) fn blind_index(name_key: &[u8; 32], org: &[u8; 16], name: &str) -> Result<Vec<u8>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(name_key)
        .map_err(|_| Error::Internal("HMAC key".into()))?;
    mac.update(b"coffer-team/v1/blind-index");
    mac.update(org);
    mac.update(name.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use coffer_core::secret::text_input;

    #[test]
    fn values_round_trip_and_refuse_bad_layouts() {
        let data = SecretData::from_fields(
            SecretType::BasicAuth,
            vec![
                text_input("username", "deploy"),
                text_input("password", "hunter2"),
            ],
            &Intake::default(),
        )
        .unwrap();
        let bytes = encode_value(&data);
        let back = decode_value(SecretType::BasicAuth, &bytes, "x").unwrap();
        assert_eq!(back.field("password").unwrap().value.as_ref(), b"hunter2");
        assert_eq!(
            decode_value(SecretType::BasicAuth, &bytes[..bytes.len() - 1], "x")
                .unwrap_err()
                .code(),
            "tampered"
        );
        assert!(decode_value(SecretType::ApiKey, &bytes, "x").is_err());
    }

    #[test]
    fn blind_indexes_depend_on_key_org_and_name() {
        let a = blind_index(&[1; 32], &[2; 16], "prod/db").unwrap();
        assert_eq!(a, blind_index(&[1; 32], &[2; 16], "prod/db").unwrap());
        assert_ne!(a, blind_index(&[9; 32], &[2; 16], "prod/db").unwrap());
        assert_ne!(a, blind_index(&[1; 32], &[3; 16], "prod/db").unwrap());
        assert_ne!(a, blind_index(&[1; 32], &[2; 16], "prod/dc").unwrap());
    }
}
