//! Rollback detection: when the vault is locked or closed after being
//! unlocked, the end of its audit log (sequence number and MAC) is saved in
//! the OS keyring beside the master key; at unlock the file must still hold
//! that entry. A cut at the tail, or the whole file replaced by an older
//! copy, then fails with [`Error::Tampered`] before anything is unlocked.
//!
//! What stays undetectable: changes made after the last close (nothing was
//! saved yet), and any rollback of a vault without a usable keyring. A
//! deliberate restore (`accept_restore`) moves the saved end to the file's.

use secrecy::SecretString;

use super::Vault;
use crate::audit::Record;
use crate::error::{Error, Result};
use crate::os_keyring;
use crate::store::Db;

/// The saved form: sequence number (big-endian) and the entry's MAC.
fn encode(seq: i64, mac: &[u8]) -> Vec<u8> {
    let mut out = seq.to_be_bytes().to_vec();
    out.extend_from_slice(mac);
    out
}

fn decode(bytes: &[u8]) -> Option<(i64, &[u8])> {
    let (seq, mac) = bytes.split_at_checked(8)?;
    Some((i64::from_be_bytes(seq.try_into().ok()?), mac))
}

impl Vault {
    /// Refuses a file whose audit log no longer holds the entry saved at the
    /// last lock or close. Without a keyring there is nothing to compare.
    pub(super) fn check_rollback(&self) -> Result<()> {
        if !self.keyring_enabled {
            return Ok(());
        }
        let Ok(Some(saved)) = os_keyring::load_head(&self.id()) else {
            return Ok(());
        };
        let Some((seq, mac)) = decode(&saved) else {
            return Ok(());
        };
        let read = self.store.read();
        if read.audit_mac_at(seq)?.as_deref() == Some(mac) {
            return Ok(());
        }
        let ends = read.audit_head()?.map_or(0, |(seq, _)| seq);
        Err(Error::Tampered {
            what: format!(
                "the vault file: its audit log ends at entry {ends} but held entry {seq} when \
                 Coffer last closed it (it was rolled back or replaced by an older copy; if you \
                 restored it on purpose, accept it with `coffer vault accept-restore`)"
            ),
        })
    }

    /// Saves the audit log's end in the OS keyring (best effort: a keyring
    /// that fails only loses the check). Only after an unlock, so that a file
    /// changed while locked is never vouched for.
    pub(super) fn save_head(&mut self) {
        if !self.keyring_enabled || self.keys.is_none() {
            return;
        }
        let Ok(Some((seq, mac))) = self.store.read().audit_head() else {
            return;
        };
        if self.saved_head == Some(seq) {
            return;
        }
        if os_keyring::store_head(&self.id(), &encode(seq, &mac)).is_ok() {
            self.saved_head = Some(seq);
        }
    }

    /// Unlocks a vault that was restored from an older copy on purpose: the
    /// recovery passphrase is needed, the acceptance is audited, and the
    /// saved end of the audit log moves to this file's.
    pub fn accept_restore(&mut self, passphrase: &SecretString) -> Result<()> {
        let (master, _) = self.open_recovery(passphrase)?;
        let previous = os_keyring::load_head(&self.id())
            .ok()
            .flatten()
            .and_then(|b| decode(&b).map(|(seq, _)| seq));
        self.keys = None;
        self.finish_unlock_with(master, "passphrase", false)?;
        self.write(|tx, ctx| {
            ctx.audit(
                tx,
                Record {
                    action: "vault.restore_accepted",
                    secret_id: None,
                    target: "vault",
                    detail: serde_json::json!({ "previous_end": previous }),
                },
            )
        })?;
        self.saved_head = None;
        self.save_head();
        Ok(())
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        self.save_head();
        self.forget_runs();
    }
}
