//! Symmetric sealing under organization keys (and an invitation's key):
//! AES-256-GCM with a fresh random nonce, associated data binding the team
//! vault, the record's id, its purpose and the key's epoch, so a ciphertext
//! moved to another row, purpose or epoch fails to open.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::identity::random_bytes;

const NONCE_LEN: usize = 12;

/// What a sealed value is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// An organization's name, under its key.
    OrgName,
    /// A member's display name, under the home organization's key (or,
    /// while pending, the invitation's key).
    MemberName,
    /// An invitation's key, under the home organization's key.
    InviteKey,
    /// The join role's password, under the home organization's key.
    JoinPassword,
    /// An organization's blind-index key, under its key.
    NameKey,
    /// A shared secret's data key (one per revision), under an organization key.
    DataKey,
    /// A shared secret's metadata record, under its data key.
    SecretMeta,
    /// A shared secret's value, under its data key.
    SecretValue,
    /// A team's name, under its organization's name key (it survives epochs).
    TeamName,
    /// An audit entry's note (what used a shared secret), under the
    /// organization's note key.
    AuditNote,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::OrgName => b"org-name",
            Self::MemberName => b"member-name",
            Self::InviteKey => b"invite-key",
            Self::JoinPassword => b"join-password",
            Self::NameKey => b"name-key",
            Self::DataKey => b"data-key",
            Self::SecretMeta => b"secret-meta",
            Self::SecretValue => b"secret-value",
            Self::TeamName => b"team-name",
            Self::AuditNote => b"audit-note",
        }
    }
}

fn aad(purpose: Purpose, team: &[u8; 16], id: &[u8; 16], epoch: i32) -> Vec<u8> {
    aad_at(purpose, team, id, None, epoch)
}

/// `revision`, when given, binds a record of one revision of a shared secret.
fn aad_at(
    purpose: Purpose,
    team: &[u8; 16],
    id: &[u8; 16],
    revision: Option<i32>,
    epoch: i32,
) -> Vec<u8> {
    let label = purpose.label();
    let mut out = Vec::with_capacity(16 + label.len() + 40);
    out.extend_from_slice(b"coffer-team/v1/");
    out.push(label.len() as u8);
    out.extend_from_slice(label);
    out.extend_from_slice(team);
    out.extend_from_slice(id);
    if let Some(revision) = revision {
        out.extend_from_slice(&revision.to_be_bytes());
    }
    out.extend_from_slice(&epoch.to_be_bytes());
    out
}

fn cipher(key: &[u8; 32]) -> Result<Aes256Gcm> {
    Aes256Gcm::new_from_slice(key).map_err(|_| Error::Internal("AES key length".into()))
}

/// `nonce ‖ ciphertext ‖ tag`.
pub(crate) fn seal(
    key: &[u8; 32],
    purpose: Purpose,
    team: &[u8; 16],
    id: &[u8; 16],
    epoch: i32,
    plain: &[u8],
) -> Result<Vec<u8>> {
    seal_aad(key, &aad(purpose, team, id, epoch), plain)
}

/// [`seal`] for one revision of a shared secret (`id` is the secret's).
pub(crate) fn seal_at(
    key: &[u8; 32],
    purpose: Purpose,
    team: &[u8; 16],
    id: &[u8; 16],
    revision: i32,
    epoch: i32,
    plain: &[u8],
) -> Result<Vec<u8>> {
    seal_aad(
        key,
        &aad_at(purpose, team, id, Some(revision), epoch),
        plain,
    )
}

/// [`open`] for what [`seal_at`] made.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_at(
    key: &[u8; 32],
    purpose: Purpose,
    team: &[u8; 16],
    id: &[u8; 16],
    revision: i32,
    epoch: i32,
    sealed: &[u8],
    what: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    open_aad(
        key,
        &aad_at(purpose, team, id, Some(revision), epoch),
        sealed,
        what,
    )
}

fn seal_aad(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    let nonce: [u8; NONCE_LEN] = random_bytes()?;
    let mut buffer = plain.to_vec();
    cipher(key)?
        .encrypt_in_place(&Nonce::from(nonce), aad, &mut buffer)
        .map_err(|_| Error::Internal("AES-GCM encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buffer);
    Ok(out)
}

/// Opens what [`seal`] made; any change is [`Error::Tampered`] naming `what`.
pub(crate) fn open(
    key: &[u8; 32],
    purpose: Purpose,
    team: &[u8; 16],
    id: &[u8; 16],
    epoch: i32,
    sealed: &[u8],
    what: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    open_aad(key, &aad(purpose, team, id, epoch), sealed, what)
}

fn open_aad(key: &[u8; 32], aad: &[u8], sealed: &[u8], what: &str) -> Result<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(Error::tampered(what.to_owned()));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| Error::tampered(what.to_owned()))?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher(key)?
        .decrypt_in_place(&Nonce::from(nonce), aad, &mut *buffer)
        .map_err(|_| Error::tampered(what.to_owned()))?;
    Ok(buffer)
}

/// The key an invitation's code gives: the joiner seals its display name
/// with it, and the administrators keep it under the home organization key.
pub(crate) fn invite_key(code: &str) -> Result<Zeroizing<[u8; 32]>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(code.as_bytes())
        .map_err(|_| Error::Internal("HMAC key".into()))?;
    mac.update(b"coffer-team/v1/invite-key");
    Ok(Zeroizing::new(mac.finalize().into_bytes().into()))
}

/// A key from 32 opened bytes.
pub(crate) fn key32(bytes: &[u8], what: &str) -> Result<Zeroizing<[u8; 32]>> {
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::tampered(what.to_owned()))?;
    Ok(Zeroizing::new(key))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sealed_values_are_bound_to_purpose_record_and_epoch() {
        let key = [3u8; 32];
        let (team, id) = ([1u8; 16], [2u8; 16]);
        let sealed = seal(&key, Purpose::OrgName, &team, &id, 1, b"Payments").unwrap();
        let open_as = |p, t: &[u8; 16], i: &[u8; 16], e, s: &[u8]| open(&key, p, t, i, e, s, "x");
        assert_eq!(
            &*open_as(Purpose::OrgName, &team, &id, 1, &sealed).unwrap(),
            b"Payments"
        );
        assert!(open_as(Purpose::MemberName, &team, &id, 1, &sealed).is_err());
        assert!(open_as(Purpose::OrgName, &[9; 16], &id, 1, &sealed).is_err());
        assert!(open_as(Purpose::OrgName, &team, &[9; 16], 1, &sealed).is_err());
        assert!(open_as(Purpose::OrgName, &team, &id, 2, &sealed).is_err());
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert!(open_as(Purpose::OrgName, &team, &id, 1, &flipped).is_err());
        assert!(open_as(Purpose::OrgName, &team, &id, 1, &sealed[..20]).is_err());
    }

    #[test]
    fn invite_keys_differ_by_code() {
        assert_ne!(*invite_key("a").unwrap(), *invite_key("b").unwrap());
        assert_eq!(*invite_key("a").unwrap(), *invite_key("a").unwrap());
    }
}
