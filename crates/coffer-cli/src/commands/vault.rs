//! `coffer vault rotate-key | change-passphrase | backup | accept-restore`.

use coffer_core::{KeyringState, Result};
use serde_json::json;

use crate::args::{Global, VaultCommand};
use crate::input;
use crate::output::Out;
use crate::unlock;

fn passphrase(g: &Global) -> Result<coffer_core::SecretString> {
    match &g.passphrase_file {
        Some(file) => input::read_password_file("passphrase", file),
        None => input::prompt_passphrase("Recovery passphrase: ", false),
    }
}

pub fn run(g: &Global, out: Out, command: VaultCommand) -> Result<()> {
    let (message, value) = match command {
        VaultCommand::AcceptRestore => {
            // An unlock refuses a rolled-back file, so this one opens locked.
            let mut vault = unlock::open(g)?;
            vault.accept_restore(&passphrase(g)?)?;
            (
                "The restored vault was accepted; its audit log records it.".to_owned(),
                json!({ "accepted": true }),
            )
        }
        VaultCommand::RotateKey => {
            let mut vault = unlock::open_unlocked(g, out)?;
            let keyring = vault.rotate_master_key(&passphrase(g)?)?;
            let note = match &keyring {
                KeyringState::Unavailable(reason) => format!(" (OS keyring not updated: {reason})"),
                _ => String::new(),
            };
            (
                format!("The master key was replaced; every data key was re-wrapped{note}."),
                json!({ "keyring": keyring }),
            )
        }
        VaultCommand::ChangePassphrase {
            new_passphrase_file,
        } => {
            let mut vault = unlock::open_unlocked(g, out)?;
            let old = passphrase(g)?;
            let new = match &new_passphrase_file {
                Some(file) => input::read_password_file("new passphrase", file)?,
                None => input::prompt_passphrase("New recovery passphrase: ", true)?,
            };
            vault.change_passphrase(&old, &new)?;
            (
                "The recovery passphrase was changed.".to_owned(),
                json!({ "changed": true }),
            )
        }
        VaultCommand::Backup { dest } => {
            unlock::open_unlocked(g, out)?.backup_to(&dest)?;
            (
                format!("Backed up to {}.", dest.display()),
                json!({ "backup": dest }),
            )
        }
    };
    if out.json {
        return out.json(&value);
    }
    println!("{message}");
    Ok(())
}
