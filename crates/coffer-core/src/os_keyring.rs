//! The vault master key's copy in the OS keyring (Secret Service, Keychain,
//! Credential Manager), so a vault unlocks without the recovery passphrase.

use serde::Serialize;

use crate::crypto::MasterKey;
use crate::error::{Error, Result};

const SERVICE: &str = "Coffer";

/// What the OS keyring holds for a vault.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum KeyringState {
    /// The master key is stored there.
    Stored,
    /// The keyring works but holds no key for this vault.
    Missing,
    /// The keyring cannot be used; the reason says why.
    Unavailable(String),
    /// The vault was created not to use the keyring.
    Disabled,
}

fn entry(vault_id: &str) -> Result<keyring::Entry> {
    available()?;
    keyring::Entry::new(SERVICE, &format!("vault-{vault_id}")).map_err(unavailable)
}

/// Fails early, with a clear reason, where no keyring can work.
fn available() -> Result<()> {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
        return Err(Error::KeyringUnavailable {
            reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret \
                     Service"
                .into(),
        });
    }
    Ok(())
}

fn unavailable(error: keyring::Error) -> Error {
    let reason = match error {
        keyring::Error::NoStorageAccess(e) => {
            format!("the keyring refused access or is locked ({e})")
        }
        keyring::Error::PlatformFailure(e) => format!("the keyring service failed ({e})"),
        other => other.to_string(),
    };
    Error::KeyringUnavailable { reason }
}

/// Loads the vault's master key; `Ok(None)` when the keyring holds none.
pub(crate) fn load(vault_id: &str) -> Result<Option<MasterKey>> {
    match entry(vault_id)?.get_secret() {
        Ok(bytes) => {
            let bytes = zeroize::Zeroizing::new(bytes);
            Ok(Some(MasterKey::from_bytes(&bytes)?))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// Stores the vault's master key, replacing any older copy.
pub(crate) fn store(vault_id: &str, key: &MasterKey) -> Result<()> {
    entry(vault_id)?
        .set_secret(key.bytes())
        .map_err(unavailable)
}

/// Removes the vault's master key; absent is fine.
pub(crate) fn delete(vault_id: &str) -> Result<()> {
    match entry(vault_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

/// Whether the keyring holds a key for the vault, without returning it.
pub(crate) fn state(vault_id: &str) -> KeyringState {
    match load(vault_id) {
        Ok(Some(_)) => KeyringState::Stored,
        Ok(None) => KeyringState::Missing,
        Err(Error::KeyringUnavailable { reason }) => KeyringState::Unavailable(reason),
        Err(other) => KeyringState::Unavailable(other.to_string()),
    }
}

/// Where the audit log's end, as last seen when the vault was locked or
/// closed, is kept: beside the master key, out of reach of whoever can only
/// edit the vault file.
fn head_entry(vault_id: &str) -> Result<keyring::Entry> {
    available()?;
    keyring::Entry::new(SERVICE, &format!("vault-{vault_id}-audit-head")).map_err(unavailable)
}

/// The saved end of the audit log; `Ok(None)` when none was saved.
pub(crate) fn load_head(vault_id: &str) -> Result<Option<Vec<u8>>> {
    match head_entry(vault_id)?.get_secret() {
        Ok(bytes) => Ok(Some(bytes)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// Saves the end of the audit log.
pub(crate) fn store_head(vault_id: &str, head: &[u8]) -> Result<()> {
    head_entry(vault_id)?.set_secret(head).map_err(unavailable)
}
