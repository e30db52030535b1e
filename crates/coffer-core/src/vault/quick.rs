//! Quick unlock (the desktop app's PIN, after KeePassXC's): while the vault
//! is locked, the master key stays in this process's memory only, sealed
//! (AES-256-GCM) under a key derived from the PIN with Argon2id and a random
//! salt. Nothing about the PIN is ever written to disk, where a short PIN
//! would be brute-forced offline. Three wrong PINs drop the sealed key, and
//! the recovery passphrase is needed; so does another process's rotation
//! (the sealed key is then dead) and closing the vault.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::Vault;
use crate::crypto::{self, KdfParams, MasterKey, Purpose, associated_data};
use crate::error::{Error, Result};

/// Wrong PINs allowed before the sealed key is dropped.
pub const PIN_TRIES: u32 = 3;
/// The shortest PIN accepted.
pub const PIN_MIN_CHARS: usize = 4;
const PIN_MAX_CHARS: usize = 128;

/// The master key sealed under a PIN's key, in memory.
pub(super) struct QuickUnlock {
    salt: [u8; 16],
    sealed: crypto::Sealed,
    tries_left: u32,
}

/// The result of a PIN unlock.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum PinUnlock {
    /// The vault is unlocked.
    Unlocked,
    /// Not the PIN; `tries_left` more are allowed.
    WrongPin {
        /// Tries left before the recovery passphrase is needed.
        tries_left: u32,
    },
    /// Quick unlock is not (or no longer) possible: the recovery passphrase
    /// is needed. The reason says why.
    NeedsPassphrase {
        /// Why.
        reason: String,
    },
}

fn aad(vault_id: &[u8; 16]) -> Vec<u8> {
    associated_data(Purpose::QuickUnlock, vault_id, None, 0)
}

fn pin_key(pin: &SecretString, salt: &[u8; 16]) -> Result<crypto::Key32> {
    crypto::derive(pin.expose_secret().as_bytes(), salt, &KdfParams::MINIMUM)
}

impl Vault {
    /// Sets a quick-unlock PIN for the life of this vault handle (needs the
    /// vault unlocked): from now on a lock keeps the master key sealed under
    /// it in memory. Replaces an earlier PIN.
    pub fn set_quick_unlock(&mut self, pin: &SecretString) -> Result<()> {
        let chars = pin.expose_secret().chars().count();
        if !(PIN_MIN_CHARS..=PIN_MAX_CHARS).contains(&chars) {
            return Err(Error::invalid(
                "pin",
                format!("a PIN has {PIN_MIN_CHARS} to {PIN_MAX_CHARS} characters"),
            ));
        }
        let master = self.keys()?.master.bytes();
        let salt: [u8; 16] = crypto::random_array()?;
        let key = pin_key(pin, &salt)?;
        let sealed = crypto::seal(&key, &aad(&self.vault_id), master)?;
        self.quick = Some(QuickUnlock {
            salt,
            sealed,
            tries_left: PIN_TRIES,
        });
        Ok(())
    }

    /// Forgets the quick-unlock PIN (and the sealed key).
    pub fn clear_quick_unlock(&mut self) {
        self.quick = None;
    }

    /// Whether a quick-unlock PIN is set.
    pub fn has_quick_unlock(&self) -> bool {
        self.quick.is_some()
    }

    /// Unlocks with the quick-unlock PIN. A wrong PIN counts down; the third
    /// drops the sealed key. A sealed key that no longer opens the vault
    /// (another process rotated the master key) is dropped too.
    pub fn unlock_with_pin(&mut self, pin: &SecretString) -> Result<PinUnlock> {
        if self.is_unlocked() {
            return Ok(PinUnlock::Unlocked);
        }
        let Some(quick) = self.quick.as_mut() else {
            return Ok(PinUnlock::NeedsPassphrase {
                reason: "no quick-unlock PIN is set".into(),
            });
        };
        let key = pin_key(pin, &quick.salt)?;
        let opened = crypto::open(
            &key,
            &aad(&self.vault_id),
            &quick.sealed.nonce,
            &quick.sealed.ciphertext,
            "the master key sealed under the PIN",
        );
        let Ok(bytes) = opened else {
            quick.tries_left = quick.tries_left.saturating_sub(1);
            let tries_left = quick.tries_left;
            if tries_left == 0 {
                self.quick = None;
                return Ok(PinUnlock::NeedsPassphrase {
                    reason: format!("{PIN_TRIES} wrong PINs: quick unlock was turned off"),
                });
            }
            return Ok(PinUnlock::WrongPin { tries_left });
        };
        let master = MasterKey::from_bytes(&bytes)?;
        if !self.key_matches(&master)? {
            self.quick = None;
            return Ok(PinUnlock::NeedsPassphrase {
                reason: "the master key was replaced since the PIN was set".into(),
            });
        }
        self.keys = None;
        self.finish_unlock(master, "pin")?;
        if let Some(quick) = self.quick.as_mut() {
            quick.tries_left = PIN_TRIES;
        }
        Ok(PinUnlock::Unlocked)
    }
}
