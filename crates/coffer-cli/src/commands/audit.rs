//! `coffer audit list | export | verify`.

use coffer_core::secret::SecretRef;
use coffer_core::{
    AUDIT_PAGE_MAX, AuditEntry, AuditExportFormat, AuditFilter, Error, Result, Timestamp, Vault,
};

use crate::args::{AuditCommand, AuditFilterArgs, Global};
use crate::output::{Out, table, when};
use crate::unlock;

pub fn run(g: &Global, out: Out, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::List {
            filter,
            limit,
            before,
        } => {
            let vault = unlock::open(g)?;
            let filter = filter_of(&vault, filter)?;
            let entries = newest(&vault, &filter, before, limit)?;
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
        AuditCommand::Export { filter, format } => {
            let vault = unlock::open(g)?;
            let filter = filter_of(&vault, filter)?;
            let format = match format.as_str() {
                "csv" => AuditExportFormat::Csv,
                "json" => AuditExportFormat::Json,
                other => {
                    return Err(Error::invalid(
                        "format",
                        format!("{other:?} is not an export format (csv or json)"),
                    ));
                }
            };
            let stdout = std::io::stdout().lock();
            vault.audit_export(&filter, format, std::io::BufWriter::new(stdout))?;
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

/// The core's filter from the command line's: the secret by name, times parsed.
fn filter_of(vault: &Vault, args: AuditFilterArgs) -> Result<AuditFilter> {
    let secret_id = match args.secret {
        Some(name) => Some(vault.get(&SecretRef::in_org(args.org, name))?.id),
        None => None,
    };
    Ok(AuditFilter {
        secret_id,
        target: args.target,
        actor: args.actor,
        action: args.action,
        since: args
            .since
            .map(|t| Timestamp::parse("since", &t))
            .transpose()?,
        until: args
            .until
            .map(|t| Timestamp::parse("until", &t))
            .transpose()?,
    })
}

/// Up to `limit` matching entries, newest first, in pages of the core's size.
fn newest(
    vault: &Vault,
    filter: &AuditFilter,
    mut before: Option<u32>,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    if limit == 0 {
        return Err(Error::invalid("limit", "at least 1 entry"));
    }
    let mut entries = Vec::new();
    while (entries.len() as u64) < u64::from(limit) {
        let want = (limit - entries.len() as u32).min(AUDIT_PAGE_MAX);
        let page = vault.audit_page(filter, before, want)?;
        entries.extend(page.entries);
        match page.next_before {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    Ok(entries)
}
