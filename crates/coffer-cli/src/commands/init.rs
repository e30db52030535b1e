//! `coffer init` and `coffer status`.

use std::sync::Arc;

use coffer_core::{CreateOptions, KeyringState, Result, SystemClock, Vault};
use serde_json::json;

use crate::args::Global;
use crate::input;
use crate::output::{Out, pairs};
use crate::unlock;

pub fn init(g: &Global, out: Out, no_keyring: bool) -> Result<()> {
    let path = unlock::vault_path(g)?;
    let passphrase = match &g.passphrase_file {
        Some(file) => input::read_password_file("passphrase", file)?,
        None => {
            eprintln!(
                "Choose a recovery passphrase (at least 8 characters). It unlocks the vault \
                 where the OS keyring cannot, and after a keyring is lost. Keep it safe: \
                 without it and the keyring, the vault cannot be opened."
            );
            input::prompt_passphrase("Recovery passphrase: ", true)?
        }
    };
    let mut options = CreateOptions::new(passphrase);
    options.use_keyring = !no_keyring;
    let (vault, keyring) = Vault::create(&path, options, Arc::new(SystemClock))?;
    if out.json {
        return out
            .json(&json!({ "path": vault.path(), "vault_id": vault.id(), "keyring": keyring }));
    }
    println!("Created vault {} at {}", vault.id(), vault.path().display());
    match keyring {
        KeyringState::Stored => {
            println!("The master key is in the OS keyring: commands unlock without the passphrase.")
        }
        KeyringState::Unavailable(reason) => println!(
            "The OS keyring is unavailable ({reason}); unlock with the recovery passphrase \
             (--passphrase-file or COFFER_PASSPHRASE_FILE)."
        ),
        KeyringState::Disabled | KeyringState::Missing => {
            println!("The OS keyring is not used; unlock with the recovery passphrase.")
        }
    }
    Ok(())
}

pub fn status(g: &Global, out: Out) -> Result<()> {
    let vault = unlock::open(g)?;
    let status = vault.status()?;
    if out.json {
        return out.json(&status);
    }
    let keyring = match &status.keyring {
        KeyringState::Stored => "master key stored (unlocks without a passphrase)".to_owned(),
        KeyringState::Missing => "no key stored for this vault (passphrase needed)".to_owned(),
        KeyringState::Unavailable(reason) => format!("unavailable: {reason}"),
        KeyringState::Disabled => "not used (passphrase only)".to_owned(),
    };
    let c = &status.counts;
    pairs(&[
        ("vault", status.path.display().to_string()),
        ("id", status.vault_id.clone()),
        (
            "state",
            if status.unlocked {
                "unlocked"
            } else {
                "locked"
            }
            .into(),
        ),
        ("keyring", keyring),
        (
            "secrets",
            format!(
                "{} ({} active, {} deactivated, {} expired, {} expiring within 30 days)",
                c.total, c.active, c.deactivated, c.expired, c.expiring_30_days
            ),
        ),
        ("trash", c.trash.to_string()),
        ("schema", status.schema_version.to_string()),
    ]);
    Ok(())
}
