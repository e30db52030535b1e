//! `coffer audit list | verify`.

use coffer_core::secret::SecretRef;
use coffer_core::{Error, Result};

use crate::args::{AuditCommand, Global};
use crate::output::{Out, table, when};
use crate::unlock;

pub fn run(g: &Global, out: Out, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::List { secret, org, limit } => {
            let vault = unlock::open(g)?;
            let secret = secret.map(|name| SecretRef::in_org(org, name));
            let entries = vault.audit_entries(secret.as_ref(), limit)?;
            if out.json {
                return out.json(&entries);
            }
            let now = vault.now();
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        when(e.at, now),
                        e.actor.clone(),
                        e.action.clone(),
                        e.target.clone(),
                        if e.detail.as_object().is_some_and(|o| o.is_empty()) {
                            String::new()
                        } else {
                            e.detail.to_string()
                        },
                    ]
                })
                .collect();
            table(&["SEQ", "WHEN", "WHO", "ACTION", "TARGET", "DETAIL"], &rows);
            Ok(())
        }
        AuditCommand::Verify => {
            let vault = unlock::open_unlocked(g, out)?;
            let result = vault.verify_audit()?;
            if out.json {
                out.json(&result)?;
            } else if result.ok {
                println!(
                    "The audit log verifies: {} entries, chain intact.",
                    result.entries
                );
            }
            match (result.ok, result.first_broken, result.reason) {
                (true, _, _) => Ok(()),
                (false, seq, reason) => Err(Error::Tampered {
                    what: format!(
                        "the audit log at entry {}: {}",
                        seq.unwrap_or_default(),
                        reason.unwrap_or_default()
                    ),
                }),
            }
        }
    }
}
