//! Lifecycle commands: restore, deactivate, activate, delete, undelete, purge, move,
//! rename, clone.

use coffer_core::secret::SecretRef;
use coffer_core::{Error, Result};
use serde_json::json;

use super::secret_read::reference;
use crate::args::{Global, SecretCommand};
use crate::input;
use crate::output::Out;
use crate::unlock;

pub fn run(g: &Global, out: Out, command: SecretCommand) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let (message, value) = match command {
        SecretCommand::Restore {
            target,
            version,
            store_password_file,
        } => {
            let password =
                input::optional_password("store password", store_password_file.as_ref())?;
            let new = vault.restore_version(&reference(&target), version, password.as_ref())?;
            (
                format!(
                    "{}: version {version} restored as version {new}",
                    target.name
                ),
                json!({ "version": new }),
            )
        }
        SecretCommand::Deactivate { target } => {
            let meta = vault.deactivate(&reference(&target))?;
            (format!("{}: deactivated", target.name), json!(meta))
        }
        SecretCommand::Activate { target } => {
            let meta = vault.activate(&reference(&target))?;
            (format!("{}: {}", target.name, meta.status), json!(meta))
        }
        SecretCommand::Delete {
            target,
            permanent: false,
        } => {
            let meta = vault.delete(&reference(&target))?;
            let days = vault.settings().trash_retention_days;
            (
                format!(
                    "{}: moved to the trash (purged in {days} days)",
                    target.name
                ),
                json!(meta),
            )
        }
        SecretCommand::Delete {
            target,
            permanent: true,
        } => {
            vault.purge(&reference(&target))?;
            (
                format!("{}: destroyed", target.name),
                json!({ "purged": 1 }),
            )
        }
        SecretCommand::Undelete { target } => {
            let meta = vault.undelete(&reference(&target))?;
            (
                format!("{}: restored from the trash", target.name),
                json!(meta),
            )
        }
        SecretCommand::Purge {
            name: Some(name),
            org,
        } => {
            let secret = SecretRef::in_org(&org, &name);
            if vault.get(&secret)?.deleted_at.is_none() {
                return Err(Error::invalid(
                    "name",
                    format!("{name} is not in the trash (use `delete --permanent` to destroy it)"),
                ));
            }
            vault.purge(&secret)?;
            (format!("{name}: destroyed"), json!({ "purged": 1 }))
        }
        SecretCommand::Purge { name: None, .. } => {
            let count = vault.empty_trash()?;
            (
                format!("The trash is empty ({count} destroyed)."),
                json!({ "purged": count }),
            )
        }
        SecretCommand::Move { name, from, org } => {
            let meta = vault.move_to_org(&SecretRef::in_org(&from, &name), &org)?;
            (format!("{name}: moved from {from} to {org}"), json!(meta))
        }
        SecretCommand::Rename { target, new_name } => {
            let renamed = vault.rename(&reference(&target), &new_name)?;
            let mut message = format!("{}: renamed to {new_name}", target.name);
            if !renamed.jobs.is_empty() {
                message.push_str(&format!(
                    " ({} job{} now use{} the new name: {})",
                    renamed.jobs.len(),
                    if renamed.jobs.len() == 1 { "" } else { "s" },
                    if renamed.jobs.len() == 1 { "s" } else { "" },
                    renamed.jobs.join(", ")
                ));
            }
            for job in &renamed.templates {
                message.push_str(&format!(
                    "\nJob {job}'s template file may still name {}: edit it.",
                    target.name
                ));
            }
            (message, json!(renamed))
        }
        SecretCommand::Clone {
            target,
            new_name,
            store_password_file,
        } => {
            let password =
                input::optional_password("store password", store_password_file.as_ref())?;
            let meta = vault.clone_secret(&reference(&target), &new_name, password.as_ref())?;
            (
                format!("{}: copied to {new_name}", target.name),
                json!(meta),
            )
        }
        _ => return Err(Error::Internal("unexpected command".into())),
    };
    if out.json {
        return out.json(&value);
    }
    println!("{message}");
    Ok(())
}
