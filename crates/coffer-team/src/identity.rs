//! A member's identity in one team vault: a post-quantum hybrid age
//! recipient (ML-KEM-768 + X25519) that organization keys are wrapped to,
//! and an Ed25519 key that signs what the member writes. The private parts
//! and the member's database password live in the member's local vault
//! (sealed under its master key); only the public parts reach the server.

use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::connect::Server;
use crate::error::{Error, Result};

/// The public half of an identity, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeys {
    /// The age pq recipient (`age1pq1...`).
    pub recipient: String,
    /// The Ed25519 verifying key.
    pub verifying: [u8; 32],
}

impl PublicKeys {
    /// The short fingerprint compared out of band at confirmation:
    /// 80 bits of SHA-256 over the team vault id and both public keys, as
    /// five groups of four hex digits.
    pub fn fingerprint(&self, team_id: &[u8; 16]) -> String {
        let mut hash = Sha256::new();
        hash.update(b"coffer-team/v1/fingerprint");
        hash.update(team_id);
        hash.update((self.recipient.len() as u32).to_be_bytes());
        hash.update(self.recipient.as_bytes());
        hash.update(self.verifying);
        let digest = hash.finalize();
        let hex = hex::encode(&digest[..10]);
        hex.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Checks that the recipient parses as a pq recipient.
    pub(crate) fn age_recipient(&self) -> Result<age::pq::Recipient> {
        age::pq::Recipient::from_str(&self.recipient)
            .map_err(|_| Error::tampered("a member's wrapping key"))
    }

    pub(crate) fn verifying_key(&self) -> Result<VerifyingKey> {
        VerifyingKey::from_bytes(&self.verifying)
            .map_err(|_| Error::tampered("a member's signing key"))
    }

    /// Verifies `signature` over `message` by this key (strict: no
    /// malleable signatures, no weak keys).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8], what: &str) -> Result<()> {
        let signature =
            Signature::from_slice(signature).map_err(|_| Error::tampered(what.to_owned()))?;
        self.verifying_key()?
            .verify_strict(message, &signature)
            .map_err(|_| Error::tampered(what.to_owned()))
    }
}

/// Normalizes a fingerprint typed by a person: hex digits only, lower case.
pub fn normalize_fingerprint(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A member's private keys and what it needs to reach the team vault.
pub struct Identity {
    pub(crate) team_id: [u8; 16],
    pub(crate) member_id: [u8; 16],
    wrap: age::pq::Identity,
    sign: SigningKey,
    /// The member's database password (its login role's SCRAM verifier is on the server).
    pub(crate) db_password: SecretString,
    /// The first administrator's verifying key: the trust anchor, learnt at
    /// creation or from the invitation ticket (out of band).
    pub(crate) anchor: [u8; 32],
    /// Where the team vault is.
    pub(crate) server: Server,
    /// The highest server revision this desktop has seen (the rollback check).
    pub(crate) seen_revision: i64,
    /// The last audit entry this desktop verified (incremental verification).
    pub(crate) audit_checkpoint: Option<crate::audit::Checkpoint>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("team_id", &uuid::Uuid::from_bytes(self.team_id))
            .field("member_id", &uuid::Uuid::from_bytes(self.member_id))
            .finish_non_exhaustive()
    }
}

/// The identity as sealed in the local vault.
#[derive(Serialize, Deserialize)]
struct Stored {
    v: u32,
    team_id: String,
    member_id: String,
    age: String,
    ed25519: String,
    db_password: String,
    anchor: String,
    server: Server,
    #[serde(default)]
    seen_revision: i64,
    #[serde(default)]
    audit_checkpoint: Option<crate::audit::Checkpoint>,
}

impl Drop for Stored {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.age.zeroize();
        self.ed25519.zeroize();
        self.db_password.zeroize();
    }
}

/// A random 16-byte id.
pub(crate) fn random_id() -> Result<[u8; 16]> {
    random_bytes()
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| Error::Internal(format!("the OS random number generator failed: {e}")))?;
    Ok(out)
}

/// A random password or code: `bytes` random bytes, base64url without padding.
pub(crate) fn random_token(bytes: usize) -> Result<SecretString> {
    let mut raw = Zeroizing::new(vec![0u8; bytes]);
    getrandom::fill(&mut raw)
        .map_err(|e| Error::Internal(format!("the OS random number generator failed: {e}")))?;
    Ok(SecretString::from(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&*raw),
    ))
}

fn parse_id(text: &str, what: &str) -> Result<[u8; 16]> {
    uuid::Uuid::parse_str(text)
        .map(|u| *u.as_bytes())
        .map_err(|_| Error::tampered(format!("the stored team-vault identity ({what})")))
}

