//! Uses of shared secrets by this desktop's jobs (and `coffer run`): the
//! value is fetched from the server in a transaction that appends a signed
//! `secret.use` audit entry, whose sealed note says what used it (`job NAME
//! run N`). The note is sealed under the organization's note key, derived
//! from its blind-index key (which survives epochs, so notes stay readable
//! after a member's removal): the server never sees a job's name.

use aes_gcm::KeyInit as _;
use coffer_core::Timestamp;
use coffer_core::secret::SecretData;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::seal::{self, Purpose};
use crate::secrets::{OrgContext, SharedSecret};
use crate::team::TeamVault;

/// The organization's note key: HMAC-SHA256 of a label under its
/// blind-index key.
fn note_key(ctx: &OrgContext) -> Result<Zeroizing<[u8; 32]>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&*ctx.name_key)
        .map_err(|_| Error::Internal("HMAC key".into()))?;
    mac.update(b"coffer-team/v1/audit-note-key");
    mac.update(&ctx.org);
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&mac.finalize().into_bytes());
    Ok(key)
}

/// `org id ‖ sealed note`, bound to the team and the secret.
pub(crate) fn seal_note(
    team: &[u8; 16],
    ctx: &OrgContext,
    secret: &[u8; 16],
    note: &str,
) -> Result<Vec<u8>> {
    let sealed = seal::seal(
        &*note_key(ctx)?,
        Purpose::AuditNote,
        team,
        secret,
        0,
        note.as_bytes(),
    )?;
    let mut out = ctx.org.to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a note of an entry about `secret`, if it is of `ctx`'s
/// organization; a note that does not open is `tampered`.
pub(crate) fn open_note(
    team: &[u8; 16],
    ctx: &OrgContext,
    secret: &[u8; 16],
    note: &[u8],
    what: &str,
) -> Result<String> {
    let sealed = note
        .get(16..)
        .ok_or_else(|| Error::tampered(format!("{what} (its note)")))?;
    let plain = seal::open(
        &*note_key(ctx)?,
        Purpose::AuditNote,
        team,
        secret,
        0,
        sealed,
        &format!("{what} (its note)"),
    )?;
    String::from_utf8(plain.to_vec()).map_err(|_| Error::tampered(format!("{what} (its note)")))
}

impl TeamVault {
    /// Uses a shared secret's value for `purpose` (`job NAME run N`): like a
    /// reveal (fetched from the server, verified; a trashed secret refuses)
    /// but a write-only secret may be used, as locally, with a signed `secret.use` entry carrying `purpose`
    /// sealed, so the server's audit records who used it and, for the
    /// members of the organization, for what.
    pub fn use_shared_secret(
        &mut self,
        org: &str,
        name: &str,
        purpose: &str,
        now: Timestamp,
    ) -> Result<(SharedSecret, SecretData)> {
        let mut ctx = self.org_context(org)?;
        self.reveal_current(&mut ctx, name, "secret.use", Some(purpose), now)
    }
}
