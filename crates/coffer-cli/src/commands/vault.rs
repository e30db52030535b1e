//! `coffer vault rotate-key | change-passphrase | backup | accept-restore | restore`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use coffer_core::{Error, ErrorCode, KeyringState, Result, SystemClock, Vault, VaultSummary};
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
        VaultCommand::Restore {
            backup,
            into,
            replace: _,
            yes,
        } => match into {
            Some(dest) => {
                let recovery = passphrase(g)?;
                let report = Vault::restore_into(&backup, &dest, &recovery, Arc::new(SystemClock))?;
                (
                    format!(
                        "Restored {} secret(s) into {} (audit log verified: {} entries). It opens \
                         with the recovery passphrase: coffer --vault {} status",
                        report.restored.counts.total,
                        dest.display(),
                        report.audit_entries_verified,
                        dest.display()
                    ),
                    serde_json::to_value(&report)
                        .map_err(|e| Error::Internal(format!("encoding output: {e}")))?,
                )
            }
            None => {
                let mut vault = unlock::open_unlocked(g, out)?;
                let mut recovery = match &g.passphrase_file {
                    Some(file) => Some(input::read_password_file("passphrase", file)?),
                    None => None,
                };
                // The preview verifies the backup whole, as the restore will.
                let preview = match vault.restore_preview(&backup, recovery.as_ref()) {
                    // A backup from before a key rotation: its recovery passphrase.
                    Err(e) if e.code() == ErrorCode::InvalidInput && recovery.is_none() => {
                        eprintln!("{e}");
                        let asked =
                            input::prompt_passphrase("Backup's recovery passphrase: ", false)?;
                        let preview = vault.restore_preview(&backup, Some(&asked))?;
                        recovery = Some(asked);
                        preview
                    }
                    other => other?,
                };
                if !preview.same_vault {
                    return Err(Error::OtherVault {
                        reason: format!(
                            "{} is a backup of another vault ({}), not of this one ({}); use \
                             --into NEW_PATH",
                            backup.display(),
                            preview.backup.vault_id,
                            preview.current.vault_id
                        ),
                    });
                }
                confirm_replace(&preview.current, &preview.backup, yes, out)?;
                let report = vault.restore_replace(&backup, recovery.as_ref())?;
                (
                    format!(
                        "Restored {} from {}: {} secret(s) (audit log verified: {} entries). The \
                         restore is in the audit log.",
                        vault.path().display(),
                        backup.display(),
                        report.restored.counts.total,
                        report.audit_entries_verified
                    ),
                    serde_json::to_value(&report)
                        .map_err(|e| Error::Internal(format!("encoding output: {e}")))?,
                )
            }
        },
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

fn describe(label: &str, v: &VaultSummary) -> String {
    let date =
        |t: Option<coffer_core::Timestamp>| t.map_or_else(|| "-".to_owned(), |t| t.to_string());
    format!(
        "  {label:<8} {}\n           {} secret(s) ({} active, {} deactivated, {} expired), {} in \
         the trash; created {}, last change {}",
        v.path.display(),
        v.counts.total,
        v.counts.active,
        v.counts.deactivated,
        v.counts.expired,
        v.counts.trash,
        date(v.created_at),
        date(v.last_activity)
    )
}

/// Shows both vaults and asks to confirm (or takes --yes).
fn confirm_replace(
    current: &VaultSummary,
    backup: &VaultSummary,
    yes: bool,
    out: Out,
) -> Result<()> {
    let text = format!(
        "{}\n{}",
        describe("current", current),
        describe("backup", backup)
    );
    if yes {
        if !out.json {
            eprintln!("Replacing the current vault by the backup:\n{text}");
        }
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "yes",
            "restoring replaces the current vault: confirm on a terminal or pass --yes",
        ));
    }
    eprint!("Replace the current vault by the backup?\n{text}\nType restore to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::Internal(format!("reading the confirmation: {e}")))?;
    if line.trim() != "restore" {
        return Err(Error::invalid(
            "confirmation",
            "not confirmed; nothing was changed",
        ));
    }
    Ok(())
}