impl Identity {
    /// A fresh identity for member `member_id` of team vault `team_id`.
    pub(crate) fn generate(
        team_id: [u8; 16],
        member_id: [u8; 16],
        anchor: Option<[u8; 32]>,
        server: Server,
    ) -> Result<Self> {
        let seed = Zeroizing::new(random_bytes::<32>()?);
        let sign = SigningKey::from_bytes(&seed);
        let anchor = anchor.unwrap_or_else(|| sign.verifying_key().to_bytes());
        Ok(Self {
            team_id,
            member_id,
            wrap: age::pq::Identity::generate(),
            sign,
            db_password: random_token(24)?,
            anchor,
            server,
            seen_revision: 0,
            audit_checkpoint: None,
        })
    }

    /// The public keys.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            recipient: self.wrap.to_public().to_string(),
            verifying: self.sign.verifying_key().to_bytes(),
        }
    }

    /// The team vault's id.
    pub fn team_id(&self) -> [u8; 16] {
        self.team_id
    }

    /// This member's id.
    pub fn member_id(&self) -> [u8; 16] {
        self.member_id
    }

    /// The short fingerprint of this member's public keys.
    pub fn fingerprint(&self) -> String {
        self.public().fingerprint(&self.team_id)
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.sign.sign(message).to_bytes().to_vec()
    }

    /// Opens a key wrapped to this identity's recipient.
    pub(crate) fn unwrap_key(&self, wrapped: &[u8], what: &str) -> Result<Zeroizing<[u8; 32]>> {
        let plain = Zeroizing::new(
            age::decrypt(&self.wrap, wrapped).map_err(|_| Error::tampered(what.to_owned()))?,
        );
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| Error::tampered(what.to_owned()))?;
        Ok(Zeroizing::new(key))
    }

    /// Opens bytes wrapped to this identity's recipient (a team key).
    pub(crate) fn unwrap_bytes(&self, wrapped: &[u8], what: &str) -> Result<Zeroizing<Vec<u8>>> {
        age::decrypt(&self.wrap, wrapped)
            .map(Zeroizing::new)
            .map_err(|_| Error::tampered(what.to_owned()))
    }

    /// A copy of the wrapping identity (to open data keys wrapped to this member).
    pub(crate) fn wrapping_identity(&self) -> Result<age::pq::Identity> {
        age::pq::Identity::from_str(self.wrap.to_string().expose_secret())
            .map_err(|_| Error::Internal("copying the wrapping identity".into()))
    }

    /// The bytes sealed in the local vault.
    pub(crate) fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        let stored = Stored {
            v: 1,
            team_id: uuid::Uuid::from_bytes(self.team_id).to_string(),
            member_id: uuid::Uuid::from_bytes(self.member_id).to_string(),
            age: self.wrap.to_string().expose_secret().to_owned(),
            ed25519: B64.encode(self.sign.to_bytes()),
            db_password: self.db_password.expose_secret().to_owned(),
            anchor: B64.encode(self.anchor),
            server: self.server.clone(),
            seen_revision: self.seen_revision,
            audit_checkpoint: self.audit_checkpoint.clone(),
        };
        serde_json::to_vec(&stored)
            .map(Zeroizing::new)
            .map_err(|e| Error::Internal(format!("encoding an identity: {e}")))
    }

    /// Reads what [`Identity::encode`] wrote.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        let bad = || Error::tampered("the stored team-vault identity");
        let stored: Stored = serde_json::from_slice(bytes).map_err(|_| bad())?;
        if stored.v != 1 {
            return Err(bad());
        }
        let seed = Zeroizing::new(B64.decode(&stored.ed25519).map_err(|_| bad())?);
        let seed: &[u8; 32] = seed.as_slice().try_into().map_err(|_| bad())?;
        let anchor: [u8; 32] = B64
            .decode(&stored.anchor)
            .ok()
            .and_then(|a| a.try_into().ok())
            .ok_or_else(bad)?;
        Ok(Self {
            team_id: parse_id(&stored.team_id, "team id")?,
            member_id: parse_id(&stored.member_id, "member id")?,
            wrap: age::pq::Identity::from_str(&stored.age).map_err(|_| bad())?,
            sign: SigningKey::from_bytes(seed),
            db_password: SecretString::from(stored.db_password.clone()),
            anchor,
            server: stored.server.clone(),
            seen_revision: stored.seen_revision,
            audit_checkpoint: stored.audit_checkpoint.clone(),
        })
    }
}

/// Wraps `key` to a member's recipient.
pub(crate) fn wrap_key(recipient: &age::pq::Recipient, key: &[u8; 32]) -> Result<Vec<u8>> {
    age::encrypt(recipient, key).map_err(|e| Error::Internal(format!("wrapping a key: {e}")))
}

/// Wraps `bytes` to a recipient (a team key to a member, a data key to a team or an owner).
pub(crate) fn wrap_bytes(recipient: &age::pq::Recipient, bytes: &[u8]) -> Result<Vec<u8>> {
    age::encrypt(recipient, bytes).map_err(|e| Error::Internal(format!("wrapping a key: {e}")))
}
