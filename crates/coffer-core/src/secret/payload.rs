//! The plaintext layout of an encrypted payload: named byte strings.
//!
//! `u8 layout version`, `u32 count`, then per entry `u16 name length`, name,
//! `u32 value length`, value; all big-endian. Plaintext lives only in zeroizing buffers.

use secrecy::SecretSlice;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

const LAYOUT_VERSION: u8 = 1;

/// Encodes named secret values.
pub(crate) fn encode(entries: &[(&str, &[u8])]) -> Zeroizing<Vec<u8>> {
    let size = 5 + entries
        .iter()
        .map(|(n, v)| 6 + n.len() + v.len())
        .sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    out.push(LAYOUT_VERSION);
    out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    for (name, value) in entries {
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// Decodes what [`encode`] wrote.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<(String, SecretSlice<u8>)>> {
    let bad = || Error::Internal("decrypted payload has an unknown layout".into());
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8]> {
        if rest.len() < n {
            return Err(bad());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    if take(1)?[0] != LAYOUT_VERSION {
        return Err(bad());
    }
    let count = u32::from_be_bytes(take(4)?.try_into().map_err(|_| bad())?);
    let mut entries = Vec::new();
    for _ in 0..count {
        let name_len = u16::from_be_bytes(take(2)?.try_into().map_err(|_| bad())?);
        let name = std::str::from_utf8(take(name_len.into())?)
            .map_err(|_| bad())?
            .to_owned();
        let value_len = u32::from_be_bytes(take(4)?.try_into().map_err(|_| bad())?);
        let value = take(value_len as usize)?.to_vec();
        entries.push((name, SecretSlice::from(value)));
    }
    if !rest.is_empty() {
        return Err(bad());
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn view(entries: &[(String, SecretSlice<u8>)]) -> Vec<(&str, &[u8])> {
        entries
            .iter()
            .map(|(n, v)| (n.as_str(), v.expose_secret()))
            .collect()
    }

    #[test]
    fn round_trip() {
        let encoded = encode(&[("password", b"hunter2"), ("", b""), ("k", &[0, 255])]);
        let decoded = decode(&encoded).unwrap();
        assert_eq!(
            view(&decoded),
            vec![("password", &b"hunter2"[..]), ("", b""), ("k", &[0, 255])]
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[9, 0, 0, 0, 0]).is_err());
        let mut encoded = encode(&[("a", b"b")]).to_vec();
        encoded.push(0);
        assert!(decode(&encoded).is_err());
        encoded.truncate(encoded.len() - 2);
        assert!(decode(&encoded).is_err());
    }
}
