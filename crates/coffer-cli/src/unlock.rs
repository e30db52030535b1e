//! Opening and unlocking the vault: the OS keyring first, then the recovery
//! passphrase (from --passphrase-file, or asked for on a terminal).

use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::{Error, KeyringUnlock, Result, SystemClock, Vault};

use crate::args::Global;
use crate::input;
use crate::output::Out;

/// The vault path from --vault / COFFER_VAULT, or the platform default.
pub fn vault_path(global: &Global) -> Result<PathBuf> {
    match &global.vault {
        Some(path) => Ok(path.clone()),
        None => coffer_core::default_vault_path(),
    }
}

/// Opens the vault, locked: enough for listings and metadata.
pub fn open(global: &Global) -> Result<Vault> {
    Vault::open(&vault_path(global)?, Arc::new(SystemClock))
}

/// Opens and unlocks the vault.
pub fn open_unlocked(global: &Global, out: Out) -> Result<Vault> {
    let mut vault = open(global)?;
    unlock(&mut vault, global, out)?;
    Ok(vault)
}

fn unlock(vault: &mut Vault, global: &Global, out: Out) -> Result<()> {
    let reason = match vault.unlock_with_keyring() {
        Ok(KeyringUnlock::Unlocked) => return Ok(()),
        Ok(KeyringUnlock::NeedsPassphrase(reason)) => reason,
        Err(e @ Error::WrongKey { .. }) => e.to_string(),
        Err(other) => return Err(other),
    };
    let passphrase = match &global.passphrase_file {
        Some(path) => input::read_password_file("passphrase", path)?,
        None => {
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() {
                return Err(Error::KeyringUnavailable {
                    reason: format!(
                        "{reason}; the vault is locked: pass --passphrase-file FILE or set \
                         COFFER_PASSPHRASE_FILE"
                    ),
                });
            }
            eprintln!("The OS keyring cannot unlock this vault: {reason}.");
            input::prompt_passphrase("Recovery passphrase: ", false)?
        }
    };
    let outcome = vault.unlock_with_passphrase(&passphrase)?;
    out.note(&format!(
        "note: unlocked with the recovery passphrase ({reason})"
    ));
    if outcome.keyring_restored {
        out.note("note: the master key was saved to the OS keyring again");
    }
    Ok(())
}
